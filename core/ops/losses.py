"""Losses: ``mse_loss``, ``l1_loss``, ``nll_loss``, ``cross_entropy`` (class indices or
probabilities, label smoothing), ``binary_cross_entropy`` and its ``_with_logits`` form.

``reduction`` is ``"mean"`` (default), ``"sum"`` or ``"none"``. Where PyTorch records one
node (``MseLossBackward0``, ``NllLossBackward0``, ``BinaryCrossEntropyBackward0``, ...)
there is one record; where PyTorch composes (``l1_loss``, ``cross_entropy``) so does this.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..batching import physical
from ..tensor import Tensor
from .activations import softplus
from .dispatch import array_of, backend_of, broadcast_shapes, finish, promote
from .helpers import check_tensor
from .record import OpRecord
from .targets import DIV_SCALAR, LOSS, NLL_LOSS, NLL_LOSS_2D

EPSILON = 1e-12  # PyTorch's floor for x * (1 - x) in the BCE gradient


def _reduced_grad(g: Tensor, shape: tuple, reduction: str) -> Tensor:
    """The output gradient spread over the elements: ``g / N`` for a mean."""
    if reduction == "none":
        return g
    n = 1
    for s in shape:
        n *= s
    return g.expand(shape) / n if reduction == "mean" else g.expand(shape)


def _mse_grad(g, a, t, reduction):
    shape = broadcast_shapes("mse_loss", tuple(a.shape), tuple(t.shape))
    return _reduced_grad(g, shape, reduction) * (2 * (a - t))


def _bce_grad(g, x, t, weight, reduction):
    scale = _weighted(_reduced_grad(g, tuple(x.shape), reduction), weight)
    return scale * (x - t) / ((1 - x) * x).clamp(min=EPSILON)


def _bce_target_grad(g, x, t, weight, reduction):
    scale = _weighted(_reduced_grad(g, tuple(x.shape), reduction), weight)
    return scale * -(x / (1 - x)).log()  # -logit(x), as PyTorch (inf at 0 and 1)


def _logits_grad(g, x, t, weight, pos_weight, reduction):
    scale = _weighted(_reduced_grad(g, tuple(x.shape), reduction), weight)
    if pos_weight is None:
        return scale * (x.sigmoid() - t)
    pt = pos_weight * t
    return scale * ((pt + 1 - t) * x.sigmoid() - pt)


def _logits_target_grad(g, x, t, weight, pos_weight, reduction):
    scale = _weighted(_reduced_grad(g, tuple(x.shape), reduction), weight)
    if pos_weight is None:
        return -x * scale
    # log_sigmoid(-x) - pos_weight * log_sigmoid(x), with log_sigmoid(z) = -softplus(-z)
    return scale * (pos_weight * softplus(-x) - softplus(x))


def _weighted(t: Tensor, weight: Any) -> Tensor:
    return t if weight is None else t * weight


MSE_LOSS = OpRecord(
    "mse_loss",
    LOSS,
    "MseLossBackward0",
    "subtract",
    inputs=("self", "target"),
    save=("self", "target", "reduction"),
    grads=(_mse_grad, lambda g, a, t, r: -_mse_grad(g, a, t, r)),
    jvp=lambda us, out, a, t, reduction: _mse_tangent(us, a, t, reduction),
)


def _mse_tangent(us: tuple, a: Tensor, t: Tensor, reduction: str) -> Tensor:
    """Forward mode: ``reduce(2 (a - t) (u_a - u_t))``."""
    u_a, u_t = us
    du = u_t.neg() if u_a is None else u_a if u_t is None else u_a - u_t
    d = 2 * (a - t) * du
    return d if reduction == "none" else d.mean() if reduction == "mean" else d.sum()


BINARY_CROSS_ENTROPY = OpRecord(
    "binary_cross_entropy",
    LOSS,
    "BinaryCrossEntropyBackward0",
    "log",
    inputs=("self", "target"),
    save=("self", "target", "weight", "reduction"),
    grads=(_bce_grad, _bce_target_grad),
    domain=(0.0, 1.0),
    doc="logs floored at -100; x(1 - x) floored at 1e-12 in the gradient",
)
BCE_WITH_LOGITS = OpRecord(
    "binary_cross_entropy_with_logits",
    LOSS,
    "BinaryCrossEntropyWithLogitsBackward0",
    "softplus",
    inputs=("self", "target"),
    save=("self", "target", "weight", "pos_weight", "reduction"),
    grads=(_logits_grad, _logits_target_grad),
)
RECORDS = (MSE_LOSS, NLL_LOSS, NLL_LOSS_2D, BINARY_CROSS_ENTROPY, BCE_WITH_LOGITS, DIV_SCALAR)


def apply_reduction(loss: Tensor, reduction: str) -> Tensor:
    """Apply ``reduction`` to an elementwise loss (recorded ``mean``/``sum``)."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce_array(k: dict, loss: Any, reduction: str) -> Any:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return loss if reduction == "none" else k[reduction](loss)


