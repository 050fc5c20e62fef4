"""``retrograd.autograd.grad`` with PyTorch's full signature, ``is_grads_batched`` included.

With ``is_grads_batched=True`` the first dimension of every ``grad_outputs`` tensor is a
batch dimension: the result is the stack of one vector-Jacobian product per batch entry.
PyTorch computes the batch with ``vmap``; retrograd, which has no ``vmap`` yet, loops over
the batch (one backward pass per entry, the graph retained until the last), so the values
are PyTorch's and the cost grows with the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..creation import zeros_like
from ..engine import grad as _grad
from ..ops.joining import stack
from ..size import Size
from ..tensor import Tensor

Tensors = Sequence[Tensor] | Tensor


def _check_inputs(inputs: object) -> None:
    """PyTorch's refusals of ``inputs``: None is not iterable, and it cannot be empty."""
    if inputs is None:
        raise TypeError("'NoneType' object is not iterable")
    if isinstance(inputs, (list, tuple)) and not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")


def grad(
    outputs: Tensors,
    inputs: Tensors,
    grad_outputs: Sequence[Tensor | None] | Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned instead of accumulated
    (``only_inputs`` is ignored, as in PyTorch; see the module docstring for
    ``is_grads_batched``)."""
    _check_inputs(inputs)
    if not is_grads_batched:
        return _grad(
            outputs,
            inputs,
            grad_outputs,
            retain_graph,
            create_graph,
            allow_unused,
            materialize_grads,
        )
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    batched = _batched_grad_outputs(outputs, grad_outputs)
    size = _batch_size(batched)
    if retain_graph is None:
        retain_graph = create_graph
    rows = [
        _grad(
            outputs,
            inputs,
            [None if g is None else g[b] for g in batched],
            retain_graph=retain_graph or b < size - 1,
            create_graph=create_graph,
            allow_unused=True if allow_unused is None else allow_unused,
        )
        for b in range(size)
    ]
    return tuple(
        _stack_column(rows, i, inp, allow_unused, materialize_grads) for i, inp in enumerate(inputs)
    )


def _batched_grad_outputs(outputs: tuple, grad_outputs: object) -> list:
    given = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs or ())
    for i, (out, g) in enumerate(zip(outputs, given, strict=False)):
        if g is not None and tuple(g.shape[1:]) != tuple(out.shape):
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                "grad_output as the batch dimension. The sizes of the remaining dimensions are "
                "expected to match the shape of corresponding output, but a mismatch was "
                f"detected: grad_output[{i}] has a shape of {Size(g.shape[1:])} and output[{i}] "
                f"has a shape of {out.shape}. If you only want some tensors in `grad_output` "
                "to be considered batched, consider using vmap."
            )
    return given


def _batch_size(batched: list) -> int:
    sizes = {g.shape[0] for g in batched if g is not None}
    if len(sizes) != 1:
        raise RuntimeError(
            "is_grads_batched=True needs grad_outputs that all share one batch size "
            f"(first dimension), got sizes {sorted(sizes)}"
        )
    return sizes.pop()


def _stack_column(rows: list, i: int, inp: Tensor, allow_unused, materialize: bool):
    column = [row[i] for row in rows]
    if all(g is None for g in column):
        if materialize:
            return zeros_like(inp)  # unbatched, as PyTorch returns it
        if not (allow_unused or materialize):
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) appears to not have been "
                "used in the graph. Set allow_unused=True if this is the desired behavior."
            )
        return None
    return stack([zeros_like(inp) if g is None else g for g in column], 0)
