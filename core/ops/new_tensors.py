"""``Tensor.new_tensor``, ``new_zeros``, ``new_ones``, ``new_empty``, ``new_full``.

PyTorch's ``new_*`` methods are the factories with ``self``'s dtype and device as the
defaults: a new leaf (``requires_grad=False`` unless asked), never connected to
``self``'s graph. ``new_tensor`` copies its data into ``self``'s dtype (not the one the
data would infer) and, given a tensor, warns as PyTorch does.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..creation import check_requires_grad, empty, full, ones, tensor, zeros
from ..tensor import Tensor

_COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "tensor.new_tensor(sourceTensor)."
)


def _where(name: str, self: Tensor, dtype: Any, device: Any, kw: dict) -> dict:
    """The factory keywords: ``self``'s dtype and backend unless given."""
    kw.pop("layout", None), kw.pop("pin_memory", None)
    if device is not None:
        kw["device"] = device
    elif kw.get("backend") is None:
        kw["backend"] = self._backend
    check_requires_grad(name, kw.get("requires_grad", False))
    return {"dtype": self._dtype if dtype is None else dtype, **kw}


def new_tensor(self: Tensor, data: Any, *, dtype: Any = None, device: Any = None, **kw: Any):
    """A new leaf holding a copy of ``data``, in ``self``'s dtype unless ``dtype``."""
    if isinstance(data, Tensor):
        warnings.warn(_COPY_WARNING, UserWarning, stacklevel=2)
    return tensor(data, **_where("new_tensor", self, dtype, device, kw))


def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, **kw: Any):
    """Zeros of ``size`` with ``self``'s dtype and device unless given."""
    return _sized("new_zeros", zeros, self, size, dtype, device, kw)


def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, **kw: Any):
    """Ones of ``size`` with ``self``'s dtype and device unless given."""
    return _sized("new_ones", ones, self, size, dtype, device, kw)


def new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, **kw: Any):
    """An uninitialized tensor of ``size`` with ``self``'s dtype and device unless given."""
    return _sized("new_empty", empty, self, size, dtype, device, kw)


def new_full(
    self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, **kw: Any
):
    """``fill_value`` in a tensor of ``size`` with ``self``'s dtype and device unless given."""
    kw = _where("new_full", self, dtype, device, kw)
    return _renamed("new_full", full, size, fill_value, **kw)


def _sized(name: str, factory: Any, self: Tensor, size: tuple, dtype: Any, device: Any, kw: dict):
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    return _renamed(name, factory, *size, **_where(name, self, dtype, device, kw))


def _renamed(name: str, factory: Any, *args: Any, **kw: Any) -> Any:
    """``factory(*args, **kw)`` with its errors naming ``name`` (``new_full()``, not
    ``full()``)."""
    try:
        return factory(*args, **kw)
    except (TypeError, RuntimeError) as error:
        text, prefix = str(error), f"{factory.__name__}()"
        if text.startswith(prefix):
            raise type(error)(name + "()" + text[len(prefix) :]) from None
        raise


METHODS = {
    "new_tensor": new_tensor,
    "new_zeros": new_zeros,
    "new_ones": new_ones,
    "new_empty": new_empty,
    "new_full": new_full,
}
