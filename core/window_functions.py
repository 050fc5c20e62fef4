"""The signal windows: ``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window`` and ``kaiser_window``, PyTorch's formulas evaluated on the host in
float64 and made a tensor of the requested floating dtype.

``periodic=True`` (the default) gives the first ``N`` values of the symmetric window of
length ``N + 1``, as PyTorch does (for spectral analysis); a window of length 1 is
``[1.]`` and of length 0 empty.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .creation import factory_dtype, tensor
from .tensor import Tensor


def _bessel_i0(x: float) -> float:
    """The modified Bessel function of the first kind, order 0: its power series (every
    term positive, so it converges to float64 precision for the betas windows use)."""
    total, term, k = 1.0, 1.0, 1
    while term > total * 1e-17:
        term *= (x / (2 * k)) ** 2
        total += term
        k += 1
    return total


def _window(
    op: str, length: int, periodic: bool, dtype: Any, kw: dict, shape: Callable[[float], float]
) -> Tensor:
    """``shape(n / (N - 1))`` for n = 0..N-1 (N one more where ``periodic``)."""
    if length < 0:
        raise RuntimeError(f"{op} requires non-negative window_length, got window_length={length}")
    d = factory_dtype(op, dtype)
    if not d.is_floating_point:
        raise RuntimeError(f"{op} expects floating point dtypes, got: {d}")
    if length <= 1:
        return tensor([1.0] * length, dtype=d, **kw)
    span = length if periodic else length - 1
    return tensor([shape(n / span) for n in range(length)], dtype=d, **kw)


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None, **kw: Any):
    """``0.5 - 0.5 cos(2 pi n / (N - 1))``."""
    return _window("hann_window", window_length, periodic, dtype, kw,
                   lambda t: 0.5 - 0.5 * math.cos(2 * math.pi * t))  # fmt: skip


def hamming_window(
    window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *,
    dtype: Any = None, **kw: Any,
) -> Tensor:  # fmt: skip
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window("hamming_window", window_length, periodic, dtype, kw,
                   lambda t: alpha - beta * math.cos(2 * math.pi * t))  # fmt: skip


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None, **kw: Any):
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window(
        "blackman_window", window_length, periodic, dtype, kw,
        lambda t: 0.42 - 0.5 * math.cos(2 * math.pi * t) + 0.08 * math.cos(4 * math.pi * t),
    )  # fmt: skip


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None, **kw: Any):
    """The triangle ``1 - |2 n / (N - 1) - 1|``."""
    return _window("bartlett_window", window_length, periodic, dtype, kw,
                   lambda t: 1 - abs(2 * t - 1))  # fmt: skip


def kaiser_window(
    window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype: Any = None,
    **kw: Any,
) -> Tensor:  # fmt: skip
    """``I0(beta sqrt(1 - (2 n / (N - 1) - 1)^2)) / I0(beta)``."""
    scale = _bessel_i0(beta)
    return _window(
        "kaiser_window", window_length, periodic, dtype, kw,
        lambda t: _bessel_i0(beta * math.sqrt(max(0.0, 1 - (2 * t - 1) ** 2))) / scale,
    )  # fmt: skip


FUNCTIONS = {
    f.__name__: f
    for f in (hann_window, hamming_window, blackman_window, bartlett_window, kaiser_window)
}
