"""An opt-in plugin that observes every kernel call: name, backend, shapes, time.

Nothing is traced, and nothing costs anything, until a tracer is registered: the kernel
tables then hold wrappers, and unregistering puts the plain functions back (the tables
are re-resolved whenever plugins change). ::

    from retrograd.plugins.tracing import KernelTracer

    with KernelTracer() as tracer:        # registers, and unregisters on exit
        (x * 2).sum().backward()
    for call in tracer.calls:
        print(call.kernel, call.backend, call.shapes, call.seconds)

It is an ordinary pluggy plugin: a hook *wrapper* around ``retrograd_kernels`` that lets
the other plugins' overrides through and wraps the resulting table, so it traces the
kernels that actually run, a faster ``matmul`` from another plugin included.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .registry import hookimpl, merge_kernels, register, unregister


@dataclass(frozen=True)
class KernelCall:
    """One kernel call: ``shapes`` holds each positional argument's shape (None for a
    non-array argument, e.g. a Python scalar or a dtype)."""

    kernel: str
    backend: str
    shapes: tuple
    seconds: float


class KernelTracer:
    """Records a :class:`KernelCall` per kernel call while registered.

    ``sink`` receives each call (default: appended to ``self.calls``). Register with
    ``retrograd.plugins.register(tracer)`` or use the tracer as a context manager.
    """

    def __init__(self, sink: Callable[[KernelCall], Any] | None = None) -> None:
        self.calls: list[KernelCall] = []
        self._sink = self.calls.append if sink is None else sink

    @hookimpl(wrapper=True)
    def retrograd_kernels(self, backend: Any) -> Iterator[None]:
        """Wrap every kernel of ``backend``'s resolved table (after the other plugins)."""
        results = yield
        table = merge_kernels(backend.base_kernels, results)
        traced = {name: self._wrap(name, backend.name, fn) for name, fn in table.items()}
        return [traced, *results]  # first in pluggy's order: applied last, so it wins

    def _wrap(self, name: str, backend: str, kernel: Callable[..., Any]) -> Callable[..., Any]:
        sink, clock = self._sink, time.perf_counter

        def traced(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return kernel(*args, **kwargs)
            finally:
                shapes = tuple(_shape(a) for a in args)
                sink(KernelCall(name, backend, shapes, clock() - start))

        traced.__wrapped__ = kernel
        traced.__name__ = f"traced_{name}"
        return traced

    def __enter__(self) -> KernelTracer:
        register(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        unregister(self)


def _shape(value: Any) -> tuple | None:
    if hasattr(value, "dtype") and hasattr(value, "shape"):  # an array (not a dtype)
        return tuple(value.shape)
    return None
