"""Margin losses: ``soft_margin_loss`` and ``multi_margin_loss`` (one record each,
PyTorch's ``SoftMarginLossBackward0``/``MultiMarginLossBackward0``), and the ones PyTorch
composes, ``margin_ranking_loss``, ``hinge_embedding_loss`` and
``multilabel_soft_margin_loss`` (composed here the same way, so the graph printed is
PyTorch's, node for node).

Neither record differentiates its target (PyTorch refuses a target that requires grad);
``multi_margin_loss``'s weight is a constant too.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..batching import physical
from ..creation import arange, zeros_like
from ..creation import full as filled
from ..tensor import Tensor
from .aten_overloads import add_scalar
from .dispatch import array_of, backend_of, broadcast_shapes, finish, promote
from .elementwise import sub, where
from .helpers import check_tensor
from .losses import _constant, _reduce_array, _reduced_grad, apply_reduction
from .record import OpRecord
from .smooth_activations import logsigmoid
from .targets import LOSS


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _soft_margin_grad(g: Tensor, a: Tensor, target: Tensor, reduction: str) -> Tensor:
    # PyTorch's: -t * z / (1 + z) with z = exp(-t * x), spread over the elements.
    shape = broadcast_shapes("soft_margin_loss", tuple(a.shape), tuple(target.shape))
    z = (-target * a).exp()
    return _reduced_grad(g, shape, reduction) * (-target * z / (1 + z))


SOFT_MARGIN_LOSS = OpRecord(
    "soft_margin_loss",
    LOSS,
    "SoftMarginLossBackward0",
    "log1p",
    save=("self", "target", "reduction"),
    grads=(_soft_margin_grad,),
    method=False,
    doc="log(1 + exp(-t x)), as PyTorch computes it (inf where exp overflows)",
)


def _sample_rows(g: Tensor, a: Tensor, reduction: str) -> Tensor:
    """The output gradient per sample, as a column: (N, 1)."""
    n = a.shape[0] if a.dim() == 2 else 1
    if reduction == "none":
        return g.reshape(n, 1)
    return g.reshape(1, 1).expand(n, 1) / (n if reduction == "mean" else 1)


def _multi_margin_grad(g, a, target, p, margin, weight, reduction) -> Tensor:
    x, y = _rows(a, target)
    own = y.unsqueeze(1) == arange(x.shape[1], backend=x._backend)
    z = add_scalar(x - x.gather(1, y.unsqueeze(1)), margin)
    active = (z > 0).logical_and(own.logical_not())
    # In x's dtype: a bare ``where(active, 1.0, 0.0)`` would be the default float's.
    slope = (active.to(x.dtype) if p == 1 else where(active, 2 * z, 0.0)) / x.shape[1]
    if weight is not None:
        slope = slope * weight[y].unsqueeze(1)
    others = slope * _sample_rows(g, a, reduction)
    # The target's own column gets minus the sum of the others' gradients.
    return (others - where(own, others.sum(1, keepdim=True), 0.0)).reshape(a.shape)


MULTI_MARGIN_LOSS = OpRecord(
    "multi_margin_loss",
    LOSS,
    "MultiMarginLossBackward0",
    "maximum",
    save=("self", "target", "p", "margin", "weight", "reduction"),
    grads=(_multi_margin_grad,),
    smooth=False,
    method=False,
    doc="sum over j != y of max(0, margin - x[y] + x[j])^p w[y] / C",
)
RECORDS = (SOFT_MARGIN_LOSS, MULTI_MARGIN_LOSS)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``log(1 + exp(-target * input))`` (the two broadcast together), reduced."""
    _check_reduction(reduction)
    check_tensor("soft_margin_loss", input)
    check_tensor("soft_margin_loss", target, "target")
    _constant("soft_margin_loss", "target", target)
    backend = backend_of("soft_margin_loss", input, target)
    broadcast_shapes("soft_margin_loss", tuple(input.shape), tuple(target.shape))
    dtype = promote((input, target))
    if not dtype.is_floating_point:
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {dtypes.kind_name(dtype)}"
        )
    k = backend.kernels
    product = k["multiply"](array_of(input, dtype, backend), array_of(target, dtype, backend))
    out = _reduce_array(k, k["log1p"](k["exp"](k["negative"](product))), reduction)
    params = {"target": target, "reduction": reduction}
    return finish(SOFT_MARGIN_LOSS, out, dtype, backend, (input,), params)


