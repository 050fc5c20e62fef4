"""Storage: a backend array plus the version counter that in-place writes bump.

``detach()`` and ``.data`` share a Storage with their source, so in-place writes and
version counts are seen by both on every backend: NumPy and CuPy write into the array,
immutable libraries (JAX) rebind ``Storage.array``.

Views share the version counter of their base, which is how a saved tensor notices a
write through a view, and they alias their base's data on every backend
(:func:`view_storage`): where the library's arrays are mutable, the view kernel returns
a real memory view and the view's Storage is a plain one (no extra cost); where they are
immutable, a :class:`DerivedStorage` re-derives the view from its root on read and
scatters into the root on write.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .constants import HOST_BACKEND
from .plugins import get_backend

OVERLAP_MESSAGE = (
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location. Please clone() the tensor before performing the operation."
)


class Storage:
    """The array a tensor reads, and how many in-place writes its memory has seen.

    Aliases of one piece of memory count writes on one counter: the storage that owns
    the memory counts them itself (``_counter`` is None), a view's storage points
    ``_counter`` at that owner. One object per tensor, not two: a tensor is made for
    every op, so every object here is a cost on the hot path (allocation, and the
    cyclic garbage collector's traversals).
    """

    __slots__ = ("array", "_version", "_counter")

    def __init__(self, array: Any, counter: Storage | None = None) -> None:
        self.array = array
        self._version = 0
        self._counter = counter

    @property
    def version(self) -> int:
        """In-place writes so far to this memory, through this storage or any alias."""
        return (self._counter or self)._version

    def bump_version(self) -> None:
        """Count one in-place write."""
        (self._counter or self)._version += 1

    @property
    def counter(self) -> Storage:
        """The storage whose count this one shares (itself when it owns the memory)."""
        return self._counter or self

    def is_contiguous(self, backend: Any) -> bool:
        """Whether the data is laid out in row-major order (PyTorch's ``is_contiguous``)."""
        return bool(backend.kernels["is_contiguous"](self.array))


def element_strides(storage: Storage, shape: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch's ``stride()``: from the array's byte strides where the library has them
    (NumPy, CuPy), from a view's host layout on an immutable backend (JAX: int8, so bytes
    are elements), else row-major, where a dim's size counts as at least 1 (PyTorch:
    shape ``(2, 0)`` has strides ``(1, 1)``, where NumPy's new array says ``(0, 1)``)."""
    source = getattr(storage, "layout", None)
    if source is None:
        source = storage.array
    strides = getattr(source, "strides", None)
    if strides is not None:
        itemsize = source.dtype.itemsize
        found = [s // itemsize for s in strides]
        # A view of an empty tensor keeps its base's strides, in PyTorch and NumPy alike;
        # a new empty array's zeros are NumPy's products with the empty dim's 0.
        if 0 not in shape or 0 not in found:
            for d in reversed(range(len(found))):
                # A new dim of size 1 (unsqueeze, None, expand) has stride 0 in NumPy;
                # PyTorch gives it the stride of the dims inside it (1 at the end).
                if found[d] == 0 and shape[d] == 1:
                    found[d] = found[d + 1] * shape[d + 1] if d + 1 < len(found) else 1
            return tuple(found)
    row_major, step = [], 1
    for n in reversed(shape):
        row_major.append(step)
        step *= max(n, 1)
    return tuple(reversed(row_major))


def view_storage(base: Storage, backend: Any, kernel: str, args: tuple) -> Storage:
    """The storage of the view ``backend.kernels[kernel](base.array, *args)`` of ``base``.

    ``kernel`` must be a view kernel: on a library with strided memory (NumPy) it returns
    an array sharing ``base``'s memory, or raises ValueError/AttributeError where no such
    view exists (``view`` of a transposed tensor). The result shares ``base``'s counter.
    """
    if backend.mutable:
        return Storage(backend.kernels[kernel](base.array, *args), base.counter)
    return DerivedStorage(base, backend, kernel, args)


class DerivedStorage(Storage):
    """A view's storage on a backend whose arrays are immutable (JAX).

    It holds the root Storage (a view of a view composes its steps onto the same root),
    the view's steps from the root as ``(kernel, args)`` pairs, and its host *layout*: the
    same steps applied by the host backend (NumPy) to an int8 array of the root's shape
    and row-major strides that owns a single byte (:func:`_layout_of`: only shapes and
    strides are ever read from it), so strides, contiguity and "is this a view at all"
    follow NumPy's (and PyTorch's) rules exactly, at no memory cost. Reading replays
    the steps on the root's current array (cached while the root's array is
    unchanged); writing scatters the new value into the root's array at the view's flat
    positions, and the root rebinds it.
    """

    __slots__ = ("root", "steps", "layout", "_backend", "_seen", "_cached", "_positions")

    def __init__(self, base: Storage, backend: Any, kernel: str, args: tuple) -> None:
        host = _host_kernels()
        if isinstance(base, DerivedStorage):
            root, steps, layout = base.root, base.steps, base.layout
        else:
            root, steps = base, ()
            layout = _layout_of(tuple(base.array.shape))
        # The host layout first: it raises where the view cannot exist, as NumPy would.
        self.layout = host[kernel](layout, *args)
        self.root, self.steps, self._backend = root, (*steps, (kernel, args)), backend
        self._version, self._counter = 0, root.counter
        self._cached = backend.kernels[kernel](base.array, *args)
        self._seen, self._positions = root.array, None

    @property  # type: ignore[override]
    def array(self) -> Any:
        current = self.root.array
        if current is not self._seen:
            self._cached, self._seen = _replay(self._backend.kernels, self.steps, current), current
        return self._cached

    @array.setter
    def array(self, value: Any) -> None:
        if _host_kernels()["has_internal_overlap"](self.layout):
            raise RuntimeError(OVERLAP_MESSAGE)
        k, current = self._backend.kernels, self.root.array
        flat = k["setitem"](k["reshape"](current, (-1,)), self._flat_positions(), value)
        self.root.array = k["reshape"](flat, tuple(current.shape))
        self._seen, self._cached = self.root.array, value

    def is_contiguous(self, backend: Any) -> bool:
        return bool(_host_kernels()["is_contiguous"](self.layout))

    def _flat_positions(self) -> Any:
        """Where each element of the view sits in the flattened root (computed once; on
        a lazy backend, a recipe on that backend: nothing the size of the root is made
        on the host)."""
        if self._positions is None and self._backend.lazy:
            k, shape = self._backend.kernels, tuple(self.layout.shape)
            flat = k["arange"](0, _size(self.root.array.shape), 1, None)
            index = _replay(k, self.steps, k["reshape"](flat, tuple(self.root.array.shape)))
            self._positions = k["reshape"](index, shape)
        if self._positions is None:
            host, shape = _host_kernels(), tuple(self.layout.shape)
            size = 1
            for n in self.root.array.shape:
                size *= n
            flat = host["arange"](0, size, 1, None)
            index = _replay(host, self.steps, host["reshape"](flat, tuple(self.root.array.shape)))
            self._positions = self._backend.kernels["from_numpy"](host["reshape"](index, shape))
        return self._positions


def _size(shape: tuple) -> int:
    size = 1
    for n in shape:
        size *= n
    return size


def _layout_of(shape: tuple) -> Any:
    """A host int8 array of ``shape`` with row-major strides over one byte of memory:
    the view kernels (basic indexing, transposes, reshapes that never copy, broadcasts)
    only compute shapes and strides from it, so a 1e10-element root costs no memory.
    Its values are never read (they would be outside its byte)."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    host = _host_kernels()
    return host["as_strided"](host["zeros"]((1,), _int8()), shape, tuple(reversed(strides)), 0)


def _replay(kernels: Any, steps: tuple, array: Any) -> Any:
    for kernel, args in steps:
        array = kernels[kernel](array, *args)
    return array


def _host_kernels() -> Any:
    return get_backend(HOST_BACKEND).kernels


def _int8() -> Any:
    return get_backend(HOST_BACKEND).native_dtype(dtypes.int8)
