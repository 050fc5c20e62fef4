"""``retrograd.nn.init``: PyTorch's initializers. Each fills its tensor in place under
``no_grad`` by drawing through the tensor's own sampling methods (``uniform_``,
``normal_``), passing ``generator`` on, and returns the tensor."""

from __future__ import annotations

import math
from typing import Any

from ..constants import HOST_BACKEND
from ..creation import empty, eye
from ..creation import tensor as make
from ..grad_mode import no_grad
from ..plugins import get_backend
from ..tensor import Tensor

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table)."""
    if nonlinearity in _LINEAR:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)``: dims 1 and 0 times the receptive field (dims 2 on)."""
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with ``U(a, b)``."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with ``N(mean, std**2)``."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Tensor:
    """Fill with ``N(mean, std**2)`` truncated to ``[a, b]`` (inverse-CDF sampling of a
    uniform draw, as PyTorch)."""
    cdf = lambda x: (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
    lo, hi = cdf((a - mean) / std), cdf((b - mean) / std)
    with no_grad():
        tensor.uniform_(2 * lo - 1, 2 * hi - 1, generator=generator)
        tensor.copy_(tensor.erfinv() if hasattr(tensor, "erfinv") else _erfinv(tensor))
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.copy_(tensor.clamp(min=a, max=b))
        return tensor


def _erfinv(t: Tensor) -> Tensor:
    """``erfinv`` (retrograd has no kernel for it yet): Winitzki's approximation, then
    Newton steps in float64."""
    y = t.double().clamp(-1 + 1e-15, 1 - 1e-15)
    w = -((1 - y) * (1 + y)).log()
    shift = 2 / (math.pi * 0.147) - w / 2
    x = ((shift * shift + w / 0.147).sqrt() - shift).sqrt() * y.sign()
    for _ in range(4):
        x = x - (x.erf() - y) / ((-(x * x)).exp() * (2 / math.sqrt(math.pi)))
    return x.to(t.dtype)


def constant_(tensor: Tensor, val: float) -> Tensor:
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-d tensor with the identity matrix."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")

    with no_grad():
        return tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype, backend=tensor.backend))


def _xavier_std(tensor: Tensor, gain: float) -> float:
    """Xavier's ``gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    """Kaiming's ``gain / sqrt(fan)`` (``fan`` picked by ``mode``)."""
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with ``U(-a, a)``, ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    std = _xavier_std(tensor, gain)
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with ``N(0, std**2)``, ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    std = _xavier_std(tensor, gain)
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """Fill with ``U(-bound, bound)``, ``bound = gain * sqrt(3 / fan)``."""
    if 0 in tensor.shape:
        return tensor  # PyTorch warns and leaves an empty tensor alone
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """Fill with ``N(0, std**2)``, ``std = gain / sqrt(fan)``."""
    if 0 in tensor.shape:
        return tensor
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix: the Q of a QR decomposition of a normal
    draw, with Q's column signs fixed by R's diagonal, as PyTorch."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor

    rows, cols = tensor.shape[0], tensor.numel() // tensor.shape[0]

    flat = empty(rows, cols, dtype=tensor.dtype).normal_(0, 1, generator=generator)
    np = get_backend(HOST_BACKEND).namespace  # the QR runs on the host (NumPy)
    m = flat.numpy().astype(np.float64)
    m = m.T if rows < cols else m
    q, r = np.linalg.qr(m)
    q = q * np.sign(np.diag(r))
    q = q.T if rows < cols else q
    with no_grad():
        values = make(q.reshape(tuple(tensor.shape)) * gain, dtype=tensor.dtype)
        return tensor.copy_(values.to(tensor.backend.name))
