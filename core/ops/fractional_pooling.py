"""Fractional max pooling's nodes (PyTorch's ``FractionalMaxPool2DBackward0``,
``FractionalMaxPool3DBackward0``): the output holds each window's maximum and the flat
spatial index of the element picked; the gradient adds the output's gradient back at
those indices (:func:`~retrograd.ops.pooling.scatter_back`, a scatter-add whose own
gradient is a gather, so second order works)."""

from __future__ import annotations

from ..tensor import Tensor
from .dispatch import finish
from .pooling import gather_at, scatter_back
from .record import ACTIVATION, OpRecord


def _record(name: str, grad_fn: str, dims: int) -> OpRecord:
    return OpRecord(
        name,
        ACTIVATION,
        grad_fn,
        "max",
        save=("self.shape", "indices"),
        grads=(lambda g, shape, i: scatter_back(g, shape, i, dims, True),),
        jvp=lambda us, out, shape, i: gather_at(us[0], i, dims),
        method=False,
        float_only=True,
        smooth=False,  # the chosen element jumps where two in a window cross
        doc=f"the maximum of pseudo-random {dims}-d windows (their starts from _random_samples)",
    )


FRACTIONAL_MAX_POOL2D = _record("fractional_max_pool2d", "FractionalMaxPool2DBackward0", 2)
FRACTIONAL_MAX_POOL3D = _record("fractional_max_pool3d", "FractionalMaxPool3DBackward0", 3)
RECORDS = (FRACTIONAL_MAX_POOL2D, FRACTIONAL_MAX_POOL3D)


def record_fractional(record: OpRecord, input: Tensor, values: Tensor, indices: Tensor) -> Tensor:
    """``values`` (computed from ``input`` with grad mode off) as ``record``'s one node."""
    array = values.contiguous()._storage.array
    return finish(record, array, input.dtype, input._backend, (input,), {"indices": indices})
