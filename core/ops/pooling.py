"""Pooling ops PyTorch records as one node each: max pooling
(``MaxPool2DWithIndicesBackward0``, ``MaxPool3DWithIndicesBackward0``), adaptive max
pooling (``AdaptiveMaxPool2DBackward0``, ``...3D...``), average pooling
(``AvgPool2DBackward0``, ``...3D...``), adaptive average pooling
(``AdaptiveAvgPool2DBackward0``, ``...3D...``) and max unpooling
(``MaxUnpool2DBackward0``, ``...3D...``). PyTorch's 1-d forms are its 2-d ops on the
input with a height of 1, then a squeeze; ``nn.functional`` composes them so.

``nn.functional`` checks the arguments and computes the forward from retrograd's own ops
with grad mode off (:mod:`retrograd.nn.pooling`); :func:`record_pooling` wraps the
result as the record's one node. The rules:

- max pooling saves the flat spatial index of each window's chosen element; its gradient
  adds the output's gradient back at those indices (a scatter-add: overlapping windows
  may pick one element twice), whose own gradient is a gather, so second order works;
- average pooling is one linear map per spatial axis
  (:class:`~retrograd.ops.axis_maps.AxisMap`), its gradient the transposed maps;
- max unpooling writes its input at saved indices; its gradient gathers from them.
"""

from __future__ import annotations

import math
from functools import partial

from ..creation import arange, zeros
from ..grad_mode import no_grad
from ..tensor import Tensor
from .axis_maps import apply_maps, transpose_maps
from .dispatch import finish
from .record import ACTIVATION, OpRecord


def _flat_spatial(t: Tensor, dims: int) -> Tensor:
    """``t`` with its last ``dims`` dims flattened into one."""
    lead = t.shape[: t.dim() - dims]
    return t.reshape(*lead, math.prod(t.shape[t.dim() - dims :]))


def scatter_back(g: Tensor, shape: tuple, indices: Tensor, dims: int, overlap: bool) -> Tensor:
    """A tensor of ``shape`` holding, at each flat index (over the last ``dims`` dims)
    in ``indices``, the sum of ``g`` at the positions that hold that index. Written
    through one flat index per element (speed: NumPy scatters along one axis far faster
    than through a key per dim); without ``overlap`` no index repeats, and a plain
    scatter says the same (speed: NumPy's ``add.at`` is twice as slow)."""
    lead, spatial = shape[: len(shape) - dims], math.prod(shape[len(shape) - dims :])
    starts = arange(math.prod(lead), backend=g.backend) * spatial
    windows = math.prod(indices.shape[len(lead) :])
    flat = (indices.reshape(*lead, windows) + starts.reshape(*lead, 1)).reshape(-1)
    out = zeros(math.prod(shape), dtype=g.dtype, backend=g.backend)
    write = out.scatter_add if overlap else out.scatter
    return write(0, flat, g.reshape(-1)).reshape(shape)


def gather_at(g: Tensor, indices: Tensor, dims: int) -> Tensor:
    """``g``'s values at the flat indices (over its last ``dims`` dims) in ``indices``,
    shaped as ``indices``: the adjoint of :func:`scatter_back`."""
    picked = _flat_spatial(g, dims).gather(g.dim() - dims, _flat_spatial(indices, dims))
    return picked.reshape(indices.shape)


def _invalid_index(size: tuple, low: int, high: int) -> None:
    bad = high if high >= math.prod(size) else low if low < 0 else None
    if bad is not None:
        raise RuntimeError(
            f"Found an invalid max index: {bad} (output volumes are of size "
            f"{'x'.join(map(str, size))})"
        )


def checked_indices(indices: Tensor, size: tuple) -> Tensor:
    """``indices`` (flat, over a spatial ``size``) with PyTorch's error for one out of
    range attached: raised at once on an eager backend, when computed on a lazy one
    (a value check it can defer, not a host read)."""
    if not indices.numel():
        return indices
    k, array = indices._backend.kernels, indices._storage.array
    check = partial(_invalid_index, tuple(size))
    array = k["checked"](array, check, k["min"](array), k["max"](array))
    return Tensor._make(array, indices.dtype, indices._backend)


