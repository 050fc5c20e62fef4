"""Device graphs: a lowered step body captured once and launched with one call.

A CUDA graph records a sequence of kernel launches, with their arguments (pointers
included) baked in, and replays the whole sequence with one launch; on a step of many
small kernels that removes the Python cost of each (PyTorch's ``mode="reduce-overhead"``).
:class:`GraphedBody` wraps the body that :mod:`~retrograd.compiler.lowering` hands a
backend (arrays and Python numbers in, a tuple of arrays out) and decides, call by call,
whether the captured graph may stand in for it. What it needs from the device is a
:class:`GraphRuntime` (the CuPy backend's is in ``retrograd_backends.cupy_graphs``).

Because a graph reads and writes fixed memory, each body argument is one of:

- *static*: the same array object in the first two calls (a parameter updated in place,
  an optimizer's buffer, a batch reused). The graph reads and writes the array itself;
  this object holds it, so its memory cannot be freed and handed to another array while
  the graph may run. A later call that passes another array *demotes* the position to
  copied and captures again (at most :data:`MAX_CAPTURES` captures in all);
- *copied*: the graph reads a buffer of its own, into which each launch first copies
  the argument (one device copy), and from which it copies back where the body writes
  into that argument (``mutated``: an in-place update);
- a *number*: baked into the kernels at capture; a call with another value runs the plain
  body (a Python number that changes every step, as a learning-rate schedule's, is not
  graphable this way).

The graph's outputs live in its own memory and are overwritten by the next launch, so
each launch returns copies of them (ordinary arrays of the device's allocator). The copies
cost one device copy per argument and result; where they would move more than
:data:`MAX_COPY_BYTES` a launch (a memory-bound step, where launches are not the cost),
the body runs plain. The first call runs plain too (a warm-up: the device compiles its
kernels then, outside any capture). A capture that fails (a kernel that waits on the
host) leaves the body plain for good, and says why in the counters.

Counters (``retrograd.compiler.counters["device_graphs"]``): ``captured``, ``launched``,
``plain`` (calls that ran the body itself) and ``off: <reason>`` for each body left plain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .breaks import counters

# Bytes a launch may copy (arguments in and back, results out) before the body runs
# plain instead: launches are the cost of small steps only; a large step is memory-bound
# and a copy of its operands would cost as much as a kernel's pass over them.
MAX_COPY_BYTES = 64 * 1024 * 1024
# Captures of one body (the first, then one per demotion of a static argument).
MAX_CAPTURES = 4


class GraphRuntime(Protocol):
    """What :class:`GraphedBody` needs from a device with graph capture."""

    def is_array(self, value: Any) -> bool:
        """Whether ``value`` is an array of this device (else a baked number)."""

    def nbytes(self, array: Any) -> int: ...

    def shares_memory(self, a: Any, b: Any) -> bool:
        """Whether two arrays may share memory (bounds overlap is enough)."""

    def new_pool(self) -> Any:
        """A memory pool of the graph's own: what the capture allocates stays reserved
        for the graph (no other allocation may be handed its addresses)."""

    def empty_like(self, array: Any, pool: Any) -> Any:
        """An uninitialised array of ``array``'s shape and dtype, from ``pool``."""

    def copy_into(self, target: Any, source: Any) -> None:
        """Write ``source``'s values into ``target`` (queued on the current stream)."""

    def copy(self, array: Any) -> Any:
        """A new array (of the ordinary allocator) with ``array``'s values."""

    def capture(self, body: Callable[..., tuple], inputs: list, pool: Any) -> tuple[Any, tuple]:
        """``(graph, outputs)``: ``body(*inputs)`` captured (recorded, not run) with
        ``pool`` as the allocator, and the arrays it returned, which each launch of the
        graph writes. Raises where the device cannot capture it, leaving the device
        usable."""

    def launch(self, graph: Any) -> None:
        """Queue the graph on the current stream."""


