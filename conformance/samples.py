"""Sample-argument builders: a record's kind, domain and kinks -> the arguments of a case.

A builder is ``builder(record, draw, dtype) -> Sample``. It asks ``draw`` (fixed or
hypothesis, see :mod:`retrograd_conformance.draws`) for shapes, parameter choices and
values, and returns float64 arrays for the op's tensor inputs plus the other arguments.
The same :class:`Sample` feeds the retrograd call and the reference function, so
arguments are typed once. The default builder of each kind is in :data:`BY_KIND`;
:mod:`retrograd_conformance.table` names the builder of every op that needs its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from retrograd.ops.bitwise import BITWISE
from retrograd.ops.record import BINARY, COMPARISON, CONVERSION, REDUCTION, UNARY, OpRecord

FLOAT_DTYPES = ("float32", "float64")
# The dtypes of the ops that compute on integer and bool tensors only (:func:`integer_only`).
INTEGER_DTYPES = ("int64", "bool")
TERNARY = "ternary"  # ``where``, ``lerp``, ``clamp`` (no constant in the records module)


@dataclass(frozen=True)
class Sample:
    """One case's arguments: ``arrays`` are the op's tensor inputs (float64 values, cast
    to the case's dtype by the harness); ``params`` the other arguments (a NumPy array
    among them becomes a non-differentiable tensor or ``xp`` array); ``out_dtype`` the
    result's dtype when it is not the inputs' (``to``)."""

    arrays: tuple[np.ndarray, ...]
    params: dict[str, Any] = field(default_factory=dict)
    out_dtype: str | None = None

    def label(self) -> str:
        shapes = ", ".join(str(tuple(a.shape)) for a in self.arrays)
        shown = {k: _shown(v) for k, v in self.params.items()}
        return f"inputs {shapes}" + (f", params {shown}" if shown else "")


def _shown(value: Any) -> Any:
    """A parameter as a label shows it: small arrays in full, others by shape."""
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 8 else f"array{value.shape}"
    if isinstance(value, (tuple, list)):
        return type(value)(_shown(v) for v in value)
    return value


Builder = Callable[[OpRecord, Any, str], Sample]


def is_integer(dtype: str) -> bool:
    return dtype not in FLOAT_DTYPES


def integer_only(record: OpRecord) -> bool:
    """Whether PyTorch computes the record's op on integer and bool tensors only (the
    bitwise ops): its cases are drawn in :data:`INTEGER_DTYPES`, its reference computes
    in the case's dtype, and floating inputs must be refused."""
    return record.kind == BITWISE


def forward_dtypes(record: OpRecord) -> tuple[str, ...]:
    """The dtypes a record's forward result is checked in: both float dtypes, plus int64
    for the elementwise ops whose inputs are all tensors (integer inputs stay integer or
    compute in the default float dtype, as ``int_to_float`` says); for an
    :func:`integer_only` op both float dtypes (refused) and :data:`INTEGER_DTYPES`."""
    if integer_only(record):
        return (*FLOAT_DTYPES, *INTEGER_DTYPES)
    all_tensors = record.kind != BINARY or len(record.inputs) == 2
    # A ternary op that refuses integer operands with a RuntimeError (addcdiv's integer
    # division) has no int64 value to check.
    refused = record.kind == TERNARY and record.refuses_integral
    if record.kind in (UNARY, BINARY, COMPARISON, TERNARY) and all_tensors and not refused:
        return (*FLOAT_DTYPES, "int64")
    return FLOAT_DTYPES


def gradient_dtypes(record: OpRecord) -> tuple[str, ...]:
    """The dtypes a record's gradient (or, without a ``grad_fn``, its not requiring
    grad) is checked in: none for an :func:`integer_only` op, whose inputs cannot
    require grad, else both float dtypes."""
    return () if integer_only(record) else FLOAT_DTYPES


def property_dtype(record: OpRecord, best_float: str) -> str:
    """The dtype the drawn (hypothesis) forward cases use: int64 for an
    :func:`integer_only` op, else the backend's ``best_float``."""
    return "int64" if integer_only(record) else best_float


def values_for(record: OpRecord, draw: Any, shape: tuple, dtype: str) -> np.ndarray:
    """Values of ``shape`` in the record's domain, away from its kinks (integer-valued
    for integer dtypes)."""
    return draw.values(shape, record.domain, record.kinks, is_integer(dtype))


def shapes(draw: Any, count: int) -> tuple[tuple[int, ...], ...]:
    """``count`` shapes: any one shape, or mutually broadcastable ones."""
    return (draw.shape(),) if count == 1 else draw.broadcast(count)


