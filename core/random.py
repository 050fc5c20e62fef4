"""Random numbers from one host stream, so a seed gives the same values on every backend.

The stream is a generator of the host backend (NumPy); values are drawn on the host and
moved to the target backend. Like PyTorch, a fresh process starts from a fixed seed.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .constants import HOST_BACKEND
from .creation import _finish, _target_backend
from .ops.shape import sizes_arg
from .plugins import get_backend
from .tensor import Tensor

DEFAULT_SEED = 67280421310721  # PyTorch's initial seed


class Generator:
    """The host stream's state; ``manual_seed`` returns it, as in PyTorch."""

    def __init__(self) -> None:
        self._seed = DEFAULT_SEED
        self._state: Any = None

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._state = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def host_generator(self) -> Any:
        if self._state is None:
            self._state = get_backend(HOST_BACKEND).kernels["host_rng"](self._seed)
        return self._state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the host stream that ``randn``/``rand`` draw from."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Re-seed from a nondeterministic source; returns the new seed."""
    import secrets

    new = secrets.randbits(63)
    default_generator.manual_seed(new)
    return new


def initial_seed() -> int:
    return default_generator.initial_seed()


def _random(kernel: str, size: tuple, dtype: Any, kw: dict) -> Tensor:
    d = dtypes.resolve(dtype) if dtype is not None else dtypes.get_default_dtype()
    if not d.is_floating_point:
        raise RuntimeError(f"{kernel}(): expected a floating point dtype, got {d}")
    shape = sizes_arg(kernel, size)
    target = _target_backend(kw.pop("backend", None), kw.pop("device", None))
    host = get_backend(HOST_BACKEND)
    values = host.kernels[kernel](default_generator.host_generator(), shape, host.native_dtype(d))
    array = target.kernels["from_numpy"](values)
    return _finish(Tensor._make(array, d, target), kw.pop("requires_grad", False))


def randn(*size: Any, dtype: Any = None, **kw: Any) -> Tensor:
    """Samples of the standard normal distribution."""
    return _random("random_normal", size, dtype, kw)


def rand(*size: Any, dtype: Any = None, **kw: Any) -> Tensor:
    """Samples of the uniform distribution on [0, 1)."""
    return _random("random_uniform", size, dtype, kw)


def randn_like(input: Tensor, *, dtype: Any = None, **kw: Any) -> Tensor:
    kw.setdefault("backend", input.backend)
    return randn(tuple(input.shape), dtype=dtype or input.dtype, **kw)


def rand_like(input: Tensor, *, dtype: Any = None, **kw: Any) -> Tensor:
    kw.setdefault("backend", input.backend)
    return rand(tuple(input.shape), dtype=dtype or input.dtype, **kw)


FUNCTIONS = {
    "manual_seed": manual_seed,
    "seed": seed,
    "initial_seed": initial_seed,
    "randn": randn,
    "rand": rand,
    "randn_like": randn_like,
    "rand_like": rand_like,
}
