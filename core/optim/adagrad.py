"""``Adagrad`` (learning-rate decay, weight decay, maximize)."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .optimizer import PerParameterOptimizer, check_non_negative


class Adagrad(PerParameterOptimizer):
    """PyTorch's Adagrad: ``sum += g * g``; ``p -= clr * g / (sqrt(sum) + eps)`` with
    ``clr = lr / (1 + (step - 1) * lr_decay)``. State (made at construction, as
    PyTorch's): ``step``, ``sum`` (starting at ``initial_accumulator_value``)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: Any = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: Any = None,
    ) -> None:
        check_non_negative(
            ("learning rate", lr),
            ("lr_decay value", lr_decay),
            ("weight_decay value", weight_decay),
            ("initial_accumulator_value value", initial_accumulator_value),
            ("epsilon value", eps),
        )
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Any, group: dict) -> dict:
        state = self.state[p]
        state["step"] = self._step_tensor()
        total = state["sum"] = self._zero_state(p)
        if group["initial_accumulator_value"]:
            math.add(total, total, group["initial_accumulator_value"])
        return state

    def _update(self, p: Any, group: dict) -> None:
        state = self.state[p] if p in self.state else self._init_state(p, group)
        step = self._increment(state["step"])
        grad = self._effective_grad(p, group["maximize"], group["weight_decay"])
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        tmp = self._free_scratch(p, grad)
        total = state["sum"]
        math.add(total, total, math.mul(tmp, grad, grad))
        std = math.add(tmp, math.sqrt(tmp, total), group["eps"])
        math.add(p, p, math.mul(tmp, math.div(tmp, grad, std), -clr))
