"""nn.functional's further activations and losses, and their modules, against PyTorch.

Values, gradients (second order where smooth), ``grad_fn`` names, at ordinary points and
at PyTorch's special ones (kinks, NaN, +-inf, -0.0); in-place forms; errors (type and
PyTorch's text first); module constructors and reprs. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import functools
import re
import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same_error, grad_fn_name, host, make, run_both
from torch_oracle import rand as _rand

torch = pytest.importorskip("torch")

# Wider than the shared default: these functions' kinks lie beyond +-2.
rand = functools.partial(_rand, low=-4.0, high=4.0)

SPECIAL = np.array([np.inf, -np.inf, -0.0, 0.0, -1.0, 1.0, -3.0, 3.0, 6.0, 0.5, -0.5])


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


# name -> (call, smooth): smooth ops also have their second order compared.
ACTIVATIONS = {
    "hardtanh": (lambda m, x: F(m).hardtanh(x), False),
    "hardtanh-bounds": (lambda m, x: F(m).hardtanh(x, -0.5, 2.0), False),
    "relu6": (lambda m, x: F(m).relu6(x), False),
    "hardsigmoid": (lambda m, x: F(m).hardsigmoid(x), False),
    "hardswish": (lambda m, x: F(m).hardswish(x), False),
    "selu": (lambda m, x: F(m).selu(x), False),
    "celu": (lambda m, x: F(m).celu(x), False),
    "celu-alpha": (lambda m, x: F(m).celu(x, alpha=0.5), False),
    "glu": (lambda m, x: F(m).glu(x), True),
    "glu-dim0": (lambda m, x: F(m).glu(x[:2], 0), True),
    "mish": (lambda m, x: F(m).mish(x), True),
    "softsign": (lambda m, x: F(m).softsign(x), True),
    "logsigmoid": (lambda m, x: F(m).logsigmoid(x), True),
    "softmin": (lambda m, x: F(m).softmin(x, dim=1), True),
    "softmin-dim0-dtype": (lambda m, x: F(m).softmin(x, 0, dtype=m.float64), False),
    "tanhshrink": (lambda m, x: F(m).tanhshrink(x), True),
    "threshold": (lambda m, x: F(m).threshold(x, 0.5, -2.0), False),
    "hardshrink": (lambda m, x: F(m).hardshrink(x), False),
    "hardshrink-lambd": (lambda m, x: F(m).hardshrink(x, 1.5), False),
    "softshrink": (lambda m, x: F(m).softshrink(x), False),
    "softshrink-lambd": (lambda m, x: F(m).softshrink(x, 1.0), False),
}
ELEMENTWISE = [n for n in ACTIVATIONS if not n.startswith(("glu", "softmin"))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_values_gradients_and_grad_fn(name, dtype):
    fn, smooth = ACTIVATIONS[name]
    run_both(fn, [rand(4, 6, dtype=dtype)], second_order=smooth and dtype == "float64")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_at_kinks_nan_inf_and_signed_zero(name, dtype):
    """PyTorch's value and gradient at its kinks (-3, -1, -0.5, 0, 0.5, 1, 3, 6), +-inf,
    -0.0 and NaN; and the sign of each zero it returns.

    At NaN, PyTorch's gradient depends on which of its CPU loops ran (its scalar loop,
    for small tensors, lets the gradient through where its vectorized one gives 0 or
    NaN, by dtype and size): retrograd follows the scalar loop, the formula PyTorch's
    backward states, so NaN is checked on one element."""
    fn, _ = ACTIVATIONS[name]
    run_both(fn, [SPECIAL.astype(dtype)])
    run_both(fn, [np.array([np.nan], dtype=dtype)])
    # The sign of a zero result, one element at a time (the scalar loop again: softshrink's
    # vectorized float64 loop gives +0.0 where its scalar loop gives -0.0).
    for value in SPECIAL.astype(dtype):
        o = host(fn(retrograd, make(retrograd, value.reshape(1), False)))
        t = host(fn(torch, make(torch, value.reshape(1), False)))
        assert np.signbit(o) == np.signbit(t), (value, o, t)


INPLACE = {
    "hardtanh": lambda m, x: F(m).hardtanh(x, -0.5, 0.5, inplace=True),
    "relu6": lambda m, x: F(m).relu6(x, inplace=True),
    "hardsigmoid": lambda m, x: F(m).hardsigmoid(x, inplace=True),
    "hardswish": lambda m, x: F(m).hardswish(x, inplace=True),
    "mish": lambda m, x: F(m).mish(x, inplace=True),
    "selu": lambda m, x: F(m).selu(x, inplace=True),
    "celu": lambda m, x: F(m).celu(x, 0.7, inplace=True),
    "threshold": lambda m, x: F(m).threshold(x, 0.1, 2.0, inplace=True),
}
# PyTorch's in-place selu_/celu_/threshold_ record the "1" nodes (EluBackward1 and
# CeluBackward1 read the result, ThresholdBackward1 a copy of the old value); so does
# retrograd (retrograd/ops/result_activations.py).
RESULT_NODES = {"selu": "EluBackward1", "celu": "CeluBackward1", "threshold": "ThresholdBackward1"}


@pytest.mark.parametrize("name", list(INPLACE))
def test_in_place_forms(name):
    fn = INPLACE[name]
    run_both(lambda m, x: fn(m, x * 1), [rand(3, 4)])
    x = retrograd.tensor(rand(3, 4), requires_grad=True)
    y = x * 1
    out = fn(retrograd, y)
    assert out is y and y._version == 1
    if name in RESULT_NODES:
        assert grad_fn_name(out) == RESULT_NODES[name]
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        fn(retrograd, x)


_same_error = assert_same_error


@pytest.mark.parametrize("value", [[1, -2, 3, 4], [True, False, True, True]], ids=["int", "bool"])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_integer_and_bool_inputs(name, value):
    fn, _ = ACTIVATIONS[name]
    call = (lambda m, x: fn(m, x.reshape(2, 2))) if name.startswith("glu") else fn
    try:
        theirs = call(torch, torch.tensor(value))
    except Exception:  # noqa: BLE001 - whatever PyTorch raises, retrograd must
        _same_error(call, value)
        return
    ours = call(retrograd, retrograd.tensor(value))
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(host(ours), host(theirs), rtol=1e-6)


BAD_CALLS = {
    "hardtanh-bounds": lambda m, x: F(m).hardtanh(x, 2.0, 1.0),
    "softshrink-negative": lambda m, x: F(m).softshrink(x, -1.0),
    "celu-zero-alpha": lambda m, x: F(m).celu(x, 0.0),
    "glu-odd": lambda m, x: F(m).glu(x[:, :3]),
    "glu-odd-dim0": lambda m, x: F(m).glu(x[:3], 0),
    "glu-scalar": lambda m, x: F(m).glu(x[0, 0]),
    "glu-dim-range": lambda m, x: F(m).glu(x, 2),
    "huber-shapes": lambda m, x: F(m).huber_loss(x, x[:, :3]),
    "huber-delta": lambda m, x: F(m).huber_loss(x, x, delta=0.0),
    "huber-reduction": lambda m, x: F(m).huber_loss(x, x, reduction="avg"),
    "huber-weight-size": lambda m, x: F(m).huber_loss(x, x, weight=x[0]),
    "smooth_l1-beta": lambda m, x: F(m).smooth_l1_loss(x, x, beta=-1.0),
    "smooth_l1-reduction": lambda m, x: F(m).smooth_l1_loss(x, x, reduction="avg"),
    "kl_div-reduction": lambda m, x: F(m).kl_div(x, x, reduction="avg"),
    "kl_div-shapes": lambda m, x: F(m).kl_div(x, x[:, :3], reduction="sum"),
    "cosine-shapes": lambda m, x: F(m).cosine_similarity(x, x[:, :3]),
    "cosine-dim": lambda m, x: F(m).cosine_similarity(x, x, dim=2),
    "cosine-int": lambda m, x: F(m).cosine_similarity(x.long(), x.long()),
    "huber-int": lambda m, x: F(m).huber_loss(x.long(), x.long()),
    "smooth_l1-int": lambda m, x: F(m).smooth_l1_loss(x.long(), x.long()),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_bad_arguments_raise_pytorchs_errors(name):
    _same_error(BAD_CALLS[name], rand(4, 4).tolist())


# -- losses --------------------------------------------------------------------------------
X, T = rand(3, 5), rand(3, 5, seed=1)
LOSSES = {
    "huber": lambda m, a, b: F(m).huber_loss(a, b),
    "huber-sum-delta": lambda m, a, b: F(m).huber_loss(a, b, reduction="sum", delta=2.5),
    "huber-none": lambda m, a, b: F(m).huber_loss(a, b, reduction="none", delta=0.5),
    "huber-weight": lambda m, a, b: F(m).huber_loss(a, b, weight=b.detach().abs()),
    "huber-weight-none": lambda m, a, b: F(m).huber_loss(
        a, b, reduction="none", weight=b.detach().abs()
    ),
    "smooth_l1": lambda m, a, b: F(m).smooth_l1_loss(a, b),
    "smooth_l1-sum-beta": lambda m, a, b: F(m).smooth_l1_loss(a, b, reduction="sum", beta=2.5),
    "smooth_l1-none": lambda m, a, b: F(m).smooth_l1_loss(a, b, reduction="none", beta=0.5),
    "smooth_l1-beta0": lambda m, a, b: F(m).smooth_l1_loss(a, b, beta=0.0),
    "kl_div-batchmean": lambda m, a, b: F(m).kl_div(a, b.abs(), reduction="batchmean"),
    "kl_div-sum": lambda m, a, b: F(m).kl_div(a, b.abs(), reduction="sum"),
    "kl_div-none": lambda m, a, b: F(m).kl_div(a, b.abs(), reduction="none"),
    "kl_div-log_target": lambda m, a, b: F(m).kl_div(a, b, reduction="batchmean", log_target=True),
    "kl_div-log_target-none": lambda m, a, b: F(m).kl_div(a, b, reduction="none", log_target=True),
    "cosine": lambda m, a, b: F(m).cosine_similarity(a, b),
    "cosine-dim0-eps": lambda m, a, b: F(m).cosine_similarity(a, b, dim=0, eps=0.1),
    "cosine-broadcast": lambda m, a, b: F(m).cosine_similarity(a, b[:1], dim=-1),
}
SMOOTH_LOSSES = {"kl_div-batchmean", "kl_div-sum", "kl_div-log_target", "cosine", "cosine-dim0-eps"}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_values_gradients_and_grad_fn(name, dtype):
    second = name in SMOOTH_LOSSES and dtype == "float64"
    run_both(LOSSES[name], [X.astype(dtype), T.astype(dtype)], second_order=second)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["huber_loss", "smooth_l1_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_huber_and_smooth_l1_at_their_kinks_and_nan(name, reduction):
    """Differences of exactly +-delta (+-beta), 0, -0.0, NaN and +-inf."""
    a = np.array([1.5, -0.5, 0.0, -0.0, np.nan, 2.0, np.inf, 0.25])
    t = np.array([0.5, 0.5, 0.0, 0.0, 0.0, np.nan, 0.0, -np.inf])
    width = "delta" if name == "huber_loss" else "beta"
    run_both(lambda m, x, y: getattr(F(m), name)(x, y, reduction=reduction, **{width: 1.0}), [a, t])


@pytest.mark.parametrize("name", ["huber_loss", "smooth_l1_loss"])
def test_broadcasting_warns_and_records_the_expansion(name):
    def call(m, a, b):
        with pytest.warns(UserWarning, match=re.escape("Using a target size (")):
            return getattr(F(m), name)(a, b)

    run_both(call, [rand(3, 4), rand(4, seed=3)])


def test_kl_div_mean_warns_as_pytorch_and_divides_by_every_element():
    message = "reduction: 'mean' divides the total loss by both the batch size"
    for lib in (retrograd, torch):
        with pytest.warns(UserWarning, match=re.escape(message)) as record:
            F(lib).kl_div(lib.tensor(X), lib.tensor(T).abs())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(lambda m, a, b: F(m).kl_div(a, b.abs()), [X, T])
    ours_message = str(record[0].message)
    assert ours_message.startswith(message)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_kl_div_zero_and_negative_targets():
    """``xlogy(t, t)`` is 0 at ``t = 0``, NaN below 0; the input's gradient is ``-t``."""
    t = np.array([[0.0, 0.5, -0.25], [1.0, 0.0, 2.0]])
    run_both(lambda m, a, b: F(m).kl_div(a, b.detach(), reduction="sum"), [X[:2, :3], t])


