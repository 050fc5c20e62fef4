"""Sorting and selection against PyTorch: ``sort``, ``argsort``, ``msort``, ``topk``,
``kthvalue``, ``median``, ``nanmedian``, ``mode``, ``quantile``, ``nanquantile``,
``unique``, ``unique_consecutive``.

Values, indices, ``grad_fn`` names, gradients and second order, at ties, NaN, +-inf and
-0.0, on empty and 0-d tensors, for integer and bool dtypes, and PyTorch's errors. Where
PyTorch leaves the index of a tie open (``topk``, ``kthvalue``, ``median``, ``mode`` of
long rows) the values are compared and the indices must point at equal values; where it
is fixed (the stable sort, the first NaN of a median) they are compared exactly.
Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import (
    arr,
    assert_same,
    assert_same_error,
    grad_fn_name,
    host,
    make,
    rand,
    run_both,
)

torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")
# Ties, NaNs, infinities and both zeros, in one row (and a second row shuffled).
SPECIAL_ROW = [3.0, 1.0, NAN, 1.0, -0.0, 0.0, 2.0, -INF, INF, -0.0, NAN, 1.0]
SPECIAL = np.array([SPECIAL_ROW, SPECIAL_ROW[::-1]])
TIES = np.array([[2.0, 1.0, 2.0, 2.0, 3.0, 1.0], [5.0, 5.0, 5.0, 0.0, 0.0, 5.0]])


def both(fn, *values, requires_grad=None):
    """``fn`` on tensors of each library made from ``values``: (ours, theirs)."""
    ours = fn(retrograd, *(make(retrograd, v, requires_grad) for v in values))
    theirs = fn(torch, *(make(torch, v, requires_grad) for v in values))
    return ours, theirs


def assert_same_signs(ours, theirs):
    """The same sign bits (-0.0 is not 0.0), NaNs aside."""
    o, t = host(ours).astype(np.float64), host(theirs).astype(np.float64)
    keep = ~np.isnan(t)
    assert (np.signbit(o)[keep] == np.signbit(t)[keep]).all(), (o, t)


def assert_same_pair(ours, theirs, exact_indices=True):
    """Values (and their grad_fn) the same; the indices the same, or (where PyTorch leaves
    a tie open) pointing at elements equal to the values."""
    assert type(ours).__name__ == type(theirs).__name__
    assert_same(ours.values, theirs.values)
    assert grad_fn_name(ours.values) == grad_fn_name(theirs.values)
    assert str(ours.indices.dtype) == "torch.int64"
    if exact_indices:
        assert host(ours.indices).tolist() == host(theirs.indices).tolist()
    else:
        assert tuple(ours.indices.shape) == tuple(theirs.indices.shape)


def assert_indices_select(input, result, dim):
    """``result.indices`` point at elements of ``input`` equal to ``result.values``."""
    a = input if isinstance(input, np.ndarray) else host(input)
    values, indices = host(result.values), host(result.indices)
    if a.ndim == 0:
        assert indices.tolist() == 0
        return
    if values.ndim < a.ndim:  # keepdim=False
        values, indices = np.expand_dims(values, dim), np.expand_dims(indices, dim)
    picked = np.take_along_axis(a, indices, dim)
    same = (picked == values) | (np.isnan(picked) & np.isnan(values))
    assert same.all(), (picked, values)


# -- sort, argsort, msort -----------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("stable", ["absent", True, False])
def test_sort_special_values_indices_and_signs(dim, descending, stable):
    kw = {} if stable == "absent" else {"stable": stable}
    ours, theirs = both(lambda m, x: m.sort(x, dim=dim, descending=descending, **kw), SPECIAL)
    assert_same_pair(ours, theirs)  # PyTorch's CPU sort is stable either way
    assert_same_signs(ours.values, theirs.values)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_dtypes(dtype, descending):
    values = np.random.default_rng(3).integers(0, 4, size=(3, 7)).astype(dtype)
    ours, theirs = both(lambda m, x: m.sort(x, descending=descending), values, requires_grad=False)
    assert_same_pair(ours, theirs)
    assert not ours.values.requires_grad


@pytest.mark.parametrize("descending", [False, True])
def test_argsort_and_msort(descending):
    ours, theirs = both(lambda m, x: m.argsort(x, 0, descending), SPECIAL.T.copy())
    assert host(ours).tolist() == host(theirs).tolist()
    ours, theirs = both(lambda m, x: m.argsort(x, dim=1, stable=True, descending=descending), TIES)
    assert host(ours).tolist() == host(theirs).tolist()
    run_both(lambda m, x: m.msort(x), [SPECIAL.T.copy()])
    run_both(lambda m, x: x.msort(), [rand(4, 3)])


@pytest.mark.parametrize("shape", [(), (0,), (2, 0), (0, 3), (1,)])
def test_sort_empty_and_zero_dim(shape):
    values = rand(*shape)
    for dim in (0, -1):
        ours, theirs = both(lambda m, x, dim=dim: m.sort(x, dim), values)
        assert_same_pair(ours, theirs)
    run_both(lambda m, x: m.sort(x, 0, True).values, [values])


@pytest.mark.parametrize("descending", [False, True])
def test_sort_gradients_and_second_order(descending):
    run_both(lambda m, x: m.sort(x, 1, descending).values, [rand(3, 5)], second_order=True)
    run_both(
        lambda m, x: x.sort(dim=0, descending=descending, stable=True)[0],
        [rand(4, 2)],
        second_order=True,
    )


def _double_backward(fn, values):
    """The gradient of ``fn``'s input gradient w.r.t. the upstream gradient (the rule's
    own derivative), in both libraries."""
    out = []
    for m in (retrograd, torch):
        x = make(m, values)
        y = fn(m, x)
        g = make(m, np.random.default_rng(7).standard_normal(tuple(y.shape)), True)
        (gx,) = m.autograd.grad(y, x, g, create_graph=True)
        w = make(m, np.random.default_rng(8).standard_normal(tuple(x.shape)), False)
        out.append(m.autograd.grad((gx * w).sum(), g)[0])
    assert_same(*out, "second derivative")


@pytest.mark.parametrize(
    "name",
    ["sort", "topk", "kthvalue", "median_dim", "nanmedian_dim", "mode", "median", "quantile"],
)
def test_double_backward(name):
    fn = {
        "sort": lambda m, x: m.sort(x, 0).values,
        "topk": lambda m, x: m.topk(x, 2, 1).values,
        "kthvalue": lambda m, x: m.kthvalue(x, 2, 1).values,
        "median_dim": lambda m, x: m.median(x, 0).values,
        "nanmedian_dim": lambda m, x: m.nanmedian(x, 1, True).values,
        "mode": lambda m, x: m.mode(x, 1).values,
        "median": lambda m, x: m.median(x),
        "quantile": lambda m, x: m.quantile(x, 0.3, dim=1),
    }[name]
    _double_backward(fn, rand(3, 4))


# -- topk ---------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 3, 5])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, 1])
def test_topk_values_indices_gradients(k, largest, dim):
    values = rand(5, 5, seed=k)
    ours, theirs = both(lambda m, x: m.topk(x, k, dim, largest), values)
    assert_same_pair(ours, theirs)  # distinct values: the indices are determined
    run_both(lambda m, x: x.topk(k, dim, largest).values, [values], second_order=True)


@pytest.mark.parametrize("largest", [True, False])
def test_topk_ties_nan_and_unsorted(largest):
    for values in (TIES, SPECIAL):
        for k in (1, 3, 6):
            ours, theirs = both(lambda m, x, k=k: m.topk(x, k, largest=largest), values)
            assert_same_pair(ours, theirs, exact_indices=False)
            assert_indices_select(values, ours, 1)
    ours, theirs = both(lambda m, x: m.topk(x, 4, sorted=False), rand(3, 6))
    assert_same(ours.values.sort().values, theirs.values.sort().values)


def test_topk_integers_and_zero_dim():
    ints = np.array([[3, 1, 3, 7], [0, 0, 2, 2]])
    ours, theirs = both(lambda m, x: m.topk(x, 2), ints)
    assert_same_pair(ours, theirs, exact_indices=False)
    assert_indices_select(ints, ours, 1)
    for k in (0, 1):
        ours, theirs = both(lambda m, x, k=k: m.topk(x, k), np.array(2.5))
        assert_same_pair(ours, theirs)


# -- kthvalue, median, nanmedian, mode ----------------------------------------------------


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_order_statistics_on_distinct_values(keepdim, dim):
    values = rand(5, 4, seed=2)
    for fn in (
        lambda m, x: m.kthvalue(x, 2, dim, keepdim),
        lambda m, x: x.kthvalue(4, dim=dim, keepdim=keepdim),
        lambda m, x: m.median(x, dim, keepdim),
        lambda m, x: x.nanmedian(dim, keepdim=keepdim),
        lambda m, x: m.mode(x, dim, keepdim),
    ):
        ours, theirs = both(fn, values)
        assert_same_pair(ours, theirs)
        run_both(lambda m, x, fn=fn: fn(m, x).values, [values], second_order=True)


@pytest.mark.parametrize("dim", [0, 1])
def test_order_statistics_at_ties_and_nan(dim):
    for values in (TIES, SPECIAL):
        n = values.shape[dim]
        for fn in (
            lambda m, x: m.kthvalue(x, 1, dim),
            lambda m, x, n=n: m.kthvalue(x, n, dim),
            lambda m, x, n=n: m.kthvalue(x, max(n // 2, 1), dim, True),
            lambda m, x: m.median(x, dim),
            lambda m, x: m.nanmedian(x, dim),
            # mode at NaN is not compared: PyTorch's kernel sorts with ``<``, which NaN
            # leaves unordered ([nan, 0] gives nan; ours counts NaN as the largest value)
            *([lambda m, x: m.mode(x, dim)] if values is TIES else []),
        ):
            ours, theirs = both(fn, values)
            assert_same_pair(ours, theirs, exact_indices=False)
            assert_same_signs(ours.values, theirs.values)
            assert_indices_select(values, ours, dim)


def test_median_of_a_row_with_nan_is_its_first_nan():
    values = np.array([[NAN, 1.0, NAN], [3.0, 1.0, 2.0], [2.0, NAN, NAN]])
    for fn in (lambda m, x: m.median(x, 1), lambda m, x: m.nanmedian(x, 1)):
        ours, theirs = both(fn, values)
        assert_same_pair(ours, theirs)
    all_nan = np.array([[NAN, 1.0, 2.0], [NAN, NAN, NAN]])
    assert_same_pair(*both(lambda m, x: m.nanmedian(x, 1), all_nan))


def test_mode_of_short_rows_takes_the_last_occurrence():
    values = np.array(
        [[1.0, 2.0, 2.0, 1.0, 3.0], [1.0, 2.0, 2.0, 2.0, 3.0], [4.0, 4.0, 4.0, 4.0, 4.0]]
    )
    assert_same_pair(*both(lambda m, x: m.mode(x), values))
    assert_same_pair(*both(lambda m, x: m.mode(x, 0), values.T.copy()))
    ints = np.array([3, 1, 3])
    assert_same_pair(*both(lambda m, x: m.mode(x), ints))


def test_mode_of_long_rows_compares_values():
    values = np.array([5.0, 5.0, 1.0, 1.0] * 10)
    ours, theirs = both(lambda m, x: m.mode(x), values)
    assert_same_pair(ours, theirs, exact_indices=False)
    assert_indices_select(values, ours, 0)


@pytest.mark.parametrize("values", [TIES, SPECIAL, rand(3, 4), np.array([1.0, 2.0, 2.0, 5.0])])
def test_whole_median_values_and_even_gradients(values):
    run_both(lambda m, x: m.median(x), [values])
    run_both(lambda m, x: x.nanmedian(), [values])


@pytest.mark.parametrize("fn_name", ["median", "nanmedian"])
def test_median_integers_empty_and_zero_dim(fn_name):
    def fn(m, x, *args):
        return getattr(m, fn_name)(x, *args)

    run_both(fn, [np.array([3, 1, 2, 4])])
    run_both(fn, [np.array([], dtype=np.float32)])
    run_both(fn, [np.array(2.5)])
    assert_same_pair(*both(lambda m, x: fn(m, x, 0), np.array(2.5)))
    assert_same_pair(*both(lambda m, x: fn(m, x, 0, True), np.array([[3, 1], [2, 2]])))


def test_order_statistics_zero_dim_and_bool_mode():
    for fn in (lambda m, x: m.kthvalue(x, 1), lambda m, x: m.mode(x, 0, True)):
        assert_same_pair(*both(fn, np.array(3.0)))
    assert_same_pair(*both(lambda m, x: m.mode(x), np.array([True, False, True])))


# -- quantile, nanquantile ----------------------------------------------------------------

INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize(
    "dim, keepdim", [(None, False), (None, True), (0, False), (1, True), (-1, False)]
)
def test_quantile_values_and_gradients(interpolation, name, dim, keepdim):
    def fn(m, x, q):
        return getattr(m, name)(x, q, dim, keepdim, interpolation=interpolation)

    # q = 0.5 on 3 rows: ranks at .5 exactly (nearest rounds half to even)
    q = np.array([0.0, 0.25, 0.5, 1 / 3, 1.0])
    run_both(fn, [rand(3, 5), q], check_name=False)
    run_both(lambda m, x: getattr(m, name)(x, 0.3, dim, keepdim, interpolation=interpolation),
             [rand(3, 5)], check_name=False, second_order=True)  # fmt: skip
    run_both(fn, [rand(3, 5), np.array(0.5)], check_name=False)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_nan_rows(name):
    values = np.array([[1.0, NAN, 3.0, 2.0], [NAN, NAN, NAN, NAN], [4.0, 1.0, 0.0, 2.0]])
    for dim in (None, 1):
        run_both(lambda m, x, dim=dim: getattr(m, name)(x, 0.4, dim), [values], check_name=False)
        run_both(
            lambda m, x, q, dim=dim: getattr(m, name)(x, q, dim),
            [values, arr(0.1, 0.9)],
            check_name=False,
        )
    run_both(lambda m, x: getattr(m, name)(x, 0.5, 0, True), [np.array(2.0)], check_name=False)


# -- unique, unique_consecutive -----------------------------------------------------------

UNIQUE_INPUTS = [
    np.array([3, 1, 1, 2, 3, 3, 0]),
    np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0], [-0.0, 2.0], [-0.0, 0.0]]),
    np.array([NAN, 1.0, NAN, -0.0, 0.0, 1.0]),
    np.array([True, False, True]),
    np.array(3.0),
    np.array([], dtype=np.float64),
    np.array([[2, 1, 2], [1, 5, 1], [2, 0, 2]]),
]


def _same_outputs(ours, theirs):
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_same(o, t)
    assert grad_fn_name(ours[0]) == grad_fn_name(theirs[0])


@pytest.mark.parametrize("index", range(len(UNIQUE_INPUTS)))
@pytest.mark.parametrize(
    "inverse, counts", [(False, False), (True, False), (False, True), (True, True)]
)
def test_unique_and_unique_consecutive(index, inverse, counts):
    values = UNIQUE_INPUTS[index]
    # PyTorch's unique along a dim orders NaN rows its own way (NaN compares unordered)
    dims = [None] if np.isnan(values).any() else [None, *range(values.ndim)]
    for dim in dims:
        kw = {"return_inverse": inverse, "return_counts": counts, "dim": dim}
        _same_outputs(*both(lambda m, x, kw=kw: m.unique(x, **kw), values))
        _same_outputs(*both(lambda m, x, kw=kw: x.unique(sorted=False, **kw), values))
        _same_outputs(*both(lambda m, x, kw=kw: m.unique_consecutive(x, **kw), values))


def test_unique_has_no_derivative():
    for fn in (
        lambda m, x: m.unique(x),
        lambda m, x: m.unique(x, dim=0),
        lambda m, x: x.unique_consecutive(),
    ):
        with pytest.raises(NotImplementedError) as theirs:
            fn(torch, make(torch, rand(2, 3))).sum().backward()
        with pytest.raises(NotImplementedError, match=str(theirs.value)):
            fn(retrograd, make(retrograd, rand(2, 3))).sum().backward()


# -- printing and errors ------------------------------------------------------------------


def test_results_print_as_pytorchs():
    for fn in (
        lambda m, x: m.sort(x),
        lambda m, x: m.topk(x, 2),
        lambda m, x: m.kthvalue(x, 1),
        lambda m, x: m.median(x, 0),
        lambda m, x: m.nanmedian(x, -1),
        lambda m, x: m.mode(x),
    ):
        ours, theirs = both(fn, arr(3.0, 1.0, 2.0, 1.0, dtype="float32"))
        assert repr(ours) == repr(theirs)


X = rand(2, 3)
ERRORS = {
    "sort-dim": (lambda m, x: m.sort(x, 2), X),
    "sort-dim-negative": (lambda m, x: m.sort(x, -3), X),
    "argsort-dim": (lambda m, x: m.argsort(x, 5), X),
    "topk-k-large": (lambda m, x: m.topk(x, 4), X),
    "topk-k-negative": (lambda m, x: m.topk(x, -1), X),
    "topk-k-float": (lambda m, x: m.topk(x, 1.5), X),
    "topk-dim": (lambda m, x: m.topk(x, 1, dim=3), X),
    "topk-bool": (lambda m, x: m.topk(x, 1), np.array([True, False])),
    "kthvalue-zero": (lambda m, x: m.kthvalue(x, 0), X),
    "kthvalue-large": (lambda m, x: m.kthvalue(x, 4), X),
    "kthvalue-dim0": (lambda m, x: m.kthvalue(x, 3, 0), X),
    "kthvalue-dim": (lambda m, x: m.kthvalue(x, 1, 5), X),
    "kthvalue-bool": (lambda m, x: m.kthvalue(x, 1), np.array([True, False])),
    "median-bool": (lambda m, x: m.median(x), np.array([True, False])),
    "nanmedian-bool": (lambda m, x: m.nanmedian(x, 0), np.array([True, False])),
    "median-empty-dim": (lambda m, x: m.median(x, 0), np.zeros((0,))),
    "nanmedian-empty-dim": (lambda m, x: m.nanmedian(x, 1), np.zeros((2, 0))),
    "mode-empty": (lambda m, x: m.mode(x), np.zeros((0,))),
    "mode-dim": (lambda m, x: m.mode(x, 2), X),
    "quantile-q": (lambda m, x: m.quantile(x, 1.5), X),
    "nanquantile-q": (lambda m, x: m.nanquantile(x, -0.5), X),
    "quantile-q-values": (lambda m, x: m.quantile(x, m.tensor([1.5, 0.2], dtype=m.float64)), X),
    "quantile-q-2d": (lambda m, x: m.quantile(x, m.tensor([[0.5]], dtype=m.float64)), X),
    "quantile-q-dtype": (lambda m, x: m.quantile(x, m.tensor(0.5)), X),
    "quantile-int": (lambda m, x: m.quantile(x, 0.5), np.array([1, 2])),
    "quantile-empty": (lambda m, x: m.quantile(x, 0.5), np.zeros((0,))),
    "quantile-interpolation": (lambda m, x: m.quantile(x, 0.5, interpolation="foo"), X),
    "quantile-dim": (lambda m, x: m.quantile(x, 0.5, dim=2), X),
    "unique-dim": (lambda m, x: m.unique(x, dim=2), X),
    "unique-zero-sized": (lambda m, x: m.unique(x, dim=0), np.zeros((2, 0))),
    "unique-consecutive-dim": (lambda m, x: m.unique_consecutive(x, dim=-3), X),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    fn, value = ERRORS[name]
    assert_same_error(fn, value)


# -- vmap ---------------------------------------------------------------------------------

VMAP_CASES = {
    "sort": lambda m, t: m.sort(t, 0, True).values,
    "sort-indices": lambda m, t: m.sort(t, -1).indices,
    "argsort": lambda m, t: m.argsort(t, 1),
    "topk": lambda m, t: m.topk(t, 2).values,
    "topk-indices": lambda m, t: m.topk(t, 3, 0, largest=False).indices,
    "kthvalue": lambda m, t: m.kthvalue(t, 2, 1).values,
    "median-dim": lambda m, t: m.median(t, 0).indices,
    "median": lambda m, t: m.median(t),
    "nanmedian": lambda m, t: m.nanmedian(t, 1, True).values,
    "mode": lambda m, t: m.mode(t.round(decimals=1)).values,
    "quantile": lambda m, t: m.quantile(t, 0.3, dim=1),
}


@pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch's fallback for quantile
@pytest.mark.parametrize("name", list(VMAP_CASES))
def test_vmap_against_torch_vmap(name):
    fn, x = VMAP_CASES[name], rand(3, 4, 5, seed=11)
    ours = retrograd.vmap(lambda t: fn(retrograd, t))(make(retrograd, x, False))
    theirs = torch.vmap(lambda t: fn(torch, t))(make(torch, x, False))
    assert_same(ours, theirs)
    if ours.dtype.is_floating_point and name != "mode":  # (round has no gradient)
        per_sample = [
            m.vmap(m.func.grad(lambda t, m=m: fn(m, t).sum()))(make(m, x, False))
            for m in (retrograd, torch)
        ]
        assert_same(*per_sample, "per-sample gradient")
