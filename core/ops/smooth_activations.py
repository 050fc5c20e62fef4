"""More activations: ``selu`` and ``celu`` (ELU's kernel and rule with other constants),
``glu``, ``mish``, ``logsigmoid``; and the ones PyTorch composes from other ops,
``softsign``, ``softmin``, ``tanhshrink`` (so their ``grad_fn`` is the last op's, as
PyTorch prints it).

Forwards use the backends' existing kernels (``elu``, ``softplus``, ``sigmoid``, ...);
rules are retrograd ops, so higher-order gradients work.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .activations import ELU, elu_grad, legacy_dim, softplus
from .dispatch import finish
from .helpers import check_tensor, one_dim
from .indexing import narrow
from .inplace import inplace as _inplace_form
from .joining import cat
from .kernel_names import refusal
from .record import ACTIVATION, AtKinks, OpRecord
from .result_activations import celu_, celu_grad_scale, elu_

# SELU's constants (Klambauer et al.), as PyTorch defines them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _glu_halves(x: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    half = x.shape[dim] // 2
    return narrow(x, dim, 0, half), narrow(x, dim, half, half)


def _glu_grad(g: Tensor, x: Tensor, dim: int) -> Tensor:
    a, b = _glu_halves(x, dim)
    s = b.sigmoid()
    return cat([g * s, g * a * s * (1 - s)], dim)


def _glu_tangent(us: tuple, out: Tensor, x: Tensor, dim: int) -> Tensor:
    """Forward mode (not pointwise, so declared): ``u_a * s + a * s * (1 - s) * u_b``."""
    a, b = _glu_halves(x, dim)
    u_a, u_b = _glu_halves(us[0], dim)
    s = b.sigmoid()
    return u_a * s + a * s * (1 - s) * u_b


def _celu_grad(g: Tensor, a: Tensor, alpha: Any, scale: Any, input_scale: Any) -> Tensor:
    """CeluBackward0: ELU's rule with PyTorch's backward scale, ``1 / float32(alpha)``
    (:func:`~.result_activations.celu_grad_scale`)."""
    return elu_grad(g, a, alpha, scale, celu_grad_scale(alpha))


def _mish_grad(g: Tensor, a: Tensor) -> Tensor:
    # PyTorch's: grad * (tanh(softplus(x)) + x * sigmoid(x) * (1 - tanh(softplus(x))^2)).
    t = softplus(a).tanh()
    return g * (t + a * a.sigmoid() * (1 - t * t))


CELU = OpRecord(
    "celu",
    ACTIVATION,
    "CeluBackward0",
    "elu",
    save=("self", "alpha", "scale", "input_scale"),
    grads=(_celu_grad,),
    kinks=(0.0,),
    smooth=False,
    float_only=True,
    method=False,
    doc="at 0: the negative side's slope, 1",
    conventions=(AtKinks(1.0, (("alpha", 0.5),)),),
)
GLU = OpRecord(
    "glu",
    ACTIVATION,
    "GluBackward0",
    "sigmoid",
    save=("self", "dim"),
    grads=(_glu_grad,),
    float_only=True,
    method=False,
    jvp=_glu_tangent,
)
MISH = OpRecord(
    "mish", ACTIVATION, "MishBackward0", "softplus", save=("self",), grads=(_mish_grad,),
    float_only=True, method=False,
)  # fmt: skip
LOG_SIGMOID = OpRecord(
    "logsigmoid", ACTIVATION, "LogSigmoidBackward0", "log1p", save=("self",),
    grads=(lambda g, a: g * (-a).sigmoid(),), float_only=True, method=False,
)  # fmt: skip
RECORDS = (CELU, GLU, MISH, LOG_SIGMOID)


def _floating(input: Tensor, op: str, kernel: str) -> Tensor:
    check_tensor(op, input)
    if not input.dtype.is_floating_point:
        raise refusal(kernel, input._backend, input.dtype)
    return input


def _elu_family(record: OpRecord, input: Tensor, params: dict) -> Tensor:
    _floating(input, record.name, "elu")  # PyTorch's selu and celu run its elu kernel
    array = input._backend.kernels["elu"](input._storage.array, *params.values())
    return finish(record, array, input._dtype, input._backend, (input,), params)


def _selu(input: Tensor) -> Tensor:
    return _elu_family(ELU, input, {"alpha": SELU_ALPHA, "scale": SELU_SCALE, "input_scale": 1.0})


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with SELU's constants (PyTorch records ``EluBackward0``;
    in place, ``EluBackward1``, from the result)."""
    return elu_(input, SELU_ALPHA, SELU_SCALE) if inplace else _selu(input)


def _celu(input: Tensor, alpha: Any) -> Tensor:
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    params = {"alpha": alpha, "scale": 1.0, "input_scale": 1.0 / alpha}
    return _elu_family(CELU, input, params)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if inplace:  # PyTorch's celu_: CeluBackward1, from the result
        return celu_(input, alpha)
    return _celu(input, alpha)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)``, ``a`` and ``b`` the two halves of ``input`` along ``dim``."""
    check_tensor("glu", input)
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = one_dim("glu", input, dim)
    _floating(input, "glu", "glu")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {size}")
    k, x = input._backend.kernels, input._storage.array
    before = (slice(None),) * dim
    a = k["getitem"](x, (*before, slice(0, size // 2)))
    b = k["getitem"](x, (*before, slice(size // 2, size)))
    out = k["multiply"](a, k["sigmoid"](b))
    return finish(GLU, out, input._dtype, input._backend, (input,), {"dim": dim})


def _mish(input: Tensor) -> Tensor:
    _floating(input, "mish", "mish")
    k, a = input._backend.kernels, input._storage.array
    out = k["multiply"](a, k["tanh"](k["softplus"](a, 1.0, 20.0)))
    return finish(MISH, out, input._dtype, input._backend, (input,))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return _inplace_form("mish_", _mish, True)(input) if inplace else _mish(input)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, as PyTorch computes it: ``min(x, 0) - log1p(exp(-|x|))``."""
    _floating(input, "logsigmoid", "log_sigmoid")
    k, a = input._backend.kernels, input._storage.array
    tail = k["log1p"](k["exp"](k["negative"](k["abs"](a))))
    out = k["subtract"](k["minimum"](a, 0.0), tail)
    return finish(LOG_SIGMOID, out, input._dtype, input._backend, (input,))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``, composed as PyTorch composes it (``DivBackward0``)."""
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``, composed as PyTorch composes it (``SubBackward0``)."""
    return input - input.tanh()


def softmin(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-x, dim)``, composed as PyTorch composes it (``SoftmaxBackward0`` over
    ``NegBackward0``); without ``dim``, PyTorch's deprecated implicit choice."""
    check_tensor("softmin", input)
    if dim is None:
        dim = legacy_dim("softmin", input.dim(), stacklevel=_stacklevel)
    if dtype is None:
        return (-input).softmax(dim)
    return (-input).softmax(dim, dtype=dtypes.resolve(dtype))
