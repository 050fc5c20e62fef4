"""nn.functional's group and instance normalization and channel/space rearrangements, and
their modules, against PyTorch.

Values, first and second-order gradients, ``grad_fn`` names and, for the composed
``instance_norm``, the graph several levels down (PyTorch's ``ViewBackward0`` over
``NativeBatchNormBackward0`` over the repeated weight and bias); running statistics;
errors (type and PyTorch's text first); module constructors, parameters, buffers and
reprs. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import graph_tree, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


X4 = rand(2, 6, 3, 4)
X3 = rand(3, 6, 5, seed=1)
W, B = rand(6, seed=2), rand(6, seed=3)
SHUFFLE_IN = rand(2, 8, 3, 3, seed=4)

# name -> (call, inputs, second order): the call takes the library and the inputs.
CASES = {
    "group_norm": (lambda m, x, w, b: F(m).group_norm(x, 3, w, b), (X4, W, B), True),
    "group_norm-no-affine": (lambda m, x: F(m).group_norm(x, 2), (X4,), True),
    "group_norm-one-group-eps": (
        lambda m, x, w: F(m).group_norm(x, 1, w, eps=0.1),
        (X3, W),
        True,
    ),
    "group_norm-2d": (lambda m, x, w, b: F(m).group_norm(x[:, :, 0], 6, w, b), (X3, W, B), True),
    "group_norm-squared": (
        lambda m, x, w, b: F(m).group_norm(x * x, 3, w, b) ** 2,
        (X4, W, B),
        True,
    ),
    "instance_norm": (lambda m, x: F(m).instance_norm(x), (X4,), True),
    "instance_norm-affine": (
        lambda m, x, w, b: F(m).instance_norm(x, weight=w, bias=b, eps=0.01),
        (X3, W, B),
        True,
    ),
    "instance_norm-running-eval": (
        lambda m, x, w: F(m).instance_norm(
            x, m.tensor(W / 4), m.tensor(np.abs(B) + 0.5), w, use_input_stats=False
        ),
        (X4, W),
        True,
    ),
    "pixel_shuffle": (lambda m, x: F(m).pixel_shuffle(x, 2), (SHUFFLE_IN,), False),
    "pixel_shuffle-5d": (lambda m, x: F(m).pixel_shuffle(x, 2), (rand(1, 2, 8, 2, 3),), False),
    "pixel_shuffle-squared": (
        lambda m, x: F(m).pixel_shuffle(x * x, 2) ** 2,
        (SHUFFLE_IN,),
        True,
    ),
    "pixel_unshuffle": (lambda m, x: F(m).pixel_unshuffle(x, 3), (rand(3, 6, 9),), False),
    "pixel_unshuffle-squared": (
        lambda m, x: F(m).pixel_unshuffle(x * x, 2) ** 2,
        (rand(2, 3, 4, 6),),
        True,
    ),
    "channel_shuffle": (lambda m, x: F(m).channel_shuffle(x, 4), (SHUFFLE_IN,), False),
    "channel_shuffle-squared": (
        lambda m, x: F(m).channel_shuffle(x * x, 3) ** 2,
        (X3,),
        True,
    ),
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
    assert graph_tree(ours.grad_fn, 5) == graph_tree(theirs.grad_fn, 5)
    assert repr(ours).endswith(f"grad_fn=<{theirs.grad_fn.name()}>)")


def test_group_norm_without_weight_has_no_edges_for_it():
    theirs = F(torch).group_norm(torch.tensor(X4, requires_grad=True), 3)
    ours = F(retrograd).group_norm(retrograd.tensor(X4, requires_grad=True), 3)
    assert [n is None for n, _ in ours.grad_fn.next_functions] == [
        n is None for n, _ in theirs.grad_fn.next_functions
    ]


def test_group_norm_bias_without_weight():
    """PyTorch 2.13's backward of ``group_norm(x, g, None, bias)`` fails ("tensor does not
    have a device"); ours gives the gradients PyTorch gives with a weight of ones."""
    ours_x, ours_b = (
        retrograd.tensor(X4, requires_grad=True),
        retrograd.tensor(B, requires_grad=True),
    )
    theirs_x, theirs_b = torch.tensor(X4, requires_grad=True), torch.tensor(B, requires_grad=True)
    upstream = rand(*X4.shape, seed=9)
    ours = F(retrograd).group_norm(ours_x, 3, None, ours_b)
    theirs = F(torch).group_norm(theirs_x, 3, torch.ones(6, dtype=torch.float64), theirs_b)
    og = retrograd.autograd.grad(ours, (ours_x, ours_b), retrograd.tensor(upstream))
    tg = torch.autograd.grad(theirs, (theirs_x, theirs_b), torch.tensor(upstream))
    for a, b in zip(og, tg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_updates_running_stats(use_input_stats):
    outs = []
    for m in (torch, retrograd):
        mean, var = m.tensor(W / 4), m.tensor(np.abs(B) + 0.5)
        x = m.tensor(X4)
        out = F(m).instance_norm(x, mean, var, use_input_stats=use_input_stats, momentum=0.3)
        outs.append((out.numpy(), mean.numpy(), var.numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def _error(fn):
    """PyTorch's exception type and message from ``fn(torch)``, and ours."""
    results = []
    for m in (torch, retrograd):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(m)
            except Exception as error:  # noqa: BLE001 - comparing what each raises
                results.append((type(error), str(error)))
            else:
                results.append(None)
    return results


ERRORS = {
    "group_norm-divisible": lambda m: F(m).group_norm(m.zeros(2, 6, 4), 4),
    "group_norm-weight": lambda m: F(m).group_norm(m.zeros(2, 6, 4), 3, m.ones(5)),
    "group_norm-bias": lambda m: F(m).group_norm(m.zeros(2, 6, 4), 3, m.ones(6), m.ones(5)),
    "group_norm-bias-no-weight": lambda m: F(m).group_norm(m.zeros(2, 6), 3, None, m.ones(5)),
    "group_norm-1d": lambda m: F(m).group_norm(m.zeros(6), 3),
    "group_norm-long": lambda m: F(m).group_norm(m.zeros(2, 6, dtype=m.int64), 3),
    "group_norm-mixed": lambda m: F(m).group_norm(m.zeros(2, 6, dtype=m.float64), 3, m.ones(6)),
    "group_norm-zero-groups": lambda m: F(m).group_norm(m.zeros(2, 6), 0),
    "instance_norm-one-element": lambda m: F(m).instance_norm(m.zeros(2, 4, 1)),
    "instance_norm-running-size": lambda m: F(m).instance_norm(
        m.zeros(2, 4, 3), m.zeros(3), m.ones(3)
    ),
    "instance_norm-weight-size": lambda m: F(m).instance_norm(m.zeros(2, 4, 3), weight=m.ones(3)),
    "instance_norm-no-running": lambda m: F(m).instance_norm(
        m.zeros(2, 4, 3), use_input_stats=False
    ),
    "instance_norm-long": lambda m: F(m).instance_norm(m.zeros(2, 4, 3, dtype=m.int64)),
    "pixel_shuffle-divisible": lambda m: F(m).pixel_shuffle(m.zeros(2, 8, 3, 3), 3),
    "pixel_shuffle-dims": lambda m: F(m).pixel_shuffle(m.zeros(8, 3), 2),
    "pixel_shuffle-zero": lambda m: F(m).pixel_shuffle(m.zeros(2, 8, 3, 3), 0),
    "pixel_shuffle-float": lambda m: F(m).pixel_shuffle(m.zeros(2, 8, 3, 3), 2.0),
    "pixel_unshuffle-height": lambda m: F(m).pixel_unshuffle(m.zeros(2, 3, 5, 6), 2),
    "pixel_unshuffle-width": lambda m: F(m).pixel_unshuffle(m.zeros(2, 3, 4, 5), 2),
    "pixel_unshuffle-negative": lambda m: F(m).pixel_unshuffle(m.zeros(2, 3, 4, 4), -1),
    "pixel_unshuffle-dims": lambda m: F(m).pixel_unshuffle(m.zeros(4), 2),
    "channel_shuffle-dims": lambda m: F(m).channel_shuffle(m.zeros(2, 8), 2),
    "channel_shuffle-zero": lambda m: F(m).channel_shuffle(m.zeros(2, 8, 3), 0),
    "channel_shuffle-divisible": lambda m: F(m).channel_shuffle(m.zeros(2, 8, 3), 3),
    "GroupNorm-divisible": lambda m: m.nn.GroupNorm(4, 6),
    "InstanceNorm2d-dims": lambda m: m.nn.InstanceNorm2d(4)(m.zeros(2, 4)),
    "InstanceNorm1d-features": lambda m: m.nn.InstanceNorm1d(4, affine=True)(m.zeros(2, 3, 5)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_are_pytorchs(name):
    theirs, ours = _error(ERRORS[name])
    assert theirs is not None, "PyTorch raised nothing: the case is wrong"
    assert ours is not None, f"retrograd raised nothing; PyTorch: {theirs}"
    assert ours[0] is theirs[0]
    assert ours[1].startswith(theirs[1]), (ours[1], theirs[1])


def test_instance_norm_warns_on_unused_num_features():
    messages = []
    for m in (torch, retrograd):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            m.nn.InstanceNorm2d(4)(m.zeros(2, 3, 3, 3))
        messages.append([str(w.message) for w in seen])
    assert messages[1] == messages[0]


MODULES = [
    ("GroupNorm", (3, 6), {}),
    ("GroupNorm", (2, 6), {"affine": False}),
    ("GroupNorm", (3, 6), {"eps": 1e-3, "bias": False}),
    ("InstanceNorm1d", (4,), {}),
    ("InstanceNorm2d", (4,), {"affine": True, "track_running_stats": True}),
    ("InstanceNorm3d", (4,), {"momentum": None, "affine": True, "bias": False}),
    ("PixelShuffle", (2,), {}),
    ("PixelUnshuffle", (3,), {}),
    ("ChannelShuffle", (2,), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), MODULES)
def test_module_surface(name, args, kwargs):
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    ours = getattr(retrograd.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    state = {k: v.numpy() for k, v in ours.state_dict().items()}
    expected = {k: v.numpy() for k, v in theirs.state_dict().items()}
    assert list(state) == list(expected)
    for key in expected:
        np.testing.assert_array_equal(state[key], expected[key])
    ours_params = [n for n, _ in ours.named_parameters()]
    assert ours_params == [n for n, _ in theirs.named_parameters()]


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "shape"),
    [
        ("GroupNorm", (3, 6), {}, (2, 6, 3, 2)),
        ("InstanceNorm1d", (6,), {"affine": True, "track_running_stats": True}, (3, 6, 5)),
        ("InstanceNorm1d", (6,), {"track_running_stats": True}, (6, 5)),
        ("InstanceNorm2d", (6,), {"momentum": None, "track_running_stats": True}, (2, 6, 3, 2)),
        ("InstanceNorm3d", (6,), {"affine": True}, (1, 6, 2, 2, 2)),
        ("PixelShuffle", (2,), {}, (2, 8, 3, 3)),
        ("PixelUnshuffle", (2,), {}, (2, 2, 4, 6)),
        ("ChannelShuffle", (3,), {}, (2, 6, 3)),
    ],
)
def test_module_training_and_eval(name, args, kwargs, shape):
    """Two training steps, then eval: outputs, parameter gradients and buffers."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(retrograd.nn, name)(*args, **kwargs).double()
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(0.5, 1.5)
    ours.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    for step in range(3):
        if step == 2:
            theirs.eval()
            ours.eval()
        x = rand(*shape, seed=10 + step)
        t_out = theirs(torch.tensor(x))
        o_out = ours(retrograd.tensor(x))
        np.testing.assert_allclose(o_out.detach().numpy(), t_out.detach().numpy(), 1e-9, 1e-12)
        if t_out.requires_grad:
            t_out.pow(2).sum().backward()
            o_out.pow(2).sum().backward()
    for (n, t), (_, o) in zip(theirs.named_parameters(), ours.named_parameters()):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), 1e-9, 1e-12, err_msg=n)
    for (n, t), (_, o) in zip(theirs.named_buffers(), ours.named_buffers()):
        np.testing.assert_allclose(o.numpy(), t.numpy(), 1e-9, 1e-12, err_msg=n)


def test_reset_parameters_restores_defaults():
    for m in (torch, retrograd):
        norm = m.nn.GroupNorm(2, 4)
        with m.no_grad():
            norm.weight.mul_(3)
            norm.bias.add_(1)
        norm.reset_parameters()
        assert norm.weight.tolist() == [1.0] * 4
        assert norm.bias.tolist() == [0.0] * 4


def test_functions_exist_where_pytorchs_do():
    for name in ("group_norm", "instance_norm", "pixel_shuffle", "pixel_unshuffle",
                 "channel_shuffle"):  # fmt: skip
        assert name in dir(torch.nn.functional)
        assert name in retrograd.nn.functional.__all__
    for name in ("GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
                 "PixelShuffle", "PixelUnshuffle", "ChannelShuffle"):  # fmt: skip
        assert isinstance(getattr(retrograd.nn, name), type)
