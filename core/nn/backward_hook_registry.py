"""Where ``Module``'s backward hooks are registered, per module and process-wide, and the
deprecated ``register_backward_hook``'s attachment to a call's last node.

A module's ``_backward_hooks`` holds one kind of hook, full or not
(``_is_full_backward_hook``: True, False, or None before the first), as in PyTorch; so
does the global registry. Global hooks run before a module's own.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..hooks import RemovableHandle, add_hook
from ..tensor import Tensor
from .backward_hooks import user_stacklevel

BOTH_KINDS = (
    "Cannot use both regular backward hooks and full backward hooks on a single Module. "
    "Please use only one of them."
)
BOTH_KINDS_GLOBAL = (
    "Cannot use both regular backward hooks and full backward hooks as a global Module "
    "hook. Please use only one of them."
)
# The process-wide hooks every module runs before its own (PyTorch's
# ``register_module_full_backward_hook`` and friends); ``_GLOBAL_IS_FULL[0]`` says which
# kind the global backward hooks are (None: none registered yet).
_GLOBAL_HOOKS: OrderedDict = OrderedDict()
_GLOBAL_PRE_HOOKS: OrderedDict = OrderedDict()
_GLOBAL_IS_FULL: list[bool | None] = [None]


def _add(registry: dict, hook: Callable, prepend: bool = False) -> RemovableHandle:
    handle = add_hook(registry, hook)
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle


class BackwardHooks:
    """The backward-hook half of ``Module`` (its ``__init__`` makes the registries)."""

    # True once a backward hook was registered on this module (an instance attribute)
    # or globally (this class attribute): ``__call__``'s hook-free path reads this one
    # flag instead of four registries. The first hooked call that finds the module's
    # registries empty again drops the instance's flag.
    _backward_hooks_used = False

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_input, grad_output) -> tuple | None`` runs each time the
        gradients w.r.t. this module's positional inputs are computed.

        ``grad_input`` has one entry per positional argument (None for a non-tensor;
        zeros for a tensor that does not require grad while another does), and
        ``grad_output`` one per output (None for a non-tensor or an output no gradient
        reached); a returned tuple of the same length replaces ``grad_input``. When no
        input requires grad, the hook runs when the gradients w.r.t. the outputs are
        computed, with a ``grad_input`` of Nones, and may only return None (or Nones);
        when no output requires grad it does not run. ``forward`` gets views of the
        tensors it is given, and the caller views of those it returns: modifying them in
        place raises PyTorch's RuntimeError. Hooks run in registration order after the
        global ones (``prepend=True``: before this module's others).
        """
        if self._is_full_backward_hook is False:
            raise RuntimeError(BOTH_KINDS)
        self._is_full_backward_hook = self._backward_hooks_used = True
        return _add(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_output) -> tuple | None`` runs each time the gradients
        w.r.t. this module's outputs are computed, before the full backward hooks; a
        returned tuple of the same length replaces ``grad_output``."""
        self._backward_hooks_used = True
        return _add(self._backward_pre_hooks, hook, prepend)

    def register_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Deprecated (use :meth:`register_full_backward_hook`); PyTorch's old behaviour:
        ``hook(module, grad_input, grad_output)`` becomes a hook of the ``grad_fn`` of the
        module's first output tensor, so ``grad_input`` holds the gradients w.r.t. that
        last operation's inputs, which are the module's inputs only when ``forward`` is
        one operation (a FutureWarning says when they may not be)."""
        if self._is_full_backward_hook is True:
            raise RuntimeError(BOTH_KINDS)
        self._is_full_backward_hook, self._backward_hooks_used = False, True
        return _add(self._backward_hooks, hook)

    def _backward_hooks_for_call(self) -> tuple[list, list, list]:
        """The (full, deprecated, pre-) hooks one call runs: the global ones first."""
        if not (self._backward_hooks or self._backward_pre_hooks):
            self.__dict__.pop("_backward_hooks_used", None)  # the class's flag shows again
        full: list = []
        old: list = []
        for registry, is_full in (
            (_GLOBAL_HOOKS, _GLOBAL_IS_FULL[0]),
            (self._backward_hooks, self._is_full_backward_hook),
        ):
            if registry:
                (full if is_full else old).extend(registry.values())
        return full, old, [*_GLOBAL_PRE_HOOKS.values(), *self._backward_pre_hooks.values()]

    def _attach_deprecated(self, hooks: list, args: tuple, result: Any) -> None:
        attach_deprecated(self, hooks, args, result)


