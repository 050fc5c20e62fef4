"""retrograd.distributions against torch.distributions on the same parameters: log_prob
(with its parameter gradients), cdf/icdf, entropy, moments, shapes, reparameterized
samples (the same seed gives PyTorch's draws where retrograd reproduces its sampler),
sample statistics, KL divergences and validation errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")

RD = retrograd.distributions
TD = torch.distributions


def _module(lib: Any) -> Any:
    return RD if lib is retrograd else TD


def _tensor(lib: Any, value: Any, grad: bool = False) -> Any:
    return lib.tensor(value, dtype=lib.float64, requires_grad=grad)


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t, dtype=np.float64)


def _close(ours: Any, theirs: Any, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    np.testing.assert_allclose(_np(ours), _np(theirs), rtol=rtol, atol=atol, equal_nan=True)


@dataclass
class Case:
    """One distribution on fixed parameters: ``build(D, **params)`` with ``D`` the
    distributions module and params float64 tensors requiring grad."""

    name: str
    build: Callable[..., Any]
    params: dict[str, Any]
    value: Any  # a point of the support, broadcastable with the batch
    batch_shape: tuple = ()
    event_shape: tuple = ()
    cdf: bool = False
    icdf: Any = None  # probabilities where icdf is compared
    entropy: bool = True
    moments: tuple = ("mean", "variance", "stddev", "mode")
    rsample: bool = False
    sampler: str | None = None  # retrograd function the sampler needs (from feat-sampl)
    rsampler: str | None = None  # the sampler rsample needs, where it is another one
    same_draws: bool = False  # retrograd reproduces PyTorch's draws for a seed
    discrete: bool = False
    fixed: dict[str, Any] = field(default_factory=dict)  # non-differentiable parameters

    def make(self, lib: Any, grad: bool = True) -> tuple[Any, dict]:
        params = {k: _tensor(lib, v, grad) for k, v in self.params.items()}
        fixed = {k: _tensor(lib, v) for k, v in self.fixed.items()}
        return self.build(_module(lib), **params, **fixed), params


SPD = [[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]]
TRIL = [[1.2, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.4, 0.2, 1.5]]

CASES = [
    Case("Normal", lambda D, loc, scale: D.Normal(loc, scale),
         {"loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.5]}, [0.3, 0.1, -1.2], (3,),
         cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True, same_draws=True),
    Case("HalfNormal", lambda D, scale: D.HalfNormal(scale), {"scale": [1.0, 0.5, 2.5]},
         [0.3, 0.1, 1.2], (3,), cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True),
    Case("LogNormal", lambda D, loc, scale: D.LogNormal(loc, scale),
         {"loc": [0.5, -1.0, 0.2], "scale": [1.0, 0.5, 0.7]}, [0.3, 0.1, 1.2], (3,),
         cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True, same_draws=True),
    Case("Uniform", lambda D, low, high: D.Uniform(low, high),
         {"low": [0.0, -1.0, 2.0], "high": [1.0, 0.5, 4.0]}, [0.3, 0.1, 3.0], (3,),
         cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True, same_draws=True,
         moments=("mean", "variance", "stddev")),
    Case("Exponential", lambda D, rate: D.Exponential(rate), {"rate": [0.5, 1.0, 3.0]},
         [0.3, 0.0, 2.0], (3,), cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True,
         same_draws=True),
    Case("Laplace", lambda D, loc, scale: D.Laplace(loc, scale),
         {"loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.5]}, [0.3, -1.1, 4.0], (3,),
         cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True, same_draws=True),
    Case("Cauchy", lambda D, loc, scale: D.Cauchy(loc, scale),
         {"loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.5]}, [0.3, -1.1, 4.0], (3,),
         cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True),
    Case("Gumbel", lambda D, loc, scale: D.Gumbel(loc, scale),
         {"loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.5]}, [0.3, -1.1, 4.0], (3,),
         cdf=True, icdf=[0.1, 0.5, 0.93], rsample=True, same_draws=True),
    Case("Weibull", lambda D, scale, c: D.Weibull(scale, c),
         {"scale": [1.0, 0.5, 2.5], "c": [0.7, 1.5, 3.0]}, [0.3, 1.1, 4.0], (3,), cdf=True,
         icdf=[0.1, 0.5, 0.93], rsample=True, same_draws=True),
    Case("Pareto", lambda D, scale, alpha: D.Pareto(scale, alpha),
         {"scale": [1.0, 0.5, 2.5], "alpha": [0.7, 1.5, 3.0]}, [1.3, 1.1, 4.0], (3,), cdf=True,
         icdf=[0.1, 0.5, 0.93], rsample=True, same_draws=True),
    Case("StudentT", lambda D, df, loc, scale: D.StudentT(df, loc, scale),
         {"df": [0.8, 1.5, 5.0], "loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.5]},
         [0.3, -1.1, 4.0], (3,), rsample=True, sampler="_standard_gamma"),
    Case("Gamma", lambda D, concentration, rate: D.Gamma(concentration, rate),
         {"concentration": [0.5, 1.0, 3.0], "rate": [1.0, 0.5, 2.0]}, [0.3, 1.1, 4.0], (3,),
         rsample=True, sampler="_standard_gamma"),
    Case("Chi2", lambda D, df: D.Chi2(df), {"df": [0.5, 2.0, 5.0]}, [0.3, 1.1, 4.0], (3,),
         rsample=True, sampler="_standard_gamma"),
    Case("Beta", lambda D, a, b: D.Beta(a, b), {"a": [0.5, 2.0, 3.0], "b": [1.5, 2.0, 0.7]},
         [0.3, 0.6, 0.9], (3,), rsample=True, sampler="_sample_dirichlet",
         rsampler="_standard_gamma"),
    Case("Dirichlet", lambda D, c: D.Dirichlet(c), {"c": [[0.5, 2.0, 3.0], [1.5, 2.0, 4.0]]},
         [0.2, 0.3, 0.5], (2,), (3,), rsample=True, sampler="_sample_dirichlet",
         rsampler="_standard_gamma"),
    Case("Bernoulli(probs)", lambda D, p: D.Bernoulli(probs=p), {"p": [0.2, 0.5, 0.9]},
         [1.0, 0.0, 1.0], (3,), discrete=True, sampler="bernoulli"),
    Case("Bernoulli(logits)", lambda D, lg: D.Bernoulli(logits=lg), {"lg": [-1.0, 0.3, 2.0]},
         [1.0, 0.0, 1.0], (3,), discrete=True, sampler="bernoulli"),
    Case("Geometric", lambda D, p: D.Geometric(probs=p), {"p": [0.2, 0.5, 0.9]},
         [3.0, 0.0, 1.0], (3,), discrete=True, sampler="rand"),
    Case("Geometric(logits)", lambda D, lg: D.Geometric(logits=lg), {"lg": [-1.0, 0.3, 2.0]},
         [3.0, 0.0, 1.0], (3,), discrete=True, sampler="rand"),
    Case("Binomial", lambda D, p, n: D.Binomial(n, probs=p), {"p": [0.2, 0.5, 0.9]},
         [3.0, 0.0, 4.0], (3,), discrete=True, sampler="binomial", fixed={"n": [5.0, 5.0, 5.0]}),
    Case("Binomial(logits)", lambda D, lg, n: D.Binomial(n, logits=lg),
         {"lg": [-1.0, 0.3, 2.0]}, [3.0, 0.0, 2.0], (3,), discrete=True, sampler="binomial",
         fixed={"n": [5.0, 3.0, 2.0]}, entropy=False),
    Case("NegativeBinomial", lambda D, p, n: D.NegativeBinomial(n, probs=p),
         {"p": [0.2, 0.5, 0.9]}, [3.0, 0.0, 4.0], (3,), discrete=True, sampler="poisson",
         fixed={"n": [5.0, 2.5, 1.0]}, entropy=False, rsampler="_standard_gamma"),
    Case("NegativeBinomial(logits)", lambda D, lg, n: D.NegativeBinomial(n, logits=lg),
         {"lg": [-1.0, 0.3, 2.0], "n": [5.0, 2.5, 1.0]}, [3.0, 0.0, 2.0], (3,), discrete=True,
         sampler="poisson", entropy=False, rsampler="_standard_gamma"),
    Case("Poisson", lambda D, rate: D.Poisson(rate), {"rate": [0.5, 2.0, 7.5]},
         [3.0, 0.0, 6.0], (3,), discrete=True, sampler="poisson", entropy=False),
    Case("Categorical", lambda D, p: D.Categorical(probs=p),
         {"p": [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]}, [2.0, 0.0], (2,), discrete=True,
         sampler="rand", moments=("mode",)),
    Case("Categorical(logits)", lambda D, lg: D.Categorical(logits=lg),
         {"lg": [[0.2, -1.3, 0.5], [1.6, 0.1, 0.3]]}, [1.0, 2.0], (2,), discrete=True,
         sampler="rand", moments=("mode",)),
    Case("OneHotCategorical", lambda D, p: D.OneHotCategorical(probs=p),
         {"p": [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]}, [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], (2,),
         (3,), discrete=True, sampler="rand"),
    Case("Multinomial", lambda D, p: D.Multinomial(5, probs=p),
         {"p": [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]}, [[1.0, 2.0, 2.0], [5.0, 0.0, 0.0]], (2,),
         (3,), discrete=True, sampler="rand", moments=("mean", "variance")),
    Case("Multinomial(logits)", lambda D, lg: D.Multinomial(3, logits=lg),
         {"lg": [0.2, -1.3, 0.5]}, [1.0, 2.0, 0.0], (), (3,), discrete=True, sampler="rand",
         moments=("mean", "variance")),
    Case("MultivariateNormal(cov)", lambda D, loc, cov: D.MultivariateNormal(loc, cov),
         {"loc": [[0.5, -1.0, 2.0], [0.0, 1.0, 0.3]], "cov": SPD}, [0.3, 0.1, 1.2], (2,),
         (3,), rsample=True, same_draws=True),
    Case("MultivariateNormal(scale_tril)",
         lambda D, loc, tril: D.MultivariateNormal(loc, scale_tril=tril),
         {"loc": [0.5, -1.0, 2.0], "tril": TRIL}, [[0.3, 0.1, 1.2]], (),
         (3,), rsample=True, same_draws=True),
    Case("MultivariateNormal(precision)",
         lambda D, loc, prec: D.MultivariateNormal(loc, precision_matrix=prec),
         {"loc": [0.5, -1.0, 2.0], "prec": SPD}, [0.3, 0.1, 1.2], (), (3,), rsample=True),
    Case("Independent", lambda D, loc, scale: D.Independent(D.Normal(loc, scale), 1),
         {"loc": [[0.5, -1.0, 2.0], [0.1, 0.2, 0.3]], "scale": [1.0, 0.5, 2.5]},
         [0.3, 0.1, -1.2], (2,), (3,), rsample=True, same_draws=True),
]  # fmt: skip

CASES += [
    Case("MixtureSameFamily(Normal)",
         lambda D, w, loc, scale: D.MixtureSameFamily(D.Categorical(probs=w), D.Normal(loc, scale)),
         {"w": [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], "loc": [[0.5, -1.0, 2.0], [0.0, 1.0, 3.0]],
          "scale": [1.0, 0.5, 2.5]}, [0.3, -1.1], (2,), cdf=True, entropy=False,
         moments=("mean", "variance", "stddev"), sampler="rand"),
    Case("MixtureSameFamily(Independent)",
         lambda D, lg, loc, scale: D.MixtureSameFamily(
             D.Categorical(logits=lg), D.Independent(D.Normal(loc, scale), 1)),
         {"lg": [0.2, -0.3], "loc": [[0.5, -1.0, 2.0], [0.1, 0.2, 0.3]],
          "scale": [[1.0, 0.5, 2.5], [0.3, 0.4, 0.5]]}, [[0.3, -1.1, 0.2]], (), (3,),
         entropy=False, moments=("mean", "variance", "stddev"), sampler="rand"),
]  # fmt: skip

IDS = [case.name for case in CASES]


@pytest.fixture(params=CASES, ids=IDS)
def case(request: Any) -> Case:
    return request.param


def _needs(name: str | None) -> None:
    if name and not hasattr(retrograd, name):
        pytest.skip(f"needs retrograd.{name} (merged from feat-sampl)")


def test_shapes_and_repr(case: Case) -> None:
    ours, _ = case.make(retrograd)
    theirs, _ = case.make(torch)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape) == case.batch_shape
    assert tuple(ours.event_shape) == tuple(theirs.event_shape) == case.event_shape
    assert isinstance(ours.batch_shape, retrograd.Size)
    assert repr(ours) == repr(theirs)
    assert repr(ours.support) == repr(theirs.support)
    assert list(ours.arg_constraints) == list(theirs.arg_constraints)
    assert ours.has_rsample == theirs.has_rsample
    assert ours.has_enumerate_support == theirs.has_enumerate_support
    expanded = ours.expand((4,) + case.batch_shape)
    assert tuple(expanded.batch_shape) == (4,) + case.batch_shape
    _close(expanded.log_prob(_tensor(retrograd, case.value)),
           theirs.expand((4,) + case.batch_shape).log_prob(_tensor(torch, case.value)))  # fmt: skip


def test_log_prob_and_parameter_gradients(case: Case) -> None:
    ours, our_params = case.make(retrograd)
    theirs, their_params = case.make(torch)
    lp = ours.log_prob(_tensor(retrograd, case.value))
    expected = theirs.log_prob(_tensor(torch, case.value))
    assert tuple(lp.shape) == tuple(expected.shape)
    _close(lp, expected)
    weights = np.linspace(0.5, 1.5, expected.numel()).reshape(tuple(expected.shape))
    (lp * _tensor(retrograd, weights)).sum().backward()
    (expected * _tensor(torch, weights)).sum().backward()
    for name in case.params:
        _close(our_params[name].grad, their_params[name].grad, rtol=1e-6)


def test_moments_and_entropy(case: Case) -> None:
    ours, our_params = case.make(retrograd)
    theirs, their_params = case.make(torch)
    for name in case.moments:
        _close(getattr(ours, name), getattr(theirs, name))
    if case.entropy:
        h, expected = ours.entropy(), theirs.entropy()
        _close(h, expected)
        h.sum().backward()
        expected.sum().backward()
        for name in case.params:
            if their_params[name].grad is None:  # the entropy does not depend on it
                assert our_params[name].grad is None or not _np(our_params[name].grad).any()
            else:
                _close(our_params[name].grad, their_params[name].grad, rtol=1e-6)


@pytest.mark.parametrize("case", [c for c in CASES if c.cdf], ids=[c.name for c in CASES if c.cdf])
def test_cdf_and_icdf(case: Case) -> None:
    ours, our_params = case.make(retrograd)
    theirs, their_params = case.make(torch)
    c = ours.cdf(_tensor(retrograd, case.value))
    expected = theirs.cdf(_tensor(torch, case.value))
    _close(c, expected)
    c.sum().backward()
    expected.sum().backward()
    for name in case.params:
        _close(our_params[name].grad, their_params[name].grad, rtol=1e-6)
    if case.icdf is not None:
        _close(ours.icdf(_tensor(retrograd, case.icdf)), theirs.icdf(_tensor(torch, case.icdf)))


def test_sample_shapes(case: Case) -> None:
    _needs(case.sampler)
    _needs(case.rsampler)
    ours, _ = case.make(retrograd)
    sample = ours.sample((5, 2))
    assert tuple(sample.shape) == (5, 2) + case.batch_shape + case.event_shape
    assert not sample.requires_grad
    assert tuple(ours.sample().shape) == case.batch_shape + case.event_shape
    assert bool(ours.support.check(sample).all())


def test_sample_mean_matches(case: Case) -> None:
    """The mean of many samples is within five standard errors of PyTorch's mean."""
    _needs(case.sampler)
    _needs(case.rsampler)
    if case.name.startswith("Categorical") or case.name in {"Cauchy", "StudentT"}:
        mean = None  # no finite mean: compare the frequencies of the categories instead
    else:
        mean = case.make(torch)[0].mean
    ours, _ = case.make(retrograd, grad=False)
    retrograd.manual_seed(0)
    n = 20000
    sample = _np(ours.sample((n,)))
    if mean is None:
        if case.name.startswith("Categorical"):
            probs = _np(case.make(torch)[0].probs)
            freq = np.stack([(sample == k).mean(0) for k in range(probs.shape[-1])], -1)
            np.testing.assert_allclose(freq, probs, atol=5 * 0.5 / math.sqrt(n))
        else:  # the median is loc
            np.testing.assert_allclose(np.median(sample, 0), _np(ours.loc), atol=0.1)
        return
    std = np.sqrt(_np(case.make(torch)[0].variance))
    finite = np.isfinite(std) & np.isfinite(_np(mean))  # heavy tails: no standard error
    assert finite.any()
    error = np.abs(sample.mean(0) - _np(mean))[finite]
    np.testing.assert_array_less(error, 5 * std[finite] / math.sqrt(n) + 1e-12)


