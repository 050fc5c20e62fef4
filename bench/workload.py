"""What a workload is: shared inputs, one small step function per implementation kind.

A *builder* takes ``(impl, data)`` and returns ``step()``; a step runs the workload once
and returns its results as a dict (loss, gradients) that the runner compares across
implementations before any timing counts. A step may also return ``"phases"``: seconds
it measured itself (W2 times forward and backward separately, per op).

*Children* measure memory: each runs in a fresh process (``python -m bench.child``), gets
the loaded :class:`~bench.impls.Impl`, and returns a dict of numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Step = Callable[[], dict[str, Any]]
Builder = Callable[[Any, dict[str, Any]], Step]
Child = Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    setup: Callable[[bool], dict[str, Any]]  # setup(for_check) -> shared NumPy inputs
    builders: dict[str, Builder] = field(default_factory=dict)  # impl kind -> builder
    unit: str = "ms"
    scale: float = 1e3  # seconds -> unit
    per: str = "step"
    repeats: int = 7
    inner: int = 1  # steps per timed sample
    metrics: tuple[str, ...] = ("total",)
    tol: float = 1e-4  # rtol; atol is tol * max |reference|
    peak: bool = True  # measure one step's peak RSS in a child
    children: dict[str, Child] = field(default_factory=dict)  # mode -> child
    notes: tuple[str | Callable[[], str], ...] = ()  # a callable is asked at report time

    def label(self, metric: str) -> str:
        """The table's short row label, e.g. ``W2 fwd (µs/op)``."""
        name = self.key if metric == "total" else f"{self.key} {metric}"
        return f"{name} ({self.unit}/{self.per})"
