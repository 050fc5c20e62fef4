"""W1a: W1's first scenario alone, ``ones(2,2) -> +2 -> y*y*3 -> mean -> backward``.

No data-dependent loop: the whole scenario can be recorded, which is what
``retrograd.compile``'s W1 target (at most 0.2x PyTorch eager) is about; the compiled
row's builder is added by ``bench.compiled``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workload import Workload


def first_scenario(lib: Any) -> Any:
    """The scenario as a function of the library: returns ``(out, x.grad)``."""

    def first() -> tuple:
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        out = (y * y * 3).mean()
        out.backward()
        return out, x.grad

    return first


def numpy_step(impl: Any, data: dict[str, Any]) -> Any:
    def step() -> dict[str, Any]:
        y = np.ones((2, 2), np.float32) + 2
        out = (y * y * 3).mean()
        g = np.full((2, 2), 1 / 4, np.float32) * 3
        return {"out": out, "x.grad": g * y + g * y}

    return step


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    first = first_scenario(impl.lib)

    def step() -> dict[str, Any]:
        out, x_grad = first()
        return impl.block({"out": out, "x.grad": x_grad})

    return step


WORKLOAD = Workload(
    key="W1a",
    title="W1's first scenario alone (no data-dependent loop)",
    setup=lambda for_check: {},
    builders={"numpy": numpy_step, "autograd": autograd_step},
    unit="µs",
    scale=1e6,
    per="scenario",
    inner=200,
    peak=False,
)
