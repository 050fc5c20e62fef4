"""W7: one training epoch of the digits MLP (64-128-64-10, ReLU), batch 64, Adam.

The code is the one a PyTorch user writes, run unchanged by PyTorch and by retrograd
(``import retrograd as torch``): ``nn.Sequential`` of ``nn.Linear``/``nn.ReLU``,
``F.cross_entropy``, ``optim.Adam``, and a ``DataLoader`` over a ``TensorDataset`` of
scikit-learn's digits (1437 training images, 23 batches; the samples are put in a
fixed shuffled order once, so every implementation sees the same batches). Each step
is one epoch from the current weights; the check compares the first epoch's summed
loss and final weights. Target: retrograd[numpy] at most PyTorch's time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..workload import Workload

SIZES = (64, 128, 64, 10)
BATCH = 64
LR = 3e-3


def _digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:  # scikit-learn is a test extra; same shapes, random values
        rng = np.random.default_rng(7)
        return rng.random((1437, 64), np.float32), rng.integers(0, 10, 1437)
    digits = load_digits()
    return (digits.data / 16.0).astype(np.float32), digits.target.astype(np.int64)


def setup(for_check: bool) -> dict[str, Any]:
    x, y = _digits()
    order = np.random.default_rng(0).permutation(len(y))[:1437]  # the example's train size
    rng = np.random.default_rng(5)
    state = {}
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        bound = 1 / np.sqrt(fan_in)  # PyTorch's nn.Linear initialisation
        state[f"{2 * i + 1}.weight"] = rng.uniform(-bound, bound, (fan_out, fan_in))
        state[f"{2 * i + 1}.bias"] = rng.uniform(-bound, bound, fan_out)
    state = {k: v.astype(np.float32) for k, v in state.items()}
    return {"x": x[order], "y": y[order].astype(np.int64), "state": state}


def autograd_step(impl: Any, data: dict[str, Any]) -> Any:
    torch = impl.lib
    nn, F = torch.nn, torch.nn.functional
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128),
        nn.ReLU(),
        nn.Linear(128, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )
    model.load_state_dict({k: torch.tensor(v) for k, v in data["state"].items()})
    dataset = torch.utils.data.TensorDataset(torch.tensor(data["x"]), torch.tensor(data["y"]))
    loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)

    def step() -> dict[str, Any]:
        total = 0.0
        for images, labels in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
        return impl.block({"loss": np.float64(total), "weight": model[5].weight})

    return step


WORKLOAD = Workload(
    key="W7",
    title="digits MLP 64-128-64-10: one epoch (23 batches of 64), DataLoader, Adam",
    setup=setup,
    builders={"autograd": autograd_step},
    per="epoch",
    repeats=7,
    tol=1e-3,  # 23 Adam steps in float32
    peak=False,
)
