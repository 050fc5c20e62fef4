"""More pointwise ops: ``hypot``, ``copysign``, ``xlogy``, ``logit``, ``sinc``,
``heaviside``, ``nan_to_num``, ``float_power``, ``addcmul``/``addcdiv`` and ``signbit``.

Each overload PyTorch differentiates with a backward of its own is one record (its
``grad_fn`` name is PyTorch's); ``float_power`` is composed (a cast to float64, then
``pow``), as PyTorch composes it, so the same nodes come out. The derivative rules are
PyTorch's formulas, so the gradients agree at zeros, infinities and NaNs too.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from .. import dtypes
from ..arguments import parsed
from ..dtypes import FLOATING
from ..tensor import Tensor
from .dispatch import array_of, backend_of, broadcast_all, check_operand, finish, promote
from .elementwise import _binary, _unary, binary_op, pow, tensor_or_number_op, where
from .helpers import check_tensor
from .pointwise_binary import _tensors_only
from .predicates import predicate_op
from .record import COMPARISON, TERNARY, Convention, OpRecord, composite

PI = math.pi


def _safe(d: Tensor) -> Tensor:
    """``d`` with its zeros replaced by 1: a denominator whose quotient a ``where`` masks
    anyway, computed without a division by zero (no warning, no nan in a second order)."""
    return where(d == 0, 1.0, d)


# -- binary ----------------------------------------------------------------------------------
HYPOT = _binary(
    "hypot", "HypotBackward0", ("self", "other", "result"),
    (lambda g, a, b, r: g * a / r, lambda g, a, b, r: g * b / r),
    float_only=True, inplace=True,
    doc="at (0, 0): nan (PyTorch's self / result)",
)  # fmt: skip


def _copysign_self(g: Tensor, a: Tensor, r: Tensor) -> Tensor:
    # PyTorch's copysign_tensor_self_backward: result / self, 0 where self is 0.
    return g * where(a == 0, 0.0, r / _safe(a))


COPYSIGN = _binary(
    "copysign", "CopysignBackward0", ("self", "result"),
    (_copysign_self, lambda g, a, r: g * 0),
    int_to_float=True, inplace=True, smooth=False, kinks=(0.0,),
    doc="d/d self = sign agreement (0 at self = 0); d/d other = 0",
    conventions=(
        Convention(([0.0, -0.0, 1.5, -2.0], [-1.0, 1.0, -0.0, 3.0]), ([0.0, 0.0, -1.0, -1.0],
                   [0.0, 0.0, 0.0, 0.0])),
    ),
)  # fmt: skip
COPYSIGN_SCALAR = _binary(
    "copysign_scalar", "CopysignBackward1", ("self", "result"), (_copysign_self,),
    kernel="copysign", inputs=("self",), int_to_float=True, smooth=False, public="copysign",
)  # fmt: skip


def _xlogy_self(g: Tensor, a: Tensor, b: Any) -> Tensor:
    """PyTorch's formula: xlogy(grad, other), 0 where self is 0 and other <= 0 (so
    log(other) at self = 0 where other > 0, -0.0 included)."""
    out = xlogy(g, b)
    zero = a == 0
    if isinstance(b, Tensor):
        return where(zero.logical_and(b <= 0), 0.0, out)
    return where(zero, 0.0, out) if b <= 0 else out


XLOGY = _binary(
    "xlogy", "XlogyBackward0", ("self", "other"),
    (_xlogy_self, lambda g, a, b: g * a / b),
    int_to_float=True, inplace=True, domain=(0.25, 2.0),
    doc="x * log(y), 0 where x = 0 (nan where y is nan); d/dx = grad * xlogy(x != 0, y)",
)  # fmt: skip
XLOGY_SCALAR_SELF = _binary(
    "xlogy_scalar_self", "XlogyBackward1", ("scalar", "other"),
    (lambda g, s, b: g * s / b,),
    kernel="xlogy", inputs=("other",), int_to_float=True, domain=(0.25, 2.0), public="xlogy",
)  # fmt: skip
XLOGY_SCALAR_OTHER = _binary(
    "xlogy_scalar_other", "XlogyBackward2", ("self", "other"), (_xlogy_self,),
    kernel="xlogy", inputs=("self",), int_to_float=True, domain=(0.25, 2.0), public="xlogy",
)  # fmt: skip
HEAVISIDE = _binary(
    "heaviside", "NotImplemented", (), (), smooth=False, inplace=True,
    no_derivative="heaviside", doc="no derivative: backward raises, as in PyTorch",
)  # fmt: skip


# -- unary with parameters -------------------------------------------------------------------
def _logit_grad(g: Tensor, a: Tensor, eps: Any) -> Tensor:
    """PyTorch's logit_backward: outside [eps, 1 - eps] 0 (with eps), nan outside [0, 1]
    (without); inside, grad / (x (1 - x)) (infinite at 0 and 1)."""
    if eps is None:
        outside, fill = (a < 0).logical_or(a > 1), math.nan
    else:
        outside, fill = (a < eps).logical_or(a > 1 - eps), 0.0
    return where(outside, fill, g / (a * (1 - a)))


LOGIT = _unary(
    "logit", "LogitBackward0", ("self", "eps"), _logit_grad,
    int_to_float=True, domain=(0.05, 0.95), kernel="logit",
    doc="eps clamps the input to [eps, 1 - eps], and the gradient is 0 outside it",
)  # fmt: skip


def _sinc_grad(g: Tensor, a: Tensor) -> Tensor:
    # PyTorch's sinc_backward: 0 where pi * self * self is 0 (self = 0, or it underflows).
    pa, square = a * PI, a * a * PI
    return where(square == 0, 0.0, g * (pa * pa.cos() - pa.sin()) / _safe(square))


SINC = _unary(
    "sinc", "SincBackward0", ("self",), _sinc_grad, int_to_float=True,
    doc="sin(pi x) / (pi x), 1 at 0; gradient 0 at 0",
)  # fmt: skip
NAN_TO_NUM = _unary(
    "nan_to_num", "NanToNumBackward0", ("self",), lambda g, a: g * a.isfinite(),
    smooth=False, doc="gradient: grad where the input is finite, 0 elsewhere",
)  # fmt: skip


# -- ternary ---------------------------------------------------------------------------------
ADDCMUL = OpRecord(
    "addcmul", TERNARY, "AddcmulBackward0", "addcmul",
    inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2", "value"),
    grads=(
        lambda g, t1, t2, v: g,
        lambda g, t1, t2, v: g * (t2 * v),
        lambda g, t1, t2, v: g * (t1 * v),
    ),
    inplace=True, doc="self + value * tensor1 * tensor2",
)  # fmt: skip


def _addcdiv_tensor1(g: Tensor, t2: Tensor, v: Any) -> Tensor:
    """grad * value / tensor2; PyTorch's backward refuses an integral ``tensor2`` (its
    ``value / tensor2`` is computed into tensor2's dtype), with its message."""
    if t2.dtype.category < FLOATING:
        raise RuntimeError(
            f"result type {dtypes.kind_name(dtypes.get_default_dtype())} can't be cast to the "
            f"desired output type {dtypes.kind_name(t2.dtype)}"
        )
    return g * (v / t2)