def tensors(record: OpRecord, draw: Any, dtype: str, count: int) -> tuple[np.ndarray, ...]:
    """Values for ``count`` tensors of broadcastable shapes, per the record's domain."""
    return tuple(values_for(record, draw, s, dtype) for s in shapes(draw, count))


def unary(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One tensor of any shape (0-d included)."""
    return Sample(tensors(record, draw, dtype, 1))


# Python-number arguments a record saves, by name, and the values tried.
SCALARS = {"alpha": (1, 0.5, -2.0), "weight": (0.25, 0.5, 1.5)}
INT_SCALARS = {"alpha": (1, 2), "weight": (0.5,)}


def binary(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A tensor per input, shapes broadcastable; a number for each saved name in
    :data:`SCALARS` that is not an input (``alpha``, ``lerp``'s ``weight``)."""
    table = INT_SCALARS if is_integer(dtype) else SCALARS
    params = {name: draw.choice(table[name]) for name in record.save
              if name in table and name not in record.inputs}  # fmt: skip
    return Sample(tensors(record, draw, dtype, len(record.inputs)), params)


def comparison(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Integer-valued tensors (ties occur), with nan and infinities sprinkled in for
    float dtypes."""
    arrays = []
    for shape in shapes(draw, len(record.inputs)):
        x = draw.values(shape, record.domain, (), True)
        if not is_integer(dtype):
            special = draw.rng.choice([np.nan, np.inf, -np.inf], size=shape)
            x = np.where(draw.rng.random(shape) < 0.2, special, x)
        arrays.append(np.asarray(x, dtype=np.float64))
    return Sample(tuple(arrays))


def bitwise(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A tensor per input, shapes broadcastable, of integers in [-100, 100] (negative ones
    too: two's complement) or, for bool, of 0 and 1. Floating dtypes get integers as
    well (their case checks that PyTorch's refusal is raised)."""
    high = 1 if dtype == "bool" else 100
    low = 0 if dtype == "bool" else -high
    return Sample(tuple(draw.rng.integers(low, high + 1, size=s).astype(np.float64)
                        for s in shapes(draw, len(record.inputs))))  # fmt: skip


def ternary(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A tensor per input, plus a random bool ``condition`` where the record saves one
    (``where``); all shapes broadcastable."""
    has_condition = "condition" in record.save
    cond_shape, *rest = shapes(draw, len(record.inputs) + has_condition)
    if not has_condition:
        return Sample(tuple(values_for(record, draw, s, dtype) for s in (cond_shape, *rest)))
    condition = np.asarray(draw.rng.random(cond_shape) < 0.5)
    arrays = tuple(values_for(record, draw, s, dtype) for s in rest)
    return Sample(arrays, {"condition": condition})


def dims_of(draw: Any, ndim: int, allow_none: bool = False) -> Any:
    """A PyTorch ``dim`` argument for an ``ndim``-d tensor: an int (maybe negative), a
    tuple of distinct dims, or (if allowed) None."""
    forms = ("int", "negative", "tuple", *(("none",) if allow_none else ()))
    form = draw.choice(forms)
    if form == "none":
        return None
    if form == "tuple":
        count = draw.integer(1, ndim)
        return tuple(int(d) for d in draw.rng.permutation(ndim)[:count])
    dim = draw.integer(0, ndim - 1)
    return dim - ndim if form == "negative" else dim


def reduction(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """One tensor; ``dim``/``keepdim`` where the record saves ``dims``; ``p`` likewise.
    ``dim`` is None only for a record with ``p`` (``norm``): ``sum``/``mean`` without a
    ``dim`` are records of their own."""
    if "dims" not in record.save:
        return unary(record, draw, dtype)
    shape = draw.shape(min_dims=1)
    params: dict[str, Any] = {"dim": dims_of(draw, len(shape), "p" in record.save)}
    params["keepdim"] = draw.choice((False, True))
    if "p" in record.save:
        params["p"] = draw.choice((2, 1, 3, "fro", 1.5))
    return Sample((values_for(record, draw, shape, dtype),), params)


def signature(spec: str) -> Builder:
    """A builder for products: ``"nk,km"`` gives two tensors whose sides named by the
    same letter agree (each letter a size from 1 to 4)."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        sizes = {c: draw.integer(1, 4) for c in sorted(set(spec) - {","})}
        shapes = [tuple(sizes[c] for c in part) for part in spec.split(",")]
        return Sample(tuple(values_for(record, draw, s, dtype) for s in shapes))

    build.__doc__ = f"Tensors of shapes {spec}."
    return build


BY_KIND: dict[str, Builder] = {
    UNARY: unary,
    BINARY: binary,
    COMPARISON: comparison,
    BITWISE: bitwise,
    TERNARY: ternary,
    REDUCTION: reduction,
    CONVERSION: unary,
    "activation": unary,  # retrograd.nn.functional ops of one tensor
}
