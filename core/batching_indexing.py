"""Batching rules of the indexing kernels: ``getitem``, ``setitem`` and ``index_add``.

A per-sample key becomes a whole-batch key. Without index arrays it is the key behind a
full slice over the batch dim. With index arrays (NumPy's advanced indexing), an index
``arange(batch)`` goes in front, so each sample reads its own row; NumPy then puts the
broadcast index dims first, which is where the per-sample result has them unless the
per-sample key's index arrays are adjacent and not in front: then the rule moves them
back to their place with one ``permute_dims``. Boolean masks that are not batched become
their integer positions; a batched mask has a shape that depends on the data (refused).
"""

from __future__ import annotations

from typing import Any

from .batching import RULES, BatchedArray
from .batching_rules import DYNAMIC_MESSAGE, INPLACE_MESSAGE, _align, _at, _batch_size


def _is_index(item: Any) -> bool:
    return not (item is None or item is Ellipsis or isinstance(item, (int, slice)))


def _is_mask(item: Any) -> bool:
    return str(item.dtype) == "bool"


def _unmasked(k: Any, items: tuple, level: int) -> list:
    """``items`` with each boolean mask replaced by its integer positions, one array per
    dimension it covers."""
    out: list = []
    for item in items:
        if _is_index(item) and _is_mask(item):
            if type(item) is BatchedArray:
                raise RuntimeError(DYNAMIC_MESSAGE.format("index"))
            positions = k["nonzero"](item)  # (count, ndim)
            out += [k["getitem"](positions, (slice(None), d)) for d in range(item.ndim)]
        else:
            out.append(item)
    return out


def physical_key(k: Any, ndim: int, key: Any, level: int, size: int) -> tuple[tuple, Any]:
    """``(key, permutation)``: the whole-batch key for per-sample ``key`` on arrays of
    ``ndim`` per-sample dims, and the permutation that puts the result's dims where the
    per-sample result has them (None when they already are)."""
    items = key if type(key) is tuple else (key,)
    if not any(_is_index(i) for i in items):
        return (slice(None), *items), None
    items = _unmasked(k, items, level)
    arrays = [i for i in items if _is_index(i)]
    depth = max(a.ndim for a in arrays)
    dtype = arrays[0].dtype
    rows = k["reshape"](k["arange"](0, size, 1, dtype), (size,) + (1,) * depth)
    new = tuple(_align(k, i, level, depth) if _is_index(i) else i for i in items)
    return (rows, *new), _permutation(items, ndim, depth)


def _permutation(items: list, ndim: int, depth: int) -> tuple | None:
    """Where NumPy's result (batch, index dims, other dims) differs from the per-sample
    layout: adjacent index arrays after other dims stay in their place per sample."""
    advanced = [n for n, i in enumerate(items) if _is_index(i) or isinstance(i, int)]
    first = advanced[0]
    if first == 0 or advanced != list(range(first, advanced[-1] + 1)):
        return None
    consumed = sum(1 for i in items if i is not None and i is not Ellipsis)
    before = sum(ndim - consumed if i is Ellipsis else 1 for i in items[:first])
    if not before:
        return None
    moved = tuple(range(depth + 1, depth + 1 + before))
    return (0, *moved, *range(1, depth + 1)), depth + 1 + before


def _finish_permutation(perm: Any, out_ndim: int) -> tuple | None:
    if perm is None:
        return None
    head, used = perm
    return (*head, *range(used, out_ndim))


def getitem(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    a, key = args
    size = _batch_size(level, a, key)
    value = a.value if _at(a, level) else k["broadcast_to"](a, (size, *a.shape))
    phys, perm = physical_key(k, a.ndim, key, level, size)
    out = k[name](value, phys)
    order = _finish_permutation(perm, out.ndim)
    if order is not None:
        out = k["permute_dims"](out, order)
    return BatchedArray(out, level)


def put(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """``setitem``/``index_add`` and the reducing writes (``index_prod``...): the target
    must be batched (a write into one sample for all of them is PyTorch's in-place error)."""
    target, key, values = args
    if not _at(target, level):
        raise RuntimeError(INPLACE_MESSAGE)
    size = target.batch_size
    phys, perm = physical_key(k, target.ndim, key, level, size)
    if hasattr(values, "ndim") and (perm is not None or _at(values, level)):
        selected = tuple(k["getitem"](target, key).shape)
        if _at(values, level):
            values = k["broadcast_to"](_align(k, values, level, len(selected)), (size, *selected))
        else:
            values = k["broadcast_to"](values, (size, *selected))
        order = _finish_permutation(perm, len(selected) + 1)
        if order is not None:
            inverse = tuple(sorted(range(len(order)), key=order.__getitem__))
            values = k["permute_dims"](values, inverse)
    return BatchedArray(k[name](target.value, phys, values), level)


RULES.update(
    getitem=getitem, setitem=put, index_add=put, index_prod=put, index_amax=put, index_amin=put
)
