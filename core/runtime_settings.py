"""PyTorch's process-wide execution settings, recorded and reported back.

retrograd runs no thread pool of its own: the array library behind a backend (NumPy's
BLAS, XLA, CuPy) decides how many threads it uses. So ``set_num_threads`` and
``set_num_interop_threads`` only record the number for ``get_*`` to return (checked as
PyTorch checks it), and change nothing else. ``use_deterministic_algorithms`` records
the mode: every retrograd kernel is deterministic on the CPU backends already, so the
mode changes no result there. ``set_float32_matmul_precision`` records one of PyTorch's
three names; the backends compute float32 products at the library's full precision.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class _Settings:
    num_threads: int
    num_interop_threads: int
    deterministic: bool = False
    warn_only: bool = False
    matmul_precision: str = "highest"


_settings = _Settings(num_threads=_cpu_count(), num_interop_threads=_cpu_count())


def _positive(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuntimeError(f"{name} expects an int, but got {type(value).__name__}")
    if value <= 0:
        raise RuntimeError(f"{name} expects a positive integer")
    return value


def set_num_threads(int: int) -> None:  # noqa: A002 - PyTorch's parameter name
    """Record the intra-op thread count (retrograd's backends choose their own)."""
    _settings.num_threads = _positive("set_num_threads", int)


def get_num_threads() -> int:
    """The recorded intra-op thread count (by default, the CPUs this process may use)."""
    return _settings.num_threads


def set_num_interop_threads(int: int) -> None:  # noqa: A002 - PyTorch's parameter name
    """Record the inter-op thread count (retrograd runs ops one after another)."""
    _settings.num_interop_threads = _positive("set_num_interop_threads", int)


def get_num_interop_threads() -> int:
    """The recorded inter-op thread count."""
    return _settings.num_interop_threads


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record whether deterministic algorithms are required (retrograd's CPU kernels
    always are)."""
    if not isinstance(mode, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
            f"{type(mode).__name__}"
        )
    _settings.deterministic, _settings.warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was last given True."""
    return _settings.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether the deterministic mode only warns (``warn_only=True``)."""
    return _settings.warn_only


_PRECISIONS = ("highest", "high", "medium")


def set_float32_matmul_precision(precision: str) -> None:
    """Record the float32 matrix-product precision: 'highest', 'high' or 'medium'
    (another name warns and changes nothing, as in PyTorch)."""
    if precision not in _PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _settings.matmul_precision = precision


def get_float32_matmul_precision() -> str:
    """The recorded float32 matrix-product precision ('highest' by default)."""
    return _settings.matmul_precision


FUNCTIONS = {
    f.__name__: f
    for f in (
        set_num_threads, get_num_threads, set_num_interop_threads, get_num_interop_threads,
        use_deterministic_algorithms, are_deterministic_algorithms_enabled,
        is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision,
        get_float32_matmul_precision,
    )
}  # fmt: skip
