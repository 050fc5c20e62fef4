"""The shared steps of an op call: operands, dtype promotion, checks, result wrapping.

Everything here is on the hot path, so it favours a fast common case (one backend,
one dtype) and does the general work only when that fails.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..dtypes import FLOATING
from ..dual import STATE as _dual_state
from ..grad_mode import state as _grad_state
from ..interop import is_numpy_scalar
from ..tensor import Tensor
from .record import OpRecord, attach_node, requires_grad_any

_SCALARS = (int, float, bool)


def backend_of(op: str, *values: Any) -> Any:
    """The backend shared by the tensor operands; RuntimeError naming both if mixed."""
    backend = None
    for v in values:
        if isinstance(v, Tensor):
            if backend is None:
                backend = v._backend
            elif v._backend is not backend:
                raise RuntimeError(
                    f"{op}(): Expected all tensors to be on the same device, but found at "
                    f"least two devices, {backend.name} and {v._backend.name}! Move one with "
                    ".to() first."
                )
    return backend


def host_operand(value: Any) -> Any:
    """A NumPy scalar operand as PyTorch takes it: the Python number it holds. (A NumPy
    array is not an operand of an op function, as in PyTorch: TypeError.)"""
    if is_numpy_scalar(value):
        return value.item()
    return value


def check_operand(op: str, value: Any, position: str) -> None:
    if not isinstance(value, (Tensor, *_SCALARS)):
        raise TypeError(
            f"{op}(): argument '{position}' must be a Tensor or a Python number, "
            f"not {type(value).__name__}"
        )


def promote(values: tuple, int_to_float: bool = False) -> dtypes.dtype:
    """PyTorch's result dtype for the tensors and Python scalars in ``values``."""
    dim, zero_dim, scalars = [], [], []
    for v in values:
        if isinstance(v, Tensor):
            (dim if v._storage.array.ndim else zero_dim).append(v._dtype)
        else:
            scalars.append(dtypes.scalar_dtype(v))
    result = dtypes.result_type(dim, zero_dim, scalars)
    if int_to_float and not result.is_floating_point:
        return dtypes.get_default_dtype()
    return result


def common_dtype(values: tuple, int_to_float: bool = False) -> dtypes.dtype:
    """Fast path of :func:`promote`: all tensors of one dtype, scalars of its category."""
    first = None
    for v in values:
        if isinstance(v, Tensor):
            if first is None:
                first = v._dtype
            elif v._dtype is not first:
                return promote(values, int_to_float)
        elif type(v) is float and (first is None or not first.is_floating_point):
            return promote(values, int_to_float)
    if first is None or (int_to_float and not first.is_floating_point):
        return promote(values, int_to_float)
    if first is dtypes.bool and any(type(v) is int for v in values):
        return promote(values, int_to_float)
    return first


def array_of(value: Any, dtype: dtypes.dtype, backend: Any) -> Any:
    """The kernel operand for ``value``: its array (cast to ``dtype``) or the scalar."""
    if isinstance(value, Tensor):
        if value._dtype is dtype:
            return value._storage.array
        return backend.kernels["astype"](value._storage.array, backend.native_dtype(dtype))
    return value


def broadcast_shapes(op: str, a: tuple, b: tuple) -> tuple:
    """The broadcast of shapes ``a`` and ``b``, or PyTorch's RuntimeError (its text first,
    then the op and both shapes)."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i in reversed(range(n)):  # PyTorch reports the last mismatching dimension
        x, y = pa[i], pb[i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {i} (in {op}(), shapes {list(a)} and {list(b)})"
            )
    return tuple(y if x == 1 else x for x, y in zip(pa, pb, strict=True))


def broadcast_all(op: str, *values: Any) -> tuple:
    """The broadcast shape of the tensors among ``values`` (numbers and None skipped),
    checked before any kernel runs so a mismatch is PyTorch's RuntimeError, not the
    array library's error; PyTorch folds the operands left to right."""
    shapes = [tuple(v._storage.array.shape) for v in values if isinstance(v, Tensor)]
    shape = shapes[0] if shapes else ()
    for other in shapes[1:]:
        if other != shape:
            shape = broadcast_shapes(op, shape, other)
    return shape


def finish(
    record: OpRecord,
    array: Any,
    dtype: dtypes.dtype,
    backend: Any,
    inputs: tuple,
    params: dict | None = None,
    storage: Any = None,
) -> Tensor:
    """Wrap the kernel's result and, if autograd must record, attach the op's node.

    Integer and bool results are never differentiable (as in PyTorch): they get no node,
    and no tangent inside a dual level (forward mode, ``retrograd.dual``).
    """
    out = Tensor._make(array, dtype, backend, storage)
    if (
        _grad_state.enabled
        and record.node_class is not None
        and dtype.category == FLOATING
        and requires_grad_any(inputs)
    ):
        attach_node(record, out, inputs, params)
    if _dual_state.active and record.node_class is not None and dtype.category == FLOATING:
        _dual_state.propagate(record, (out,), inputs, params)
    return out
