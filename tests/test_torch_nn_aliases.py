"""The torch-level names of nn functions (``torch.conv2d``, ``torch.batch_norm``,
``torch.embedding``...) and ``Tensor.prelu``, against PyTorch: values, gradients (second
order where PyTorch has it), ``grad_fn`` names, the tuples some return, errors.
Harness: tests/torch_oracle.py."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, grad_fn_name, make, rand, run_both

torch = pytest.importorskip("torch")


def ints(*values):
    return np.array(values, dtype="int64")


X1 = rand(2, 3, 7)
X2 = rand(2, 3, 5, 6, seed=1)
X3 = rand(1, 2, 4, 5, 4, seed=2)
C = rand(3, seed=3, low=0.5, high=1.5)
C2 = rand(3, seed=4)
MEAN = rand(3, seed=5, low=-0.5, high=0.5)
VAR = rand(3, seed=6, low=0.5, high=2.0)
GRID = rand(2, 4, 3, 2, seed=7, low=-1.0, high=1.0)

# name -> (call, inputs, second order)
CASES = {
    "conv1d": (
        lambda m, x, w, b: m.conv1d(x, w, b, 2, 1),
        [X1, rand(4, 3, 3, seed=8), rand(4)],
        True,
    ),
    "conv2d": (
        lambda m, x, w: m.conv2d(x, w, None, 1, 1, 2, 1),
        [X2, rand(4, 3, 2, 2, seed=9)],
        True,
    ),
    "conv2d-groups": (
        lambda m, x, w: m.conv2d(x, w, groups=3),
        [X2, rand(6, 1, 3, 3, seed=9)],
        False,
    ),
    "conv3d": (
        lambda m, x, w: m.conv3d(x, w, padding=1),
        [X3, rand(3, 2, 2, 2, 2, seed=10)],
        False,
    ),
    "conv_transpose1d": (
        lambda m, x, w: m.conv_transpose1d(x, w, None, 2, 1, 1),
        [X1, rand(3, 2, 3, seed=11)],
        True,
    ),
    "conv_transpose2d": (
        lambda m, x, w, b: m.conv_transpose2d(x, w, b, 2),
        [X2, rand(3, 2, 2, 2, seed=12), rand(2)],
        False,
    ),
    "conv_transpose3d": (
        lambda m, x, w: m.conv_transpose3d(x, w, stride=2, dilation=1),
        [X3, rand(2, 1, 2, 2, 2, seed=13)],
        False,
    ),
    "max_pool1d": (lambda m, x: m.max_pool1d(x, 3, 2, 1), [X1], False),
    "max_pool1d-default-stride": (lambda m, x: m.max_pool1d(x, 2), [X1], False),
    "max_pool2d": (lambda m, x: m.max_pool2d(x, 2, 1, 0, 2, True), [X2], False),
    "max_pool3d": (lambda m, x: m.max_pool3d(x, 2), [X3], False),
    "max_pool1d_with_indices-values": (
        lambda m, x: m.max_pool1d_with_indices(x, 3)[0],
        [X1],
        False,
    ),
    "avg_pool1d": (lambda m, x: m.avg_pool1d(x, 3, 2, 1, True, False), [X1], True),
    "adaptive_avg_pool1d": (lambda m, x: m.adaptive_avg_pool1d(x, 4), [X1], True),
    "adaptive_max_pool1d-values": (lambda m, x: m.adaptive_max_pool1d(x, 3)[0], [X1], False),
    "batch_norm-train": (
        lambda m, x, w, b: m.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        [X2, C, C2],
        True,
    ),
    "batch_norm-eval": (
        lambda m, x, w, b, rm, rv: m.batch_norm(
            x, w, b, rm.detach(), rv.detach(), False, 0.1, 1e-5, False
        ),
        [X2, C, C2, MEAN, VAR],
        False,
    ),
    "instance_norm": (
        lambda m, x, w, b: m.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
        [X2, C, C2],
        True,
    ),
    "layer_norm": (lambda m, x, w: m.layer_norm(x, [5, 6], w), [X2, rand(5, 6, seed=14)], True),
    "layer_norm-eps": (lambda m, x: m.layer_norm(x, (7,), None, None, 0.1, False), [X1], True),
    "group_norm": (lambda m, x, w, b: m.group_norm(x, 3, w, b, 1e-3), [X2, C, C2], True),
    "rms_norm": (lambda m, x, w: m.rms_norm(x, [6], w), [X2, rand(6, seed=15)], True),
    "rms_norm-eps": (lambda m, x: m.rms_norm(x, (7,), None, 0.5), [X1], True),
    "native_layer_norm-out": (
        lambda m, x, w, b: m.native_layer_norm(x, [6], w, b, 1e-5)[0],
        [X2, rand(6), rand(6, seed=3)],
        True,
    ),
    "native_layer_norm-mean": (
        lambda m, x: m.native_layer_norm(x, [5, 6], None, None, 1e-5)[1],
        [X2],
        False,
    ),
    "native_layer_norm-rstd": (
        lambda m, x: m.native_layer_norm(x, [6], None, None, 0.1)[2],
        [X2],
        False,
    ),
    "native_batch_norm-out": (
        lambda m, x, w, b: m.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)[0],
        [X2, C, C2],
        True,
    ),
    "native_batch_norm-mean": (
        lambda m, x: m.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)[1],
        [X2],
        False,
    ),
    "native_batch_norm-invstd": (
        lambda m, x: m.native_batch_norm(x, None, None, None, None, True, 0.1, 0.5)[2],
        [X2],
        False,
    ),
    "native_batch_norm-eval": (
        lambda m, x, rm, rv: m.native_batch_norm(
            x, None, None, rm.detach(), rv.detach(), False, 0.1, 1e-5
        )[0],
        [X2, MEAN, VAR],
        False,
    ),
    "native_batch_norm-eval-stats": (
        lambda m, x, rm, rv: m.native_batch_norm(
            x, None, None, rm.detach(), rv.detach(), False, 0.1, 1e-5
        )[1],
        [X2, MEAN, VAR],
        False,
    ),
    "embedding": (lambda m, w, i: m.embedding(w, i), [rand(5, 3), ints(4, 0, 4, 2)], True),
    "embedding-padding": (
        lambda m, w, i: m.embedding(w, i, 4),
        [rand(5, 3), ints(4, 0, 4, 2)],
        False,
    ),
    "embedding-padding-negative": (
        lambda m, w, i: m.embedding(w, i, -1),
        [rand(5, 3), ints(4, 0, 4, 2)],
        False,
    ),
    "embedding_bag-output": (
        lambda m, w, i, o: m.embedding_bag(w, i, o, False, 1)[0],
        [rand(6, 3), ints(0, 1, 5, 2, 2), ints(0, 2, 2)],
        False,
    ),
    "embedding_bag-offset2bag": (
        lambda m, w, i, o: m.embedding_bag(w, i, o, False, 0)[1],
        [rand(6, 3), ints(0, 1, 5, 2, 2), ints(0, 2, 2)],
        False,
    ),
    "embedding_bag-max-indices": (
        lambda m, w, i, o: m.embedding_bag(w, i, o, False, 2)[3],
        [rand(6, 3), ints(0, 1, 5, 2, 2), ints(0, 2, 3)],
        False,
    ),
    "dropout-eval": (lambda m, x: m.dropout(x, 0.5, False), [X1], False),
    "dropout-p0": (lambda m, x: m.dropout(x, 0.0, True), [X1], False),
    "dropout-p1": (lambda m, x: m.dropout(x, 1.0, True), [X1], False),
    "alpha_dropout-eval": (lambda m, x: m.alpha_dropout(x, 0.2, False), [X1], False),
    "feature_dropout-eval": (lambda m, x: m.feature_dropout(x, 0.2, False), [X2], False),
    "feature_alpha_dropout-eval": (
        lambda m, x: m.feature_alpha_dropout(x, 0.2, False),
        [X2],
        False,
    ),
    "pixel_shuffle": (lambda m, x: m.pixel_shuffle(x, 2), [rand(1, 8, 2, 3)], True),
    "pixel_unshuffle": (lambda m, x: m.pixel_unshuffle(x, 2), [rand(1, 2, 4, 6)], True),
    "channel_shuffle": (lambda m, x: m.channel_shuffle(x, 3), [rand(2, 6, 2, 2)], True),
    "native_channel_shuffle-values": (
        lambda m, x: m.native_channel_shuffle(x, 2).detach(),
        [rand(2, 6, 2, 2)],
        False,
    ),
    "prelu": (lambda m, x, w: m.prelu(x, w), [X2, rand(3, seed=16, low=0.0, high=0.5)], False),
    "prelu-method": (lambda m, x, w: x.prelu(w), [X2, rand(1, seed=17)], False),
    "bilinear": (
        lambda m, a, b, w, c: m.bilinear(a, b, w, c),
        [rand(4, 3), rand(4, 2, seed=1), rand(5, 3, 2, seed=2), rand(5)],
        True,
    ),
    "pdist": (lambda m, x: m.pdist(x), [rand(4, 3)], False),
    "pdist-p1": (lambda m, x: m.pdist(x, 1), [rand(4, 3)], False),
    "binary_cross_entropy_with_logits": (
        lambda m, x, t: m.binary_cross_entropy_with_logits(x, t),
        [rand(3, 4), rand(3, 4, seed=1, low=0.0, high=1.0)],
        True,
    ),
    "binary_cross_entropy_with_logits-mean": (
        lambda m, x, t, w, p: m.binary_cross_entropy_with_logits(x, t, w, p, 1),
        [
            rand(3, 4),
            rand(3, 4, seed=1, low=0.0, high=1.0),
            rand(4, seed=2, low=0.5),
            rand(4, seed=3, low=0.5),
        ],
        True,
    ),
    "binary_cross_entropy_with_logits-sum": (
        lambda m, x, t: m.binary_cross_entropy_with_logits(x, t, None, None, 2),
        [rand(3, 4), rand(3, 4, seed=1, low=0.0, high=1.0)],
        False,
    ),
    "constant_pad_nd": (lambda m, x: m.constant_pad_nd(x, [1, 2, -1, 0], 0.5), [X2], True),
    "constant_pad_nd-default": (lambda m, x: m.constant_pad_nd(x, (2, 1)), [X1], False),
    "grid_sampler-bilinear": (
        lambda m, x, g: m.grid_sampler(x, g, 0, 0, False),
        [rand(2, 3, 4, 5), GRID],
        False,
    ),
    "grid_sampler-nearest-border": (
        lambda m, x, g: m.grid_sampler(x, g.detach(), 1, 1, True),
        [rand(2, 3, 4, 5), GRID],
        False,
    ),
    "grid_sampler-bicubic-reflection": (
        lambda m, x, g: m.grid_sampler(x, g, 2, 2, False),
        [rand(2, 3, 4, 5), GRID],
        False,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_alias_matches_torch(name):
    fn, values, second = CASES[name]
    run_both(fn, values, second_order=second)


@pytest.mark.parametrize(
    "name",
    ["max_pool1d_with_indices", "adaptive_max_pool1d", "native_layer_norm", "native_batch_norm",
     "embedding_bag", "embedding_bag-sum", "embedding_bag-mean"],
)  # fmt: skip
def test_tuple_results_match_torch(name):
    calls = {
        "max_pool1d_with_indices": lambda m, x: m.max_pool1d_with_indices(x, 2, (), 1),
        "adaptive_max_pool1d": lambda m, x: m.adaptive_max_pool1d(x, 3),
        "native_layer_norm": lambda m, x: m.native_layer_norm(x, [7], None, None, 1e-5),
        "native_batch_norm": lambda m, x: m.native_batch_norm(
            x, None, None, None, None, True, 0.1, 1e-5
        ),
        "embedding_bag": lambda m, x: m.embedding_bag(
            x.detach().reshape(-1, 1).expand(-1, 2).contiguous(),
            m.tensor([0, 3, 1]),
            m.tensor([0, 2]),
            False,
            2,
        ),
        # sum mode: PyTorch's bag sizes and max indices are zeros; mean: the bag sizes
        "embedding_bag-sum": lambda m, x: m.embedding_bag(
            x.reshape(-1, 1).expand(-1, 2),
            m.tensor([0, 3, 1, 4]),
            m.tensor([0, 2, 2]),
            False,
            0,
            False,
            None,
            False,
            3,
        ),
        "embedding_bag-mean": lambda m, x: m.embedding_bag(
            x.reshape(-1, 1).expand(-1, 2),
            m.tensor([0, 3, 1, 4]),
            m.tensor([0, 2, 2]),
            False,
            1,
            False,
            None,
            False,
            3,
        ),
    }
    ours = calls[name](retrograd, make(retrograd, X1))
    theirs = calls[name](torch, make(torch, X1))
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert_same(a, b, f"result {i}")
        assert grad_fn_name(a) == grad_fn_name(b), i


def test_running_stats_move_as_torchs():
    def run(m):
        rm, rv = m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64)
        m.batch_norm(m.tensor(X2), None, None, rm, rv, True, 0.3, 1e-5, False)
        return rm, rv

    for a, b in zip(run(retrograd), run(torch)):
        assert_same(a, b)


@pytest.mark.parametrize("name", ["dropout", "feature_dropout", "alpha_dropout",
                                  "feature_alpha_dropout"])  # fmt: skip
def test_dropouts_in_training_and_in_place(name):
    retrograd.manual_seed(0)
    x = retrograd.ones(64, 8, 4, 4, dtype=retrograd.float64)
    out = getattr(retrograd, name)(x, 0.25, True)
    dropped = (
        getattr(retrograd, name)(x, 1.0, True)
        if not name.startswith(("alpha", "feature_alpha"))
        else None
    )
    values = out.numpy()
    if name.startswith("feature"):  # whole channels share one draw
        assert (values.reshape(64, 8, -1).std(-1) == 0).all()
    if name in ("dropout", "feature_dropout"):
        assert set(np.unique(values)) <= {0.0, 1 / 0.75}
        assert abs(values.mean() - 1.0) < 0.1
        assert not dropped.numpy().any()
    in_place = retrograd.ones(8, 4, dtype=retrograd.float64)
    same = getattr(retrograd, name + "_")(in_place, 0.5, True)
    assert same is in_place
    assert getattr(retrograd, name)(x, 0.25, False) is x or np.array_equal(
        getattr(retrograd, name)(x, 0.25, False).numpy(), x.numpy()
    )


def test_tensor_prelu_is_a_method_and_torch_level_names_exist():
    names = ["conv1d", "conv_transpose3d", "max_pool1d_with_indices", "native_batch_norm",
             "embedding_bag", "feature_alpha_dropout_", "native_channel_shuffle", "ctc_loss",
             "constant_pad_nd", "grid_sampler"]  # fmt: skip
    for name in names:
        assert callable(getattr(retrograd, name)), name
        assert name in dir(retrograd)
    assert hasattr(retrograd.Tensor, "prelu")
    assert not hasattr(retrograd.Tensor, "conv2d")


ERRORS = {
    "batch_norm-channels": lambda m, x: m.batch_norm(
        x, m.ones(4), None, None, None, True, 0.1, 1e-5, False
    ),
    "layer_norm-shape": lambda m, x: m.layer_norm(x, [4]),
    "group_norm-groups": lambda m, x: m.group_norm(x, 2),
    "conv2d-channels": lambda m, x: m.conv2d(x, m.ones(2, 4, 1, 1, dtype=x.dtype)),
    "embedding-range": lambda m, x: m.embedding(m.ones(3, 2), m.tensor([3])),
    "dropout-p": lambda m, x: m.dropout(x, 1.5, True),
    "pixel_shuffle-channels": lambda m, x: m.pixel_shuffle(x, 2),
    "bce-shape": lambda m, x: m.binary_cross_entropy_with_logits(x, m.ones(2)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    assert_same_error(ERRORS[name], X2, whole=False)
