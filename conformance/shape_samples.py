"""Sample-argument builders of the shape, joining and indexing ops.

Each is ``builder(record, draw, dtype) -> Sample`` (see
:mod:`retrograd_conformance.samples`). Index arrays are NumPy int64 arrays among the
params: the harness makes them backend tensors, the references use them as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from retrograd.ops.record import OpRecord

from .samples import Builder, Sample, values_for


def view(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape()
    n = int(np.prod(shape))
    target = draw.choice(((-1,), (1, -1), tuple(reversed(shape)), (n, 1)))
    return Sample((values_for(record, draw, shape, dtype),), {"shape": target})


def transpose(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    n = len(shape)
    params = {"dim0": draw.integer(-n, n - 1), "dim1": draw.integer(-n, n - 1)}
    return Sample((values_for(record, draw, shape, dtype),), params)


def t(record: OpRecord, draw: Any, dtype: str) -> Sample:
    return Sample((values_for(record, draw, draw.shape(max_dims=2), dtype),))


def permute(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape()
    n = len(shape)
    dims = tuple(int(d) - (n if draw.rng.random() < 0.3 else 0) for d in draw.rng.permutation(n))
    return Sample((values_for(record, draw, shape, dtype),), {"dims": dims})


def expand(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Sides of 1 grow, others stay (sometimes written -1), new leading sides appear."""
    shape = tuple(1 if draw.rng.random() < 0.5 else n for n in draw.shape())
    grown = tuple(draw.integer(1, 3) if n == 1 else draw.choice((n, -1)) for n in shape)
    sizes = tuple(draw.integer(1, 3) for _ in range(draw.integer(0, 2))) + grown
    return Sample((values_for(record, draw, shape, dtype),), {"sizes": sizes})


