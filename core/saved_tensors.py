"""Saved-tensor hooks: what a node keeps of a tensor it saves, when hooks are set.

``retrograd.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook)`` pushes a pair
on this thread's :data:`HOOKS` stack; while it is not empty, a node saving a tensor keeps
``pack_hook(tensor)`` instead (the innermost pair applies, as in PyTorch), and unpacking
it at backward time calls ``unpack_hook`` on that. Packed values carry no version
counter: the in-place-modification check is skipped for them (the hooks may have copied
the data anywhere). As in PyTorch, the stack is per thread: hooks set on one thread do
not apply to ops another thread runs meanwhile (a nested backward that
:mod:`retrograd.reentrant` moves to a fresh thread gets a copy of its caller's). This
module imports nothing from retrograd: the node layer uses it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class _Hooks(threading.local):
    """This thread's ``(pack_hook, unpack_hook)`` pairs, innermost last."""

    def __init__(self) -> None:
        self.stack: list[tuple[Callable[[Any], Any], Callable[[Any], Any]]] = []


HOOKS = _Hooks()


class PackedSaved:
    """A saved tensor as its pack hook returned it, with the hook that unpacks it."""

    __slots__ = ("packed", "unpack_hook", "edge")

    def __init__(self, tensor: Any, edge: tuple) -> None:
        pack_hook, self.unpack_hook = HOOKS.stack[-1]
        self.edge = edge  # (node, output_nr) of the saved tensor: its place in the graph
        self.packed = pack_hook(tensor)

    def unpack(self, tensor_type: type) -> Any:
        """``unpack_hook(packed)``, checked to be a tensor."""
        value = self.unpack_hook(self.packed)
        if not isinstance(value, tensor_type):
            raise TypeError(
                "Output of saved tensor unpack_hook expected to be a Tensor but got result "
                f"of type {type(value).__name__}"
            )
        return value
