"""Why a device cannot be used, in PyTorch's words first, then retrograd's reason.

A device spec names a backend (see ``retrograd.device``). When that backend cannot be
had, the error says what PyTorch says for the same device on a machine that lacks it:

- a device type PyTorch does not know, which is no installed backend's name either
  (``device="tpu"``): PyTorch's ``RuntimeError`` listing its device types, then the
  installed backends (each of them is a device type too);
- ``"cuda"`` without a usable CuPy backend: PyTorch's ``AssertionError`` of a build
  without CUDA, then why the CuPy backend cannot run (not installed, or no GPU, as
  ``retrograd.backends()`` says).

Both errors are also :class:`UnknownBackendError`, so code catching that keeps working.
"""

from __future__ import annotations

from .registry import UnknownBackendError, backends

# PyTorch's device types, in the order its "Expected one of ..." message lists them.
PYTORCH_DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip


class CudaUnavailableError(UnknownBackendError, AssertionError):
    """``"cuda"`` asked for where no CUDA backend can run (PyTorch: ``AssertionError``)."""


def device_error(device_type: str, backend: str) -> UnknownBackendError | None:
    """The error for a device of type ``device_type`` (served by ``backend``) that cannot
    be had, or None where the backend's own error says it best."""
    rows = {row.name: row for row in backends()}
    if device_type == "cuda" and not (backend in rows and rows[backend].usable):
        why = f"cannot run here: {rows[backend].reason}" if backend in rows else (
            "is not installed: pip install 'retrograd[cupy]'")  # fmt: skip
        return CudaUnavailableError(
            f"Torch not compiled with CUDA enabled (retrograd: device 'cuda' is the "
            f"'{backend}' backend, which {why})"
        )
    if device_type not in PYTORCH_DEVICE_TYPES and backend not in rows:
        return UnknownBackendError(
            f"Expected one of {', '.join(PYTORCH_DEVICE_TYPES)} device type at start of "
            f"device string: {device_type} (retrograd: each installed backend's name is a "
            f"device type too: {', '.join(rows)})"
        )
    return None
