"""The one-command GPU check: ``python -m bench.gpu_check [--out DIR]`` (``nox -s gpu``).

On a machine with an NVIDIA GPU and CuPy installed, in under five minutes:

1. the machine: ``nvidia-smi``, CuPy's device, library versions;
2. the test suite with ``RETROGRAD_BACKEND=cupy`` (``pytest -n 8``) and, at the same time,
   the conformance plugin on cupy (``-n 8``, few hypothesis examples): 16 processes for
   16 cores. Both run with ``JAX_PLATFORMS=cpu``: JAX (the conformance reference, the jax
   backend's tests) must not start on the GPU in every test process;
3. the GPU benchmark (:mod:`bench.gpu`), alone on the machine.

Each step runs in its own process group under a time limit, so one hang cannot eat the
budget; its full output goes to a log file. ``DIR/report.md`` (default ``./gpu-report``)
says what each step gave. Exits 0 when every step passed, else 1.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Seconds per step: the suite and the conformance run side by side, then the benchmark.
LIMITS = {"info": 30, "suite": 160, "conformance": 160, "bench": 90}
WORKERS = 8
JAX_ON_CPU = {"JAX_PLATFORMS": "cpu", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
VERSIONS = """
import platform, importlib.metadata as m
print("python", platform.python_version())
for name in ("retrograd", "numpy", "cupy-cuda13x", "cupy-cuda12x", "torch", "jax",
             "array-api-compat", "pytest", "pytest-xdist", "hypothesis", "pluggy"):
    try:
        print(name, m.version(name))
    except m.PackageNotFoundError:
        pass
import cupy
props = cupy.cuda.runtime.getDeviceProperties(0)
print("cupy device 0:", props["name"].decode(), f"{props['totalGlobalMem'] / 2**30:.0f} GiB")
print("CUDA runtime", cupy.cuda.runtime.runtimeGetVersion())
"""


@dataclass
class Step:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    started: float = 0.0
    seconds: float = 0.0
    returncode: int | None = None  # None: killed at its time limit

    def start(self) -> None:
        print(f"gpu_check: {self.name}: {' '.join(self.command)}", flush=True)
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            self.command, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            env={**os.environ, **self.env}, start_new_session=True,
        )  # fmt: skip

    def wait(self) -> None:
        """Wait until the step ends or its limit passes (then kill its process group)."""
        assert self.process is not None
        left = LIMITS[self.name] - (time.monotonic() - self.started)
        try:
            self.returncode = self.process.wait(timeout=max(left, 1))
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the step's own process group
            self.process.wait()
        self.seconds = time.monotonic() - self.started
        print(f"gpu_check: {self.name}: {self.status()} in {self.seconds:.0f} s", flush=True)

    def status(self) -> str:
        if self.returncode is None:
            return f"TIMED OUT (limit {LIMITS[self.name]} s)"
        return "ok" if self.returncode == 0 else f"FAILED (exit {self.returncode})"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def steps(out: Path) -> dict[str, Step]:
    py = sys.executable
    # -v: a line per test as it ends, so a run cut at its limit still shows its failures.
    pytest = [py, "-m", "pytest", "-v", "-rfE", "-p", "no:cacheprovider", "-n", str(WORKERS)]
    conformance = [
        *pytest, "-p", "retrograd_conformance", "--pyargs", "retrograd_conformance",
        "--retrograd-backend", "cupy", "--retrograd-examples", "3",
        "--retrograd-report", str(out / "conformance.json"),
    ]  # fmt: skip
    make = lambda name, cmd, env: Step(name, cmd, env, out / f"{name}.log")
    return {
        "info": make("info", [py, "-c", VERSIONS], {}),
        "suite": make("suite", [*pytest, "tests"], {"RETROGRAD_BACKEND": "cupy", **JAX_ON_CPU}),
        "conformance": make("conformance", conformance, JAX_ON_CPU),
        "bench": make("bench", [py, "-m", "bench.gpu", "--repeats", "5"], {}),
    }


def nvidia_smi() -> str:
    try:
        return subprocess.run(["nvidia-smi"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"nvidia-smi failed: {error}"


def pytest_summary(text: str) -> list[str]:
    """pytest's final count line and its FAILED/ERROR lines (at most 60); for a run
    killed before its summary, the failures its verbose lines showed so far."""
    lines = text.splitlines()
    counts = [ln for ln in lines if re.search(r"\d+ (passed|failed|error)", ln)][-1:]
    failed = [ln for ln in lines if ln.startswith(("FAILED", "ERROR"))]
    if not counts:
        counts = ["(no summary: the run was cut short; failures seen so far below)"]
        failed = [ln for ln in lines if re.search(r"\b(FAILED|ERROR) \S+::", ln)]
    more = [f"... and {len(failed) - 60} more"] if len(failed) > 60 else []
    return counts + failed[:60] + more


def section(title: str, step: Step, body: list[str]) -> list[str]:
    head = [f"## {title}", "", f"`{' '.join(step.command)}`", ""]
    head += [f"{step.status()} in {step.seconds:.0f} s; full output: `{step.log.name}`", ""]
    return head + body + [""]


def report(out: Path, run: dict[str, Step], smi: str) -> str:
    tail = lambda s: s.output().splitlines()[-25:]
    lines = ["# retrograd GPU check", "", "## Machine", "", "```", smi.strip(), "```", ""]
    lines += ["```", *run["info"].output().splitlines(), "```", ""]
    lines += section("Test suite, RETROGRAD_BACKEND=cupy", run["suite"],
                     ["```", *pytest_summary(run["suite"].output()), "```"])  # fmt: skip
    table = out / "conformance.md"
    body = ["```", *pytest_summary(run["conformance"].output()), "```"]
    if table.exists():
        body += ["", table.read_text()]
    lines += section("Conformance plugin on cupy", run["conformance"], body)
    bench = run["bench"]
    table_lines = [ln for ln in bench.output().splitlines() if not ln.startswith("bench.gpu:")]
    body = table_lines if bench.returncode == 0 else ["```", *tail(bench), "```"]
    lines += section("GPU benchmark (bench.gpu)", bench, body)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.gpu_check", description=__doc__.split("\n")[0]
    )
    p.add_argument("--out", default="gpu-report", help="directory for report.md and the logs")
    out = Path(p.parse_args(argv).out)
    out.mkdir(parents=True, exist_ok=True)
    t0, smi = time.monotonic(), nvidia_smi()
    print(smi, flush=True)
    run = steps(out)
    for group in (["info"], ["suite", "conformance"], ["bench"]):
        for name in group:
            run[name].start()
        for name in group:
            run[name].wait()
    print(run["info"].output(), flush=True)
    (out / "report.md").write_text(report(out, run, smi))
    print(f"gpu_check: report in {out / 'report.md'} ({time.monotonic() - t0:.0f} s in all)")
    return 0 if all(s.returncode == 0 for s in run.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
