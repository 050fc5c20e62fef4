"""``scatter_reduce`` and ``index_reduce`` (``retrograd/ops/scatter_reductions.py``)
against PyTorch (the oracle): values, dtypes, gradients (first and second order),
``grad_fn`` names, ties at the extrema, zeros in products, nan, integer and bool inputs,
in-place forms, and errors' types and messages.

Each case is ``f(lib, *tensors)`` run by tests/torch_oracle.py's ``run_both`` with
``lib=retrograd`` and ``lib=torch`` on the same values (float inputs require grad).
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import retrograd
from torch_oracle import arr, assert_same_error, rand, run_both

torch = pytest.importorskip("torch")
BETA = pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")
NAN = math.nan
REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _ties(rows: int, cols: int, seed: int) -> np.ndarray:
    """Small whole numbers (many ties, some zeros) as float64."""
    return np.random.default_rng(seed).integers(-2, 3, size=(rows, cols)).astype("float64")


def _idx(m, values):
    return m.tensor(values, dtype=m.int64)


SCATTER_INDEX = [[0, 2, 0, 0], [1, 1, 3, 1], [3, 2, 2, 0]]
INDEX_VECTOR = [0, 2, 0, 3, 2]


@pytest.mark.parametrize("keep", [True, False], ids=["include_self", "exclude_self"])
@pytest.mark.parametrize("how", REDUCES)
@pytest.mark.parametrize("values", ["smooth", "ties"])
def test_scatter_reduce(how, keep, values):
    a, s = (
        (rand(3, 4), rand(3, 4, seed=1)) if values == "smooth" else (_ties(3, 4, 2), _ties(3, 4, 3))
    )

    def fn(m, a, s):
        return a.scatter_reduce(1, _idx(m, SCATTER_INDEX), s, how, include_self=keep)

    # PyTorch refuses the double backward of a product where two zeros meet
    run_both(fn, [a, s], second_order=values == "smooth" or how != "prod")


@BETA
@pytest.mark.parametrize("keep", [True, False], ids=["include_self", "exclude_self"])
@pytest.mark.parametrize("how", REDUCES[1:])
@pytest.mark.parametrize("values", ["smooth", "ties"])
def test_index_reduce(how, keep, values):
    a, s = (
        (rand(4, 3), rand(5, 3, seed=1)) if values == "smooth" else (_ties(4, 3, 4), _ties(5, 3, 5))
    )

    def fn(m, a, s):
        return m.index_reduce(a, 0, _idx(m, INDEX_VECTOR), s, how, include_self=keep)

    run_both(fn, [a, s], second_order=values == "smooth" or how != "prod")


@BETA
@pytest.mark.parametrize("how", REDUCES[1:])
def test_index_reduce_along_last_dim(how):
    def fn(m, a, s):
        return a.index_reduce(-1, _idx(m, [2, 0, 2]), s, how)

    run_both(fn, [rand(2, 3, 3), rand(2, 3, 3, seed=1)], second_order=True)


@pytest.mark.parametrize("how", REDUCES)
def test_scatter_reduce_single_and_double_zeros(how):
    # position 0 takes one zero, position 1 two zeros, position 2 none
    a, s = arr(2.0, 3.0, 0.0, 5.0), arr(0.0, 4.0, 0.0, 0.0, 1.5)
    run_both(lambda m, a, s: a.scatter_reduce(0, _idx(m, [0, 0, 1, 1, 2]), s, how), [a, s])


@pytest.mark.parametrize("how", REDUCES)
@pytest.mark.parametrize("keep", [True, False])
def test_scatter_reduce_nan_and_inf(how, keep):
    a, s = arr(NAN, 1.0, -math.inf, 2.0), arr(3.0, NAN, math.inf, -0.0, 0.0)
    fn = lambda m, a, s: a.scatter_reduce(0, _idx(m, [0, 1, 2, 3, 3]), s, how, include_self=keep)  # noqa: E731
    run_both(fn, [a, s])


@pytest.mark.parametrize("how", REDUCES)
@pytest.mark.parametrize("keep", [True, False])
@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_scatter_reduce_integers(how, keep, dtype):
    a = np.array([[5, -5, 3, 0], [7, -7, -2, 1]], dtype=dtype)
    s = np.array([[2, 3, -4, 1], [-1, 6, 2, 2]], dtype=dtype)
    index = [[0, 0, 2, 1], [3, 3, 3, 0]]
    run_both(lambda m, a, s: a.scatter_reduce(1, _idx(m, index), s, how, include_self=keep), [a, s])


@BETA
@pytest.mark.parametrize("how", REDUCES[1:])
def test_index_reduce_integers(how):
    a = np.array([[5, -5], [3, 0], [7, -7]], dtype="int64")
    s = np.array([[2, 3], [-4, 1], [-1, 6]], dtype="int64")
    run_both(lambda m, a, s: a.index_reduce(0, _idx(m, [2, 2, 0]), s, how), [a, s])


@pytest.mark.parametrize("how", ["sum", "prod", "amax", "amin"])
def test_scatter_reduce_bool(how):
    a, s = arr(True, False, False, dtype="bool"), arr(True, True, False, True, dtype="bool")
    run_both(lambda m, a, s: a.scatter_reduce(0, _idx(m, [0, 1, 1, 2]), s, how), [a, s])


@pytest.mark.parametrize("how", REDUCES)
def test_scatter_reduce_in_place(how):
    def fn(m, a, s):
        out = a * 1
        out.scatter_reduce_(0, _idx(m, [[1, 0], [1, 2]]), s, how, include_self=False)
        return out

    run_both(fn, [rand(3, 2), rand(2, 2, seed=1)], check_name=False)


@BETA
@pytest.mark.parametrize("how", REDUCES[1:])
def test_index_reduce_in_place(how):
    def fn(m, a, s):
        out = a * 1
        return out.index_reduce_(1, _idx(m, [1, 1, 0]), s, how)

    run_both(fn, [rand(2, 3), rand(2, 3, seed=1)], check_name=False)


def test_in_place_records_the_node_and_bumps_the_version():
    for m in (retrograd, torch):
        a = m.zeros(3, requires_grad=True) * 1
        before = a._version
        a.scatter_reduce_(0, m.tensor([0, 0]), m.tensor([1.0, 2.0]), "amax")
        assert a._version == before + 1
        assert type(a.grad_fn).__name__ == "ScatterReduceBackward0"


WARNINGS_SEEN = """
import sys, warnings
import {lib} as m
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(2):
        m.zeros(2).index_reduce(0, m.tensor([1]), m.ones(1), "amax")