def _node_names(fn, depth=3):
    """The class names of a graph's nodes, depth first, ``depth`` levels down."""
    if fn is None or depth == 0:
        return []
    return [type(fn).__name__] + [
        n for f, _ in fn.next_functions for n in _node_names(f, depth - 1)
    ]


def test_cosine_similarity_of_zero_vectors_and_its_graph():
    a = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [1e-9, 0.0, 0.0]])
    b = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])
    run_both(lambda m, x, y: F(m).cosine_similarity(x, y), [a, b])
    ours = F(retrograd).cosine_similarity(make(retrograd, a), make(retrograd, b))
    theirs = F(torch).cosine_similarity(make(torch, a), make(torch, b))
    assert _node_names(ours.grad_fn) == _node_names(theirs.grad_fn)


def test_kl_div_is_composed_of_xlogy_and_its_target_gradient_at_zero_is_pytorchs():
    """PyTorch's ``xlogy(t, t) - t * x``: the graph's nodes, and the target's gradient
    (``log t + 1 - x``: nan where ``t`` is 0, as ``XlogyBackward0`` gives)."""
    x = np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]]))
    t = np.array([[0.0, 0.5, 0.5], [0.2, 0.2, 0.6]])
    grads, graphs = [], []
    for lib in (retrograd, torch):
        a, b = make(lib, x), make(lib, t)
        loss = F(lib).kl_div(a, b, reduction="batchmean")
        loss.backward()
        graphs.append(_node_names(loss.grad_fn, depth=4))
        grads.append(b.grad.detach().numpy())
    assert graphs[0] == graphs[1] and "XlogyBackward0" in graphs[0]
    np.testing.assert_array_equal(np.isnan(grads[0]), t == 0)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, equal_nan=True)


