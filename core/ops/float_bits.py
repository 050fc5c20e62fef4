"""Floating-point bit functions: ``ldexp`` (``input * 2 ** other``), ``frexp`` (mantissa
and exponent) and ``nextafter`` (the neighbouring float), each PyTorch's one node
(``LdexpBackward0``, ``FrexpBackward0``, ``NextafterBackward0``) with its gradient:
``ldexp``'s is the scale (and ``result * log 2`` for a floating ``other``), ``frexp``'s
mantissa ``grad / 2 ** exponent``, ``nextafter``'s the identity for ``input``, zero for
``other``.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .elementwise import _binary, binary_op, pow
from .helpers import check_tensor
from .pointwise_binary import _tensors_only
from .record import CONVERSION, OpRecord

LN2 = math.log(2.0)

LDEXP = _binary(
    "ldexp", "LdexpBackward0", ("other", "result"),
    (lambda g, other, r: g * pow(2.0, other), lambda g, other, r: g * r * LN2),
    inplace=True, int_to_float=True, doc="input * 2 ** other; other's gradient result * log(2)",
)  # fmt: skip
NEXTAFTER = _binary(
    "nextafter", "NextafterBackward0", (), (lambda g: g, lambda g: g * 0),
    float_only=True, inplace=True, smooth=False,
    doc="the next float after input towards other; gradient: 1 for input, 0 for other",
)  # fmt: skip
# A conversion (of a float into its parts): PyTorch refuses integer inputs with a
# RuntimeError, not the NotImplementedError of a float-only unary op.
FREXP = OpRecord(
    "frexp", CONVERSION, "FrexpBackward0", "frexp", save=("exponent",),
    grads=(lambda g, exponent: g / pow(2.0, exponent),),
    doc="(mantissa, int32 exponent); the mantissa's gradient grad / 2 ** exponent",
    smooth=False,
)  # fmt: skip
RECORDS = (LDEXP, NEXTAFTER, FREXP)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2 ** other`` (an integer result is the default float dtype)."""
    for name, value, position in (("input", input, 1), ("other", other, 2)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"ldexp(): argument '{name}' (position {position}) must be Tensor, not "
                f"{type(value).__name__}"
            )
    with no_grad():
        floating = other.dtype.is_floating_point
        exponent = other if floating else other.to(dtypes.get_default_dtype())
        out = input * pow(2.0, exponent)
    if not out.dtype.is_floating_point:
        out = out.to(dtypes.get_default_dtype())
    return finish(LDEXP, out._storage.array, out.dtype, out._backend, (input, other), {})


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
    "nextafter": _tensors_only(binary_op(NEXTAFTER), "nextafter"),
    "frexp": frexp,
}