@pytest.mark.parametrize(
    "name", ["Normal", "Uniform", "Exponential", "Bernoulli(probs)", "Gumbel", "Independent"]
)
def test_sample_is_pytorchs_draw_for_a_seed(name: str) -> None:
    case = next(c for c in CASES if c.name == name)
    draws = []
    for lib in (retrograd, torch):
        d, _ = case.make(lib, grad=False)
        lib.manual_seed(11)
        draws.append(d.sample((3,)))
    _close(*draws, rtol=1e-12)


# Samplers by rejection (gamma, hence chi-squared, Student's t, beta, Dirichlet) have an
# implicit reparameterization gradient, not the derivative at fixed random numbers: they
# are checked by test_rsample_gradient_is_unbiased instead of finite differences.
IMPLICIT = {"Gamma", "Chi2", "StudentT", "Beta", "Dirichlet"}


def test_rsample_gradients(case: Case) -> None:
    """Reparameterized samples: PyTorch's draws and gradients for one seed where retrograd
    reproduces its sampler; else the gradient matches finite differences at a fixed seed."""
    if not case.rsample:
        assert not case.make(retrograd)[0].has_rsample
        return
    if case.name in IMPLICIT:
        assert case.make(retrograd)[0].has_rsample
        return
    _needs(case.rsampler or case.sampler)
    ours, our_params = case.make(retrograd)
    weights = np.linspace(0.5, 1.5, 4 * math.prod(case.batch_shape + case.event_shape))
    weights = weights.reshape((4,) + case.batch_shape + case.event_shape)
    retrograd.manual_seed(3)
    sample = ours.rsample((4,))
    (sample * _tensor(retrograd, weights)).sum().backward()
    if case.same_draws:
        theirs, their_params = case.make(torch)
        torch.manual_seed(3)
        expected = theirs.rsample((4,))
        _close(sample, expected)
        (expected * _tensor(torch, weights)).sum().backward()
        for name in case.params:
            _close(our_params[name].grad, their_params[name].grad, rtol=1e-6)
        return
    # central differences in each parameter entry, drawing with the same seed each time
    for name, base in case.params.items():
        base = np.asarray(base, dtype=np.float64)
        numeric = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            values = []
            for step in (1e-6, -1e-6):
                shifted = base.copy()
                shifted[index] += step
                params = dict(case.params, **{name: shifted})
                d = Case(**{**case.__dict__, "params": params}).make(retrograd, grad=False)[0]
                retrograd.manual_seed(3)
                values.append(float((_np(d.rsample((4,))) * weights).sum()))
            numeric[index] = (values[0] - values[1]) / 2e-6
        analytic = _np(our_params[name].grad)
        if name in ("cov", "prec"):  # a symmetric matrix: only symmetric changes are defined
            analytic, numeric = analytic + analytic.T, numeric + numeric.T
        np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-6)


