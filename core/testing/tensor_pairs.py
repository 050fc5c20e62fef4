"""``assert_close`` on two tensors: their attributes, then their values.

Attributes are checked in PyTorch's order (shape, device, dtype, strides), each failure
naming the attribute. Values are compared with ``retrograd.isclose`` on the tensors'
backend; only the summary of a mismatch (counts, greatest differences and where) is
read back to Python, to word the message.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..ops.closeness import isclose
from ..ops.elementwise import where
from ..tensor import Tensor
from .mismatch import (
    Failure,
    default_tolerances,
    difference_lines,
    identifier,
    numbers_close,
    scalar_message,
)


def compare_tensors(actual: Tensor, expected: Tensor, options: Any) -> None:
    """Raise :class:`Failure` unless ``actual`` and ``expected`` are close (see
    ``assert_close`` for ``options``)."""
    _compare_attributes(actual, expected, options)
    rtol, atol = options.rtol, options.atol
    if rtol is None or atol is None:
        rtol, atol = default_tolerances(actual.dtype, expected.dtype)
    with no_grad():
        actual, expected = _common_ground(actual.detach(), expected.detach())
        if actual.dim() == 0:  # Python's numbers, bools staying bools
            a, e = actual.item(), expected.item()
            if not numbers_close(a, e, rtol, atol, options.equal_nan):
                raise Failure(scalar_message(a, e, rtol, atol))
            return
        matches = isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=options.equal_nan)
        if not bool(matches.all()):
            raise Failure(_tensor_message(actual, expected, matches, rtol, atol))


def _compare_attributes(actual: Tensor, expected: Tensor, options: Any) -> None:
    checks = [("shape", lambda t: t.shape)]
    if options.check_device:
        checks.append(("device", lambda t: t.device))
    if options.check_dtype:
        checks.append(("dtype", lambda t: t.dtype))
    if options.check_stride:
        checks.append(("stride()", lambda t: t.stride()))
    for name, read in checks:
        if read(actual) != read(expected):
            raise Failure(
                f"The values for attribute '{name}' do not match: "
                f"{read(actual)} != {read(expected)}."
            )


def _common_ground(actual: Tensor, expected: Tensor) -> tuple[Tensor, Tensor]:
    """Both on ``expected``'s device, in one dtype; integers and bools of at least one
    dimension as int64, so that differences neither wrap around nor saturate."""
    if actual.device != expected.device:
        actual = actual.to(expected.device)
    common = dtypes.promote_types(actual.dtype, expected.dtype)
    if not common.is_floating_point and actual.dim():
        common = dtypes.int64
    return actual.to(common), expected.to(common)


def _tensor_message(
    actual: Tensor, expected: Tensor, matches: Tensor, rtol: float, atol: float
) -> str:
    """PyTorch's report: mismatched count, greatest absolute and relative differences
    (among the mismatches, NaN counting as greatest) with their indices."""
    absolute = where(matches, 0, (actual - expected).abs())
    relative = where(matches, 0, absolute / expected.abs())
    total, mismatched = matches.numel(), matches.numel() - int(matches.sum().item())
    abs_value, abs_at = _greatest(absolute, actual.shape)
    rel_value, rel_at = _greatest(relative, actual.shape)
    lines = difference_lines(
        f"Greatest absolute difference: {abs_value} at index {abs_at}",
        f"Greatest relative difference: {rel_value} at index {rel_at}",
        rtol,
        atol,
    )
    return (
        f"Tensor-likes are not {identifier(rtol, atol)}!\n\n"
        f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})\n{lines}"
    )


def _greatest(values: Tensor, shape: tuple[int, ...]) -> tuple[Any, tuple[int, ...]]:
    """The greatest of ``values`` (the first NaN if any, else the first maximum) and its
    index in ``shape``."""
    flat = values.reshape(-1).tolist()
    nan_at = next((i for i, v in enumerate(flat) if isinstance(v, float) and math.isnan(v)), None)
    at = nan_at if nan_at is not None else max(range(len(flat)), key=flat.__getitem__)
    return flat[at], _unravel(at, shape)


def _unravel(flat_index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    index = []
    for size in reversed(shape):
        flat_index, i = divmod(flat_index, size)
        index.append(i)
    return tuple(reversed(index))
