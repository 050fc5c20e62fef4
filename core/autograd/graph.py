"""``retrograd.autograd.graph``: the graph's node type and the saved-tensor hooks.

``Node`` is the type of every ``grad_fn``. ``saved_tensors_hooks(pack_hook,
unpack_hook)`` changes what nodes keep of the tensors they save for backward while it is
active: ``pack_hook(tensor)`` is kept instead, and ``unpack_hook`` turns it back into a
tensor when backward needs it (once per saved tensor and backward). ``save_on_cpu`` is
such a pair: the saved tensors of a device backend (CuPy, JAX) wait in host memory
(NumPy) and go back to their backend in backward; host tensors stay where they are.

Differences from PyTorch: the pack hook of a node's own output receives an alias of it
without history (keeping the output itself would make a reference cycle), and packed
tensors are not checked for in-place modification at unpacking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..graph import Node
from ..saved_tensors import HOOKS
from ..tensor import Tensor

__all__ = ["Node", "save_on_cpu", "saved_tensors_hooks"]

HOST_BACKEND = "numpy"


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Context manager: nodes created inside it pack what they save with ``pack_hook``
    and unpack it with ``unpack_hook``. Nested managers: the innermost applies."""

    def __init__(
        self, pack_hook: Callable[[Tensor], Any], unpack_hook: Callable[[Any], Tensor]
    ) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        HOOKS.stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *args: object) -> None:
        HOOKS.stack.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - PyTorch's name
    """Saved tensors of a device backend are kept on the host backend until backward.

    ``pin_memory`` and ``device_type`` are accepted for PyTorch compatibility (retrograd
    has no pinned memory; every non-host backend counts as a device)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(_to_host, _from_host)


def _to_host(tensor: Tensor) -> tuple[Any, Tensor]:
    if tensor.device.type == "cpu":
        return None, tensor  # already in host memory: nothing to move (as .cpu())
    return tensor.backend, tensor.detach().to(backend=HOST_BACKEND)


def _from_host(packed: tuple[Any, Tensor]) -> Tensor:
    backend, tensor = packed
    return tensor if backend is None else tensor.to(backend=backend)
