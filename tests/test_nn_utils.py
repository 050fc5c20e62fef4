"""nn.utils against PyTorch: gradient clipping and parameter/vector conversion; moving a
module between backends."""

from __future__ import annotations

import math

import numpy as np
import pytest
import retrograd as rg
from retrograd import nn

torch = pytest.importorskip("torch")


def _pair(seed=0):
    gen = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 2)]
    values = [gen.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [gen.standard_normal(s).astype(np.float32) * 3 for s in shapes]
    mine = [rg.tensor(v.tolist(), requires_grad=True) for v in values]
    theirs = [torch.tensor(v.tolist(), requires_grad=True) for v in values]
    for m, t, g in zip(mine, theirs, grads):
        m.grad, t.grad = rg.tensor(g.tolist()), torch.tensor(g.tolist())
    return mine, theirs


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0),
                                                (2.0, math.inf), (1.0, 3)])  # fmt: skip
def test_clip_grad_norm_matches_pytorch(max_norm, norm_type):
    mine, theirs = _pair()
    got = nn.utils.clip_grad_norm_(mine, max_norm, norm_type)
    want = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert got.shape == want.shape == ()
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-5)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_nonfinite_error_matches_pytorch():
    mine, theirs = _pair()
    mine[0].grad[0, 0] = float("inf")
    theirs[0].grad[0, 0] = float("inf")
    with pytest.raises(RuntimeError) as want:
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as got:
        nn.utils.clip_grad_norm_(mine, 1.0, error_if_nonfinite=True)
    assert str(got.value) == str(want.value)


def test_clip_grad_value_matches_pytorch():
    mine, theirs = _pair()
    nn.utils.clip_grad_value_(mine, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for m, t in zip(mine, theirs):
        assert m.grad.tolist() == t.grad.tolist()


def test_parameters_to_vector_and_back():
    mine, theirs = _pair()
    vec = nn.utils.parameters_to_vector(mine)
    assert vec.tolist() == torch.nn.utils.parameters_to_vector(theirs).tolist()
    assert vec.grad_fn is not None  # differentiable, as PyTorch's
    nn.utils.vector_to_parameters(vec.detach() * 2, mine)
    torch.nn.utils.vector_to_parameters(torch.nn.utils.parameters_to_vector(theirs) * 2, theirs)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got"):
        nn.utils.vector_to_parameters([1.0], mine)


def test_module_to_another_backend_keeps_parameters_and_buffers():
    other = next((b.name for b in rg.backends() if b.usable and b.name != rg.get_backend().name),
                 None)  # fmt: skip
    if other is None:
        pytest.skip("one usable backend only")
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    weight = model[0].weight
    before = weight.tolist()
    assert model.to(other) is model
    assert model[0].weight is weight and weight.backend.name == other
    assert model[1].running_mean.backend.name == other
    assert weight.tolist() == before
    out = model(rg.ones(4, 3, backend=other))
    out.sum().backward()
    assert weight.grad.backend.name == other
