"""PyTorch's behaviour where math leaves a choice, pinned per op as conformance data.

:data:`CONVENTIONS`: the gradient at non-differentiable points (each record's ``kinks``,
ties of max/min, clamp bounds, zeros of products and norms). A record that declares
kinks must have an entry here (``test_meta.py`` checks). :data:`NO_INTEGER`: the ops
PyTorch refuses integer tensors for; :func:`refuses`: every refusal of a dtype.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from retrograd.ops.record import OpRecord

from .entries import Convention
from .samples import FLOAT_DTYPES, integer_only

# Ops PyTorch refuses for integer tensors (NotImplementedError: "... not implemented for
# 'Long'"): their int64 forward case checks that refusal.
NO_INTEGER = {"frac", "lerp", "lerp_tensor"}


def refuses(record: OpRecord, dtype: str) -> bool:
    """Whether PyTorch refuses the op for ``dtype`` inputs with NotImplementedError: the
    integer dtypes for :data:`NO_INTEGER`, the float dtypes for the integer-only (bitwise)
    ops."""
    if dtype in FLOAT_DTYPES:
        return integer_only(record)
    return record.name in NO_INTEGER


def at_kinks(grad: float, params: tuple = ()) -> Callable[[OpRecord], Convention]:
    """The convention "the gradient is ``grad`` at each of the record's kinks"."""

    def build(record: OpRecord) -> Convention:
        points = np.asarray(record.kinks, dtype=np.float64)
        return Convention((points,), (np.full_like(points, grad),), params)

    return build


def _a(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


_Z3 = np.zeros(3)
_TIES, _SPLIT = _a(1, 3, 3, 2), _a(0, 0.5, 0.5, 0)  # a maximum taken twice; even split
_X, _Y = _a(1, 2, 3), _a(1, 0, 5)  # tied at the first element
_B = _a(-0.5, 0.5, 0, 1)  # clamp inputs: the bounds -0.5 and 0.5, inside, above
_ALL = (("dim", None), ("keepdim", False))

CONVENTIONS: dict[str, tuple[Convention | Callable[[OpRecord], Convention], ...]] = {
    "abs": (at_kinks(0.0),),  # sign(0) = 0
    "sign": (at_kinks(0.0),),
    "relu": (at_kinks(0.0),),  # relu'(0) = 0
    "leaky_relu": (at_kinks(0.2, (("negative_slope", 0.2),)),),  # the negative side's
    "elu": (at_kinks(0.5, (("alpha", 0.5),)),),  # the negative side's: alpha
    # Step functions: gradient 0 everywhere, at the steps too; frac = x - trunc(x): 1.
    "floor": (at_kinks(0.0),),
    "ceil": (at_kinks(0.0),),
    "trunc": (at_kinks(0.0),),
    "round": (at_kinks(0.0),),
    "frac": (at_kinks(1.0),),
    # Ties: elementwise max/min and full reductions split the gradient evenly; max(dim)
    # gives it all to the index it returns (the first).
    "maximum": (Convention((_X, _Y), (_a(0.5, 1, 0), _a(0.5, 0, 1))),),
    "minimum": (Convention((_X, _Y), (_a(0.5, 0, 1), _a(0.5, 1, 0))),),
    "max": (Convention((_TIES,), (_SPLIT,)),),
    "min": (Convention((-_TIES,), (_SPLIT,)),),
    "amax": (Convention((_TIES,), (_SPLIT,), (("dim", 0), ("keepdim", False))),),
    "amin": (Convention((-_TIES,), (_SPLIT,), (("dim", 0), ("keepdim", False))),),
    "max_dim": (Convention((_TIES,), (_a(0, 1, 0, 0),), (("dim", 0), ("keepdim", False))),),
    "min_dim": (Convention((-_TIES,), (_a(0, 1, 0, 0),), (("dim", 0), ("keepdim", False))),),
    # Clamping passes the gradient at the bounds themselves (they are inclusive).
    "clamp": (Convention((_B,), (_a(1, 1, 1, 0),), (("min", -0.5), ("max", 0.5))),),
    "clamp_min": (Convention((_B,), (_a(0, 1, 0, 1),), (("min", 0.5),)),),
    "clamp_max": (Convention((_B,), (_a(1, 1, 1, 0),), (("max", 0.5),)),),
    "clamp_tensor": (
        Convention(
            (_B, _a(-0.5, -0.5, 0, 2), _a(0.5, 0.5, 0, 3)),
            (_a(1, 1, 1, 0), _a(0, 0, 0, 1), np.zeros(4)),
        ),
    ),  # fmt: skip
    # Products at zeros: the product of the others (0 with two zeros).
    "prod": (Convention((_a(0, 2, 3),), (_a(6, 0, 0),)), Convention((_a(0, 0, 3),), (_Z3,))),
    "prod_dim": (
        Convention(
            (np.array([[0.0, 2], [3, 4], [0, 0]]),),
            (np.array([[2.0, 0], [4, 3], [0, 0]]),),
            (("dim", 1), ("keepdim", False)),
        ),
    ),  # fmt: skip
    "cumprod": (Convention((_a(0, 2, 3),), (_a(9, 0, 0),), (("dim", 0),)),),
    # The spread of equal values is 0, and so is its gradient (not nan).
    "std": (Convention((_a(2, 2, 2),), (_Z3,), (*_ALL, ("correction", 1))),),
    # The gradient of a zero norm is 0, not nan.
    "norm": (Convention((_Z3,), (_Z3,), (("p", 2), *_ALL)),),
    # x ** 0 has gradient 0 everywhere, at x = 0 too (not 0 * 0 ** -1 = nan).
    "pow": (Convention((_Z3,), (_Z3,), (("exponent", 0),)),),
    # 0 ** e with e >= 0: d/de is 0, not nan from 0 * log(0).
    "pow_tensor": (Convention((_Z3, np.full(3, 2.0)), (_Z3, _Z3)),),
}


def conventions(record: OpRecord) -> tuple[Convention, ...]:
    """The record's pinned conventions, with those stated "at the kinks" made concrete."""
    pinned = CONVENTIONS.get(record.name, ())
    return tuple(c if isinstance(c, Convention) else c(record) for c in pinned)
