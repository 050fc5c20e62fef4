"""In-place activations as PyTorch records them.

PyTorch's ``elu_``, ``celu_``, ``selu_``, ``leaky_relu_`` and ``rrelu_`` differentiate
from their *result* (the input is gone once overwritten): their nodes are the "1"
overloads, ``EluBackward1``, ``CeluBackward1``, ``LeakyReluBackward1`` and
``RreluWithNoiseBackward1``, whose rules read the saved output. (``threshold_``'s node,
``ThresholdBackward1``, reads the old value, which PyTorch clones before the write.)
Each is one record here, with a result-form function (out of place, saving its own
result) that :func:`~.inplace.inplace` turns into the in-place form: it writes the result
into the tensor and makes the node the tensor's ``grad_fn``. Rules from the result give
PyTorch's gradient to the last bit (``celu_``'s ``input_scale * (r + alpha)`` rounds
otherwise than ``exp(x / alpha)``), and a later write into the tensor fails the
backward, as PyTorch's version check does.

``rrelu`` (PyTorch's ``rrelu_with_noise``) is recorded here too; its random noise is
drawn by :mod:`retrograd.random`, which owns the generators.
"""

from __future__ import annotations

import struct
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .dispatch import finish
from .elementwise import where
from .helpers import check_tensor
from .inplace import inplace
from .kernel_names import refusal
from .record import ACTIVATION, AtKinks, OpRecord

_LEAKY_NEGATIVE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead. File an issue at "
    "https://github.com/pytorch/pytorch/issues if you do require supporting in-place leakRelu "
    "backward calculation with negative slope"
)


def _elu_result_grad(g: Tensor, r: Tensor, alpha: Any, scale: Any, input_scale: Any) -> Tensor:
    # PyTorch's elu_backward(is_result=True): r <= 0 -> g * input_scale * (r + alpha * scale).
    return where(r <= 0, g * input_scale * (r + alpha * scale), g * scale)


def celu_grad_scale(alpha: Any) -> float:
    """The ``input_scale`` of PyTorch's celu backward, ``1.0 / alpha.toFloat()``: alpha
    rounded to float32 first (its forward divides by the double alpha), so for an alpha
    float32 cannot hold (0.7) the gradient differs from ``1 / alpha``'s by ~1e-8."""
    return 1.0 / struct.unpack("f", struct.pack("f", alpha))[0]


def _celu_result_grad(g: Tensor, r: Tensor, alpha: Any, scale: Any, input_scale: Any) -> Tensor:
    return _elu_result_grad(g, r, alpha, scale, celu_grad_scale(alpha))


def _leaky_result_grad(g: Tensor, r: Tensor, negative_slope: Any) -> Tensor:
    if negative_slope < 0:  # the sign of the result no longer says the input's
        raise RuntimeError(_LEAKY_NEGATIVE)
    return where(r > 0, g, g * negative_slope)


def _threshold_grad(g: Tensor, a: Tensor, threshold: Any) -> Tensor:
    return where(a <= threshold, 0.0, g)  # NaN > threshold is false, yet NaN keeps grad


# The span under which PyTorch's rrelu backward treats training as evaluation.
_RRELU_SPAN = 1e-6


def _rrelu_grad(g: Tensor, a: Tensor, noise: Any, lower: Any, upper: Any, training: Any):
    """``rrelu_with_noise_backward``: the drawn slopes in training (unless the bounds
    meet), else leaky_relu's rule with the mean slope (from the input or the result:
    their signs agree, the slope being positive)."""
    if training and upper - lower > _RRELU_SPAN:
        return g * noise
    return where(a > 0, g, g * ((lower + upper) / 2))


def _record(name: str, grad_fn: str, kernel: str, save: tuple, grad: Any, **kw: Any) -> OpRecord:
    return OpRecord(name, ACTIVATION, grad_fn, kernel, save=save, grads=(grad,), smooth=False,
                    method=False, **kw)  # fmt: skip


ELU_RESULT = _record(
    "elu_result", "EluBackward1", "elu", ("result", "alpha", "scale", "input_scale"),
    _elu_result_grad, public="elu", kinks=(0.0,), float_only=True,
    doc="elu_/selu_ (from the result); at 0: the negative side's slope, alpha",
    conventions=(AtKinks(0.5, (("alpha", 0.5),)),),
)  # fmt: skip
CELU_RESULT = _record(
    "celu_result", "CeluBackward1", "elu", ("result", "alpha", "scale", "input_scale"),
    _celu_result_grad, public="celu", kinks=(0.0,), float_only=True,
    doc="celu_ (from the result); at 0: the negative side's slope, 1",
    conventions=(AtKinks(1.0, (("alpha", 0.5),)),),
)  # fmt: skip
LEAKY_RELU_RESULT = _record(
    "leaky_relu_result", "LeakyReluBackward1", "leaky_relu", ("result", "negative_slope"),
    _leaky_result_grad, public="leaky_relu", kinks=(0.0,), float_only=True,
    doc="leaky_relu_ (from the result); at 0: negative_slope",
    conventions=(AtKinks(0.2, (("negative_slope", 0.2),)),),
)  # fmt: skip
# threshold_'s node saves the value before the write (PyTorch clones it): the same rule
# as ThresholdBackward0, under the in-place overload's name.
THRESHOLD_IN_PLACE = _record(
    "threshold_in_place", "ThresholdBackward1", "where", ("self", "threshold"),
    _threshold_grad, public="threshold", kinks=(0.0,),
    doc="threshold_ (from the old value); at the threshold: 0",
    conventions=(AtKinks(0.0, (("threshold", 0.0), ("value", -1.0))),),
)  # fmt: skip
RRELU = _record(
    "rrelu_with_noise", "RreluWithNoiseBackward0", "multiply",
    ("self", "noise", "lower", "upper", "training"), _rrelu_grad, public="rrelu",
    kinks=(0.0,), float_only=True, doc="at 0: the slope drawn there (evaluation: the mean)",
    conventions=(AtKinks(0.25, (("lower", 0.25), ("upper", 0.25), ("training", False))),),
)  # fmt: skip
RRELU_RESULT = _record(
    "rrelu_with_noise_result", "RreluWithNoiseBackward1", "multiply",
    ("result", "noise", "lower", "upper", "training"), _rrelu_grad, public="rrelu",
    kinks=(0.0,), float_only=True, doc="rrelu_ (from the result); at 0: as rrelu",
    conventions=(AtKinks(0.25, (("lower", 0.25), ("upper", 0.25), ("training", False))),),
)  # fmt: skip
RECORDS = (ELU_RESULT, CELU_RESULT, LEAKY_RELU_RESULT, THRESHOLD_IN_PLACE, RRELU, RRELU_RESULT)


