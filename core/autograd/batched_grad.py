"""``retrograd.autograd.grad`` with PyTorch's full signature, ``is_grads_batched`` included.

With ``is_grads_batched=True`` the first dimension of every ``grad_outputs`` tensor is a
batch dimension: the result is the stack of one vector-Jacobian product per batch entry.
As in PyTorch, the batch is one backward pass under :func:`retrograd.func.vmap` (each
kernel runs once on the whole batch), not a loop.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..creation import eye, zeros, zeros_like
from ..engine import grad as _grad
from ..size import Size
from ..tensor import Tensor
from ..vmap import vmap

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
    _batch_size(batched)
    if retain_graph is None:
        retain_graph = create_graph
    used = [False] * len(inputs)

    def vjp(*grads: Tensor | None) -> tuple:
        found = _grad(outputs, inputs, list(grads), retain_graph, create_graph, True)
        for i, g in enumerate(found):
            used[i] = used[i] or g is not None
        return tuple(zeros_like(t) if g is None else g for g, t in zip(found, inputs, strict=True))

    batched += [None] * (len(outputs) - len(batched))
    in_dims = tuple(None if g is None else 0 for g in batched)
    result = vmap(vjp, in_dims=in_dims)(*batched)
    return tuple(
        g if used[i] else _unused(i, inp, allow_unused, materialize_grads)
        for i, (g, inp) in enumerate(zip(result, inputs, strict=True))
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


def _batch_size(batched: list) -> None:
    if all(g is None for g in batched):
        raise RuntimeError(
            "is_grads_batched=True needs grad_outputs with a batch dimension (got none)"
        )


def _unused(i: int, inp: Tensor, allow_unused: bool | None, materialize: bool) -> Tensor | None:
    if materialize:
        return zeros_like(inp)  # unbatched, as PyTorch returns it
    if not allow_unused:
        raise RuntimeError(
            f"One of the differentiated Tensors (input {i}) appears to not have been "
            "used in the graph. Set allow_unused=True if this is the desired behavior."
        )
    return None


def jacobian_rows(out: Tensor, inputs: tuple, create_graph: bool) -> tuple:
    """The Jacobian of ``out`` w.r.t. each input (``out.shape + input.shape``) in one
    batched backward pass over the rows of the identity (``jacobian(vectorize=True)``);
    zeros for an input ``out`` does not depend on."""
    n = out.numel()
    shapes = [tuple(out.shape) + tuple(t.shape) for t in inputs]
    if not n or not out.requires_grad:
        return tuple(zeros(s, dtype=t.dtype, backend=t.backend) for s, t in zip(shapes, inputs))
    basis = eye(n, dtype=out.dtype, backend=out.backend).view((n, *out.shape))
    rows = grad(
        out, inputs, basis, retain_graph=True, create_graph=create_graph,
        allow_unused=True, is_grads_batched=True, materialize_grads=True,
    )  # fmt: skip
    return tuple(
        r.expand(n, *t.shape).reshape(s) for r, t, s in zip(rows, inputs, shapes, strict=True)
    )
