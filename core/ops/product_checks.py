"""PyTorch's checks of matrix-product operands (``mm``, ``bmm``, ``mv``, ``dot``,
``outer``), in PyTorch's order and words: the rank of each operand, then the sizes that
must agree, then the dtypes (``dot`` checks dtypes before sizes, as PyTorch does), then
the dtypes PyTorch's CPU kernels refuse (bool)."""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor

# C++'s names of the scalar types, as PyTorch's ``mm`` dtype message prints them.
_CPP_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
    "uint8": "unsigned char", "bool": "bool",
}  # fmt: skip
# PyTorch's CPU kernel of each product, named in its refusal of bool operands.
_BOOL_KERNELS = {"mm": "addmm_impl_cpu_", "bmm": "bmm", "mv": "addmv_impl_cpu", "dot": "dot"}


def cpp_name(dtype: dtypes.dtype) -> str:
    """C++'s name of ``dtype``'s scalar type (``long int``), as some PyTorch errors say."""
    return _CPP_NAMES[dtype.name]


def _kind(t: Tensor) -> str:
    return dtypes.kind_name(t.dtype)


def _by_x(shape: Any) -> str:
    return "x".join(str(n) for n in shape)


def check_product(op: str, a: Tensor, b: Tensor, within: str | None = None) -> None:
    """Raise PyTorch's error for ``op(a, b)``'s operands, if any; after PyTorch's text,
    the hint names the function called (``within``, else ``op``)."""
    try:
        _check(op, a, b)
    except (RuntimeError, NotImplementedError) as error:
        operands = f"{a.dtype} {list(a.shape)} and {b.dtype} {list(b.shape)}"
        raise type(error)(f"{error} (in {within or op}(), operands {operands})") from None


def _check(op: str, a: Tensor, b: Tensor) -> None:
    sa, sb = tuple(a._storage.array.shape), tuple(b._storage.array.shape)
    if op == "mm":
        if len(sa) != 2:
            raise RuntimeError("self must be a matrix")
        if len(sb) != 2:
            raise RuntimeError("mat2 must be a matrix")
        if sa[1] != sb[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({_by_x(sa)} and {_by_x(sb)})"
            )
        if a.dtype is not b.dtype:
            raise RuntimeError(
                "expected m1 and m2 to have the same dtype, but got: "
                f"{_CPP_NAMES[a.dtype.name]} != {_CPP_NAMES[b.dtype.name]}"
            )
    elif op == "bmm":
        for name, shape in (("batch1", sa), ("batch2", sb)):
            if len(shape) != 3:
                raise RuntimeError(f"{name} must be a 3D tensor")
        if sb[:2] != (sa[0], sa[2]):
            raise RuntimeError(
                "Expected size for first two dimensions of batch2 tensor to be: "
                f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}]."
            )
        if a.dtype is not b.dtype:
            raise RuntimeError(f"expected scalar type {_kind(a)} but found {_kind(b)}")
    elif op == "mv":
        if len(sa) != 2 or len(sb) != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {len(sa)}, {len(sb)}")
        if sa[1] != sb[0]:
            raise RuntimeError(
                f"size mismatch, got input ({sa[0]}), mat ({_by_x(sa)}), vec ({sb[0]})"
            )
        if a.dtype is not b.dtype:
            raise RuntimeError(
                "addmv input tensors must have the same dtype, but got "
                f"{_kind(b)}, {_kind(a)}, and {_kind(b)}"
            )
    elif op == "dot":
        if len(sa) != 1 or len(sb) != 1:
            raise RuntimeError(f"1D tensors expected, but got {len(sa)}D and {len(sb)}D tensors")
        if a.dtype is not b.dtype:
            raise RuntimeError(
                f"dot : expected both vectors to have same dtype, but found {_kind(a)} and "
                f"{_kind(b)}"
            )
        if sa != sb:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively"
            )
    elif op == "outer":
        for name, shape in (("self", sa), ("vec2", sb)):
            if len(shape) != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {len(shape)}-D")
    if a.dtype is dtypes.bool and op in _BOOL_KERNELS and a._backend.device_type == "cpu":
        raise NotImplementedError(f"\"{_BOOL_KERNELS[op]}\" not implemented for 'Bool'")
