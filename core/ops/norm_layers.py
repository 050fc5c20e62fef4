"""Normalization layers PyTorch records as one node each: ``group_norm``
(``NativeGroupNormBackward0``), ATen's ``native_batch_norm`` (``NativeBatchNormBackward0``:
``batch_norm``'s node, and the one ``instance_norm``'s composition holds) and
``native_layer_norm`` (``NativeLayerNormBackward0``: ``layer_norm``'s node).

The forward is computed from retrograd's own ops with grad mode off (so every backend
runs it with the kernels it has) and wrapped as the record's one node. The rules are the
closed-form gradients of a normalization, written in differentiable ops, so second-order
gradients work: with ``xhat = (x - mean) * rstd`` over the reduced elements and
``d = grad * weight``, ``dx = rstd * (d - mean(d) - xhat * mean(d * xhat))``.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .helpers import check_tensor
from .record import ACTIVATION, OpRecord


def _channel_shape(a: Tensor) -> tuple[int, ...]:
    """``(1, C, 1, ...)``: a per-channel vector broadcast against ``a``."""
    return (1, a.shape[1], *([1] * (a.dim() - 2)))


def _but_channel(n: int) -> list[int]:
    """Every dim of an ``n``-d tensor except the channel dim 1."""
    return [0, *range(2, n)]


def _standardized(x: Tensor, dims: Any, eps: float) -> tuple[Tensor, Tensor]:
    """``((x - mean) * rstd, rstd)`` over ``dims`` (biased variance, as PyTorch)."""
    mean = x.mean(dims, keepdim=True)
    centred = x - mean
    rstd = (centred * centred).mean(dims, keepdim=True).add(eps).rsqrt()
    return centred * rstd, rstd


def _through_stats(d: Tensor, xhat: Tensor, rstd: Tensor, dims: Any) -> Tensor:
    """The gradient w.r.t. ``x`` of ``xhat`` = standardized ``x`` over ``dims``, given
    the gradient ``d`` w.r.t. ``xhat``."""
    mean_d = d.mean(dims, keepdim=True)
    mean_dx = (d * xhat).mean(dims, keepdim=True)
    return rstd * (d - mean_d - xhat * mean_dx)


# -- group_norm ---------------------------------------------------------------------------


def _groups_view(a: Tensor, groups: int) -> Tensor:
    return a.reshape(a.shape[0], groups, -1)


def _group_norm_input_grad(g: Tensor, a: Tensor, weight: Any, groups: int, eps: float) -> Tensor:
    d = g if weight is None else g * weight.reshape(_channel_shape(a))
    xhat, rstd = _standardized(_groups_view(a, groups), 2, eps)
    return _through_stats(_groups_view(d, groups), xhat, rstd, 2).reshape(a.shape)


def _group_norm_weight_grad(g: Tensor, a: Tensor, weight: Any, groups: int, eps: float) -> Tensor:
    xhat, _ = _standardized(_groups_view(a, groups), 2, eps)
    return (g * xhat.reshape(a.shape)).sum(_but_channel(a.dim()))


def _group_norm_bias_grad(g: Tensor, a: Tensor, weight: Any, groups: int, eps: float) -> Tensor:
    return g.sum(_but_channel(g.dim()))


def _affine_tangent(tx: Any, xhat: Tensor, weight: Any, tw: Any, tb: Any, a: Tensor) -> Any:
    """The tangent of ``xhat * weight + bias`` given ``xhat``'s tangent ``tx``."""
    shape = _channel_shape(a)
    total = None if tx is None else (tx if weight is None else tx * weight.reshape(shape))
    for term in (
        None if tw is None else xhat * tw.reshape(shape),
        None if tb is None else tb.reshape(shape),
    ):
        if term is not None:
            total = term if total is None else total + term
    return total


def _group_norm_jvp(us: tuple, out: Tensor, a: Tensor, weight: Any, groups: int, eps: float):
    # Standardization's Jacobian is symmetric, so its tangent map is its gradient map.
    tx, tw, tb = us
    xhat, rstd = _standardized(_groups_view(a, groups), 2, eps)
    if tx is not None:
        tx = _through_stats(_groups_view(tx, groups), xhat, rstd, 2).reshape(a.shape)
    return _affine_tangent(tx, xhat.reshape(a.shape), weight, tw, tb, a)