def unsqueeze(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape()
    dim = draw.integer(-len(shape) - 1, len(shape))
    return Sample((values_for(record, draw, shape, dtype),), {"dim": dim})


def squeezing(form: str | None) -> Builder:
    """A builder for ``squeeze``: ``dim`` None, an int (``"int"``) or a tuple
    (``"tuple"``) naming a side of 1 or, sometimes, another side (which stays)."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        shape = list(draw.shape(max_dims=2))
        for _ in range(draw.integer(1, 2)):
            shape.insert(draw.integer(0, len(shape)), 1)
        ones = [i for i, n in enumerate(shape) if n == 1]
        others = [i - len(shape) for i, n in enumerate(shape) if n != 1]
        dims = (draw.choice((ones[0], ones[-1] - len(shape), *others[:1])),)
        if form == "tuple":
            dims = tuple(sorted({*dims, ones[-1]}))
        params = {"dim": None if form is None else dims[0] if form == "int" else dims}
        return Sample((values_for(record, draw, tuple(shape), dtype),), params)

    return build


def sum_to_size(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """An input that broadcasts from ``size`` (leading sides, sides of 1 grown)."""
    size = draw.shape()
    shape = tuple(draw.integer(2, 3) if n == 1 else n for n in size)
    if shape == size:
        shape = (2, *shape)
    return Sample((values_for(record, draw, shape, dtype),), {"size": size})


def select(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    dim = draw.integer(-len(shape), len(shape) - 1)
    index = draw.integer(-shape[dim], shape[dim] - 1)
    return Sample((values_for(record, draw, shape, dtype),), {"dim": dim, "index": index})


def _sliced(draw: Any) -> tuple[tuple, tuple]:
    """A shape and a key slicing one of its sides, never the whole side (PyTorch
    records no slice for ``t[:, 0:n]`` with ``n`` the side's size)."""
    shape = list(draw.shape(min_dims=1))
    dim = draw.integer(0, len(shape) - 1)
    shape[dim] = max(shape[dim], 2)
    start = draw.integer(0, shape[dim] - 1)
    stop = draw.integer(start + 1, shape[dim])
    step = draw.choice((1, 2))
    if (start, stop, step) == (0, shape[dim], 1):
        start = 1
    return tuple(shape), (slice(None),) * dim + (slice(start, stop, step),)


def slice_(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape, key = _sliced(draw)
    return Sample((values_for(record, draw, shape, dtype),), {"key": key})


def select_backward(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """The gradient ``g`` flowing into ``select``: the input of select's backward op."""
    shape = draw.shape(min_dims=1)
    dim = draw.integer(0, len(shape) - 1)
    index = draw.integer(-shape[dim], shape[dim] - 1)
    g_shape = shape[:dim] + shape[dim + 1 :]
    params = {"shape": shape, "key": (slice(None),) * dim + (index,)}
    return Sample((values_for(record, draw, g_shape, dtype),), params)


def slice_backward(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape, key = _sliced(draw)
    g_shape = np.empty(shape)[key].shape
    return Sample((values_for(record, draw, g_shape, dtype),), {"shape": shape, "key": key})


# -- joining and splitting ---------------------------------------------------------------


def _dim(draw: Any, ndim: int) -> int:
    return draw.integer(-ndim, ndim - 1)


def cat(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One to three tensors that differ only in their size along ``dim``."""
    shape = list(draw.shape(min_dims=1))
    dim = _dim(draw, len(shape))
    arrays = []
    for _ in range(draw.integer(1, 3)):
        shape[dim] = draw.integer(1, 3)
        arrays.append(values_for(record, draw, tuple(shape), dtype))
    return Sample(tuple(arrays), {"dim": dim})


def stack(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One to three tensors of one shape, stacked along a new ``dim``."""
    shape = draw.shape()
    count = draw.integer(1, 3)
    arrays = tuple(values_for(record, draw, shape, dtype) for _ in range(count))
    return Sample(arrays, {"dim": draw.integer(-len(shape) - 1, len(shape))})


def split(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``split(t, size, dim)`` with an int size (the last piece may be shorter)."""
    shape = draw.shape(min_dims=1)
    dim = _dim(draw, len(shape))
    size = draw.integer(1, shape[dim])
    return Sample((values_for(record, draw, shape, dtype),), {"split": size, "dim": dim})


def split_with_sizes(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``split(t, [sizes], dim)``: sizes (zeros allowed) that add up to the side."""
    shape = draw.shape(min_dims=1)
    dim = _dim(draw, len(shape))
    cuts = sorted(draw.integer(0, shape[dim]) for _ in range(draw.integer(0, 2)))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, shape[dim]])]
    return Sample((values_for(record, draw, shape, dtype),), {"split": sizes, "dim": dim})


def unbind(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    return Sample((values_for(record, draw, shape, dtype),), {"dim": _dim(draw, len(shape))})


def _some_dims(draw: Any, ndim: int) -> tuple[int, ...]:
    count = draw.integer(1, ndim)
    return tuple(int(d) - (ndim if draw.rng.random() < 0.3 else 0)
                 for d in draw.rng.permutation(ndim)[:count])  # fmt: skip


def flip(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    return Sample((values_for(record, draw, shape, dtype),), {"dims": _some_dims(draw, len(shape))})


def roll(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Shifts (negative, larger than a side) along some dims, or of the flattened tensor."""
    shape = draw.shape(min_dims=1)
    dims = draw.choice((None, _some_dims(draw, len(shape))))
    count = 1 if dims is None else len(dims)
    shifts = tuple(draw.integer(-5, 5) for _ in range(count))
    params = {"shifts": shifts[0] if dims is None else shifts, "dims": dims}
    return Sample((values_for(record, draw, shape, dtype),), params)


def repeat(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``t.repeat(*repeats)``: one count per dim, plus up to two leading ones."""
    shape = draw.shape()
    repeats = tuple(draw.integer(1, 3) for _ in range(len(shape) + draw.integer(0, 2)))
    return Sample((values_for(record, draw, shape, dtype),), {"repeats": repeats})


def triangle(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``tril``/``triu`` of a matrix or a batch, with a ``diagonal`` offset."""
    shape = draw.shape(min_dims=2)
    return Sample((values_for(record, draw, shape, dtype),), {"diagonal": draw.integer(-2, 2)})


# -- advanced indexing --------------------------------------------------------------------


def _indices(draw: Any, size: int, shape: tuple, unique: bool = False) -> np.ndarray:
    """Int64 indices into a side of ``size`` (negative ones too unless ``unique``)."""
    if unique:
        picks = draw.rng.permutation(size)[: int(np.prod(shape))]
        return picks.reshape(shape).astype(np.int64)
    return draw.rng.integers(-size, size, size=shape).astype(np.int64)


def index(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``t[idx]`` or ``t[:, idx]`` with an int index tensor (repeats included)."""
    shape = draw.shape(min_dims=1)
    dim = draw.integer(0, len(shape) - 1)
    idx = _indices(draw, shape[dim], (draw.integer(1, 4),))
    key = (slice(None),) * dim + (idx,)
    return Sample((values_for(record, draw, shape, dtype),), {"key": key})


def index_put(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``index_put(t, (idx,), values, accumulate)``: repeated indices only when
    accumulating (else which write wins is unspecified)."""
    shape = draw.shape(min_dims=1)
    accumulate = draw.choice((False, True))
    count = draw.integer(1, shape[0])
    idx = _indices(draw, shape[0], (count,), unique=not accumulate)
    values = values_for(record, draw, (count, *shape[1:]), dtype)
    params = {"indices": (idx,), "accumulate": accumulate}
    return Sample((values_for(record, draw, shape, dtype), values), params)


def copy_slices(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``t[key] = src`` on a non-leaf (a clone): PyTorch's ``CopySlices``."""
    shape, key = _sliced(draw)
    src = values_for(record, draw, np.empty(shape)[key].shape, dtype)
    return Sample((values_for(record, draw, shape, dtype), src), {"key": key})


def _along(draw: Any, shape: tuple, unique: bool) -> tuple[int, np.ndarray]:
    """A ``dim`` and an index tensor for ``gather``/``scatter`` into ``shape``: the same
    number of dims, no side larger than the input's (unique along ``dim`` if asked)."""
    dim = draw.integer(0, len(shape) - 1)
    sides = [draw.integer(1, n) for n in shape]
    if unique:
        order = np.argsort(draw.rng.random((*sides[:dim], shape[dim], *sides[dim + 1 :])), dim)
        return dim, np.take(order, range(sides[dim]), axis=dim).astype(np.int64)
    return dim, draw.rng.integers(0, shape[dim], size=sides).astype(np.int64)


def gather(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    dim, idx = _along(draw, shape, unique=False)
    return Sample((values_for(record, draw, shape, dtype),), {"dim": dim, "index": idx})


def scatter(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``scatter(t, dim, index, src)``; ``scatter_add`` allows repeated indices."""
    shape = draw.shape(min_dims=1)
    dim, idx = _along(draw, shape, unique=record.kernel != "index_add")
    src = values_for(record, draw, idx.shape, dtype)
    return Sample((values_for(record, draw, shape, dtype), src), {"dim": dim, "index": idx})


def scatter_value(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    dim, idx = _along(draw, shape, unique=True)
    params = {"dim": dim, "index": idx, "value": draw.choice((1.5, -2.0))}
    return Sample((values_for(record, draw, shape, dtype),), params)


def index_select(record: OpRecord, draw: Any, dtype: str) -> Sample:
    shape = draw.shape(min_dims=1)
    dim = draw.integer(0, len(shape) - 1)
    idx = draw.rng.integers(0, shape[dim], size=(draw.integer(1, 4),)).astype(np.int64)
    return Sample((values_for(record, draw, shape, dtype),), {"dim": dim, "index": idx})


def take(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``take(t, index)``: indices (negative too) into the flattened tensor."""
    shape = draw.shape()
    size = int(np.prod(shape))
    idx = draw.rng.integers(-size, size, size=draw.shape(max_dims=2)).astype(np.int64)
    return Sample((values_for(record, draw, shape, dtype),), {"index": idx})


def _mask(draw: Any, shape: tuple) -> np.ndarray:
    """A bool mask that broadcasts to ``shape`` (a suffix, some sides 1)."""
    suffix = shape[draw.integer(0, len(shape)) :]
    sides = tuple(1 if draw.rng.random() < 0.3 else n for n in suffix)
    return np.asarray(draw.rng.random(sides) < 0.5)


def masked(value: str | None) -> Builder:
    """``masked_fill(t, mask, value)`` with a number (``value="number"``) or a 0-d tensor
    (``"tensor"``), or ``masked_select(t, mask)`` (None); the mask broadcasts to ``t``."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        shape = draw.shape()
        params: dict[str, Any] = {"mask": _mask(draw, shape)}
        arrays = [values_for(record, draw, shape, dtype)]
        if value == "tensor":
            arrays.append(values_for(record, draw, (), dtype))
        elif value == "number":
            params["value"] = draw.choice((1.5, -2.0))
        return Sample(tuple(arrays), params)

    return build


# -- retrograd/ops/{shape,linalg}_more.py -------------------------------------------------
def rot90(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``rot90(t, k, dims)``: any ``k`` (negative and past 4 too), two distinct dims."""
    shape = draw.shape(min_dims=2)
    dims = _some_dims(draw, len(shape))
    while len(dims) < 2:
        dims = _some_dims(draw, len(shape))
    params = {"k": draw.integer(-1, 5), "dims": tuple(dims[:2])}
    return Sample((values_for(record, draw, shape, dtype),), params)


def diag_embed(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``diag_embed(t, offset, dim1, dim2)``: an offset either way, two distinct dims of
    the result (negative ones too)."""
    shape = draw.shape(min_dims=1)
    n = len(shape) + 1
    first, second = (int(d) - (n if draw.rng.random() < 0.3 else 0)
                     for d in draw.rng.permutation(n)[:2])  # fmt: skip
    params = {"offset": draw.integer(-2, 2), "dim1": first, "dim2": second}
    return Sample((values_for(record, draw, shape, dtype),), params)


def block_diag(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One to three blocks, each 0-, 1- or 2-d."""
    blocks = []
    for _ in range(draw.integer(1, 3)):
        shape = tuple(draw.integer(1, 3) for _ in range(draw.integer(0, 2)))
        blocks.append(values_for(record, draw, shape, dtype))
    return Sample(tuple(blocks))


def cross(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Two broadcastable tensors of one rank with a side of 3 at ``dim``."""
    first, second = draw.broadcast(2)
    n = max(len(first), len(second), 1)
    first, second = (1,) * (n - len(first)) + first, (1,) * (n - len(second)) + second
    dim = draw.integer(-n, n - 1)
    first, second = list(first), list(second)
    first[dim] = second[dim] = 3
    tensors = (values_for(record, draw, tuple(s), dtype) for s in (first, second))
    return Sample(tuple(tensors), {"dim": dim})


def cdist(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``cdist(x1, x2, p)``: (*, P, M) and (*, R, M), the batch dims broadcast; any ``p``
    PyTorch takes (0, below 1, 1, 2, above 2, inf)."""
    batch = draw.choice(((), (2,), (1, 2)))
    other_batch = draw.choice((batch, batch[1:], tuple(1 for _ in batch)))
    m = draw.integer(1, 3)
    first = (*batch, draw.integer(1, 3), m)
    second = (*other_batch, draw.integer(1, 3), m)
    tensors = tuple(values_for(record, draw, s, dtype) for s in (first, second))
    return Sample(tensors, {"p": draw.choice((0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float("inf")))})


def euclidean_dist(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """ATen's ``_euclidean_dist``: (B, P, M) and (B, R, M), or two matrices."""
    batch = draw.choice(((), (2,)))
    m = draw.integer(1, 3)
    shapes = ((*batch, draw.integer(1, 3), m), (*batch, draw.integer(1, 3), m))
    return Sample(tuple(values_for(record, draw, s, dtype) for s in shapes))
