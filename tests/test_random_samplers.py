"""The samplers beyond uniform/normal/bernoulli/exponential, against PyTorch 2.13.

``cauchy_``, ``log_normal_``, ``geometric_`` and ``multinomial`` are transforms of the same
draws PyTorch makes: seeded alike, both libraries give equal values and leave equal
generator states. ``poisson``, ``binomial``, ``_standard_gamma`` and ``_sample_dirichlet``
are checked by their moments (tolerances a few standard errors wide, so a wrong sampler
fails), and ``_standard_gamma``'s gradient against ``torch._standard_gamma_grad`` on the
same samples.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

FLOATS = ["float32", "float64", "float16"]


def host(t) -> np.ndarray:
    return np.asarray(t.numpy(force=True))


def assert_same(expected, got) -> None:
    assert got.dtype.name == str(expected.dtype).removeprefix("torch.")
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(host(got), expected.numpy(), strict=True)


def both(seed: int, fn) -> None:
    """``fn(torch)`` and ``fn(retrograd)`` seeded alike: equal values, and equal generator
    states after (the same draws were consumed)."""
    torch.manual_seed(seed)
    rg.manual_seed(seed)
    assert_same(fn(torch), fn(rg))
    np.testing.assert_array_equal(host(rg.get_rng_state()), torch.get_rng_state().numpy())


def check_errors(call) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as got:
        call(rg)
    assert str(got.value).startswith(str(expected.value).splitlines()[0])


# -- 1. cauchy_, log_normal_, geometric_: PyTorch's stream -------------------------------

FILLS = [
    ("cauchy_", ()),
    ("cauchy_", (2.0, 0.5)),
    ("log_normal_", ()),
    ("log_normal_", (0.0, 0.3)),
    ("geometric_", (0.3,)),
    ("geometric_", (0.9,)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("method", "args"), FILLS)
def test_in_place_fills_match_pytorchs_stream(dtype, method, args):
    for n in (1, 5, 16, 17, 1001):
        both(n, lambda m, n=n: getattr(m.empty(n, dtype=getattr(m, dtype)), method)(*args))


def test_log_normal_shares_the_cached_normal_sample():
    """``normal_distribution<double>`` caches its second value: randn(1) then
    log_normal_ reads it, in both libraries."""
    both(7, lambda m: (m.randn(1, dtype=m.float64), m.empty(3).log_normal_())[1])


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8"])
def test_geometric_on_integer_tensors(dtype):
    both(5, lambda m: m.empty(500, dtype=getattr(m, dtype)).geometric_(0.2))


def test_fills_with_a_generator_and_on_a_transposed_view():
    tg, rgen = torch.Generator().manual_seed(9), rg.Generator().manual_seed(9)
    assert_same(torch.empty(7).cauchy_(generator=tg), rg.empty(7).cauchy_(generator=rgen))
    t, r = torch.zeros(4, 5).t(), rg.zeros(4, 5).t()
    t.geometric_(0.4, generator=tg)
    r.geometric_(0.4, generator=rgen)
    assert_same(t, r)
    np.testing.assert_array_equal(host(rgen.get_state()), tg.get_state().numpy())


def test_fills_record_pytorchs_nodes_with_zero_gradients():
    for method, args in [("cauchy_", ()), ("log_normal_", ()), ("geometric_", (0.5,))]:
        grads = []
        for m in (torch, rg):
            leaf = m.ones(3, requires_grad=True)
            out = getattr(leaf * 2, method)(*args)
            assert type(out.grad_fn).__name__ == method.title().replace("_", "") + "Backward0"
            out.sum().backward()
            grads.append(leaf.grad.numpy() if m is torch else host(leaf.grad))
        np.testing.assert_array_equal(grads[1], grads[0])


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.empty(3, dtype=m.int64).cauchy_(),
        lambda m: m.empty(3, dtype=m.uint8).cauchy_(),
        lambda m: m.empty(3).cauchy_(0, 0),
        lambda m: m.empty(3, dtype=m.int64).log_normal_(),
        lambda m: m.empty(3).log_normal_(1, -1),
        lambda m: m.empty(3).geometric_(0),
        lambda m: m.empty(3).geometric_(1.5),
        lambda m: m.empty(3, dtype=m.bool).geometric_(0.5),
    ],
)
def test_fill_errors_match_pytorch(call):
    check_errors(call)


# -- 2. multinomial ------------------------------------------------------------------------

PROBS = [np.array([0.1, 0.2, 0.3, 0.4]), np.random.default_rng(0).random((3, 7))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("probs", PROBS, ids=["1d", "2d"])
@pytest.mark.parametrize(("n", "replacement"), [(1, False), (1, True), (3, False), (4, False),
                                                (5, True), (200, True)])  # fmt: skip
def test_multinomial_matches_pytorchs_stream(dtype, probs, n, replacement):
    both(n, lambda m: m.multinomial(m.tensor(probs, dtype=getattr(m, dtype)), n, replacement))
    both(n, lambda m: m.tensor(probs, dtype=getattr(m, dtype)).multinomial(n, replacement))


def test_multinomial_with_zero_weights_and_a_generator():
    p = np.array([[0.0, 3.0, 0.0, 1.0], [1.0, 0.0, 0.0, 2.0]])
    both(0, lambda m: m.multinomial(m.tensor(p), 2))  # (ties among zeros: see docs/random.md)
    both(0, lambda m: m.multinomial(m.tensor(p), 50, replacement=True))
    tg, rgen = torch.Generator().manual_seed(4), rg.Generator().manual_seed(4)
    assert_same(torch.multinomial(torch.tensor(p), 8, True, generator=tg),
                rg.multinomial(rg.tensor(p), 8, True, generator=rgen))  # fmt: skip


def test_multinomial_frequencies():
    """Category counts of 60000 draws against their expectations: a chi-square statistic
    with 4 degrees of freedom is above 30 with probability below 1e-5."""
    p = np.array([0.05, 0.15, 0.2, 0.25, 0.35])
    rg.manual_seed(12)
    for replacement in (True, False):
        if replacement:
            draws = host(rg.multinomial(rg.tensor(p), 60000, replacement=True))
        else:  # one draw per row: the first pick of a draw without replacement
            draws = host(rg.multinomial(rg.tensor(np.tile(p, (60000, 1))), 1)).ravel()
        counts = np.bincount(draws, minlength=5)
        expected = 60000 * p
        assert ((counts - expected) ** 2 / expected).sum() < 30


def test_multinomial_without_replacement_never_repeats():
    rg.manual_seed(3)
    draws = host(rg.multinomial(rg.ones(50, 10), 10))
    assert all(sorted(row) == list(range(10)) for row in draws.tolist())


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.multinomial(m.tensor([1.0, -1.0]), 1),
        lambda m: m.multinomial(m.tensor([1.0, -1.0]), 2, True),
        lambda m: m.multinomial(m.tensor([1.0, float("nan")]), 2, True),
        lambda m: m.multinomial(m.tensor([1.0, float("inf")]), 2, True),
        lambda m: m.multinomial(m.tensor([1.0, float("inf")]), 1),
        lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
        lambda m: m.multinomial(m.tensor([[1.0, 1.0], [0.0, 0.0]]), 2, True),
        lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3),
        lambda m: m.multinomial(m.tensor([1.0, 1.0]), 0),
        lambda m: m.multinomial(m.tensor([1, 1]), 1),
        lambda m: m.multinomial(m.tensor(1.0), 1),
        lambda m: m.multinomial(m.ones(2, 2, 2), 1),
    ],
)
def test_multinomial_errors_match_pytorch(call):
    check_errors(call)


# -- 3. poisson, binomial, _standard_gamma, _sample_dirichlet ------------------------------


def _moments(samples: np.ndarray, mean: float, var: float, n: int) -> None:
    """The sample mean within 5 standard errors of ``mean``, the sample variance within
    15% of ``var`` (both fail for a sampler with the wrong parameter)."""
    assert abs(samples.mean() - mean) < 5 * np.sqrt(var / n) + 1e-12, (samples.mean(), mean)
    assert abs(samples.var() - var) < 0.15 * var + 1e-12, (samples.var(), var)


@pytest.mark.parametrize("rate", [0.0, 0.7, 4.0, 9.5, 10.0, 37.0, 900.0])
def test_poisson_moments(rate):
    rg.manual_seed(1)
    x = host(rg.poisson(rg.full((20000,), rate)))
    assert x.dtype == np.float32 and np.all(x == np.round(x)) and np.all(x >= 0)
    _moments(x, rate, rate, x.size)


@pytest.mark.parametrize(("count", "p"), [(5, 0.3), (40, 0.1), (100, 0.5), (1000, 0.8),
                                          (30, 0.95), (0, 0.5), (7, 0.0), (7, 1.0)])  # fmt: skip
def test_binomial_moments(count, p):
    rg.manual_seed(2)
    x = host(rg.binomial(rg.full((20000,), float(count)), rg.full((20000,), p)))
    assert np.all((x >= 0) & (x <= count)) and np.all(x == np.round(x))
    _moments(x, count * p, count * p * (1 - p), x.size)


@pytest.mark.parametrize("alpha", [0.05, 0.4, 1.0, 2.5, 30.0])
def test_standard_gamma_moments(alpha):
    rg.manual_seed(3)
    x = host(rg._standard_gamma(rg.full((20000,), alpha, dtype=rg.float64)))
    assert np.all(x > 0)
    _moments(x, alpha, alpha, x.size)


def test_sample_dirichlet_moments_and_rows():
    alpha = np.array([0.3, 1.0, 2.0, 5.0])
    rg.manual_seed(4)
    x = host(rg._sample_dirichlet(rg.tensor(np.tile(alpha, (20000, 1)))))
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-12)
    total = alpha.sum()
    for i, a in enumerate(alpha):
        var = a * (total - a) / (total**2 * (total + 1))
        _moments(x[:, i], a / total, var, x.shape[0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_samplers_follow_pytorchs_stream(dtype):
    """Beyond the moments: seeded alike, the rejection loops give PyTorch's values and
    consume PyTorch's draws (the Dirichlet normalization up to PyTorch's summation order)."""
    rates = np.array([0.0, 0.5, 3.0, 9.9, 10.0, 25.0, 400.0] * 10)
    count = np.array([0, 1, 5, 10, 20, 100, 1000, 50.0] * 10)
    prob = np.array([0.3, 0.5, 0.9, 0.7, 0.05, 0.5, 0.2, 1.0] * 10)
    alpha = np.random.default_rng(0).random((30, 5)) * 3
    both(1, lambda m: m.poisson(m.tensor(rates, dtype=getattr(m, dtype))))
    both(1, lambda m: m.binomial(m.tensor(count, dtype=getattr(m, dtype)),
                                 m.tensor(prob, dtype=getattr(m, dtype))))  # fmt: skip
    both(1, lambda m: m._standard_gamma(m.tensor(alpha, dtype=getattr(m, dtype))))
    torch.manual_seed(1)
    rg.manual_seed(1)
    expected = torch._sample_dirichlet(torch.tensor(alpha, dtype=getattr(torch, dtype)))
    got = rg._sample_dirichlet(rg.tensor(alpha, dtype=getattr(rg, dtype)))
    np.testing.assert_allclose(host(got), expected.numpy(), rtol=4 * np.finfo(dtype).eps)
    np.testing.assert_array_equal(host(rg.get_rng_state()), torch.get_rng_state().numpy())


def test_gamma_gradient_equals_pytorchs_on_the_same_samples():
    """The same seed gives the same samples; PyTorch's gradient (its
    ``_standard_gamma_grad``, an approximation good to about 1e-3) and retrograd's agree."""
    alpha = np.repeat([0.05, 0.3, 1.0, 2.5, 10.0, 60.0], 300)
    for dtype in ("float64", "float32"):
        grads, samples = [], []
        for m in (torch, rg):
            m.manual_seed(6)
            a = m.tensor(alpha, dtype=getattr(m, dtype), requires_grad=True)
            x = m._standard_gamma(a)
            assert type(x.grad_fn).__name__ == "StandardGammaBackward0"
            (x * 2).sum().backward()
            grads.append(a.grad.numpy() if m is torch else host(a.grad))
            samples.append(x.detach().numpy() if m is torch else host(x))
        np.testing.assert_array_equal(samples[1], samples[0])
        np.testing.assert_allclose(grads[1], grads[0], rtol=2e-3)
        td = getattr(torch, dtype)
        direct = torch._standard_gamma_grad(torch.tensor(alpha, dtype=td), torch.tensor(samples[0]))
        np.testing.assert_allclose(grads[1] / 2, direct.numpy(), rtol=2e-3)


