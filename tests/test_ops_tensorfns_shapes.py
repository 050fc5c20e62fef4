"""``meshgrid``, ``combinations``, ``unravel_index``, ``split_with_sizes``, the unsafe
splits, ``adjoint``/``mH``/``H``, ``nbytes``/``itemsize``, ``put``/``put_`` and the
in-place ``cumsum_``/``cumprod_``/``addmm_`` against PyTorch (the oracle): values,
gradients (first and second order), ``grad_fn`` names and graphs, views, warnings, and
errors' types and messages.

Each case is ``f(lib, *tensors)`` run by tests/torch_oracle.py's ``run_both`` with
``lib=retrograd`` and ``lib=torch`` on the same values (float inputs require grad).
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import retrograd
from torch_oracle import arr, assert_same, assert_same_error, graph_names, make, rand, run_both

torch = pytest.importorskip("torch")
V, W, X = rand(3), rand(2, seed=1), rand(3, 4, seed=2)


def _joined(m, outs):
    """Several outputs as one tensor (each scaled differently, so gradients differ)."""
    return m.cat([o.reshape(-1) * (i + 1) for i, o in enumerate(outs)])


CASES = {
    "meshgrid-ij": (lambda m, a, b: _joined(m, m.meshgrid(a, b, indexing="ij")), [V, W]),
    "meshgrid-xy": (lambda m, a, b: _joined(m, m.meshgrid([a, b, a], indexing="xy")), [V, W]),
    "meshgrid-one-xy": (lambda m, a: m.meshgrid(a, indexing="xy")[0] * 1, [V]),
    "meshgrid-0d": (
        lambda m, a, b: _joined(m, m.meshgrid(a, b, indexing="xy")),
        [V, arr(2.0).reshape(())],
    ),  # fmt: skip
    "meshgrid-int": (
        lambda m: _joined(m, m.meshgrid(m.arange(3), m.arange(2), indexing="xy")),
        [],
    ),  # fmt: skip
    "combinations": (lambda m, a: m.combinations(a), [rand(4)]),
    "combinations-3": (lambda m, a: m.combinations(a, 3), [rand(5)]),
    "combinations-replacement": (lambda m, a: m.combinations(a, 2, with_replacement=True), [V]),
    "combinations-1": (lambda m, a: m.combinations(a, 1), [V]),
    "combinations-too-many": (lambda m, a: m.combinations(a, 4), [V]),
    "combinations-int": (lambda m: m.combinations(m.tensor([3, 1, 2]), 2, True), []),
    "split_with_sizes": (lambda m, a: _joined(m, a.split_with_sizes([1, 3], 1)), [X]),
    "split_with_sizes-fn": (lambda m, a: _joined(m, m.split_with_sizes(a, [2, 0, 1])), [X]),
    "unsafe_split": (lambda m, a: _joined(m, a.unsafe_split(3, 1)), [X]),
    "unsafe_split-fn": (lambda m, a: _joined(m, m.unsafe_split(a, 2, 0)), [X]),
    "unsafe_split_with_sizes": (
        lambda m, a: _joined(m, a.unsafe_split_with_sizes([3, 1], 1)),
        [X],
    ),  # fmt: skip
    "unsafe_chunk": (lambda m, a: _joined(m, m.unsafe_chunk(a, 3, 1)), [X]),
    "unsafe_chunk-method": (lambda m, a: _joined(m, a.unsafe_chunk(2)), [X]),
    "adjoint": (lambda m, a: m.adjoint(a) * 1, [rand(2, 3, 4)]),
    "adjoint-method": (lambda m, a: a.adjoint(), [X]),
    "mH": (lambda m, a: a.mH, [rand(2, 3, 4)]),
    "H": (lambda m, a: a.H, [X]),
    "put": (lambda m, a, s: m.put(a, m.tensor([-1, 0, 5]), s), [X, rand(3, seed=4)]),
    "put-method-repeats-accumulate": (
        lambda m, a, s: a.put(m.tensor([[1, 1], [-12, 7]]), s, accumulate=True),
        [X, rand(2, 2, seed=4)],
    ),
    "put-int": (lambda m: m.arange(6).put(m.tensor([0, 5]), m.tensor([9, 8])), []),
    "cumsum_": (lambda m, a: (a * 1).cumsum_(1), [X]),
    "cumsum_-dtype": (lambda m, a: (a * 1).cumsum_(0, dtype=m.float64), [X]),
    "cumprod_": (lambda m, a: (a * 1).cumprod_(0), [X]),
    "cumsum_-int": (lambda m: m.tensor([1, 2, 3]).cumsum_(0), []),
    "addmm_": (
        lambda m, s, a, b: (s * 1).addmm_(a, b, beta=0.5, alpha=2),
        [X, rand(3, 2), rand(2, 4)],
    ),  # fmt: skip
}


@pytest.mark.parametrize("name", CASES)
def test_against_pytorch(name):
    fn, values = CASES[name]
    run_both(fn, values, second_order=True)


@pytest.mark.parametrize("name", ["combinations-3", "meshgrid-xy", "put", "addmm_"])
def test_whole_graph(name):
    fn, values = CASES[name]
    ours = fn(retrograd, *(make(retrograd, v) for v in values))
    theirs = fn(torch, *(make(torch, v) for v in values))
    assert graph_names(ours) == graph_names(theirs)


def test_meshgrid_outputs_are_views_of_their_inputs():
    for m in (retrograd, torch):
        v, w = m.zeros(3), m.zeros(2)
        grid = m.meshgrid(v, w, indexing="ij")
        assert grid[0]._base is v and grid[1]._base is w, m


def test_unsafe_split_outputs_are_not_views():
    for m in (retrograd, torch):
        x = m.zeros(3, 4)
        assert all(p._base is None for p in x.unsafe_split(2, 1)), m
        assert all(p._base is x for p in x.split(2, 1)), m


@pytest.mark.parametrize(
    "indices, shape",
    [
        ([5, 7, 0], (3, 4)),
        ([12, -1, -13], (3, 4)),
        ([[1, 23], [4, 5]], (2, 3, 4)),
        (7, (4,)),
        (3, 5),
    ],
)
def test_unravel_index(indices, shape):
    ours = retrograd.unravel_index(retrograd.tensor(indices), shape)
    theirs = torch.unravel_index(torch.tensor(indices), shape)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)


def test_nbytes_and_itemsize():
    for dtype in ("float32", "float64", "int16", "bool", "int64"):
        for make_one in (
            lambda m, d: m.zeros(3, 4, dtype=getattr(m, d)),
            lambda m, d: m.zeros(1, dtype=getattr(m, d)).expand(10),
        ):
            ours, theirs = make_one(retrograd, dtype), make_one(torch, dtype)
            assert (ours.nbytes, ours.itemsize) == (theirs.nbytes, theirs.itemsize), dtype


def test_put_in_place_bumps_the_version_and_records_put():
    for m in (retrograd, torch):
        x = m.zeros(3, requires_grad=True) * 1
        before = x._version
        assert x.put_(m.tensor([2]), m.tensor([1.0])) is x
        assert x._version == before + 1 and type(x.grad_fn).__name__ == "PutBackward0"


def test_put_last_write_wins_on_repeats():
    run_both(lambda m, a, s: a.put(m.tensor([1, 1, 1]), s), [X, rand(3, seed=4)])


WARNINGS_SEEN = """
import warnings
import {lib} as m
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(2):
        m.meshgrid(m.zeros(2), m.zeros(3))
    m.tensor(1.0).H
    m.tensor(1.0).adjoint()