# -- modules -------------------------------------------------------------------------------
MODULES = [
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2.0, 2.0, True), {}),
    ("ReLU6", (), {}),
    ("ReLU6", (True,), {}),
    ("Hardsigmoid", (True,), {}),
    ("Hardswish", (), {}),
    ("SELU", (True,), {}),
    ("CELU", (0.5,), {}),
    ("CELU", (), {"inplace": True}),
    ("GLU", (), {}),
    ("GLU", (0,), {}),
    ("Mish", (), {}),
    ("Softsign", (), {}),
    ("LogSigmoid", (), {}),
    ("Softmin", (1,), {}),
    ("Tanhshrink", (), {}),
    ("Threshold", (0.1, 20.0), {}),
    ("Threshold", (0.1, 20.0, True), {}),
    ("Hardshrink", (), {}),
    ("Softshrink", (1.5,), {}),
    ("HuberLoss", (), {}),
    ("HuberLoss", ("sum", 0.5), {}),
    ("SmoothL1Loss", (), {"beta": 0.5}),
    ("KLDivLoss", (), {"reduction": "batchmean", "log_target": True}),
    ("CosineSimilarity", (), {"dim": 0, "eps": 1e-6}),
]
TWO_INPUTS = {"HuberLoss", "SmoothL1Loss", "KLDivLoss", "CosineSimilarity"}


@pytest.mark.parametrize(("name", "args", "kwargs"), MODULES, ids=lambda v: str(v))
def test_modules_repr_and_forward(name, args, kwargs):
    ours = getattr(retrograd.nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert ours.extra_repr() == theirs.extra_repr()
    inputs = [rand(4, 6), rand(4, 6, seed=5)] if name in TWO_INPUTS else [rand(4, 6)]
    run_both(lambda m, *xs: (ours if m is retrograd else theirs)(*[x * 1 for x in xs]), inputs)


def test_hardtanh_module_deprecated_keywords():
    for lib in (retrograd, torch):
        with pytest.warns(FutureWarning, match="keyword argument `min_value` is deprecated"):
            m = lib.nn.Hardtanh(min_value=-3.0)
        assert repr(m) == "Hardtanh(min_val=-3.0, max_val=1.0)"


def test_softmin_without_dim_warns_as_pytorch():
    x = rand(2, 3)
    for lib in (retrograd, torch):
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmin") as rec:
            F(lib).softmin(lib.tensor(x))
        assert rec[0].filename == __file__