ADDCDIV = OpRecord(
    "addcdiv", TERNARY, "AddcdivBackward0", "addcdiv",
    inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2", "value"),
    grads=(
        lambda g, t1, t2, v: g,
        lambda g, t1, t2, v: _addcdiv_tensor1(g, t2, v),
        lambda g, t1, t2, v: -g * v * t1 / (t2 * t2),
    ),
    inplace=True, domain=(0.5, 2.0), refuses_integral=True,
    doc="self + value * tensor1 / tensor2; integer tensor1 and tensor2 refused",
)  # fmt: skip

SIGNBIT = OpRecord("signbit", COMPARISON, None, "signbit")

RECORDS = (
    HYPOT, COPYSIGN, COPYSIGN_SCALAR, XLOGY, XLOGY_SCALAR_SELF, XLOGY_SCALAR_OTHER, HEAVISIDE,
    LOGIT, SINC, NAN_TO_NUM, ADDCMUL, ADDCDIV, SIGNBIT,
)  # fmt: skip

_copysign_tensor, _copysign_number = binary_op(COPYSIGN), binary_op(COPYSIGN_SCALAR)


@parsed("copysign")
def copysign(input: Tensor, other: Any) -> Tensor:
    """``|input|`` with the sign (bit) of ``other``, a tensor or a Python number; integer
    and bool operands compute in the default float dtype."""
    check_tensor("copysign", input)
    if isinstance(other, Tensor):
        return _copysign_tensor(input, other)
    return _copysign_number(input, other)


@parsed("xlogy")
def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 unless ``other`` is nan; either
    side (not both) may be a Python number."""
    records = (XLOGY, XLOGY_SCALAR_SELF, XLOGY_SCALAR_OTHER)
    return tensor_or_number_op("xlogy", "xlogy", records, input, other)


_heaviside = binary_op(HEAVISIDE)


@parsed("heaviside")
def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 where ``input`` < 0, 1 where > 0, ``values`` where it is 0 (nan: 0); both
    tensors of one dtype, as PyTorch requires."""
    check_tensor("heaviside", input)
    check_tensor("heaviside", values, "values")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return _heaviside(input, values)


def _unary_dtype(record: OpRecord, input: Tensor) -> dtypes.dtype:
    if input._dtype.category < FLOATING and record.int_to_float:
        return dtypes.get_default_dtype()
    return input._dtype