UNBIASED = [
    ("Gamma", lambda D, c, r: D.Gamma(c, r), {"c": [0.5, 1.0, 3.0], "r": [1.0, 0.5, 2.0]}),
    ("Chi2", lambda D, df: D.Chi2(df), {"df": [0.5, 2.0, 5.0]}),
    ("Beta", lambda D, a, b: D.Beta(a, b), {"a": [0.5, 2.0, 3.0], "b": [1.5, 2.0, 0.7]}),
    ("Dirichlet", lambda D, c: D.Dirichlet(c), {"c": [[0.5, 2.0, 3.0], [1.5, 2.0, 4.0]]}),
    ("StudentT", lambda D, df, loc, scale: D.StudentT(df, loc, scale),
     {"df": [9.0, 12.0, 20.0], "loc": [0.5, -1.0, 2.0], "scale": [1.0, 0.5, 2.5]}),
]  # fmt: skip


@pytest.mark.parametrize("build, params", [c[1:] for c in UNBIASED], ids=[c[0] for c in UNBIASED])
def test_rsample_gradient_is_unbiased(build: Callable, params: dict) -> None:
    """The average gradient of many reparameterized samples is the gradient of the expected
    value (PyTorch's closed-form mean; for Student's t, whose mean is loc whatever df, the
    variance), within a tolerance a wrong gradient exceeds."""
    _needs("_standard_gamma")
    student = "df" in params and "loc" in params
    grads = []
    for lib, n in ((retrograd, 50000), (torch, None)):
        tensors = {k: _tensor(lib, v, grad=True) for k, v in params.items()}
        d = build(_module(lib), **tensors)
        if n is None:
            # the variance for df > 2 (torch's masked variance gives df a NaN gradient)
            df, scale = tensors.get("df"), tensors.get("scale")
            target = scale**2 * df / (df - 2) if student else d.mean
        else:
            retrograd.manual_seed(1)
            x = d.rsample((n,))
            target = ((x - tensors["loc"].detach()) ** 2 if student else x).mean(0)
        w = np.linspace(0.5, 1.5, target.numel()).reshape(tuple(target.shape))
        (target * _tensor(lib, w)).sum().backward()
        # no gradient: the expectation does not depend on it (Student's t's loc)
        grads.append({k: _np(t.grad) if t.grad is not None else 0.0 for k, t in tensors.items()})
    for name in params:
        np.testing.assert_allclose(grads[0][name], grads[1][name], rtol=0.05, atol=0.02)