def _rows(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """``multi_margin_loss``'s input as (N, C) and target as (N,) int64."""
    x = input if input.dim() == 2 else input.reshape(1, -1)
    return x, target.reshape(-1).to(dtypes.int64)


def _check_multi_margin(input: Tensor, target: Tensor, p: Any, weight: Any) -> None:
    """PyTorch's checks, in its order (its Python wrapper's first, then the kernel's)."""
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    check_tensor("multi_margin_loss", input)
    check_tensor("multi_margin_loss", target, "target")
    _constant("multi_margin_loss", "weight", weight)
    if input.dim() > 2 or (input.dim() == 2 and input.shape[1] == 0) or input.numel() == 0:
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )
    n = input.shape[0] if input.dim() == 2 else 1
    if target.dim() > 1 or target.numel() != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    classes = input.shape[-1] if input.dim() else 1
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(
            f"inconsistent weight size, expected {classes} but got {list(weight.shape)}"
        )
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"multi_margin_loss_cpu_kernel\" not implemented for '{kind}'")
    if target.dtype is not dtypes.int64:
        raise RuntimeError(f"expected scalar type Long but found {dtypes.kind_name(target.dtype)}")


def _in_range(target: Tensor, classes: int) -> Tensor:
    """``target`` with PyTorch's range check attached (``checked``: a lazy backend raises
    when the loss is computed)."""
    k = target._backend.kernels
    bad = (target < 0).logical_or(target >= classes)
    any_bad = k["any"](physical(bad._storage.array))  # every sample's, inside vmap
    array = k["checked"](target._storage.array, _range_error, any_bad)
    return Tensor._make(array, target.dtype, target._backend)


def _range_error(any_bad: bool) -> None:
    if any_bad:
        raise RuntimeError("target out of range")


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class hinge loss of (N, C) or (C,) scores and class indices: per sample,
    ``sum_{j != y} max(0, margin - x[y] + x[j])^p * weight[y] / C``, then reduced."""
    _check_multi_margin(input, target, p, weight)
    _check_reduction(reduction)
    backend = backend_of("multi_margin_loss", input, target, weight)
    target = _in_range(target, input.shape[-1] if input.dim() else 1)
    x, y = _rows(input.detach(), target)
    own = y.unsqueeze(1) == arange(x.shape[1], backend=backend)
    z = x - x.gather(1, y.unsqueeze(1)) + margin
    terms = where((z > 0).logical_and(own.logical_not()), z if p == 1 else z * z, 0.0)
    if weight is not None:
        terms = terms * weight.detach()[y].unsqueeze(1)
    losses = terms.sum(1) / x.shape[1]
    if input.dim() < 2:  # one sample: the target's shape, () or (1,)
        losses = losses.reshape(target.shape)
    out = apply_reduction(losses, reduction)
    params = {"target": target, "p": p, "margin": margin, "weight": weight, "reduction": reduction}
    return finish(MULTI_MARGIN_LOSS, out._storage.array, input.dtype, backend, (input,), params)


def _same_dims(input1: Tensor, input2: Tensor, target: Tensor) -> None:
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``, reduced; composed as PyTorch's
    (``ClampMinBackward0`` over ``AddBackward1`` over ``MulBackward0``)."""
    _check_reduction(reduction)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        check_tensor("margin_ranking_loss", t, name)
    _same_dims(input1, input2, target)
    loss = add_scalar(-target * (input1 - input2), margin).clamp_min_(0)
    return apply_reduction(loss, reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1 (the
    sum of both elsewhere), reduced; composed as PyTorch's (two ``WhereBackward0``)."""
    _check_reduction(reduction)
    check_tensor("hinge_embedding_loss", input)
    check_tensor("hinge_embedding_loss", target, "target")
    zeros = zeros_like(input)
    # ``margin - input`` in C++ wraps the number as a tensor: SubBackward0, not Rsub.
    below = sub(filled((), margin, dtype=input.dtype, backend=input._backend), input).clamp_min_(0)
    kept_margin = where(target != 1, below, zeros)
    kept_self = where(target != -1, input, zeros)
    return apply_reduction(kept_margin + kept_self, reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``-(t log sigmoid(x) + (1 - t) log sigmoid(-x))`` (times ``weight``), averaged
    over the last (class) dim, then reduced; composed as PyTorch's Python code is."""
    check_tensor("multilabel_soft_margin_loss", input)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    if input.dim() == 0:  # PyTorch's input.size(-1)
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return apply_reduction(loss, reduction)
