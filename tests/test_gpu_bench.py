"""The GPU benchmark's workloads and checks, run on the CPU: NumPy stands in for CuPy
(the hand-written steps use only functions both have), retrograd[numpy] and PyTorch CPU
for retrograd[cupy] and PyTorch CUDA. The three must agree, as on the GPU, and a
disagreeing row must stop the benchmark. No timing is asserted."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import retrograd
from retrograd import batching

# bench/ is not installed: it is imported from the checkout (as ``python -m bench`` does).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import gpu  # noqa: E402
from bench.gpu_workloads import WORKLOADS, matmul_setup, mlp_setup  # noqa: E402

torch = pytest.importorskip("torch")
SMALL = {
    "G1": lambda: {},
    "G2 4096": mlp_setup(48, 16),
    "G2 512": mlp_setup(32, 8),
    "G3": lambda: {"x": np.random.default_rng(5).standard_normal(1000, dtype=np.float32)},
    "W4 4096": matmul_setup(40),
}


@pytest.fixture
def impls():
    noop = lambda: None
    return [
        gpu.GpuImpl("torch cpu", torch, noop, True),
        gpu.GpuImpl("numpy for cupy", np, noop, False),
        gpu.GpuImpl("retrograd[numpy]", retrograd, noop, True),
        gpu.GpuImpl("retrograd[numpy] compiled", retrograd, noop, True, compiled=True),
        gpu.GpuImpl(
            "retrograd[numpy] graphed", retrograd, noop, True, compiled=True, mode="reduce-overhead"
        ),  # fmt: skip
    ]


@pytest.mark.parametrize("w", WORKLOADS, ids=lambda w: w.key)
def test_every_column_computes_the_same_results(w, impls):
    assert gpu.check(w, impls, SMALL[w.key]()) < w.tol


def test_a_wrong_column_stops_the_benchmark(impls):
    w = next(w for w in WORKLOADS if w.key == "G3")

    def wrong(impl, data):
        step = w.cupy(impl, data)
        return lambda: {k: v * 1.01 for k, v in step().items()}

    with pytest.raises(SystemExit, match="G3 out: numpy for cupy differs"):
        gpu.check(dataclasses.replace(w, cupy=wrong), impls, SMALL["G3"]())


def test_timing_gives_a_median_per_column(impls):
    w = dataclasses.replace(WORKLOADS[0], inner=1)
    times = gpu.time_rows(w, impls, {}, repeats=2)
    assert set(times) == {i.name for i in impls} and all(t > 0 for t in times.values())
    assert "G1" in "\n".join(gpu.table([(w, times, 0.0)], "torch cpu"))


@pytest.mark.parametrize("vmap_layer", [False, True], ids=["plain", "batching_installed"])
def test_kernel_calls_counts_a_step_and_restores_the_table(impls, vmap_layer):
    """Also while vmap's batching layer is over the backend's table, as it stays while a
    batched array of an earlier vmap call is still alive (CI once ran this test so, and
    the restore made the NumPy backend's kernels call themselves for every later test)."""
    w = next(w for w in WORKLOADS if w.key == "G3")
    rg = impls[2]
    backend = retrograd.get_backend()  # the default backend, where the step runs
    own = batching.own_table(backend.kernels)
    before = dict(own)
    installed_here = vmap_layer and type(backend.kernels) is not batching.BatchingKernels
    if installed_here:
        batching.install()
    try:
        kernels = backend.kernels
        assert (type(kernels) is batching.BatchingKernels) == vmap_layer or not installed_here
        kernels["multiply"], kernels["tanh"]  # kernels the layer has made, cached
        counts = gpu.kernel_calls(w.autograd(rg, SMALL["G3"]()), kernels)
        assert counts["tanh"] == 1 and counts["tanh_backward"] == 1 and counts["multiply"] >= 3
        assert dict(own) == before
        assert (retrograd.ones(2, backend=backend) * 2).tolist() == [2.0, 2.0]
        assert gpu.calls_line("G3", counts).startswith(f"G3: {sum(counts.values())} kernel-table")
    finally:
        if installed_here:
            batching.uninstall()


def test_a_failed_count_is_a_note_not_a_lost_table(impls):
    w = next(w for w in WORKLOADS if w.key == "G3")
    broken = gpu.GpuImpl("no get_backend", object(), lambda: None, True)
    line = gpu._counted(w, broken, SMALL["G3"]())
    assert line.startswith("G3: counting kernel-table calls failed: AttributeError")
    assert gpu.micro({"G1"}) == ""  # MICRO not asked for


def test_a_wrong_replay_stops_the_benchmark(impls):
    """The compiled column's replay is checked against the eager step's second call: a
    fusion whose multiply adds (a real plugin, the NumPy backend fusing) is caught."""
    from retrograd.compiler.fusion import ElementwiseFusion
    from retrograd.plugins import hookimpl, register, unregister
    from retrograd_backends import cupy_fused

    class WrongFusion:
        @hookimpl
        def retrograd_elementwise_fusion(self, backend):
            table = dict(cupy_fused.formula_table(), multiply=(("a", "b"), "a + b"))
            return ElementwiseFusion(table, self.build) if backend.name == "numpy" else None

        def build(self, params, body):
            return lambda *arrays: cupy_fused.evaluate_expression(params, body, np, arrays)

    w = next(w for w in WORKLOADS if w.key == "G3")
    plugin = WrongFusion()
    register(plugin)
    try:
        wrong_replay = pytest.raises(SystemExit, match="G3 .*compiled's replay differs from")
        with retrograd.use_backend("numpy"), wrong_replay:  # the backend the plugin fuses
            gpu.check(w, impls, SMALL["G3"]())
    finally:
        unregister(plugin)


def test_the_graphs_line_says_what_the_graphs_did():
    graphs = Counter({"captured": 1, "launched": 40, "plain": 2, "off: the capture failed (X)": 1})
    line = gpu.graphs_line("G2 512", graphs)
    assert line.startswith("G2 512 retrograd[cupy] graphed: 1 graphs captured, 40 launches")
    assert line.endswith("2 body calls; left plain: the capture failed (X) (1)")