# -- KL divergence -----------------------------------------------------------------------
KL_CASES = [
    ("Normal", lambda D, a, b, c, d: (D.Normal(a, b), D.Normal(c, d)),
     [[0.5, -1.0], [1.0, 0.3], [0.0, 0.2], [2.0, 0.7]]),
    ("Bernoulli", lambda D, a, b: (D.Bernoulli(a), D.Bernoulli(b)),
     [[0.2, 0.7], [0.5, 0.1]]),
    ("Categorical", lambda D, a, b: (D.Categorical(a), D.Categorical(b)),
     [[[0.2, 0.3, 0.5]], [[0.6, 0.1, 0.3]]]),
    ("OneHotCategorical", lambda D, a, b: (D.OneHotCategorical(a), D.OneHotCategorical(b)),
     [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]),
    ("MultivariateNormal",
     lambda D, a, b, c, d: (D.MultivariateNormal(a, b), D.MultivariateNormal(c, scale_tril=d)),
     [[0.5, -1.0, 2.0], SPD, [0.0, 1.0, 0.3], TRIL]),
    ("Gamma", lambda D, a, b, c, d: (D.Gamma(a, b), D.Gamma(c, d)),
     [[0.5, 3.0], [1.0, 0.3], [2.0, 0.2], [2.0, 0.7]]),
    ("Beta", lambda D, a, b, c, d: (D.Beta(a, b), D.Beta(c, d)),
     [[0.5, 3.0], [1.0, 0.3], [2.0, 0.2], [2.0, 0.7]]),
    ("Dirichlet", lambda D, a, b: (D.Dirichlet(a), D.Dirichlet(b)),
     [[0.5, 3.0, 1.2], [1.0, 0.3, 2.0]]),
    ("Exponential", lambda D, a, b: (D.Exponential(a), D.Exponential(b)),
     [[0.5, 3.0], [1.0, 0.3]]),
    ("Laplace", lambda D, a, b, c, d: (D.Laplace(a, b), D.Laplace(c, d)),
     [[0.5, -1.0], [1.0, 0.3], [0.0, 0.2], [2.0, 0.7]]),
    ("Uniform", lambda D, a, b, c, d: (D.Uniform(a, b), D.Uniform(c, d)),
     [[0.0, 0.2], [1.0, 0.5], [-1.0, 0.3], [2.0, 0.7]]),
    ("Poisson", lambda D, a, b: (D.Poisson(a), D.Poisson(b)), [[0.5, 3.0], [1.0, 0.3]]),
    ("Geometric", lambda D, a, b: (D.Geometric(a), D.Geometric(b)), [[0.5, 0.3], [0.2, 0.7]]),
    ("Binomial", lambda D, a, b: (D.Binomial(4, a), D.Binomial(4, b)), [[0.5, 0.3], [0.2, 0.7]]),
    ("HalfNormal", lambda D, a, b: (D.HalfNormal(a), D.HalfNormal(b)), [[0.5, 3.0], [1.0, 0.3]]),
    ("Gumbel", lambda D, a, b, c, d: (D.Gumbel(a, b), D.Gumbel(c, d)),
     [[0.5, -1.0], [1.0, 0.3], [0.0, 0.2], [2.0, 0.7]]),
    ("Cauchy", lambda D, a, b, c, d: (D.Cauchy(a, b), D.Cauchy(c, d)),
     [[0.5, -1.0], [1.0, 0.3], [0.0, 0.2], [2.0, 0.7]]),
    ("LogNormal", lambda D, a, b, c, d: (D.LogNormal(a, b), D.LogNormal(c, d)),
     [[0.5, -1.0], [1.0, 0.3], [0.0, 0.2], [2.0, 0.7]]),
    ("Chi2", lambda D, a, b: (D.Chi2(a), D.Chi2(b)), [[0.5, 3.0], [1.0, 0.3]]),
    ("Independent",
     lambda D, a, b, c, d: (D.Independent(D.Normal(a, b), 1), D.Independent(D.Normal(c, d), 1)),
     [[0.5, -1.0], [1.0, 0.3], [0.0, 0.2], [2.0, 0.7]]),
]  # fmt: skip


