"""The GPU check's machinery, on the CPU: steps run in their own process group under a
time limit (a hang is killed, not waited for), pytest's summary is extracted, and the
report has a section per step. The GPU run itself is the lead's (GPU_RUN.md)."""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ is not installed: it is imported from the checkout (as ``python -m bench`` does).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import gpu_check  # noqa: E402


def _step(tmp_path, name, code):
    return gpu_check.Step(name, [sys.executable, "-c", code], {"X": "1"}, tmp_path / f"{name}.log")


def test_a_step_that_hangs_is_killed_at_its_limit(tmp_path, monkeypatch):
    monkeypatch.setitem(gpu_check.LIMITS, "bench", 5)  # time to start Python, loaded
    step = _step(tmp_path, "bench", "import time; print('started', flush=True); time.sleep(60)")
    step.start()
    step.wait()
    assert step.returncode is None and step.seconds < 30
    assert step.status().startswith("TIMED OUT") and "started" in step.output()


def test_a_step_sees_its_environment_and_its_exit_status(tmp_path):
    step = _step(tmp_path, "info", "import os, sys; print(os.environ['X']); sys.exit(3)")
    step.start()
    step.wait()
    assert step.returncode == 3 and step.output().strip() == "1"
    assert step.status() == "FAILED (exit 3)"


def test_pytest_summary_keeps_the_counts_and_the_failures():
    text = "....F\nFAILED tests/a.py::t - boom\nnoise\n1 failed, 4 passed in 2.0s\n"
    assert gpu_check.pytest_summary(text) == [
        "1 failed, 4 passed in 2.0s",
        "FAILED tests/a.py::t - boom",
    ]


def test_a_run_cut_short_still_shows_its_failures():
    text = "[gw0] [ 10%] PASSED tests/a.py::ok\n[gw1] [ 20%] FAILED tests/a.py::bad\n"
    summary = gpu_check.pytest_summary(text)
    assert "cut short" in summary[0] and summary[1:] == ["[gw1] [ 20%] FAILED tests/a.py::bad"]


def test_report_has_a_section_per_step(tmp_path):
    run = {
        "info": _step(tmp_path, "info", "print('cupy device 0: H200')"),
        "suite": _step(tmp_path, "suite", "print('3 passed in 1.0s')"),
        "conformance": _step(tmp_path, "conformance", "print('FAILED x\\n1 failed in 1s')"),
        "bench": _step(tmp_path, "bench", "print('bench.gpu: G1'); print('| G1 | 1 ms |')"),
    }
    for step in run.values():
        step.start()
        step.wait()
    text = gpu_check.report(tmp_path, run, "GPU 0: NVIDIA H200")
    for title in ("## Machine", "## Test suite", "## Conformance plugin", "## GPU benchmark"):
        assert title in text
    assert "NVIDIA H200" in text and "cupy device 0: H200" in text and "FAILED x" in text
    assert "\n| G1 | 1 ms |" in text and "\nbench.gpu: G1" not in text


def test_the_commands_run_cupy_with_jax_on_the_cpu(tmp_path):
    run = gpu_check.steps(tmp_path)
    assert run["suite"].env["RETROGRAD_BACKEND"] == "cupy"
    assert run["suite"].env["JAX_PLATFORMS"] == run["conformance"].env["JAX_PLATFORMS"] == "cpu"
    assert "--retrograd-backend" in run["conformance"].command
    assert sum(gpu_check.LIMITS[n] for n in ("info", "suite", "bench")) < 300
