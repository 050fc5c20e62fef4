"""``Tensor.new_*`` against PyTorch: ``self``'s dtype (and backend) by default, a new leaf
unconnected to ``self``'s graph, ``new_tensor``'s copy warning."""

from __future__ import annotations

import warnings

import pytest
import retrograd

torch = pytest.importorskip("torch")

CALLS = {
    "new_tensor": lambda x: x.new_tensor([1.5, 2.5]),
    "new_tensor dtype": lambda x: x.new_tensor([1.5], dtype=x.new_tensor(0).float().dtype),
    "new_zeros": lambda x: x.new_zeros(2, 3),
    "new_zeros tuple": lambda x: x.new_zeros((2, 3)),
    "new_ones list": lambda x: x.new_ones([2]),
    "new_empty": lambda x: x.new_empty(0, 2),
    "new_full": lambda x: x.new_full((2,), 1.5),
    "new_ones requires_grad": lambda x: x.float().new_ones(2, requires_grad=True),
}


def _summary(t):
    return tuple(t.shape), str(t.dtype), t.tolist() if t.numel() else [], t.requires_grad, t.is_leaf


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_new_as_torch(name, dtype):
    ours, theirs = (
        _summary(CALLS[name](L.ones(3, dtype=getattr(L, dtype)))) for L in (retrograd, torch)
    )
    assert ours == theirs


def test_new_tensor_of_a_tensor_warns_and_copies():
    source = retrograd.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        copy = retrograd.zeros(1, dtype=retrograd.int64).new_tensor(source)
    assert "sourceTensor.detach().clone()" in str(caught[0].message)
    assert (copy.dtype, copy.requires_grad, copy.tolist()) == (retrograd.int64, False, [1, 1])


def test_new_zeros_stays_on_the_tensors_backend():
    pytest.importorskip("jax", reason="needs a second backend installed: JAX")
    x = retrograd.ones(2, backend="numpy")
    with retrograd.use_backend("jax"):
        assert x.new_zeros(2).backend is x.backend