@pytest.mark.parametrize("build, params", [c[1:] for c in KL_CASES], ids=[c[0] for c in KL_CASES])
def test_kl_divergence_values_and_gradients(build: Callable, params: list) -> None:
    results = []
    for lib in (retrograd, torch):
        tensors = [_tensor(lib, p, grad=True) for p in params]
        p, q = build(_module(lib), *tensors)
        kl = _module(lib).kl_divergence(p, q)
        kl.sum().backward()
        results.append((kl, [t.grad for t in tensors]))
    (ours, our_grads), (theirs, their_grads) = results
    assert tuple(ours.shape) == tuple(theirs.shape)
    _close(ours, theirs)
    for a, b in zip(our_grads, their_grads):
        _close(a, b, rtol=1e-6)


def test_kl_uniform_outside_support_is_infinite() -> None:
    p = RD.Uniform(retrograd.tensor([0.0]), retrograd.tensor([2.0]))
    q = RD.Uniform(retrograd.tensor([0.5]), retrograd.tensor([3.0]))
    expected = TD.kl_divergence(TD.Uniform(torch.tensor([0.0]), torch.tensor([2.0])),
                                TD.Uniform(torch.tensor([0.5]), torch.tensor([3.0])))  # fmt: skip
    _close(RD.kl_divergence(p, q), expected)


