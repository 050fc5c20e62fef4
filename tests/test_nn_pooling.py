"""nn.functional's pooling (max, average, adaptive, power-average, max unpooling, 1-3d)
and the pooling layers, against PyTorch.

Values, first and second-order gradients, ``grad_fn`` names and the graph a few levels
down (PyTorch's 1-d forms are ``SqueezeBackward1`` over its 2-d node over
``UnsqueezeBackward0``); the indices max pooling returns, with ties, NaN and ``-inf`` in
windows and padding (PyTorch takes the last NaN, else the first maximum inside the
input); integer inputs; errors (type and PyTorch's text first); module reprs and
outputs. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, graph_tree, make, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


X1 = rand(2, 3, 9)
X2 = rand(2, 3, 7, 6, seed=1)
X3 = rand(2, 2, 5, 6, 4, seed=2)
U2 = rand(3, 5, 5, seed=3)  # unbatched
POSITIVE2 = rand(2, 3, 6, 5, seed=4, low=0.2, high=2.0)
POSITIVE3 = rand(1, 2, 4, 4, 4, seed=5, low=0.2, high=2.0)


def _special(shape: tuple, seed: int) -> np.ndarray:
    """Ties (values on a coarse grid), NaNs and ``-inf``s, some windows all ``-inf``."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, size=shape).astype("float64")
    flat = x.reshape(-1)
    flat[rng.choice(flat.size, flat.size // 9, replace=False)] = np.nan
    flat[rng.choice(flat.size, flat.size // 5, replace=False)] = -np.inf
    x[..., :2, :2] = -np.inf
    return x


S2 = _special((2, 2, 7, 6), 6)
S3 = _special((1, 2, 5, 5, 4), 7)
S1 = _special((2, 3, 11), 8)

# name -> (call, inputs, second order)
CASES = {
    "max_pool1d": (lambda m, x: F(m).max_pool1d(x, 2), (X1,), False),
    "max_pool1d-pad-dilation-ceil": (
        lambda m, x: F(m).max_pool1d(x, 3, 2, 1, 2, ceil_mode=True),
        (X1,),
        False,
    ),
    "max_pool2d": (lambda m, x: F(m).max_pool2d(x, 2), (X2,), False),
    "max_pool2d-overlap-pad": (lambda m, x: F(m).max_pool2d(x, 3, 1, 1), (X2,), False),
    "max_pool2d-ceil-dilation": (
        lambda m, x: F(m).max_pool2d(x, (2, 3), (2, 1), (1, 0), (2, 1), ceil_mode=True),
        (X2,),
        False,
    ),
    "max_pool2d-unbatched": (lambda m, x: F(m).max_pool2d(x, 2, 1), (U2,), False),
    "max_pool2d-squared": (lambda m, x: F(m).max_pool2d(x * x, 3, 2, 1) ** 2, (X2,), True),
    "max_pool3d": (lambda m, x: F(m).max_pool3d(x, 2), (X3,), False),
    "max_pool3d-pad-ceil": (
        lambda m, x: F(m).max_pool3d(x, (3, 2, 2), 2, (1, 1, 0), ceil_mode=True),
        (X3,),
        False,
    ),
    "max_pool3d-squared": (lambda m, x: F(m).max_pool3d(x * x, 2, 1) ** 2, (X3,), True),
    "avg_pool1d": (lambda m, x: F(m).avg_pool1d(x, 3, 2, 1), (X1,), False),
    "avg_pool1d-ceil-exclude-pad": (
        lambda m, x: F(m).avg_pool1d(x, 4, 3, 2, ceil_mode=True, count_include_pad=False),
        (X1,),
        False,
    ),
    "avg_pool2d": (lambda m, x: F(m).avg_pool2d(x, 2), (X2,), False),
    "avg_pool2d-ceil-exclude-pad": (
        lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        (X2,),
        False,
    ),
    "avg_pool2d-divisor": (
        lambda m, x: F(m).avg_pool2d(x, (3, 2), 1, (1, 0), divisor_override=5),
        (X2,),
        False,
    ),
    "avg_pool2d-unbatched": (lambda m, x: F(m).avg_pool2d(x, 2, 1, 1), (U2,), False),
    "avg_pool2d-squared": (lambda m, x: F(m).avg_pool2d(x * x, 3, 2, 1) ** 2, (X2,), True),
    "avg_pool3d": (lambda m, x: F(m).avg_pool3d(x, 2), (X3,), False),
    "avg_pool3d-pad-ceil": (
        lambda m, x: F(m).avg_pool3d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        (X3,),
        False,
    ),
    "avg_pool3d-divisor-squared": (
        lambda m, x: F(m).avg_pool3d(x * x, 2, 1, divisor_override=3) ** 2,
        (X3,),
        True,
    ),
    "adaptive_avg_pool1d": (lambda m, x: F(m).adaptive_avg_pool1d(x, 4), (X1,), False),
    "adaptive_avg_pool1d-one": (lambda m, x: F(m).adaptive_avg_pool1d(x, 1), (X1,), False),
    "adaptive_avg_pool2d": (lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 4)), (X2,), False),
    "adaptive_avg_pool2d-none": (
        lambda m, x: F(m).adaptive_avg_pool2d(x, (None, 4)),
        (X2,),
        False,
    ),
    "adaptive_avg_pool2d-one": (lambda m, x: F(m).adaptive_avg_pool2d(x, 1), (X2,), False),
    "adaptive_avg_pool2d-squared": (
        lambda m, x: F(m).adaptive_avg_pool2d(x * x, 5) ** 2,
        (X2,),
        True,
    ),
    "adaptive_avg_pool3d": (lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 4, 3)), (X3,), False),
    "adaptive_avg_pool3d-one": (lambda m, x: F(m).adaptive_avg_pool3d(x, 1), (X3,), False),
    "adaptive_max_pool1d": (lambda m, x: F(m).adaptive_max_pool1d(x, 4), (X1,), False),
    "adaptive_max_pool2d": (lambda m, x: F(m).adaptive_max_pool2d(x, (3, 4)), (X2,), False),
    "adaptive_max_pool2d-unbatched": (
        lambda m, x: F(m).adaptive_max_pool2d(x, (2, None)),
        (U2,),
        False,
    ),
    "adaptive_max_pool2d-squared": (
        lambda m, x: F(m).adaptive_max_pool2d(x * x, 4) ** 2,
        (X2,),
        True,
    ),
    "adaptive_max_pool3d": (lambda m, x: F(m).adaptive_max_pool3d(x, (2, 4, 3)), (X3,), False),
    "max_unpool1d": (
        lambda m, x: F(m).max_unpool1d(*F(m).max_pool1d(x, 2, return_indices=True), 2),
        (X1,),
        False,
    ),
    "max_unpool2d": (
        lambda m, x: F(m).max_unpool2d(*F(m).max_pool2d(x, 2, return_indices=True), 2),
        (X2,),
        False,
    ),
    "max_unpool2d-output-size-squared": (
        lambda m, x: (
            F(m).max_unpool2d(
                *F(m).max_pool2d(x * x, 2, return_indices=True), 2, output_size=(7, 7)
            )
            ** 2
        ),
        (X2,),
        True,
    ),
    "max_unpool3d": (
        lambda m, x: F(m).max_unpool3d(*F(m).max_pool3d(x, 2, return_indices=True), 2),
        (X3,),
        False,
    ),
    "lp_pool1d": (lambda m, x: F(m).lp_pool1d(x, 2, 3, 2), (POSITIVE2[0],), False),
    "lp_pool2d": (lambda m, x: F(m).lp_pool2d(x, 1.5, (2, 3)), (POSITIVE2,), True),
    "lp_pool3d": (lambda m, x: F(m).lp_pool3d(x, 3, 2, ceil_mode=True), (POSITIVE3,), False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_gradients_grad_fn(name):
    fn, inputs, second = CASES[name]
    run_both(fn, list(inputs), second_order=second)


@pytest.mark.parametrize("name", list(CASES))
def test_graph_is_pytorchs(name):
    fn, inputs, _ = CASES[name]
    ours = fn(retrograd, *[retrograd.tensor(a, requires_grad=True) for a in inputs])
    theirs = fn(torch, *[torch.tensor(a, requires_grad=True) for a in inputs])
    assert graph_tree(ours.grad_fn, 4) == graph_tree(theirs.grad_fn, 4)
    assert repr(ours).endswith(f"grad_fn=<{theirs.grad_fn.name()}>)")


# name -> (call returning (values, indices), input): ties, NaN and -inf (padding too).
WITH_INDICES = {
    "max_pool1d": (lambda m, x: F(m).max_pool1d(x, 3, 2, 1, return_indices=True), S1),
    "max_pool1d-dilation": (
        lambda m, x: F(m).max_pool1d(x, 2, 1, 1, 3, ceil_mode=True, return_indices=True),
        S1,
    ),
    "max_pool2d": (lambda m, x: F(m).max_pool2d(x, 2, return_indices=True), S2),
    "max_pool2d-pad": (lambda m, x: F(m).max_pool2d(x, 3, 1, 1, return_indices=True), S2),
    "max_pool2d-ceil": (
        lambda m, x: F(m).max_pool2d(x, 2, 2, 1, ceil_mode=True, return_indices=True),
        S2,
    ),
    "max_pool3d-pad": (lambda m, x: F(m).max_pool3d(x, 3, 2, 1, return_indices=True), S3),
    "adaptive_max_pool1d": (lambda m, x: F(m).adaptive_max_pool1d(x, 4, True), S1),
    "adaptive_max_pool2d": (lambda m, x: F(m).adaptive_max_pool2d(x, (3, 4), True), S2),
    "adaptive_max_pool3d": (lambda m, x: F(m).adaptive_max_pool3d(x, (2, 3, 3), True), S3),
}


@pytest.mark.parametrize("name", list(WITH_INDICES))
def test_indices_and_gradients_with_ties_nan_and_inf(name):
    fn, x = WITH_INDICES[name]
    ours_x, theirs_x = make(retrograd, x), make(torch, x)
    (ours, ours_i), (theirs, theirs_i) = fn(retrograd, ours_x), fn(torch, theirs_x)
    assert_same(ours, theirs)
    assert_same(ours_i, theirs_i, "indices")
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    upstream = np.random.default_rng(0).standard_normal(tuple(theirs.shape))
    ours.backward(retrograd.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_same(ours_x.grad, theirs_x.grad, "gradient")


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: F(m).avg_pool2d(x, 3, 2, 1),
        lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 4)),
        lambda m, x: F(m).avg_pool3d(x.reshape(2, 2, 7, 3, 2), 2, 1, count_include_pad=False),
    ],
)
def test_average_pooling_keeps_nan_and_inf_to_their_windows(call):
    x = S2.copy()
    x[0, 0, 3, 3] = np.inf
    run_both(call, [x])


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: F(m).max_pool2d(x, 2),
        lambda m, x: F(m).max_pool2d(x, 3, 1, 1),
        lambda m, x: F(m).avg_pool2d(x, 2, 1),
        lambda m, x: F(m).avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        lambda m, x: F(m).avg_pool1d(x[0], 3),
    ],
)
def test_integer_inputs(call):
    x = np.random.default_rng(9).integers(-20, 20, size=(2, 3, 6, 6))
    ours, theirs = call(retrograd, retrograd.tensor(x)), call(torch, torch.tensor(x))
    assert_same(ours, theirs)


