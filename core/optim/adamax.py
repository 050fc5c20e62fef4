"""``Adamax``: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .adam import _check
from .optimizer import PerParameterOptimizer


class Adamax(PerParameterOptimizer):
    """PyTorch's Adamax: ``m`` lerps to ``g`` by ``1 - beta1``, ``u = max(beta2 * u,
    |g| + eps)``; ``p -= lr / (1 - beta1**t) * m / u``. State: ``step``, ``exp_avg``,
    ``exp_inf``. Default ``lr=2e-3``."""

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: Any = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check(lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        beta1, beta2 = group["betas"]
        state = self._lazy_state(p, "exp_avg", "exp_inf")
        step = self._increment(state["step"])
        grad = self._effective_grad(p, group["maximize"], group["weight_decay"])
        tmp = self._free_scratch(p, grad)
        m, u = state["exp_avg"], state["exp_inf"]
        math.add(m, m, math.mul(tmp, math.sub(tmp, grad, m), 1 - beta1))  # lerp_
        math.mul(u, u, beta2)
        magnitude = math.maximum(tmp, grad, math.mul(tmp, grad, -1.0))  # |g|, in place
        math.maximum(u, u, math.add(tmp, magnitude, group["eps"]))
        clr = group["lr"] / (1 - beta1**step)
        math.add(p, p, math.div(tmp, math.mul(tmp, m, -clr), u))  # addcdiv_
