"""The CuPy backend (an NVIDIA GPU, PyTorch's ``"cuda"``): the generic kernels over CuPy.

Registered through the entry point ``cupy = "retrograd_backends.cupy_backend"`` in the
``retrograd`` group; ``pip install 'retrograd[cupy]'`` installs CuPy for CUDA 12. CuPy is
imported only by :func:`load`, on first use; :func:`probe` asks the CUDA driver directly
(through ``ctypes``), so ``retrograd.backends()`` can say why CuPy is unusable on a
machine without a GPU without importing it.

What differs from the generic layer, and why:

- the namespace is array-api-compat's wrapper of CuPy (CuPy itself lacks parts of the
  array API: ``pow``, ``concat``, ``permute_dims``, ``astype``...);
- host transfers: CuPy refuses NumPy's implicit conversion, so ``to_numpy``/``tolist``
  copy with ``cupy.asnumpy``;
- CuPy arrays have strides, so contiguity and overlap come from them (as for NumPy).

Arrays live on CUDA device 0 (``cuda:0``) on CuPy's current stream; DLPack exchanges with
other GPU libraries (e.g. JAX on a GPU) are synchronised by CuPy.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
from typing import Any

from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl

from .kernels import array_namespace, generic_kernels, native_dtypes, strided_kernels

NO_GPU = "no GPU is present"
_DRIVERS = ("libcuda.so.1", "libcuda.so", "nvcuda.dll")


@functools.cache
def cuda_device_count() -> tuple[int, str | None]:
    """The number of CUDA devices the driver reports, and why it is 0 (never raises)."""
    for name in _DRIVERS:
        try:
            driver = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        return 0, f"{NO_GPU} (no NVIDIA driver: libcuda could not be loaded)"
    count = ctypes.c_int(0)
    status = driver.cuInit(0)
    if status == 0:
        status = driver.cuDeviceGetCount(ctypes.byref(count))
    if status != 0:
        return 0, f"{NO_GPU} (the CUDA driver failed to initialise: CUresult {status})"
    if count.value == 0:
        return 0, f"{NO_GPU} (the CUDA driver reports no devices)"
    return count.value, None


def probe() -> str | None:
    """Why the backend cannot run here, or None; never imports CuPy. A missing GPU is
    named first: installing CuPy would not help there."""
    no_gpu = cuda_device_count()[1]
    if importlib.util.find_spec("cupy") is None:
        missing = "CuPy is not installed (pip install 'retrograd[cupy]')"
        return missing if no_gpu is None else f"{no_gpu}, and {missing}"
    return no_gpu


def _overrides(cupy: Any) -> dict[str, Any]:
    """Where CuPy deviates from the generic layer."""
    return {
        "to_numpy": cupy.asnumpy,
        "tolist": lambda a: cupy.asnumpy(a).tolist(),
        "device_count": lambda: cuda_device_count()[0],
        **strided_kernels(cupy),
    }


def load() -> Backend:
    import cupy

    xp = array_namespace(cupy)
    kernels = generic_kernels(xp)
    kernels.update(_overrides(cupy))
    return Backend("cupy", kernels, native_dtypes(xp), device_type="cuda", namespace=xp)


@hookimpl
def retrograd_register_backends() -> list[BackendSpec]:
    return [BackendSpec(name="cupy", load=load, device_type="cuda", probe=probe)]