def test_kl_unregistered_pair_and_register_kl() -> None:
    p, q = RD.Normal(0.0, 1.0), RD.Exponential(1.0)
    with pytest.raises(NotImplementedError):
        RD.kl_divergence(p, q)

    class MyNormal(RD.Normal):
        pass

    # a subclass uses its base class's rule until it registers its own
    _close(RD.kl_divergence(MyNormal(0.0, 1.0), RD.Normal(1.0, 2.0)),
           TD.kl_divergence(TD.Normal(0.0, 1.0), TD.Normal(1.0, 2.0)))  # fmt: skip

    @RD.register_kl(MyNormal, RD.Normal)
    def _kl(p: Any, q: Any) -> Any:
        return retrograd.tensor(42.0)

    assert RD.kl_divergence(MyNormal(0.0, 1.0), RD.Normal(1.0, 2.0)).item() == 42.0


# -- validation --------------------------------------------------------------------------
ERROR_CASES = [
    ("negative scale", lambda D, lib: D.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, -1.0]))),
    ("nan loc", lambda D, lib: D.Normal(lib.tensor(float("nan")), 1.0)),
    ("probs out of range", lambda D, lib: D.Bernoulli(lib.tensor([0.5, 1.5]))),
    ("probs and logits", lambda D, lib: D.Bernoulli(probs=0.5, logits=0.0)),
    ("neither probs nor logits", lambda D, lib: D.Categorical()),
    ("not a simplex", lambda D, lib: D.Dirichlet(lib.tensor([1.0, -1.0]))),
    ("low >= high", lambda D, lib: D.Uniform(lib.tensor([0.0, 2.0]), lib.tensor([1.0, 1.0]))),
    ("mvn no matrix", lambda D, lib: D.MultivariateNormal(lib.zeros(2))),
    ("mvn 0-d loc", lambda D, lib: D.MultivariateNormal(lib.tensor(0.0), lib.eye(1))),
    ("mvn not positive definite",
     lambda D, lib: D.MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]]))),
    ("value outside support", lambda D, lib: D.Exponential(1.0).log_prob(lib.tensor([-1.0, 2.0]))),
    ("value not a tensor", lambda D, lib: D.Normal(0.0, 1.0).log_prob(0.5)),
    ("value event shape",
     lambda D, lib: D.Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.5, 0.5]))),
    ("value not broadcastable",
     lambda D, lib: D.Normal(lib.zeros(3), 1.0).log_prob(lib.zeros(2))),
    ("categorical value outside support",
     lambda D, lib: D.Categorical(lib.tensor([0.5, 0.5])).log_prob(lib.tensor(2))),
    ("beta negative concentration", lambda D, lib: D.Beta(lib.tensor([1.0, -2.0]), 1.0)),
    ("gamma zero rate", lambda D, lib: D.Gamma(1.0, lib.tensor([0.0, 1.0]))),
    ("chi2 negative df", lambda D, lib: D.Chi2(lib.tensor([-1.0]))),
    ("studentt zero df", lambda D, lib: D.StudentT(lib.tensor([0.0]))),
    ("poisson negative rate", lambda D, lib: D.Poisson(lib.tensor([-1.0]))),
    ("binomial fractional count",
     lambda D, lib: D.Binomial(lib.tensor([2.5]), lib.tensor([0.5]))),
    ("binomial value above count",
     lambda D, lib: D.Binomial(3, lib.tensor([0.5])).log_prob(lib.tensor([4.0]))),
    ("onehot probs not a simplex",
     lambda D, lib: D.OneHotCategorical(lib.tensor([[0.5, -0.5]]))),
    ("mvn scale_tril not lower",
     lambda D, lib: D.MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2, 2))),
    ("half-normal value below zero",
     lambda D, lib: D.HalfNormal(1.0).log_prob(lib.tensor([-1.0]))),
    ("lognormal value zero",
     lambda D, lib: D.LogNormal(0.0, 1.0).log_prob(lib.tensor([0.0]))),
    ("geometric zero probability", lambda D, lib: D.Geometric(lib.tensor([0.0, 0.5]))),
    ("independent too many dims", lambda D, lib: D.Independent(D.Normal(0.0, 1.0), 1)),
    ("multinomial counts above total",
     lambda D, lib: D.Multinomial(2, lib.tensor([0.5, 0.5])).log_prob(lib.tensor([2.0, 1.0]))),
    ("multinomial tensor total", lambda D, lib: D.Multinomial(lib.tensor(2), lib.ones(2))),
    ("mixture not categorical",
     lambda D, lib: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(lib.zeros(2), 1.0))),
    ("mixture component count",
     lambda D, lib: D.MixtureSameFamily(D.Categorical(lib.ones(3)), D.Normal(lib.zeros(2), 1.0))),
    ("kl binomial total counts",
     lambda D, lib: D.kl_divergence(D.Binomial(2, lib.tensor([0.5])),
                                    D.Binomial(3, lib.tensor([0.5])))),
    ("kl mvn event shapes",
     lambda D, lib: D.kl_divergence(D.MultivariateNormal(lib.zeros(2), lib.eye(2)),
                                    D.MultivariateNormal(lib.zeros(3), lib.eye(3)))),
]  # fmt: skip


