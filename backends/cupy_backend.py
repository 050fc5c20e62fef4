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
- CuPy arrays have strides, so contiguity and overlap come from them (as for NumPy),
  and ``view`` follows NumPy's (and PyTorch's) no-copy rule exactly
  (:mod:`retrograd_backends.strided_view`);
  CuPy's expanded (broadcast) arrays are writable where NumPy's are read-only, so
  ``assign`` refuses to write into one itself, with PyTorch's error;
- -0.0: CuPy fills with a memset when the value equals 0 (a 0-d ``asarray``, ``full``,
  ``x[...] = v``), which loses the sign of -0.0, so those kernels copy a negative zero
  from the host instead; ``relu`` is a fused kernel that keeps -0.0 and nan;
- ``erf`` (and exact ``gelu``) use ``cupyx.scipy.special.erf``, on the device, and so do
  the Bessel functions (``i0``, ``i0e``, ``i1``, ``i1e``);
- the backward formulas of :mod:`retrograd_backends.cupy_fused` run as one kernel each,
  and ``retrograd.compile`` composes those formulas into one kernel per run of
  elementwise calls (the ``retrograd_elementwise_fusion`` hook);
- ``retrograd.compile(..., mode="reduce-overhead")`` launches a replay as one captured
  CUDA graph (the ``retrograd_lower_program`` hook, :mod:`retrograd_backends.cupy_graphs`);
- the vectorized path (:mod:`retrograd_backends.cupy_vector`): the hot elementwise ops
  (arithmetic, exp/log/sqrt/tanh/sigmoid/relu/abs, the backward formulas, the ``*_into``
  updates, ``full``/``ones``) on contiguous, 16-byte-aligned float32/float64 arrays run as
  raw kernels with ``float4``/``double2`` loads, one vector per thread. Measured on an
  H200 (CuPy 14.2, 64M float32): CuPy's own elementwise kernels 0.33 ms for ``x * 2``, the
  float4 raw kernel 0.137 ms (PyTorch's time); ``cupy.ones`` 0.33 ms, PyTorch's
  ``ones_like`` 0.065 ms. Other calls take the kernels above, unchanged.

Arrays live on CUDA device 0 (``cuda:0``) on CuPy's current stream; DLPack exchanges with
other GPU libraries (e.g. JAX on a GPU) are synchronised by CuPy.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import math
import os
from typing import Any

import numpy
from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl
from retrograd.storage import OVERLAP_MESSAGE

from .cupy_fused import expression_kernel, formula_table, fused_kernels
from .cupy_vector import vector_kernels
from .kernels import (
    array_namespace,
    generic_kernels,
    has_internal_overlap,
    native_dtypes,
    strided_kernels,
)
from .op_kernels import erf_kernels
from .special_kernels import library_kernels
from .strided_view import strided_view

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


def is_negative_zero(value: Any) -> bool:
    """Whether ``value`` is the Python float -0.0 (which a memset-based fill loses)."""
    return isinstance(value, float) and value == 0 and math.copysign(1.0, value) < 0


def signed_zero_kernels(lib: Any, np: Any) -> dict[str, Any]:
    """``asarray``, ``full`` and ``assign`` that keep -0.0 on a library (CuPy) whose fill
    turns a value equal to 0 into a memset of +0.0: a 0-d array is made from a 1-element
    host copy (copied bit for bit), and a -0.0 fill value becomes such an array. ``lib``
    is the array library (``cupy``); ``np`` is NumPy (the host). Testable with
    ``lib = numpy``."""

    def scalar(value: Any, dtype: Any) -> Any:
        return lib.reshape(lib.asarray(np.asarray([value], dtype=dtype)), ())

    def asarray(data: Any, dtype: Any) -> Any:
        if isinstance(data, lib.ndarray) or hasattr(data, "__cuda_array_interface__"):
            return lib.asarray(data, dtype=dtype)  # already on a GPU: no host round trip
        # Anything else through the host (TypeError for another library's GPU array:
        # the core then copies it through DLPack).
        host = np.asarray(data, dtype=dtype)
        return scalar(host, host.dtype) if host.ndim == 0 else lib.asarray(host)

    def full(shape: tuple, value: Any, dtype: Any) -> Any:
        if is_negative_zero(value):
            return lib.ascontiguousarray(lib.broadcast_to(scalar(value, dtype), shape))
        return lib.full(shape, value, dtype=dtype)

    def assign(target: Any, value: Any) -> Any:
        if has_internal_overlap(target):  # an expanded array: PyTorch refuses the write
            raise RuntimeError(OVERLAP_MESSAGE)
        target[...] = scalar(value, target.dtype) if is_negative_zero(value) else value
        return target

    return {"asarray": asarray, "full": full, "assign": assign}


def _overrides(cupy: Any, xp: Any, generic: dict[str, Any]) -> dict[str, Any]:
    """Where CuPy deviates from the generic layer (see the module docstring)."""
    import cupy.lib.stride_tricks  # lazy, as CuPy itself
    import cupyx.scipy.special

    def erf(a: Any) -> Any:
        return cupyx.scipy.special.erf(a).astype(a.dtype, copy=False)

    return {
        "to_numpy": cupy.asnumpy,
        "tolist": lambda a: cupy.asnumpy(a).tolist(),
        "device_count": lambda: cuda_device_count()[0],
        **strided_kernels(cupy),
        "view": strided_view(cupy.lib.stride_tricks.as_strided),
        **signed_zero_kernels(cupy, numpy),
        **erf_kernels(xp, erf),
        **library_kernels(xp, cupyx.scipy.special),
        **fused_kernels(generic),
    }


def load() -> Backend:
    import cupy

    xp = array_namespace(cupy)
    kernels = generic_kernels(xp)
    kernels.update(_overrides(cupy, xp, kernels))
    kernels.update(vector_kernels(cupy, numpy, kernels))  # falls back to the entries above
    return Backend("cupy", kernels, native_dtypes(xp), device_type="cuda", namespace=xp)


@hookimpl
def retrograd_register_backends() -> list[BackendSpec]:
    return [BackendSpec(name="cupy", load=load, device_type="cuda", probe=probe)]


@hookimpl
def retrograd_lower_program(
    backend: Any, function: Any, mutated_argnums: tuple[int, ...], mode: str
) -> Any:
    """In ``mode="reduce-overhead"``, a compiled step's CuPy calls replay as one captured
    CUDA graph where that is safe and pays (:class:`retrograd.compiler.graphs.GraphedBody`
    decides per call; :mod:`retrograd_backends.cupy_graphs` captures and launches);
    otherwise None (the replay calls the kernels, fused, one by one)."""
    if backend.name != "cupy" or mode != "reduce-overhead":
        return None
    import cupy
    from retrograd.compiler.graphs import GraphedBody

    from .cupy_graphs import CupyGraphs

    return GraphedBody(function, mutated_argnums, CupyGraphs(cupy))


@hookimpl
def retrograd_elementwise_fusion(backend: Any) -> Any:
    """``retrograd.compile`` on CuPy replays a run of elementwise calls as one
    ``cupy.ElementwiseKernel`` composed from :data:`~.cupy_fused.FORMULAS`, the formulas
    the backend's own elementwise kernels compute. ``RETROGRAD_CUPY_FUSION=0`` in the
    environment turns it off (a replay then calls the recorded kernels one by one)."""
    if backend.name != "cupy" or os.environ.get("RETROGRAD_CUPY_FUSION") == "0":
        return None
    from retrograd.compiler.fusion import ElementwiseFusion

    return ElementwiseFusion(formula_table(), expression_kernel)
