"""Graph breaks: what a recording cannot replay, how it is reported, and the counters.

A capture that meets something it cannot replay (a read of tensor data into Python, a
random op) *breaks*: the call it was recording finishes eagerly, the guards it was
recorded under are remembered as "run eagerly", and one line says why, naming the op and
the user's source line. ``fullgraph=True`` raises :class:`Unsupported` instead, at the
point of the break (PyTorch raises before running anything; a recorder that learns by
running cannot, so the work before the break has happened).

``counters`` mirrors ``torch._dynamo.utils.counters``: ``counters["graph_break"]`` maps
each break's reason to how often it happened, ``counters["stats"]`` counts captures,
replays, recompiles and eager calls. Tests read these, never the clock.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter, defaultdict
from pathlib import Path

counters: defaultdict[str, Counter] = defaultdict(Counter)

_PACKAGE = str(Path(__file__).resolve().parents[1])  # retrograd's own source tree


class Unsupported(RuntimeError):
    """What ``torch._dynamo.exc.Unsupported`` is: a step that cannot be captured whole,
    raised under ``fullgraph=True``."""


class GraphBreak(Exception):
    """Raised by the recorder to the capture (never to the user): ``reason`` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def user_line() -> str:
    """``file:line`` of the innermost frame outside retrograd (the user's code)."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not str(Path(filename).resolve()).startswith(_PACKAGE):
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


def reason_for(what: str) -> str:
    """The one-line reason of a break at the user's current source line."""
    return f"{what} at {user_line()}"


def warn_break(name: str, reason: str) -> None:
    """Say once per compiled function and reason that a call ran eagerly."""
    warnings.warn(
        f"retrograd.compile: graph break in {name}: {reason}; this call runs eagerly",
        UserWarning,
        stacklevel=4,
    )


def reset_counters() -> None:
    """Forget every count (``torch._dynamo.utils.counters.clear()``)."""
    counters.clear()