print(sorted(str(w.message).split(" (Triggered internally")[0] for w in caught))
"""


def test_warnings_as_pytorch():
    """meshgrid without ``indexing`` (once per process), ``H``/``adjoint`` of a 0-d."""
    seen = [
        subprocess.run([sys.executable, "-c", WARNINGS_SEEN.format(lib=lib)],
                       capture_output=True, text=True, check=True).stdout
        for lib in ("retrograd", "torch")
    ]  # fmt: skip
    assert seen[0] == seen[1], seen


ERRORS = {
    "meshgrid-indexing": lambda m, a: m.meshgrid(a, a, indexing="foo"),
    "meshgrid-empty": lambda m, a: m.meshgrid([], indexing="ij"),
    "meshgrid-dtypes": lambda m, a: m.meshgrid(a, a.float(), indexing="ij"),
    "combinations-2d": lambda m, a: m.combinations(a.reshape(1, 3)),
    "combinations-negative": lambda m, a: m.combinations(a, -1),
    "unravel-float": lambda m, a: m.unravel_index(a, (3,)),
    "unravel-negative-shape": lambda m, a: m.unravel_index(m.tensor([1]), (3, -4)),
    "split_with_sizes-sum": lambda m, a: a.split_with_sizes([1, 1]),
    "split_with_sizes-int": lambda m, a: a.split_with_sizes(2),
    "unsafe_split-zero": lambda m, a: a.unsafe_split(0),
    "unsafe_chunk-zero": lambda m, a: a.unsafe_chunk(0),
    "unsafe_split_with_sizes-sum": lambda m, a: a.unsafe_split_with_sizes([1, 1]),
    "adjoint-1d": lambda m, a: m.adjoint(a),
    "mH-1d": lambda m, a: a.mH,
    "H-1d": lambda m, a: a.H,
    "H-3d": lambda m, a: a.reshape(1, 1, 3).H,
    "put-float-index": lambda m, a: a.put(m.tensor([0.0]), a[:1]),
    "put-int32-index": lambda m, a: a.put(m.tensor([0], dtype=m.int32), a[:1]),
    "put-count": lambda m, a: a.put(m.tensor([0, 1]), a[:1]),
    "put-dtypes": lambda m, a: a.put(m.tensor([0]), a[:1].float()),
    "put-out-of-range": lambda m, a: a.put(m.tensor([3]), a[:1]),
    "put-out-of-range-negative": lambda m, a: (a * 1).put_(m.tensor([-4]), a[:1] * 1),
    "unsafe_split-list": lambda m, a: m.unsafe_split(a, [1, 2]),
}


MATRIX_IN_MESHGRID = "^torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "


def test_meshgrid_of_a_matrix():
    """PyTorch's message goes on with the tensor's values, printed its C++ way."""
    for m in (retrograd, torch):
        with pytest.raises(RuntimeError, match=MATRIX_IN_MESHGRID):
            m.meshgrid(m.zeros(1, 3), indexing="ij")


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    assert_same_error(ERRORS[name], arr(1.0, 2.0, 3.0), whole=False)


def test_meshgrid_needs_no_numpy_grid():
    """The grid is an expand: no copy of the data (strides 0 along the new axes)."""
    grid = retrograd.meshgrid(retrograd.arange(3.0), retrograd.zeros(2), indexing="ij")
    theirs = torch.meshgrid(torch.arange(3.0), torch.zeros(2), indexing="ij")
    assert grid[0].stride() == theirs[0].stride()


FILL_DIAGONAL = {
    "square": ((3, 3), False),
    "wide": ((3, 5), False),
    "tall": ((7, 3), False),
    "tall-wrap": ((7, 3), True),
    "tall-by-one-wrap": ((4, 3), True),
    "cube": ((2, 2, 2), False),
}


@pytest.mark.parametrize("name", FILL_DIAGONAL)
def test_fill_diagonal_(name):
    shape, wrap = FILL_DIAGONAL[name]
    run_both(
        lambda m, a: (a * 1).fill_diagonal_(-2.5, wrap=wrap), [rand(*shape)], second_order=True
    )  # noqa: E501


def test_fill_diagonal_of_a_transposed_matrix_and_integers():
    run_both(lambda m, a: (a * 1).t().fill_diagonal_(7.0), [rand(3, 4)], check_name=False)
    run_both(lambda m: m.zeros(3, 3, dtype=m.int64).fill_diagonal_(4), [])


@pytest.mark.parametrize(
    "case",
    [
        lambda m, a: a.fill_diagonal_(1.0),
        lambda m, a: m.zeros(2, 3, 2).fill_diagonal_(1.0),
        lambda m, a: m.zeros(2, 2, requires_grad=True).fill_diagonal_(1.0),
    ],
    ids=["1d", "unequal", "leaf"],
)
def test_fill_diagonal_errors(case):
    assert_same_error(case, arr(1.0, 2.0, 3.0), whole=False)


RENORM = {
    "p2-dim0": (2, 0, 1.0),
    "p1-dim1": (1, 1, 0.5),
    "p3.5": (3.5, 0, 2.0),
    "inf": (math.inf, 1, 1.0),
    "negative-dim-none-scaled": (2, -1, 100.0),
    "maxnorm-zero": (2, 0, 0.0),
}


@pytest.mark.parametrize("name", RENORM)
def test_renorm(name):
    p, dim, maxnorm = RENORM[name]
    run_both(lambda m, a: m.renorm(a, p, dim, maxnorm), [rand(3, 4, high=3.0)], second_order=True)


def test_renorm_method_in_place_and_3d():
    run_both(lambda m, a: a.renorm(2, 1, 1.5), [rand(2, 3, 4)], second_order=True)
    run_both(lambda m, a: (a * 1).renorm_(2, 0, 1.0), [rand(3, 4)], check_name=False)
    run_both(lambda m, a: a.renorm(2, 0, 1.0), [rand(3, 4).astype("float32")])


@pytest.mark.parametrize(
    "case",
    [
        lambda m, a: a.renorm(-1, 0, 1.0),
        lambda m, a: a.renorm(0, 0, 1.0),
        lambda m, a: a.reshape(1, 3).renorm(2, 0, -1.0),
        lambda m, a: a.reshape(1, 3).renorm(2, 3, 1.0),
        lambda m, a: a.renorm(2, 0, 1.0),
        lambda m, a: a.long().reshape(1, 3).renorm(2, 0, 1.0),
    ],
    ids=["negative-p", "zero-p", "negative-maxnorm", "dim", "1d", "integers"],
)
def test_renorm_errors(case):
    assert_same_error(case, arr(1.0, 2.0, 3.0), whole=False)


@pytest.mark.parametrize(
    "kwargs", [{}, {"offset": 1}, {"offset": -2, "dim1": 0, "dim2": 2}, {"dim1": 2, "dim2": 1}]
)
def test_linalg_diagonal(kwargs):
    run_both(lambda m, a: m.linalg.diagonal(a, **kwargs), [rand(2, 3, 4)], second_order=True)


def test_linalg_diagonal_is_a_view_and_errors():
    for m in (retrograd, torch):
        a = m.zeros(3, 3)
        assert m.linalg.diagonal(a)._base is a
    assert_same_error(lambda m, a: m.linalg.diagonal(a), arr(1.0, 2.0))
    assert_same_error(lambda m, a: m.linalg.diagonal(a.reshape(1, 2), 1), arr(1.0, 2.0))