class GraphedBody:
    """``body`` (a lowered step: see the module doc), launched as a captured graph where
    that is safe and pays; a call with the body's signature, returning its tuple."""

    def __init__(
        self, body: Callable[..., tuple], mutated: Sequence[int], runtime: GraphRuntime
    ) -> None:
        self.body = body
        self.mutated = frozenset(mutated)
        self.runtime = runtime
        self.off: str | None = None  # why the body runs plain for good
        self.captures = 0
        self._first: tuple | None = None  # the warm-up call's arguments
        self._copied: set[int] = set()
        self._graph: Any = None
        self._pool: Any = None
        self._inputs: list[Any] = []  # what the graph reads: static arrays, own buffers
        self._outputs: tuple = ()
        self._out_bytes = 0  # the results' size (the warm-up's)
        self._numbers: dict[int, Any] = {}  # baked number arguments
        self._static: list[int] = []  # arguments the graph reads in place

    def __call__(self, *args: Any) -> tuple:
        if self._graph is not None:
            return self._launch(args)
        if self.off is None and self._first is None:
            return self._warm_up(args)
        if self.off is None:
            return self._first_capture(args)
        counters["device_graphs"]["plain"] += 1
        return self.body(*args)

    def _is_array(self, value: Any) -> bool:
        return self.runtime.is_array(value)

    def _warm_up(self, args: tuple) -> tuple:
        counters["device_graphs"]["plain"] += 1
        outputs = self.body(*args)
        arrays = [a for a in args if self._is_array(a)]
        if any(not self._is_array(o) for o in outputs):
            self._stop("a result is not an array of the device")
        elif len({id(o) for o in outputs}) < len(outputs):
            self._stop("a result is returned twice")
        elif any(self.runtime.shares_memory(o, a) for o in outputs for a in arrays):
            self._stop("a result shares memory with an argument (a view)")
        else:
            self._first = args
            self._out_bytes = sum(self.runtime.nbytes(o) for o in outputs)
        return outputs

    def _first_capture(self, args: tuple) -> tuple:
        """The second call: arguments that are the warm-up's objects again are static."""
        first, self._first = self._first, None
        arrays = [k for k, a in enumerate(args) if self._is_array(a)]
        self._copied = {k for k in arrays if args[k] is not first[k]}
        return self._capture_if_it_pays(args)

    def _capture_if_it_pays(self, args: tuple) -> tuple:
        """Capture with the arguments of ``self._copied`` copied, unless that would copy
        too much or copy an argument that shares memory with another (a copy would not
        see the other's writes)."""
        nbytes, copied = self.runtime.nbytes, self._copied
        moved = sum(nbytes(args[k]) for k in copied)
        moved += sum(nbytes(args[k]) for k in copied & self.mutated) + self._out_bytes
        arrays = [k for k, a in enumerate(args) if self._is_array(a)]
        shares = self.runtime.shares_memory
        if moved > MAX_COPY_BYTES:
            self._stop(f"a launch would copy more than {MAX_COPY_BYTES >> 20} MiB")
        elif any(shares(args[k], args[j]) for k in copied for j in arrays if j != k):
            self._stop("an argument that changes between calls shares memory with another")
        if self.off is not None:
            counters["device_graphs"]["plain"] += 1
            return self.body(*args)
        return self._capture(args)

    def _stop(self, reason: str) -> None:
        self.off = reason
        counters["device_graphs"][f"off: {reason}"] += 1

    def _capture(self, args: tuple) -> tuple:
        runtime = self.runtime
        self._graph = self._pool = None
        self.captures += 1
        pool = runtime.new_pool()
        inputs = list(args)
        for k in self._copied:  # filled by each launch (a capture reads nothing)
            inputs[k] = runtime.empty_like(args[k], pool)
        try:
            graph, outputs = runtime.capture(self.body, inputs, pool)
        except Exception as error:  # noqa: BLE001 - any capture failure leaves it plain
            self._inputs = []
            self._stop(f"the capture failed ({type(error).__name__}: {error})")
            counters["device_graphs"]["plain"] += 1
            return self.body(*args)
        counters["device_graphs"]["captured"] += 1
        self._graph, self._pool, self._inputs, self._outputs = graph, pool, inputs, outputs
        self._numbers = {k: a for k, a in enumerate(args) if not self._is_array(a)}
        arrays = [k for k in range(len(args)) if k not in self._numbers]
        self._static = [k for k in arrays if k not in self._copied]
        return self._launch(args)

    def _launch(self, args: tuple) -> tuple:
        inputs, runtime = self._inputs, self.runtime
        for k, value in self._numbers.items():
            if args[k] != value:
                counters["device_graphs"]["plain"] += 1
                return self.body(*args)
        moved = [k for k in self._static if args[k] is not inputs[k]]
        if moved:
            return self._demote(args, moved)
        for k in self._copied:
            runtime.copy_into(inputs[k], args[k])
        runtime.launch(self._graph)
        for k in self._copied & self.mutated:
            runtime.copy_into(args[k], inputs[k])
        counters["device_graphs"]["launched"] += 1
        return tuple(runtime.copy(o) for o in self._outputs)

    def _demote(self, args: tuple, moved: list[int]) -> tuple:
        """A static argument is another array now: copy it from now on, capturing again
        (or run plain for good, past the capture limit or the copy limit)."""
        self._copied.update(moved)
        self._graph = self._pool = None
        self._inputs, self._outputs = [], ()
        if self.captures >= MAX_CAPTURES:
            self._stop(f"its static arguments changed after {MAX_CAPTURES} captures")
            counters["device_graphs"]["plain"] += 1
            return self.body(*args)
        return self._capture_if_it_pays(args)
