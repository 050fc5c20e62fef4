"""``retrograd.utils.checkpoint``: trade compute for memory by recomputing in backward.

``checkpoint(fn, *args, use_reentrant=False)`` runs ``fn`` without keeping the tensors its
nodes save for backward; backward runs ``fn`` again to get them. With
``use_reentrant=False`` (recommended, as in PyTorch) this is done with saved-tensor
hooks: a node inside ``fn`` keeps the index of each tensor it saves, and the first
unpacking in backward recomputes ``fn`` once, collecting the same tensors in the same
order. ``use_reentrant=True`` runs ``fn`` under ``no_grad`` inside a custom Function
whose backward recomputes it and runs a nested backward (only ``backward()``, not
``autograd.grad``, reaches the inputs through it, as in PyTorch).

Not reproduced: ``preserve_rng_state`` is accepted, but retrograd cannot yet restore the
random stream, so ``fn`` must not draw random numbers (e.g. dropout) for the recomputation
to match; ``context_fn``, ``determinism_check``, ``debug`` and ``early_stop`` are accepted
and have no effect.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .. import grad_mode
from ..autograd.function import Function
from ..autograd.graph import saved_tensors_hooks
from ..engine import backward as _backward
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]

_REENTRANT_DEFAULT = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
    "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
    "exception. use_reentrant=False is recommended, but if you need to preserve the current "
    "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
    "the differences between the two variants."
)


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Callable[[], Any] | None = None,
    determinism_check: str = "default",
    debug: bool = False,
    early_stop: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, keeping none of its saved tensors for backward.

    ``use_reentrant`` not given: PyTorch's warning, then the reentrant variant (PyTorch's
    current default)."""
    preserve_rng_state = kwargs.pop("preserve_rng_state", True)  # noqa: F841 - see module doc
    if use_reentrant is None:
        warnings.warn(_REENTRANT_DEFAULT, UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if context_fn is not None or debug:
            raise ValueError(
                "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
            )
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        return CheckpointFunction.apply(function, *args)
    return _Recomputation(function, args, kwargs).run()


class _Recomputation:
    """The non-reentrant variant: saved tensors become indices into one recomputation."""

    def __init__(self, function: Callable, args: tuple, kwargs: dict) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.count = 0  # tensors saved by the first run
        self.recomputed: dict[int, Tensor] = {}

    def run(self) -> Any:
        with saved_tensors_hooks(self._pack, self._unpack):
            return self.function(*self.args, **self.kwargs)

    def _pack(self, tensor: Tensor) -> int:
        self.count += 1
        return self.count - 1

    def _unpack(self, index: int) -> Tensor:
        if index not in self.recomputed:
            self._recompute()
        return self.recomputed.pop(index)  # each is needed once per backward

    def _recompute(self) -> None:
        collected: list[Tensor] = []

        def keep(tensor: Tensor) -> int:
            # Without history: the recomputed graph is dropped; unpacking gives each
            # tensor the place in the graph of the one the first run saved.
            collected.append(tensor.detach())
            return len(collected) - 1

        args = tuple(_fresh(a) for a in self.args)
        with saved_tensors_hooks(keep, lambda i: collected[i]), grad_mode.enable_grad():
            self.function(*args, **self.kwargs)
        self.recomputed = dict(enumerate(collected[: self.count]))


def _fresh(value: Any) -> Any:
    """An argument for the recomputation: same values and requires_grad, no history
    (so the recomputed graph, which only yields saved tensors, stays separate)."""
    if isinstance(value, Tensor):
        return value.detach().requires_grad_(value.requires_grad)
    return value


class CheckpointFunction(Function):
    """The reentrant variant: forward without a graph, backward recomputes and nests."""

    @staticmethod
    def forward(ctx: Any, run_function: Callable, *args: Any) -> Any:
        ctx.run_function = run_function
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        return run_function(*args)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors, strict=True):
            inputs[i] = _fresh(t)
        with grad_mode.enable_grad():
            outputs = ctx.run_function(*inputs)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [
            (o, g)
            for o, g in zip(outputs, grads, strict=False)
            if isinstance(o, Tensor) and o.requires_grad
        ]
        if not pairs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, *(a.grad if isinstance(a, Tensor) else None for a in inputs))


def checkpoint_sequential(
    functions: Sequence[Callable] | Any,
    segments: int,
    input: Any,
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Run ``functions`` (a list, or a module whose ``children()`` are the stages) in
    ``segments`` chunks, checkpointing all but the last chunk."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter "
            "should be passed explicitly. In version 2.9 we will raise an exception if "
            "use_reentrant is not passed. use_reentrant=False is recommended, but if you "
            "need to preserve the current default behavior, you can pass use_reentrant=True. "
            "Refer to docs for more details on the differences between the two variants.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(
            _chain(functions[start : end + 1]),
            input,
            use_reentrant=use_reentrant,
            preserve_rng_state=preserve,
        )
    return _chain(functions[end + 1 :])(input)


def _chain(functions: list[Callable]) -> Callable[[Any], Any]:
    def forward(value: Any) -> Any:
        for fn in functions:
            value = fn(value)
        return value

    return forward
