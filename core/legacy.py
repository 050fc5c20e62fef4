"""PyTorch's legacy typed constructors: ``FloatTensor``, ``DoubleTensor``, ``LongTensor``.

Calling one builds an ordinary Tensor of that dtype (``FloatTensor([1, 2])``,
``FloatTensor(2, 3)``); ``isinstance(t, FloatTensor)`` checks the dtype, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .creation import legacy_new
from .tensor import Tensor

_TYPE_NAMES = {
    dtypes.bool: "Bool", dtypes.uint8: "Byte", dtypes.int8: "Char", dtypes.int16: "Short",
    dtypes.int32: "Int", dtypes.int64: "Long", dtypes.float16: "Half",
    dtypes.float32: "Float", dtypes.float64: "Double",
}  # fmt: skip


def type_name(tensor: Tensor) -> str:
    """PyTorch's legacy type string of ``tensor`` (``torch.FloatTensor``,
    ``torch.cuda.DoubleTensor``), as its error messages name a tensor's type."""
    where = "torch.cuda." if tensor.device.type == "cuda" else "torch."
    return f"{where}{_TYPE_NAMES.get(tensor.dtype, str(tensor.dtype))}Tensor"


def typename(value: Any) -> str:
    """PyTorch's ``torch.typename``: a tensor's legacy type string, else the qualified
    name of the value's type (as PyTorch's assignment and argument errors name it)."""
    if isinstance(value, Tensor):
        return type_name(value)
    module, name = type(value).__module__, type(value).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


class _LegacyType(type):
    _dtype: dtypes.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype

    def __call__(cls, *args: Any, **kwargs: Any) -> Tensor:
        return legacy_new(Tensor, cls._dtype, args, kwargs)


class FloatTensor(metaclass=_LegacyType):
    _dtype = dtypes.float32


class DoubleTensor(metaclass=_LegacyType):
    _dtype = dtypes.float64


class LongTensor(metaclass=_LegacyType):
    _dtype = dtypes.int64
