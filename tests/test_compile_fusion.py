"""retrograd.compile's elementwise fusion, checked on the CPU.

The CuPy backend offers its kernels' formulas through the ``retrograd_elementwise_fusion``
hook and builds a ``cupy.ElementwiseKernel`` per composed expression. Here a plugin offers
the very same formula table for the NumPy backend and "builds" each composed expression
as its NumPy evaluation (``cupy_fused.evaluate_expression``, the function that checks the
formulas against PyTorch): the planner, the composition and the rewritten replay run for
real, and since NumPy evaluates each composed formula in the same order as the unfused
kernels, the fused replay must give eager's results bit for bit. The CUDA compile itself
is checked on a GPU (``tests/test_cupy_compile.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as torch
from retrograd.compiler.fusion import ElementwiseFusion
from retrograd.plugins import hookimpl, register, unregister
from retrograd_backends import cupy_fused


class NumpyFusion:
    """The NumPy backend fuses, each built kernel a NumPy evaluation (the expressions
    it was asked to build are kept, in order)."""

    def __init__(self) -> None:
        self.built: list[str] = []

    @hookimpl
    def retrograd_elementwise_fusion(self, backend):
        if backend.name != "numpy":
            return None
        return ElementwiseFusion(cupy_fused.formula_table(), self.build)

    def build(self, params, expression):
        self.built.append(expression)
        return lambda *arrays: cupy_fused.evaluate_expression(params, expression, np, arrays)


@pytest.fixture
def fusing():
    plugin = NumpyFusion()
    with torch.use_backend("numpy"):
        register(plugin)
        try:
            yield plugin
        finally:
            unregister(plugin)
            torch.compiler.reset_counters()


def _bits(t):
    return t.detach().numpy().tobytes()


def _check(step, *args, fused_calls=None):
    """Eager's bits, then the compiled step's on a capture and two replays; returns the
    cache entry."""
    eager = [_bits(t) for t in step(*args)]
    compiled = torch.compile(step)
    for _ in range(3):
        assert [_bits(t) for t in compiled(*args)] == eager
    entry = compiled.entries[0]
    if fused_calls is not None:
        assert entry.kernel_counts.get("fused_elementwise", 0) == fused_calls
    return entry


def test_the_memory_bound_chain_fuses_forward_and_backward(fusing):
    torch.manual_seed(0)
    x = torch.randn(1000, requires_grad=True)

    def step():
        x.grad = None
        loss = (torch.tanh(x * 2 + 1) * x).sum()
        loss.backward()
        return loss, x.grad

    entry = _check(step, fused_calls=2)
    # Unfused: multiply 5, add 2, tanh, tanh_backward, sum (test_nothing_fuses_...).
    # Forward: x * 2 + 1 and tanh in one kernel (tanh's result is read again by the
    # backward: materialised), then * x and the sum; backward: both products with the
    # seed (p0, a 0-d buffer), tanh_backward, * 2 and the accumulation in one kernel.
    assert entry.kernel_counts == {"fused_elementwise": 2, "multiply": 1, "sum": 1}
    backward = "T t0 = p0 * p1; T t1 = p0 * p2; T t2 = t1 * (1 - p1 * p1); T t3 = t2 * T(2);"
    assert fusing.built == [
        "T t0 = p0 * T(2); T t1 = t0 + T(1); y = tanh(t1);",
        backward + " y = t0 + t3;",
    ]


def test_an_mlp_step_fuses_bias_relu_and_relu_backward(fusing):
    torch.manual_seed(1)
    start = [torch.randn(8, 16), torch.randn(16), torch.randn(16, 4)]
    params = [p.clone().requires_grad_() for p in start]
    x = torch.randn(32, 8)

    def step():
        w1, b1, w2 = params
        for p in params:
            p.grad = None
        h = torch.relu(x @ w1 + b1)
        loss = torch.tanh(h @ w2).mean()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.1 * p.grad
        return loss, *params

    def three_steps(fn):
        with torch.no_grad():
            for p, s in zip(params, start):
                p.copy_(s)
        return [[_bits(t) for t in fn()] for _ in range(3)]

    eager = three_steps(step)
    compiled = torch.compile(step)
    assert three_steps(compiled) == eager  # the updates write into the same parameters
    assert compiled.entries[0].kernel_counts["fused_elementwise"] == 2
    # relu reads its input twice: the sum is computed once, into a temporary.
    assert fusing.built == ["T t0 = p0 + p1; y = rg_where(t0 < 0, T(0), t0);",
                            "T t0 = p0 / T(128); y = t0 * (1 - p1 * p1);"]  # fmt: skip


def test_a_value_read_twice_or_returned_is_not_inlined(fusing):
    def step(x):
        a = x * 3  # read twice: materialised once, not computed twice
        b = a + 1
        c = a - 1
        d = x.exp() + 2  # d returned: computed by a fused kernel, not inlined again
        return b * c, d, d.log() * 2

    x = torch.rand(5) + 0.5
    _check(step, x, fused_calls=3)
    assert fusing.built == ["T t0 = exp(p0); y = t0 + T(2);",
                            "T t0 = p0 + T(1); T t1 = p0 - T(1); y = t0 * t1;",
                            "T t0 = log(p0); y = t0 * T(2);"]  # fmt: skip


def test_no_computation_moves_past_a_write(fusing):
    def step(x, y):
        a = y * 2
        with torch.no_grad():
            y.add_(1)  # a write between the producer and its reader
        return (a + y).exp()

    x, y = torch.ones(4), torch.arange(4.0)
    eager = step(x, y.clone())
    compiled = torch.compile(step)
    for _ in range(2):
        assert compiled(x, y.clone()).tolist() == eager.tolist()
    assert fusing.built == ["T t0 = p0 + p1; y = exp(t0);"]  # the multiply stays before


def test_broadcasts_dtypes_and_literals_limit_what_fuses(fusing):
    def step(x, row, half, n):
        a = (x * row).exp()  # row broadcasts: a leaf, the run still fuses
        s = (x * 2).sum(dim=1, keepdim=True).tanh()  # shapes differ: not inlined
        h = (half * 2).exp()  # float16: not fused (the CUDA kernels take float32/64)
        i = (n * 2) + 1  # integers: not fused
        inf = (x * float("inf")).exp()  # inf has no literal in the language
        return a, s, h, i, inf

    x, row = torch.rand(3, 4), torch.rand(4)
    half, n = torch.rand(3, dtype=torch.float16), torch.arange(3)
    _check(step, x, row, half, n, fused_calls=1)
    assert fusing.built == ["T t0 = p0 * p1; y = exp(t0);"]


def test_a_broken_formula_would_be_caught():
    """The check is real: a formula table whose multiply adds gives other bits."""
    table = dict(cupy_fused.formula_table(), multiply=(("a", "b"), "a + b"))

    class Wrong(NumpyFusion):
        @hookimpl
        def retrograd_elementwise_fusion(self, backend):
            return ElementwiseFusion(table, self.build) if backend.name == "numpy" else None

    plugin = Wrong()
    with torch.use_backend("numpy"):
        register(plugin)
        try:
            with pytest.raises(AssertionError):
                _check(lambda x: ((x * 3).exp(),), torch.ones(3))
        finally:
            unregister(plugin)


def test_the_cuda_arguments_of_a_composed_expression():
    args = cupy_fused.expression_arguments(("p0", "p1"), "(p0) * (p1)", "retrograd_fused_x")
    assert args.in_params == "T p0, T p1" and args.out_params == "T y"
    assert args.operation == "y = (p0) * (p1)" and "rg_where" in args.preamble


def test_nothing_fuses_without_a_plugin():
    torch.manual_seed(0)
    x = torch.randn(1000, requires_grad=True, backend="numpy")

    def step():
        x.grad = None
        loss = (torch.tanh(x * 2 + 1) * x).sum()
        loss.backward()
        return loss, x.grad

    with torch.use_backend("numpy"):
        report = torch.compile.explain(step)
    counts = {"multiply": 5, "add": 2, "tanh": 1, "sum": 1, "tanh_backward": 1}
    assert report.kernel_counts == counts


def test_the_cupy_backend_offers_its_formulas(monkeypatch):
    """The CuPy plugin's hook, called as pluggy would for each backend (building a kernel
    needs CuPy and a GPU: tests/test_cupy_compile.py)."""
    from types import SimpleNamespace

    from retrograd_backends import cupy_backend

    cupy = SimpleNamespace(name="cupy")
    fusion = cupy_backend.retrograd_elementwise_fusion(cupy)
    assert fusion.formulas == cupy_fused.formula_table()
    assert fusion.formulas["tanh_backward"] == (("g", "r"), "g * (1 - r * r)")
    assert cupy_backend.retrograd_elementwise_fusion(torch.get_backend("numpy")) is None
    monkeypatch.setenv("RETROGRAD_CUPY_FUSION", "0")
    assert cupy_backend.retrograd_elementwise_fusion(cupy) is None
