"""Convolution (``F.conv1d/2d/3d``, ``F.conv_transpose1d/2d/3d``: one
``ConvolutionBackward0`` node), sliding blocks (``F.unfold``/``F.fold``:
``Im2ColBackward0``/``Col2ImBackward0``) and their modules, against PyTorch.

Values, gradients of input, weight and bias, second derivatives, ``grad_fn`` names and
whole graphs, errors (type and PyTorch's text first), module initialization under one
seed, reprs, ``state_dict`` keys and ``ConvTranspose``'s ``output_size``. Harness:
tests/torch_oracle.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, graph_names, make, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


# name -> (call, inputs): the call takes the library and the inputs (all require grad).
CONV_CASES = {
    "conv1d": (lambda m, x, w: F(m).conv1d(x, w), (rand(2, 3, 7), rand(4, 3, 3, seed=1))),
    "conv1d-bias-stride-padding": (
        lambda m, x, w, b: F(m).conv1d(x, w, b, stride=2, padding=2),
        (rand(2, 3, 8), rand(4, 3, 3, seed=1), rand(4, seed=2)),
    ),
    "conv1d-dilation-groups": (
        lambda m, x, w, b: F(m).conv1d(x, w, b, dilation=2, groups=3),
        (rand(1, 6, 9), rand(3, 2, 3, seed=1), rand(3, seed=2)),
    ),
    "conv1d-unbatched": (
        lambda m, x, w, b: F(m).conv1d(x, w, b, padding=1),
        (rand(3, 6), rand(2, 3, 2, seed=1), rand(2, seed=2)),
    ),
    "conv1d-same-odd": (
        lambda m, x, w: F(m).conv1d(x, w, padding="same", dilation=2),
        (rand(2, 2, 7), rand(3, 2, 3, seed=1)),
    ),
    "conv1d-valid": (
        lambda m, x, w: F(m).conv1d(x, w, padding="valid"),
        (rand(2, 2, 7), rand(3, 2, 3, seed=1)),
    ),
    "conv2d": (lambda m, x, w: F(m).conv2d(x, w), (rand(2, 3, 6, 5), rand(4, 3, 3, 2, seed=1))),
    "conv2d-all": (
        lambda m, x, w, b: F(m).conv2d(x, w, b, (2, 1), (1, 2), (1, 2), 2),
        (rand(2, 4, 7, 6), rand(6, 2, 3, 2, seed=1), rand(6, seed=2)),
    ),
    "conv2d-depthwise": (
        lambda m, x, w, b: F(m).conv2d(x, w, b, padding=1, groups=4),
        (rand(2, 4, 5, 5), rand(8, 1, 3, 3, seed=1), rand(8, seed=2)),
    ),
    "conv2d-unbatched-stride": (
        lambda m, x, w: F(m).conv2d(x, w, stride=2, padding=(0, 1)),
        (rand(3, 6, 7), rand(2, 3, 2, 3, seed=1)),
    ),
    "conv2d-1x1": (
        lambda m, x, w, b: F(m).conv2d(x, w, b),
        (rand(2, 3, 4, 4), rand(5, 3, 1, 1, seed=1), rand(5, seed=2)),
    ),
    "conv2d-of-conv2d": (
        lambda m, x, w, v: F(m).conv2d(F(m).conv2d(x, w, padding=1).tanh(), v, stride=2),
        (rand(1, 2, 6, 6), rand(3, 2, 3, 3, seed=1), rand(2, 3, 2, 2, seed=2)),
    ),
    "conv2d-empty-batch": (
        lambda m, x, w: F(m).conv2d(x, w, padding=1),
        (rand(0, 2, 4, 4), rand(3, 2, 3, 3, seed=1)),
    ),
    "conv_transpose2d-empty-batch": (
        lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2),
        (rand(0, 2, 4, 4), rand(2, 3, 3, 3, seed=1)),
    ),
    "conv3d": (
        lambda m, x, w, b: F(m).conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1)),
        (rand(2, 2, 4, 5, 3), rand(3, 2, 2, 3, 2, seed=1), rand(3, seed=2)),
    ),
    "conv3d-unbatched-groups-dilation": (
        lambda m, x, w: F(m).conv3d(x, w, dilation=(2, 1, 1), groups=2),
        (rand(4, 5, 3, 3), rand(2, 2, 2, 2, 2, seed=1)),
    ),
    "conv_transpose1d": (
        lambda m, x, w, b: F(m).conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
        (rand(2, 3, 5), rand(3, 4, 3, seed=1), rand(4, seed=2)),
    ),
    "conv_transpose1d-unbatched-dilation": (
        lambda m, x, w: F(m).conv_transpose1d(x, w, output_padding=1, dilation=2),
        (rand(3, 5), rand(3, 2, 3, seed=1)),
    ),
    "conv_transpose1d-output-padding-past-stride": (
        lambda m, x, w: F(m).conv_transpose1d(
            x, w, stride=2, padding=2, output_padding=2, dilation=3
        ),  # fmt: skip
        (rand(1, 3, 5), rand(3, 2, 3, seed=1)),
    ),
    "conv_transpose2d": (
        lambda m, x, w: F(m).conv_transpose2d(x, w),
        (rand(2, 3, 4, 3), rand(3, 2, 2, 3, seed=1)),
    ),
    "conv_transpose2d-all": (
        lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, (2, 3), 1, (1, 2), 2, (2, 1)),
        (rand(2, 4, 5, 4), rand(4, 3, 3, 2, seed=1), rand(6, seed=2)),
    ),
    "conv_transpose2d-unbatched": (
        lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, stride=2, padding=(1, 0)),
        (rand(2, 3, 3), rand(2, 3, 3, 3, seed=1), rand(3, seed=2)),
    ),
    "conv_transpose3d": (
        lambda m, x, w, b: F(m).conv_transpose3d(x, w, b, stride=2, output_padding=(1, 0, 1)),
        (rand(1, 2, 3, 2, 3), rand(2, 2, 2, 2, 2, seed=1), rand(2, seed=2)),
    ),
    "unfold": (
        lambda m, x: F(m).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2),
        (rand(2, 3, 5, 6),),
    ),
    "unfold-unbatched": (lambda m, x: F(m).unfold(x, 2), (rand(3, 4, 5),)),
    "fold": (lambda m, x: F(m).fold(x, (4, 5), 2), (rand(2, 12, 12),)),
    "fold-unbatched-arguments": (
        lambda m, x: F(m).fold(x, (5, 6), 2, dilation=(1, 2), padding=1, stride=2),
        (rand(8, 9),),
    ),
    "unfold-fold": (
        lambda m, x: F(m).fold(F(m).unfold(x, 3, padding=1) * 2, (5, 4), 3, padding=1),
        (rand(1, 2, 5, 4),),
    ),
}


@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_matches_pytorch(name):
    """Value, grad_fn name, gradients of every input, and second derivatives."""
    fn, values = CONV_CASES[name]
    run_both(fn, list(values), second_order=True)


@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_graph_matches_pytorch(name):
    """The whole graph, node by node: one node per convolution, the unbatched form's
    UnsqueezeBackward0 and SqueezeBackward1 around it."""
    fn, values = CONV_CASES[name]
    ours = fn(retrograd, *(make(retrograd, v) for v in values))
    theirs = fn(torch, *(make(torch, v) for v in values))
    assert graph_names(ours) == graph_names(theirs)


def test_float32_matches_pytorch():
    fn, values = CONV_CASES["conv2d-all"]
    run_both(fn, [v.astype("float32") for v in values])
    fn, values = CONV_CASES["conv_transpose2d-all"]
    run_both(fn, [v.astype("float32") for v in values])


def test_same_padding_with_an_even_kernel_pads_the_extra_after():
    """PyTorch splits the padding evenly and pads the odd extra after the input first;
    the convolution node sees the even part (its values and gradients match; the
    padding's own node is F.pad's, not PyTorch's ConstantPadNdBackward0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch's note on the extra copy
        run_both(
            lambda m, x, w, b: F(m).conv2d(x, w, b, padding="same", dilation=(1, 3)),
            [rand(2, 2, 5, 6), rand(3, 2, 2, 2, seed=1), rand(3, seed=2)],
            second_order=True,
        )


def test_double_backward_through_a_training_step():
    """The gradient of a loss on a conv's weight gradient (a gradient penalty)."""
    values = [rand(2, 3, 6, 6), rand(4, 3, 3, 3, seed=1), rand(4, seed=2)]
    results = {}
    for m in (retrograd, torch):
        x, w, b = (make(m, v) for v in values)
        y = F(m).conv_transpose2d(F(m).conv2d(x, w, b, stride=2).relu(), w, stride=2)
        (gw,) = m.autograd.grad(y.pow(2).sum(), [w], create_graph=True)
        penalty = gw.pow(2).sum() + y.sum()
        results[m] = m.autograd.grad(penalty, [x, w, b])
    for ours, theirs in zip(results[retrograd], results[torch]):
        assert_same(ours, theirs)


def _error_cases():
    x4, w = rand(1, 4, 6, 6), rand(4, 2, 3, 3, seed=1)
    return {
        "groups-0": (lambda m, x, w: F(m).conv2d(x, w, groups=0), (x4, w)),
        "stride-0": (lambda m, x, w: F(m).conv2d(x, w, stride=0, groups=2), (x4, w)),
        "padding-negative": (lambda m, x, w: F(m).conv2d(x, w, padding=-1, groups=2), (x4, w)),
        "dilation-negative": (lambda m, x, w: F(m).conv2d(x, w, dilation=-1, groups=2), (x4, w)),
        "dilation-0": (lambda m, x, w: F(m).conv2d(x, w, dilation=0, groups=2), (x4, w)),
        "weight-groups": (lambda m, x, w: F(m).conv2d(x, w[:3], groups=2), (x4, w)),
        "channels": (lambda m, x, w: F(m).conv2d(x, w), (x4, w)),
        "bias": (lambda m, x, w: F(m).conv2d(x, w, w[0, 0, 0], groups=2), (x4, w)),
        "kernel-too-big": (lambda m, x, w: F(m).conv2d(x[..., :2], w, groups=2), (x4, w)),
        "input-dims": (lambda m, x, w: F(m).conv2d(x[0, 0], w), (x4, w)),
        "conv1d-input-dims": (lambda m, x, w: F(m).conv1d(x, w[..., 0]), (x4, w)),
        "stride-length": (lambda m, x, w: F(m).conv2d(x, w, stride=(1, 1, 1), groups=2), (x4, w)),
        "padding-length": (lambda m, x, w: F(m).conv2d(x, w, padding=(1, 2, 3), groups=2), (x4, w)),
        "weight-dims": (lambda m, x, w: F(m).conv2d(x, w[..., 0]), (x4, w)),
        "padding-string": (lambda m, x, w: F(m).conv2d(x, w, padding="full"), (x4, w)),
        "same-strided": (lambda m, x, w: F(m).conv2d(x, w, stride=2, padding="same"), (x4, w)),
        "dtype": (lambda m, x, w: F(m).conv2d(x, w.float(), groups=2), (x4, w)),
        "bias-dtype": (lambda m, x, w: F(m).conv2d(x, w, w[:, 0, 0, 0].float(), groups=2), (x4, w)),
        "t-channels": (lambda m, x, w: F(m).conv_transpose2d(x[:, :3], w), (x4, w)),
        "t-output-padding": (
            lambda m, x, w: F(m).conv_transpose2d(x, w, output_padding=1),
            (x4, w),
        ),
        "t-output-padding-negative": (
            lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2, output_padding=-1),
            (x4, w),
        ),
        "t-padding-string": (lambda m, x, w: F(m).conv_transpose2d(x, w, padding="same"), (x4, w)),
        "t-too-small": (lambda m, x, w: F(m).conv_transpose2d(x, w, padding=5), (x4, w)),
        "t-bias": (lambda m, x, w: F(m).conv_transpose2d(x, w, w[:, 0, 0, 0]), (x4, w)),
        "t-groups": (lambda m, x, w: F(m).conv_transpose2d(x, w, groups=3), (x4, w)),
        "t-dilation-0": (lambda m, x, w: F(m).conv_transpose2d(x, w, dilation=0), (x4, w)),
        "t-input-dims": (lambda m, x, w: F(m).conv_transpose3d(x, w), (x4, w)),
        "unfold-kernel-0": (lambda m, x, w: F(m).unfold(x, 0), (x4, w)),
        "unfold-dilation-0": (lambda m, x, w: F(m).unfold(x, 2, dilation=0), (x4, w)),
        "unfold-padding": (lambda m, x, w: F(m).unfold(x, 2, padding=-1), (x4, w)),
        "unfold-stride": (lambda m, x, w: F(m).unfold(x, 2, stride=0), (x4, w)),
        "unfold-too-big": (lambda m, x, w: F(m).unfold(x, 7), (x4, w)),
        "unfold-5d": (lambda m, x, w: F(m).unfold(x[None], 2), (x4, w)),
        "unfold-2d": (lambda m, x, w: F(m).unfold(x[0, 0], 2), (x4, w)),
        "unfold-kernel-length": (lambda m, x, w: F(m).unfold(x, (2, 2, 2)), (x4, w)),
        "fold-divisible": (lambda m, x, w: F(m).fold(x[0], (3, 3), 3), (x4, w)),
        "fold-blocks": (lambda m, x, w: F(m).fold(x[0], (3, 3), 2), (x4, w)),
        "fold-4d": (lambda m, x, w: F(m).fold(x, (3, 3), 2), (x4, w)),
        "fold-output-length": (lambda m, x, w: F(m).fold(x[0], (3, 3, 3), 2), (x4, w)),
    }


