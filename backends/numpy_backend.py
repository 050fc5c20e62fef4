"""The NumPy backend (CPU, the default): the generic kernels over ``numpy``.

Registered through the entry point ``numpy = "retrograd_backends.numpy_backend"`` in the
``retrograd`` group. NumPy is also retrograd's host: random numbers are drawn in its arrays
(by ``retrograd.random``), files are read and written through it, and ``Tensor.numpy()``
returns these arrays without a copy.
"""

from __future__ import annotations

from typing import Any

from retrograd.backend import Backend, BackendSpec
from retrograd.ieee import QuietKernels
from retrograd.plugins import hookimpl
from retrograd.storage import OVERLAP_MESSAGE

from .kernels import array_namespace, generic_kernels, native_dtypes, strided_kernels
from .numpy_fast import fast_kernels
from .op_kernels import device_erf, erf_kernels

_native_dtypes = native_dtypes  # the name tests/test_plugins.py builds a second backend with


def _host_bytes(np: Any) -> dict[str, Any]:
    """Raw memory for ``retrograd.save``/``load`` (PyTorch's files hold little-endian
    storages): an array's bytes, an array from bytes, a strided view of a storage, and
    where an array's memory starts (to find tensors sharing a storage)."""

    def from_bytes(data: bytes, dtype: Any, big_endian: bool = False) -> Any:
        order = ">" if big_endian else "<"
        return np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder(order)).astype(dtype)

    def as_strided(a: Any, shape: tuple, strides: tuple, offset: int) -> Any:
        steps = tuple(s * a.itemsize for s in strides)
        return np.lib.stride_tricks.as_strided(a[offset:], shape, steps)

    return {
        "to_bytes": lambda a: np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes(),
        "from_bytes": from_bytes,
        "as_strided": as_strided,
        "byte_address": lambda a: a.__array_interface__["data"][0],
    }


def _scipy_erf(xp: Any) -> dict[str, Any]:
    """SciPy's erf where SciPy is installed (exact and fast); else the generic one. SciPy
    is imported on the first call only: importing it costs time and memory."""
    found: list = []

    def erf(a: Any) -> Any:
        if not found:
            try:
                from scipy.special import erf as scipy_erf  # optional, and heavy
            except ImportError:
                found.append(device_erf(xp))
            else:
                found.append(lambda a: scipy_erf(a).astype(a.dtype, copy=False))
        return found[0](a)

    return erf_kernels(xp, erf)


def _overrides(np: Any) -> dict[str, Any]:
    """Where NumPy deviates from the generic layer, or is faster another way."""

    def assign(target: Any, value: Any) -> Any:
        if type(target) is not np.ndarray:
            # NumPy returns 0-d results as immutable scalars: rebind, as for JAX.
            return np.array(value, dtype=target.dtype)
        # Speed: copyto casts and broadcasts in one pass, with no temporary.
        try:
            np.copyto(target, value, casting="unsafe")
        except ValueError:
            if target.flags.writeable:
                raise
            # Only an expanded view is read-only here: PyTorch's error, not NumPy's.
            raise RuntimeError(OVERLAP_MESSAGE) from None
        return target

    return {
        "assign": assign,
        # The cast as a method call made here: NumPy's invalid-cast RuntimeWarning (NaN or
        # inf to an integer, which PyTorch converts silently) is then raised from this
        # module, where retrograd's warning filter ignores it (see retrograd.ieee);
        # numpy.astype raises it from NumPy's own module.
        "astype": lambda a, dtype: a.astype(dtype),
        # Speed: NumPy refuses integers to negative powers itself, no check needed.
        "pow": np.pow if hasattr(np, "pow") else np.power,
        **strided_kernels(np),
        **_host_bytes(np),
        # Speed: kernels whose NumPy wrapper costs more than their work (see the module).
        **fast_kernels(np),
    }


def load() -> Backend:
    import numpy as np

    xp = array_namespace(np)  # NumPy 2 itself; array-api-compat's wrapper on NumPy 1.26
    kernels = generic_kernels(xp)
    kernels.update(_overrides(np))
    kernels.update(_scipy_erf(xp))
    backend = Backend("numpy", kernels, native_dtypes(np), device_type="cpu", namespace=xp)
    # NumPy warns on IEEE results (1 / 0, log(-1)); PyTorch does not (see retrograd.ieee).
    backend.kernels = QuietKernels(backend.kernels)
    return backend


@hookimpl
def retrograd_register_backends() -> list[BackendSpec]:
    return [BackendSpec(name="numpy", load=load, device_type="cpu")]
