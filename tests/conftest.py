"""Suite-wide reporting: the PyTorch oracle's absence, said once; and every test checked
for leaving retrograd's modes and the interpreter's recursion budget as it found them
(:mod:`state_guard`).

PyTorch is the oracle (printing, gradients, errors); the tests that need it skip without
it (``pytest.importorskip("torch")``), and the rest of the suite still runs. Instead of
one skip reason per module or test, the summary says it in one line, with how to get
PyTorch's CPU build.
"""

from __future__ import annotations

from typing import Any

# An autouse fixture: importing it here applies it to every test of the suite.
from state_guard import _every_test_leaves_the_process_as_it_found_it  # noqa: F401

_NO_TORCH = "could not import 'torch'"
HINT = (
    "pip install torch==2.13.0 from PyTorch's CPU-only wheel index (see README.md, "
    "'Without a local CPU wheel')"
)


def _reason(report: Any) -> str:
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr or "")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line for every test or module skipped because PyTorch is not installed."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if _NO_TORCH in _reason(r)]
    if not skipped:
        return
    modules = {r.nodeid.split("::")[0] for r in skipped}
    terminalreporter.write_line(
        f"PyTorch is not installed: the oracle tests were skipped ({len(skipped)} skips in "
        f"{len(modules)} modules); to run them, {HINT}",
        yellow=True,
    )
