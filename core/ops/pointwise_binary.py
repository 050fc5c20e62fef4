"""Binary and ternary elementwise ops beyond arithmetic: ``atan2``, ``maximum``/``minimum``,
``div`` with a rounding mode (``//``), ``remainder`` (``%``), ``lerp`` and ``clamp``.

Each overload is one record. Broadcasting and PyTorch's type promotion come from
:func:`~retrograd.ops.elementwise._operands` and :func:`~retrograd.ops.dispatch.promote`;
the engine sums each gradient back to its input's shape.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..arguments import MISSING, parsed, public_signature, raise_error
from ..batching import physical
from ..dtypes import FLOATING
from ..tensor import Tensor
from .dispatch import array_of, backend_of, broadcast_all, check_operand, finish
from .elementwise import _binary, _operands, binary_op, where
from .elementwise import div as _true_div
from .helpers import not_implemented, zeros_on
from .product_checks import cpp_name
from .record import TERNARY, Convention, OpRecord


def _zero(g: Tensor, *saved: Any) -> Tensor:
    return zeros_on(g, tuple(g.shape))


def _recip_norm(a: Tensor, b: Tensor) -> Tensor:
    """``1 / (a² + b²)``, and 0 where both are 0: PyTorch's atan2 gradient is 0 at the
    origin, signed as ``g * b`` and ``-g * a`` (never nan)."""
    norm = a * a + b * b
    origin = norm == 0
    return where(origin, 0.0, 1 / where(origin, 1.0, norm))


def _ties(g: Tensor, a: Tensor, b: Tensor, loses: Tensor) -> Tensor:
    # PyTorch's convention for maximum/minimum: where a == b each side gets half.
    return where(loses, 0.0, where(a == b, g / 2, g))


DIV_MODE = _binary(
    "div_rounding_mode",
    "DivBackward2",
    (),
    (_zero, _zero),
    kernel="floor_divide",
    smooth=False,
    domain=(0.5, 2.0),
    doc="gradient 0 (`//` has none: see floor_divide)",
    public="div",
)
# ``//``: recorded, but PyTorch has no derivative for it (``div(rounding_mode="floor")``
# has one: 0).
FLOOR_DIVIDE = _binary(
    "floor_divide",
    "NotImplemented",
    (),
    (),
    smooth=False,
    domain=(0.5, 2.0),
    inplace=True,
    refuses_integral=True,
    no_derivative="floor_divide",
    doc="no derivative: backward raises, as in PyTorch",
)
# a - b * floor(a / b): the Python-number overload (RemainderBackward0) and the tensor one.
REMAINDER = _binary(
    "remainder",
    "RemainderBackward0",
    (),
    (lambda g: g,),
    inputs=("self",),
    smooth=False,
    inplace=True,
    refuses_integral=True,
)
REMAINDER_TENSOR = _binary(
    "remainder_tensor", "RemainderBackward1", ("self", "other"),
    (lambda g, a, b: g, lambda g, a, b: -g * div(a, b, rounding_mode="floor")),
    kernel="remainder", smooth=False, domain=(0.5, 2.0),
    doc='d/d other = -floor(self / other)', public="remainder",
)  # fmt: skip
# number % tensor: recorded, but PyTorch has no derivative for this overload.
REMAINDER_SCALAR_SELF = _binary(
    "remainder_scalar_self", "NotImplemented", (), (), kernel="remainder", smooth=False,
    inputs=("other",),
    domain=(0.5, 2.0), public="remainder", no_derivative="remainder",
    doc="no derivative: backward raises, as in PyTorch",
)  # fmt: skip
ATAN2 = _binary(
    "atan2",
    "Atan2Backward0",
    ("self", "other"),
    (lambda g, a, b: g * b * _recip_norm(a, b), lambda g, a, b: g * -a * _recip_norm(a, b)),
    int_to_float=True,
    domain=(0.25, 2.0),  # away from the branch cut and the origin
    inplace=True,
    doc="at (0, 0): gradients 0 with the signs of g * other and -g * self (not nan)",
    conventions=(
        Convention(([0.0, 0.0, -0.0], [0.0, -0.0, 0.0]), ([0.0, -0.0, 0.0], [-0.0, -0.0, 0.0])),
    ),
)
MAXIMUM = _binary(
    "maximum",
    "MaximumBackward0",
    ("self", "other"),
    (lambda g, a, b: _ties(g, a, b, a < b), lambda g, a, b: _ties(g, a, b, a > b)),
    smooth=False,
    doc="ties: each side gets half",
    conventions=(
        Convention(([1.0, 2.0, 3.0], [1.0, 0.0, 5.0]), ([0.5, 1.0, 0.0], [0.5, 0.0, 1.0])),
    ),
)
MINIMUM = _binary(
    "minimum",
    "MinimumBackward0",
    ("self", "other"),
    (lambda g, a, b: _ties(g, a, b, a > b), lambda g, a, b: _ties(g, a, b, a < b)),
    smooth=False,
    doc="ties: each side gets half",
    conventions=(
        Convention(([1.0, 2.0, 3.0], [1.0, 0.0, 5.0]), ([0.5, 0.0, 1.0], [0.5, 1.0, 0.0])),
    ),
)
# log(exp(self) + exp(other)), each side's share of the sum as its gradient (PyTorch's
# formula: nan where both are -inf).
LOGADDEXP = _binary(
    "logaddexp",
    "LogaddexpBackward0",
    ("self", "other"),
    (lambda g, a, b: g / (1 + (b - a).exp()), lambda g, a, b: g / (1 + (a - b).exp())),
    float_only=True,
)
# Ops of two tensors (a Python number operand is PyTorch's TypeError).
TENSOR_PAIR_RECORDS = (MAXIMUM, MINIMUM, LOGADDEXP)
# lerp(self, end, weight) = self + weight * (end - self); a Python number weight ...
LERP = _binary(
    "lerp",
    "LerpBackward0",
    ("weight",),
    (lambda g, w: g * (1 - w), lambda g, w: g * w),
    inputs=("self", "end"),
    inplace=True,
    float_only=True,
)
# ... or a tensor weight, which gets a gradient too.
LERP_TENSOR = OpRecord(
    "lerp_tensor",
    TERNARY,
    "LerpBackward1",
    "lerp",
    inputs=("self", "end", "weight"),
    save=("self", "end", "weight"),
    grads=(
        lambda g, a, b, w: g * (1 - w),
        lambda g, a, b, w: g * w,
        lambda g, a, b, w: g * (b - a),
    ),
    public="lerp",
    float_only=True,
)
RECORDS = (
    DIV_MODE, FLOOR_DIVIDE, REMAINDER, REMAINDER_TENSOR, REMAINDER_SCALAR_SELF, ATAN2,
    *TENSOR_PAIR_RECORDS, LERP, LERP_TENSOR,
)  # fmt: skip

_ROUNDING_KERNELS = {"floor": "floor_divide", "trunc": "trunc_divide"}
# PyTorch's names of those kernels, as its dtype refusals spell them ("div_floor_cpu").
_TORCH_KERNELS = {
    "floor_divide": "div_floor",
    "trunc_divide": "div_trunc",
    "remainder": "remainder",
    "fmod": "fmod",
}


@parsed("div")
def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other``; ``rounding_mode`` "floor" or "trunc" rounds the quotient (and
    keeps integer dtypes, as PyTorch: see :func:`_rounded` for integer division by zero)."""
    if rounding_mode is None:
        return _true_div(input, other)
    kernel = _ROUNDING_KERNELS.get(rounding_mode)
    if kernel is None:
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"{rounding_mode!r}"
        )
    return _rounded(DIV_MODE, kernel, input, other)