def test_gamma_gradient_is_exact():
    """Against ``-(dP/da) / (dP/dx)`` in 30-digit arithmetic (mpmath): retrograd's series
    is exact where PyTorch's approximation is not."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 30
    points = [(0.05, 4.74), (0.3, 1e-6), (1.0, 8.3), (2.5, 0.4), (10.0, 2.6), (40.0, 55.0),
              (5000.0, 5150.0), (5000.0, 4900.0)]  # fmt: skip
    alpha, x = (rg.tensor(list(v), dtype=rg.float64) for v in zip(*points, strict=True))
    got = host(rg._standard_gamma_grad(alpha, x))
    for (a, x), g in zip(points, got, strict=True):
        density = mpmath.mpf(x) ** (a - 1) * mpmath.exp(-x) / mpmath.gamma(a)
        dp_da = mpmath.diff(lambda s, x=x: mpmath.gammainc(s, 0, x, regularized=True), a)
        assert g == pytest.approx(float(-dp_da / density), rel=1e-9)


def test_gamma_gradient_memory_stays_bounded():
    """The series for many samples goes in chunks: 20,000 samples next to one of shape
    1e4 (a window of about 2,400 terms each) must not hold all 4.8e7 terms at once."""
    if rg.get_backend().name != "numpy":
        pytest.skip("NumPy's allocations are the ones tracemalloc sees")
    import tracemalloc

    alpha = rg.full((20_001,), 2.0, dtype=rg.float64)
    alpha[0] = 1e4
    x = alpha.clone()
    tracemalloc.start()
    try:
        rg._standard_gamma_grad(alpha, x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_only_the_gamma_sampler_is_differentiable():
    for m in (torch, rg):
        rate = m.tensor([1.0, 2.0], requires_grad=True)
        m.poisson(rate).sum().backward()
        assert rate.grad.tolist() == [0.0, 0.0]
        assert type(m.poisson(rate).grad_fn).__name__ == "PoissonBackward0"
    for call in (lambda m, a: m.binomial(a, a * 0 + 0.5), lambda m, a: m._sample_dirichlet(a)):
        check_errors(
            lambda m, call=call: call(m, m.tensor([1.0, 2.0], requires_grad=True)).sum().backward()
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.poisson(m.tensor([-1.0])),
        lambda m: m.poisson(m.tensor([1])),
        lambda m: m.binomial(m.tensor([1]), m.tensor([0.5])),
        lambda m: m._standard_gamma(m.tensor([1])),
        lambda m: m._sample_dirichlet(m.tensor([1])),
        lambda m: m._standard_gamma(m.tensor([1.0], dtype=m.float16)),
        lambda m: m._sample_dirichlet(m.tensor([1.0], dtype=m.float16)),
        lambda m: m.binomial(*[m.tensor([1.0], dtype=m.float16)] * 2),
        lambda m: m.binomial(m.tensor([3.0, 4.0]), m.tensor([0.5, 0.2], dtype=m.float64)),
        lambda m: m.binomial(m.tensor([3.0, 4.0]), m.tensor([0.5, 0.2, 0.1])),
    ],
)
def test_sampler_errors_match_pytorch(call):
    check_errors(call)


@pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")
def test_binomial_broadcasts_as_pytorch():
    both(0, lambda m: m.binomial(m.tensor([3.0, 4.0, 5.0]), m.tensor([0.5])))
    both(0, lambda m: m.binomial(m.tensor([[20.0], [40.0]]), m.tensor([0.5, 0.2, 0.9])))


def test_multinomial_of_no_rows():
    for replacement in (False, True):
        both(0, lambda m, r=replacement: m.multinomial(m.ones(0, 3), 2, r))


def test_edge_values_as_pytorch():
    """A zero shape gives 0, a negative one the smallest normal number; a probability
    beyond 1 gives the count (PyTorch checks neither)."""
    both(0, lambda m: m._standard_gamma(m.tensor([0.0, -1.0, 1.0])))
    both(0, lambda m: m.binomial(m.tensor([3.0, 4.0]), m.tensor([1.5, -0.5])))
    for seed in range(3):  # infinite parameters: whatever C's arithmetic makes of them
        both(seed, lambda m: m.poisson(m.tensor([float("inf"), 1e12, 20.0])))
        both(seed, lambda m: m.binomial(m.tensor([float("inf"), 5.0]),
                                        m.tensor([0.5, float("nan")])))  # fmt: skip
        both(seed, lambda m: m._standard_gamma(m.tensor([float("inf"), float("nan"), 2.0])))


@pytest.mark.parametrize(
    "call",
    [
        lambda m, p: m.multinomial(p, 2),
        lambda m, p: m.poisson(p),
        lambda m, p: m._standard_gamma(p),
        lambda m, p: m._sample_dirichlet(p),
        lambda m, p: m.binomial(p, p * 0.5),
    ],
)
@pytest.mark.parametrize("randomness", ["error", "same"])
def test_vmap_refusals_as_pytorch(call, randomness):
    """Inside ``vmap``: PyTorch's error in ``"error"`` mode, and in ``"same"`` mode for an
    input that differs per sample."""
    check_errors(lambda m: m.func.vmap(lambda p: call(m, p), randomness=randomness)(m.ones(3, 4)))


def test_vmap_same_randomness_with_an_unbatched_input():
    got = rg.func.vmap(lambda q: rg.poisson(rg.full((2,), 3.0)) + q[0], randomness="same")(
        rg.ones(3, 4)
    )
    assert tuple(got.shape) == (3, 2)
    assert (host(got)[0] == host(got)).all()  # one draw shared by the batch
