"""Piecewise activations: ``hardtanh`` (and ``relu6``), ``hardsigmoid``, ``hardswish``,
``threshold``, ``hardshrink``, ``softshrink``; each one record with PyTorch's ``grad_fn``.

Their forwards are composed from the backends' existing kernels (``clamp``, ``where``, the
comparisons), so no backend needs a new kernel. Their rules are written with the
comparisons PyTorch's backward kernels use, which fixes the gradient at each kink and at
NaN (a NaN input fails every comparison, so it takes whichever branch PyTorch's ``else``
is): pinned in each record's ``conventions``.
"""

from __future__ import annotations

import struct
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import finish
from .elementwise import where
from .helpers import check_tensor
from .inplace import inplace as _inplace_form
from .kernel_names import refusal
from .record import ACTIVATION, AtKinks, Convention, OpRecord
from .result_activations import threshold_ as _threshold_in_place

_HINT = " (convert the input with .float() first)"


def _hardtanh_grad(g: Tensor, a: Tensor, min_val: Any, max_val: Any) -> Tensor:
    # PyTorch: 0 where x <= min_val or x >= max_val (the bounds included), else grad.
    return where((a <= min_val).logical_or(a >= max_val), 0.0, g)


# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 (``1.0f / 6.0f``),
# in float64 too: the same constant here gives its float64 gradient to the last bit.
_ONE_SIXTH_F32 = struct.unpack("f", struct.pack("f", 1 / 6))[0]


def _hardsigmoid_grad(g: Tensor, a: Tensor) -> Tensor:
    # PyTorch: grad / 6 strictly inside (-3, 3), else 0 (NaN too).
    return where((a > -3.0).logical_and(a < 3.0), g * _ONE_SIXTH_F32, 0.0)


def _hardswish_grad(g: Tensor, a: Tensor) -> Tensor:
    # PyTorch: 0 where x <= -3; grad * (x / 3 + 1/2) where x < 3; else grad (3 and NaN).
    return where(a <= -3.0, 0.0, where(a < 3.0, g * (a / 3.0 + 0.5), g))


def _threshold_grad(g: Tensor, a: Tensor, threshold: Any) -> Tensor:
    return where(a <= threshold, 0.0, g)  # NaN > threshold is false, yet NaN keeps grad


def _shrink_grad(g: Tensor, a: Tensor, lambd: Any) -> Tensor:
    # hardshrink and softshrink alike: 0 on [-lambd, lambd] (its ends included), else grad.
    return where((a >= -lambd).logical_and(a <= lambd), 0.0, g)


def _record(name: str, grad_fn: str, save: tuple, grad: Any, **kw: Any) -> OpRecord:
    return OpRecord(name, ACTIVATION, grad_fn, kw.pop("kernel", "where"), save=save,
                    grads=(grad,), smooth=False, method=kw.pop("method", False),
                    **kw)  # fmt: skip


HARDTANH = _record(
    "hardtanh",
    "HardtanhBackward0",
    ("self", "min_val", "max_val"),
    _hardtanh_grad,
    kinks=(-1.0, 1.0),
    doc="at min_val and max_val: 0",
    conventions=(AtKinks(0.0),),
)
HARDSIGMOID = _record(
    "hardsigmoid",
    "HardsigmoidBackward0",
    ("self",),
    _hardsigmoid_grad,
    kinks=(-3.0, 3.0),
    float_only=True,
    doc="at -3 and 3: 0",
    conventions=(AtKinks(0.0),),
)
HARDSWISH = _record(
    "hardswish",
    "HardswishBackward0",
    ("self",),
    _hardswish_grad,
    kinks=(-3.0, 3.0),
    float_only=True,
    doc="at -3: 0; at 3: 1",
    conventions=(Convention(([-3.0, 3.0],), ([0.0, 1.0],)),),
)
THRESHOLD = _record(
    "threshold",
    "ThresholdBackward0",
    ("self", "threshold"),
    _threshold_grad,
    kinks=(0.0,),
    doc="at the threshold: 0",
    conventions=(AtKinks(0.0, (("threshold", 0.0), ("value", -1.0))),),
)
HARDSHRINK = _record(
    "hardshrink",
    "HardshrinkBackward0",
    ("self", "lambd"),
    _shrink_grad,
    kinks=(-0.5, 0.5),
    float_only=True,
    method=True,  # Tensor.hardshrink (no hardshrink_)
    doc="at -lambd and lambd: 0",
    conventions=(AtKinks(0.0),),
)
SOFTSHRINK = _record(
    "softshrink",
    "SoftshrinkBackward0",
    ("self", "lambd"),
    _shrink_grad,
    kinks=(-0.5, 0.5),
    float_only=True,
    doc="at -lambd and lambd: 0",
    conventions=(AtKinks(0.0),),
)
RECORDS = (HARDTANH, HARDSIGMOID, HARDSWISH, THRESHOLD, HARDSHRINK, SOFTSHRINK)


def _refuse_integers(op: str, kernel: str, input: Tensor) -> None:
    check_tensor(op, input)
    if not input.dtype.is_floating_point:
        raise refusal(kernel, input._backend, input.dtype)


def _finish(record: OpRecord, array: Any, input: Tensor, params: dict) -> Tensor:
    """Wrap ``array`` (``input``'s dtype) and record ``record``'s node."""
    return finish(record, array, input._dtype, input._backend, (input,), params)


def _filled(input: Tensor, value: Any) -> Any:
    backend = input._backend
    return backend.kernels["full"](tuple(input.shape), value, backend.native_dtype(input._dtype))


