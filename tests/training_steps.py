"""The training step the compile tests capture: a two-layer MLP, the mean squared error,
an optimizer's step (one definition, so each test varies only what it is about)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import retrograd as torch


def mlp(inputs: int, hidden: int, outputs: int) -> Any:
    """``Linear -> ReLU -> Linear``."""
    return torch.nn.Sequential(
        torch.nn.Linear(inputs, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, outputs)
    )


def mse_step(model: Any, opt: Any) -> Callable[[Any, Any], Any]:
    """``step(x, y)``: zero the gradients, the loss ``((model(x) - y) ** 2).mean()``, its
    backward and ``opt.step()``; returns the loss."""

    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    return step
