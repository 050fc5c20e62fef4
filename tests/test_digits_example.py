"""The digits example's models trained under PyTorch and retrograd from the same weights
on the same batches give the same loss curve (relative 1e-4 per step), on the default
backend (run it under RETROGRAD_BACKEND=jax for JAX)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import retrograd as rg

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"


def _example():
    spec = importlib.util.spec_from_file_location("train_digits", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _copy(theirs, mine) -> None:
    state = {}
    for key, value in theirs.state_dict().items():
        dtype = rg.int64 if value.dtype == torch.int64 else rg.float32
        state[key] = rg.tensor(value.tolist(), dtype=dtype)
    mine.load_state_dict(state)


def _curves(build, steps: int, batch: int = 64):
    example = _example()
    x, y, _, _ = example.load_digits_split()
    torch.manual_seed(0)
    theirs = build(example, torch.nn)
    mine = build(example, rg.nn)
    _copy(theirs, mine)
    t_opt = torch.optim.Adam(theirs.parameters(), lr=3e-3)
    m_opt = rg.optim.Adam(mine.parameters(), lr=3e-3)
    order = np.random.default_rng(1).permutation(len(y))
    losses = []
    for step in range(steps):
        idx = order[(step * batch) % len(y) :][:batch]
        xb, yb = x[idx], y[idx]
        t_loss = torch.nn.functional.cross_entropy(theirs(torch.tensor(xb)), torch.tensor(yb))
        m_loss = rg.nn.functional.cross_entropy(mine(rg.tensor(xb.tolist())),
                                                rg.tensor(yb.tolist()))  # fmt: skip
        for opt, loss in ((t_opt, t_loss), (m_opt, m_loss)):
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses.append((m_loss.item(), t_loss.item()))
    return np.array(losses)


@pytest.mark.parametrize(
    "build,steps",
    [
        (lambda ex, nn: ex.build_mlp(nn), 23),  # one epoch
        (lambda ex, nn: ex.build_cnn(nn, dropout=0.0), 12),
    ],
    ids=["mlp", "cnn"],
)
def test_loss_curves_equal_pytorchs(build, steps):
    losses = _curves(build, steps)
    mine, theirs = losses[:, 0], losses[:, 1]
    assert theirs[-1] < 0.9 * theirs[0]  # it trains
    np.testing.assert_allclose(mine, theirs, rtol=1e-4)