@parsed("remainder")
def remainder(input: Any, other: Any) -> Tensor:
    """``input - other * floor(input / other)`` (the sign of ``other``, as Python's %);
    integer division by zero as :func:`_rounded` says."""
    if not isinstance(input, Tensor):
        record = REMAINDER_SCALAR_SELF
    else:
        record = REMAINDER_TENSOR if isinstance(other, Tensor) else REMAINDER
    return _rounded(record, "remainder", input, other)


@parsed("floor_divide")
def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``: the quotient rounded toward minus infinity (PyTorch has no
    derivative for it: a backward through it raises)."""
    return _rounded(FLOOR_DIVIDE, "floor_divide", input, other)


def _rounded(record: OpRecord, kernel: str, input: Any, other: Any) -> Tensor:
    """``kernel(input, other)`` (a rounding division or a remainder) as ``record``.

    Floating dtypes follow IEEE (inf, nan) and cost no check. An integral computation
    dtype raises as PyTorch does: ``RuntimeError("ZeroDivisionError")`` where the divisor
    (tensor or Python number) holds a zero and the result is not empty, and
    NotImplementedError where both operands are bool (PyTorch has no bool kernel)."""
    backend, dtype, a, b = _operands(record, input, other)
    if dtype.category < FLOATING:
        b = _check_integral_divisor(kernel, backend, dtype, a, b)
    # A one-input record of ``number % tensor`` has the tensor as its input.
    operands = (
        (other,) if len(record.inputs) == 1 and not isinstance(input, Tensor) else (input, other)
    )
    return finish(record, backend.kernels[kernel](a, b), dtype, backend, operands)


def _check_integral_divisor(kernel: str, backend: Any, dtype: dtypes.dtype, a: Any, b: Any) -> Any:
    """The refusals :func:`_rounded` documents, for an integral or bool ``dtype``: ``b``,
    with the zero check attached where it is an array (``checked``: a lazy backend raises
    when the quotient is computed)."""
    if dtype is dtypes.bool:
        raise not_implemented(_TORCH_KERNELS[kernel], backend, dtype)
    if 0 in getattr(a, "shape", ()) or 0 in getattr(b, "shape", ()):
        return b  # an empty result divides nothing (PyTorch does not raise either)
    if hasattr(b, "shape"):
        k = backend.kernels
        return k["checked"](b, _zero_divisor, k["any"](k["equal"](physical(b), 0)))
    _zero_divisor(b == 0)
    return b


def _zero_divisor(zero: bool) -> None:
    if zero:
        # PyTorch's exact message (NumPy would warn and return 0; JAX returns values).
        raise RuntimeError("ZeroDivisionError")


def _tensors_only(fn: Any, name: str) -> Any:
    call_name, as_method = name, False  # closure cells: see arguments.twin

    def op(input: Any = MISSING, other: Any = MISSING, *extra: Any) -> Tensor:
        if extra or not isinstance(input, Tensor) or not isinstance(other, Tensor):
            given = (other, *extra) if as_method else (input, other, *extra)
            raise_error(call_name, given, None, as_method)
            raise TypeError(f"{call_name}(): expected two tensors")
        return fn(input, other)

    op.__name__ = op.__qualname__ = name
    op.record = fn.record  # type: ignore[attr-defined] # the facts in_place_methods reads
    return public_signature(op)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """``input + weight * (end - input)``, floating tensors of one dtype."""
    check_operand("lerp", weight, "weight")
    for name, value in (("input", input), ("end", end)):
        if not isinstance(value, Tensor):
            raise TypeError(f"lerp(): argument '{name}' must be Tensor, not {type(value).__name__}")
    if end.dtype is not input.dtype:
        raise RuntimeError(
            f"expected dtype {cpp_name(input.dtype)} for `end` but got dtype "
            f"{cpp_name(end.dtype)} (in lerp())"
        )
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"lerp\" not implemented for '{dtypes.kind_name(input.dtype)}'")
    backend, dtype = backend_of("lerp", input, end, weight), input.dtype
    broadcast_all("lerp", input, end, weight)
    a, b = input._storage.array, end._storage.array
    if isinstance(weight, Tensor):
        out = backend.kernels["lerp"](a, b, array_of(weight, dtype, backend))
        return finish(LERP_TENSOR, out, dtype, backend, (input, end, weight))
    out = backend.kernels["lerp"](a, b, weight)
    return finish(LERP, out, dtype, backend, (input, end), {"weight": weight})


FUNCTIONS = {
    "div": div,
    "divide": div,
    "floor_divide": floor_divide,
    "remainder": remainder,
    # PyTorch's atan2 has no Python-number overload (``x.atan2(1.5)`` is its TypeError).
    "atan2": _tensors_only(binary_op(ATAN2), "atan2"),
    "arctan2": _tensors_only(binary_op(ATAN2), "arctan2"),
    **{r.name: _tensors_only(binary_op(r), r.name) for r in TENSOR_PAIR_RECORDS},
    "lerp": lerp,
}