def _max_record(name: str, grad_fn: str, dims: int, doc: str, float_only: bool) -> OpRecord:
    return OpRecord(
        name,
        ACTIVATION,
        grad_fn,
        "max",
        save=("self.shape", "indices", "overlap"),
        grads=(lambda g, shape, i, overlap: scatter_back(g, shape, i, dims, overlap),),
        jvp=lambda us, out, shape, i, overlap: gather_at(us[0], i, dims),
        method=False,
        float_only=float_only,
        smooth=False,  # the chosen element jumps where two in a window cross
        doc=doc,
    )


def _linear_record(name: str, grad_fn: str, doc: str, float_only: bool) -> OpRecord:
    return OpRecord(
        name,
        ACTIVATION,
        grad_fn,
        "mean",
        save=("maps",),
        grads=(lambda g, maps: transpose_maps(g, maps),),
        jvp=lambda us, out, maps: apply_maps(us[0], maps),
        method=False,
        float_only=float_only,
        doc=doc,
    )


def _unpool_record(name: str, grad_fn: str, dims: int, doc: str) -> OpRecord:
    return OpRecord(
        name,
        ACTIVATION,
        grad_fn,
        "zeros",
        save=("indices",),
        grads=(lambda g, indices: gather_at(g, indices, dims),),
        jvp=lambda us, out, i: scatter_back(us[0], tuple(out.shape), i, dims, False),
        method=False,
        doc=doc,
    )


# PyTorch pools integer tensors with plain and refuses them with adaptive pooling.
_WINDOW = "the maximum of each {}-d window, and its flat index"
MAX_POOL2D = _max_record(
    "max_pool2d_with_indices", "MaxPool2DWithIndicesBackward0", 2, _WINDOW.format(2), False
)
MAX_POOL3D = _max_record(
    "max_pool3d_with_indices", "MaxPool3DWithIndicesBackward0", 3, _WINDOW.format(3), False
)
_ADAPTIVE = "the maximum of each adaptive {}-d window, and its flat index"
ADAPTIVE_MAX_POOL2D = _max_record(
    "adaptive_max_pool2d", "AdaptiveMaxPool2DBackward0", 2, _ADAPTIVE.format(2), True
)
ADAPTIVE_MAX_POOL3D = _max_record(
    "adaptive_max_pool3d", "AdaptiveMaxPool3DBackward0", 3, _ADAPTIVE.format(3), True
)
_MEAN = "the mean of each {}-d window"
AVG_POOL2D = _linear_record("avg_pool2d", "AvgPool2DBackward0", _MEAN.format(2), False)
AVG_POOL3D = _linear_record("avg_pool3d", "AvgPool3DBackward0", _MEAN.format(3), False)
_ADAPTIVE_MEAN = "the mean of each adaptive {}-d window"
ADAPTIVE_AVG_POOL2D = _linear_record(
    "adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0", _ADAPTIVE_MEAN.format(2), True
)
ADAPTIVE_AVG_POOL3D = _linear_record(
    "adaptive_avg_pool3d", "AdaptiveAvgPool3DBackward0", _ADAPTIVE_MEAN.format(3), True
)
_UNPOOL = "zeros of the output size with the input written at its {}-d flat indices"
MAX_UNPOOL2D = _unpool_record("max_unpool2d", "MaxUnpool2DBackward0", 2, _UNPOOL.format(2))
MAX_UNPOOL3D = _unpool_record("max_unpool3d", "MaxUnpool3DBackward0", 3, _UNPOOL.format(3))
RECORDS = (
    MAX_POOL2D,
    MAX_POOL3D,
    ADAPTIVE_MAX_POOL2D,
    ADAPTIVE_MAX_POOL3D,
    AVG_POOL2D,
    AVG_POOL3D,
    ADAPTIVE_AVG_POOL2D,
    ADAPTIVE_AVG_POOL3D,
    MAX_UNPOOL2D,
    MAX_UNPOOL3D,
)


def record_pooling(record: OpRecord, input: Tensor, out: Tensor, params: dict) -> Tensor:
    """``out`` (computed from ``input`` with grad mode off) as the output of ``record``'s
    one node, saving ``params`` for its rule."""
    if out._base is not None or out is input:
        with no_grad():
            out = out.clone()  # the node's output owns its storage
    return finish(record, out._storage.array, out.dtype, input._backend, (input,), params)
