"""More pointwise math: ``acosh``/``asinh``/``atanh`` (and their ``arc*`` aliases),
``deg2rad``/``rad2deg``, ``sgn``, ``absolute``, ``positive``, ``fmod``, ``fmax``/``fmin``,
``logaddexp2`` and ``erfc``.

Each overload PyTorch differentiates with a node of its own is one record with that
node's name and PyTorch's derivative formula; ``absolute`` is ``abs`` under another name
(``AbsBackward0``) and ``positive`` returns its input, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..arguments import parsed
from ..tensor import Tensor
from .elementwise import UNARY_RECORDS, _binary, _unary, binary_op, unary_op, where
from .helpers import check_tensor
from .inplace import inplace
from .pointwise_binary import _rounded, div
from .record import AtKinks, composite

DEGREE = math.pi / 180.0
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# -- unary -----------------------------------------------------------------------------------
# Their in-place forms are the ACOSH_RESULT... records below (METHODS), not derived.
ACOSH = _unary(
    "acosh", "AcoshBackward0", ("self",), lambda g, a: g * (a * a - 1).rsqrt(),
    int_to_float=True, domain=(1.0, math.inf), doc="d/dx = 1 / sqrt(x^2 - 1)", inplace=False,
)  # fmt: skip
ASINH = _unary(
    "asinh", "AsinhBackward0", ("self",), lambda g, a: g * (a * a + 1).rsqrt(),
    int_to_float=True, doc="d/dx = 1 / sqrt(x^2 + 1)", inplace=False,
)  # fmt: skip
ATANH = _unary(
    "atanh", "AtanhBackward0", ("self",), lambda g, a: g * (1 / (1 - a * a)),
    int_to_float=True, domain=(-1.0, 1.0), doc="d/dx = 1 / (1 - x^2)", inplace=False,
)  # fmt: skip
# ``acosh_``/``asinh_``/``atanh_`` overwrite their input, so PyTorch records them as the
# "1" nodes (AcoshBackward1, ...). PyTorch's have no derivative (a backward raises
# NotImplementedError); these differentiate from the saved result instead, which gives
# the same gradient as the out-of-place op: retrograd computes where PyTorch refuses.
ACOSH_RESULT = _unary(
    "acosh_result", "AcoshBackward1", ("result",), lambda g, r: g / r.sinh(),
    kernel="acosh", int_to_float=True, domain=(1.0, math.inf), public="acosh", method=False,
    inplace=False,
    doc="acosh_ (from the result): d/dx = 1 / sinh(acosh(x))",
)  # fmt: skip
ASINH_RESULT = _unary(
    "asinh_result", "AsinhBackward1", ("result",), lambda g, r: g / r.cosh(),
    kernel="asinh", int_to_float=True, public="asinh", method=False, inplace=False,
    doc="asinh_ (from the result): d/dx = 1 / cosh(asinh(x))",
)  # fmt: skip
ATANH_RESULT = _unary(
    "atanh_result", "AtanhBackward1", ("result",), lambda g, r: g * r.cosh().square(),
    kernel="atanh", int_to_float=True, domain=(-1.0, 1.0), public="atanh", method=False,
    inplace=False,
    doc="atanh_ (from the result): d/dx = cosh(atanh(x))^2",
)  # fmt: skip
DEG2RAD = _unary(
    "deg2rad", "Deg2RadBackward0", (), lambda g: g * DEGREE, int_to_float=True,
    doc="x * pi / 180",
)  # fmt: skip
RAD2DEG = _unary(
    "rad2deg", "Rad2DegBackward0", (), lambda g: g * (1 / DEGREE), int_to_float=True,
    doc="x * 180 / pi",
)  # fmt: skip
# PyTorch's formula: -2 / sqrt(pi) * exp(-x^2) * grad.
ERFC = _unary(
    "erfc", "ErfcBackward0", ("self",), lambda g, a: g * (-TWO_OVER_SQRT_PI * (-(a * a)).exp()),
    int_to_float=True, doc="1 - erf(x), accurate in the tails; d/dx = -2/sqrt(pi) exp(-x^2)",
)  # fmt: skip
# For real tensors sgn is sign under its own node (it differs only for complex ones).
SGN = _unary(
    "sgn", "SgnBackward0", (), lambda g: g * 0, kernel="sign", kinks=(0.0,), smooth=False,
    doc="sign for real tensors; gradient 0 everywhere", conventions=(AtKinks(0.0),),
)  # fmt: skip

# -- binary ----------------------------------------------------------------------------------
# C's fmod (the sign of self): the Python-number overload (FmodBackward0) and the tensor
# one (FmodBackward1, d/d other = -trunc(self / other)).
FMOD = _binary(
    "fmod", "FmodBackward0", (), (lambda g: g,), inputs=("self",), smooth=False, inplace=True,
    refuses_integral=True,
)  # fmt: skip
FMOD_TENSOR = _binary(
    "fmod_tensor", "FmodBackward1", ("self", "other"),
    (lambda g, a, b: g, lambda g, a, b: -g * div(a, b, rounding_mode="trunc")),
    kernel="fmod", smooth=False, domain=(0.5, 2.0), public="fmod",
    doc="d/d other = -trunc(self / other)",
)  # fmt: skip


def _takes_self(a: Tensor, b: Tensor, pick_self: Tensor) -> Tensor:
    # PyTorch's rule: self's side where it won (ties included) or other is nan.
    return pick_self.logical_or(b.isnan())


FMAX = _binary(
    "fmax", "FmaxBackward0", ("self", "other"),
    (
        lambda g, a, b: where(_takes_self(a, b, a >= b), g, 0.0),
        lambda g, a, b: where(_takes_self(a, b, a >= b), 0.0, g),
    ),
    smooth=False, doc="the maximum ignoring nan; a tie's gradient goes to self",
)  # fmt: skip
FMIN = _binary(
    "fmin", "FminBackward0", ("self", "other"),
    (
        lambda g, a, b: where(_takes_self(a, b, a <= b), g, 0.0),
        lambda g, a, b: where(_takes_self(a, b, a <= b), 0.0, g),
    ),
    smooth=False, doc="the minimum ignoring nan; a tie's gradient goes to self",
)  # fmt: skip
LOGADDEXP2 = _binary(
    "logaddexp2", "Logaddexp2Backward0", ("self", "other"),
    (lambda g, a, b: g / (1 + (b - a).exp2()), lambda g, a, b: g / (1 + (a - b).exp2())),
    float_only=True, doc="log2(2^x + 2^y)",
)  # fmt: skip

RECORDS = (
    ACOSH, ASINH, ATANH, ACOSH_RESULT, ASINH_RESULT, ATANH_RESULT, DEG2RAD, RAD2DEG, SGN,
    FMOD, FMOD_TENSOR, FMAX, FMIN, LOGADDEXP2, ERFC,
)  # fmt: skip


@parsed("fmod")
def fmod(input: Tensor, other: Any) -> Tensor:
    """C's ``fmod``: ``input - other * trunc(input / other)``, with ``input``'s sign;
    ``other`` a tensor or a Python number. Integer division by zero raises, as PyTorch."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"fmod() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of:"
        )
    return _rounded(FMOD_TENSOR if isinstance(other, Tensor) else FMOD, "fmod", input, other)


