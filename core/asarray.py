"""``retrograd.asarray``: an object as a tensor, sharing memory where it can.

A tensor stays itself unless a dtype, a device or ``copy=True`` asks for another one
(made by differentiable ops, so the history carries over); a NumPy array is shared on
the NumPy backend (:func:`retrograd.as_tensor`); numbers and sequences become a new
tensor. ``requires_grad`` then works as PyTorch's: ``None`` keeps what the input had,
``False`` drops it (in place for a leaf, by ``detach`` otherwise), ``True`` sets it.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import dtypes
from .creation import tensor
from .device import device as _device
from .interop import as_tensor, is_ndarray, is_numpy_scalar
from .tensor import Tensor

_UNSPECIFIED_WARNING = (
    "torch.asarray: unspecified requires_grad now defaults to obj.requires_grad instead "
    "of False. Pass requires_grad=False explicitly to get the old behavior and silence "
    "this warning."
)


def asarray(
    obj: Any,
    *,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool | None = None,
) -> Tensor:
    """``obj`` (a tensor, a NumPy array or scalar, a number or a sequence of numbers) as
    a tensor of ``dtype`` on ``device``.

    ``copy=None`` shares memory whenever possible, ``copy=True`` never does, and
    ``copy=False`` raises ``ValueError`` where it cannot share (another dtype, a Python
    sequence). A tensor input keeps its autograd history unless ``requires_grad=False``;
    leaving ``requires_grad`` unset on a tensor that requires grad warns, as in PyTorch.
    """
    if isinstance(obj, Tensor):
        result = _from_tensor(obj, dtype, device, copy)
        if requires_grad is None and obj.requires_grad:
            warnings.warn(_UNSPECIFIED_WARNING, UserWarning, stacklevel=2)
    elif (is_ndarray(obj) or is_numpy_scalar(obj)) and copy is not True:
        result = as_tensor(obj, dtype=dtype, device=device)
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        result = tensor(obj, dtype=dtype, device=device)
    if requires_grad is False and result.requires_grad:
        return result.requires_grad_(False) if result.is_leaf else result.detach()
    if requires_grad and not result.requires_grad:
        result.requires_grad_(True)
    return result


def _from_tensor(obj: Tensor, dtype: Any, device: Any, copy: bool | None) -> Tensor:
    wanted = obj.dtype if dtype is None else dtypes.resolve(dtype)
    place = obj.device if device is None else _device(device)
    if copy is False and wanted is not obj.dtype:
        raise ValueError(
            f"can't alias tensor with dtype '{dtypes.kind_name(obj.dtype)}' into dtype "
            f"'{dtypes.kind_name(wanted)}'."
        )
    if copy is False and place != obj.device:
        raise ValueError(f"can't alias tensor from device '{obj.device}' to '{place}'.")
    result = obj
    if wanted is not obj.dtype:
        result = result.to(wanted)
    if place != obj.device:
        result = result.to(place)
    return result.clone() if copy and result is obj else result
