"""``Adadelta``: steps scaled by the ratio of running RMS of updates and gradients."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .optimizer import PerParameterOptimizer, check_non_negative


class Adadelta(PerParameterOptimizer):
    """PyTorch's Adadelta: ``s = rho * s + (1 - rho) * g * g``; ``delta =
    sqrt(a + eps) / sqrt(s + eps) * g``; ``a = rho * a + (1 - rho) * delta * delta``;
    ``p -= lr * delta``. State: ``step``, ``square_avg``, ``acc_delta``. Default
    ``lr=1.0``."""

    def __init__(
        self,
        params: Any,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: Any = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_non_negative(("learning rate", lr))
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(("epsilon value", eps), ("weight_decay value", weight_decay))
        defaults = dict(
            lr=lr,
            rho=rho,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            capturable=capturable,
            foreach=foreach,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        rho, eps = group["rho"], group["eps"]
        state = self._lazy_state(p, "square_avg", "acc_delta")
        self._increment(state["step"])
        grad = self._effective_grad(p, group["maximize"], group["weight_decay"])
        tmp = self._free_scratch(p, grad)
        square, acc = state["square_avg"], state["acc_delta"]
        math.mul(square, square, rho)
        math.add(square, square, math.mul(tmp, math.mul(tmp, grad, 1 - rho), grad))  # addcmul_
        std = math.sqrt(tmp, math.add(tmp, square, eps))
        delta = self._scratch(p, 2)  # slots 0 and 1 may hold grad and tmp
        math.sqrt(delta, math.add(delta, acc, eps))
        math.mul(delta, math.div(delta, delta, std), grad)
        math.mul(acc, acc, rho)
        math.add(acc, acc, math.mul(tmp, math.mul(tmp, delta, 1 - rho), delta))  # addcmul_
        math.add(p, p, math.mul(delta, delta, -group["lr"]))