def _floating(op: str, input: Tensor, kernel: str) -> None:
    check_tensor(op, input)
    if not input.dtype.is_floating_point:
        raise refusal(kernel, input._backend, input.dtype)


def _elu_kernel(record: OpRecord, input: Tensor, params: dict) -> Tensor:
    _floating(record.public, input, "elu")  # PyTorch's selu_ and celu_ run elu's kernel
    array = input._backend.kernels["elu"](input._storage.array, *params.values())
    return finish(record, array, input._dtype, input._backend, (input,), params)


def elu_result(
    input: Tensor, alpha: float = 1.0, scale: float = 1.0, input_scale: float = 1.0
) -> Tensor:
    """``scale * elu(x * input_scale, alpha)`` (elu's and selu's), recorded as
    ``EluBackward1``: its rule reads the result."""
    params = {"alpha": alpha, "scale": scale, "input_scale": input_scale}
    return _elu_kernel(ELU_RESULT, input, params)


def celu_result(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``celu(x, alpha)`` recorded as ``CeluBackward1``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    params = {"alpha": alpha, "scale": 1.0, "input_scale": 1.0 / alpha}
    return _elu_kernel(CELU_RESULT, input, params)


def leaky_relu_result(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``leaky_relu(x, negative_slope)`` recorded as ``LeakyReluBackward1``."""
    _floating("leaky_relu", input, "leaky_relu")
    k = input._backend.kernels
    array = k["leaky_relu"](input._storage.array, negative_slope)
    params = {"negative_slope": negative_slope}
    return finish(LEAKY_RELU_RESULT, array, input._dtype, input._backend, (input,), params)


def threshold_in_place(input: Tensor, threshold: float, value: float) -> Tensor:
    """``threshold(x, threshold, value)`` recorded as ``ThresholdBackward1``."""
    check_tensor("threshold", input)
    if input.dtype is dtypes.bool:
        raise refusal("threshold", input._backend, input.dtype)
    backend = input._backend
    k, a = backend.kernels, input._storage.array
    filled = k["full"](tuple(input.shape), value, backend.native_dtype(input._dtype))
    out = k["where"](k["less_equal"](a, threshold), filled, a)  # NaN kept, as in PyTorch
    params = {"threshold": threshold, "value": value}
    return finish(THRESHOLD_IN_PLACE, out, input._dtype, backend, (input,), params)


def check_rrelu(input: Tensor, lower: Any, upper: Any, training: Any) -> None:
    """PyTorch's refusals of an rrelu call, before any number is drawn."""
    check_tensor("rrelu", input)
    if not input.dtype.is_floating_point:  # the kernel PyTorch's mode runs says so
        kernel = "rrelu_with_noise_out" if training else "leaky_relu"
        raise refusal(kernel, input._backend, input.dtype)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")


def _rrelu(record: OpRecord, input: Tensor, noise: Any, lower: Any, upper: Any, training: Any):
    k, a = input._backend.kernels, input._storage.array
    if training:  # noise: the drawn slope where x <= 0, 1 elsewhere (NaN too)
        out = k["multiply"](a, noise._storage.array)
    else:  # PyTorch's leaky_relu with the mean slope
        out = k["leaky_relu"](a, (lower + upper) / 2)
    params = {"noise": noise, "lower": lower, "upper": upper, "training": bool(training)}
    return finish(record, out, input._dtype, input._backend, (input,), params)


def rrelu_with_noise(
    input: Tensor, noise: Tensor | None, lower: float, upper: float, training: bool
) -> Tensor:
    """``x * noise`` in training (``noise`` as :func:`retrograd.random.rrelu` draws it),
    else ``leaky_relu(x, (lower + upper) / 2)``; ``RreluWithNoiseBackward0``."""
    check_rrelu(input, lower, upper, training)
    return _rrelu(RRELU, input, noise, lower, upper, training)


def rrelu_with_noise_result(
    input: Tensor, noise: Tensor | None, lower: float, upper: float, training: bool
) -> Tensor:
    """:func:`rrelu_with_noise` recorded as ``RreluWithNoiseBackward1`` (``rrelu_``)."""
    check_rrelu(input, lower, upper, training)
    return _rrelu(RRELU_RESULT, input, noise, lower, upper, training)


# -- the in-place forms: the result written into the tensor, whose grad_fn is the node ----

elu_ = inplace("elu_", elu_result, False)
celu_ = inplace("celu_", celu_result, False)
leaky_relu_ = inplace("leaky_relu_", leaky_relu_result, False)
threshold_ = inplace("threshold_", threshold_in_place, True)  # rule reads the old value
rrelu_with_noise_ = inplace("rrelu_", rrelu_with_noise_result, False)
