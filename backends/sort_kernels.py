"""The sorting kernel of ``retrograd/ops/sorting.py`` (and of everything built on it:
``topk``, ``kthvalue``, ``median``, ``mode``, ``quantile``, ``unique``).

Same contract as :mod:`retrograd_backends.op_kernels` (whose ``GROUPS`` merges this one
into every backend's table): written once against an array-API namespace ``xp``.

PyTorch's order, kept on every backend: NaN sorts as the largest value, ``-0.0`` and
``0.0`` are equal, and the sort is stable (equal elements keep their order, descending
too), so the indices are the same on every backend. The array API's ``argsort`` gives
the ascending half of that; a descending stable sort is the ascending stable sort of the
reversed array, read backwards (a plain descending sort would put NaN last).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _sort(xp: Any) -> Callable[..., Any]:
    def sort(a: Any, axis: int, descending: bool) -> tuple[Any, Any]:
        """(values, int64 indices) of ``a`` sorted along ``axis``: stable, NaN largest."""
        if not descending:
            indices = xp.argsort(a, axis=axis, stable=True)
        else:
            last = a.shape[axis] - 1
            backwards = xp.argsort(xp.flip(a, axis=axis), axis=axis, stable=True)
            indices = xp.flip(last - backwards, axis=axis)
        indices = xp.astype(indices, xp.int64)
        return xp.take_along_axis(a, indices, axis=axis), indices

    return sort


def sorting(xp: Any) -> dict[str, Callable[..., Any]]:
    return {"sort": _sort(xp)}


def dask_sorting(da: Any, np: Any) -> dict[str, Callable[..., Any]]:
    """``sort`` for ``dask.array``, which has no ``take_along_axis`` and sorts only
    within a chunk: the sorted axis is merged into one chunk, and each block is sorted by
    the NumPy kernel (lazy: nothing is computed here)."""
    on_block = _sort(np)

    def sort(a: Any, axis: int, descending: bool) -> tuple[Any, Any]:
        whole = a.rechunk({axis: -1})
        values = whole.map_blocks(lambda b: on_block(b, axis, descending)[0], dtype=a.dtype)
        indices = whole.map_blocks(lambda b: on_block(b, axis, descending)[1], dtype=np.int64)
        return values.rechunk(a.chunks), indices.rechunk(a.chunks)

    return {"sort": sort}
