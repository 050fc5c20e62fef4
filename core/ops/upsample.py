"""Resampling ops PyTorch records as one node each: ATen's ``upsample_nearest{1,2,3}d``,
``_upsample_nearest_exact{1,2,3}d``, ``upsample_linear1d``, ``upsample_bilinear2d``,
``upsample_bicubic2d``, ``upsample_trilinear3d``, ``_upsample_{bilinear,bicubic}2d_aa``
(``F.interpolate``'s modes, antialiased), on ``(N, C, *spatial)`` inputs (its ``area``
mode is adaptive average pooling: ``retrograd/ops/pooling.py``).

Each is separable and linear in its input: along each spatial axis, output position
``j`` is a weighted sum of a few input positions (:mod:`.resample_axes` computes them,
with PyTorch's rounding). The forward gathers those positions (``index_select``) and
sums the weighted terms, last axis first, as PyTorch's kernels do; so an ``inf`` or
``nan`` reaches only the outputs that read it. Being linear, the gradient is the
transpose map: per axis, the gradient times the map's matrix. That is differentiable
in the gradient, so second-order gradients work, and a tangent is mapped as the input.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import tensor
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .record import SHAPE, OpRecord
from .resample_axes import AxisMap

Maps = tuple[tuple[int, AxisMap], ...]  # (dim, map) for each resampled dim


def _along(x: Tensor, dim: int, m: AxisMap) -> Tensor:
    """``x`` resampled along ``dim`` by ``m``: the gathered terms, weighted and summed
    in tap order."""
    backend = x._backend
    view = [1] * x.dim()
    view[dim] = m.out_size
    out = None
    for k, (idx, wts) in enumerate(zip(m.indices, m.weights)):
        term = x.index_select(dim, tensor(list(idx), dtype=dtypes.int64, backend=backend))
        if m.valid and any(k >= v for v in m.valid):  # leave windows' padding taps out
            outside = tensor([k >= v for v in m.valid], dtype=dtypes.bool, backend=backend)
            term = term.masked_fill(outside.reshape(view), 0.0)
        if not m.exact:
            term = term * tensor(list(wts), dtype=x.dtype, backend=backend).reshape(view)
        out = term if out is None else out + term
    return out


def resampled(x: Tensor, maps: Maps) -> Tensor:
    """``x`` resampled along each of its mapped dims, the last one first."""
    for dim, m in reversed(maps):
        x = _along(x, dim, m)
    return x


def _transposed(grad: Tensor, maps: Maps) -> Tensor:
    """The gradient w.r.t. the input: along each dim, ``grad`` times the map's matrix
    (repeated and clamped indices add up, as PyTorch's backward kernels accumulate)."""
    for dim, m in maps:
        matrix = tensor(m.matrix(), dtype=grad.dtype, backend=grad._backend)
        grad = grad.transpose(dim, -1).matmul(matrix).transpose(dim, -1)
    return grad


def _tangent(tangents: tuple, result: Tensor, maps: Maps) -> Tensor:
    return resampled(tangents[0], maps)


def _record(name: str, grad_fn: str, doc: str) -> OpRecord:
    return OpRecord(
        name,
        SHAPE,
        grad_fn,
        "index_select",
        save=("maps",),
        grads=(_transposed,),
        jvp=_tangent,
        method=False,
        float_only=True,
        doc=doc,
    )


_NEAREST = "output j reads input floor(j * in / out)"
_EXACT = "output j reads input floor((j + 0.5) * in / out)"
_LINEAR = "linear interpolation between pixel centres (or corners)"
UPSAMPLE_NEAREST1D = _record("upsample_nearest1d", "UpsampleNearest1DBackward0", _NEAREST)
UPSAMPLE_NEAREST2D = _record("upsample_nearest2d", "UpsampleNearest2DBackward0", _NEAREST)
UPSAMPLE_NEAREST3D = _record("upsample_nearest3d", "UpsampleNearest3DBackward0", _NEAREST)
UPSAMPLE_NEAREST_EXACT1D = _record(
    "upsample_nearest_exact1d", "UpsampleNearestExact1DBackward0", _EXACT
)
UPSAMPLE_NEAREST_EXACT2D = _record(
    "upsample_nearest_exact2d", "UpsampleNearestExact2DBackward0", _EXACT
)
UPSAMPLE_NEAREST_EXACT3D = _record(
    "upsample_nearest_exact3d", "UpsampleNearestExact3DBackward0", _EXACT
)
UPSAMPLE_LINEAR1D = _record("upsample_linear1d", "UpsampleLinear1DBackward0", _LINEAR)
UPSAMPLE_BILINEAR2D = _record("upsample_bilinear2d", "UpsampleBilinear2DBackward0", _LINEAR)
UPSAMPLE_TRILINEAR3D = _record("upsample_trilinear3d", "UpsampleTrilinear3DBackward0", _LINEAR)
UPSAMPLE_BICUBIC2D = _record(
    "upsample_bicubic2d", "UpsampleBicubic2DBackward0", "cubic convolution (A = -0.75)"
)
UPSAMPLE_BILINEAR2D_AA = _record(
    "upsample_bilinear2d_aa", "UpsampleBilinear2DAaBackward0", "antialiased: " + _LINEAR
)
UPSAMPLE_BICUBIC2D_AA = _record(
    "upsample_bicubic2d_aa", "UpsampleBicubic2DAaBackward0", "antialiased cubic (A = -0.5)"
)
RECORDS = (
    UPSAMPLE_NEAREST1D,
    UPSAMPLE_NEAREST2D,
    UPSAMPLE_NEAREST3D,
    UPSAMPLE_NEAREST_EXACT1D,
    UPSAMPLE_NEAREST_EXACT2D,
    UPSAMPLE_NEAREST_EXACT3D,
    UPSAMPLE_LINEAR1D,
    UPSAMPLE_BILINEAR2D,
    UPSAMPLE_TRILINEAR3D,
    UPSAMPLE_BICUBIC2D,
    UPSAMPLE_BILINEAR2D_AA,
    UPSAMPLE_BICUBIC2D_AA,
)


def resample(record: OpRecord, input: Tensor, maps: list[AxisMap]) -> Tensor:
    """``record``'s op: ``input`` resampled along its last ``len(maps)`` dims, as one
    node. The caller has checked the arguments and computed the maps."""
    first = input.dim() - len(maps)
    dims: Maps = tuple((first + i, m) for i, m in enumerate(maps))
    if not input.dtype.is_floating_point:
        name = record.name.replace("upsample_nearest_exact", "_upsample_nearest_exact")
        name = "_" + name if name.endswith("_aa") else name
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"{name}_channels_last\" not implemented for '{kind}'")
    with no_grad():
        if input.numel() == 0 or any(m.out_size == 0 for m in maps):
            shape = (*input.shape[:first], *(m.out_size for m in maps))
            out = input.new_zeros(shape)
        else:
            out = resampled(input, dims)
    params: dict[str, Any] = {"maps": dims}
    return finish(record, out._storage.array, input.dtype, input._backend, (input,), params)
