"""Unary math: exponentials and logarithms, trigonometry, ``erf``, and rounding.

Each op is one record (built into function, method and in-place method by
:func:`~retrograd.ops.elementwise.unary_op`). Integer and bool inputs compute in the
default float dtype where PyTorch's do (``int_to_float``); rounding keeps integers.
"""

from __future__ import annotations

import math
from typing import Any

from .dispatch import finish
from .elementwise import POSITIVE, _unary, pow, unary_op
from .helpers import zeros_on
from .record import BINARY, AtKinks, OpRecord, composite

LN2, LN10 = math.log(2.0), math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
UNIT = (-1.0, 1.0)  # asin and acos: defined on [-1, 1], infinite slopes at the ends
INTEGERS = (-2.0, -1.0, 0.0, 1.0, 2.0)  # the jumps of floor/ceil/trunc/frac that are sampled
HALVES = (-1.5, -0.5, 0.5, 1.5)  # round's jumps


def _zero_grad(g: Any) -> Any:
    # PyTorch's convention for piecewise-constant ops: a zero gradient everywhere (the
    # jumps included), not connected to ``g`` (so no second-order graph either).
    return zeros_on(g, tuple(g.shape))


MATH_RECORDS = (
    _unary("exp2", "Exp2Backward0", ("result",), lambda g, r: g * (r * LN2), int_to_float=True),
    _unary("expm1", "Expm1Backward0", ("result",), lambda g, r: g * (r + 1), int_to_float=True),
    _unary(
        "log2",
        "Log2Backward0",
        ("self",),
        lambda g, a: g / (a * LN2),
        int_to_float=True,
        domain=POSITIVE,
    ),
    _unary(
        "log10",
        "Log10Backward0",
        ("self",),
        lambda g, a: g / (a * LN10),
        int_to_float=True,
        domain=POSITIVE,
    ),
    _unary(
        "log1p",
        "Log1PBackward0",
        ("self",),
        lambda g, a: g / (a + 1),
        int_to_float=True,
        domain=(-1.0, math.inf),
    ),
    _unary(
        "rsqrt",
        "RsqrtBackward0",
        ("result",),
        lambda g, r: g * (-0.5 * r * r * r),
        int_to_float=True,
        domain=POSITIVE,
    ),
    _unary(
        "tan",
        "TanBackward0",
        ("result",),
        lambda g, r: g * (1 + r * r),
        int_to_float=True,
        domain=(-1.2, 1.2),
    ),  # away from the poles at +-pi/2
    _unary(
        "asin",
        "AsinBackward0",
        ("self",),
        lambda g, a: g / (1 - a * a).sqrt(),
        int_to_float=True,
        domain=UNIT,
    ),
    _unary(
        "acos",
        "AcosBackward0",
        ("self",),
        lambda g, a: -g / (1 - a * a).sqrt(),
        int_to_float=True,
        domain=UNIT,
    ),
    _unary("atan", "AtanBackward0", ("self",), lambda g, a: g / (1 + a * a), int_to_float=True),
    _unary("sinh", "SinhBackward0", ("self",), lambda g, a: g * a.cosh(), int_to_float=True),
    _unary("cosh", "CoshBackward0", ("self",), lambda g, a: g * a.sinh(), int_to_float=True),
    _unary(
        "erf",
        "ErfBackward0",
        ("self",),
        lambda g, a: g * (TWO_OVER_SQRT_PI * (-(a * a)).exp()),
        int_to_float=True,
    ),
)


def _rounding(name: str, grad_fn: str, kinks: tuple) -> OpRecord:
    return _unary(name, grad_fn, (), _zero_grad, kinks=kinks, smooth=False, accepts_bool=False,
                  doc="gradient 0 everywhere, the jumps included",
                  conventions=(AtKinks(0.0),))  # fmt: skip


ROUNDING_RECORDS = (
    _rounding("floor", "FloorBackward0", INTEGERS),
    _rounding("ceil", "CeilBackward0", INTEGERS),
    _rounding("trunc", "TruncBackward0", INTEGERS),
    _rounding("round", "RoundBackward0", HALVES),  # half to even, as PyTorch rounds
    # x - trunc(x): PyTorch's gradient is 1 everywhere, at the jumps too.
    _unary(
        "frac",
        "FracBackward0",
        (),
        lambda g: g,
        kinks=INTEGERS,
        smooth=False,
        doc="gradient 1 everywhere, the jumps included",
        float_only=True,
        conventions=(AtKinks(1.0),),
    ),  # fmt: skip
)

# round(decimals=d), a tensor and a Python number like ``pow``'s scalar overload:
# PyTorch's RoundBackward1, a zero gradient like round's.
ROUND_DECIMALS = OpRecord(
    "round_decimals",
    BINARY,
    "RoundBackward1",
    "round_decimals",
    grads=(_zero_grad,),
    smooth=False,
    doc="gradient 0 everywhere",
    public="round",
)
RECORDS = (*MATH_RECORDS, *ROUNDING_RECORDS, ROUND_DECIMALS)

_round = unary_op(ROUNDING_RECORDS[3])


def round(input: Any, *, decimals: Any = None) -> Any:  # noqa: A001 - PyTorch's name
    """Round half to even; with ``decimals`` (0 included: PyTorch's other overload), at
    that many decimal places."""
    if decimals is None:
        return _round(input)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"round\" with decimals not implemented for '{input.dtype}': convert with "
            ".float() first"
        )
    array = input._backend.kernels["round_decimals"](input._storage.array, decimals)
    return finish(ROUND_DECIMALS, array, input._dtype, input._backend, (input,))


@composite(inplace=True)
def square(input: Any) -> Any:
    """``input ** 2`` (PyTorch records it as PowBackward0); bool squares to int64."""
    if getattr(input, "dtype", None) is not None and input.dtype.name == "bool":
        input = input.long()
    return pow(input, 2)


FUNCTIONS = {
    **{r.name: unary_op(r) for r in (*MATH_RECORDS, *ROUNDING_RECORDS)},
    "round": round,
    "square": square,
    "fix": unary_op(ROUNDING_RECORDS[2]),
    "arcsin": unary_op(MATH_RECORDS[7]),
    "arccos": unary_op(MATH_RECORDS[8]),
    "arctan": unary_op(MATH_RECORDS[9]),
}
