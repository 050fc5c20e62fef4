"""vmap of the ops of ``retrograd/ops/{pointwise_extra,shape_more,linalg_more,
reductions_more,scans_more,searching,numeric_more}.py`` against ``torch.vmap``: each op
batched along a chosen dim (with an unbatched operand where it has two), its values, and
for differentiable ops the per-sample gradients (``vmap(grad(f))``) too.

Most of these ops are composed of ops that have batching rules, so they batch through
their parts; the records batch through the rules of the kernels they call.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
import retrograd
from torch_oracle import rand

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")


@pytest.fixture(autouse=True)
def _collect_batched_arrays():
    # (see tests/test_vmap_ops.py: a raise inside vmap keeps batched arrays alive)
    yield
    gc.collect()


def ints(*shape, seed=0, high=4):
    return np.random.default_rng(seed).integers(0, high, size=shape)


B = 3  # the batch size
X, Y, Z = rand(B, 4, 5), rand(B, 4, 5, seed=1), rand(4, 5, seed=2)
POS = rand(B, 4, 5, seed=3, low=0.2, high=0.9)
SORTED = np.sort(rand(B, 6, seed=4), axis=-1)


def _tensor(m, a):
    if a.dtype.kind == "f":
        return m.tensor(a, dtype=m.float64)
    return m.tensor(a, dtype=m.int64 if a.dtype.kind in "iu" else m.bool)


# name: (fn(m, *xs), arrays, in_dims, differentiable)
CASES = {
    # pointwise_extra
    "addcmul": (lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), [X, Y, Z], (0, 0, None), True),
    "addcdiv": (lambda m, a, b, c: m.addcdiv(a, b, c + 3, value=2), [X, Y, Z], (0, 0, None), True),
    "copysign": (lambda m, a, b: m.copysign(a, b), [X, Z], (0, None), True),
    "copysign-scalar": (lambda m, a: m.copysign(a, -1.0), [X], 0, True),
    "float_power": (lambda m, a: m.float_power(a, 2), [X], 0, True),
    "heaviside": (lambda m, a, b: m.heaviside(a, b), [X, Z], (0, None), False),
    "hypot": (lambda m, a, b: m.hypot(a, b), [X, Y], (1, 1), True),
    "logit": (lambda m, a: m.logit(a, eps=0.1), [POS], 0, True),
    "nan_to_num": (lambda m, a: m.nan_to_num(a.log(), neginf=-5.0), [X], 0, True),
    "signbit": (lambda m, a: m.signbit(a), [X], 0, False),
    "sinc": (lambda m, a: m.sinc(a), [X], 2, True),
    "xlogy": (lambda m, a, b: m.xlogy(a, b), [X, POS], (0, 0), True),
    # shape_more
    "block_diag": (lambda m, a, b: m.block_diag(a, b), [X, Z[:2]], (0, None), True),
    "cartesian_prod": (lambda m, a, b: m.cartesian_prod(a, b), [X[:, 0], Z[0]], (0, None), True),
    "diag_embed": (lambda m, a: m.diag_embed(a, 1), [X], 0, True),
    "diff": (lambda m, a: m.diff(a, n=2, dim=0), [X], 1, True),
    "fliplr": (lambda m, a: m.fliplr(a), [X], 0, True),
    "flipud": (lambda m, a: m.flipud(a), [X], 2, True),
    "rot90": (lambda m, a: m.rot90(a, 1, (0, 1)), [X], 0, True),
    "take_along_dim": (
        lambda m, a, i: m.take_along_dim(a, i, 1),
        [X, ints(B, 4, 2, high=5)],
        (0, 0),
        True,
    ),
    # linalg_more
    "cross": (lambda m, a, b: m.cross(a, b, dim=0), [X[:, :3], Z[:3]], (0, None), True),
    "kron": (lambda m, a, b: m.kron(a, b), [X[:, :2, :2], Z[:2, :3]], (0, None), True),
    "tensordot": (lambda m, a, b: m.tensordot(a, b, 1), [X, Z.T.copy()], (0, None), True),
    "trace": (lambda m, a: m.trace(a), [X], 0, True),
    # reductions_more
    "aminmax": (lambda m, a: m.aminmax(a, dim=1).max, [X], 0, True),
    "count_nonzero": (lambda m, a: m.count_nonzero(a > 0, 1), [X], 0, False),
    "nanmean": (lambda m, a: m.nanmean(a.sqrt(), 1), [X], 0, True),
    "nansum": (lambda m, a: m.nansum(a.sqrt()), [X], 0, True),
    # scans_more
    "cummax": (lambda m, a: m.cummax(a, 1).values, [X], 0, True),
    "cummax-indices": (lambda m, a: m.cummax(a, -1).indices, [X], 1, False),
    "cummin": (lambda m, a: m.cummin(a, 0).values, [X], 1, True),
    "cummin-indices": (lambda m, a: m.cummin(a, 0).indices, [X], 2, False),
    "logcumsumexp": (lambda m, a: m.logcumsumexp(a, 1), [X], 0, True),
    # searching
    "searchsorted": (
        lambda m, s, v: m.searchsorted(s, v),
        [SORTED, rand(B, 5, seed=5)],
        (0, 0),
        False,
    ),
    "searchsorted-right-1d": (
        lambda m, s, v: m.searchsorted(s, v, right=True),
        [SORTED[0], rand(B, 5, seed=5)],
        (None, 0),
        False,
    ),
    "searchsorted-sorted-batched": (
        lambda m, s, v: m.searchsorted(s, v),
        [SORTED, rand(5, seed=5)],
        (0, None),
        False,
    ),
    "searchsorted-sorter": (
        lambda m, s, v, k: m.searchsorted(s, v, sorter=k),
        [rand(B, 6, seed=7), rand(B, 4, seed=8), np.argsort(rand(B, 6, seed=7), axis=-1)],
        (0, 0, 0),
        False,
    ),
    "bucketize": (lambda m, v, s: m.bucketize(v, s), [X, SORTED[0]], (0, None), False),
    "histc": (lambda m, a: m.histc(a, 4, -1, 1), [X], 0, False),
    # numeric_more
    "cdist": (lambda m, a, b: m.cdist(a, b, 1.5), [X, Z[:2]], (0, None), True),
    "cdist-inf": (lambda m, a, b: m.cdist(a, b, float("inf")), [X, Y], (0, 0), True),
    "cdist-mm": (
        lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        [X, Z[:2]],
        (0, None),
        True,
    ),
    "trapezoid": (lambda m, a: m.trapezoid(a, dx=0.5), [X], 0, True),
    "trapezoid-x": (lambda m, a, x: m.trapezoid(a, x), [X, rand(B, 5, seed=6)], (0, 0), True),
    "trapz": (lambda m, a, x: m.trapz(a, x, dim=0), [X, Z[:3, 0]], (2, None), True),
    "cumulative_trapezoid": (lambda m, a: m.cumulative_trapezoid(a), [X], 1, True),
    "cumulative_trapezoid-x": (
        lambda m, a, x: m.cumulative_trapezoid(a, x),
        [X, rand(B, 5, seed=6)],
        (0, 0),
        True,
    ),
    "vander": (lambda m, a: m.vander(a, 4), [X[:, 0]], 0, False),
    "vander-special": (
        lambda m, a: m.vander(a, 3, increasing=True),
        [np.array([[np.nan, np.inf, -0.0], [1.0, -np.inf, 2.0]])],
        1,
        False,
    ),
}


def _run(m, fn, arrays, in_dims, differentiable):
    args = [_tensor(m, a) for a in arrays]
    out = m.func.vmap(lambda *xs: fn(m, *xs), in_dims=in_dims)(*args)
    if not differentiable:
        return (out,)
    floats = tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f")
    grads = m.func.vmap(m.func.grad(lambda *xs: fn(m, *xs).sum(), argnums=floats), in_dims=in_dims)(
        *args
    )
    return (out, *grads)


@pytest.mark.parametrize("name", list(CASES))
def test_op_under_vmap_matches_torch_vmap(name):
    fn, arrays, in_dims, differentiable = CASES[name]
    try:
        want = _run(torch, fn, arrays, in_dims, differentiable)
    except RuntimeError as error:  # vander writes a batch into an unbatched tensor
        with pytest.raises(RuntimeError) as info:
            _run(retrograd, fn, arrays, in_dims, differentiable)
        assert str(info.value).startswith(str(error)[:60])
        return
    got = _run(retrograd, fn, arrays, in_dims, differentiable)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert tuple(g.shape) == tuple(w.shape)
        assert str(g.dtype) == str(w.dtype)
        np.testing.assert_allclose(
            g.detach().numpy(), w.detach().numpy(), rtol=1e-9, atol=1e-12, equal_nan=True
        )


def test_top_level_vmap_is_the_function():
    # torch.vmap is torch.func.vmap; retrograd.vmap was shadowed by the module retrograd.vmap
    assert retrograd.vmap is retrograd.func.vmap
    fn, arrays, in_dims, _ = CASES["searchsorted"]
    args = [_tensor(retrograd, a) for a in arrays]
    got = retrograd.vmap(lambda *xs: fn(retrograd, *xs), in_dims=in_dims)(*args)
    want = torch.vmap(lambda *xs: fn(torch, *xs), in_dims=in_dims)(
        *[_tensor(torch, a) for a in arrays]
    )
    assert got.tolist() == want.tolist()


def test_sorter_out_of_range_under_vmap_is_pytorchs_error():
    s, k = rand(B, 6, seed=7), np.argsort(rand(B, 6, seed=7), axis=-1)
    k[1, 2] = 6  # one sample's sorter is out of range
    for m in (torch, retrograd):
        with pytest.raises(RuntimeError, match="sorter index out of range"):
            m.vmap(lambda a, kk, m=m: m.searchsorted(a, a[:2], sorter=kk))(
                _tensor(m, s), _tensor(m, k)
            )


@pytest.mark.xfail(strict=True, reason="histc without a range reads each sample's min and max")
def test_histc_without_a_range_under_vmap():
    # PyTorch runs histc sample by sample (its fallback); retrograd reads the data's range
    # with .item(), which vmap refuses, as PyTorch refuses it in user code.
    want = torch.vmap(lambda a: torch.histc(a, 4))(_tensor(torch, X))
    got = retrograd.vmap(lambda a: retrograd.histc(a, 4))(_tensor(retrograd, X))
    assert got.tolist() == want.tolist()
