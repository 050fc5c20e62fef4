"""Losses over class targets: ``nll_loss`` (one record, NllLossBackward0) and
``cross_entropy`` (composed as PyTorch composes it: log_softmax, then nll_loss or, for
class probabilities, a weighted sum)."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

from .. import dtypes
from ..batching import physical
from ..tensor import Tensor
from .activations import log_softmax
from .dispatch import backend_of, finish
from .helpers import check_tensor, zeros_on
from .record import LOSS, OpRecord


def nll_grad(g: Tensor, shape: tuple, target: Tensor, coefficients: Tensor, reduction: str):
    """Each sample's gradient at its target class: ``-weight[t] * g`` (/ total weight)."""
    cdim = 1 if len(shape) >= 2 else 0
    spread = coefficients * g
    return zeros_on(g, shape).scatter(cdim, target.unsqueeze(cdim), spread.unsqueeze(cdim))


NLL_LOSS = OpRecord(
    "nll_loss",
    LOSS,
    "NllLossBackward0",
    "getitem",
    save=("self.shape", "target", "coefficients", "reduction"),
    grads=(nll_grad,),
)
# Inputs with spatial dimensions (N, C, H, W): PyTorch's nll_loss2d, the same rule.
NLL_LOSS_2D = dataclasses.replace(
    NLL_LOSS, name="nll_loss2d", grad_fn="NllLoss2DBackward0", public="nll_loss"
)
# ``loss / n`` for a Python number ``n``: PyTorch's DivBackward1, the mean of
# ``cross_entropy`` with class probabilities.
DIV_SCALAR = OpRecord(
    "div_scalar",
    LOSS,
    "DivBackward1",
    "divide",
    save=("other",),
    grads=(lambda g, other: g / other,),
    jvp=lambda us, out, other: us[0] / other,
)


def div_scalar(input: Tensor, other: Any) -> Tensor:
    """``input / other`` for a Python number, recorded as PyTorch's DivBackward1."""
    array = input._backend.kernels["divide"](input._storage.array, other)
    return finish(DIV_SCALAR, array, input._dtype, input._backend, (input,), {"other": other})


def _check_targets(
    input: Tensor, target: Tensor, weight: Any, ignore_index: int, reduction: str
) -> Tensor:
    check_tensor("nll_loss", input)
    check_tensor("nll_loss", target, "target")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {dtypes.kind_name(target.dtype)}"
        )
    batch = input.shape[0] if input.dim() >= 2 else None
    if batch is not None and (target.dim() == 0 or target.shape[0] != batch):
        got = target.shape[0] if target.dim() else 0
        raise ValueError(f"Expected input batch_size ({batch}) to match target batch_size ({got}).")
    classes = input.shape[1] if input.dim() >= 2 else input.shape[0]
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"nll_loss(): expected scalar type {dtypes.kind_name(input.dtype)} "
                           f"but found {dtypes.kind_name(weight.dtype)} (the weight)")  # fmt: skip
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )
    return _targets_in_range(target, classes, ignore_index)


def _targets_in_range(target: Tensor, classes: int, ignore_index: int) -> Tensor:
    """``target`` with the out-of-bounds check attached (``checked``: a lazy backend
    raises when the loss is computed); the error names the first bad target."""
    if not target.numel():
        return target
    bad = (target != ignore_index).logical_and((target < 0).logical_or(target >= classes))
    k = bad._backend.kernels
    operands = [k["any"](physical(bad._storage.array))]  # every sample's, inside vmap
    check = partial(_target_error, target, bad)
    if target._backend.lazy:  # the first bad target, found in the same pass
        first = target.reshape(-1).take(bad.reshape(-1).to(dtypes.int64).argmax())
        operands.append(first._storage.array)
        check = partial(_target_error, None, None)  # holds no tensor (graphs hold it)
    array = k["checked"](target._storage.array, check, *operands)
    return Tensor._make(array, target.dtype, target._backend) if target._backend.lazy else target


