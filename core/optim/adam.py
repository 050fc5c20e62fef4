"""``Adam`` and ``AdamW`` (amsgrad, maximize, L2 or decoupled weight decay)."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .optimizer import PerParameterOptimizer, check_non_negative


def _check(lr: float, betas: tuple, eps: float, weight_decay: float) -> None:
    check_non_negative(("learning rate", lr), ("epsilon value", eps))
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
    check_non_negative(("weight_decay value", weight_decay))


class Adam(PerParameterOptimizer):
    """PyTorch's Adam: ``m`` lerps to ``g`` by ``1 - beta1``, ``v = beta2 * v + (1 -
    beta2) * g * g``; ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) +
    eps)`` (``max(v)`` so far with ``amsgrad``). State: ``step``, ``exp_avg``,
    ``exp_avg_sq`` (and ``max_exp_avg_sq``). Each step writes in place, through one
    scratch tensor per parameter (two with weight decay or maximize)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: Any = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: Any = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check(lr, betas, eps, weight_decay)
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        extra = ("max_exp_avg_sq",) if group["amsgrad"] else ()
        state = self._lazy_state(p, "exp_avg", "exp_avg_sq", *extra)
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
        if group["amsgrad"]:
            v = math.maximum(state["max_exp_avg_sq"], state["max_exp_avg_sq"], v)
        denom = math.add(
            tmp, math.div(tmp, math.sqrt(tmp, v), (1 - beta2**step) ** 0.5), group["eps"]
        )
        update = math.mul(tmp, math.div(tmp, m, denom), -(lr / (1 - beta1**step)))
        math.add(p, p, update)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the
    Adam update (default ``weight_decay=1e-2``)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: Any = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: Any = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
