"""The names of PyTorch's kernels as its dtype refusals print them.

PyTorch refuses a dtype its kernel has no code for with ``NotImplementedError:
"<kernel>" not implemented for '<Kind>'``, naming the ATen kernel, which differs from
the op's name (``"trunc_vml_cpu"`` for ``trunc``, ``"GeluKernelImpl"`` for ``gelu``) and
from CPU to GPU. :func:`refusal` builds that error, PyTorch's text first, then a hint.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes

# op -> PyTorch's CPU kernel name (an op not listed: "<op>_cpu").
_CPU = {
    "ceil": "ceil_vml_cpu", "floor": "floor_vml_cpu", "round": "round_vml_cpu",
    "trunc": "trunc_vml_cpu", "gelu": "GeluKernelImpl",
    "softmax": "softmax_kernel_impl", "log_softmax": "log_softmax_kernel_impl", "pow": "pow",
}  # fmt: skip
_HINT = " (convert the input with .float() first)"


def kernel_name(op: str, backend: Any, last_dim: bool = False) -> str:
    """PyTorch's kernel for ``op`` on ``backend``'s device; ``last_dim``: a softmax over
    the last dimension (PyTorch has a kernel of its own for it)."""
    if backend.device_type != "cpu":
        return f"{op}_cuda"
    if last_dim and op in ("softmax", "log_softmax"):
        return f"{op}_lastdim_kernel_impl"
    return _CPU.get(op, f"{op}_cpu")


def refusal(op: str, backend: Any, dtype: dtypes.dtype, last_dim: bool = False) -> Exception:
    """PyTorch's NotImplementedError for ``op`` on ``dtype``, with a hint after it."""
    name = kernel_name(op, backend, last_dim)
    return NotImplementedError(f"\"{name}\" not implemented for '{dtypes.kind_name(dtype)}'{_HINT}")
