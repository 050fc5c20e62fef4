"""References of ``retrograd/ops/{integer_bits,float_bits}.py``: the shifts as PyTorch
defines them past the bit width (C leaves it undefined), ``ldexp`` as ``a * 2 ** b``,
``nextafter`` with PyTorch's gradient (1 for ``a``, 0 for ``b``: JAX has no derivative
of its own), and ``frexp``'s int32 exponent.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _bits(a: Any) -> int:
    return 8 * np.dtype(a.dtype).itemsize


def left_shifted(xp: Any, a: Any, b: Any) -> Any:
    past = (b < 0) | (b >= _bits(a))
    return xp.where(past, 0, xp.bitwise_left_shift(a, xp.clip(b, 0, _bits(a) - 1)))


def right_shifted(xp: Any, a: Any, b: Any) -> Any:
    past = (b < 0) | (b >= _bits(a))
    return xp.bitwise_right_shift(a, xp.where(past, _bits(a) - 1, b))


def ldexp(xp: Any, a: Any, b: Any) -> Any:
    return a * 2.0**b


def nextafter(xp: Any, a: Any, b: Any) -> Any:
    stop = lambda x: x  # noqa: E731
    if type(a).__module__.startswith("jax"):  # PyTorch's gradient: the identity in a
        import jax

        stop = jax.lax.stop_gradient
    return a + (xp.nextafter(stop(a), stop(b)) - stop(a))


def frexp(xp: Any, a: Any) -> tuple:
    mantissa, exponent = xp.frexp(a)
    return mantissa, xp.astype(exponent, xp.int32) if hasattr(xp, "astype") else exponent.astype(
        np.int32
    )  # noqa: E501
