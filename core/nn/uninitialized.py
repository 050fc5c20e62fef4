"""``UninitializedParameter`` and ``UninitializedBuffer``: the placeholders a lazy module
holds until its first forward gives it its sizes (:mod:`retrograd.nn.modules.lazy`).

Each is an empty tensor whose ``materialize(shape)`` gives it storage of that shape (not
yet initialized: the module's ``reset_parameters`` fills it) and turns it, in place, into
a :class:`Parameter` or a plain :class:`Tensor`, as PyTorch's do; so an optimizer or a
reference made before the first forward sees the materialized tensor."""

from __future__ import annotations

from typing import Any

from ..creation import empty
from ..tensor import Tensor
from .parameter import Parameter


def _materialized(self: Any, shape: Any, device: Any, dtype: Any) -> None:
    """Give ``self`` fresh storage of ``shape`` and make it its ``cls_to_become``."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    dtype = self.dtype if dtype is None else dtype
    data = empty(shape, dtype=dtype, device=device if device is not None else self.device)
    self.data = data
    self.__class__ = self.cls_to_become


class UninitializedParameter(Parameter):
    """A parameter without a shape yet (``<UninitializedParameter>``); ``materialize``
    makes it an ordinary :class:`Parameter`."""

    cls_to_become = Parameter

    def __new__(
        cls, requires_grad: bool = True, device: Any = None, dtype: Any = None
    ) -> UninitializedParameter:
        return super().__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None):
        pass  # all done in __new__

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Storage of ``shape`` (``device``/``dtype`` default to the placeholder's), in
        place; the parameter becomes a :class:`Parameter`."""
        _materialized(self, shape, device, dtype)

    def __repr__(self) -> str:
        return "<UninitializedParameter>"

    def __reduce_ex__(self, protocol: int) -> Any:
        return (UninitializedParameter, (self.requires_grad,))

    def __deepcopy__(self, memo: dict) -> UninitializedParameter:
        if id(self) not in memo:
            memo[id(self)] = UninitializedParameter(self.requires_grad, None, self.dtype)
        return memo[id(self)]


class UninitializedBuffer(Tensor):
    """A buffer without a shape yet (``<UninitializedBuffer>``); ``materialize`` makes it
    an ordinary :class:`Tensor`."""

    __slots__ = ()  # Tensor's layout, so that materializing can make it a Tensor
    cls_to_become = Tensor

    def __new__(
        cls, requires_grad: bool = False, device: Any = None, dtype: Any = None
    ) -> UninitializedBuffer:
        data = empty(0, device=device, dtype=dtype)
        buffer = cls._make(data._storage.array, data._dtype, data._backend, data._storage)
        buffer.requires_grad_(requires_grad)
        return buffer

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None):
        pass  # all done in __new__

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Storage of ``shape``, in place; the buffer becomes a :class:`Tensor`."""
        _materialized(self, shape, device, dtype)

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"
