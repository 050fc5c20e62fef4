"""``retrograd.testing.assert_close``: compare tensors, numbers and their containers.

The inputs are walked pairwise: sequences (but strings) item by item, mappings key by
key, and the leaves as PyTorch pairs them: ``None`` with ``None``, ``bool`` with
``bool``, a number with a number, a Tensor (or a NumPy array) with another
(:mod:`.tensor_pairs`). A failure deep in a container says where (``The failure
occurred for item [0]['a']``). The messages, the tolerance defaults and the exception
types are PyTorch's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import dtypes
from ..interop import as_tensor, is_ndarray
from ..tensor import Tensor
from .mismatch import Failure, default_tolerances, numbers_close, scalar_message
from .tensor_pairs import compare_tensors

# Python numbers are compared as the dtype PyTorch gives them.
_NUMBER_DTYPES = {int: dtypes.int64, float: dtypes.float64}


@dataclass(frozen=True)
class Options:
    """The keyword arguments of :func:`assert_close` that the leaves need."""

    rtol: float | None
    atol: float | None
    equal_nan: bool
    check_device: bool
    check_dtype: bool
    check_stride: bool


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``.

    Tensors must have the same shape, and, unless told otherwise, the same device and
    dtype (``check_device``, ``check_dtype``; strides only with ``check_stride=True``).
    Values match when ``|actual - expected| <= atol + rtol * |expected|``, with equal
    infinities matching and NaNs matching only if ``equal_nan``. Omitted ``rtol`` and
    ``atol`` default by dtype (the larger of the two dtypes' defaults): float16
    ``(1e-3, 1e-5)``, float32 ``(1.3e-6, 1e-5)``, float64 ``(1e-7, 1e-7)``, and ``0`` for
    integers and bool (exact). Python ``int``/``float`` count as int64/float64; nested
    sequences and mappings are compared item by item.

    Raises ``AssertionError`` with PyTorch's message (``Tensor-likes are not close!``,
    the number of mismatched elements and the greatest absolute and relative
    differences); ``msg`` replaces it, or, if callable, is called with it. Inputs no pair
    handles raise ``TypeError``; giving only one of ``rtol``/``atol`` raises
    ``ValueError``. ``allow_subclasses`` and ``check_layout`` are accepted for
    PyTorch's signature: retrograd has one Tensor class and one (strided) layout.
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            "Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}."
        )
    options = Options(rtol, atol, equal_nan, check_device, check_dtype, check_stride)
    try:
        _compare(actual, expected, (), options)
    except Failure as failure:
        raise AssertionError(_final_message(failure, msg)) from None


def _final_message(failure: Failure, msg: str | Callable[[str], str] | None) -> str:
    """PyTorch's message (with where in the containers it happened), or the user's."""
    text = failure.message
    if failure.path:
        text += f"\n\nThe failure occurred for item {''.join(failure.path)}"
    if isinstance(msg, str):
        return msg
    return msg(text) if callable(msg) else text


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _compare(actual: Any, expected: Any, path: tuple[str, ...], options: Options) -> None:
    """Compare one pair, recursing into sequences and mappings (failures carry ``path``)."""
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise Failure(
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", path
            )
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, (*path, f"[{i}]"), options)
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        _compare_keys(actual, expected, path)
        for key in actual:
            _compare(actual[key], expected[key], (*path, f"[{key!r}]"), options)
    else:
        try:
            _compare_leaves(actual, expected, options)
        except Failure as failure:
            raise Failure(failure.message, path) from None


def _compare_keys(actual: Mapping, expected: Mapping, path: tuple[str, ...]) -> None:
    if set(actual) != set(expected):
        missing = sorted(set(expected) - set(actual), key=repr)
        additional = sorted(set(actual) - set(expected), key=repr)
        raise Failure(
            "The keys of the mappings do not match:\n"
            f"Missing keys in the actual mapping: {missing}\n"
            f"Additional keys in the actual mapping: {additional}",
            path,
        )


def _compare_leaves(actual: Any, expected: Any, options: Options) -> None:
    """One leaf pair, as PyTorch's pair classes take them (first that applies)."""
    if actual is None or expected is None:
        if actual is not expected:
            raise Failure(f"None mismatch: {actual} is not {expected}")
    elif isinstance(actual, bool) and isinstance(expected, bool):
        if actual is not expected:
            raise Failure(f"Booleans mismatch: {actual} is not {expected}")
    elif _is_number(actual) and _is_number(expected):
        _compare_numbers(actual, expected, options)
    elif isinstance(actual, Tensor) and isinstance(expected, Tensor):
        compare_tensors(actual, expected, options)
    elif is_ndarray(actual) and is_ndarray(expected):  # compared as the tensors they make
        compare_tensors(as_tensor(actual), as_tensor(expected), options)
    else:
        raise TypeError(
            f"No comparison pair was able to handle inputs of type {type(actual)} "
            f"and {type(expected)}."
        )


def _is_number(value: Any) -> bool:
    return type(value) in _NUMBER_DTYPES


def _compare_numbers(actual: Any, expected: Any, options: Options) -> None:
    """Python numbers: the same type (if ``check_dtype``), then close by the tolerances."""
    if options.check_dtype and type(actual) is not type(expected):
        raise Failure(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
    rtol, atol = options.rtol, options.atol
    if rtol is None or atol is None:
        rtol, atol = default_tolerances(
            _NUMBER_DTYPES[type(actual)], _NUMBER_DTYPES[type(expected)]
        )
    if not numbers_close(actual, expected, rtol, atol, options.equal_nan):
        raise Failure(scalar_message(actual, expected, rtol, atol))
