"""``searchsorted``, ``bucketize``, ``histc``, ``tril_indices``/``triu_indices``,
``cdist``, ``vander`` and the trapezoidal rules against PyTorch (the oracle): values,
dtypes, gradients, ``grad_fn`` names (the whole graph of the composed ops), and errors'
types and messages.

Each case is ``f(lib, *tensors)`` run by tests/torch_oracle.py's ``run_both`` with
``lib=retrograd`` and ``lib=torch`` on the same values (float inputs require grad).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import retrograd
from torch_oracle import arr, graph_names, rand, run_both

torch = pytest.importorskip("torch")
SILENT = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")
NAN, INF = math.nan, math.inf


SORTED = arr(1.0, 2.0, 2.0, 3.0, NAN)
ROWS = np.sort(rand(2, 5, seed=1), axis=-1)
VALUES = arr([2.0, NAN, 0.0, 5.0, 1.5, 3.0, -INF, INF])
INTS = arr(1, 3, 3, 7, dtype="int64")


def _const(m, values, dtype="float64"):
    return m.tensor(values, dtype=getattr(m, dtype))


# (fn, values[, second_order])
CASES = {
    # searchsorted: left and right, NaN in the sequence and in the values, N-d, sorter
    "searchsorted": (lambda m, s, v: m.searchsorted(s, v), [SORTED, VALUES]),
    "searchsorted-right": (lambda m, s, v: m.searchsorted(s, v, right=True), [SORTED, VALUES]),
    "searchsorted-side": (lambda m, s, v: m.searchsorted(s, v, side="right"), [SORTED, VALUES]),
    "searchsorted-side-left": (
        lambda m, s, v: m.searchsorted(s, v, side="left", right=False),
        [SORTED, VALUES],
    ),
    "searchsorted-nan-inside": (
        lambda m, s, v: m.searchsorted(s, v),
        [arr(1.0, 2.0, NAN, 3.0), arr(1.5, 2.5, 3.5, NAN)],
    ),
    "searchsorted-nd": (
        lambda m, s, v: m.searchsorted(s, v, right=True),
        [ROWS, rand(2, 7, seed=2)],
    ),
    "searchsorted-1d-nd-values": (lambda m, s, v: m.searchsorted(s, v), [SORTED, rand(2, 3, 4)]),
    "searchsorted-int32": (
        lambda m, s, v: m.searchsorted(s, v, out_int32=True),
        [SORTED, VALUES],
    ),
    "searchsorted-ints": (
        lambda m, s, v: m.searchsorted(s, v),
        [INTS, arr(0, 3, 4, 9, dtype="int64")],
    ),
    "searchsorted-mixed": (lambda m, s, v: m.searchsorted(s, v), [INTS, arr(2.5, 3.0, 8.0)]),
    "searchsorted-sorter": (
        lambda m, s, v, k: m.searchsorted(s, v, sorter=k),
        [rand(9, seed=4), rand(6, seed=5), np.argsort(rand(9, seed=4))],
    ),
    "searchsorted-sorter-nd": (
        lambda m, s, v, k: m.searchsorted(s, v, sorter=k, right=True),
        [rand(3, 6, seed=4), rand(3, 2, seed=5), np.argsort(rand(3, 6, seed=4), axis=-1)],
    ),
    "searchsorted-scalar": (lambda m, s: m.searchsorted(s, 2.0), [SORTED]),
    "searchsorted-int-scalar": (lambda m, s: m.searchsorted(s, 2, right=True), [INTS]),
    "searchsorted-0d-values": (
        lambda m, s, v: m.searchsorted(s, v),
        [SORTED, arr(2.5)[0:1].reshape(())],
    ),
    "searchsorted-empty-seq": (lambda m, s, v: m.searchsorted(s, v), [arr(), arr(1.0, 2.0)]),
    "searchsorted-empty-values": (lambda m, s, v: m.searchsorted(s, v), [SORTED, arr()]),
    "searchsorted-one": (lambda m, s, v: m.searchsorted(s, v), [arr(1.0), VALUES]),
    "searchsorted-float32": (
        lambda m, s, v: m.searchsorted(s, v),
        [np.sort(rand(33, dtype="float32")), rand(10, seed=3, dtype="float32")],
    ),
    # errors
    "searchsorted-side-bad": (lambda m, s, v: m.searchsorted(s, v, side="up"), [SORTED, VALUES]),
    "searchsorted-side-conflict": (
        lambda m, s, v: m.searchsorted(s, v, side="left", right=True),
        [SORTED, VALUES],
    ),
    "searchsorted-dims": (lambda m, s, v: m.searchsorted(s, v), [ROWS, rand(3, 1)]),
    "searchsorted-dims-rank": (lambda m, s, v: m.searchsorted(s, v), [ROWS, rand(2)]),
    "searchsorted-0d-seq": (
        lambda m, s, v: m.searchsorted(s, v),
        [arr(3.0)[0:1].reshape(()), VALUES],
    ),
    "searchsorted-scalar-nd": (lambda m, s: m.searchsorted(s, 2.0), [ROWS]),
    "searchsorted-sorter-dtype": (
        lambda m, s, v: m.searchsorted(s, v, sorter=s * 0),
        [SORTED, VALUES],
    ),
    "searchsorted-sorter-size": (
        lambda m, s, v: m.searchsorted(s, v, sorter=m.tensor([0, 1])),
        [SORTED, VALUES],
    ),
    "searchsorted-sorter-range": (
        lambda m, s, v: m.searchsorted(s, v, sorter=m.tensor([1, 2, 0, 3, 5])),
        [SORTED, VALUES],
    ),
    "searchsorted-bool": (
        lambda m, s, v: m.searchsorted(s, v),
        [arr(False, True, dtype="bool"), arr(True, dtype="bool")],
    ),
    # bucketize
    "bucketize": (lambda m, v, b: m.bucketize(v, b), [VALUES, SORTED[:4]]),
    "bucketize-right-int32": (
        lambda m, v, b: m.bucketize(v, b, right=True, out_int32=True),
        [rand(2, 3), np.sort(rand(4, seed=1))],
    ),
    "bucketize-scalar": (lambda m, b: m.bucketize(2.0, b), [SORTED[:4]]),
    "bucketize-2d": (lambda m, v, b: m.bucketize(v, b), [VALUES, ROWS]),
    "bucketize-0d": (lambda m, v, b: m.bucketize(v, b), [VALUES, arr(1.0)[0:1].reshape(())]),
    # histc: no gradient (the result does not require grad)
    "histc": (lambda m, a: m.histc(a, bins=4, min=-1, max=1), [rand(50)]),
    "histc-method": (lambda m, a: a.histc(7), [rand(3, 20, seed=3)]),
    "histc-edges": (
        lambda m, a: m.histc(a, bins=4, min=0, max=3),
        [arr(0.0, 0.75, 1.5, 3.0, -0.1, 3.1, NAN, 2.25, 1.4999)],
    ),
    "histc-constant": (lambda m, a: m.histc(a, bins=4), [arr(2.0, 2.0)]),
    "histc-empty": (lambda m, a: m.histc(a, bins=3), [arr()]),
    "histc-float32": (lambda m, a: m.histc(a, bins=5), [rand(40, dtype="float32")]),
    "histc-int": (lambda m, a: m.histc(a, bins=4), [INTS]),
    "histc-bins": (lambda m, a: m.histc(a, bins=0), [rand(5)]),
    "histc-range": (lambda m, a: m.histc(a, bins=4, min=3, max=1), [rand(5)]),
    "histc-nan": (lambda m, a: m.histc(a, bins=4), [arr(NAN, 1.0)]),
    "histc-inf": (lambda m, a: m.histc(a, bins=4), [arr(INF, 1.0)]),
    # cdist: every p, batches, both paths, ties (p = inf) and zero distances
    **{
        f"cdist-p{p}": (lambda m, a, b, p=p: m.cdist(a, b, p), [rand(3, 4), rand(5, 4, seed=1)])
        for p in (0, 0.5, 1, 1.5, 2, 3, INF)
    },
    "cdist-zero-distance": (
        lambda m, a, b: m.cdist(a, b),
        [arr([1.0, 2.0], [0.0, 0.0]), arr([1.0, 2.0], [3.0, 0.0])],
    ),
    "cdist-zero-distance-p3": (
        lambda m, a, b: m.cdist(a, b, 3),
        [arr([1.0, 2.0], [0.0, 0.0]), arr([1.0, 2.0], [3.0, 0.0])],
    ),
    "cdist-inf-ties": (
        lambda m, a, b: m.cdist(a, b, INF),
        [arr([1.0, -2.0, 2.0]), arr([0.0, 0.0, 0.0], [3.0, 0.0, 1.0])],
    ),
    "cdist-batch": (lambda m, a, b: m.cdist(a, b, 1), [rand(2, 1, 3, 4), rand(3, 5, 4, seed=1)]),
    "cdist-mm": (
        lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        [rand(3, 4), rand(5, 4, seed=1)],
        True,
    ),
    "cdist-mm-batch": (
        lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        [rand(2, 3, 4), rand(2, 5, 4, seed=1)],
    ),
    "cdist-large": (lambda m, a, b: m.cdist(a, b), [rand(30, 3), rand(4, 3, seed=1)]),
    "cdist-large-p1": (lambda m, a, b: m.cdist(a, b, 1), [rand(30, 3), rand(4, 3, seed=1)]),
    "cdist-never-mm": (
        lambda m, a, b: m.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist"),
        [rand(30, 3), rand(4, 3, seed=1)],
    ),
    "cdist-float32": (
        lambda m, a, b: m.cdist(a, b),
        [rand(3, 4, dtype="float32"), rand(2, 4, dtype="float32")],
    ),
    "cdist-empty": (lambda m, a, b: m.cdist(a, b), [rand(0, 4), rand(2, 4)]),
    "cdist-negative-p": (lambda m, a, b: m.cdist(a, b, -1), [rand(3, 4), rand(2, 4)]),
    "cdist-mode": (lambda m, a, b: m.cdist(a, b, compute_mode="fast"), [rand(3, 4), rand(2, 4)]),
    "cdist-columns": (lambda m, a, b: m.cdist(a, b), [rand(3, 4), rand(2, 3)]),
    "cdist-1d": (lambda m, a, b: m.cdist(a, b), [rand(4), rand(2, 4)]),
    "cdist-int": (lambda m, a, b: m.cdist(a, b), [INTS.reshape(2, 2), INTS.reshape(2, 2)]),
    "cdist-dtypes": (lambda m, a, b: m.cdist(a, b), [rand(3, 4), rand(2, 4, dtype="float32")]),
    "cdist-batch-mismatch": (lambda m, a, b: m.cdist(a, b), [rand(2, 3, 4), rand(3, 5, 4)]),
    # vander (its gradient: test_vander_backward_raises_as_pytorchs)
    "vander": (lambda m, x: m.vander(x.detach()), [rand(4)]),
    "vander-N": (lambda m, x: m.vander(x.detach(), N=6, increasing=True), [rand(3)]),
    "vander-zero": (lambda m, x: m.vander(x.detach(), 3), [arr(0.0, 2.0, -1.0)]),
    "vander-N1": (lambda m, x: m.vander(x, 1), [rand(3)]),
    "vander-N0": (lambda m, x: m.vander(x, N=0), [rand(3)]),
    "vander-int32": (lambda m, x: m.vander(x, 4), [arr(1, 2, 3, dtype="int32")]),
    "vander-bool": (lambda m, x: m.vander(x), [arr(True, False, dtype="bool")]),
    "vander-negative": (lambda m, x: m.vander(x, N=-1), [rand(3)]),
    "vander-2d": (lambda m, x: m.vander(x), [rand(2, 2)]),
    # the trapezoidal rules
    "trapezoid": (lambda m, y: m.trapezoid(y), [rand(3, 5)], True),
    "trapezoid-dx": (lambda m, y: m.trapezoid(y, dx=0.5, dim=0), [rand(3, 5)], True),
    "trapezoid-x": (lambda m, y, x: m.trapezoid(y, x), [rand(3, 5), rand(5, seed=1)], True),
    "trapezoid-x-nd": (lambda m, y, x: m.trapezoid(y, x, dim=0), [rand(3, 5), rand(3, 5, seed=1)]),
    "trapezoid-x-padded": (
        lambda m, y, x: m.trapezoid(y, x, dim=1),
        [rand(2, 3, 5), rand(3, 5, seed=1)],
    ),
    "trapezoid-int": (lambda m, y: m.trapezoid(y, dx=2), [INTS]),
    "trapezoid-int-x": (lambda m, y, x: m.trapezoid(y, x), [INTS, INTS]),
    "trapezoid-empty": (lambda m, y: m.trapezoid(y), [rand(3, 0)]),
    "trapezoid-one": (lambda m, y: m.trapezoid(y), [rand(3, 1)]),
    "trapezoid-0d": (lambda m, y: m.trapezoid(y), [arr(3.0)[0:1].reshape(())]),
    "trapezoid-bool": (lambda m, y: m.trapezoid(y), [arr(True, False, dtype="bool")]),
    "trapezoid-x-count": (lambda m, y, x: m.trapezoid(y, x), [rand(3, 4), rand(3)]),
    "trapezoid-x-number": (lambda m, y: m.trapezoid(y, 2), [rand(3, 4)]),
    "trapezoid-x-and-dx": (lambda m, y, x: m.trapezoid(y, x, dx=1), [rand(3, 4), rand(4)]),
    "trapezoid-dim": (lambda m, y: m.trapezoid(y, dim=2), [rand(3, 4)]),
    "trapz-x": (lambda m, y, x: m.trapz(y, x), [rand(3, 5), rand(5, seed=1)], True),
    "trapz-dx": (lambda m, y: m.trapz(y, dx=2.5), [rand(3, 5)], True),
    "cumulative_trapezoid": (lambda m, y: m.cumulative_trapezoid(y), [rand(3, 5)], True),
    "cumulative_trapezoid-dx": (
        lambda m, y: m.cumulative_trapezoid(y, dx=0.5, dim=0),
        [rand(3, 5)],
        True,
    ),
    "cumulative_trapezoid-x": (
        lambda m, y, x: m.cumulative_trapezoid(y, x),
        [rand(3, 5), rand(5, seed=1)],
        True,
    ),
    "cumulative_trapezoid-int": (lambda m, y: m.cumulative_trapezoid(y), [INTS]),
    "cumulative_trapezoid-empty": (lambda m, y: m.cumulative_trapezoid(y), [rand(3, 0)]),
    "cumulative_trapezoid-x-count": (
        lambda m, y, x: m.cumulative_trapezoid(y, x),
        [rand(3, 4), rand(3)],
    ),
}


@SILENT
@pytest.mark.parametrize("key", list(CASES))
def test_against_pytorch(key):
    fn, values, *rest = CASES[key]
    run_both(fn, values, second_order=bool(rest and rest[0]))


# -- errors: PyTorch's types, and its message as the start of ours ----------------------
ERRORS = {
    **{
        k: CASES[k] for k in CASES if any(w in k for w in ("-bad", "-conflict", "-dims", "-0d-seq"))
    },
    "sorter-dtype": CASES["searchsorted-sorter-dtype"],
    "sorter-size": CASES["searchsorted-sorter-size"],
    "sorter-range": CASES["searchsorted-sorter-range"],
    "scalar-nd": CASES["searchsorted-scalar-nd"],
    "searchsorted-bool": CASES["searchsorted-bool"],
    "bucketize-2d": CASES["bucketize-2d"],
    "bucketize-0d": CASES["bucketize-0d"],
    **{k: CASES[k] for k in ("histc-int", "histc-bins", "histc-range", "histc-nan", "histc-inf")},
    **{
        k: CASES[k]
        for k in (
            "cdist-negative-p",
            "cdist-mode",
            "cdist-columns",
            "cdist-1d",
            "cdist-int",
            "cdist-dtypes",
            "cdist-batch-mismatch",
        )
    },  # fmt: skip
    **{k: CASES[k] for k in ("vander-negative", "vander-2d")},
    **{
        k: CASES[k]
        for k in (
            "trapezoid-0d",
            "trapezoid-x-count",
            "trapezoid-x-number",
            "trapezoid-x-and-dx",
            "trapezoid-dim",
            "cumulative_trapezoid-x-count",
        )
    },  # fmt: skip
    "tril-row": (lambda m: m.tril_indices(-1, 4), []),
    "tril-col": (lambda m: m.tril_indices(3, -4), []),
    "triu-float": (lambda m: m.triu_indices(3, 4, dtype=m.float32), []),
    "tril-short": (lambda m: m.tril_indices(3, 4, dtype=m.int16), []),
    "tril-requires-grad": (lambda m: m.tril_indices(3, 4, requires_grad=True), []),
    "tril-float-row": (lambda m: m.tril_indices(3.0, 4), []),
}


def _error(m, fn, values):
    from torch_oracle import make

    args = [make(m, v) for v in values]
    with pytest.raises(Exception) as info:
        fn(m, *args)
    return info.value


@SILENT
@pytest.mark.parametrize("key", list(ERRORS))
def test_errors_are_pytorchs(key):
    fn, values, *_ = ERRORS[key]
    theirs = _error(torch, fn, values)
    ours = _error(retrograd, fn, values)
    assert type(ours) is type(theirs)
    text = str(theirs).split("\n")[0]
    if "invalid combination" in text:
        text = text.split(" - got")[0]
    assert str(ours).startswith(text), (str(ours), str(theirs))


@pytest.mark.parametrize("increasing", [False, True])
def test_vander_backward_raises_as_pytorchs(increasing):
    # PyTorch 2.13 composes vander as a copy into columns 1.. and then a copy of their
    # cumprod over them, which overwrites the input cumprod saved: its backward raises.
    # retrograd composes it the same way, so the graph and the error are PyTorch's.
    def backward(m):
        x = m.tensor(rand(3), requires_grad=True)
        out = m.vander(x, increasing=increasing)
        with pytest.raises(RuntimeError) as info:
            out.sum().backward()
        return out.grad_fn.name().replace("torch::autograd::", ""), str(info.value)

    (ours_name, ours), (theirs_name, theirs) = backward(retrograd), backward(torch)
    assert ours_name == theirs_name
    common = "one of the variables needed for gradient computation has been modified by an "
    assert ours.startswith(common) and theirs.startswith(common)
    # the overwritten tensor's type and size are the same; PyTorch names it "output 0 of
    # AsStrided" and counts versions of its own (the rest of the message differs)
    assert ours.split(", which")[0] == theirs.split(", which")[0]


def test_vander_of_tensors_without_grad_needs_no_backward():
    x = retrograd.tensor(rand(4))
    assert not retrograd.vander(x).requires_grad
    assert retrograd.vander(x, 1).tolist() == torch.vander(torch.tensor(rand(4)), 1).tolist()


# -- tril_indices / triu_indices ---------------------------------------------------------
@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize(
    ("row", "col", "offset"),
    [(3, 4, 0), (4, 3, 0), (3, 4, 1), (3, 4, -1), (3, 4, -5), (3, 4, 10), (0, 4, 0), (5, 0, 0),
     (1, 1, 0), (6, 6, 2), (6, 6, -3)],
)  # fmt: skip
@pytest.mark.parametrize("dtype", [None, "int32"])
def test_triangle_indices_are_pytorchs(name, row, col, offset, dtype):
    def build(m):
        kw = {} if dtype is None else {"dtype": getattr(m, dtype)}
        return getattr(m, name)(row, col, offset, **kw)

    ours, theirs = build(retrograd), build(torch)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype)
    assert ours.tolist() == theirs.tolist()
    assert repr(ours) == repr(theirs)


def test_triangle_indices_on_dask():
    pytest.importorskip("dask")
    t = retrograd.tril_indices(4, 5, 1, backend="dask")
    assert t.device.type == "dask"
    assert t.tolist() == torch.tril_indices(4, 5, 1).tolist()


# -- the graphs of the composed ops: every node, in PyTorch's order ---------------------
_graph = graph_names


GRAPHS = {
    "cdist": lambda m, a: m.cdist(a, a[:2] * 2),
    "cdist-mm": lambda m, a: m.cdist(a, a[:2], compute_mode="use_mm_for_euclid_dist"),
    "cdist-mm-batch": lambda m, a: m.cdist(a.reshape(2, 3, 2), a.reshape(2, 3, 2) * 2),
    "cdist-large": lambda m, a: m.cdist(a.reshape(-1, 1).expand(12, 2) * 1, a[:2, :2]),
    "vander": lambda m, a: m.vander(a[0]),
    "vander-increasing": lambda m, a: m.vander(a[0], increasing=True),
    "trapezoid": lambda m, a: m.trapezoid(a),
    "trapezoid-x": lambda m, a: m.trapezoid(a, a[0]),
    "trapz-dx": lambda m, a: m.trapz(a, dx=3.0),
    "cumulative_trapezoid": lambda m, a: m.cumulative_trapezoid(a, dim=0),
    "cumulative_trapezoid-x": lambda m, a: m.cumulative_trapezoid(a, a[1]),
}
X = rand(3, 4)


@SILENT
@pytest.mark.parametrize("key", list(GRAPHS))
def test_composed_graphs_are_pytorchs(key):
    def graph(m):
        return _graph(GRAPHS[key](m, m.tensor(X, requires_grad=True)))

    assert graph(retrograd) == graph(torch)


def test_printed_results_are_pytorchs():
    def printed(m):
        x = m.tensor(X, requires_grad=True)
        s = m.tensor(SORTED)
        outs = (
            m.cdist(x, x), m.cdist(x, x, compute_mode="use_mm_for_euclid_dist"), m.vander(x[0]),
            m.trapezoid(x), m.cumulative_trapezoid(x), m.searchsorted(s, x),
            m.bucketize(x, s, out_int32=True), m.histc(x, 3),
        )  # fmt: skip
        return [repr(t) for t in outs]

    ours, theirs = printed(retrograd), printed(torch)
    # cdist through mm rounds in its own order: compare the printed node names and shapes
    assert [t.split("grad_fn=")[-1] for t in ours] == [t.split("grad_fn=")[-1] for t in theirs]
    assert ours[2:] == theirs[2:]


def test_tensor_methods_are_pytorchs():
    for name in ("searchsorted", "bucketize", "cdist", "vander", "trapezoid", "trapz",
                 "cumulative_trapezoid", "tril_indices", "triu_indices", "histc"):  # fmt: skip
        assert hasattr(retrograd.Tensor, name) == hasattr(torch.Tensor, name), name


@pytest.mark.parametrize("backend", ["jax", "dask"])
def test_search_and_distances_on_other_backends(backend):
    pytest.importorskip(backend)
    s, v = rand(9, seed=4), rand(6, seed=5)
    a, b = rand(3, 4), rand(5, 4, seed=1)

    def run(m, **kw):
        seq = m.tensor(np.sort(s), **kw)
        out = [m.searchsorted(seq, m.tensor(v, **kw)), m.histc(m.tensor(v, **kw), 4)]
        x1 = m.tensor(a, requires_grad=True, **kw)
        for p in (1, 2, INF):
            d = m.cdist(x1, m.tensor(b, **kw), p)
            (g,) = m.autograd.grad(d.sum(), x1)
            out += [d, g]
        y = m.tensor(a, requires_grad=True, **kw)
        t = m.trapezoid(y, m.tensor(b[0], **kw))
        out += [t, m.autograd.grad(t.sum(), y)[0], m.vander(m.tensor(v[:4], **kw))]
        return [np.asarray(o.detach().tolist()) for o in out]

    kw = {"backend": backend, **({"chunks": 2} if backend == "dask" else {})}
    for ours, theirs in zip(run(retrograd, **kw), run(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
