"""``batch_norm`` and ``layer_norm``: one node each, as PyTorch records them
(``NativeBatchNormBackward0``, ``NativeLayerNormBackward0``); batch norm in training moves
the running statistics toward the batch's, in place and unrecorded (the variance's
unbiased form, as PyTorch). ``normalize``, composed from differentiable ops;
``instance_norm``, composed as PyTorch composes it (a batch norm of the input viewed as
one sample of ``N * C`` channels, so its graph is PyTorch's ``ViewBackward0`` over
``NativeBatchNormBackward0``)."""

from __future__ import annotations

import operator
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..ops.norm_layers import native_batch_norm, native_layer_norm
from ..tensor import Tensor
from .padding import pad
from .pooling import avg_pool2d


def _channel_shape(input: Tensor) -> tuple[int, ...]:
    return (1, input.shape[1], *([1] * (input.dim() - 2)))


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each channel (dim 1) by the batch's statistics (``training``) or by
    the running ones, then scale by ``weight`` and shift by ``bias``."""
    channels = input.shape[1] if input.dim() > 1 else 0
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    if training:
        count = input.numel() // channels if channels else 0
        if count == 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
    elif running_mean is None or running_var is None:
        missing = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{missing} must be defined in evaluation mode")
    return native_batch_norm(
        input, weight, bias, running_mean, running_var, training, momentum, eps
    )


def _check_argument(position: int, name: str, value: Any, optional: bool = False) -> None:
    if not isinstance(value, Tensor) and not (optional and value is None):
        raise TypeError(
            f"layer_norm(): argument '{name}' (position {position}) must be Tensor, "
            f"not {type(value).__name__}"
        )


def _normalized_shape(value: Any) -> tuple[int, ...]:
    """``normalized_shape`` as PyTorch's argument parser takes it: a sequence of ints."""
    where = "layer_norm(): argument 'normalized_shape'"
    if isinstance(value, (int, str)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{where} (position 2) must be tuple of ints, not {type(value).__name__}")
    shape = []
    for i, n in enumerate(value):
        try:
            if isinstance(n, bool):
                raise TypeError
            shape.append(operator.index(n))
        except TypeError:
            kind = type(n).__name__
            if i == 0:
                message = f"(position 2) must be tuple of ints, but found element of type {kind}"
                raise TypeError(f"{where} {message} at pos 0") from None
            raise TypeError(
                f'{where} failed to unpack the object at pos {i + 1} with error "type must be '
                f'tuple of ints,but got {kind}"'
            ) from None
    return tuple(shape)


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize over the last ``len(normalized_shape)`` dims (biased variance), then
    scale and shift elementwise. ``weight`` and ``bias`` have ``normalized_shape``."""
    _check_argument(1, "input", input)
    shape = _normalized_shape(normalized_shape)
    _check_argument(3, "weight", weight, optional=True)
    _check_argument(4, "bias", bias, optional=True)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}"
            )
    if tuple(input.shape[input.dim() - len(shape) :]) != shape or input.dim() < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    return native_layer_norm(input, len(shape), weight, bias, eps)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    norm = input.norm(p, dim, keepdim=True)
    return input / norm.clamp_min(eps).expand_as(input)


def _repeated(t: Tensor | None, times: int) -> Tensor | None:
    return None if t is None else t.repeat(times)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalize each sample's channels of ``(N, C, *)`` over their spatial dims (or by
    the running statistics when not ``use_input_stats``), then scale and shift per
    channel. The running statistics, when given, move toward the mean over the batch of
    each sample's statistics (the variance's unbiased form), as PyTorch's."""
    if use_input_stats:
        count = 1
        for n in input.shape[2:]:
            count *= n
        if count == 1:
            raise ValueError(
                f"Expected more than 1 spatial element when training, got input size {input.shape}"
            )
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    b, c = input.shape[0], input.shape[1]
    channels = b * c
    # PyTorch's instance_norm repeats the per-channel tensors once per sample and checks
    # them as batch_norm does, against N * C channels.
    repeated = {
        name: _repeated(t, b)
        for name, t in (
            ("running_mean", running_mean),
            ("running_var", running_var),
            ("weight", weight),
            ("bias", bias),
        )
    }
    for name, t in repeated.items():
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    flat = input.contiguous().view(1, channels, *input.shape[2:])
    mean_, var_ = repeated["running_mean"], repeated["running_var"]
    if mean_ is not None:
        mean_ = mean_.detach()
    if var_ is not None:
        var_ = var_.detach()
    out = native_batch_norm(
        flat,
        repeated["weight"],
        repeated["bias"],
        mean_,
        var_,
        use_input_stats,
        momentum,
        eps,
    )
    with no_grad():
        for running, moved in ((running_mean, mean_), (running_var, var_)):
            if running is not None:
                running.copy_(moved.view(b, c).mean(0))
    return out.view(input.shape)


# -- rms_norm and local_response_norm (feat-attn) ------------------------------------------


# The machine epsilon of each floating dtype (PyTorch's ``torch.finfo(dtype).eps``).
_MACHINE_EPS = {"float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 2.0**-23, "float64": 2.0**-52}


def _check_rms_shapes(input: Tensor, shape: tuple, weight: Any) -> None:
    """PyTorch's checks, in its words (``[*3]``, where layer_norm says ``[*, 3]``)."""
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    if input.dim() < len(shape):
        raise ValueError(
            f"Input tensor must have at least {len(shape)} dimensions, but got {input.dim()}"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of "
            f"shape {list(weight.shape)} and normalized_shape = {list(shape)}"
        )
    if tuple(input.shape[input.dim() - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )


def rms_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """``input / sqrt(mean(input^2) + eps)`` over the last ``len(normalized_shape)`` dims,
    times ``weight``; ``eps`` None: the machine epsilon of ``input``'s dtype. Composed as
    PyTorch composes it (``MulBackward0`` over ``RsqrtBackward0``)."""
    _check_argument(1, "input", input)
    shape = _normalized_shape(normalized_shape)
    _check_argument(3, "weight", weight, optional=True)
    _check_rms_shapes(input, shape, weight)
    if not input.dtype.is_floating_point:
        kind = dtypes.kind_name(input.dtype)
        raise NotImplementedError(f"\"rms_norm\" not implemented for '{kind}'")
    eps = _MACHINE_EPS.get(input.dtype.name, 2.0**-23) if eps is None else eps
    dims = list(range(input.dim() - len(shape), input.dim()))
    out = input * input.pow(2).mean(dims, keepdim=True).add(eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """``input / (k + alpha * mean of input^2 over size neighbouring channels)^beta``
    (channels are dim 1; the window is zero-padded, ``size // 2`` channels before)."""
    if input.dim() < 3:
        raise ValueError(
            "Expected 3D or higher dimensionality                          input (got "
            f"{input.dim()} dimensions)"
        )  # PyTorch's message, spaces included
    if input.numel() == 0:
        return input
    n, c = input.shape[:2]
    # Every trailing dim as one, so a 2-d pool over (channel, rest) serves any rank.
    squares = input.mul(input).reshape(n, 1, c, -1)
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    window_mean = avg_pool2d(squares, (size, 1), stride=1).reshape(input.shape)
    return input / window_mean.mul(alpha).add(k).pow(beta)