@pytest.mark.parametrize("name", sorted(_error_cases()))
def test_errors_match_pytorch(name):
    fn, values = _error_cases()[name]
    assert_same_error(fn, *values)


def test_integer_unfold_and_fold_are_refused_as_pytorch_does():
    assert_same_error(lambda m, x: F(m).unfold(x, 2), np.ones((1, 1, 3, 3), dtype="int64"))
    assert_same_error(lambda m, x: F(m).fold(x, (3, 3), 2), np.ones((1, 4, 4), dtype="int64"))


def test_integer_convolution_matches_pytorch():
    """PyTorch convolves integer tensors on the CPU (no gradient): so does retrograd."""
    x = np.arange(50).reshape(1, 2, 5, 5) % 7 - 3
    w = np.arange(24).reshape(3, 2, 2, 2) % 5 - 2
    run_both(lambda m, x, w: F(m).conv2d(x, w, stride=2, padding=1), [x, w])
    run_both(lambda m, x, w: F(m).conv_transpose2d(x, w.transpose(0, 1), stride=2), [x, w])


# -- modules ----------------------------------------------------------------------------

MODULES = [
    ("ConvTranspose1d", (2, 3, 2), {}),
    (
        "ConvTranspose2d",
        (4, 6, 3),
        {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "bias": False, "dilation": 2},
    ),  # fmt: skip
    ("ConvTranspose3d", (2, 4, (1, 2, 3)), {"stride": (1, 2, 1)}),
    ("Unfold", (2,), {}),
    ("Unfold", ((2, 3),), {"dilation": 2, "stride": (1, 2)}),
    ("Fold", ((4, 5), 2), {"padding": 1}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), MODULES)
