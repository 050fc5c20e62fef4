"""The small layers: ``F.prelu``/``nn.PReLU``, ``nn.RReLU``, ``F.rms_norm``/``nn.RMSNorm``,
``F.local_response_norm``/``nn.LocalResponseNorm``, ``F.dropout1d/2d/3d``,
``F.alpha_dropout``, ``F.feature_alpha_dropout`` and their modules, ``nn.Softmax2d``,
``F.pdist``, against PyTorch.

Deterministic ops: values, gradients, second-order gradients where PyTorch has them,
``grad_fn`` names, errors. Modules: reprs, parameters, initialization. The dropouts draw
from retrograd's generator, so their masks are not PyTorch's bits: their properties are
checked instead (scale, masks shared by a channel's features, SELU's mean and variance
kept), and their warnings, errors and eval-mode identity against PyTorch.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from module_oracle import built_in_both, compare_modules
from torch_oracle import assert_same_error, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


X4 = rand(2, 3, 4, 5)
X3 = rand(2, 5, 4, seed=1)
WITH_ZEROS = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])

# name -> (call, inputs, second order)
CASES = {
    "prelu-per-channel": (lambda m, x, w: F(m).prelu(x, w), (X4, rand(3, seed=2)), True),
    "prelu-one-slope": (lambda m, x, w: F(m).prelu(x, w), (X4, rand(1, seed=2)), True),
    "prelu-0d-slope-vector": (lambda m, x, w: F(m).prelu(x[0, 0, 0], w[0]), (X4, rand(1)), True),
    "prelu-at-zero": (lambda m, x, w: F(m).prelu(x, w), (WITH_ZEROS, rand(3, seed=3)), True),
    "prelu-squared": (lambda m, x, w: F(m).prelu(x * x - 1, w) ** 2, (X3, rand(5)), True),
    "prelu-float32": (
        lambda m, x, w: F(m).prelu(x, w),
        (X3.astype("float32"), rand(5).astype("float32")),
        True,
    ),
    "rms_norm": (lambda m, x: F(m).rms_norm(x, (5,)), (X4,), True),
    "rms_norm-weight-eps": (
        lambda m, x, w: F(m).rms_norm(x, [4, 5], w, eps=0.1),
        (X4, rand(4, 5, seed=4)),
        True,
    ),
    "rms_norm-float32": (
        lambda m, x: F(m).rms_norm(x, (4,)),
        (X3.astype("float32"),),
        True,
    ),
    "local_response_norm-3d": (lambda m, x: F(m).local_response_norm(x, 3), (X3,), True),
    "local_response_norm-4d": (
        lambda m, x: F(m).local_response_norm(x, 2, alpha=0.1, beta=0.5, k=2.0),
        (X4,),
        True,
    ),
    "local_response_norm-5d": (
        lambda m, x: F(m).local_response_norm(x.reshape(2, 3, 2, 2, 5), 4, alpha=0.3),
        (X4,),
        True,
    ),
    "local_response_norm-empty": (
        lambda m, x: F(m).local_response_norm(x[:, :0], 2),
        (X3,),
        False,
    ),
    "softmax2d": (lambda m, x: m.nn.Softmax2d()(x), (X4,), True),
    "softmax2d-3d": (lambda m, x: m.nn.Softmax2d()(x), (X3,), True),
    "pdist": (lambda m, x: F(m).pdist(x), (rand(5, 3),), False),
    "pdist-p1": (lambda m, x: F(m).pdist(x, 1), (rand(5, 3),), False),
    "pdist-p0.5": (lambda m, x: F(m).pdist(x, 0.5), (rand(4, 2),), False),
    "pdist-p3": (lambda m, x: F(m).pdist(x, 3), (rand(4, 2),), False),
    "pdist-inf": (lambda m, x: F(m).pdist(x, float("inf")), (rand(4, 2),), False),
    "pdist-p0": (lambda m, x: F(m).pdist(x, 0), (rand(4, 2),), False),
    "pdist-equal-rows": (lambda m, x: F(m).pdist(x[[0, 0, 1]]), (rand(4, 2),), False),
    "pdist-one-row": (lambda m, x: F(m).pdist(x[:1]), (rand(4, 2),), False),
    "dropout-eval": (lambda m, x: F(m).dropout2d(x, 0.5, training=False), (X4,), False),
    "alpha_dropout-eval": (lambda m, x: F(m).alpha_dropout(x, 0.5), (X4,), False),
    "dropout2d-all": (lambda m, x: F(m).dropout2d(x, 1.0), (X4,), False),
    "dropout1d-unbatched-none": (lambda m, x: F(m).dropout1d(x[0], 0.0), (X3,), False),
    "alpha_dropout-all": (lambda m, x: F(m).alpha_dropout(x, 1.0, True), (X4,), False),
    "feature_alpha_dropout-none": (
        lambda m, x: F(m).feature_alpha_dropout(x, 0.0, True),
        (X4,),
        False,
    ),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", CASES, ids=str)
def test_against_pytorch(case):
    fn, values, second_order = CASES[case]
    run_both(fn, list(values), second_order=second_order)


def test_pdist_second_order_is_differentiable():
    """PyTorch has no derivative of its pdist backward; ours is differentiable and its
    second derivative agrees with that of the same distances written out in ops."""
    x = retrograd.tensor(rand(4, 3), requires_grad=True)
    for p in (1.5, 2.0, 3.0):
        (g,) = retrograd.autograd.grad(F(retrograd).pdist(x, p).sum(), x, create_graph=True)
        (gg,) = retrograd.autograd.grad((g * g).sum(), x)
        rows, cols = np.triu_indices(4, 1)
        written = (x[rows.tolist()] - x[cols.tolist()]).abs().pow(p).sum(-1).pow(1 / p)
        (h,) = retrograd.autograd.grad(written.sum(), x, create_graph=True)
        (hh,) = retrograd.autograd.grad((h * h).sum(), x)
        np.testing.assert_allclose(gg.numpy(), hh.numpy(), rtol=1e-10, atol=1e-12)
    q = torch.tensor(rand(4, 3), requires_grad=True)
    (tg,) = torch.autograd.grad(torch.nn.functional.pdist(q).sum(), q, create_graph=True)
    with pytest.raises(NotImplementedError, match="_pdist_backward"):
        torch.autograd.grad((tg * tg).sum(), q)


ERRORS = {
    "prelu-weight-size": lambda m: F(m).prelu(m.ones(2, 3), m.ones(2)),
    "prelu-weight-dims": lambda m: F(m).prelu(m.ones(2, 3), m.ones(3, 1)),
    "prelu-vector-channels": lambda m: F(m).prelu(m.ones(3), m.ones(3)),
    "prelu-weight-number": lambda m: F(m).prelu(m.ones(2, 3), 0.1),
    "rms_norm-shape": lambda m: F(m).rms_norm(m.ones(2, 3, 4), (3,)),
    "rms_norm-weight": lambda m: F(m).rms_norm(m.ones(2, 3, 4), (4,), m.ones(3)),
    "rms_norm-too-many-dims": lambda m: F(m).rms_norm(m.ones(3, 4), [5, 3, 4]),
    "rms_norm-empty-shape": lambda m: F(m).rms_norm(m.ones(3, 4), []),
    "rms_norm-integers": lambda m: F(m).rms_norm(m.ones(3, 4, dtype=m.int64), [4]),
    "local_response_norm-dims": lambda m: F(m).local_response_norm(m.ones(2, 3), 2),
    "pdist-dims": lambda m: F(m).pdist(m.ones(2, 3, 4)),
    "pdist-integers": lambda m: F(m).pdist(m.ones(3, 2, dtype=m.int64)),
    "pdist-negative-p": lambda m: F(m).pdist(m.ones(3, 2), -1),
    "softmax2d-dims": lambda m: m.nn.Softmax2d()(m.ones(2, 3)),
    "dropout1d-dims": lambda m: F(m).dropout1d(m.ones(2, 3, 4, 5)),
    "dropout-p": lambda m: F(m).dropout2d(m.ones(2, 3, 4), 1.5),
    "alpha_dropout-p": lambda m: F(m).alpha_dropout(m.ones(2, 3), -0.5),
    "feature_alpha_dropout-p": lambda m: F(m).feature_alpha_dropout(m.ones(2, 3), 2.0),
    "feature_alpha_dropout-vector": lambda m: F(m).feature_alpha_dropout(m.ones(6), 0.5, True),
    "dropout-module-p": lambda m: m.nn.Dropout3d(1.2),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", ERRORS, ids=str)
def test_errors(case):
    assert_same_error(ERRORS[case])


# -- modules -------------------------------------------------------------------------------

REPRS = [
    "PReLU()", "PReLU(3, 0.1)", "RReLU()", "RReLU(0.1, 0.3, True)", "Softmax2d()",
    "RMSNorm(5)", "RMSNorm([4, 5], eps=1e-3, elementwise_affine=False)",
    "LocalResponseNorm(3)", "LocalResponseNorm(2, 0.1, 0.5, 2.0)", "Dropout1d()",
    "Dropout2d(0.2)", "Dropout3d(inplace=True)", "AlphaDropout(0.2)",
    "FeatureAlphaDropout()",
]  # fmt: skip


@pytest.mark.parametrize("spec", REPRS)
def test_module_repr_parameters_and_state(spec):
    ours, theirs = eval(f"retrograd.nn.{spec}"), eval(f"torch.nn.{spec}")
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), name)


MODULE_CASES = {
    "PReLU": (lambda lib: lib.nn.PReLU(), (X4,)),
    "PReLU-per-channel": (lambda lib: lib.nn.PReLU(3, 0.4), (X4,)),
    "RMSNorm": (lambda lib: lib.nn.RMSNorm([4, 5]), (X4,)),
    "RMSNorm-no-affine": (lambda lib: lib.nn.RMSNorm(5, 1e-3, False), (X4,)),
    "LocalResponseNorm": (lambda lib: lib.nn.LocalResponseNorm(2), (X4,)),
    "RReLU-eval": (lambda lib: lib.nn.RReLU(0.1, 0.3).eval(), (X4,)),
    "Dropout2d-eval": (lambda lib: lib.nn.Dropout2d().eval(), (X4,)),
    "AlphaDropout-eval": (lambda lib: lib.nn.AlphaDropout().eval(), (X4,)),
}


@pytest.mark.parametrize("case", MODULE_CASES, ids=str)
def test_modules_with_copied_weights(case):
    build, values = MODULE_CASES[case]
    ours, theirs = built_in_both(build)
    compare_modules(ours, theirs, lambda lib, module, x: module(x), list(values))


def test_rrelu_module_draws_slopes_in_its_bounds_while_training():
    module = retrograd.nn.RReLU(0.1, 0.3)
    x = -retrograd.rand(2000, dtype=retrograd.float64) - 0.5
    slopes = (module(x) / x).numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.01


# -- dropout's statistics ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape", "features"),
    [("dropout1d", (40, 30, 7), 7), ("dropout1d", (30, 7), 7), ("dropout2d", (40, 30, 3, 4), 12),
     ("dropout3d", (40, 30, 2, 2, 3), 12), ("dropout3d", (30, 2, 2, 3), 12)],
)  # fmt: skip
def test_channel_dropout_drops_whole_channels_and_scales(name, shape, features):
    retrograd.manual_seed(0)
    x = retrograd.ones(*shape, dtype=retrograd.float64, requires_grad=True)
    out = getattr(F(retrograd), name)(x, 0.4)
    values = out.detach().numpy().reshape(-1, features)
    # Each channel is all zeros or all 1 / (1 - p): one draw per (sample, channel).
    assert set(np.unique(values).round(12)) <= {0.0, round(1 / 0.6, 12)}
    assert (values == values[:, :1]).all()
    assert abs((values[:, 0] == 0).mean() - 0.4) < 0.08
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), out.detach().numpy())
    assert type(out.grad_fn).__name__ in ("MulBackward0", "SqueezeBackward1")


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_zero_mean_and_unit_variance(feature):
    retrograd.manual_seed(1)
    x = retrograd.randn(200, 100, 20, dtype=retrograd.float64)
    fn = F(retrograd).feature_alpha_dropout if feature else F(retrograd).alpha_dropout
    out = fn(x, 0.3, True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.var() - 1.0) < 0.03
    # The dropped elements all take one value: SELU's saturation, scaled and shifted.
    alpha, p = 1.7580993408473766, 0.3
    a = 1 / np.sqrt((alpha**2 * p + 1) * (1 - p))
    dropped = np.isclose(out, -alpha * a + alpha * a * p, rtol=1e-12, atol=0)
    assert abs(dropped.mean() - 0.3) < 0.02
    if feature:  # one draw per (sample, channel)
        assert (dropped == dropped[:, :, :1]).all()


def test_alpha_dropout_graph_matches_pytorchs():
    for lib in (retrograd, torch):
        x = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
        out = F(lib).alpha_dropout(x, 0.5, True)
        assert out.grad_fn.name() == "AddBackward0"
        assert out.grad_fn.next_functions[0][0].name() == "MulBackward0"


@pytest.mark.parametrize(
    "call",
    [lambda m, x: F(m).dropout2d(x[0], 0.5), lambda m, x: F(m).dropout2d(x[0, 0], 0.5),
     lambda m, x: F(m).dropout3d(x, 0.5), lambda m, x: F(m).dropout3d(x[0, 0], 0.5),
     lambda m, x: F(m).dropout2d(x, 0.5)],
)  # fmt: skip
def test_channel_dropout_warnings(call):
    said = []
    for lib in (torch, retrograd):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call(lib, lib.ones(2, 3, 4, 5))
        said.append([str(w.message) for w in caught])
    assert said[0] == said[1]


def test_dropout_modules_are_the_identity_in_eval_mode_and_drop_in_training():
    x = retrograd.ones(8, 6, 5, 4)
    for module in (retrograd.nn.Dropout2d(), retrograd.nn.AlphaDropout(),
                   retrograd.nn.FeatureAlphaDropout()):  # fmt: skip
        assert (module(x) != x).any()
        assert module.eval()(x) is x


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    "call",
    [lambda m, y: F(m).dropout1d(y, 0.5, inplace=True),
     lambda m, y: F(m).dropout1d(y, 0.5, training=False, inplace=True),
     lambda m, y: F(m).dropout2d(y, 0.5, inplace=True),
     lambda m, y: F(m).alpha_dropout(y, 0.5, True, inplace=True),
     lambda m, y: F(m).feature_alpha_dropout(y, 0.5, True, inplace=True)],
)  # fmt: skip
def test_in_place_dropouts_write_into_their_input(call):
    """The result is the input (reshaped back in place for an unbatched one), recorded
    with PyTorch's node."""
    names = []
    for lib in (torch, retrograd):
        y = lib.ones(3, 4, dtype=lib.float64, requires_grad=True) * 1
        out = call(lib, y)
        assert tuple(out.shape) in ((3, 4), (1, 3, 4))
        names.append(out.grad_fn.name())
    assert names[0] == names[1]
