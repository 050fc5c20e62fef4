"""``retrograd.special.gammainc``/``gammaincc`` (``retrograd.igamma``/``igammac`` and
their Tensor methods) against PyTorch: values over wide ranges of a and x in float64,
values at the edges (a = 0, x = 0, negative, infinite and nan operands), float32, the
gradient in x (first and second order), PyTorch's refusal of a gradient in a, its
refusal of integer operands and of Python numbers, and in-place forms.

Tolerances (relative, against PyTorch's CPU kernel): float64 1e-10 where PyTorch sums
the series and the continued fraction as retrograd does. For large a near x PyTorch
takes Temme's uniform expansion, which is itself only about 2e-9 from exact (mpmath
agrees with retrograd there), so 1e-8 is asked in that region. An absolute 1e-15 (a
few ulps of P + Q = 1) covers Q for tiny a, where PyTorch's series of Q loses relative
accuracy (Q(1e-10, 1) is 2.19383886e-11 in PyTorch, 2.19383934e-11 exact and here):
:func:`test_tiny_a_against_mpmath` checks retrograd's relative accuracy there. float32 1e-4 (PyTorch
sums in float32, retrograd in float64 and rounds; they part by 6e-5 deep in the tail),
with an absolute 1e-7 (a Q near 1e-5 that PyTorch takes as 1 - P in float32).
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same_error, run_both

torch = pytest.importorskip("torch")
NAMES = ("igamma", "igammac")


def _grid() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    a_near = 10 ** rng.uniform(-6, 3.5, 3000)
    x_near = a_near * np.exp(rng.normal(0, 0.3, 3000))
    a_wide, x_wide = 10 ** rng.uniform(-5, 4, 4000), 10 ** rng.uniform(-8, 4, 4000)
    a_small, x_small = rng.uniform(0, 3, 1000), rng.uniform(0, 5, 1000)
    return np.concatenate([a_near, a_wide, a_small]), np.concatenate([x_near, x_wide, x_small])


def _temme(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Where PyTorch's kernel takes Temme's expansion (its thresholds)."""
    ratio = np.abs(x - a) / a
    return ((a > 20) & (a < 200) & (ratio < 0.3)) | ((a > 200) & (ratio < 4.5 / np.sqrt(a)))


def _both(name: str, a, x, dtype=np.float64):
    a, x = a.astype(dtype), x.astype(dtype)
    ours = getattr(retrograd, name)(retrograd.tensor(a), retrograd.tensor(x))
    theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(x))
    return ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64)


@pytest.mark.parametrize("name", NAMES)
def test_values_over_wide_ranges_in_float64(name):
    a, x = _grid()
    ours, theirs = _both(name, a, x)
    temme = _temme(a, x)
    np.testing.assert_allclose(ours[~temme], theirs[~temme], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(ours[temme], theirs[temme], rtol=1e-8)
    assert temme.sum() > 100  # the region is exercised


@pytest.mark.parametrize("name", NAMES)
def test_float32(name):
    a, x = _grid()
    ours, theirs = _both(name, a[:2000], x[:2000], np.float32)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_values_at_the_edges(name):
    inf, nan = float("inf"), float("nan")
    edges = [0.0, -0.0, -1.0, 1e-300, 0.5, 1.0, 2.0, 1e3, inf, -inf, nan]
    a, x = (np.array(v) for v in zip(*[(p, q) for p in edges for q in edges]))
    ours, theirs = _both(name, a, x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-290, equal_nan=True)


@pytest.mark.parametrize("name", [*NAMES, "special.gammainc", "special.gammaincc"])
def test_gradient_in_x_and_second_order(name):
    def fn(m, a, x):
        f = m.special if name.startswith("special.") else m
        return getattr(f, name.rpartition(".")[2])(a.detach() + 0.5, x)

    a, x = np.array([0.3, 1.5, 4.0, 20.0]), np.array([0.2, 2.5, 3.0, 18.0])
    run_both(fn, [a, x], second_order=True)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_in_a_is_refused_as_pytorch(name):
    def fn(m, a, x):
        a.requires_grad_()
        getattr(m, name)(a, x).sum().backward()

    assert_same_error(fn, [1.0, 2.0], [0.5, 3.0])


@pytest.mark.parametrize("name", NAMES)
def test_integer_operands_and_numbers(name):
    assert_same_error(lambda m, a, x: getattr(m, name)(a, x), [2, 3], [1, 4])
    assert_same_error(lambda m, a: getattr(m, name)(a, 2.0), [2.0, 3.0])
    ours, theirs = _both(name, np.array([2.0, 3.5]), np.array([1, 4]))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_methods_and_in_place(name):
    a, x = [2.0, 0.5, 7.0], [1.0, 2.0, 3.0]
    results = []
    for m in (retrograd, torch):
        ta, tx = m.tensor(a, dtype=m.float64), m.tensor(x, dtype=m.float64)
        method = getattr(ta, name)(tx)
        in_place = ta.clone()
        returned = getattr(in_place, name + "_")(tx)
        assert returned is in_place
        results.append((method.numpy(), in_place.numpy()))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_tiny_a_against_mpmath():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50
    points = [(a, x) for a in (1e-300, 1e-100, 1e-20, 1e-10) for x in (1e-300, 0.5, 1.0)]
    a, x = (np.array(v) for v in zip(*points))
    ours = retrograd.igammac(retrograd.tensor(a), retrograd.tensor(x)).numpy()
    exact = [float(mp.gammainc(mp.mpf(p), mp.mpf(q), mp.inf, regularized=True)) for p, q in points]
    np.testing.assert_allclose(ours, exact, rtol=1e-13)
