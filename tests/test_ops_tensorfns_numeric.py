"""``gradient``, ``histogram``/``histogramdd``, the functional ``fill`` and
``frombuffer`` against PyTorch (the oracle): values bit for bit where PyTorch's order of
rounding is followed (finite differences, bin edges), dtypes, gradients, ``grad_fn``
names, values on bin edges and outside the range, and errors' types and messages.
"""

from __future__ import annotations

import array
import math
import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same_error, rand, run_both

torch = pytest.importorskip("torch")
NAN = math.nan


def _lib_args(m, kw: dict) -> dict:
    """``kw`` with NumPy arrays made tensors of library ``m`` (lists too)."""

    def conv(v):
        if isinstance(v, np.ndarray):
            return m.tensor(v)
        if isinstance(v, list):
            return [conv(u) for u in v]
        return v

    return {k: conv(v) for k, v in kw.items()}


# NumPy rounds each operation as PyTorch's CPU kernels do, so there the values are
# PyTorch's bits; XLA (JAX) may fuse a multiply and an add or turn a division into a
# multiplication, one unit in the last place apart (a count is still exact).
EXACT = retrograd.tensor(0.0).backend.name == "numpy"


def _same_exactly(ours, theirs) -> None:
    """Same dtype, shape and bits (NaN where PyTorch has NaN); off NumPy, within a few
    units in float32's last place."""
    assert str(ours.dtype) == str(theirs.dtype)
    o, t = ours.detach().numpy(), theirs.detach().numpy()
    if EXACT:
        np.testing.assert_array_equal(o, t)
    else:
        # float32's: a float64 result may hold float32 steps (float32 samples, float64
        # coordinates), rounded one place apart there
        eps = np.finfo(np.float32).eps if o.dtype.kind == "f" else 0
        scale = float(np.nanmax(np.abs(t))) if t.size else 0.0
        np.testing.assert_allclose(o, t, rtol=4 * eps, atol=16 * eps * scale)


# -- gradient ------------------------------------------------------------------------------
COORDS = np.array([0.0, 1.0, 3.0, 3.5, 7.0, 8.0])
GRADIENT_CASES = {
    "default": {},
    "scalar": {"spacing": 2.5},
    "scalar-dim": {"spacing": 3, "dim": 0},
    "dim-negative": {"dim": -1},
    "scalars": "per-dim",
    "coordinates": "coords",
}


