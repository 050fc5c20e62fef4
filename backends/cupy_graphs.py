"""CUDA graphs for ``retrograd.compile(..., mode="reduce-overhead")`` on CuPy.

:class:`CupyGraphs` is the device side of :class:`retrograd.compiler.graphs.GraphedBody`
(which decides when a graph may stand in for a step's body): capture, launch, and the
memory a graph owns. How, and why:

- *capture* runs the body on a non-blocking stream of its own in capture mode (CUDA
  refuses to capture the legacy default stream), in CuPy's default relaxed mode, so that
  a memory pool that must grow may still call ``cudaMalloc``. Nothing runs then; CuPy's
  kernels were compiled by the warm-up call before it.
- *memory*: everything the body allocates while captured comes from a ``MemoryPool`` of
  the graph's own (``cupy.cuda.using_allocator``). The graph writes those addresses at
  every launch, so they must never be handed to another array: the pool is used for
  nothing else and lives as long as the graph (PyTorch keeps a private pool per graph
  for the same reason). Intermediates freed during the capture go back to that pool and
  are reused later in the same capture, which is what the graph replays.
- *launch* queues the graph on the current stream, after the argument copies queued
  there, and before anything the caller queues next.
- a body that waits on the host (a kernel that reads a value back) cannot be captured:
  CUDA invalidates the capture, the capture is ended all the same (so the stream leaves
  capture mode) and the error reaches ``GraphedBody``, which runs that body plain.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any


class CupyGraphs:
    """:class:`retrograd.compiler.graphs.GraphRuntime` over CuPy's CUDA graphs."""

    def __init__(self, cupy: Any) -> None:
        self.cupy = cupy
        self.ndarray = cupy.ndarray

    def is_array(self, value: Any) -> bool:
        return isinstance(value, self.ndarray)

    def nbytes(self, array: Any) -> int:
        return int(array.nbytes)

    def shares_memory(self, a: Any, b: Any) -> bool:
        # Bounds only (``may_share_memory``): exactness is not needed to be safe.
        return bool(self.cupy.may_share_memory(a, b))

    def new_pool(self) -> Any:
        return self.cupy.cuda.MemoryPool()

    def empty_like(self, array: Any, pool: Any) -> Any:
        with self.cupy.cuda.using_allocator(pool.malloc):
            return self.cupy.empty(array.shape, array.dtype)

    def copy_into(self, target: Any, source: Any) -> None:
        self.cupy.copyto(target, source)

    def copy(self, array: Any) -> Any:
        return array.copy()

    def capture(self, body: Callable[..., tuple], inputs: list, pool: Any) -> tuple[Any, tuple]:
        cuda = self.cupy.cuda
        stream = cuda.Stream(non_blocking=True)
        # The capture stream starts after the work queued so far (the argument copies).
        stream.wait_event(cuda.get_current_stream().record())
        with cuda.using_allocator(pool.malloc), stream:
            stream.begin_capture()
            try:
                outputs = body(*inputs)
            except BaseException:
                _end_invalid_capture(stream)
                raise
            graph = stream.end_capture()
        return graph, tuple(outputs)

    def launch(self, graph: Any) -> None:
        graph.launch(self.cupy.cuda.get_current_stream())


def _end_invalid_capture(stream: Any) -> None:
    """End a capture that failed: the stream must leave capture mode to be usable; the
    graph of a failed capture (or CUDA's error for an invalidated one) is dropped, the
    body's own error being the one that says why."""
    with contextlib.suppress(Exception):  # the capture already failed; its error is raised
        stream.end_capture()
