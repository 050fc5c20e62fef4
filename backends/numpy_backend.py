"""The NumPy backend (CPU, the default): the generic kernels over ``numpy``.

Registered through the entry point ``numpy = "retrograd_backends.numpy_backend"`` in the
``retrograd`` group. NumPy is also retrograd's host: random numbers are drawn here and
``Tensor.numpy()`` returns these arrays without a copy.
"""

from __future__ import annotations

from typing import Any

from retrograd import dtypes
from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl


def _native_dtypes(np: Any) -> dict[dtypes.dtype, Any]:
    return {d: np.dtype(d.name) for d in dtypes.ALL_DTYPES}


def _host_random(np: Any) -> dict[str, Any]:
    """The host stream every backend draws from (see ``retrograd.random``)."""

    def draw(method: str) -> Any:
        def kernel(rng: Any, shape: tuple, dtype: Any) -> Any:
            native = dtype if dtype in (np.float32, np.float64) else np.float32
            return np.asarray(getattr(rng, method)(shape, dtype=native), dtype=dtype)

        return kernel

    return {
        "host_rng": np.random.default_rng,
        "random_normal": draw("standard_normal"),
        "random_uniform": draw("random"),
    }


def _overrides(np: Any) -> dict[str, Any]:
    """Where NumPy deviates from the generic layer, or is faster another way."""

    def assign(target: Any, value: Any) -> Any:
        if type(target) is not np.ndarray:
            # NumPy returns 0-d results as immutable scalars: rebind, as for JAX.
            return np.array(value, dtype=target.dtype)
        # Speed: copyto casts and broadcasts in one pass, with no temporary.
        np.copyto(target, value, casting="unsafe")
        return target

    return {
        "assign": assign,
        "is_contiguous": lambda a: a.flags.c_contiguous,
        "to_numpy": np.asarray,
        "from_numpy": lambda a: a,
        **_host_random(np),
    }


def load() -> Backend:
    import numpy as np

    from .kernels import generic_kernels

    kernels = generic_kernels(np)
    kernels.update(_overrides(np))
    return Backend("numpy", kernels, _native_dtypes(np), device_type="cpu", namespace=np)


@hookimpl
def retrograd_register_backends() -> list[BackendSpec]:
    return [BackendSpec(name="numpy", load=load, device_type="cpu")]