def _gradient_kw(kind, shape):
    if kind == "per-dim":
        return {"spacing": [0.5 * (i + 1) for i in range(len(shape))]}
    if kind == "coords":
        return {"spacing": [COORDS[:n] for n in shape]}
    return dict(kind)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("shape", [(5,), (4, 3), (3, 4, 5)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", GRADIENT_CASES, ids=str)
def test_gradient_values_are_torch_bits(case, dtype, shape, edge_order):
    x = (rand(*shape, seed=3) * 5).astype(dtype)
    kw = {**_gradient_kw(GRADIENT_CASES[case], shape), "edge_order": edge_order}
    theirs = torch.gradient(torch.tensor(x), **_lib_args(torch, kw))
    ours = retrograd.gradient(retrograd.tensor(x), **_lib_args(retrograd, kw))
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        _same_exactly(o, t)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("coordinates", [False, True], ids=["spacing", "coordinates"])
def test_gradient_backward_matches_torch(edge_order, coordinates):
    def f(m, a, c):
        spacing = [c, c[:3] * 2] if coordinates else [0.5, 2.0]
        gx, gy = m.gradient(a, spacing=spacing, edge_order=edge_order)
        return gx * 2 + gy

    run_both(f, [rand(4, 3), COORDS[:4]], second_order=True)


def test_gradient_with_dim_list_and_coordinate_gradient():
    # the coordinates get a gradient too (they require grad in both libraries)
    run_both(
        lambda m, a, c: m.gradient(a, spacing=[c], dim=[1], edge_order=2)[0],
        [rand(2, 5, seed=4), np.array([0.0, 0.5, 1.5, 2.0, 4.0])],
    )


def test_gradient_of_0d_is_empty():
    assert retrograd.gradient(retrograd.tensor(3.0)) == torch.gradient(torch.tensor(3.0))


GRADIENT_ERRORS = {
    "edge_order-3": lambda m, a: m.gradient(a, edge_order=3),
    "repeated-dim": lambda m, a: m.gradient(a, dim=(0, 0)),
    "spacing-too-long": lambda m, a: m.gradient(a, spacing=[1.0, 2.0, 3.0]),
    "spacing-vs-dim": lambda m, a: m.gradient(a, spacing=[1.0, 2.0], dim=0),
    "too-few-points": lambda m, a: m.gradient(a[:2], edge_order=2),
    "dim-out-of-range": lambda m, a: m.gradient(a, dim=2),
    "uint8": lambda m, a: m.gradient(a.to(m.uint8)),
    "0d-coordinates": lambda m, a: m.gradient(a, spacing=[m.tensor(1.0), m.tensor(2.0)]),
    "tensor-spacing": lambda m, a: m.gradient(a, spacing=m.tensor([1.0, 2.0, 4.0])),
    "mixed-spacing": lambda m, a: m.gradient(a, spacing=[m.tensor([1.0, 2.0, 4.0]), 2.0]),
}


@pytest.mark.parametrize("case", GRADIENT_ERRORS, ids=str)
def test_gradient_errors(case):
    assert_same_error(GRADIENT_ERRORS[case], np.ones((3, 3), dtype="float32"), whole=False)


# -- histogram ----------------------------------------------------------------------------
EDGY = np.array([0.0, 1, 2, 2.5, 3, 4, NAN, -1, 5], dtype="float32")  # on edges, outside, NaN
HISTOGRAM_CASES = {
    "on-edges": (EDGY, 4, {"range": (0.0, 4.0)}),
    "weighted-density": (EDGY, 3, {"range": (0.0, 4.0), "weight": "arange", "density": True}),
    "bin-tensor": (EDGY, np.array([0.0, 1, 3], dtype="float32"), {}),
    "repeated-edges": (EDGY, np.array([0.0, 1, 1, 3], dtype="float32"), {"weight": "arange"}),
    "decreasing-edges": (EDGY, np.array([3.0, 1, 0], dtype="float32"), {}),
    "empty": (np.zeros(0, dtype="float32"), 3, {}),
    "empty-range": (np.zeros(0, dtype="float32"), 3, {"range": (1.0, 2.0)}),
    "one-value": (np.array([2.0, 2.0], dtype="float32"), 3, {}),
    "inexact-edges": (np.array([0.1, 0.3, 0.7], dtype="float32"), 3, {"range": (0.1, 0.7)}),
    "inexact-edges-64": (np.array([0.1, 0.3, 0.7]), 3, {"range": (0.1, 0.7)}),
    "data-range-2d": (rand(7, 5, seed=1).astype("float32"), 6, {}),
    "quarters": ((np.round(rand(40, seed=2) * 8) / 4).astype("float32"), 11, {}),
    "quarters-64": (np.round(rand(40, seed=2) * 8) / 4, 7, {"density": True}),
}


def _hist_args(m, x, bins, kw):
    kw = dict(kw)
    if kw.get("weight") == "arange":
        kw["weight"] = m.arange(float(x.size), dtype=m.tensor(x).dtype)
    bins = m.tensor(bins) if isinstance(bins, np.ndarray) else bins
    return m.tensor(x), bins, kw


@pytest.mark.parametrize("case", HISTOGRAM_CASES, ids=str)
def test_histogram_matches_torch_bits(case):
    x, bins, kw = HISTOGRAM_CASES[case]
    theirs = torch.histogram(
        *_hist_args(torch, x, bins, kw)[:2], **_hist_args(torch, x, bins, kw)[2]
    )
    args = _hist_args(retrograd, x, bins, kw)
    ours = retrograd.histogram(*args[:2], **args[2])
    assert type(ours).__name__ == "histogram" and ours._fields == ("hist", "bin_edges")
    _same_exactly(ours.hist, theirs.hist)
    _same_exactly(ours.bin_edges, theirs.bin_edges)


def test_histogram_is_a_method_and_prints_as_torch():
    x = retrograd.tensor([1.0, 2.0, 1.0])
    ours, theirs = x.histogram(2), torch.tensor([1.0, 2.0, 1.0]).histogram(2)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("seed", range(4))
def test_histc_agrees_with_torch_on_edges(seed):
    x = (np.round(rand(30, seed=seed) * 8) / 4).astype("float32")
    bins = 3 + 4 * seed
    for low, high in ((0, 0), (-1.25, 1.5)):
        _same_exactly(
            retrograd.histc(retrograd.tensor(x), bins, low, high),
            torch.histc(torch.tensor(x), bins, low, high),
        )


HISTOGRAMDD_CASES = {
    "int-bins": (rand(20, 3, seed=5), 3, {}),
    "per-dim-density": (rand(20, 3, seed=6), [2, 3, 4], {"density": True}),
    "range-weight": (
        rand(20, 3, seed=7),
        [2, 3, 4],
        {"range": [-1.0, 1.0, 0.0, 1.0, -2.0, 2.0], "weight": "rows"},
    ),
    "edge-tensors-3d-input": (
        np.round(rand(4, 5, 3, seed=8) * 2) / 2,
        [np.array([-1.0, 0, 1]), np.array([-3.0, 3]), np.array([0.0, 0.5, 1, 2])],
        {},
    ),
    "no-points": (np.zeros((0, 2), dtype="float32"), [2, 3], {}),
}


@pytest.mark.parametrize("case", HISTOGRAMDD_CASES, ids=str)
def test_histogramdd_matches_torch_bits(case):
    x, bins, kw = HISTOGRAMDD_CASES[case]
    results = []
    for m in (torch, retrograd):
        args = dict(kw)
        if args.get("weight") == "rows":
            args["weight"] = m.tensor(rand(x.shape[0], seed=9, low=0.0))
        b = (
            [m.tensor(e) for e in bins]
            if isinstance(bins, list) and bins and isinstance(bins[0], np.ndarray)
            else bins
        )
        results.append(m.histogramdd(m.tensor(x), b, **args))
    theirs, ours = results
    assert type(ours).__name__ == "histogramdd"
    _same_exactly(ours.hist, theirs.hist)
    assert isinstance(ours.bin_edges, tuple) and len(ours.bin_edges) == len(theirs.bin_edges)
    for o, t in zip(ours.bin_edges, theirs.bin_edges):
        _same_exactly(o, t)


X = np.array([0.0, 1.0, NAN], dtype="float32")
HISTOGRAM_ERRORS = {
    "int-input": lambda m, a: m.histogram(a.long(), 3),
    "bins-dtype": lambda m, a: m.histogram(a, m.tensor([0.0, 1.0], dtype=m.float64)),
    "bins-2d": lambda m, a: m.histogram(a, m.tensor([[0.0, 1.0]])),
    "bins-empty": lambda m, a: m.histogram(a, m.tensor([], dtype=m.float32)),
    "bins-zero": lambda m, a: m.histogram(a, 0),
    "min-over-max": lambda m, a: m.histogram(a, 3, range=(1.0, 0.0)),
    "infinite-range": lambda m, a: m.histogram(a, 3, range=(0.0, math.inf)),
    "nan-data-range": lambda m, a: m.histogram(a, 3),
    "weight-shape": lambda m, a: m.histogram(a, 3, range=(0.0, 1.0), weight=m.ones(2)),
    "weight-dtype": lambda m, a: m.histogram(
        a, 3, range=(0.0, 1.0), weight=m.ones(3, dtype=m.float64)
    ),
    "dd-1d-input": lambda m, a: m.histogramdd(a, 2),
    "dd-bins-count": lambda m, a: m.histogramdd(m.ones(1, 3), [2, 2]),
    "dd-range-length": lambda m, a: m.histogramdd(a[:2].reshape(1, 2), [2, 2], range=[0.0, 1.0]),
    "dd-weight-shape": lambda m, a: m.histogramdd(a[:2].reshape(1, 2), 2, weight=m.ones(2)),
}


@pytest.mark.parametrize("case", HISTOGRAM_ERRORS, ids=str)
def test_histogram_errors(case):
    assert_same_error(HISTOGRAM_ERRORS[case], X, whole=False)


def test_histogram_has_no_gradient():
    x = retrograd.tensor([1.0, 2.0], requires_grad=True)
    hist, edges = retrograd.histogram(x, 2)
    assert hist.grad_fn is None and edges.grad_fn is None


# -- fill ---------------------------------------------------------------------------------
FILL_CASES = {
    "number": lambda m, a: m.fill(a, 2.5) * a,
    "tensor-value": lambda m, a, v: m.fill(a, v) * a,
    "int-input": lambda m, a: m.fill(a.long(), 2.5),
    "wider-value": lambda m, a, v: m.fill(a.float(), v),
}


@pytest.mark.parametrize("case", FILL_CASES, ids=str)
def test_fill_matches_torch(case):
    fn = FILL_CASES[case]
    values = [rand(3, 4)] + ([np.array(0.75)] if fn.__code__.co_argcount == 3 else [])
    run_both(fn, values, second_order=True)


def test_fill_is_not_a_method_and_leaves_input_alone():
    x = retrograd.tensor([1.0, 2.0])
    assert not hasattr(retrograd.Tensor, "fill") and not hasattr(torch.Tensor, "fill")
    assert retrograd.fill(x, 0.0).tolist() == [0.0, 0.0] and x.tolist() == [1.0, 2.0]


FILL_ERRORS = {
    "1d-value": lambda m, a: m.fill(a, m.tensor([1.0, 2.0])),
    "str-value": lambda m, a: m.fill(a, "a"),
    "list-input": lambda m, a: m.fill([1.0], 1),
}


@pytest.mark.parametrize("case", FILL_ERRORS, ids=str)
def test_fill_errors(case):
    assert_same_error(FILL_ERRORS[case], np.ones(3, dtype="float32"), whole=False)


# -- frombuffer ---------------------------------------------------------------------------
BUFFER_CASES = {
    "int16-offset-count": ({"dtype": "int16", "offset": 1, "count": 2}),
    "uint8": ({"dtype": "uint8"}),
    "float32": ({"dtype": "float32"}),
    "float64-grad": ({"dtype": "float64", "requires_grad": True}),
}


@pytest.mark.parametrize("case", BUFFER_CASES, ids=str)
def test_frombuffer_matches_torch(case):
    kw = dict(BUFFER_CASES[case])
    data = bytearray(range(1, 17))
    outs = []
    for m in (torch, retrograd):
        outs.append(m.frombuffer(bytearray(data), **{**kw, "dtype": getattr(m, kw["dtype"])}))
    theirs, ours = outs
    _same_exactly(ours, theirs)
    assert ours.requires_grad == theirs.requires_grad


def test_frombuffer_shares_memory_on_numpy():
    if retrograd.tensor(0.0).backend.name != "numpy":  # elsewhere: a copy (documented)
        pytest.skip("memory is shared on the NumPy backend only")
    buf = array.array("f", [1.0, 2.0, 3.0])
    t = retrograd.frombuffer(buf, dtype=retrograd.float32)
    t[0] = 5.0
    assert buf[0] == 5.0
    buf[2] = 7.0
    assert t.tolist() == [5.0, 2.0, 7.0]


def test_frombuffer_read_only_buffer_warns_as_torch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = retrograd.frombuffer(b"abcd", dtype=retrograd.uint8)
        torch.frombuffer(b"abcd", dtype=torch.uint8)
    messages = [str(w.message) for w in caught]
    assert len(messages) >= 2 and messages[1].startswith(messages[0][:100])
    assert ours.tolist() == [97, 98, 99, 100]


FROMBUFFER_ERRORS = {
    "not-multiple": ({"dtype": "int16"}, b"abcdefg"),
    "offset-too-big": ({"dtype": "int16", "offset": 8}, b"abcdefgh"),
    "offset-negative": ({"dtype": "int16", "offset": -1}, b"abcdefgh"),
    "count-too-big": ({"dtype": "int16", "count": 5}, b"abcdefgh"),
    "count-zero": ({"dtype": "int16", "count": 0}, b"abcdefgh"),
    "empty": ({"dtype": "int16"}, b""),
    "int-grad": ({"dtype": "int32", "requires_grad": True}, b"abcdefgh"),
    "no-buffer": ({"dtype": "int32"}, [1, 2]),
}


@pytest.mark.parametrize("case", FROMBUFFER_ERRORS, ids=str)
def test_frombuffer_errors(case):
    kw, data = FROMBUFFER_ERRORS[case]

    def f(m):
        buffer = bytearray(data) if isinstance(data, bytes) else data
        return m.frombuffer(buffer, **{**kw, "dtype": getattr(m, kw["dtype"])})

    assert_same_error(f)
