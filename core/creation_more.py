"""More factories: ``logspace``, the deprecated inclusive ``range`` and ``scalar_tensor``.

Each computes its values on the host, as :func:`~retrograd.creation.arange` does, and
makes the tensor with :func:`~retrograd.creation.tensor` (so ``dtype``, ``device``,
``backend`` and ``requires_grad`` mean what they mean there).
"""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

from . import dtypes
from .creation import factory_dtype, tensor
from .spacing import logspace_values
from .tensor import Tensor


def _number(value: Any) -> Any:
    return value.item() if isinstance(value, Tensor) else value


def logspace(
    start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None, **kw: Any
) -> Tensor:
    """``steps`` values ``base ** e`` for ``e`` evenly spaced from ``start`` to ``end``
    inclusive (default dtype: the default float; an integer dtype truncates), rounded as
    PyTorch rounds them (see :mod:`retrograd.spacing`)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative (in logspace())")
    start, end = _number(start), _number(end)
    d = factory_dtype("logspace", dtype)
    return tensor(logspace_values(start, end, steps, base, d), dtype=d, **kw)


_RANGE_DEPRECATED = (
    "torch.range is deprecated and will be removed in a future release because its behavior "
    "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
    "values in [start, end)."
)


def range(  # noqa: A001 - PyTorch's name (this module uses builtins.range)
    start: Any, end: Any, step: Any = 1, *, dtype: Any = None, **kw: Any
) -> Tensor:
    """Deprecated (it warns, as PyTorch): values from ``start`` to ``end`` *inclusive*
    by ``step``, in the default float dtype unless ``dtype`` says otherwise."""
    warnings.warn(_RANGE_DEPRECATED, UserWarning, stacklevel=2)
    start, end, step = (_number(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    count = int(math.floor((end - start) / step)) + 1
    d = factory_dtype("range", dtype)
    values = [start + i * step for i in builtins.range(count)]
    return tensor(values if d.is_floating_point else [int(v) for v in values], dtype=d, **kw)


def scalar_tensor(s: Any, *, dtype: Any = None, **kw: Any) -> Tensor:
    """A 0-d tensor holding the number ``s``, in the default float dtype unless ``dtype``
    says otherwise (an int or a bool too, unlike ``tensor``)."""
    d = factory_dtype("scalar_tensor", dtype)
    value = _number(s)
    if not d.is_floating_point and d is not dtypes.bool:
        value = int(value)
    return tensor(value, dtype=d, **kw)


FUNCTIONS = {"logspace": logspace, "range": range, "scalar_tensor": scalar_tensor}