def test_module_init_repr_and_state_dict(name, args, kwargs):
    torch.manual_seed(7)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    retrograd.manual_seed(7)
    ours = getattr(retrograd.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert_same(ours.state_dict()[key], value, key)


@pytest.mark.parametrize(
    ("args", "kwargs", "shape", "output_size"),
    [
        ((4, 6, 3), {"stride": 2}, (1, 4, 5, 5), None),
        ((4, 6, 3), {"stride": 2}, (1, 4, 5, 5), (12, 12)),
        ((4, 6, 3), {"stride": 2}, (1, 4, 5, 5), [1, 6, 11, 12]),
        ((4, 6, 3), {"stride": (3, 2), "padding": 1}, (4, 5, 5), (13, 10)),
        ((4, 6, 3), {"stride": 2}, (1, 4, 5, 5), (20, 20)),
        ((4, 6, 3), {"stride": 2}, (1, 4, 5, 5), (1, 2, 3)),
    ],
)
def test_conv_transpose_module_forward_and_output_size(args, kwargs, shape, output_size):
    """Forward with the same weights (same seed), gradients, and ``output_size``'s
    output padding (or PyTorch's ValueError)."""
    torch.manual_seed(3)
    theirs = torch.nn.ConvTranspose2d(*args, **kwargs)
    retrograd.manual_seed(3)
    ours = retrograd.nn.ConvTranspose2d(*args, **kwargs)
    x = rand(*shape)
    run_both(lambda m, x: (ours if m is retrograd else theirs)(x, output_size=output_size), [x])


def test_conv_transpose_module_refuses_other_padding_modes():
    assert_same_error(lambda m: m.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"))


def test_unfold_fold_modules_forward():
    run_both(lambda m, x: m.nn.Fold((4, 5), 2, padding=1)(m.nn.Unfold(2, padding=1)(x)),
             [rand(2, 3, 4, 5)])  # fmt: skip