GROUP_NORM = OpRecord(
    "group_norm",
    ACTIVATION,
    "NativeGroupNormBackward0",
    "mean",
    inputs=("self", "weight", "bias"),
    save=("self", "weight", "groups", "eps"),
    grads=(_group_norm_input_grad, _group_norm_weight_grad, _group_norm_bias_grad),
    jvp=_group_norm_jvp,
    method=False,
    float_only=True,
    doc="(x - mean) / sqrt(var + eps) per sample and channel group, times weight plus bias",
)


def _check_group_norm(input: Tensor, groups: int, weight: Any, bias: Any) -> None:
    """PyTorch's checks, in its order and words."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    channels = input.shape[1]
    if channels % groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={groups}"
        )
    # PyTorch's bias message shows the weight's shape ([0] when there is none).
    shown = list(weight.shape) if weight is not None else [0]
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != channels):
            got = list(t.shape) if name == "weight" else shown
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {got} and input of shape {list(input.shape)}"
            )
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"GroupNormKernelImpl\" not implemented for '{kind}'")
    if any(t is not None and t.dtype != input.dtype for t in (weight, bias)):
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize ``(N, C, *)`` over each sample's ``C / num_groups`` channels of a group
    and its spatial dims (biased variance), then scale and shift per channel; one
    ``NativeGroupNormBackward0`` node, as PyTorch records it."""
    check_tensor("group_norm", input)
    if input.dim() >= 2 and num_groups == 0:
        raise ZeroDivisionError("integer division or modulo by zero")
    _check_group_norm(input, num_groups, weight, bias)
    # PyTorch's group_norm makes the input contiguous first (CloneBackward0 for a
    # strided view, nothing for a dense one).
    input = input.contiguous()
    with no_grad():
        xhat, _ = _standardized(_groups_view(input, num_groups), 2, eps)
        out = xhat.reshape(input.shape)
        if weight is not None:
            out = out * weight.reshape(_channel_shape(input))
        if bias is not None:
            out = out + bias.reshape(_channel_shape(input))
    params = {"groups": num_groups, "eps": eps}
    inputs = (input, weight, bias)
    return finish(GROUP_NORM, out._storage.array, input.dtype, input._backend, inputs, params)


# -- native_batch_norm ---------------------------------------------------------------------


def _batch_stats_of(a: Tensor, mean: Any, var: Any, training: bool, eps: float) -> tuple:
    """``(xhat, rstd)``: by the batch's statistics, or by the given running ones."""
    if training:
        return _standardized(a, _but_channel(a.dim()), eps)
    rstd = (var + eps).rsqrt().reshape(_channel_shape(a))
    return (a - mean.reshape(_channel_shape(a))) * rstd, rstd


def _batch_norm_input_grad(g, a, weight, mean, var, training, eps) -> Tensor:
    d = g if weight is None else g * weight.reshape(_channel_shape(a))
    xhat, rstd = _batch_stats_of(a, mean, var, training, eps)
    if not training:  # the statistics are constants
        return d * rstd
    return _through_stats(d, xhat, rstd, _but_channel(a.dim()))


def _batch_norm_weight_grad(g, a, weight, mean, var, training, eps) -> Tensor:
    xhat, _ = _batch_stats_of(a, mean, var, training, eps)
    return (g * xhat).sum(_but_channel(a.dim()))


def _batch_norm_bias_grad(g, a, weight, mean, var, training, eps) -> Tensor:
    return g.sum(_but_channel(g.dim()))


def _batch_norm_jvp(us: tuple, out: Tensor, a, weight, mean, var, training, eps):
    tx, tw, tb = us
    xhat, rstd = _batch_stats_of(a, mean, var, training, eps)
    if tx is not None:
        tx = _through_stats(tx, xhat, rstd, _but_channel(a.dim())) if training else tx * rstd
    return _affine_tangent(tx, xhat, weight, tw, tb, a)


NATIVE_BATCH_NORM = OpRecord(
    "native_batch_norm",
    ACTIVATION,
    "NativeBatchNormBackward0",
    "mean",
    inputs=("self", "weight", "bias"),
    save=("self", "weight", "running_mean", "running_var", "training", "eps"),
    grads=(_batch_norm_input_grad, _batch_norm_weight_grad, _batch_norm_bias_grad),
    jvp=_batch_norm_jvp,
    public="batch_norm",
    method=False,
    float_only=True,
    doc="ATen's native_batch_norm (instance_norm's node): per channel over batch and space",
)


