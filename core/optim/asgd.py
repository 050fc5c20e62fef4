"""``ASGD``: averaged stochastic gradient descent."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .optimizer import PerParameterOptimizer, check_non_negative


class ASGD(PerParameterOptimizer):
    """PyTorch's ASGD: ``p = p * (1 - lambd * eta) - eta * g``; the average ``ax``
    moves to ``p`` by ``mu``; then ``eta = lr / (1 + lambd * lr * t)**alpha`` and ``mu
    = 1 / max(1, t - t0)``. State: ``step``, ``eta``, ``mu`` (float32 scalars, as
    PyTorch's), ``ax``."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: Any = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_non_negative(("learning rate", lr), ("weight_decay value", weight_decay))
        defaults = dict(
            lr=lr,
            lambd=lambd,
            alpha=alpha,
            t0=t0,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        lr, lambd = group["lr"], group["lambd"]
        state = self.state[p]
        if not state:
            state["step"] = self._step_tensor()
            state["eta"] = self._step_tensor().fill_(lr)
            state["mu"] = self._step_tensor().fill_(1.0)
            state["ax"] = self._zero_state(p)
        step = self._increment(state["step"])
        grad = self._effective_grad(p, group["maximize"], group["weight_decay"])
        tmp = self._free_scratch(p, grad)
        eta = state["eta"].item()
        math.mul(p, p, 1 - lambd * eta)  # decay
        math.sub(p, p, math.mul(tmp, grad, eta))
        ax, mu = state["ax"], state["mu"].item()
        if mu != 1:
            math.add(ax, ax, math.mul(tmp, math.sub(tmp, p, ax), mu))
        else:
            math.copy(ax, p)
        state["eta"].fill_(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        state["mu"].fill_(1 / max(1, step - group["t0"]))
