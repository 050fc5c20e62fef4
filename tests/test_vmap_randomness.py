"""Random ops inside ``retrograd.func.vmap`` against ``torch.func.vmap``'s ``randomness``
modes: "error" refuses with PyTorch's text; "same" shares one draw across the batch;
"different" draws per sample. Compared: the errors, the shapes, whether the samples are
equal, and reproducibility under ``manual_seed`` (not the random values themselves,
except where a test says so)."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import retrograd
from retrograd import batching

torch = pytest.importorskip("torch")

X = np.arange(1.0, 7.0).reshape(2, 3) / 8  # two samples, valid probabilities


@pytest.fixture(autouse=True)
def _collect_batched_arrays():
    yield
    gc.collect()  # an error inside vmap keeps batched arrays alive in its traceback


def _dropout(m, t, **kw):
    return m.nn.functional.dropout(t, 0.5, **kw)


# Each case: a function of (lib, sample) run under vmap over the rows of X.
CASES = {
    "rand": lambda m, a: m.rand(3) + a * 0,
    "rand_alone": lambda m, a: m.rand(3),
    "randn": lambda m, a: m.randn(3, dtype=m.float64),
    "randint": lambda m, a: m.randint(0, 1000, (3,)),
    "randperm": lambda m, a: m.randperm(6),
    "rand_like": lambda m, a: m.rand_like(a),
    "randn_like": lambda m, a: m.randn_like(a),
    "randint_like": lambda m, a: m.randint_like(a, 1000),
    "generator": lambda m, a: m.rand(3, generator=m.Generator().manual_seed(3)),
    "normal_sizes": lambda m, a: m.normal(0.0, 1.0, (3,)),
    "normal_batched_mean": lambda m, a: m.normal(a, 1.0),
    "normal_batched_std": lambda m, a: m.normal(m.zeros(3), a),
    "normal_unbatched_tensors": lambda m, a: m.normal(m.zeros(3), m.ones(3)),
    "bernoulli_batched": lambda m, a: m.bernoulli(a),
    "bernoulli_unbatched": lambda m, a: m.bernoulli(m.full((3,), 0.5)),
    "bernoulli_p": lambda m, a: m.bernoulli(a, 0.5),
    "normal_": lambda m, a: (a * 1).normal_(),
    "uniform_": lambda m, a: (a * 1).uniform_(-1, 1),
    "exponential_": lambda m, a: (a * 1).exponential_(),
    "random_": lambda m, a: (a * 1).random_(0, 1000),
    "bernoulli_scalar_": lambda m, a: (a * 1).bernoulli_(0.5),
    "bernoulli_tensor_": lambda m, a: (a * 1).bernoulli_(m.full((3,), 0.5)),
    "bernoulli_batched_p_": lambda m, a: (a * 0).bernoulli_(a),
    "inplace_unbatched": lambda m, a: m.zeros(3).normal_() + a,
    "inplace_unbatched_batched_p": lambda m, a: m.zeros(3).bernoulli_(a),
    "dropout": lambda m, a: _dropout(m, a * 0 + 1),
    "dropout_unbatched": lambda m, a: _dropout(m, m.ones(3)) + a * 0,
    "dropout_inplace_unbatched": lambda m, a: _dropout(m, m.ones(3), inplace=True) + a,
    "dropout_eval": lambda m, a: _dropout(m, m.ones(3), training=False) + a,
    "nested_inner_same": lambda m, a: m.func.vmap(lambda b: m.rand(()), randomness="same")(a),
    "nested_inner_different": lambda m, a: m.func.vmap(
        lambda b: m.rand(()), randomness="different"
    )(a),
    "nested_inner_error": lambda m, a: m.func.vmap(lambda b: m.rand(()))(a),
    "nested_inplace": lambda m, a: m.func.vmap(lambda b: (b * 1).normal_(), randomness="same")(a),
}


def _run(m, name, mode, chunk_size=None):
    """The case's result (the lib's tensor) or the exception it raised."""
    m.manual_seed(0)
    x = m.tensor(X.tolist(), dtype=m.float64)
    try:
        return m.func.vmap(lambda a: CASES[name](m, a), randomness=mode, chunk_size=chunk_size)(x)
    except RuntimeError as error:
        return error


def _samples_equal(t):
    return bool((t == t[0]).all())


@pytest.mark.parametrize("mode", ["error", "same", "different"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_randomness_matches_torch(name, mode):
    want, got = _run(torch, name, mode), _run(retrograd, name, mode)
    if isinstance(want, Exception):
        assert isinstance(got, type(want)), got
        assert str(got) == str(want)
        return
    assert not isinstance(got, Exception), got
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype) == str(want.dtype)
    assert _samples_equal(got) == _samples_equal(want)
    again = _run(retrograd, name, mode)  # one seed, one result
    np.testing.assert_array_equal(again.numpy(), got.numpy())
    gc.collect()
    assert not batching._state.live, "a batched array outlived vmap"


def test_different_draws_independent_samples_same_shares_one():
    for mode, shared in (("same", True), ("different", False)):
        out = _run(retrograd, "randn", mode)
        assert _samples_equal(out) is shared
        assert len(set(out[0].tolist())) == 3  # within a sample, distinct numbers


def test_different_is_the_whole_batch_drawn_at_once():
    """A seed gives PyTorch's numbers: "different" draws ``rand(B, *shape)``, "same"
    draws ``rand(*shape)``, so both equal the draws outside vmap."""
    for mode, size in (("same", (3,)), ("different", (2, 3))):
        retrograd.manual_seed(0)
        plain = retrograd.randn(*size, dtype=retrograd.float64)
        out = _run(retrograd, "randn", mode)
        np.testing.assert_array_equal(out.numpy(), plain.expand(2, 3).numpy())


@pytest.mark.parametrize("mode", ["same", "different"])
def test_chunks_match_torch(mode):
    """ "same" gives every chunk the first chunk's numbers (PyTorch resets the state)."""
    want = _run(torch, "rand_alone", mode, chunk_size=1)
    got = _run(retrograd, "rand_alone", mode, chunk_size=1)
    assert _samples_equal(got) == _samples_equal(want)
    np.testing.assert_array_equal(got.numpy(), _run(retrograd, "rand_alone", mode).numpy())


def test_different_mode_gradients_flow():
    """Per-sample dropout masks under vmap(grad(...)): each sample's gradient is its
    own mask, scaled."""
    w = retrograd.ones(8, dtype=retrograd.float64)

    def loss(w, x):
        return (retrograd.nn.functional.dropout(w, 0.5) * x).sum()

    x = retrograd.ones(3, 8, dtype=retrograd.float64)
    grads = retrograd.func.vmap(retrograd.func.grad(loss), (None, 0), randomness="different")(w, x)
    assert tuple(grads.shape) == (3, 8)
    assert set(grads.flatten().tolist()) <= {0.0, 2.0}
    assert not _samples_equal(grads)
