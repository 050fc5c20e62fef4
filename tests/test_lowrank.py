"""``svd_lowrank`` and ``pca_lowrank`` against PyTorch: the random projection comes from
the host stream as PyTorch's ``randn`` draws it, so under the same ``manual_seed`` the
factors are PyTorch's (batched, wide, with ``M``, ``niter=0``); gradients flow through;
PyTorch's errors for ``q`` and ``niter``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import retrograd
from retrograd.lowrank import get_approximate_basis as ours_basis
from torch_oracle import assert_same, make, rand

torch = pytest.importorskip("torch")


def _both(fn, *values, seed=0):
    out = []
    for lib in (retrograd, torch):
        lib.manual_seed(seed)
        out.append(fn(lib, *(make(lib, v) for v in values)))
    return out


def _assert_factors(ours, theirs):
    """``S`` is PyTorch's; ``U`` and ``V`` are PyTorch's up to the sign of each singular
    pair (``linalg.svd`` leaves it to the LAPACK build: NumPy's and PyTorch's differ),
    the same flip in ``U`` and ``V``."""
    assert isinstance(ours, tuple) and len(ours) == 3
    u, s, v = ours
    assert_same(s, theirs[1], "S")
    signs = np.sign((u.detach().numpy() * theirs[0].detach().numpy()).sum(-2, keepdims=True))
    assert_same(u * retrograd.tensor(signs), theirs[0], "U")
    assert_same(v * retrograd.tensor(signs), theirs[2], "V")


def test_the_random_basis_is_pytorchs():
    """The projection is drawn from the host stream as PyTorch draws it: the basis the
    SVD starts from is PyTorch's to rounding, no sign left open."""
    from torch._lowrank import get_approximate_basis  # noqa: PLC0415 - private, torch only

    value = rand(2, 9, 6, seed=8)
    basis = {retrograd: ours_basis, torch: get_approximate_basis}
    ours, theirs = _both(lambda m, a: basis[m](a, 4), value)
    assert_same(ours, theirs)


@pytest.mark.parametrize("shape,q,niter", [((8, 5), 3, 2), ((5, 8), 4, 1), ((2, 7, 6), 6, 0)])
def test_svd_lowrank_same_seed_same_numbers(shape, q, niter):
    ours, theirs = _both(lambda m, a: m.svd_lowrank(a, q=q, niter=niter), rand(*shape))
    _assert_factors(ours, theirs)


def test_svd_lowrank_with_m_and_gradient():
    a, mean = rand(6, 5, seed=1), rand(1, 5, seed=2)
    ours, theirs = _both(lambda m, x, c: m.svd_lowrank(x, q=4, M=c), a, mean)
    _assert_factors(ours, theirs)
    ours_s, theirs_s = _both(lambda m, x: m.svd_lowrank(x, q=3)[1].sum(), a, seed=3)
    assert_same(ours_s, theirs_s)
    x = [make(lib, a) for lib in (retrograd, torch)]
    for lib, leaf in zip((retrograd, torch), x):
        lib.manual_seed(3)
        lib.svd_lowrank(leaf, q=3)[1].sum().backward()
    assert_same(x[0].grad, x[1].grad, "gradient")


@pytest.mark.parametrize("center", [True, False])
def test_pca_lowrank_same_seed_same_numbers(center):
    ours, theirs = _both(lambda m, a: m.pca_lowrank(a, center=center), rand(3, 9, 7, seed=4))
    _assert_factors(ours, theirs)


def test_reconstruction_of_a_low_rank_matrix():
    retrograd.manual_seed(0)
    f64 = retrograd.float64
    a = retrograd.randn(10, 3, dtype=f64) @ retrograd.randn(3, 8, dtype=f64)
    u, s, v = retrograd.svd_lowrank(a, q=3)
    np.testing.assert_allclose((u * s @ v.mT).numpy(), a.numpy(), atol=1e-10)


@pytest.mark.parametrize("kw", [{"q": 9}, {"q": -1}, {"niter": -1}])
def test_pca_lowrank_errors(kw):
    value = rand(4, 5)
    with pytest.raises(ValueError) as theirs:
        torch.pca_lowrank(make(torch, value), **kw)
    with pytest.raises(ValueError, match=f"^{re.escape(str(theirs.value))}$"):
        retrograd.pca_lowrank(make(retrograd, value), **kw)
