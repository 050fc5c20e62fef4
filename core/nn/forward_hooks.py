"""Forward pre- and post-hooks of ``Module``: registration with removable handles, and
``__call__``, which runs them around ``forward`` and, where backward hooks are registered,
sets them up for the call (:mod:`retrograd.nn.backward_hooks`)."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..hooks import RemovableHandle, add_hook
from .backward_hooks import CallHooks


class ForwardHooks:
    """The hook half of ``Module`` (its ``__init__`` makes the registries)."""

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """``hook(module, args)`` (or ``(module, args, kwargs)``) runs before ``forward``;
        a non-None result replaces the arguments."""
        handle = _add(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; a non-None result
        replaces the output."""
        handle = _add(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        return handle

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        """``forward`` between the pre-hooks (which may replace the arguments) and the
        hooks (which may replace the output), with the call's backward hooks set up where
        the module (or every module) has some."""
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks_used):
            return self.forward(*args, **kwargs)
        return self._hooked_call(args, kwargs)

    def _hooked_call(self, args: tuple, kwargs: dict) -> Any:
        """The call with hooks: forward pre-hooks, the backward hooks' views of the
        arguments, ``forward``, forward hooks, the backward hooks' views of the output."""
        full, deprecated, pre = self._backward_hooks_for_call()
        args, kwargs = self._run_pre_hooks(args, kwargs)
        # As in PyTorch: after the forward pre-hooks, so their replacements are hooked.
        call = CallHooks(self, full, pre) if full or pre else None
        if call is not None:
            args = call.setup_inputs(args)
        try:
            output = self.forward(*args, **kwargs)
        except Exception:
            self._run_always_called_hooks(args)
            raise
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        if call is not None:
            output = call.setup_outputs(output)
        if deprecated:
            self._attach_deprecated(deprecated, args, output)
        return output

    def _run_pre_hooks(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        return args, kwargs

    def _run_always_called_hooks(self, args: tuple) -> None:
        """After ``forward`` raised: the ``always_call`` hooks, with output None; their
        own errors are only warned about, as PyTorch does."""
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id not in self._forward_hooks_always_called:
                continue
            try:
                hook(self, args, None)
            except Exception as e:  # noqa: BLE001 - the forward's error is the one to raise
                warnings.warn(
                    "forward hook with ``always_call=True`` raised an exception that was "
                    f"silenced as another error was raised in forward: {e!s}",
                    stacklevel=3,
                )

    __call__ = _call_impl


def _add(registry: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = add_hook(registry, hook)
    if prepend:
        registry.move_to_end(handle.id, last=False)
    return handle
