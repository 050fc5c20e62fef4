"""The sampling methods the training stack draws through (uniform_, normal_, bernoulli_,
random_, randperm, randint, Generator): signatures, ranges and in-place rules as
PyTorch's. Their values are the random stream's business (not PyTorch's yet)."""

from __future__ import annotations

import pytest
import retrograd as rg

torch = pytest.importorskip("torch")


def test_ranges_and_dtypes():
    u = rg.empty(10000).uniform_(-2.0, 3.0)
    assert u.min().item() >= -2.0 and u.max().item() < 3.0
    n = rg.empty(20000).normal_(1.0, 0.5)
    assert abs(n.mean().item() - 1.0) < 0.02 and abs(n.std().item() - 0.5) < 0.02
    b = rg.empty(20000).bernoulli_(0.3)
    assert set(b.tolist()) == {0.0, 1.0} and abs(b.mean().item() - 0.3) < 0.02
    r = rg.empty((), dtype=rg.int64).random_()
    assert r.dtype is rg.int64 and 0 <= r.item() < 2**63
    p = rg.randperm(50)
    assert p.dtype is rg.int64 and sorted(p.tolist()) == list(range(50))
    k = rg.randint(3, 7, (1000,))
    assert k.dtype is rg.int64 and set(k.tolist()) == {3, 4, 5, 6}
    assert rg.randint(high=4, size=(3,)).shape == rg.Size([3])


def test_generators_are_independent_streams():
    a, b = rg.Generator().manual_seed(5), rg.Generator().manual_seed(5)
    first = rg.randperm(20, generator=a).tolist()
    rg.manual_seed(0)
    rg.rand(100)  # the default stream moves; the generators do not
    assert rg.randperm(20, generator=b).tolist() == first
    assert rg.empty(3).uniform_(generator=a).tolist() == rg.empty(3).uniform_(generator=b).tolist()


@pytest.mark.parametrize("call", [
    lambda lib, t: t.uniform_(),
    lambda lib, t: t.normal_(),
    lambda lib, t: t.bernoulli_(),
])  # fmt: skip
def test_in_place_on_a_leaf_that_requires_grad_raises(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch, torch.empty(3, requires_grad=True))
    with pytest.raises(RuntimeError) as mine:
        call(rg, rg.empty(3, requires_grad=True))
    assert "a leaf Variable that requires grad is being used in an in-place operation" in str(
        mine.value
    )
    assert str(theirs.value) in str(mine.value)


def test_bad_arguments_raise_pytorchs_errors():
    for build in (lambda lib: lib.empty(3).uniform_(2, 1), lambda lib: lib.empty(3).normal_(0, -1)):
        with pytest.raises(RuntimeError) as theirs:
            build(torch)
        with pytest.raises(RuntimeError) as mine:
            build(rg)
        assert str(mine.value) == str(theirs.value)
