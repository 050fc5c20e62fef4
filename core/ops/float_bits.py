"""Floating-point bit functions: ``ldexp`` (``input * 2 ** other``), ``frexp`` (mantissa
and exponent) and ``nextafter`` (the neighbouring float), each PyTorch's one node
(``LdexpBackward0``, ``FrexpBackward0``, ``NextafterBackward0``) with its gradient:
``ldexp``'s is the scale (an integer power for an integer ``other``, so 0 at negative
exponents, as PyTorch's) and ``result * log 2`` for a floating ``other``; ``frexp``'s
mantissa ``grad / 2 ** exponent``; ``nextafter``'s the identity for ``input`` (0 where
``input == other``), zero for ``other``.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .elementwise import _binary, binary_op, pow, where
from .helpers import check_tensor
from .record import CONVERSION, OpRecord

LN2 = math.log(2.0)


def _ldexp_self_grad(g: Tensor, other: Tensor, r: Tensor) -> Tensor:
    """PyTorch's: ``grad * 2 ** other``, the power in ``other``'s dtype: for (64-bit)
    integers C's integer power, 0 at a negative exponent and wrapped around past 62
    (-2 ** 63 at 63, 0 from 64 on); computed in floats, where powers of two are exact
    and no backend's integer power decides the wrap."""
    if other.dtype.is_floating_point:
        return g * pow(2.0, other)
    power = pow(2.0, other.clamp(0, 63).to(g.dtype))
    wrapped = where(other == 63, -power, power)
    return g * where((other < 0) | (other > 63), 0.0, wrapped)


LDEXP = _binary(
    "ldexp", "LdexpBackward0", ("other", "result"),
    (_ldexp_self_grad, lambda g, other, r: g * r * LN2),
    inplace=True, int_to_float=True,
    doc="input * 2 ** other; grads: 2 ** other (integer power for integer other), result * log 2",
)  # fmt: skip
NEXTAFTER = _binary(
    "nextafter", "NextafterBackward0", ("self", "other"),
    (lambda g, a, b: where(a == b, 0.0, g), lambda g, a, b: g * 0),
    float_only=True, inplace=True, smooth=False,
    doc="the next float after input towards other; gradient: 1 for input (0 where input == "
    "other), 0 for other",
)  # fmt: skip
FREXP = OpRecord(
    "frexp", CONVERSION, "FrexpBackward0", "frexp", save=("exponent",),
    grads=(lambda g, exponent: g / pow(2.0, exponent),),
    doc="(mantissa, int32 exponent); the mantissa's gradient grad / 2 ** exponent",
    smooth=False,
)  # fmt: skip
RECORDS = (LDEXP, NEXTAFTER, FREXP)


def _tensors(op: str, input: Any, other: Any) -> None:
    for name, value, position in (("input", input, 1), ("other", other, 2)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{op}(): argument '{name}' (position {position}) must be Tensor, not "
                f"{type(value).__name__}"
            )


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2 ** other`` in the operands' promoted dtype (integers: the default
    float dtype)."""
    _tensors("ldexp", input, other)
    dtype = dtypes.promote_types(input.dtype, other.dtype)
    if not dtype.is_floating_point:
        dtype = dtypes.get_default_dtype()
    with no_grad():
        out = input.to(dtype) * pow(2.0, other.to(dtype))
    return finish(LDEXP, out._storage.array, dtype, out._backend, (input, other), {})


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next float after ``input`` towards ``other``, elementwise (floats only)."""
    _tensors("nextafter", input, other)
    return _nextafter(input, other)


_nextafter = binary_op(NEXTAFTER)


def frexp(input: Tensor) -> Any:
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent``, the mantissa
    in [0.5, 1) (signed; 0, inf and nan kept, with exponent 0), the exponent int32."""
    check_tensor("frexp", input)
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    backend = input._backend
    mantissa, exponent = backend.kernels["frexp"](input._storage.array)
    exponent = Tensor._make(exponent, dtypes.int32, backend)
    out = finish(FREXP, mantissa, input._dtype, backend, (input,), {"exponent": exponent})
    return return_types.frexp(out, exponent)


FUNCTIONS = {
    "ldexp": ldexp,
    "nextafter": nextafter,
    "frexp": frexp,
}