@pytest.mark.parametrize("make", [c[1] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES])
def test_validation_errors_match_torch(make: Callable) -> None:
    with pytest.raises(Exception) as theirs:
        make(TD, torch)
    with pytest.raises(type(theirs.value)) as ours:
        make(RD, retrograd)
    assert str(ours.value) == str(theirs.value)


def test_validation_can_be_turned_off() -> None:
    d = RD.Normal(retrograd.tensor(0.0), retrograd.tensor(-1.0), validate_args=False)
    assert math.isnan(d.log_prob(retrograd.tensor(0.0)).item())
    RD.Distribution.set_default_validate_args(False)
    try:
        assert RD.Exponential(1.0).log_prob(retrograd.tensor(-1.0)).item() == -1.0 + 2.0
    finally:
        RD.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        RD.Exponential(1.0).log_prob(retrograd.tensor(-1.0))


def test_constraints_repr_and_check() -> None:
    C, TC = RD.constraints, TD.constraints
    names = (
        "real", "positive", "nonnegative", "unit_interval", "simplex", "boolean",
        "nonnegative_integer", "real_vector", "lower_cholesky", "positive_definite",
    )  # fmt: skip
    for name in names:
        assert repr(getattr(C, name)) == repr(getattr(TC, name))
        assert getattr(C, name).event_dim == getattr(TC, name).event_dim
        assert getattr(C, name).is_discrete == getattr(TC, name).is_discrete
    assert repr(C.integer_interval(0, 3)) == repr(TC.integer_interval(0, 3))
    values = [[0.2, 0.8, -0.1], [0.5, 0.25, 0.25], [0.0, 1.0, 0.0]]
    for name in ("real", "positive", "nonnegative", "unit_interval", "boolean"):
        ours = getattr(C, name).check(retrograd.tensor(values))
        theirs = getattr(TC, name).check(torch.tensor(values))
        assert ours.tolist() == theirs.tolist()
    assert C.simplex.check(retrograd.tensor(values)).tolist() == (
        TC.simplex.check(torch.tensor(values)).tolist()
    )
    assert RD.Uniform(0.0, 1.0).support.check(retrograd.tensor([0.5, 1.5])).tolist() == [
        True,
        False,
    ]
    assert C.is_dependent(RD.Uniform.support)


def test_enumerate_support_matches_torch() -> None:
    for build in (lambda D, lib: D.Bernoulli(lib.tensor([0.2, 0.4])),
                  lambda D, lib: D.Categorical(lib.tensor([[0.2, 0.8], [0.5, 0.5]])),
                  lambda D, lib: D.OneHotCategorical(lib.tensor([0.2, 0.3, 0.5])),
                  lambda D, lib: D.Binomial(3, lib.tensor([0.2, 0.4]))):  # fmt: skip
        ours = build(RD, retrograd).enumerate_support()
        theirs = build(TD, torch).enumerate_support()
        assert ours.tolist() == theirs.tolist()
        assert tuple(ours.shape) == tuple(theirs.shape)


def test_transformed_subclasses_as_in_torch() -> None:
    for name in ("LogNormal", "HalfNormal", "Gumbel", "Chi2", "Beta"):
        for base in ("TransformedDistribution", "Gamma", "Dirichlet"):
            ours = issubclass(getattr(RD, name), getattr(RD, base))
            assert ours == issubclass(getattr(TD, name), getattr(TD, base)), (name, base)


def test_distribution_is_torch_namespace_attribute() -> None:
    assert retrograd.distributions is RD
    assert "distributions" in dir(retrograd)


# -- transforms --------------------------------------------------------------------------
TRANSFORMS = [
    ("Exp", lambda D, lib: D.ExpTransform(), [-1.0, 0.3, 2.0]),
    ("Sigmoid", lambda D, lib: D.SigmoidTransform(), [-1.0, 0.3, 2.0]),
    ("Tanh", lambda D, lib: D.TanhTransform(), [-1.0, 0.3, 2.0]),
    ("Affine", lambda D, lib: D.AffineTransform(lib.tensor(1.5, dtype=lib.float64),
                                                 lib.tensor(-2.0, dtype=lib.float64)),
     [-1.0, 0.3, 2.0]),
    ("Affine(number)", lambda D, lib: D.AffineTransform(0.5, 3.0), [-1.0, 0.3, 2.0]),
    ("Affine(event_dim=1)",
     lambda D, lib: D.AffineTransform(0.5, lib.tensor([3.0, -1.0, 2.0], dtype=lib.float64), 1),
     [-1.0, 0.3, 2.0]),
    ("Compose", lambda D, lib: D.ComposeTransform([D.AffineTransform(0.5, 3.0),
                                                    D.SigmoidTransform()]), [-1.0, 0.3, 2.0]),
    ("inverse of Exp", lambda D, lib: D.ExpTransform().inv, [0.5, 1.3, 2.0]),
    ("Power", lambda D, lib: D.PowerTransform(lib.tensor([0.5, 2.0, 3.0], dtype=lib.float64)),
     [0.5, 1.3, 2.0]),
]  # fmt: skip


@pytest.mark.parametrize("make, x", [c[1:] for c in TRANSFORMS], ids=[c[0] for c in TRANSFORMS])
def test_transform_values_inverse_and_jacobian(make: Callable, x: list) -> None:
    results = []
    for lib in (retrograd, torch):
        D = _module(lib)
        module = D if lib is retrograd else D.transforms
        t = make(module, lib)
        xt = _tensor(lib, x, grad=True)
        y = t(xt)
        jac = t.log_abs_det_jacobian(xt, y)
        (y.sum() + jac.sum()).backward()
        results.append((y, t.inv(y), jac, xt.grad, t.domain.event_dim, t.bijective))
    for ours, theirs in zip(results[0][:4], results[1][:4]):
        _close(ours, theirs)
    assert results[0][4:] == results[1][4:]