def _tensors_pair(record: Any) -> Any:
    """``fmax``/``fmin``: both operands must be tensors (PyTorch has no number overload)."""
    op = binary_op(record)

    def pair(input: Tensor, other: Tensor) -> Tensor:
        for position, (name, value) in enumerate((("input", input), ("other", other)), 1):
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"{record.name}(): argument '{name}' (position {position}) must be Tensor, "
                    f"not {type(value).__name__}"
                )
        return op(input, other)

    pair.__name__ = pair.__qualname__ = record.name
    pair.__doc__ = f"{record.doc}."
    pair.record = record  # type: ignore[attr-defined]
    return pair


@composite()
def positive(input: Tensor) -> Tensor:
    """``input`` itself (``+input``); PyTorch refuses bool tensors."""
    check_tensor("positive", input)
    if input.dtype is dtypes.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


_ABS = next(r for r in UNARY_RECORDS if r.name == "abs")
_arc = {"arccosh": ACOSH, "arcsinh": ASINH, "arctanh": ATANH}

FUNCTIONS = {
    **{r.name: unary_op(r) for r in (ACOSH, ASINH, ATANH, DEG2RAD, RAD2DEG, SGN, ERFC)},
    **{alias: unary_op(r) for alias, r in _arc.items()},
    "absolute": unary_op(_ABS),
    "positive": positive,
    "fmod": fmod,
    "fmax": _tensors_pair(FMAX),
    "fmin": _tensors_pair(FMIN),
    "logaddexp2": binary_op(LOGADDEXP2),
}

acosh_result, asinh_result, atanh_result = (
    unary_op(r) for r in (ACOSH_RESULT, ASINH_RESULT, ATANH_RESULT)
)
_IN_PLACE = {
    "acosh_": inplace("acosh_", acosh_result, False),
    "asinh_": inplace("asinh_", asinh_result, False),
    "atanh_": inplace("atanh_", atanh_result, False),
}
METHODS = {
    **_IN_PLACE,
    "arccosh_": _IN_PLACE["acosh_"],
    "arcsinh_": _IN_PLACE["asinh_"],
    "arctanh_": _IN_PLACE["atanh_"],
}
