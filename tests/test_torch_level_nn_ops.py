"""The torch-level names of nn.functional's activations and losses (``torch.selu``,
``torch.kl_div``, ...), the in-place functional forms (``F.elu_``, ``torch.celu_``, ...),
their ``...Backward1`` nodes, and ``rrelu``, against PyTorch.

Values, gradients, ``grad_fn`` names, errors (type and PyTorch's text first), in-place
semantics (leaves, views, version counters); rrelu's random stream against PyTorch's
(same seed, same numbers) and its reproducibility. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same_error, grad_fn_name, host, make, run_both
from torch_oracle import rand as _rand

torch = pytest.importorskip("torch")

# Wider than the shared default: these functions' kinks lie beyond +-2.
rand = functools.partial(_rand, low=-4.0, high=4.0)


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


# -- torch-level functions ------------------------------------------------------------------

ACTIVATIONS = {
    "selu": lambda m, x: m.selu(x),
    "celu": lambda m, x: m.celu(x),
    "celu-alpha": lambda m, x: m.celu(x, 0.7),
    "threshold": lambda m, x: m.threshold(x, 0.5, -2.0),
    "hardshrink": lambda m, x: m.hardshrink(x),
    "hardshrink-lambd": lambda m, x: m.hardshrink(x, 1.5),
    "Tensor.hardshrink": lambda m, x: x.hardshrink(1.0),
    "rrelu-eval": lambda m, x: m.rrelu(x),
    "rrelu-eval-bounds": lambda m, x: m.rrelu(x, 0.2, 0.4, False),
    "F.rrelu-eval": lambda m, x: F(m).rrelu(x, 0.1, 0.3),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_torch_level_activations(name, dtype):
    run_both(ACTIVATIONS[name], [rand(4, 6, dtype=dtype)])


def _targets(seed=3):
    return np.where(np.random.default_rng(seed).uniform(size=4) > 0.5, 1.0, -1.0)


# name -> (call, inputs); each with every reduction enum PyTorch reads (and the default).
LOSSES = {
    "kl_div": (
        lambda m, x, t, r: m.kl_div(x, t, *r),
        lambda: [rand(4, 5), rand(4, 5, seed=1, low=0.1, high=1.0)],
    ),
    "kl_div-log_target": (
        lambda m, x, t, r: m.kl_div(x, t, *r, log_target=True),
        lambda: [rand(4, 5), rand(4, 5, seed=1)],
    ),
    "margin_ranking_loss": (
        lambda m, a, b, t, r: m.margin_ranking_loss(a, b, t, 0.3, *r),
        lambda: [rand(4), rand(4, seed=1), _targets()],
    ),
    "hinge_embedding_loss": (
        lambda m, x, t, r: m.hinge_embedding_loss(x, t, 1.5, *r),
        lambda: [rand(4), _targets()],
    ),
    "cosine_embedding_loss": (
        lambda m, a, b, t, r: m.cosine_embedding_loss(a, b, t, 0.1, *r),
        lambda: [rand(4, 3), rand(4, 3, seed=1), _targets()],
    ),
    "poisson_nll_loss": (
        lambda m, x, t, r: m.poisson_nll_loss(x, t, True, True, 1e-8, *(r or (0,))),
        lambda: [rand(4, 3, low=-1, high=1), rand(4, 3, seed=1, low=0.0, high=3.0)],
    ),
    "poisson_nll_loss-not-log": (
        lambda m, x, t, r: m.poisson_nll_loss(x, t, False, False, 1e-6, *(r or (1,))),
        lambda: [rand(4, 3, low=0.5, high=2), rand(4, 3, seed=1, low=0.0, high=3.0)],
    ),
    "triplet_margin_loss": (
        lambda m, a, p, n, r: m.triplet_margin_loss(a, p, n, 1.0, 2.0, 1e-6, False, *r),
        lambda: [rand(4, 3), rand(4, 3, seed=1), rand(4, 3, seed=2)],
    ),
    "triplet_margin_loss-swap-p1": (
        lambda m, a, p, n, r: m.triplet_margin_loss(a, p, n, margin=0.5, p=1.0, swap=True),
        lambda: [rand(4, 3), rand(4, 3, seed=1), rand(4, 3, seed=2)],
    ),
    # F refuses a margin <= 0; PyTorch's C++ function takes it.
    "triplet_margin_loss-negative-margin": (
        lambda m, a, p, n, r: m.triplet_margin_loss(a, p, n, margin=-0.5, reduction=2),
        lambda: [rand(4, 3), rand(4, 3, seed=1), rand(4, 3, seed=2)],
    ),
    "cosine_similarity": (
        lambda m, a, b, r: m.cosine_similarity(a, b, *r[:1]) if r else m.cosine_similarity(a, b),
        lambda: [rand(4, 3), rand(4, 3, seed=1)],
    ),
    "pairwise_distance": (
        lambda m, a, b, r: m.pairwise_distance(a, b, 1.5, 1e-6, bool(r)),
        lambda: [rand(4, 3), rand(4, 3, seed=1)],
    ),
}
# () is PyTorch's default (which it reads as no reduction); 3 and -1 are not reduced either.
REDUCTIONS = [(), (0,), (1,), (2,), (3,), (-1,)]


@pytest.mark.parametrize("reduction", REDUCTIONS, ids=str)
@pytest.mark.parametrize("name", list(LOSSES))
def test_torch_level_losses(name, reduction):
    call, inputs = LOSSES[name]
    run_both(lambda m, *xs: call(m, *xs, reduction), inputs())


def test_torch_level_losses_need_the_int_reduction():
    """``reduction='mean'`` is F's; torch's C functions want the enum (PyTorch's text)."""
    calls = [
        lambda m, x: m.kl_div(x, x, "mean"),
        lambda m, x: m.kl_div(x, x, True),
        lambda m, x: m.margin_ranking_loss(x, x, x, 0.0, "sum"),
        lambda m, x: m.hinge_embedding_loss(x, x, reduction="none"),
        lambda m, x: m.cosine_embedding_loss(x[None], x[None], x[:1], reduction=1.0),
        lambda m, x: m.poisson_nll_loss(x, x, True, False, 1e-8),
        lambda m, x: m.triplet_margin_loss(x, x, "x"),
        lambda m, x: m.pairwise_distance(x, x, "2"),
        lambda m, x: m.threshold(x, x, 1.0),
        lambda m, x: m.selu(x, inplace=True),
        lambda m, x: m.celu(x, alpha=None),
        lambda m, x: F(m).leaky_relu_(x * 1, "a"),
        lambda m, x: F(m).elu_(x.long()),
        lambda m, x: m.threshold_(x.bool(), 0, 1),
        lambda m, x: F(m).rrelu(x, 0.3, 0.1, training=True),
        lambda m, x: m.celu_(x * 1, 0),
    ]
    for call in calls:
        _same_error(call, [1.0, 2.0, 3.0])


_same_error = assert_same_error


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.hardshrink(x),
        lambda m, x: m.selu(x),
        lambda m, x: m.celu(x, 0),
        lambda m, x: m.rrelu(x),
        lambda m, x: m.rrelu(x.double(), 0.5, 0.2),
        lambda m, x: m.rrelu(x.double(), 0.5, 0.2, True),
        lambda m, x: m.triplet_margin_loss(x.double(), x.double(), x.double()[0]),
    ],
)
def test_torch_level_errors(call):
    _same_error(call, [[1, -2], [3, 4]])


