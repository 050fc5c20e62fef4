"""Derivatives as ops of their own: ``tanh_backward``, ``sigmoid_backward``,
``threshold_backward``.

PyTorch computes the backward of these activations with one op each, whose own node
(``TanhBackwardBackward0``, ...) makes higher-order gradients work. retrograd does the
same, for the same two reasons: the rule of ``tanh`` is one op instead of three (the
kernels still run, but one tensor is wrapped instead of three: the backward hot path),
and a gradient graph built with ``create_graph`` has PyTorch's nodes and edges (the
gradient of ``relu`` keeps its edge to ``ReluBackward0``, as PyTorch's does).

Like ``CopySlices`` these are engine machinery, called by derivative rules, not by
users: they are not in ``RECORDS``, and the conformance suite checks them through the
second derivatives of ``tanh`` and ``sigmoid`` and tests/test_autograd_vs_torch.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..tensor import Tensor
from .dispatch import finish
from .record import BINARY, OpRecord

# rule(gg, grad_output, output): gg is the gradient w.r.t. this op's result.
TANH_BACKWARD = OpRecord(
    "tanh_backward", BINARY, "TanhBackwardBackward0", "multiply",
    inputs=("grad_output", "output"), save=("grad_output", "output"),
    grads=(
        lambda gg, g, r: tanh_backward(gg, r),
        lambda gg, g, r: gg * g * (-2 * r),
    ),
)  # fmt: skip
SIGMOID_BACKWARD = OpRecord(
    "sigmoid_backward", BINARY, "SigmoidBackwardBackward0", "multiply",
    inputs=("grad_output", "output"), save=("grad_output", "output"),
    grads=(
        lambda gg, g, r: sigmoid_backward(gg, r),
        lambda gg, g, r: gg * g * (1 - 2 * r),
    ),
)  # fmt: skip
# The gradient w.r.t. the output is 0 almost everywhere (a step function), as in PyTorch.
THRESHOLD_BACKWARD = OpRecord(
    "threshold_backward", BINARY, "ThresholdBackwardBackward0", "multiply",
    inputs=("grad_output", "output"), save=("output",),
    grads=(lambda gg, r: threshold_backward(gg, r), lambda gg, r: gg * 0),
)  # fmt: skip


def _fused(record: OpRecord, kernel: Callable[[dict, Any, Any], Any]) -> Callable[..., Tensor]:
    def op(grad_output: Tensor, output: Tensor) -> Tensor:
        # The engine hands rules a gradient of the output's dtype and backend.
        backend = output._backend
        array = kernel(backend.kernels, grad_output._storage.array, output._storage.array)
        return finish(record, array, output._dtype, backend, (grad_output, output))

    op.__name__ = record.name
    return op


# The kernels are PyTorch's formulas, one kernel each (a backend may fuse them).
tanh_backward = _fused(TANH_BACKWARD, lambda k, g, r: k["tanh_backward"](g, r))
sigmoid_backward = _fused(SIGMOID_BACKWARD, lambda k, g, r: k["sigmoid_backward"](g, r))
# PyTorch's mask is "output <= 0": relu'(0) = 0, and a nan output passes its gradient.
threshold_backward = _fused(THRESHOLD_BACKWARD, lambda k, g, r: k["threshold_backward"](g, r))
