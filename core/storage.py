"""Storage: a backend array plus the version counter that in-place writes bump.

``detach()`` and ``.data`` share a Storage with their source, so in-place writes and
version counts are seen by both on every backend: NumPy and CuPy write into the array,
immutable libraries (JAX) rebind ``Storage.array``. Views share the version counter of
their base, which is how a saved tensor notices a write through a view.
"""

from __future__ import annotations

from typing import Any


class VersionCounter:
    """Counts in-place modifications of one piece of memory."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class Storage:
    """The array a tensor reads, and the counter shared with every alias of it."""

    __slots__ = ("array", "counter")

    def __init__(self, array: Any, counter: VersionCounter | None = None) -> None:
        self.array = array
        self.counter = VersionCounter() if counter is None else counter
