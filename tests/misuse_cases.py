"""The misuse catalogue: every public function and method called the wrong way, as data.

A :class:`Case` builds its inputs with ``make(L)`` and calls ``call(L, *inputs)``, where
``L`` is a ``torch``-like namespace (``retrograd`` or ``torch``); ``tests/test_misuse.py``
runs each case in both libraries and compares the outcome (see :func:`outcome`). The
cases are generated per group of ops (unary, binary, reduction, linalg, shape, indexing,
creation, nn.functional, Tensor methods) from one list of misuses each: wrong types
(str, None, list), mismatched broadcast shapes, out-of-range dims, empty and 0-d
tensors, NaN/inf, and the dtypes float16, int8, uint8, bool and int64; in-place forms
(``inplace=True``) also feed the "a failed call changes nothing" test.
"""

from __future__ import annotations

import math
import re
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    """One misuse: ``call(L, *make(L))``; ``inplace``: the call may write its inputs."""

    name: str
    make: Callable[[Any], tuple]
    call: Callable[..., Any]
    inplace: bool = False


DTYPES = ("float16", "int8", "uint8", "bool", "int64")
BAD_VALUES = {"str": "a", "None": None, "list": [1.0, 2.0]}


def tensor(L: Any, *shape: int, dtype: str = "float32") -> Any:
    """A tensor of ``shape`` and ``dtype`` holding 1, 2, 3, ... (bool: alternating)."""
    n = math.prod(shape)
    values = np.arange(1, n + 1).reshape(shape)
    if dtype == "bool":
        values = values % 2 == 1
    t = L.tensor(values.tolist(), dtype=getattr(L, dtype))
    return t.reshape(shape) if n == 0 else t  # a leaf, not a view, unless empty


def special(L: Any) -> Any:
    return L.tensor([1.0, math.nan, math.inf, -math.inf, 0.0, -0.0])


def all_cases() -> list[Case]:
    """The whole catalogue, names unique."""
    import misuse_ops
    import misuse_shapes
    import misuse_surface

    cases = [
        *misuse_ops.unary_cases(),
        *misuse_ops.binary_cases(),
        *misuse_ops.reduction_cases(),
        *misuse_shapes.linalg_cases(),
        *misuse_shapes.shape_cases(),
        *misuse_shapes.inplace_misc_cases(),
        *misuse_surface.creation_cases(),
        *misuse_surface.method_cases(),
        *misuse_surface.functional_cases(),
    ]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


def in_subset(name: str, every: int) -> bool:
    """A deterministic 1/``every`` of the cases (for slow backends)."""
    return every <= 1 or zlib.crc32(name.encode()) % every == 0


# -- outcomes --------------------------------------------------------------------------------
_BUILTIN = (
    TypeError,
    ValueError,
    IndexError,
    KeyError,
    AttributeError,
    RuntimeError,
    NotImplementedError,
    ZeroDivisionError,
    OverflowError,
    StopIteration,
)


def _kind(error: BaseException) -> str:
    """The exception's nearest builtin class (PyTorch's own classes derive from one)."""
    for cls in type(error).__mro__:
        if cls in _BUILTIN:
            return cls.__name__
    return type(error).__name__


def _summary(value: Any, depth: int = 0) -> Any:
    """What is compared of a result: a tensor's shape and dtype (and values when small),
    a sequence's items, a scalar's repr."""
    if hasattr(value, "dtype") and hasattr(value, "shape") and hasattr(value, "tolist"):
        dtype = str(value.dtype).rpartition(".")[2]
        values = value.detach().tolist() if value.numel() <= 64 else None
        return ("tensor", tuple(value.shape), dtype, _values(values))
    if isinstance(value, (tuple, list)) and depth < 2:
        return tuple(_summary(v, depth + 1) for v in value)
    if isinstance(value, (int, float, bool, str, type(None))):
        return ("value", _values(value))
    return ("object", type(value).__name__)


def _values(values: Any) -> Any:
    """Nested values rounded to 2 digits (float16's last digit differs), NaN as a
    string so that equal NaNs compare equal."""
    if isinstance(values, list):
        return tuple(_values(v) for v in values)
    if isinstance(values, float):
        return "nan" if math.isnan(values) else float(f"{values:.2g}")
    return values


def outcome(case: Case, L: Any) -> tuple:
    """``("raises", kind, first line of message)``, ``("warns", category, message, result)``
    or ``("result", summary)``."""
    try:
        inputs = case.make(L)
    except Exception as error:  # noqa: BLE001 - a broken case must show, not pass
        return ("broken case", _kind(error), str(error))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = case.call(L, *inputs)
        except Exception as error:  # noqa: BLE001 - the outcome is what is compared
            return ("raises", _kind(error), first_line(error))
        caught = [w for w in caught if issubclass(w.category, UserWarning)]
        summary = _summary(result)
    if caught:
        w = caught[0]
        return ("warns", w.category.__name__, first_line(w.message), summary)
    return ("result", summary)


def first_line(error: BaseException | Warning) -> str:
    """The part of a message compared: its first line (PyTorch lists the overloads of
    a function on the next ones), without trailing blanks and PyTorch's "(Triggered
    internally at <C++ file>)"; a KeyError's key unquoted."""
    message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    line = str(message).strip().split("\n")[0].rstrip()
    # where in PyTorch's C++ sources a warning was raised is not part of its text
    return re.sub(r" \(Triggered internally at .*\)$", "", line)


def matches(ours: tuple, theirs: tuple) -> bool:
    """Ours matches PyTorch's outcome: same kind of outcome, exception class (or warning
    category), and a message that starts with PyTorch's; same result summary."""
    if ours[0] != theirs[0] or ours[0] == "broken case":
        return False
    if ours[0] == "result":
        return ours == theirs
    # ``module 'retrograd' has no attribute 'view'`` is PyTorch's AttributeError: only
    # the module's name differs, and it must
    said = ours[2].replace("module 'retrograd' ", "module 'torch' ", 1)
    if ours[1] != theirs[1] or not said.startswith(theirs[2]):
        return False
    return ours[0] == "raises" or ours[3] == theirs[3]
