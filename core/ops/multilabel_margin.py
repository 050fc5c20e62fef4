"""``multilabel_margin_loss``: one record, PyTorch's ``MultilabelMarginLossBackward0``.

For a sample ``x`` (C scores) and its target (class indices, ended by the first -1),
the loss is ``sum_j sum_i max(0, 1 - (x[j] - x[i])) / C`` over the target classes ``j``
(each as often as the target lists it, as PyTorch's kernel counts) and the classes ``i``
that are not targets. Its gradient is ATen's ``multilabel_margin_loss_backward``, which
PyTorch records without a derivative (a second backward raises its error): a record of
its own here, whose rules refuse as PyTorch does.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..creation import arange
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .helpers import check_tensor
from .losses import _constant, apply_reduction
from .record import LOSS, OpRecord


def _sample_rows(g: Tensor, samples: int, reduction: str) -> Tensor:
    """The output gradient per sample, as a column ``(N, 1)``."""
    if reduction == "none":
        return g.reshape(samples, 1)
    return g.reshape(1, 1).expand(samples, 1) / (samples if reduction == "mean" else 1)


def _active(x: Tensor, counts: Tensor) -> Tensor:
    """``(N, C_j, C_i)``: where the hinge of target ``j`` against non-target ``i`` is
    active, weighted by ``j``'s count, over C."""
    z = 1 - x.unsqueeze(2) + x.unsqueeze(1)
    others = (counts == 0).to(x.dtype).unsqueeze(1)
    return (z > 0).to(x.dtype) * counts.unsqueeze(2) * others / x.shape[1]


def _coefficients(x: Tensor, counts: Tensor) -> Tensor:
    """``(N, C)``: each sample's loss derivative w.r.t. its scores."""
    active = _active(x, counts)
    return active.sum(1) - active.sum(2)


def _tangent(us: tuple, out: Tensor, a: Tensor, counts: Tensor, reduction: str) -> Tensor:
    """Forward mode: the scores' tangent against the (piecewise constant) derivative."""
    (u,) = us
    with no_grad():
        coefficients = _coefficients(a.reshape(counts.shape), counts)
    per_sample = (
        (u.reshape(counts.shape) * coefficients)
        .sum(1)
        .reshape(() if a.dim() < 2 else (counts.shape[0],))
    )
    return apply_reduction(per_sample, reduction)


def multilabel_margin_loss_backward(
    g: Tensor, input: Tensor, counts: Tensor, reduction: str
) -> Tensor:
    """The loss's gradient w.r.t. ``input`` (one ``NotImplemented`` node, as PyTorch's)."""
    with no_grad():
        x = input.reshape(counts.shape)
        rows = _sample_rows(g, x.shape[0], reduction)
        out = (_coefficients(x, counts) * rows).reshape(input.shape).to(input.dtype)
    params = {"counts": counts, "reduction": reduction}
    array = out.contiguous()._storage.array
    return finish(
        MULTILABEL_MARGIN_LOSS_BACKWARD, array, input.dtype, input._backend, (g, input), params
    )


MULTILABEL_MARGIN_LOSS_BACKWARD = OpRecord(
    "multilabel_margin_loss_backward",
    LOSS,
    "NotImplemented",
    "greater",
    inputs=("grad_output", "self"),
    method=False,
    smooth=False,
    no_derivative="multilabel_margin_loss_backward",
    doc="multilabel_margin_loss's gradient (no derivative in PyTorch)",
)
MULTILABEL_MARGIN_LOSS = OpRecord(
    "multilabel_margin_loss",
    LOSS,
    "MultilabelMarginLossBackward0",
    "maximum",
    save=("self", "counts", "reduction"),
    grads=(
        lambda g, a, counts, reduction: multilabel_margin_loss_backward(g, a, counts, reduction),
    ),
    jvp=_tangent,
    method=False,
    smooth=False,
    doc="sum over target classes j and other classes i of max(0, 1 - x[j] + x[i]) / C",
)
RECORDS = (MULTILABEL_MARGIN_LOSS, MULTILABEL_MARGIN_LOSS_BACKWARD)


def _check(input: Tensor, target: Tensor) -> None:
    """PyTorch's checks of the shapes, the target's dtype and its range, in its order."""
    dims = input.dim()
    if dims > 2 or (dims == 2 and input.shape[1] == 0) or (dims == 1 and input.shape[0] == 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )
    expected = list(input.shape) if dims else [1]
    if list(target.shape) != expected and not (dims == 0 and target.dim() <= 1):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    if target.dtype is not dtypes.int64:
        raise RuntimeError(f"expected scalar type Long but found {dtypes.kind_name(target.dtype)}")


def _counts(target: Tensor, classes: int, dtype: Any) -> Tensor:
    """``(N, C)``: how often each class appears in each sample's target before its first
    -1 (PyTorch's "argument #2 'target' is out of range" for a value outside [-1, C))."""
    if target.numel() and bool(((target < -1) | (target >= classes)).any()):
        raise RuntimeError("argument #2 'target' is out of range")
    listed = (target == -1).to(dtypes.int64).cumsum(1) == 0
    hot = target.clamp(min=0).unsqueeze(-1) == arange(classes, backend=target.backend)
    return (hot & listed.unsqueeze(-1)).to(dtype).sum(1)


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class multi-label hinge loss of ``input`` ``(C)`` or ``(N, C)`` against
    ``target`` (the same shape, int64 class indices, each sample's list ended by -1)."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    check_tensor("multilabel_margin_loss", input)
    check_tensor("multilabel_margin_loss", target, "target")
    _constant("multilabel_margin_loss", "target", target)
    _check(input, target)
    classes = input.shape[-1] if input.dim() else 1
    with no_grad():
        x = input.reshape(-1, classes)
        counts = _counts(target.reshape(-1, classes), classes, input.dtype)
        z = 1 - x.unsqueeze(2) + x.unsqueeze(1)
        others = (counts == 0).to(x.dtype).unsqueeze(1)
        terms = z.clamp(min=0) * counts.unsqueeze(2) * others
        losses = terms.sum((1, 2)) / classes
        if input.dim() < 2:
            losses = losses.reshape(())
        out = apply_reduction(losses, reduction).to(input.dtype)
    params = {"counts": counts, "reduction": reduction}
    array = out.contiguous()._storage.array
    return finish(MULTILABEL_MARGIN_LOSS, array, input.dtype, input._backend, (input,), params)