def native_batch_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
) -> Tensor:
    """ATen's ``native_batch_norm`` over ``(N, C, *)``: normalize per channel by the
    batch's statistics (``training``; the running ones, when given, move toward them:
    the variance's unbiased form) or by the running ones; one node. Arguments are
    checked by the caller, but for the dtype."""
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"batch_norm\" not implemented for '{kind}'")
    dims = _but_channel(input.dim())
    with no_grad():
        if training:
            count = input.numel() // input.shape[1]
            mean = input.mean(dims)
            var = ((input - mean.reshape(_channel_shape(input))) ** 2).mean(dims)
            if running_mean is not None:
                running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype) * momentum)
            if running_var is not None:
                unbiased = var * (count / max(count - 1, 1))
                running_var.mul_(1 - momentum).add_(unbiased.to(running_var.dtype) * momentum)
            saved_mean = saved_var = None
        else:
            saved_mean, saved_var = running_mean.clone(), running_var.clone()
        xhat, _ = _batch_stats_of(input, saved_mean, saved_var, training, eps)
        out = xhat
        if weight is not None:
            out = out * weight.reshape(_channel_shape(input))
        if bias is not None:
            out = out + bias.reshape(_channel_shape(input))
        out = out.to(input.dtype)
    params = {"running_mean": saved_mean, "running_var": saved_var, "training": training}
    params["eps"] = eps
    array, inputs = out._storage.array, (input, weight, bias)
    return finish(NATIVE_BATCH_NORM, array, input.dtype, input._backend, inputs, params)


# -- native_layer_norm ---------------------------------------------------------------------


def _last_dims(a: Tensor, normalized_dims: int) -> list[int]:
    """The trailing ``normalized_dims`` dims of ``a``: the ones layer norm reduces."""
    return list(range(a.dim() - normalized_dims, a.dim()))


def _leading_dims(a: Tensor, normalized_dims: int) -> list[int]:
    """The dims a layer norm's weight and bias gradients sum over (all but the trailing)."""
    return list(range(a.dim() - normalized_dims))


def _layer_norm_input_grad(g, a, weight, normalized_dims, eps) -> Tensor:
    dims = _last_dims(a, normalized_dims)
    xhat, rstd = _standardized(a, dims, eps)
    return _through_stats(g if weight is None else g * weight, xhat, rstd, dims)


def _layer_norm_weight_grad(g, a, weight, normalized_dims, eps) -> Tensor:
    xhat, _ = _standardized(a, _last_dims(a, normalized_dims), eps)
    return (g * xhat).sum(_leading_dims(a, normalized_dims))


def _layer_norm_bias_grad(g, a, weight, normalized_dims, eps) -> Tensor:
    return g.sum(_leading_dims(g, normalized_dims))


def _layer_norm_jvp(us: tuple, out: Tensor, a, weight, normalized_dims, eps):
    tx, tw, tb = us
    dims = _last_dims(a, normalized_dims)
    xhat, rstd = _standardized(a, dims, eps)
    total = None
    if tx is not None:
        total = _through_stats(tx, xhat, rstd, dims)
        total = total if weight is None else total * weight
    for term in (None if tw is None else xhat * tw, tb):
        if term is not None:
            total = term if total is None else total + term
    return total


NATIVE_LAYER_NORM = OpRecord(
    "native_layer_norm",
    ACTIVATION,
    "NativeLayerNormBackward0",
    "mean",
    inputs=("self", "weight", "bias"),
    save=("self", "weight", "normalized_dims", "eps"),
    grads=(_layer_norm_input_grad, _layer_norm_weight_grad, _layer_norm_bias_grad),
    jvp=_layer_norm_jvp,
    public="layer_norm",
    method=False,
    float_only=True,
    doc="(x - mean) / sqrt(var + eps) over the trailing normalized_shape dims, times weight "
    "plus bias",
)


def native_layer_norm(
    input: Tensor, normalized_dims: int, weight: Tensor | None, bias: Tensor | None, eps: float
) -> Tensor:
    """Normalize over the trailing ``normalized_dims`` dims (biased variance), then scale
    and shift elementwise; one ``NativeLayerNormBackward0`` node. Arguments are checked by
    the caller (``nn.functional.layer_norm``), but for the dtype."""
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"LayerNormKernelImpl\" not implemented for '{kind}'")
    with no_grad():
        out, _ = _standardized(input, _last_dims(input, normalized_dims), eps)
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias
        out = out.to(input.dtype)
    params = {"normalized_dims": normalized_dims, "eps": eps}
    inputs = (input, weight, bias)
    return finish(
        NATIVE_LAYER_NORM, out._storage.array, input.dtype, input._backend, inputs, params
    )


RECORDS = (GROUP_NORM, NATIVE_BATCH_NORM, NATIVE_LAYER_NORM)