def _target_error(target: Tensor, bad: Tensor, any_bad: bool, first: Any = None) -> None:
    if any_bad:
        first = int(target[bad][0]) if first is None else first
        raise IndexError(f"Target {first} is out of bounds.")


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``-input[n, target[n]] * weight[target[n]]``, reduced (a mean weighted by the
    targets' weights); targets equal to ``ignore_index`` count for nothing. Inputs with
    spatial dimensions go through PyTorch's 2-d form (NllLoss2DBackward0)."""
    target = _check_targets(input, target, weight, ignore_index, reduction)
    if input.dim() < 3:
        return _nll(NLL_LOSS, input, target, weight, ignore_index, reduction)
    if input.dim() == 4:
        return _nll(NLL_LOSS_2D, input, target, weight, ignore_index, reduction)
    n, c = input.shape[:2]
    flat = input.view(n, c, -1, 1)
    loss = _nll(NLL_LOSS_2D, flat, target.reshape(n, -1, 1), weight, ignore_index, reduction)
    return loss.view(target.shape) if reduction == "none" else loss


def _nll(record, input, target, weight, ignore_index, reduction) -> Tensor:
    backend = backend_of("nll_loss", input, target, weight)
    cdim = 1 if input.dim() >= 2 else 0
    valid = target != ignore_index
    safe = target.masked_fill(valid.logical_not(), 0)
    w = valid.to(input.dtype) if weight is None else weight.detach()[safe] * valid
    picked = input.detach().gather(cdim, safe.unsqueeze(cdim)).squeeze(cdim)
    coefficients = -w
    if reduction == "mean":
        coefficients = coefficients / w.sum()
    loss = picked * coefficients
    out = loss if reduction == "none" else loss.sum()
    params = {"target": safe, "coefficients": coefficients, "reduction": reduction}
    return finish(record, out._storage.array, input.dtype, backend, (input,), params)


def _class_shape(input: Tensor, cdim: int, n: int) -> list[int]:
    shape = [1] * input.dim()
    shape[cdim] = n
    return shape


def _probabilities(logp: Tensor, target: Tensor, weight: Any, reduction: str, smoothing: float):
    cdim = 1 if logp.dim() >= 2 else 0
    classes = logp.shape[cdim]
    if smoothing > 0:
        target = target * (1 - smoothing) + smoothing / classes
    product = logp * target
    if weight is not None:
        product = product * weight.view(_class_shape(logp, cdim, classes))
    if reduction == "none":
        return -product.sum(cdim)
    total = -product.sum()
    return total if reduction == "sum" else div_scalar(total, logp.numel() // classes)


def _smoothed(logp: Tensor, target: Tensor, weight: Any, ignore_index: int, reduction: str):
    """PyTorch's label-smoothing term for class indices."""
    cdim = 1 if logp.dim() >= 2 else 0
    classes = logp.shape[cdim]
    weighted = logp if weight is None else logp * weight.view(_class_shape(logp, cdim, classes))
    ignored = target == ignore_index
    smooth = (-weighted.sum(cdim)).masked_fill(ignored, 0.0)
    if reduction == "none":
        return smooth
    if reduction == "sum":
        return smooth.sum()
    kept = ignored.logical_not()
    total = kept.sum() if weight is None else weight.gather(0, target[kept].flatten()).sum()
    return smooth.sum() / total


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Any = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for class indices; for class
    probabilities (a float ``target`` of ``input``'s shape), ``-(target * log_softmax)``
    summed over classes. ``label_smoothing`` mixes in the uniform distribution."""
    _check_cross_entropy(input, target, label_smoothing)
    logp = log_softmax(input, 1 if input.dim() >= 2 else 0)
    if target.dtype.is_floating_point:
        return _probabilities(logp, target, weight, reduction, label_smoothing)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return loss
    smooth = _smoothed(logp, target, weight, ignore_index, reduction)
    classes = logp.shape[1 if logp.dim() >= 2 else 0]
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)


def _check_cross_entropy(input: Tensor, target: Tensor, label_smoothing: float) -> None:
    check_tensor("cross_entropy", input)
    check_tensor("cross_entropy", target, "target")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.dtype.is_floating_point and target.shape != input.shape:
        raise RuntimeError(f"Expected target size {list(input.shape)}, got {list(target.shape)}")