def register_module_full_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A full backward hook (see ``Module.register_full_backward_hook``) that every module
    runs, before its own."""
    if _GLOBAL_IS_FULL[0] is False:
        raise RuntimeError(BOTH_KINDS_GLOBAL)
    _GLOBAL_IS_FULL[0] = BackwardHooks._backward_hooks_used = True
    return _add(_GLOBAL_HOOKS, hook)


def register_module_full_backward_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """A backward pre-hook (see ``Module.register_full_backward_pre_hook``) that every
    module runs, before its own."""
    BackwardHooks._backward_hooks_used = True
    return _add(_GLOBAL_PRE_HOOKS, hook)


def register_module_backward_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Deprecated: a ``register_backward_hook`` hook for every module (use
    :func:`register_module_full_backward_hook`)."""
    if _GLOBAL_IS_FULL[0] is True:
        raise RuntimeError(BOTH_KINDS_GLOBAL)
    _GLOBAL_IS_FULL[0], BackwardHooks._backward_hooks_used = False, True
    return _add(_GLOBAL_HOOKS, hook)


# -- the deprecated hooks ------------------------------------------------------------------
class _WrappedHook:
    """A deprecated module hook as a node hook: ``(grad_inputs, grad_outputs)`` in,
    ``hook(module, grad_inputs, grad_outputs)`` called. It carries the hook's name, which
    ``retrograd.compile`` reports when it runs during a compiled step's backward."""

    def __init__(self, hook: Callable[..., Any], module: Any) -> None:
        self.hook, self.module = hook, module
        self.__qualname__ = getattr(hook, "__qualname__", type(hook).__name__)

    def __call__(self, grad_inputs: tuple, grad_outputs: tuple) -> Any:
        return self.hook(self.module, grad_inputs, grad_outputs)


def attach_deprecated(module: Any, hooks: list, args: tuple, result: Any) -> None:
    """Make ``hooks`` node hooks of the ``grad_fn`` of ``result``'s first tensor (first
    of a tuple or list, first value of a dict, recursively), warning as PyTorch does."""
    var = result
    while not isinstance(var, Tensor):
        var = (
            next(v for v in var.values() if isinstance(v, Tensor))
            if isinstance(var, dict)
            else var[0]
        )
    grad_fn = var.grad_fn
    if grad_fn is None:
        return
    for hook in hooks:
        grad_fn.register_hook(_WrappedHook(hook, module))
    reason = _what_is_missing(args, result, grad_fn)
    if reason is not None:
        warnings.warn(reason, FutureWarning, stacklevel=user_stacklevel())


_DEPRECATED = " is deprecated and will be removed in future versions. This hook will be missing"
_USE_FULL = " Please use register_full_backward_hook to get the documented behavior."
# PyTorch's FutureWarnings, by what the last node's gradients may miss.
_MISSING = {
    "returns": "Using non-full backward hooks on a Module that does not return a single Tensor "
    "or a tuple of Tensors" + _DEPRECATED + " some of the grad_output." + _USE_FULL,
    "takes": "Using non-full backward hooks on a Module that does not take as input a single "
    "Tensor or a tuple of Tensors" + _DEPRECATED + " some of the grad_input." + _USE_FULL,
    "nested": "Using a non-full backward hook when outputs are nested in python data "
    "structure" + _DEPRECATED + " some grad_output.",
    "outputs": "Using a non-full backward hook when outputs are generated by different "
    "autograd Nodes" + _DEPRECATED + " some grad_output." + _USE_FULL,
    "inputs": "Using a non-full backward hook when the forward contains multiple autograd "
    "Nodes" + _DEPRECATED + " some grad_input." + _USE_FULL,
}


def _what_is_missing(args: tuple, result: Any, grad_fn: Any) -> str | None:
    """PyTorch's FutureWarning when the last node's gradients are not the module's."""
    outputs = (result,) if isinstance(result, Tensor) else result
    if not (isinstance(outputs, tuple) and all(isinstance(r, Tensor) for r in outputs)):
        return _MISSING["returns"]
    if not all(isinstance(a, Tensor) for a in args):
        return _MISSING["takes"]
    out_nodes = {r.grad_fn for r in outputs if r.grad_fn is not None}
    if not out_nodes or (len(out_nodes) == 1 and grad_fn not in out_nodes):
        return _MISSING["nested"]
    if len(out_nodes) > 1:
        return _MISSING["outputs"]
    in_nodes = {a.grad_fn for a in args if a.grad_fn is not None}
    if in_nodes != {node for node, _ in grad_fn.next_functions}:
        return _MISSING["inputs"]
    return None
