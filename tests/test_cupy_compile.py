"""retrograd.compile on CuPy: runs of elementwise calls replay as one generated
``cupy.ElementwiseKernel``. Needs an NVIDIA GPU: skipped elsewhere, with the reason
``retrograd.backends()`` gives (the fusion planner and the composed formulas are checked
on the CPU by tests/test_compile_fusion.py)."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as torch
from training_steps import mlp, mse_step

CUPY = {b.name: b for b in torch.backends()}.get("cupy")
pytestmark = pytest.mark.skipif(
    CUPY is None or not CUPY.usable,
    reason=f"no usable CuPy backend: {CUPY.reason if CUPY else 'not registered'}",
)


def _host(t):
    return t.detach().cpu().numpy()


def test_the_memory_bound_chain_runs_as_two_generated_kernels():
    with torch.use_backend("cupy"):
        torch.manual_seed(0)
        x = torch.randn(1 << 20, requires_grad=True)

        def step():
            x.grad = None
            loss = (torch.tanh(x * 2 + 1) * x).sum()
            loss.backward()
            return loss, x.grad

        eager = [_host(t) for t in step()]
        compiled = torch.compile(step)
        for _ in range(3):
            got = [_host(t) for t in compiled()]
            # CUDA may contract a multiply and an add into one rounding: ulps, not bits.
            np.testing.assert_allclose(got[0], eager[0], rtol=1e-5)
            np.testing.assert_array_max_ulp(got[1], eager[1], maxulp=8)
        counts = compiled.entries[0].kernel_counts
        assert counts == {"fused_elementwise": 2, "multiply": 1, "sum": 1}


def test_an_mlp_step_keeps_relu_semantics_when_fused():
    with torch.use_backend("cupy"):
        torch.manual_seed(1)
        w = torch.randn(64, 32, requires_grad=True)
        b = torch.randn(32, requires_grad=True)
        x = torch.randn(128, 64)
        x[0, :3] = torch.tensor([float("nan"), -0.0, 0.0])

        def step():
            w.grad = b.grad = None
            loss = torch.relu(x @ w + b).sum()
            loss.backward()
            return loss, w.grad, b.grad

        eager = [_host(t) for t in step()]
        compiled = torch.compile(step)
        compiled()
        got = [_host(t) for t in compiled()]
        for g, e in zip(got, eager):
            np.testing.assert_array_equal(np.isnan(g), np.isnan(e))
            np.testing.assert_allclose(g, e, rtol=1e-5, equal_nan=True)
        assert compiled.entries[0].kernel_counts.get("fused_elementwise", 0) >= 1


def _mlp_history(opt_cls, mode, steps=8):
    torch.manual_seed(2)
    model = mlp(64, 128, 10)
    opt = opt_cls(model.parameters(), lr=1e-2)
    x, y = torch.randn(32, 64), torch.randn(32, 10)
    step = mse_step(model, opt)
    run = torch.compile(step, mode=mode) if mode else step
    history = []
    for _ in range(steps):
        loss = run(x, y)
        history.append([_host(loss)] + [_host(p) for p in model.parameters()])
    return history


@pytest.mark.parametrize("opt_cls", [torch.optim.SGD, torch.optim.Adam], ids=["SGD", "Adam"])
def test_reduce_overhead_launches_each_replay_as_one_cuda_graph(opt_cls):
    from retrograd.compiler import counters, reset_counters

    with torch.use_backend("cupy"):
        eager = _mlp_history(opt_cls, None)
        reset_counters()
        graphed = _mlp_history(opt_cls, "reduce-overhead")
    for got, want in zip(graphed, eager, strict=True):
        for g, e in zip(got, want, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6)
    graphs = counters["device_graphs"]
    assert not [reason for reason in graphs if reason.startswith("off: ")], dict(graphs)
    # Every replay but the first (the warm-up, which runs the body) launched the graph.
    assert graphs["captured"] == 1
    assert graphs["launched"] == counters["stats"]["replays"] - 1 >= 4
