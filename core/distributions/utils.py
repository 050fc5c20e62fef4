"""Helpers shared by the distributions: parameter broadcasting, probabilities and logits,
cached properties, and the float limits of a dtype (retrograd has no ``finfo`` yet)."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import retrograd

# (eps, tiny, max) of each floating dtype: the IEEE 754 limits PyTorch's finfo reports.
_FLOAT_LIMITS = {
    "float16": (0.0009765625, 6.103515625e-05, 65504.0),
    "bfloat16": (0.0078125, 1.1754943508222875e-38, 3.3895313892515355e38),
    "float32": (1.1920928955078125e-07, 1.1754943508222875e-38, 3.4028234663852886e38),
    "float64": (2.220446049250313e-16, 2.2250738585072014e-308, 1.7976931348623157e308),
}

EULER_GAMMA = 0.57721566490153286061
LOG_2PI = math.log(2 * math.pi)


def _limits(dtype: Any) -> tuple[float, float, float]:
    return _FLOAT_LIMITS[str(dtype).rsplit(".", 1)[-1]]


def eps(dtype: Any) -> float:
    """Machine epsilon of a floating ``dtype`` (``torch.finfo(dtype).eps``)."""
    return _limits(dtype)[0]


def tiny(dtype: Any) -> float:
    """Smallest positive normal number of ``dtype`` (``torch.finfo(dtype).tiny``)."""
    return _limits(dtype)[1]


def lowest(dtype: Any) -> float:
    """Most negative finite number of ``dtype`` (``torch.finfo(dtype).min``)."""
    return -_limits(dtype)[2]


def broadcast_all(*values: Any) -> tuple:
    """Tensors and numbers broadcast to one shape: numbers become tensors of the first
    tensor's dtype (the default dtype when all are numbers), as torch.distributions does."""
    if not all(isinstance(v, (retrograd.Tensor, Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
            "implementing __torch_function__."
        )
    like = next((v for v in values if isinstance(v, retrograd.Tensor)), None)
    if like is None:
        tensors = [retrograd.tensor(float(v)) for v in values]
    else:
        tensors = [
            v if isinstance(v, retrograd.Tensor) else like.new_tensor(float(v)) for v in values
        ]
    return tuple(retrograd.broadcast_tensors(*tensors))


def clamp_probs(probs: Any) -> Any:
    """Probabilities kept inside ``[eps, 1 - eps]`` so their logs stay finite."""
    e = eps(probs.dtype)
    return probs.clamp(min=e, max=1 - e)


def probs_to_logits(probs: Any, is_binary: bool = False) -> Any:
    """Logits of probabilities: log-odds when ``is_binary``, else log-probabilities."""
    clamped = clamp_probs(probs)
    if is_binary:
        return retrograd.log(clamped) - retrograd.log1p(-clamped)
    return retrograd.log(clamped)


def logits_to_probs(logits: Any, is_binary: bool = False) -> Any:
    """Probabilities of logits: the sigmoid when ``is_binary``, else a softmax over the
    last dimension."""
    if is_binary:
        return retrograd.sigmoid(logits)
    return retrograd.softmax(logits, dim=-1)


def sum_rightmost(value: Any, dim: int) -> Any:
    """``value`` summed over its ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[: value.dim() - dim]) + (-1,)).sum(-1)


class lazy_property:  # noqa: N801 - PyTorch's name
    """A property computed on first access and then stored in the instance's ``__dict__``
    (so it counts as set for ``repr`` and ``expand``, as in torch.distributions)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with retrograd.enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value
