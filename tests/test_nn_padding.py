"""nn.functional's ``pad`` (constant, reflect, replicate, circular; 1-3 padded dims;
negative amounts crop) and the padding layers, against PyTorch.

Values, first and second-order gradients, ``grad_fn`` names (``ConstantPadNdBackward0``,
``ReflectionPad2DBackward0``, ``ReplicationPad1DBackward0``, ...); circular padding's
values and gradients (PyTorch composes it of slice copies, ``CopySlices``; ours of index
selections, so its graph is not compared); integer inputs; errors (type and PyTorch's
text first); module reprs and outputs. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


X1 = rand(2, 3, 5)
X2 = rand(2, 3, 4, 5, seed=1)
X3 = rand(1, 2, 3, 4, 5, seed=2)

# name -> (call, input, second order)
CASES = {
    "constant-1d": (lambda m, x: F(m).pad(x, (2, 1)), X1, False),
    "constant-value-crop": (lambda m, x: F(m).pad(x, (-1, 2, 1, -2), value=1.5), X2, False),
    "constant-3d-of-4": (lambda m, x: F(m).pad(x, (1, 1, 0, 2, 1, 0, 1, 1)), X2, False),
    "constant-squared": (lambda m, x: F(m).pad(x * x, (1, 2, -1, 1)) ** 2, X2, True),
    "reflect-1d": (lambda m, x: F(m).pad(x, (2, 4), mode="reflect"), X1, False),
    "reflect-1d-unbatched": (lambda m, x: F(m).pad(x[0], (3, 1), mode="reflect"), X1, False),
    "reflect-2d": (lambda m, x: F(m).pad(x, (2, 1, 3, 0), mode="reflect"), X2, False),
    "reflect-2d-crop": (lambda m, x: F(m).pad(x, (-1, 2, 1, -2), mode="reflect"), X2, False),
    "reflect-3d": (lambda m, x: F(m).pad(x, (1, 2, 3, 0, 2, 1), mode="reflect"), X3, False),
    "reflect-squared": (
        lambda m, x: F(m).pad(x * x, (2, 1, 1, 3), mode="reflect") ** 2,
        X2,
        True,
    ),
    "replicate-1d": (lambda m, x: F(m).pad(x, (3, 7), mode="replicate"), X1, False),
    "replicate-2d": (lambda m, x: F(m).pad(x, (5, 0, 2, 6), mode="replicate"), X2, False),
    "replicate-2d-unbatched": (
        lambda m, x: F(m).pad(x[0], (1, 1, 1, 1), mode="replicate"),
        X2,
        False,
    ),
    "replicate-3d": (lambda m, x: F(m).pad(x, (1, 2, 3, 0, 2, 4), mode="replicate"), X3, False),
    "replicate-squared": (
        lambda m, x: F(m).pad(x * x, (1, 2, 3, 0, 2, 1), mode="replicate") ** 2,
        X3,
        True,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_gradients_grad_fn(name):
    fn, x, second = CASES[name]
    run_both(fn, [x], second_order=second)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: F(m).pad(x, (2, 1), mode="circular"),
        lambda m, x: F(m).pad(x, (1, 3, 2, 0), mode="circular"),
        lambda m, x: F(m).pad(x, (-1, 2, 1, -1), mode="circular"),
        lambda m, x: F(m).pad(x.reshape(1, 2, 3, 4, 5), (1, 2, 3, 0, 2, 1), mode="circular"),
    ],
)
def test_circular_values_and_gradients(call):
    run_both(call, [X2], check_name=False, second_order=True)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate"])
def test_integer_inputs(mode):
    x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    ours = F(retrograd).pad(retrograd.tensor(x), (2, 1, 1, 2), mode=mode)
    theirs = F(torch).pad(torch.tensor(x), (2, 1, 1, 2), mode=mode)
    assert_same(ours, theirs)


def test_zero_padding_still_records_the_node():
    for mode in ("constant", "reflect"):
        ours = F(retrograd).pad(retrograd.tensor(X1, requires_grad=True), (0, 0), mode=mode)
        theirs = F(torch).pad(torch.tensor(X1, requires_grad=True), (0, 0), mode=mode)
        assert ours.grad_fn.name() == theirs.grad_fn.name()


ERRORS = [
    lambda m, x: F(m).pad(x, (1, 1, 1)),
    lambda m, x: F(m).pad(x, (1,) * 10),
    lambda m, x: F(m).pad(x, (1, 1), mode="bogus"),
    lambda m, x: F(m).pad(x, (1, 1), mode="reflect", value=1.0),
    lambda m, x: F(m).pad(x, (4, 0), mode="reflect"),
    lambda m, x: F(m).pad(x, (0, 0, 0, 4), mode="reflect"),
    lambda m, x: F(m).pad(x.unsqueeze(2), (0, 0, 0, 0, 1, 0), mode="reflect"),
    lambda m, x: F(m).pad(x[0, 0], (1, 1, 1, 1), mode="reflect"),
    lambda m, x: F(m).pad(x[0, 0, 0], (1, 1), mode="replicate"),
    lambda m, x: F(m).pad(x, (1, 1, 1, 1, 1, 1, 1, 1), mode="replicate"),
    lambda m, x: F(m).pad(x[:, :, :0], (1, 1, 1, 1), mode="replicate"),
    lambda m, x: F(m).pad(x[0], (-3, -3), mode="reflect"),
    lambda m, x: F(m).pad(x, (5, 0), mode="circular"),
    lambda m, x: F(m).pad(x, (-3, -3)),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_as_pytorch(call):
    assert_same_error(call, X2, whole=True)


LAYERS = [
    ("ZeroPad1d", (2,), X1),
    ("ZeroPad2d", ((1, 2, 3, 4),), X2),
    ("ZeroPad3d", (1,), X3),
    ("ConstantPad1d", (2, 3.5), X1),
    ("ConstantPad2d", ((1, 0, 2, 1), -1.0), X2),
    ("ConstantPad3d", (1, 0.5), X3),
    ("ReflectionPad1d", (2,), X1),
    ("ReflectionPad2d", ((1, 2, 3, 0),), X2),
    ("ReflectionPad3d", (1,), X3),
    ("ReplicationPad1d", ((1, 4),), X1),
    ("ReplicationPad2d", (2,), X2),
    ("ReplicationPad3d", ((1, 0, 2, 1, 0, 3),), X3),
    ("CircularPad1d", (2,), X1),
    ("CircularPad2d", ((1, 0, 2, 1),), X2),
    ("CircularPad3d", (1,), X3),
]


@pytest.mark.parametrize(("name", "args", "x"), LAYERS)
def test_layers_as_pytorch(name, args, x):
    ours_m, theirs_m = getattr(retrograd.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours_m) == repr(theirs_m)
    assert ours_m.padding == theirs_m.padding
    assert list(ours_m.state_dict()) == list(theirs_m.state_dict())
    ours = ours_m(retrograd.tensor(x, requires_grad=True))
    theirs = theirs_m(torch.tensor(x, requires_grad=True))
    assert_same(ours, theirs)
    if not name.startswith("Circular"):
        assert ours.grad_fn.name() == theirs.grad_fn.name()


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_circular_layer_checks_dims_as_pytorch(dims):
    def call(m, x):
        return getattr(m.nn, f"CircularPad{dims}d")(1)(x.reshape(-1))

    assert_same_error(call, X2)