def _constant(op: str, name: str, value: Any) -> None:
    if isinstance(value, Tensor) and value.requires_grad:
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument "
            f"'{name}'. This input cannot have requires_grad True."
        )


def _pair(op: str, input: Any, target: Any) -> Any:
    check_tensor(op, input)
    check_tensor(op, target, "target")
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
        broadcast_shapes(op, tuple(input.shape), tuple(target.shape))  # before the kernel
    return backend_of(op, input, target)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    """The (mean/summed) squared difference of ``input`` and ``target``."""
    backend = _pair("mse_loss", input, target)
    k, dtype = backend.kernels, promote((input, target))
    d = k["subtract"](array_of(input, dtype, backend), array_of(target, dtype, backend))
    out = _reduce_array(k, k["multiply"](d, d), reduction)
    return finish(MSE_LOSS, out, dtype, backend, (input, target), {"reduction": reduction})


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The (mean/summed) absolute difference (composed, as PyTorch's: Sub, Abs, Mean)."""
    _pair("l1_loss", input, target)
    return apply_reduction((input - target).abs(), reduction)


def _check_bce(input: Tensor, target: Tensor, weight: Any) -> None:
    check_tensor("binary_cross_entropy", input)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input "
            f"size ({input.shape}) is deprecated. Please ensure they have the same "
            "size."
        )
    if target.dtype is not input.dtype:
        raise RuntimeError(
            f"binary_cross_entropy(): Found dtype {dtypes.kind_name(target.dtype)} "
            f"but expected {dtypes.kind_name(input.dtype)}"
        )
    _constant("binary_cross_entropy", "weight", weight)


def _probabilities_in_range(input: Tensor) -> Any:
    """``input``'s array with BCE's range check attached (``checked``: a lazy backend
    raises when the loss is computed)."""
    k, array = input._backend.kernels, input._storage.array
    if not input.numel():
        return array
    whole = physical(array)  # inside vmap: every sample's
    return k["checked"](array, _bce_range, k["all"](k["logical_and"](whole >= 0, whole <= 1)))


def _bce_range(inside: bool) -> None:
    if not inside:
        raise RuntimeError("all elements of input should be between 0 and 1")


def _weighted_out(backend: Any, loss: Any, weight: Any, dtype: Any, reduction: str) -> Any:
    if weight is not None:
        loss = loss * array_of(weight, dtype, backend)
    return _reduce_array(backend.kernels, loss, reduction)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """``-w * (t * log(x) + (1 - t) * log(1 - x))``, each log floored at -100."""
    _check_bce(input, target, weight)
    backend, dtype = backend_of("binary_cross_entropy", input, target, weight), input.dtype
    k = backend.kernels
    x, t = _probabilities_in_range(input), target._storage.array
    log_x = k["maximum"](k["log"](x), -100.0)
    log_1mx = k["maximum"](k["log"](1 - x), -100.0)
    out = _weighted_out(backend, -(t * log_x + (1 - t) * log_1mx), weight, dtype, reduction)
    params = {"weight": weight, "reduction": reduction}
    return finish(BINARY_CROSS_ENTROPY, out, dtype, backend, (input, target), params)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Any = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """BCE of ``sigmoid(input)``, computed stably from the logits."""
    op = "binary_cross_entropy_with_logits"
    check_tensor(op, input)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    for name, value in (("weight", weight), ("pos_weight", pos_weight)):
        _constant(op, name, value)
    backend = backend_of(op, input, target, weight, pos_weight)
    k, dtype = backend.kernels, promote((input, target))
    x, t = array_of(input, dtype, backend), array_of(target, dtype, backend)
    softplus_neg = k["softplus"](-x, 1.0, float("inf"))  # log(1 + exp(-x)), stably
    log_weight = 1 if pos_weight is None else (array_of(pos_weight, dtype, backend) - 1) * t + 1
    out = _weighted_out(backend, (1 - t) * x + log_weight * softplus_neg, weight, dtype, reduction)
    params = {"weight": weight, "pos_weight": pos_weight, "reduction": reduction}
    return finish(BCE_WITH_LOGITS, out, dtype, backend, (input, target), params)
