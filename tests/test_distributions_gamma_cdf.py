"""``Gamma.cdf`` and ``Chi2.cdf`` (through ``retrograd.special.gammainc``) against
PyTorch's: values over many shapes and points, the gradient in ``rate`` and ``value``,
the node, the refusal of a gradient in ``concentration``, and support validation."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")


def _gamma_cdf(m, concentration, rate, value):
    c = m.tensor(concentration, dtype=m.float64)
    r = m.tensor(rate, dtype=m.float64, requires_grad=True)
    v = m.tensor(value, dtype=m.float64, requires_grad=True)
    out = m.distributions.Gamma(c, r).cdf(v)
    out.backward(m.ones_like(out))
    return out, r.grad.numpy(), v.grad.numpy()


def test_gamma_cdf_values_gradients_and_node():
    rng = np.random.default_rng(3)
    c, r, v = 10 ** rng.uniform(-2, 2, 200), 10 ** rng.uniform(-1, 1, 200), rng.exponential(5, 200)
    ours, theirs = _gamma_cdf(retrograd, c, r, v), _gamma_cdf(torch, c, r, v)
    assert type(ours[0].grad_fn).__name__ == type(theirs[0].grad_fn).__name__
    np.testing.assert_allclose(ours[0].detach().numpy(), theirs[0].detach().numpy(), rtol=1e-8)
    for mine, its in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(mine, its, rtol=1e-8, atol=1e-300)


@pytest.mark.parametrize("df", [[1.0, 3.0, 10.0, 55.5], 4.0])
def test_chi2_cdf_matches_pytorch(df):
    value = [0.0, 0.7, 4.0, 60.0]
    ours = retrograd.distributions.Chi2(retrograd.tensor(df)).cdf(retrograd.tensor(value))
    theirs = torch.distributions.Chi2(torch.tensor(df)).cdf(torch.tensor(value))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)


def test_no_gradient_in_concentration_and_validation_as_pytorch():
    errors = []
    for m in (retrograd, torch):
        c = m.tensor([2.0], requires_grad=True)
        with pytest.raises(NotImplementedError) as info:
            m.distributions.Gamma(c, m.tensor([1.0])).cdf(m.tensor([1.0])).sum().backward()
        with pytest.raises(ValueError) as support:
            m.distributions.Gamma(m.tensor([2.0]), m.tensor([1.0])).cdf(m.tensor([-1.0]))
        errors.append((str(info.value), str(support.value).split(" but found")[0]))
    assert errors[0] == errors[1]
