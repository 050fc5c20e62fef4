"""``RAdam``: Adam whose adaptive step is rectified by the variance of its estimate
(L2 or decoupled weight decay)."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .adam import _check
from .optimizer import PerParameterOptimizer


class RAdam(PerParameterOptimizer):
    """PyTorch's RAdam: with ``rho_inf = 2 / (1 - beta2) - 1`` and ``rho_t = rho_inf -
    2 t beta2**t / (1 - beta2**t)``, ``p -= lr * m / (1 - beta1**t) * r_t *
    sqrt(1 - beta2**t) / (sqrt(v) + eps)`` when ``rho_t > 5`` (``r_t`` the
    rectification), else ``p -= lr * m / (1 - beta1**t)``. State: ``step``,
    ``exp_avg``, ``exp_avg_sq``."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: Any = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check(lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        state = self._lazy_state(p, "exp_avg", "exp_avg_sq")
        step = self._increment(state["step"])
        decoupled = group["decoupled_weight_decay"]
        if wd != 0 and decoupled:
            math.mul(p, p, 1 - lr * wd)
        grad = self._effective_grad(p, group["maximize"], 0 if decoupled else wd)
        tmp = self._free_scratch(p, grad)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        math.add(m, m, math.mul(tmp, math.sub(tmp, grad, m), 1 - beta1))  # lerp_
        math.mul(v, v, beta2)
        math.add(v, v, math.mul(tmp, math.mul(tmp, grad, 1 - beta2), grad))  # addcmul_
        correction1, correction2 = 1 - beta1**step, 1 - beta2**step
        update = math.mul(tmp, math.div(tmp, m, correction1), lr)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / correction2
        # The branch reads the count as a plain number: under compile a comparison of the
        # program value would be frozen at capture (the step then breaks the graph).
        plain = state["step"].item()
        if rho_inf - 2 * plain * (beta2**plain) / (1 - beta2**plain) > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            denom = self._scratch(p, 2)  # slots 0 and 1 may hold grad and update
            math.add(denom, math.sqrt(denom, v), group["eps"])
            math.div(denom, correction2**0.5, denom)  # the adaptive rate
            math.mul(update, update, denom)
            math.mul(update, update, rect)
        math.sub(p, p, update)
