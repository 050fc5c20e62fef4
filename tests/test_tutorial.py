"""The seed tutorial: its data reproduces the seed file, and replaying it on retrograd
prints what PyTorch printed (addresses aside; random cells by layout and by relation)."""

from __future__ import annotations

import builtins
import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import retrograd
from retrograd.__main__ import main
from retrograd.tutorial import runner

SEED_FILE = Path(__file__).resolve().parents[1] / ".." / "shared" / "seed"
SEED_FILE = SEED_FILE / "autograd_tutorial_es.md"
# A fixed seed keeps the random cells' layout reproducible: with about 1 draw in 400,
# cell 9's values span more than 1000x and PyTorch switches to scientific notation.
SEED = 0
GRADIENTS = [0.1, 1.0, 0.0001]  # the vector cell 10 passes to y.backward


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "retrograd", "tutorial", *args]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def in_process() -> tuple[runner.Replay, str]:
    out = io.StringIO()
    replay = runner.run(lang="es", out=out, seed=SEED)
    return replay, out.getvalue()


@pytest.fixture(scope="module")
def cli_es() -> subprocess.CompletedProcess[str]:
    return _cli("--seed", str(SEED))


def _usable_backends() -> list[str]:
    return [info.name for info in retrograd.backends() if info.usable]


# --- (a) the data reproduces the seed --------------------------------------------------


def test_render_markdown_reproduces_the_seed_file():
    if not SEED_FILE.exists():
        pytest.skip(f"seed file not found at {SEED_FILE} (outside a full checkout)")
    seed = SEED_FILE.read_text(encoding="utf-8").split("\n")
    rendered = runner.render_markdown("es").split("\n")
    assert [line.rstrip() for line in rendered] == [line.rstrip() for line in seed]


def test_english_rendering_has_the_same_cells_and_other_prose():
    tutorial = runner.load()
    english = runner.render_markdown("en")
    assert runner.parse_transcript(english, "en") == {c.number: c.output for c in tutorial.cells}
    prose = [b for b in tutorial.blocks if isinstance(b, runner.Prose)]
    assert all(b.en in english for b in prose)
    assert [b for b in prose if b.en == b.es] == [
        runner.Prose("*.requires_grad()*", "*.requires_grad()*")
    ]


def test_only_cells_9_and_10_are_random():
    assert [c.number for c in runner.load().cells if c.random] == [9, 10]


def test_malformed_tutorial_data_is_rejected():
    with pytest.raises(ValueError, match="block 0"):
        runner.parse("[[block]]\nes = 'solo'\n")
    with pytest.raises(ValueError, match="numbered"):
        runner.parse("[[block]]\nnumber = 2\ncode = 'x'\noutput = ''\n")


# --- (b) replaying prints what the seed shows --------------------------------------------


def test_in_process_replay_matches_the_seed(in_process):
    replay, transcript = in_process
    assert replay.errors == {}
    assert runner.compare(replay.outputs) == []
    assert runner.parse_transcript(transcript, "es") == replay.outputs


def test_transcript_has_the_seed_layout(in_process):
    _, transcript = in_process
    expected = runner.render_markdown("es", in_process[0].outputs)
    assert transcript.rstrip() == expected.rstrip()


def test_cli_replay_matches_the_seed(cli_es):
    assert cli_es.returncode == 0, cli_es.stderr
    assert runner.compare(runner.parse_transcript(cli_es.stdout, "es")) == []


@pytest.mark.parametrize("backend", _usable_backends())
def test_replay_matches_the_seed_on_every_usable_backend(backend, in_process):
    replay = runner.run(backend=backend, out=io.StringIO(), seed=SEED)
    assert replay.errors == {}
    assert runner.compare(replay.outputs) == []
    # One host RNG stream: the same seed prints the same numbers on every backend.
    normalize = runner.normalize_addresses
    assert {n: normalize(o) for n, o in replay.outputs.items()} == {
        n: normalize(o) for n, o in in_process[0].outputs.items()
    }


def test_compare_reports_real_differences():
    outputs = {c.number: c.output for c in runner.load().cells}
    assert runner.compare(outputs) == []
    outputs[4] = outputs[4].replace("0x00000169B84D0940", "0x7f3a2c1b0e50")
    outputs[9] = "tensor([-194.5, 1357.1, 1087.0], grad_fn=<MulBackward0>)\n"
    outputs[8] = outputs[8].replace("4.5000", "4.5001", 1)
    del outputs[11]
    problems = runner.compare(outputs)
    assert [p.split(":")[0] for p in problems] == ["In [8]", "In [9]", "In [11]"]


# --- (c) the random cells obey the tutorial's arithmetic -----------------------------------


def _implied_doublings(y_text: str, grad_text: str) -> int:
    """k such that the printed x.grad is GRADIENTS * 2**k, checked against the printed y:
    the loop stops at the first doubling whose norm reaches 1000, so |y| < 2000."""
    grad = runner.printed_numbers(grad_text)
    k = round(math.log2(grad[1] / GRADIENTS[1]))
    assert grad == pytest.approx([g * 2**k for g in GRADIENTS], rel=1e-4)
    assert 1000 <= math.hypot(*runner.printed_numbers(y_text)) < 2000
    return k


