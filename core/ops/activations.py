"""Activations: ``leaky_relu``, ``gelu``, ``silu``, ``softplus``, ``elu``, ``softmax``,
``log_softmax``; each one record with PyTorch's ``grad_fn`` and gradient.

``relu``, ``sigmoid`` and ``tanh`` are the elementwise ops of ``retrograd.ops``.
Softmax and log-softmax shift by the maximum, so huge logits are exact (as PyTorch's).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import finish
from .elementwise import where
from .helpers import check_tensor, one_dim
from .kernel_names import refusal
from .record import ACTIVATION, AtKinks, OpRecord
from .result_activations import elu_, leaky_relu_

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _gelu_grad(g: Tensor, a: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":  # PyTorch's formula for the tanh approximation
        inner = (a + 0.044715 * a * a * a) * SQRT_2_OVER_PI
        t = inner.tanh()
        slope = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * a * a)
        return g * slope
    cdf = 0.5 * (1 + (a * (1 / math.sqrt(2))).erf())
    return g * (cdf + a * (-0.5 * a * a).exp() * INV_SQRT_2PI)


def _silu_grad(g: Tensor, a: Tensor) -> Tensor:
    s = a.sigmoid()
    return g * (s * (1 + a * (1 - s)))


def _softplus_grad(g: Tensor, a: Tensor, beta: Any, threshold: Any) -> Tensor:
    z = a * beta
    return where(z > threshold, g, g * z.sigmoid())


def elu_grad(g: Tensor, a: Tensor, alpha: Any, scale: Any, input_scale: Any) -> Tensor:
    """ELU's rule (also SELU's and CELU's, whose ``scale``/``input_scale`` differ)."""
    # PyTorch's convention: at 0 the slope is the negative side's, alpha * scale * input_scale;
    # its test is x <= 0, so a NaN input takes the positive side's slope, scale.
    negative = (a * input_scale).exp() * (alpha * scale * input_scale)
    return where(a <= 0, g * negative, g * scale)


def _record(name: str, grad_fn: str, save: tuple, grad: Any, **kw: Any) -> OpRecord:
    return OpRecord(name, ACTIVATION, grad_fn, name, save=save, grads=(grad,), **kw)


# PyTorch's convention: leaky_relu'(0) is negative_slope (the slope of the side x <= 0).
LEAKY_RELU = _record(
    "leaky_relu",
    "LeakyReluBackward0",
    ("self", "negative_slope"),
    lambda g, a, slope: where(a > 0, g, g * slope),
    kinks=(0.0,),
    smooth=False,
    doc="at 0: negative_slope",
    conventions=(AtKinks(0.2, (("negative_slope", 0.2),)),),
)
GELU = _record("gelu", "GeluBackward0", ("self", "approximate"), _gelu_grad)
SILU = _record("silu", "SiluBackward0", ("self",), _silu_grad)
SOFTPLUS = _record("softplus", "SoftplusBackward0", ("self", "beta", "threshold"), _softplus_grad)
ELU = _record(
    "elu",
    "EluBackward0",
    ("self", "alpha", "scale", "input_scale"),
    elu_grad,
    kinks=(0.0,),
    smooth=False,
    doc="at 0: the negative side's slope, alpha",
    conventions=(AtKinks(0.5, (("alpha", 0.5),)),),
)
SOFTMAX = _record(
    "softmax",
    "SoftmaxBackward0",
    ("result", "dim"),
    lambda g, r, dim: r * (g - (g * r).sum(dim, keepdim=True)),
    # forward mode (not pointwise, so declared): J u = r * (u - <u, r>)
    jvp=lambda us, out, r, dim: r * (us[0] - (us[0] * r).sum(dim, keepdim=True)),
)
LOG_SOFTMAX = _record(
    "log_softmax",
    "LogSoftmaxBackward0",
    ("result", "dim"),
    lambda g, r, dim: g - r.exp() * g.sum(dim, keepdim=True),
    jvp=lambda us, out, r, dim: us[0] - (us[0] * r.exp()).sum(dim, keepdim=True),
)
RECORDS = (LEAKY_RELU, GELU, SILU, SOFTPLUS, ELU, SOFTMAX, LOG_SOFTMAX)