def _pooled(m, x):
    return F(m).max_pool2d(x, 2, return_indices=True)


ERRORS = [
    lambda m, x: F(m).max_pool1d(x[0].long(), 2),
    lambda m, x: F(m).max_pool3d(x[0, 0], 2),
    lambda m, x: F(m).max_pool3d(x[..., None], (2, 2)),
    lambda m, x: F(m).max_pool3d(x[..., None], 2, padding=2),
    lambda m, x: F(m).max_pool3d(x[..., None], 5),
    lambda m, x: F(m).max_pool3d(x[..., None], 2, stride=0),
    lambda m, x: F(m).avg_pool3d(x[0, 0], 2),
    lambda m, x: F(m).avg_pool3d(x[..., None], (2, 2)),
    lambda m, x: F(m).avg_pool3d(x[..., None].expand(2, 3, 4, 4, 4), 5),
    lambda m, x: F(m).avg_pool3d(x[..., None], 1, divisor_override=0),
    lambda m, x: F(m).adaptive_max_pool2d(x[0, 0], 2),
    lambda m, x: F(m).adaptive_max_pool2d(x, (2, 2, 2)),
    lambda m, x: F(m).adaptive_max_pool2d(x, -1),
    lambda m, x: F(m).adaptive_max_pool2d(x[:, :0], 2),
    lambda m, x: F(m).adaptive_max_pool2d(x.long(), 2),
    lambda m, x: F(m).adaptive_max_pool3d(x[0], 2),
    lambda m, x: F(m).adaptive_max_pool3d(x[..., None], (2, 2)),
    lambda m, x: F(m).adaptive_max_pool1d(x[0, 0, 0], 2),
    lambda m, x: F(m).adaptive_max_pool1d(x[0], (2, 2)),
    lambda m, x: F(m).adaptive_avg_pool3d(x[0, 0], 2),
    lambda m, x: F(m).adaptive_avg_pool3d(x[..., None], -1),
    lambda m, x: F(m).adaptive_avg_pool3d(x[..., None], (2, 2)),
    lambda m, x: F(m).adaptive_avg_pool3d(x[:, :, :0, None], 2),
    lambda m, x: F(m).adaptive_avg_pool3d(x[..., None].long(), 2),
    lambda m, x: F(m).max_unpool2d(*_pooled(m, x), 2, output_size=(9,)),
    lambda m, x: F(m).max_unpool2d(*_pooled(m, x), 2, 2, 0, (9, 9)),
    lambda m, x: F(m).max_unpool2d(F(m).max_pool2d(x, 2), F(m).max_pool2d(x, 2), 2),
    lambda m, x: F(m).max_unpool2d(F(m).max_pool2d(x, 2), F(m).max_pool2d(x, 2)[..., :1].long(), 2),
    lambda m, x: F(m).max_unpool2d(F(m).max_pool2d(x, 2), F(m).max_pool2d(x, 2).long() * 0 + 99, 2),
]  # fmt: skip


