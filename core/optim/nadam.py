"""``NAdam``: Adam with Nesterov momentum and a momentum-decay schedule (L2 or
decoupled weight decay)."""

from __future__ import annotations

from typing import Any

from ..scalar_reads import step_count
from . import inplace_math as math
from .adam import _check
from .optimizer import PerParameterOptimizer, check_non_negative


class NAdam(PerParameterOptimizer):
    """PyTorch's NAdam: with ``mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))``
    and ``mu_product`` their running product, ``p -= lr * ((1 - mu_t) / (1 -
    mu_product) * g + mu_{t+1} / (1 - mu_product * mu_{t+1}) * m) / (sqrt(v / (1 -
    beta2**t)) + eps)``. State: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``."""

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: Any = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check(lr, betas, eps, weight_decay)
        check_non_negative(("momentum_decay value", momentum_decay))
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        state = self.state[p]
        if not state:
            state["step"] = self._step_tensor()
            state["mu_product"] = self._step_tensor().fill_(1.0)  # float32, as PyTorch's
            state["exp_avg"] = self._zero_state(p)
            state["exp_avg_sq"] = self._zero_state(p)
        step = self._increment(state["step"])
        decoupled = group["decoupled_weight_decay"]
        if wd != 0 and decoupled:
            math.mul(p, p, 1 - lr * wd)
        grad = self._effective_grad(p, group["maximize"], 0 if decoupled else wd)
        tmp = self._free_scratch(p, grad)
        decay = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        product = state["mu_product"]
        math.mul(product, product, mu)  # rounded to float32 like PyTorch's tensor
        product_value = step_count(product)  # a program value under compile, as step
        m, v = state["exp_avg"], state["exp_avg_sq"]
        math.add(m, m, math.mul(tmp, math.sub(tmp, grad, m), 1 - beta1))  # lerp_
        math.mul(v, v, beta2)
        math.add(v, v, math.mul(tmp, math.mul(tmp, grad, 1 - beta2), grad))  # addcmul_
        denom = math.add(tmp, math.sqrt(tmp, math.div(tmp, v, 1 - beta2**step)), group["eps"])
        grad_weight = -lr * (1.0 - mu) / (1.0 - product_value)
        avg_weight = -lr * mu_next / (1.0 - product_value * mu_next)
        step_part = self._scratch(p, 2)  # slots 0 and 1 may hold grad and denom
        math.add(p, p, math.div(step_part, math.mul(step_part, grad, grad_weight), denom))
        math.add(p, p, math.div(step_part, math.mul(step_part, m, avg_weight), denom))