def test_surface_matches_pytorch():
    """The functions exist where PyTorch has them, and the Tensor methods only where
    PyTorch's do."""
    names = ["selu", "celu", "threshold", "hardshrink", "rrelu", "selu_", "celu_", "threshold_",
             "rrelu_", "kl_div", "cosine_similarity", "pairwise_distance", "margin_ranking_loss",
             "hinge_embedding_loss", "cosine_embedding_loss", "poisson_nll_loss",
             "triplet_margin_loss"]  # fmt: skip
    for name in names:
        assert callable(getattr(retrograd, name)), name
        assert getattr(retrograd, name).__name__ == name
        for suffix in ("", "_"):
            method = name.rstrip("_") + suffix
            assert hasattr(retrograd.Tensor, method) == hasattr(torch.Tensor, method), method
    inplace = ["relu_", "elu_", "celu_", "selu_", "leaky_relu_", "hardtanh_", "threshold_",
               "rrelu", "rrelu_"]  # fmt: skip
    for name in inplace:
        assert hasattr(F(torch), name) and callable(getattr(F(retrograd), name)), name


# -- in-place forms and their nodes ---------------------------------------------------------

INPLACE = {
    "F.relu_": lambda m, x: F(m).relu_(x),
    "F.elu_": lambda m, x: F(m).elu_(x, 0.7),
    "F.elu-inplace": lambda m, x: F(m).elu(x, inplace=True),
    "F.celu_": lambda m, x: F(m).celu_(x, 0.7),
    "F.celu-inplace": lambda m, x: F(m).celu(x, 1.3, inplace=True),
    "torch.celu_": lambda m, x: m.celu_(x, 0.7),
    "F.selu_": lambda m, x: F(m).selu_(x),
    "F.selu-inplace": lambda m, x: F(m).selu(x, inplace=True),
    "torch.selu_": lambda m, x: m.selu_(x),
    "F.leaky_relu_": lambda m, x: F(m).leaky_relu_(x, 0.2),
    "F.leaky_relu-inplace": lambda m, x: F(m).leaky_relu(x, inplace=True),
    "F.hardtanh_": lambda m, x: F(m).hardtanh_(x, -0.5, 2.0),
    "F.hardtanh_-crossed-bounds": lambda m, x: F(m).hardtanh_(x, 2.0, 1.0),
    "F.threshold_": lambda m, x: F(m).threshold_(x, 0.1, -2.0),
    # value > threshold: the rule reads the old value (PyTorch clones it), not the result
    "torch.threshold_-above": lambda m, x: m.threshold_(x, 0.1, 2.0),
    "F.threshold-inplace": lambda m, x: F(m).threshold(x, 0.1, 2.0, inplace=True),
    "torch.rrelu_-eval": lambda m, x: m.rrelu_(x, 0.1, 0.3),
    "F.rrelu_-eval": lambda m, x: F(m).rrelu_(x),
    "F.rrelu-inplace-eval": lambda m, x: F(m).rrelu(x, inplace=True),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_forms_names_values_gradients(name, dtype):
    fn = INPLACE[name]
    run_both(lambda m, x: fn(m, x * 1), [rand(3, 4, dtype=dtype)])


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_forms_write_into_the_tensor_and_refuse_leaves(name):
    fn = INPLACE[name]
    for m in (retrograd, torch):
        x = make(m, rand(3, 4))
        y = x * 1
        out = fn(m, y)
        assert out is y and y._version == 1
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            fn(m, x)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable"):
            fn(m, x[0])
    # without grad, a leaf is written
    ours, theirs = make(retrograd, rand(3, 4), False), make(torch, rand(3, 4), False)
    fn(retrograd, ours), fn(torch, theirs)
    np.testing.assert_allclose(host(ours), host(theirs), rtol=1e-12)


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_forms_through_a_view(name):
    """Written through a view of a non-leaf: the base's history is rebased, the gradient
    is PyTorch's inside and outside the view."""
    fn = INPLACE[name]

    def call(m, x):
        y = x * 1
        fn(m, y[1:])
        return y

    run_both(call, [rand(3, 4)], check_name=True)


@pytest.mark.parametrize(
    "name", ["F.elu_", "F.celu_", "F.selu_", "F.leaky_relu_", "F.threshold_", "torch.rrelu_-eval"]
)
def test_result_nodes_see_a_later_write(name):
    """The nodes that saved the result fail the backward once it is written again;
    threshold_'s saved the old value (a copy), so it does not."""
    fn = INPLACE[name]
    for m in (retrograd, torch):
        x = make(m, rand(3, 4))
        y = fn(m, x * 1)
        y.mul_(2)
        if name == "F.threshold_":
            y.sum().backward()
            continue
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_in_place_leaky_relu_with_a_negative_slope_refuses_backward():
    messages = []
    for m in (retrograd, torch):
        x = make(m, rand(3, 4))
        y = F(m).leaky_relu_(x * 1, -0.5)
        with pytest.raises(RuntimeError) as error:
            y.sum().backward()
        messages.append(str(error.value))
    assert messages[0].startswith(messages[1][:120])


def test_celu_in_place_gradient_is_pytorchs_to_the_last_bit():
    grads = []
    for m in (retrograd, torch):
        x = make(m, rand(3, 4))
        F(m).celu(x * 1, 0.7, inplace=True).sum().backward()
        grads.append(host(x.grad))
    np.testing.assert_array_equal(grads[0], grads[1])


def test_in_place_result_nodes_second_order():
    for name in ("F.elu_", "F.celu_", "F.selu_", "F.leaky_relu_"):
        fn = INPLACE[name]
        run_both(lambda m, x, fn=fn: fn(m, x * 1) * x, [rand(3, 4)], second_order=True)


# -- rrelu's random stream ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_rrelu_training_draws_pytorchs_numbers(seed, dtype):
    """With one seed both libraries draw the same slopes (one 64-bit draw per element
    <= 0, in row-major order), so values, gradients and the generator's state after
    agree; NaN draws nothing."""
    values = rand(5, 6, seed=seed, dtype=dtype)
    values[0, 0], values[1, 2] = 0.0, np.nan

    def call(m, x):
        m.manual_seed(seed)
        return m.rrelu(x * 1, 0.1, 0.6, True)

    run_both(call, [values])
    run_both(lambda m, x: F(m).rrelu(call(m, x) * 1, training=True, inplace=True), [values])
    retrograd.manual_seed(seed), torch.manual_seed(seed)
    retrograd.rrelu(retrograd.tensor(values), training=True)
    torch.rrelu(torch.tensor(values), training=True)
    assert retrograd.rand(3).tolist() == torch.rand(3).tolist()


def test_rrelu_noncontiguous_input_draws_in_row_major_order():
    values = rand(4, 5, seed=3)

    def call(m, x):
        m.manual_seed(11)
        return m.rrelu(x.t(), training=True)

    run_both(call, [values])


def test_rrelu_generator_and_reproducibility():
    x = retrograd.tensor(rand(6, 7, seed=4))
    g1, g2 = retrograd.Generator().manual_seed(5), retrograd.Generator().manual_seed(5)
    a = retrograd.rrelu(x, training=True, generator=g1)
    b = retrograd.rrelu(x, training=True, generator=g2)
    assert a.tolist() == b.tolist()
    c = retrograd.rrelu(x, training=True, generator=g1)
    assert a.tolist() != c.tolist()
    # the slopes lie in [lower, upper), where the input is negative
    slopes = (a / x).numpy()[x.numpy() < 0]
    assert ((slopes >= 1 / 8) & (slopes < 1 / 3)).all() and slopes.std() > 0
    assert np.array_equal(a.numpy()[x.numpy() > 0], x.numpy()[x.numpy() > 0])
    t = torch.rrelu(torch.tensor(rand(6, 7, seed=4)), training=True,
                    generator=torch.Generator().manual_seed(5))  # fmt: skip
    np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_rrelu_refused_in_place_call_draws_nothing():
    for m in (retrograd, torch):
        x = make(m, rand(3, 4))
        m.manual_seed(1)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            m.rrelu_(x, training=True)
        after = m.rand(2).tolist()
        m.manual_seed(1)
        assert m.rand(2).tolist() == after


def test_grad_fn_names_of_in_place_forms_match():
    for name, fn in INPLACE.items():
        names = []
        for m in (retrograd, torch):
            names.append(grad_fn_name(fn(m, make(m, rand(2, 3)) * 1)))
        assert names[0] == names[1], (name, names)
