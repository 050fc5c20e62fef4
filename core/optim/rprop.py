"""``Rprop``: resilient backpropagation, a per-element step size driven by gradient signs."""

from __future__ import annotations

from typing import Any

from . import inplace_math as math
from .optimizer import PerParameterOptimizer, check_non_negative


class Rprop(PerParameterOptimizer):
    """PyTorch's Rprop: where ``g`` keeps the sign of the previous gradient the step size
    grows by ``etas[1]``, where it flips it shrinks by ``etas[0]`` (and that element's
    gradient counts as 0 this step), clamped to ``step_sizes``; ``p -= sign(g) *
    step_size``. State: ``step``, ``prev``, ``step_size`` (starting at ``lr``)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        etas: tuple = (0.5, 1.2),
        step_sizes: tuple = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: Any = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_non_negative(("learning rate", lr))
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(
            lr=lr,
            etas=etas,
            step_sizes=step_sizes,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = self._step_tensor()
            state["prev"] = self._zero_state(p)
            state["step_size"] = self._zero_state(p).fill_(group["lr"])
        self._increment(state["step"])
        eta_minus, eta_plus = group["etas"]
        low, high = group["step_sizes"]
        grad = self._effective_grad(p, group["maximize"], 0)
        sign = (grad * state["prev"]).sign()
        grew, shrank = sign > 0, sign < 0
        factor = sign.masked_fill(grew, eta_plus).masked_fill(shrank, eta_minus)
        factor = factor.masked_fill(sign == 0, 1.0)
        size = state["step_size"]
        math.copy(size, (size * factor).clamp(low, high))
        grad = grad.masked_fill(shrank, 0.0)  # a flipped sign: no move, and no flip next step
        math.sub(p, p, grad.sign() * size)
        math.copy(state["prev"], grad)
