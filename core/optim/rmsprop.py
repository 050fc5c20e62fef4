"""``RMSprop`` (centered, momentum, weight decay, maximize)."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .optimizer import PerParameterOptimizer, check_non_negative


class RMSprop(PerParameterOptimizer):
    """PyTorch's RMSprop: ``s = alpha * s + (1 - alpha) * g * g``; the root of ``s``
    (minus the squared running mean of ``g`` when ``centered``) plus ``eps`` divides
    ``g``, through a momentum buffer when ``momentum > 0``. State: ``step``,
    ``square_avg`` (and ``momentum_buffer``, ``grad_avg``)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: Any = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_non_negative(
            ("learning rate", lr),
            ("epsilon value", eps),
            ("momentum value", momentum),
            ("weight_decay value", weight_decay),
            ("alpha value", alpha),
        )
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _state(self, p: Any, group: dict) -> dict:
        momentum = ("momentum_buffer",) if group["momentum"] > 0 else ()
        centered = ("grad_avg",) if group["centered"] else ()
        return self._lazy_state(p, "square_avg", *momentum, *centered)

    def _update(self, p: Any, group: dict) -> None:
        state, alpha = self._state(p, group), group["alpha"]
        self._increment(state["step"])
        grad = self._effective_grad(p, group["maximize"], group["weight_decay"])
        tmp = self._free_scratch(p, grad)
        sq = state["square_avg"]
        math.mul(sq, sq, alpha)
        math.add(sq, sq, math.mul(tmp, math.mul(tmp, grad, 1 - alpha), grad))  # addcmul_
        if group["centered"]:
            avg = state["grad_avg"]
            math.add(avg, avg, math.mul(tmp, math.sub(tmp, grad, avg), 1 - alpha))  # lerp_
            math.sub(tmp, sq, math.mul(tmp, avg, avg))
            math.sqrt(tmp, tmp)
        else:
            math.sqrt(tmp, sq)
        denom = math.add(tmp, tmp, group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            math.mul(buf, buf, group["momentum"])
            math.add(buf, buf, math.div(denom, grad, denom))  # addcdiv_
            math.add(p, p, math.mul(tmp, buf, -group["lr"]))
        else:
            math.add(p, p, math.mul(tmp, math.div(tmp, grad, denom), -group["lr"]))
