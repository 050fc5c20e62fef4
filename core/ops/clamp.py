"""``clamp``/``clip``, ``clamp_min`` and ``clamp_max``: scalar bounds or tensor bounds.

PyTorch's conventions, kept here: the result is ``min(max(x, min), max)`` (so ``max``
wins where ``min > max``); ``x`` gets the gradient where ``min <= x <= max`` (the bounds
included, a subgradient of 1 there); a tensor bound gets it where it is the result.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import array_of, backend_of, broadcast_all, check_operand, finish, promote
from .elementwise import where
from .helpers import check_tensor, not_implemented
from .record import TERNARY, Convention, OpRecord

BOUNDED = TERNARY  # a tensor and two optional bounds
_B = [-0.5, 0.5, 0.0, 1.0]  # inputs for the pinned gradients: the bounds, inside, above


def _inside(a: Tensor, low: Any, high: Any) -> Any:
    keep = None
    if low is not None:
        keep = a >= low
    if high is not None:
        keep = a <= high if keep is None else keep.logical_and(a <= high)
    return keep


def _self_grad(g: Tensor, a: Tensor, low: Any, high: Any) -> Tensor:
    return where(_inside(a, low, high), g, 0.0)


def _low_grad(g: Tensor, a: Tensor, low: Tensor, high: Any) -> Tensor:
    below = a < low if high is None else (a < low).logical_and(low < high)
    return where(below, g, 0.0)


def _high_grad(g: Tensor, a: Tensor, low: Any, high: Tensor) -> Tensor:
    above = a > high if low is None else (a > high).logical_or(high < low)
    return where(above, g, 0.0)


CLAMP = OpRecord(
    "clamp",
    BOUNDED,
    "ClampBackward1",
    "clamp",
    save=("self", "min", "max"),
    grads=(_self_grad,),
    smooth=False,
    doc="gradient 1 on [min, max], the bounds included; 0 outside",
    inplace=True,
    conventions=(Convention((_B,), ([1.0, 1.0, 1.0, 0.0],), (("min", -0.5), ("max", 0.5))),),
)
CLAMP_TENSOR = OpRecord(
    "clamp_tensor",
    BOUNDED,
    "ClampBackward0",
    "clamp",
    inputs=("self", "min", "max"),
    save=("self", "min", "max"),
    grads=(_self_grad, _low_grad, _high_grad),
    smooth=False,
    doc="self: 1 on [min, max]; a bound: where it is the result (max wins where min > max)",
    public="clamp",
    conventions=(
        Convention(
            (_B, [-0.5, -0.5, 0.0, 2.0], [0.5, 0.5, 0.0, 3.0]),
            ([1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]),
        ),
    ),
)
CLAMP_MIN = OpRecord(
    "clamp_min",
    BOUNDED,
    "ClampMinBackward0",
    "clamp",
    save=("self", "min"),
    grads=(lambda g, a, low: _self_grad(g, a, low, None),),
    smooth=False,
    doc="gradient 1 where self >= min",
    inplace=True,
    conventions=(Convention((_B,), ([0.0, 1.0, 0.0, 1.0],), (("min", 0.5),)),),
)
CLAMP_MAX = OpRecord(
    "clamp_max",
    BOUNDED,
    "ClampMaxBackward0",
    "clamp",
    save=("self", "max"),
    grads=(lambda g, a, high: _self_grad(g, a, None, high),),
    smooth=False,
    doc="gradient 1 where self <= max",
    inplace=True,
    conventions=(Convention((_B,), ([1.0, 1.0, 1.0, 0.0],), (("max", 0.5),)),),
)
RECORDS = (CLAMP, CLAMP_TENSOR, CLAMP_MIN, CLAMP_MAX)


def _clamped(record: OpRecord, input: Tensor, low: Any, high: Any) -> Tensor:
    check_tensor("clamp", input)
    bounds = tuple(v for v in (low, high) if v is not None)
    for name, value in (("min", low), ("max", high)):
        if value is not None:
            check_operand("clamp", value, name)
    dtype = promote((input, *bounds))
    backend = backend_of("clamp", input, *bounds)
    broadcast_all("clamp", input, *bounds)
    if dtype is dtypes.bool:
        return _clamped_bool(record, input, low, high, backend)
    lo, hi = (None if v is None else array_of(v, dtype, backend) for v in (low, high))
    out = backend.kernels["clamp"](array_of(input, dtype, backend), lo, hi)
    if record is CLAMP_TENSOR:
        return finish(record, out, dtype, backend, (input, low, high))
    return finish(record, out, dtype, backend, (input,), {"min": low, "max": high})


def _clamped_bool(record: OpRecord, input: Tensor, low: Any, high: Any, backend: Any) -> Tensor:
    """A bool tensor clamped to bool bounds, as PyTorch's kernels take it: one tensor
    bound gives a bool result (its maximum/minimum kernel has a bool loop); two bounds,
    or a Python bool bound, are its NotImplementedError."""
    both = low is not None and high is not None
    if both or record is not CLAMP_TENSOR:
        scalar = "" if record is CLAMP_TENSOR and both else "_scalar"
        which = "" if both else ("_min" if high is None else "_max")
        raise not_implemented(f"clamp{which}{scalar}", backend, dtypes.bool)
    k, native = backend.kernels, backend.native_dtype(dtypes.int64)
    lo, hi = (None if v is None else k["astype"](v._storage.array, native) for v in (low, high))
    out = k["clamp"](k["astype"](input._storage.array, native), lo, hi)
    out = k["astype"](out, backend.native_dtype(dtypes.bool))
    return finish(record, out, dtypes.bool, backend, (input, low, high))


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit ``input`` to ``[min, max]``; either bound may be omitted (not both), and
    bounds may be numbers or tensors (broadcast)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensors = isinstance(min, Tensor) or isinstance(max, Tensor)
    return _clamped(CLAMP_TENSOR if tensors else CLAMP, input, min, max)


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    if isinstance(min, Tensor):
        return _clamped(CLAMP_TENSOR, input, min, None)
    return _clamped(CLAMP_MIN, input, min, None)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    if isinstance(max, Tensor):
        return _clamped(CLAMP_TENSOR, input, None, max)
    return _clamped(CLAMP_MAX, input, None, max)


def _check_number_bounds(t: Tensor, args: tuple, kwargs: dict, op: str) -> None:
    """PyTorch's refusal, before clamping in place, of Python-number bounds whose result
    type does not fit an integer or bool ``t``; that overload names ``t``'s C++ type
    (``long int``), where tensor bounds get the common in-place check."""
    bounds = [v for v in (*args, *kwargs.values()) if v is not None]
    if not all(type(v) in (int, float, bool) for v in bounds):
        return  # tensor bounds, or operands the op itself refuses
    dtype = promote((t, *bounds))
    if dtype.category > t.dtype.category:
        raise RuntimeError(
            f"result type {dtypes.kind_name(dtype)} can't be cast to the desired output type "
            f"{dtypes.cpp_name(t.dtype)} (in {op}())"
        )


for _fn in (clamp, clamp_min, clamp_max):
    _fn.integral_check = _check_number_bounds  # type: ignore[attr-defined] # see ops.inplace

FUNCTIONS = {"clamp": clamp, "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max}