@pytest.mark.parametrize("call", ERRORS)
def test_errors_as_pytorch(call):
    assert_same_error(call, rand(2, 3, 4, 4, seed=10), whole=False)


MODULES = [
    ("MaxPool3d", (2,), X3),
    ("MaxPool3d", ((3, 2, 2), 1, 1, 1, False, True), X3),
    ("AvgPool3d", (2,), X3),
    ("AvgPool3d", (3, 2, 1, True, False, 2), X3),
    ("AdaptiveMaxPool1d", (3,), X1),
    ("AdaptiveMaxPool2d", ((2, None), True), X2),
    ("AdaptiveMaxPool3d", (2,), X3),
    ("AdaptiveAvgPool3d", ((2, 3, 1),), X3),
    ("LPPool1d", (2, 3), np.abs(X1) + 0.1),
    ("LPPool2d", (1.5, 2, 1), POSITIVE2),
    ("LPPool3d", (2, 2, None, True), POSITIVE3),
    ("MaxPool2d", (3, 2, 1), X2),
    ("AvgPool1d", (3,), X1),
]


@pytest.mark.parametrize(("name", "args", "x"), MODULES)
def test_modules_as_pytorch(name, args, x):
    ours_m, theirs_m = getattr(retrograd.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours_m) == repr(theirs_m)
    assert list(ours_m.state_dict()) == list(theirs_m.state_dict())
    ours, theirs = ours_m(retrograd.tensor(x)), theirs_m(torch.tensor(x))
    if isinstance(theirs, tuple):
        assert_same(ours[1], theirs[1], "indices")
        ours, theirs = ours[0], theirs[0]
    assert_same(ours, theirs)


@pytest.mark.parametrize(("dims", "x"), [(1, X1), (2, X2), (3, X3)])
def test_max_unpool_modules_as_pytorch(dims, x):
    name = f"MaxUnpool{dims}d"
    ours_m, theirs_m = getattr(retrograd.nn, name)(2), getattr(torch.nn, name)(2)
    assert repr(ours_m) == repr(theirs_m)
    assert repr(getattr(retrograd.nn, name)(3, 1, 1)) == repr(getattr(torch.nn, name)(3, 1, 1))
    pool = f"MaxPool{dims}d"
    ours_p = getattr(retrograd.nn, pool)(2, return_indices=True)
    theirs_p = getattr(torch.nn, pool)(2, return_indices=True)
    ours = ours_m(*ours_p(retrograd.tensor(x)))
    theirs = theirs_m(*theirs_p(torch.tensor(x)))
    assert_same(ours, theirs)