def _floating(op: str, input: Tensor, dim: Any = None) -> Tensor:
    check_tensor(op, input)
    if not input.dtype.is_floating_point:
        last = dim is not None and dim in (-1, input.dim() - 1)
        raise refusal(op, input._backend, input.dtype, last)
    return input


def _apply(record: OpRecord, input: Tensor, params: dict) -> Tensor:
    _floating(record.name, input)
    array = input._backend.kernels[record.kernel](input._storage.array, *params.values())
    return finish(record, array, input._dtype, input._backend, (input,), params)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    if not isinstance(negative_slope, (int, float)) and type(negative_slope).__module__ != "numpy":
        raise TypeError(
            "leaky_relu(): argument 'negative_slope' (position 2) must be Number, not "
            f"{type(negative_slope).__name__}"
        )
    if inplace:  # PyTorch's leaky_relu_: LeakyReluBackward1, from the result
        return leaky_relu_(input, negative_slope)
    return _apply(LEAKY_RELU, input, {"negative_slope": negative_slope})


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (``approximate="tanh"``: PyTorch's tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"approximate argument must be either none or tanh. (got {approximate!r})"
        )
    return _apply(GELU, input, {"approximate": approximate})


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``."""
    out = _apply(SILU, input, {})
    return input.copy_(out) if inplace else out


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``; ``x`` itself where ``beta * x > threshold``."""
    return _apply(SOFTPLUS, input, {"beta": beta, "threshold": threshold})


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    if inplace:  # PyTorch's elu_: EluBackward1, from the result
        return elu_(input, alpha)
    return _apply(ELU, input, {"alpha": alpha, "scale": 1.0, "input_scale": 1.0})


def legacy_dim(op: str, ndim: int, stacklevel: int = 4) -> int:
    """PyTorch's implicit softmax dim (deprecated: warns, pointing ``stacklevel`` up)."""
    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_like(record: OpRecord, input: Tensor, dim: Any, dtype: Any) -> Tensor:
    check_tensor(record.name, input)
    if dtype is not None:
        input = input.to(dtypes.resolve(dtype))
    dim = one_dim(record.name, input, legacy_dim(record.name, input.dim()) if dim is None else dim)
    _floating(record.name, input, dim)
    backend, k = input._backend, input._backend.kernels
    array = input._storage.array
    if input.numel() == 0:  # nothing to normalize (and no maximum to subtract)
        out = k["copy"](array)
    elif input.dim() == 0:
        out = k["reshape"](k[record.kernel](k["reshape"](array, (1,)), 0), ())
    else:
        out = k[record.kernel](array, dim)
    return finish(record, out, input._dtype, backend, (input,), {"dim": dim})


def softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably."""
    return _softmax_like(SOFTMAX, input, dim, dtype)


def log_softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x, dim)``, computed stably."""
    return _softmax_like(LOG_SOFTMAX, input, dim, dtype)


def _dim_required(record: OpRecord) -> Any:
    """``torch.softmax``/``torch.log_softmax`` and the Tensor methods: as
    ``F.softmax``, but ``dim`` is required (no legacy implicit dim, as in PyTorch)."""

    def fn(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
        if not isinstance(dim, int):  # reworded as PyTorch's parser words it
            raise TypeError(f"{record.name}(): argument 'dim' must be int")
        return _softmax_like(record, input, dim, dtype)

    fn.__name__ = fn.__qualname__ = record.name
    fn.__doc__ = (softmax if record is SOFTMAX else log_softmax).__doc__
    return fn


FUNCTIONS = {"softmax": _dim_required(SOFTMAX), "log_softmax": _dim_required(LOG_SOFTMAX)}
