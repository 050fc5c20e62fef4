"""Scalars the library reads from tensors for its own bookkeeping (an optimizer's step).

An Adam step reads ``state["step"].item()`` to compute its bias corrections. Eagerly that
is an ordinary read; while ``retrograd.compile`` records a step, the read must become a
value of the recorded program (recomputed at every replay), not a constant baked in at
capture and not a graph break. :func:`step_count` is that read; the compiler installs a
*reader* for the duration of a capture. Nothing else changes: without a reader it is
``tensor.item()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_reader: list[Callable[[Any], Any] | None] = [None]


def step_count(tensor: Any) -> Any:
    """``tensor.item()``; while a capture records, a value the replay recomputes."""
    reader = _reader[0]
    return tensor.item() if reader is None else reader(tensor)


def install_reader(reader: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """Make ``reader`` handle :func:`step_count` (None: plain reads); returns the old one."""
    old, _reader[0] = _reader[0], reader
    return old