def _clamped(input: Tensor, a: Any, low: Any, high: Any) -> Any:
    """``a`` (an array of ``input``'s shape and dtype) limited to ``[low, high]`` as
    PyTorch's kernels limit it: a bound replaces ``a`` only where ``a`` is strictly
    beyond it, so -0.0 at a bound of 0 and NaN stay (the ``clamp`` kernel's maximum
    would turn -0.0 into 0.0 on NumPy)."""
    k = input._backend.kernels
    a = k["where"](k["less"](a, low), _filled(input, low), a)
    return k["where"](k["greater"](a, high), _filled(input, high), a)


def _in_place_or_not(name: str, fn: Any, input: Tensor, inplace: bool, *args: Any) -> Tensor:
    """``fn(input, *args)``, or its in-place form ``name`` (the result written into
    ``input``, whose ``grad_fn`` becomes the op's node, as PyTorch's ``hardtanh_``)."""
    if not inplace:
        return fn(input, *args)
    return _inplace_form(name, fn, needs_old_self=True)(input, *args)


def _hardtanh(input: Tensor, min_val: Any, max_val: Any) -> Tensor:
    check_tensor("hardtanh", input)
    if input.dtype is dtypes.bool:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    out = _clamped(input, input._storage.array, min_val, max_val)
    return _finish(HARDTANH, out, input, {"min_val": min_val, "max_val": max_val})


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; gradient 0 at and beyond the bounds."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _in_place_or_not("hardtanh_", _hardtanh, input, inplace, min_val, max_val)


def hardtanh_in_place(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """PyTorch's ``hardtanh_`` (``F.hardtanh_``): no check of the bounds' order."""
    return _in_place_or_not("hardtanh_", _hardtanh, input, True, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``hardtanh(x, 0, 6)`` (PyTorch records ``HardtanhBackward0``)."""
    return _in_place_or_not("relu6_", _hardtanh, input, inplace, 0.0, 6.0)


def _relu6_of_shifted(input: Tensor) -> Any:
    """``min(max(x + 3, 0), 6)``: the shared part of hardsigmoid and hardswish."""
    shifted = input._backend.kernels["add"](input._storage.array, 3.0)
    return _clamped(input, shifted, 0.0, 6.0)


def _hardsigmoid(input: Tensor) -> Tensor:
    _refuse_integers("hardsigmoid", "hardsigmoid", input)
    out = input._backend.kernels["divide"](_relu6_of_shifted(input), 6.0)
    return _finish(HARDSIGMOID, out, input, {})


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return _in_place_or_not("hardsigmoid_", _hardsigmoid, input, inplace)


def _hardswish(input: Tensor) -> Tensor:
    _refuse_integers("hardswish", "hardswish", input)
    k = input._backend.kernels
    out = k["divide"](k["multiply"](input._storage.array, _relu6_of_shifted(input)), 6.0)
    return _finish(HARDSWISH, out, input, {})


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (so ``-inf`` gives NaN, as in PyTorch)."""
    return _in_place_or_not("hardswish_", _hardswish, input, inplace)


def _threshold(input: Tensor, threshold: Any, value: Any) -> Tensor:
    check_tensor("threshold", input)
    if input.dtype is dtypes.bool:
        raise refusal("threshold", input._backend, input.dtype)
    k, a = input._backend.kernels, input._storage.array
    # NaN fails the test, so it is kept, as in PyTorch.
    out = k["where"](k["less_equal"](a, threshold), _filled(input, value), a)
    return _finish(THRESHOLD, out, input, {"threshold": threshold, "value": value})


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` where ``x <= threshold``, else ``x`` (in place: ``ThresholdBackward1``)."""
    if inplace:
        return _threshold_in_place(input, threshold, value)
    return _threshold(input, threshold, value)


def _inside(input: Tensor, lambd: Any) -> Any:
    """Where ``-lambd <= x <= lambd`` (the band both shrinks zero)."""
    k, a = input._backend.kernels, input._storage.array
    return k["logical_and"](k["greater_equal"](a, -lambd), k["less_equal"](a, lambd))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    _refuse_integers("hardshrink", "hardshrink", input)
    k, a = input._backend.kernels, input._storage.array
    out = k["where"](_inside(input, lambd), k["zeros_like"](a), a)
    return _finish(HARDSHRINK, out, input, {"lambd": lambd})


def _check_lambd(input: Tensor, lambd: Any) -> None:
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"softshrink_check\" not implemented for '{kind}'{_HINT}")
    high = _FLOAT_MAX.get(str(input.dtype), _FLOAT_MAX["torch.float32"])
    if not 0 <= lambd <= high:
        raise RuntimeError(
            f"lambda must be in range [0, {high:g}] for input dtype "
            f"{dtypes.kind_name(input.dtype)}, but found {lambd:g}"
        )


# The largest finite value of each floating dtype (PyTorch's bound on lambd).
_FLOAT_MAX = {
    "torch.float16": 65504.0,
    "torch.bfloat16": 3.3895313892515355e38,
    "torch.float32": 3.4028234663852886e38,
    "torch.float64": 1.7976931348623157e308,
}


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else ``0 * x`` (so
    -0.0 and NaN pass through, as in PyTorch)."""
    check_tensor("softshrink", input)
    _check_lambd(input, lambd)
    k, a = input._backend.kernels, input._storage.array
    shrunk = k["where"](k["greater"](a, lambd), k["subtract"](a, lambd), k["add"](a, lambd))
    out = k["where"](_inside(input, lambd), k["multiply"](a, 0.0), shrunk)
    return _finish(SOFTSHRINK, out, input, {"lambd": lambd})
