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


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_targets(input: Tensor, target: Tensor, weight: Any, ignore_index: int) -> Tensor:
    """PyTorch's checks of ``nll_loss``, in its order: the batch and target shape (for
    spatial inputs), then those of the 1-d/2-d kernel or of the spatial (2-d) one."""
    check_tensor("nll_loss", input)
    check_tensor("nll_loss", target, "target")
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() != 1 and (target.dim() == 0 or target.shape[0] != input.shape[0]):
        got = target.shape[0] if target.dim() else 0
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({got})."
        )
    if input.dim() == 3 or input.dim() > 4:
        want = [input.shape[0], *input.shape[2:]]
        if list(target.shape) != want:
            raise RuntimeError(f"Expected target size {want}, got {list(target.shape)}")
    if input.dim() <= 2:
        _check_plain(input, target, weight)
    else:
        _check_spatial(input, target, weight)
    classes = input.shape[1] if input.dim() >= 2 else input.shape[0]
    return _targets_in_range(target, classes, ignore_index)


def _check_target_dtype(target: Tensor) -> None:
    if target.dtype not in (dtypes.int64, dtypes.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {dtypes.kind_name(target.dtype)}"
        )


def _check_input_and_weight_dtypes(kernel: str, input: Tensor, weight: Any) -> None:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{dtypes.kind_name(input.dtype)}'"
        )
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(
            f"expected scalar type {dtypes.kind_name(input.dtype)} but found "
            f"{dtypes.kind_name(weight.dtype)}"
        )


def _check_plain(input: Tensor, target: Tensor, weight: Any) -> None:
    """PyTorch's ``nll_loss`` kernel checks, for an input of 1 or 2 dims."""
    if target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    _check_target_dtype(target)
    if input.dim() == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}"
        )
    classes = input.shape[-1]
    if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )
    _check_input_and_weight_dtypes("nll_loss_out_frame", input, weight)


def _check_spatial(input: Tensor, target: Tensor, weight: Any) -> None:
    """PyTorch's ``nll_loss2d`` checks (3-d and 5-d or more inputs reach it viewed as
    ``(N, C, -1, 1)``, their target shape already checked)."""
    if input.dim() == 4 and target.dim() != 3:
        raise RuntimeError(
            "only batches of spatial targets supported (3D tensors) but got targets of "
            f"dimension: {target.dim()}"
        )
    _check_target_dtype(target)
    if weight is not None and weight.numel() != input.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if input.dim() == 4 and tuple(target.shape) != (input.shape[0], *input.shape[2:]):
        raise RuntimeError(
            f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}"
        )
    _check_input_and_weight_dtypes("nll_loss2d_forward_out_frame", input, weight)
    if target.dtype is not dtypes.int64:
        raise RuntimeError(f"expected scalar type Long but found {dtypes.kind_name(target.dtype)}")


def _index_target(input: Tensor, target: Tensor) -> Tensor:
    """A checked class-index target as the kernels take it: int64, and 0-d for a 1-d
    input (PyTorch takes a 1-element target there as the one sample's class)."""
    if target.dtype is not dtypes.int64:
        target = target.to(dtypes.int64)
    return target.reshape(()) if input.dim() == 1 and target.dim() == 1 else target


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
    _check_reduction(reduction)
    target = _index_target(input, _check_targets(input, target, weight, ignore_index))
    if weight is not None and weight.dim() != 1:
        weight = weight.reshape(-1)  # the spatial kernel takes any shape of C elements
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
    ignored = valid.logical_not()
    safe = target.masked_fill(ignored, 0)
    w = valid.to(input.dtype) if weight is None else weight.detach()[safe] * valid
    picked = input.detach().gather(cdim, safe.unsqueeze(cdim)).squeeze(cdim)
    coefficients = -w
    if reduction == "mean":
        total = w.sum()
        out = (picked * coefficients).sum() / total  # NaN (0 / 0) when no sample counts
        # an ignored sample gets no gradient, even then
        coefficients = (coefficients / total).masked_fill(ignored, 0.0)
    else:
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
    # PyTorch views the weight by its first size: a (1, C) weight of a spatial input,
    # which nll_loss takes, fails here as it does there
    shape = None if weight is None else _class_shape(logp, cdim, weight.shape[0])
    weighted = logp if weight is None else logp * weight.view(shape)
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
    probabilities, ``-(target * log_softmax)`` summed over classes. As in PyTorch, the
    shapes decide which: a target of ``input``'s shape holds probabilities (and must be
    floating), any other is class indices (and must be Long or Byte). A positive
    ``label_smoothing`` mixes in the uniform distribution."""
    _check_reduction(reduction)
    check_tensor("cross_entropy", input)
    check_tensor("cross_entropy", target, "target")
    cdim = 0 if input.dim() == 1 else 1
    if tuple(target.shape) == tuple(input.shape):
        _check_probabilities(input, target, weight, ignore_index, label_smoothing)
        logp = log_softmax(input, cdim)
        return _probabilities(logp, target, weight, reduction, label_smoothing)
    if label_smoothing > 0:
        _check_smoothing(label_smoothing)
    logp = log_softmax(input, cdim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0:
        return loss
    if input.dim() == 1 and target.dim() == 1:
        target = target.reshape(())  # one sample (a Byte target stays Byte, as PyTorch's)
    smooth = _smoothed(logp, target, weight, ignore_index, reduction)
    classes = logp.shape[cdim]
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / classes)


def _check_smoothing(label_smoothing: float) -> None:
    if label_smoothing > 1.0:
        # PyTorch prints the double as C++ streams do (2.0 as "2")
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")


def _check_probabilities(
    input: Tensor, target: Tensor, weight: Any, ignore_index: int, label_smoothing: float
) -> None:
    """PyTorch's checks of class probabilities (a target of ``input``'s shape)."""
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{dtypes.kind_name(target.dtype)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.dim() == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    classes = input.shape[0 if input.dim() == 1 else 1]
    if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {classes} classes "
            f"or no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    if label_smoothing > 0:
        _check_smoothing(label_smoothing)