TRANSFORMED = [
    ("affine-exp normal",
     lambda D, T, a, b: D.TransformedDistribution(
         D.Normal(a, b), [T.AffineTransform(0.5, 2.0), T.ExpTransform()]),
     {"a": [0.5, -1.0, 0.2], "b": [1.0, 0.5, 0.7]}, [0.3, 1.1, 4.0]),
    ("logit-normal",
     lambda D, T, a, b: D.TransformedDistribution(D.Normal(a, b), T.SigmoidTransform()),
     {"a": [0.5, -1.0, 0.2], "b": [1.0, 0.5, 0.7]}, [0.3, 0.6, 0.9]),
    ("decreasing affine of exponential",
     lambda D, T, a: D.TransformedDistribution(D.Exponential(a), T.AffineTransform(1.0, -2.0)),
     {"a": [0.5, 1.0, 3.0]}, [0.3, -1.1, -4.0]),
    ("event_dim=1 affine",
     lambda D, T, a, b: D.TransformedDistribution(
         D.Normal(a, b), T.AffineTransform(0.5, a.detach() + 2.0, event_dim=1)),
     {"a": [0.5, -1.0, 0.2], "b": [1.0, 0.5, 0.7]}, [0.3, 1.1, 4.0]),
]  # fmt: skip


@pytest.mark.parametrize(
    "build, params, value",
    [c[1:] for c in TRANSFORMED],
    ids=[c[0] for c in TRANSFORMED],
)
def test_transformed_distribution_matches_torch(build: Callable, params: dict, value: list) -> None:
    """log_prob and its gradients, cdf, icdf and (PyTorch's draws for a seed) rsample."""
    results = []
    for lib in (retrograd, torch):
        D = _module(lib)
        T = D if lib is retrograd else D.transforms
        tensors = {k: _tensor(lib, v, grad=True) for k, v in params.items()}
        d = build(D, T, **tensors)
        lp = d.log_prob(_tensor(lib, value))
        lp.sum().backward()
        out = [lp, *(tensors[k].grad for k in params)]
        if not d.event_shape:
            out += [d.cdf(_tensor(lib, value)), d.icdf(_tensor(lib, [0.2, 0.5, 0.7]))]
        lib.manual_seed(5)
        out.append(d.rsample((2,)))
        results.append((out, tuple(d.batch_shape), tuple(d.event_shape), repr(d)))
    (ours, *our_meta), (theirs, *their_meta) = results
    assert our_meta == their_meta
    for a, b in zip(ours, theirs):
        _close(a, b, rtol=1e-6)


def test_transform_equality_as_in_torch() -> None:
    pairs = [
        (lambda T: T.ExpTransform(), lambda T: T.ExpTransform()),
        (lambda T: T.ExpTransform(), lambda T: T.SigmoidTransform()),
        (lambda T: T.AffineTransform(0.5, 2.0), lambda T: T.AffineTransform(0.5, 2.0)),
        (lambda T: T.AffineTransform(0.5, 2.0), lambda T: T.AffineTransform(0.5, 3.0)),
        (lambda T: T.ExpTransform().inv, lambda T: T.ExpTransform().inv),
        (lambda T: T.ComposeTransform([T.ExpTransform(), T.TanhTransform()]),
         lambda T: T.ComposeTransform([T.ExpTransform(), T.TanhTransform()])),
    ]  # fmt: skip
    for a, b in pairs:
        assert (a(RD) == b(RD)) == (a(TD.transforms) == b(TD.transforms))


def test_transformed_distribution_support_and_validation() -> None:
    d = RD.TransformedDistribution(RD.Normal(0.0, 1.0), RD.ExpTransform())
    t = TD.TransformedDistribution(TD.Normal(0.0, 1.0), TD.transforms.ExpTransform())
    assert repr(d.support) == repr(t.support)
    with pytest.raises(ValueError) as theirs:
        t.log_prob(torch.tensor(-1.0))
    with pytest.raises(ValueError) as ours:
        d.log_prob(retrograd.tensor(-1.0))
    assert str(ours.value) == str(theirs.value)
    assert tuple(d.sample((4,)).shape) == (4,)


@pytest.mark.parametrize("case", [c for c in CASES if c.rsample and c.same_draws],
                         ids=[c.name for c in CASES if c.rsample and c.same_draws])  # fmt: skip
def test_float32_parameters(case: Case) -> None:
    """The default dtype: float32 values, gradients and (for a seed) draws, as PyTorch's."""
    results = []
    for lib in (retrograd, torch):
        params = {k: lib.tensor(v, requires_grad=True) for k, v in case.params.items()}
        fixed = {k: lib.tensor(v) for k, v in case.fixed.items()}
        d = case.build(_module(lib), **params, **fixed)
        lp = d.log_prob(lib.tensor(case.value))
        lib.manual_seed(2)
        x = d.rsample((2,))
        (lp.sum() + x.sum()).backward()
        assert lp.dtype == lib.float32 and x.dtype == lib.float32
        results.append([lp, x, *(p.grad for p in params.values())])
    for ours, theirs in zip(*results):
        _close(ours, theirs, rtol=2e-5, atol=1e-5)