print(sum("index_reduce() is in beta and the API may change" in str(w.message) for w in caught))
"""


def test_index_reduce_warns_once_per_process_as_pytorch():
    counts = [
        subprocess.run([sys.executable, "-c", WARNINGS_SEEN.format(lib=lib)],
                       capture_output=True, text=True, check=True).stdout.strip()
        for lib in ("retrograd", "torch")
    ]  # fmt: skip
    assert counts[0] == counts[1] == "1", counts


@BETA
@pytest.mark.parametrize(
    "case",
    [
        lambda m, a: a.scatter_reduce(0, m.tensor([0, 1]), a[:2], "foo"),
        lambda m, a: a.scatter_reduce(0, m.tensor([0.0, 1.0]), a[:2], "sum"),
        lambda m, a: a.scatter_reduce(0, m.tensor([0, 1]), a[:2].float(), "sum"),
        lambda m, a: a.scatter_reduce(0, m.tensor([0, 5]), a[:2], "prod"),
        lambda m, a: m.tensor([True]).scatter_reduce(0, m.tensor([0]), m.tensor([True]), "mean"),
        lambda m, a: a.index_reduce(0, m.tensor([0, 1]), a[:2], "foo"),
        lambda m, a: a.index_reduce(0, m.tensor([0, 1]), a[:2], "sum"),
        lambda m, a: a.index_reduce(0, m.tensor([0, 1]), a[:2].float(), "prod"),
        lambda m, a: a.index_reduce(0, m.tensor([0.0, 1.0]), a[:2], "prod"),
        lambda m, a: a.index_reduce(0, m.tensor([0, 7]), a[:2], "amax"),
        lambda m, a: a.index_reduce(0, m.tensor([0]), a[:2], "amax"),
        lambda m, a: a.index_reduce(0, m.tensor([[0, 1]]), a[:2], "amax"),
        lambda m, a: m.tensor([True]).index_reduce(0, m.tensor([0]), m.tensor([True]), "amax"),
    ],
    ids=[
        "scatter-bad-reduce", "scatter-float-index", "scatter-dtypes", "scatter-out-of-range",
        "scatter-bool-mean", "index-bad-reduce", "index-sum", "index-dtypes", "index-float-index",
        "index-out-of-range", "index-count", "index-2d", "index-bool",
    ],
)  # fmt: skip
def test_errors(case):
    assert_same_error(case, arr(1.0, 2.0, 3.0), whole=False)
