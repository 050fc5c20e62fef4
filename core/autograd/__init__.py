"""``retrograd.autograd``: PyTorch's ``torch.autograd`` API.

``backward`` and ``grad`` run the engine; ``Function`` defines custom differentiable
ops; ``Variable`` is the deprecated wrapper old code still calls (it returns a Tensor).
``functional`` (Jacobians, Hessians), ``gradcheck``, anomaly detection and ``graph``
(the Node type, saved-tensor hooks) are PyTorch's toolbox around them.
"""

from __future__ import annotations

from ..engine import backward
from ..grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from ..tensor import Tensor
from . import anomaly_mode, forward_ad, forward_rules, functional, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .batched_grad import grad
from .function import BackwardCFunction, Function, FunctionCtx
from .gradcheck import GradcheckError, gradcheck, gradgradcheck


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """Deprecated since PyTorch 0.4: returns ``data`` itself, requiring grad if asked."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data


__all__ = [
    "BackwardCFunction",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Variable",
    "anomaly_mode",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "forward_ad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "graph",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]
