"""Backward hooks of ``Module``: ``register_full_backward_hook``,
``register_full_backward_pre_hook`` and the deprecated ``register_backward_hook``.

A call of a module with full backward hooks (or pre-hooks) passes its positional tensor
arguments, and then its tensor results, through an identity custom Function,
``BackwardHookFunction`` (grad_fn ``BackwardHookFunctionBackward``, PyTorch's name). In
backward the outputs' node sees the gradients w.r.t. the module's outputs first: it runs
the pre-hooks (which may replace them) and keeps them; the inputs' node then sees the
gradients w.r.t. the module's inputs and runs the hooks with both (they may replace the
input gradients). One :class:`CallHooks` per module call joins the two nodes, so the
hooks fire once per call and backward.

The deprecated hooks keep PyTorch's old behaviour: each becomes a node hook on the
``grad_fn`` of the module's first output tensor, so ``grad_input`` holds that node's
input gradients (which can differ from the module's inputs'), with PyTorch's
``FutureWarning`` when that is so.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

from .. import grad_mode
from ..autograd.function import Function
from ..hooks import about_to_run
from ..tensor import Tensor

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NO_INPUT_REQUIRES_GRAD = (
    "Full backward hook is firing when gradients are computed with respect to module "
    "outputs since no inputs require gradients. See "
    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
    "#torch.nn.Module.register_full_backward_hook for more details."
)


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the innermost frame outside retrograd
    (the user's ``backward()`` or module call), however deep the engine called us."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back
    return level


class BackwardHookFunction(Function):
    """Identity on the tensors it is given; its backward runs one side of a module
    call's hooks (``ctx.role``: ``"input"`` or ``"output"`` of :class:`CallHooks`)."""

    @staticmethod
    def forward(ctx: Any, hooks: CallHooks, role: str, *tensors: Tensor) -> tuple:
        ctx.hooks, ctx.role = hooks, role
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        # The output side sees missing gradients as None (PyTorch's hooks do); the input
        # side gets zeros for them, as PyTorch's grad_input shows.
        ctx.set_materialize_grads(role == "input")
        return tensors

    @staticmethod
    def backward(ctx: Any, *grads: Tensor | None) -> tuple:
        run = ctx.hooks.input_side if ctx.role == "input" else ctx.hooks.output_side
        return (None, None, *run(grads))


def _custom_view_refusal(output_nr: int) -> str:
    """PyTorch's refusal of an in-place write to a tensor this Function returned."""
    return (
        f"Output {output_nr} of BackwardHookFunction is a view and is being modified "
        "inplace. This view was created inside a custom Function (or because an input was "
        "returned as-is) and the autograd logic to handle view+inplace would override the "
        "custom backward associated with the custom Function, leading to incorrect "
        "gradients. This behavior is forbidden. You can fix this by cloning the output of "
        "the custom Function."
    )


# Its outputs stand for the module's own tensors: ``check_inplace`` asks the node.
BackwardHookFunction._backward_cls.inplace_refusal = staticmethod(_custom_view_refusal)


def _pack(indices: list[int], values: tuple, size: int) -> tuple:
    """``values`` placed at ``indices`` of a tuple of ``size`` Nones."""
    packed: list[Any] = [None] * size
    for i, value in zip(indices, values, strict=True):
        packed[i] = value
    return tuple(packed)


class CallHooks:
    """One module call's full backward hooks and pre-hooks, and what backward has seen
    of it so far (the gradients w.r.t. its outputs, between the two nodes)."""

    def __init__(self, module: Any, hooks: list[Callable], pre_hooks: list[Callable]) -> None:
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs: Any = None
        self.n_inputs = self.n_outputs = -1
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    def setup_inputs(self, args: tuple) -> tuple:
        """``args`` with its tensors replaced by their hooked views (unchanged when no
        tensor requires grad or grad mode is off)."""
        args, self.input_index = self._hooked(args, "input")
        self.n_inputs = len(args)
        return args

    def setup_outputs(self, result: Any) -> Any:
        """The module's result with its tensors hooked (a Tensor or a tuple; anything
        else is returned as it is, with PyTorch's warning: its hooks cannot fire)."""
        if not isinstance(result, (Tensor, tuple)):
            warnings.warn(
                "For backward hooks to be called, module output should be a Tensor or a "
                f"tuple of Tensors but received {type(result)}",
                stacklevel=user_stacklevel(),
            )
        single = not isinstance(result, tuple)
        outs, self.output_index = self._hooked((result,) if single else result, "output")
        self.n_outputs = 1 if single else len(outs)
        return outs[0] if single else outs

    def _hooked(self, args: tuple, role: str) -> tuple[tuple, list[int] | None]:
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (grad_mode.is_grad_enabled() and any(args[i].requires_grad for i in index)):
            return args, None
        hooked = BackwardHookFunction.apply(self, role, *(args[i] for i in index))
        values = list(args)
        for i, t in zip(index, hooked, strict=True):
            values[i] = t
        return (tuple(values) if type(args) is tuple else type(args)(*values)), index

    # -- backward ------------------------------------------------------------------------
    def output_side(self, grads: tuple) -> tuple:
        """The gradients w.r.t. the outputs arrive: the pre-hooks may replace them; with
        no input requiring grad, the hooks run now (with a grad_input of Nones)."""
        assert self.output_index is not None  # this node exists only when it is set
        self.grad_outputs = _pack(self.output_index, grads, self.n_outputs)
        expected = len(self.grad_outputs)
        for hook in self.pre_hooks:
            about_to_run(hook)
            result = hook(self.module, self.grad_outputs)
            if result is None:
                continue
            if len(result) != expected:
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, "
                    f"got {len(result)}, but expected {expected}"
                )
            self.grad_outputs = result
        grad_outputs = self.grad_outputs
        if self.input_index is None:
            self._hooks_without_inputs()
        return tuple(grad_outputs[i] for i in self.output_index)

    def _hooks_without_inputs(self) -> None:
        warnings.warn(NO_INPUT_REQUIRES_GRAD, stacklevel=user_stacklevel())
        grad_inputs = (None,) * self.n_inputs
        for hook in self.hooks:
            about_to_run(hook)
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is not None and not (
                isinstance(result, tuple) and all(r is None for r in result)
            ):
                raise RuntimeError(
                    "Backward hook for Modules where no input requires gradient should "
                    "always return None or None for all gradients."
                )
        self.grad_outputs = None

    def input_side(self, grads: tuple) -> tuple:
        """The gradients w.r.t. the inputs arrive: the hooks run (once; not at all when
        no gradient came through the outputs first, as in a double backward)."""
        if self.grad_outputs is None:
            return grads
        assert self.input_index is not None  # this node exists only when it is set
        grad_inputs = _pack(self.input_index, grads, self.n_inputs)
        for hook in self.hooks:
            about_to_run(hook)
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is None:
                continue
            if len(result) != len(grad_inputs):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, "
                    f"got {len(result)}, but expected {len(grad_inputs)}"
                )
            grad_inputs = result
        self.grad_outputs = None
        return tuple(grad_inputs[i] for i in self.input_index)
