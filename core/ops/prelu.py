"""``prelu``: ``x`` where positive, ``weight * x`` elsewhere, with a learnt slope per
channel (or one for all); PyTorch records ATen's ``_prelu_kernel`` as one node
(``PreluKernelBackward0``) over the weight viewed to broadcast along dim 1.

At 0 the gradient is PyTorch's: ``weight`` w.r.t. the input and 0 w.r.t. the weight
(its kernel tests ``x > 0``). The engine sums the weight's broadcast gradient back to
its shape.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .elementwise import where
from .helpers import check_tensor
from .record import ACTIVATION, Convention, OpRecord


def _slope_off_zero(x: Tensor, w: Tensor) -> Tensor:
    """``w``, as a constant where ``x`` is 0: PyTorch's double backward differentiates the
    input's gradient w.r.t. the weight only where ``x < 0`` (and w.r.t. ``x`` nowhere)."""
    return where(x < 0, w, w.detach())


PRELU = OpRecord(
    "_prelu_kernel",
    ACTIVATION,
    "PreluKernelBackward0",
    "where",
    inputs=("self", "weight"),
    save=("self", "weight"),
    grads=(
        lambda g, x, w: where(x > 0, g, _slope_off_zero(x, w) * g),
        # Written with x < 0 so that its derivative w.r.t. x is 0 at 0, as PyTorch's.
        lambda g, x, w: where(x < 0, x * g, 0.0),
    ),
    kinks=(0.0,),
    # At 0: the slope w.r.t. the input, nothing w.r.t. the weight.
    conventions=(Convention(([-1.0, 0.0, 2.0], [0.3]), ([0.3, 0.3, 1.0], [-1.0])),),
    method=False,
    float_only=True,
    doc="x if x > 0 else weight * x (weight broadcast along dim 1)",
)
RECORDS = (PRELU,)


def _check_weight(input: Tensor, weight: Any) -> None:
    """PyTorch's checks, in its order and words."""
    if not isinstance(weight, Tensor):
        raise TypeError(
            f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}"
        )
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}"
        )
    channels = input.shape[1] if input.dim() > 1 else 1
    if weight.numel() not in (1, channels):
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers "
            f"= {weight.numel()} and channel size = {channels}."
        )


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``: ``weight`` is one slope, or one per channel
    (dim 1) of ``input``."""
    check_tensor("prelu", input)
    _check_weight(input, weight)
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"prelu_cpu\" not implemented for '{kind}'")
    shape = [1] * input.dim()
    if input.dim() > 1:
        shape[1] = weight.numel()
    weight = weight.view(*shape)  # PyTorch's ViewBackward0 between the weight and the node
    with no_grad():
        out = where(input > 0, input, weight * input)
    dtype = out.dtype
    return finish(PRELU, out._storage.array, dtype, input._backend, (input, weight))
