"""The GPU micro-benchmark's rows, run on the CPU: the retrograd column through the NumPy
backend's kernel table, PyTorch CPU for PyTorch CUDA (the CuPy column needs a GPU). Each
row's calls compute the same values in both; the table has a row per case. No timing is
asserted."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import retrograd

# bench/ is not installed: it is imported from the checkout (as ``python -m bench`` does).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import gpu_micro  # noqa: E402

torch = pytest.importorskip("torch")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return {n: rng.standard_normal(1001, dtype=np.float32) for n in ("x", "y", "g", "r")}


@pytest.mark.parametrize("case", gpu_micro.CASES, ids=lambda c: c.label)
def test_each_row_computes_the_same_in_retrograd_and_pytorch(case, data):
    kernels = retrograd.get_backend("numpy").kernels
    ours = np.asarray(case.retrograd(kernels, data)())
    tdata = {n: torch.from_numpy(a) for n, a in data.items()}
    theirs = case.torch(torch, tdata)().numpy()
    assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_the_table_has_a_row_per_case(data):
    kernels = retrograd.get_backend("numpy").kernels
    tdata = {n: torch.from_numpy(a) for n, a in data.items()}
    noop = lambda: None
    columns = {
        gpu_micro.RG: (noop, {c.label: c.retrograd(kernels, data) for c in gpu_micro.CASES}),
        gpu_micro.TORCH: (noop, {c.label: c.torch(torch, tdata) for c in gpu_micro.CASES}),
    }
    lines = gpu_micro.rows(columns, lambda c: c.label == "x * 2", 1001, repeats=2, inner=2)
    assert len(lines) == 2 + len(gpu_micro.CASES)
    assert lines[0].count("|") == lines[1].count("|") == lines[2].count("|") == 6
    assert lines[2].startswith("| x * 2 |") and lines[2].endswith("| yes |")
    assert lines[3].endswith("| no |")