@parsed("logit")
def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(x / (1 - x))``; with ``eps`` (>= 0) the input is clamped to [eps, 1 - eps]
    first (a negative ``eps`` is no clamp, as in PyTorch)."""
    check_tensor("logit", input)
    if eps is not None and eps < 0:
        eps = None
    backend, dtype = input._backend, _unary_dtype(LOGIT, input)
    out = backend.kernels["logit"](array_of(input, dtype, backend), eps)
    return finish(LOGIT, out, dtype, backend, (input,), {"eps": eps})


@parsed("sinc")
def sinc(input: Tensor) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0."""
    check_tensor("sinc", input)
    backend, dtype = input._backend, _unary_dtype(SINC, input)
    out = backend.kernels["sinc"](array_of(input, dtype, backend))
    return finish(SINC, out, dtype, backend, (input,))


# The largest finite value of each floating dtype: nan_to_num's default replacements.
_LARGEST = {"float16": 65504.0, "float32": 3.4028234663852886e38, "float64": sys.float_info.max}


@parsed("nan_to_num")
def nan_to_num(
    input: Tensor,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Tensor:
    """nan, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (default: 0 and
    the dtype's largest and lowest finite values); integer and bool tensors copied."""
    check_tensor("nan_to_num", input)
    backend, dtype = input._backend, input._dtype
    a = input._storage.array
    if dtype.category < FLOATING:
        return finish(NAN_TO_NUM, backend.kernels["copy"](a), dtype, backend, (input,))
    for name, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if value is not None and not isinstance(value, (int, float)):
            raise TypeError(
                f"nan_to_num(): argument '{name}' must be float, not {type(value).__name__}"
            )
    largest = _LARGEST[dtype.name]
    posinf = largest if posinf is None else posinf
    neginf = -largest if neginf is None else neginf
    out = backend.kernels["nan_to_num"](a, 0.0 if nan is None else nan, posinf, neginf)
    return finish(NAN_TO_NUM, out, dtype, backend, (input,))


@composite(inplace=False)  # its in-place form is METHODS' float_power_
@parsed("float_power")
def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` computed in float64 (PyTorch casts the tensor operands to
    double and calls ``pow``: its nodes, ``ToCopyBackward0`` and ``PowBackward*``)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a tensor operand")
    check_operand("float_power", input, "input")
    check_operand("float_power", exponent, "exponent")
    wide = dtypes.float64
    base = input.to(wide) if isinstance(input, Tensor) else input
    power = exponent.to(wide) if isinstance(exponent, Tensor) else exponent
    return pow(base, power)


def float_power_(self: Tensor, exponent: Any) -> Tensor:
    """In place: PyTorch requires the base to be float64 already."""
    if self.dtype is not dtypes.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {dtypes.kind_name(self.dtype)} but the "
            "operation's result requires dtype Double"
        )
    return self.pow_(exponent.to(dtypes.float64) if isinstance(exponent, Tensor) else exponent)


_ADDC_INT_DIVISION = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes."
)


def _addc(record: OpRecord, input: Any, tensor1: Any, tensor2: Any, value: Any) -> Tensor:
    """``input + value * (tensor1 op tensor2)`` for ``record`` (addcmul or addcdiv): the
    three tensors broadcast and promote together; ``value`` is a Python number."""
    name = record.name
    for position, (param, t) in enumerate(
        (("input", input), ("tensor1", tensor1), ("tensor2", tensor2)), 1
    ):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{name}(): argument '{param}' (position {position}) must be Tensor, not "
                f"{type(t).__name__}"
            )
    integral = tensor1.dtype.category < FLOATING and tensor2.dtype.category < FLOATING
    if record is ADDCDIV and integral:
        raise RuntimeError(_ADDC_INT_DIVISION)
    backend = backend_of(name, input, tensor1, tensor2)
    broadcast_all(name, input, tensor1, tensor2)
    dtype = promote((input, tensor1, tensor2))
    if dtype.category < FLOATING and dtype is not dtypes.bool:
        value = int(value)  # PyTorch casts value to the integer dtype
    arrays = [array_of(t, dtype, backend) for t in (input, tensor1, tensor2)]
    out = backend.kernels[record.kernel](*arrays, value)
    return finish(record, out, dtype, backend, (input, tensor1, tensor2), {"value": value})


@parsed("addcmul")
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 * tensor2`` (broadcast, promoted)."""
    return _addc(ADDCMUL, input, tensor1, tensor2, value)


@parsed("addcdiv")
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 / tensor2`` (broadcast, promoted); integer ``tensor1``
    and ``tensor2`` are PyTorch's RuntimeError."""
    return _addc(ADDCDIV, input, tensor1, tensor2, value)


FUNCTIONS = {
    "hypot": _tensors_only(binary_op(HYPOT), "hypot"),
    "copysign": copysign,
    "xlogy": xlogy,
    "heaviside": heaviside,
    "logit": logit,
    "sinc": sinc,
    "nan_to_num": nan_to_num,
    "float_power": float_power,
    "addcmul": addcmul,
    "addcdiv": addcdiv,
    "signbit": predicate_op(SIGNBIT),
}
# float_power_ refuses a base that is not float64 before computing (not the generic
# in-place form, whose refusal would be worded for a cast).
METHODS = {"float_power_": float_power_}
