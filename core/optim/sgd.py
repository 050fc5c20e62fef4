"""``SGD`` with momentum, dampening, Nesterov momentum, weight decay and maximize."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .optimizer import PerParameterOptimizer, check_non_negative


class SGD(PerParameterOptimizer):
    """PyTorch's SGD: ``buf = momentum * buf + (1 - dampening) * g`` (``g`` with the
    L2 term, negated for ``maximize``); ``p -= lr * (g + momentum * buf if nesterov
    else buf)``. State: ``momentum_buffer`` (only with momentum)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: Any = None,
        differentiable: bool = False,
        fused: Any = None,
    ) -> None:
        check_non_negative(
            ("learning rate", lr),
            ("momentum value", momentum),
            ("weight_decay value", weight_decay),
            allow_nan=True,
        )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        lr, momentum = group["lr"], group["momentum"]
        grad = self._effective_grad(p, group["maximize"], group["weight_decay"])
        free = 0 if grad is p.grad else 1  # the first scratch slot that grad leaves free
        direction = grad
        if momentum != 0:
            direction = self._momentum(p, grad, momentum, group["dampening"], free)
            if group["nesterov"]:
                out = self._scratch(p, free)
                direction = math.add(out, grad, math.mul(out, direction, momentum))
        buffer = self.state[p].get("momentum_buffer") if momentum != 0 else None
        owned = direction is p.grad or direction is buffer
        out = self._scratch(p) if owned else direction
        math.add(p, p, math.mul(out, direction, -lr))

    def _momentum(self, p: Any, grad: Any, momentum: float, dampening: float, free: int) -> Any:
        state = self.state[p]
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = math.copy(math.empty_like(p), grad)
            return buf
        math.mul(buf, buf, momentum)
        if dampening == 0:
            return math.add(buf, buf, grad)
        return math.add(buf, buf, math.mul(self._scratch(p, free), grad, 1 - dampening))
