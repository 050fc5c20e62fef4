"""What ``assert_close`` reports: the default tolerances by dtype, the closeness of two
numbers, and PyTorch's wording of a mismatch."""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes

# PyTorch's documented defaults, (rtol, atol) by dtype; other dtypes compare exactly.
_TOLERANCES = {
    dtypes.float16: (1e-3, 1e-5),
    dtypes.float32: (1.3e-6, 1e-5),
    dtypes.float64: (1e-7, 1e-7),
}


class Failure(Exception):
    """A mismatch found while walking the inputs: PyTorch's message, and the container
    ``path`` (``("[0]", "['a']")``) where it happened. ``assert_close`` turns it into
    an ``AssertionError``."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def default_tolerances(*kinds: dtypes.dtype) -> tuple[float, float]:
    """The largest default ``(rtol, atol)`` among the dtypes ``kinds``."""
    pairs = [_TOLERANCES.get(kind, (0.0, 0.0)) for kind in kinds]
    return max(rtol for rtol, _ in pairs), max(atol for _, atol in pairs)


def numbers_close(actual: Any, expected: Any, rtol: float, atol: float, equal_nan: bool) -> bool:
    """``isclose`` on two Python numbers: equal values (infinities too) match, NaNs only
    if ``equal_nan``, others within ``atol + rtol * |expected|``."""
    if actual == expected:
        return True
    if math.isnan(actual) or math.isnan(expected):
        return equal_nan and math.isnan(actual) and math.isnan(expected)
    if math.isinf(actual) or math.isinf(expected):
        return False
    return abs(actual - expected) <= atol + rtol * abs(expected)


def identifier(rtol: float, atol: float) -> str:
    """``equal`` for an exact comparison, else ``close`` (as in "are not close!")."""
    return "equal" if rtol == 0 and atol == 0 else "close"


def difference_lines(absolute: str, relative: str, rtol: float, atol: float) -> str:
    """The two difference lines, each with its allowance unless the comparison is exact."""
    if identifier(rtol, atol) == "equal":
        return f"{absolute}\n{relative}"
    return f"{absolute} (up to {atol} allowed)\n{relative} (up to {rtol} allowed)"


def scalar_message(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    """PyTorch's message for two mismatched scalars (numbers or 0-d tensors' items)."""
    difference = abs(actual - expected)
    if expected != 0:
        relative = difference / abs(expected)
    else:  # PyTorch reports an infinite relative difference from zero
        relative = difference if math.isnan(difference) else math.inf
    lines = difference_lines(
        f"Absolute difference: {difference}", f"Relative difference: {relative}", rtol, atol
    )
    return (
        f"Scalars are not {identifier(rtol, atol)}!\n\n"
        f"Expected {expected} but got {actual}.\n{lines}"
    )
