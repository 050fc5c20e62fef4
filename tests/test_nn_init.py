"""nn.init: fans and gains against PyTorch's, distributions checked statistically
(bounds, spread), generator= passed through. (Bit-equal seeded values are the random
stream's business, tested with it.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
import retrograd as rg
from retrograd import nn

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5, 2, 3), (8, 4, 3, 3), (2, 3, 1, 2, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_pytorch(shape):
    mine = nn.init._calculate_fan_in_and_fan_out(rg.empty(shape))
    assert mine == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fan_of_a_vector_raises_pytorchs_error():
    with pytest.raises(ValueError) as theirs:
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(3))
    with pytest.raises(ValueError, match=str(theirs.value)):
        nn.init._calculate_fan_in_and_fan_out(rg.empty(3))


@pytest.mark.parametrize(
    "args",
    [
        ("linear",),
        ("conv2d",),
        ("sigmoid",),
        ("tanh",),
        ("relu",),
        ("leaky_relu",),
        ("leaky_relu", 0.2),
        ("selu",),
    ],  # fmt: skip
)
def test_gains_match_pytorch(args):
    assert nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def _values(t):
    return t.detach().numpy().ravel()


def test_kaiming_uniform_bounds_and_spread():
    t = nn.init.kaiming_uniform_(rg.empty(400, 250), a=0, nonlinearity="relu")
    bound = math.sqrt(2.0) * math.sqrt(3.0 / 250)
    v = _values(t)
    assert v.min() >= -bound and v.max() <= bound
    assert abs(v.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(v.mean()) < 0.01 * bound


def test_kaiming_normal_and_xavier_spread():
    v = _values(nn.init.kaiming_normal_(rg.empty(500, 200), mode="fan_out"))
    assert abs(v.std() - math.sqrt(2.0 / (1 + 0.01**2)) / math.sqrt(500)) < 0.002
    v = _values(nn.init.xavier_normal_(rg.empty(300, 200), gain=2.0))
    assert abs(v.std() - 2.0 * math.sqrt(2.0 / 500)) < 0.003
    v = _values(nn.init.xavier_uniform_(rg.empty(300, 200)))
    bound = math.sqrt(6.0 / 500)
    assert v.min() >= -bound and v.max() <= bound and v.max() > 0.98 * bound


@pytest.mark.parametrize(
    "build",
    [
        lambda lib: lib.Linear(50, 40),
        lambda lib: lib.Conv2d(6, 8, 3),
        lambda lib: lib.Conv1d(4, 2, 5),
        lambda lib: lib.Bilinear(7, 3, 9),
    ],  # fmt: skip
)
def test_default_layer_init_has_pytorchs_bounds(build):
    """Weight and bias of Linear and Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in as
    PyTorch computes it; Bilinear: 1/sqrt(in1_features)."""
    mine, theirs = build(nn), build(torch.nn)
    if isinstance(theirs, torch.nn.Bilinear):
        limit = 1 / math.sqrt(theirs.weight.shape[1])
    else:
        limit = 1 / math.sqrt(torch.nn.init._calculate_fan_in_and_fan_out(theirs.weight)[0])
    for (name, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        assert q.detach().abs().max().item() <= limit  # the formula is PyTorch's
        assert np.abs(_values(p)).max() <= limit, name
        if p.numel() >= 40:  # spread over the range
            assert np.abs(_values(p)).max() > 0.8 * limit, name


def test_embedding_and_norm_defaults():
    e = nn.Embedding(1000, 20, padding_idx=3)
    v = _values(e.weight)
    assert abs(v.std() - 1.0) < 0.05 and e.weight[3].abs().sum().item() == 0
    bn = nn.BatchNorm2d(4)
    assert bn.weight.tolist() == [1.0] * 4 and bn.bias.tolist() == [0.0] * 4


def test_trunc_normal_orthogonal_eye_constant():
    v = _values(nn.init.trunc_normal_(rg.empty(20000), mean=1.0, std=2.0, a=-1.0, b=2.0))
    assert v.min() >= -1.0 and v.max() <= 2.0 and 0.3 < v.mean() < 0.7
    w = nn.init.orthogonal_(rg.empty(4, 6), gain=2.0).numpy()
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(4), atol=1e-5)
    assert nn.init.eye_(rg.empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert nn.init.constant_(rg.empty(2), 0.5).tolist() == [0.5, 0.5]
    assert nn.init.zeros_(rg.ones(2)).tolist() == [0.0, 0.0]


def test_generator_is_passed_through():
    a, b = rg.Generator().manual_seed(7), rg.Generator().manual_seed(7)
    x = nn.init.kaiming_uniform_(rg.empty(3, 4), generator=a)
    y = nn.init.kaiming_uniform_(rg.empty(3, 4), generator=b)
    rg.manual_seed(0)
    z = nn.init.kaiming_uniform_(rg.empty(3, 4))
    assert x.tolist() == y.tolist() != z.tolist()


def test_init_does_not_record():
    p = nn.Parameter(rg.empty(3, 3))
    nn.init.normal_(p)
    assert p.grad_fn is None and p.requires_grad


def test_trunc_normal_inverse_cdf_matches_pytorchs_erfinv():
    from retrograd.nn.init import _erfinv

    y = np.linspace(-0.9999, 0.9999, 2001).astype(np.float32)
    got = _erfinv(rg.tensor(y.tolist())).numpy()
    np.testing.assert_allclose(got, torch.erfinv(torch.tensor(y)).numpy(), rtol=1e-5, atol=1e-6)