def test_seed_outputs_of_cells_9_and_10_agree():
    tutorial = runner.load()
    assert _implied_doublings(tutorial.cell(9).output, tutorial.cell(10).output) == 11


def test_cli_without_a_seed_matches_the_seed_and_its_arithmetic():
    result = _cli()
    assert result.returncode == 0, result.stderr
    outputs = runner.parse_transcript(result.stdout, "es")
    # Cell 9's layout is left out: rarely, its draws span > 1000x and print in e-notation.
    assert [p for p in runner.compare(outputs) if not p.startswith("In [9]")] == []
    assert _implied_doublings(outputs[9], outputs[10]) >= 1


def _doublings(x: list[float]) -> int:
    """How many times cell 9 multiplies x by 2 (once, then while the norm is < 1000)."""
    k, norm = 1, 2 * math.hypot(*x)
    while norm < 1000:
        k, norm = k + 1, 2 * norm
    return k


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_cell_10_gradient_is_gradients_times_2_to_the_doublings(seed):
    tutorial, env, replay = runner.load(), runner.namespace(), runner.Replay()
    for cell in tutorial.cells[:8]:
        runner.run_cell(cell, env, replay)
    retrograd.manual_seed(seed)
    for number in (9, 10):
        runner.run_cell(tutorial.cell(number), env, replay)
    retrograd.manual_seed(seed)
    x = retrograd.randn(3).tolist()
    k = _doublings(x)
    assert replay.errors == {}
    assert _implied_doublings(replay.outputs[9], replay.outputs[10]) == k
    assert runner.printed_numbers(replay.outputs[9]) == pytest.approx(
        [v * 2**k for v in x], rel=1e-6, abs=1e-4
    )
    # Each MulBackward0 multiplies by 2 exactly, so the float32 gradient is exact.
    expected = (np.array(GRADIENTS, dtype=np.float32) * np.float32(2**k)).tolist()
    assert env["x"].grad.tolist() == expected


# --- (d) English prose, same code and outputs ------------------------------------------------


def test_cli_in_english_prints_english_prose_and_the_same_cells(cli_es):
    english = _cli("--lang", "en", "--seed", str(SEED))
    assert english.returncode == 0, english.stderr
    prose = [b for b in runner.load().blocks if isinstance(b, runner.Prose)]
    assert all(b.en in english.stdout for b in prose)
    assert not [b.es for b in prose if b.es != b.en and b.es in english.stdout]
    outputs_en = runner.parse_transcript(english.stdout, "en")
    outputs_es = runner.parse_transcript(cli_es.stdout, "es")
    normalize = runner.normalize_addresses
    assert {n: normalize(o) for n, o in outputs_en.items()} == {
        n: normalize(o) for n, o in outputs_es.items()
    }


# --- (e) an unknown backend is a clear usage error ---------------------------------------------


def test_cli_unknown_backend_names_the_installed_ones():
    result = _cli("--backend", "nosuch")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "nosuch" in result.stderr
    for info in retrograd.backends():
        assert info.name in result.stderr


def test_main_unknown_backend_returns_2(capsys):
    assert main(["tutorial", "--backend", "nosuch"]) == 2
    captured = capsys.readouterr()
    assert "nosuch" in captured.err and captured.out == ""


# --- (f) cells see retrograd as torch, nothing else does -----------------------------------------


def test_import_torch_in_cells_gives_retrograd_without_touching_sys_modules(in_process):
    before, real_import = sys.modules.get("torch"), builtins.__import__
    env, replay = runner.namespace(), runner.Replay()
    cell = runner.Cell(0, "import torch\nimport torch.autograd as ag", "")
    runner.run_cell(cell, env, replay)
    assert replay.errors == {}
    assert env["torch"] is retrograd
    assert env["ag"] is sys.modules["retrograd.autograd"]
    assert sys.modules.get("torch") is before
    assert sys.modules.get("torch") is not retrograd
    assert builtins.__import__ is real_import


def test_other_imports_are_the_real_ones():
    env, replay = runner.namespace(), runner.Replay()
    runner.run_cell(runner.Cell(0, "import math\nfrom os import path", ""), env, replay)
    assert replay.errors == {}
    assert env["math"] is math and env["path"] is sys.modules["os"].path


# --- notebook semantics of a cell --------------------------------------------------------


def test_a_final_bare_expression_is_shown_like_a_notebook():
    env, replay = runner.namespace(), runner.Replay()
    assert runner.run_cell(runner.Cell(0, "v = 2\nv + 1", ""), env, replay) == "3\n"
    assert runner.run_cell(runner.Cell(0, "print('a')\nNone", ""), env, replay) == "a\n"
    assert runner.run_cell(runner.Cell(0, "v * 2\nv = 5", ""), env, replay) == ""


def test_a_failing_cell_shows_its_traceback_and_the_run_goes_on():
    env, replay = runner.namespace(), runner.Replay()
    output = runner.run_cell(runner.Cell(3, "print('before')\n1 / 0", ""), env, replay)
    assert output.startswith("before\nTraceback (most recent call last):\n")
    assert 'File "<In [3]>", line 2' in output and "runner.py" not in output
    assert replay.errors == {3: "ZeroDivisionError: division by zero"}
    assert runner.run_cell(runner.Cell(4, "print('after')", ""), env, replay) == "after\n"
