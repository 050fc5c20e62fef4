"""``Parameter``: a Tensor that a Module registers as one of its parameters."""

from __future__ import annotations

from typing import Any

from ..creation import empty
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default; assigning one to a Module attribute
    registers it (``module.parameters()`` yields it). It shares ``data``'s memory.

    ``Parameter()`` without data is an empty float tensor, as in PyTorch.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be a Tensor, not {type(data).__name__}"
            )
        p = cls._make(data._storage.array, data._dtype, data._backend, data._storage)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # all done in __new__ (Tensor has no __init__ to call)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: int) -> Any:
        return (Parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result


class Buffer(Tensor):
    """A tensor that is module state but not a parameter: assigning one to a Module
    attribute registers it as a buffer (``module.buffers()`` yields it), in
    ``state_dict`` unless ``persistent=False``. Assigning a plain Tensor does not register
    it (``register_buffer`` does).

    As in PyTorch, ``Buffer(data)`` is ``data`` detached (sharing its memory) and keeping
    its ``requires_grad``; ``Buffer()`` is an empty float tensor. PyTorch returns a plain
    ``torch.Tensor`` flagged as a buffer; here it is an instance of this Tensor subclass
    (``isinstance(b, Tensor)`` holds in both). Copies and results of ops are plain
    tensors in both."""

    persistent: bool

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        if data is None:
            data = empty(0)
        source = data.detach()  # PyTorch's error for a non-tensor: no attribute 'detach'
        b = cls._make(source._storage.array, source._dtype, source._backend, source._storage)
        b.requires_grad_(data.requires_grad)
        b.persistent = persistent
        return b

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass  # all done in __new__ (Tensor has no __init__ to call)
