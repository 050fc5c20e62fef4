"""The nn layers and functions added last, against PyTorch: the max poolings' ``_with_indices``
names, the deprecated ``upsample*`` functions, ``embedding_bag``/``EmbeddingBag``,
``multilabel_margin_loss``, ``triplet_margin_with_distance_loss``, ``gumbel_softmax``
(statistical properties: it is random) and ``ctc_loss``/``CTCLoss``. Values, gradients,
second order where PyTorch has it (and its error where it has not), ``grad_fn`` names,
module reprs and ``state_dict`` keys, errors. Harness: tests/torch_oracle.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import (
    assert_same,
    assert_same_error,
    grad_fn_name,
    graph_names,
    make,
    rand,
    run_both,
)

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


def ints(*values):
    return np.array(values, dtype="int64")


# -- pooling with indices ------------------------------------------------------------------

POOLS = {
    "max_pool1d_with_indices": (rand(2, 3, 9), (3, 2, 1)),
    "max_pool2d_with_indices": (rand(2, 3, 6, 7), (3, 2, 1, 1, True)),
    "max_pool3d_with_indices": (rand(1, 2, 4, 5, 4), (2,)),
    "adaptive_max_pool1d_with_indices": (rand(2, 3, 9), (4,)),
    "adaptive_max_pool2d_with_indices": (rand(2, 3, 6, 7), ((3, 4),)),
    "adaptive_max_pool3d_with_indices": (rand(1, 2, 4, 5, 4), (2,)),
}


@pytest.mark.parametrize("name", list(POOLS))
@pytest.mark.parametrize("result", [0, 1])
def test_pooling_with_indices(name, result):
    x, args = POOLS[name]
    run_both(lambda m, t: getattr(F(m), name)(t, *args)[result], [x])


@pytest.mark.parametrize("name", list(POOLS))
def test_pooling_with_indices_ignores_return_indices(name):
    x, args = POOLS[name]
    for lib in (retrograd, torch):
        out = getattr(F(lib), name)(make(lib, x), *args, return_indices=False)
        assert isinstance(out, tuple) and len(out) == 2


# -- deprecated upsampling -----------------------------------------------------------------

UPSAMPLES = {
    "upsample-nearest": lambda m, x: F(m).upsample(x, scale_factor=2),
    "upsample-bilinear-size": lambda m, x: F(m).upsample(x, size=(5, 7), mode="bilinear"),
    "upsample-bicubic-corners": lambda m, x: F(m).upsample(x, None, 1.5, "bicubic", True),
    "upsample_nearest": lambda m, x: F(m).upsample_nearest(x, size=5),
    "upsample_bilinear": lambda m, x: F(m).upsample_bilinear(x, scale_factor=2),
    "upsample_bilinear-size": lambda m, x: F(m).upsample_bilinear(x, (3, 4)),
}


@pytest.mark.parametrize("name", list(UPSAMPLES))
def test_deprecated_upsampling_matches_torch_and_warns(name):
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        UPSAMPLES[name](torch, torch.zeros(1, 1, 2, 3))
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        UPSAMPLES[name](retrograd, retrograd.zeros(1, 1, 2, 3))
    assert [(w.category, str(w.message)) for w in ours] == [
        (w.category, str(w.message)) for w in theirs
    ]
    assert ours[0].filename == __file__  # the warning points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_both(UPSAMPLES[name], [rand(2, 3, 4, 5)], second_order=True)


# -- embedding_bag -------------------------------------------------------------------------

WEIGHT = rand(7, 4)
FLAT = ints(0, 1, 6, 3, 1, 5, 5, 2)
OFFSETS = ints(0, 3, 3, 6)


def bag_case(mode, padding_idx=None, last=False, psw=False, offsets=OFFSETS, flat=FLAT):
    values = [WEIGHT, flat, offsets] + ([rand(len(flat), seed=3)] if psw else [])

    def call(m, w, i, o, *p):
        return F(m).embedding_bag(i, w, o, mode=mode, padding_idx=padding_idx,
                                  include_last_offset=last,
                                  per_sample_weights=p[0] if p else None)  # fmt: skip

    return call, values


BAGS = {
    f"{mode}-pad{pad}-last{last}": (mode, pad, last)
    for mode in ("sum", "mean", "max")
    for pad in (None, 1, -2)
    for last in (False, True)
}


@pytest.mark.parametrize("name", list(BAGS))
def test_embedding_bag_matches_torch(name):
    mode, pad, last = BAGS[name]
    call, values = bag_case(mode, pad, last)
    run_both(call, values, second_order=False)


@pytest.mark.parametrize("pad", [None, 5])
def test_embedding_bag_per_sample_weights(pad):
    call, values = bag_case("sum", pad, psw=True)
    run_both(call, values)


def test_embedding_bag_2d_input_and_ties():
    tied = np.repeat(rand(4, 1), 3, axis=1)
    run_both(
        lambda m, w, i: F(m).embedding_bag(i, w, mode="max"), [tied, ints(0, 1, 1, 2).reshape(2, 2)]
    )
    run_both(
        lambda m, w, i: F(m).embedding_bag(i, w), [WEIGHT, ints(0, 1, 6, 3, 1, 5).reshape(3, 2)]
    )


@pytest.mark.parametrize("wrt", [0, 1])
def test_embedding_bag_has_no_second_derivative(wrt):
    # PyTorch records both gradients (EmbeddingBagBackwardBackward0 for the weight's, a
    # NotImplemented node for the per-sample weights') but cannot differentiate them.
    def second(m):
        w, p = make(m, WEIGHT), make(m, rand(len(FLAT), seed=3))
        out = F(m).embedding_bag(m.tensor(FLAT), w, m.tensor(OFFSETS), mode="sum",
                                 per_sample_weights=p)  # fmt: skip
        grads = m.autograd.grad((out**2).sum(), [w, p], create_graph=True)
        names = [grad_fn_name(g) for g in grads]
        assert names == ["EmbeddingBagBackwardBackward0", "NotImplemented"]
        grads[wrt].sum().backward()

    assert_same_error(lambda m: second(m))


def test_embedding_bag_max_norm_renormalizes_weight():
    def run(m):
        w = m.tensor(WEIGHT * 3)
        out = F(m).embedding_bag(m.tensor(FLAT), w, m.tensor(OFFSETS), max_norm=1.5)
        return out, w

    for a, b in zip(run(retrograd), run(torch)):
        assert_same(a, b)


BAG_ERRORS = {
    "offsets-start": lambda m, w, i: F(m).embedding_bag(i, w, m.tensor([1, 3])),
    "offsets-end": lambda m, w, i: F(m).embedding_bag(i, w, m.tensor([0, 9])),
    "offsets-missing": lambda m, w, i: F(m).embedding_bag(i, w),
    "offsets-2d": lambda m, w, i: F(m).embedding_bag(i.reshape(2, 4), w, m.tensor([0])),
    "input-3d": lambda m, w, i: F(m).embedding_bag(i.reshape(2, 2, 2), w),
    "mode": lambda m, w, i: F(m).embedding_bag(i, w, m.tensor([0]), mode="median"),
    "psw-mode": lambda m, w, i: F(m).embedding_bag(
        i, w, m.tensor([0]), mode="max", per_sample_weights=m.ones(8, dtype=w.dtype)
    ),
    "psw-shape": lambda m, w, i: F(m).embedding_bag(
        i, w, m.tensor([0]), mode="sum", per_sample_weights=m.ones(3, dtype=w.dtype)
    ),
    "padding_idx": lambda m, w, i: F(m).embedding_bag(i, w, m.tensor([0]), padding_idx=9),
    "weight-1d": lambda m, w, i: F(m).embedding_bag(i, w[0], m.tensor([0])),
    "index-range": lambda m, w, i: F(m).embedding_bag(i + 3, w, m.tensor([0])),
}


@pytest.mark.parametrize("name", list(BAG_ERRORS))
def test_embedding_bag_errors(name):
    assert_same_error(BAG_ERRORS[name], WEIGHT, FLAT, whole=False)


def test_embedding_bag_module():
    for kwargs in ({}, {"mode": "max", "padding_idx": 2, "max_norm": 1.0},
                   {"mode": "sum", "norm_type": 1.0, "scale_grad_by_freq": True}):  # fmt: skip
        ours, theirs = (
            retrograd.nn.EmbeddingBag(10, 3, **kwargs),
            torch.nn.EmbeddingBag(10, 3, **kwargs),
        )
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
    retrograd.manual_seed(0)
    bag = retrograd.nn.EmbeddingBag(500, 40, padding_idx=3)
    w = bag.weight.detach().numpy()
    assert not w[3].any() and abs(w.std() - 1.0) < 0.05 and abs(w.mean()) < 0.05
    ours = retrograd.nn.EmbeddingBag.from_pretrained(retrograd.tensor(WEIGHT), mode="sum")
    theirs = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(WEIGHT), mode="sum")
    assert not ours.weight.requires_grad and repr(ours) == repr(theirs)
    idx, off = FLAT, OFFSETS
    assert_same(
        ours(retrograd.tensor(idx), retrograd.tensor(off)),
        theirs(torch.tensor(idx), torch.tensor(off)),
    )
    trainable = retrograd.nn.EmbeddingBag.from_pretrained(retrograd.tensor(WEIGHT), freeze=False)
    out = trainable(retrograd.tensor(idx).reshape(2, 4))
    assert grad_fn_name(out) == "EmbeddingBagBackward0"


# -- multilabel_margin_loss ----------------------------------------------------------------

SCORES = rand(4, 5)
LABELS = ints(3, 0, -1, 1, 2, 1, 1, 4, -1, 0, -1, 0, 0, 0, 0, 0, 1, 2, 3, 4).reshape(4, 5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("batched", [True, False])
def test_multilabel_margin_loss(reduction, batched):
    x, t = (SCORES, LABELS) if batched else (SCORES[0], LABELS[0])
    run_both(lambda m, a, b: F(m).multilabel_margin_loss(a, b, reduction=reduction), [x, t])
    run_both(lambda m, a, b: m.nn.MultiLabelMarginLoss(reduction=reduction)(a, b), [x, t])


def test_multilabel_margin_loss_has_no_second_derivative():
    def second(m):
        x = make(m, SCORES)
        (g,) = m.autograd.grad(F(m).multilabel_margin_loss(x, m.tensor(LABELS)), [x],
                               create_graph=True)  # fmt: skip
        assert grad_fn_name(g) == "NotImplemented"
        g.sum().backward()

    assert_same_error(lambda m: second(m))


MLM_ERRORS = {
    "target-shape": lambda m, x, t: F(m).multilabel_margin_loss(x, t[:, :3]),
    "input-3d": lambda m, x, t: F(m).multilabel_margin_loss(x.reshape(1, 4, 5), t.reshape(1, 4, 5)),
    "target-dtype": lambda m, x, t: F(m).multilabel_margin_loss(x, t.double()),
    "target-range": lambda m, x, t: F(m).multilabel_margin_loss(x, t + 2),
    "reduction": lambda m, x, t: F(m).multilabel_margin_loss(x, t, reduction="avg"),
}


@pytest.mark.parametrize("name", list(MLM_ERRORS))
def test_multilabel_margin_loss_errors(name):
    assert_same_error(MLM_ERRORS[name], SCORES, LABELS)


# -- triplet_margin_with_distance_loss -----------------------------------------------------


def cosine_distance(m):
    return lambda a, b: 1.0 - F(m).cosine_similarity(a, b)


TRIPLETS = {
    "default": lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(a, p, n),
    "swap-sum": lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(
        a, p, n, swap=True, reduction="sum"
    ),
    "cosine-none": lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(
        a, p, n, distance_function=cosine_distance(m), margin=0.5, reduction="none"
    ),
    "module-default": lambda m, a, p, n: m.nn.TripletMarginWithDistanceLoss()(a, p, n),
    "module-pairwise": lambda m, a, p, n: m.nn.TripletMarginWithDistanceLoss(
        distance_function=m.nn.PairwiseDistance(p=1.0), margin=2.0, swap=True
    )(a, p, n),
}


@pytest.mark.parametrize("name", list(TRIPLETS))
def test_triplet_margin_with_distance_loss(name):
    values = [rand(5, 3), rand(5, 3, seed=1), rand(5, 3, seed=2)]
    run_both(TRIPLETS[name], values, second_order=True)
    ours = TRIPLETS[name](retrograd, *(make(retrograd, v) for v in values))
    theirs = TRIPLETS[name](torch, *(make(torch, v) for v in values))
    assert graph_names(ours) == graph_names(theirs)


def test_triplet_margin_with_distance_loss_module_and_errors():
    for kwargs in ({}, {"margin": 2.0, "swap": True, "reduction": "sum"}):
        ours = retrograd.nn.TripletMarginWithDistanceLoss(**kwargs)
        theirs = torch.nn.TripletMarginWithDistanceLoss(**kwargs)
        assert repr(ours) == repr(theirs)
    assert_same_error(lambda m: m.nn.TripletMarginWithDistanceLoss(margin=0.0))
    a = rand(5, 3)
    assert_same_error(lambda m, x: F(m).triplet_margin_with_distance_loss(x, x, x, margin=-1.0), a)
    assert_same_error(lambda m, x: F(m).triplet_margin_with_distance_loss(x, x, x[0]), a)
    assert_same_error(
        lambda m, x: F(m).triplet_margin_with_distance_loss(x, x, x, reduction="x"), a
    )


# -- gumbel_softmax ------------------------------------------------------------------------


def test_gumbel_softmax_soft_is_a_distribution_with_softmax_node():
    retrograd.manual_seed(0)
    logits = retrograd.tensor(rand(3, 4), requires_grad=True)
    y = F(retrograd).gumbel_softmax(logits, tau=0.5)
    assert grad_fn_name(y) == "SoftmaxBackward0"
    assert np.allclose(y.detach().numpy().sum(-1), 1.0) and (y.detach().numpy() > 0).all()
    theirs = F(torch).gumbel_softmax(torch.tensor(rand(3, 4), requires_grad=True), tau=0.5)
    assert graph_names(y) == graph_names(theirs)


def test_gumbel_softmax_samples_follow_the_softmax():
    # argmax of logits + Gumbel noise is a draw from softmax(logits): compare frequencies.
    retrograd.manual_seed(1)
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    y = F(retrograd).gumbel_softmax(retrograd.tensor(np.tile(logits, (20000, 1))), hard=True)
    freq = y.numpy().mean(0)
    assert np.allclose(freq, [0.5, 0.3, 0.15, 0.05], atol=0.015)
    assert set(np.unique(y.numpy())) == {0.0, 1.0} and (y.numpy().sum(1) == 1).all()


def test_gumbel_softmax_hard_gradient_is_the_soft_ones():
    def both(m, hard):
        m.manual_seed(3)
        x = make(m, rand(4, 6))
        y = F(m).gumbel_softmax(x, tau=0.7, hard=hard, dim=-1)
        weights = make(m, rand(4, 6, seed=5), False)
        (g,) = m.autograd.grad((y * weights).sum(), [x])
        return y, g

    y_hard, g_hard = both(retrograd, True)
    y_soft, g_soft = both(retrograd, False)
    np.testing.assert_allclose(g_hard.numpy(), g_soft.numpy(), rtol=1e-12, atol=1e-14)
    assert (y_hard.detach().numpy().argmax(1) == y_soft.detach().numpy().argmax(1)).all()
    ours = F(retrograd).gumbel_softmax(retrograd.tensor(rand(2, 3), requires_grad=True), hard=True)
    theirs = F(torch).gumbel_softmax(torch.tensor(rand(2, 3), requires_grad=True), hard=True)
    assert graph_names(ours) == graph_names(theirs)


def test_gumbel_softmax_warns_for_eps():
    x = retrograd.zeros(2, 3)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        F(retrograd).gumbel_softmax(x, eps=1e-5)


# -- ctc_loss ------------------------------------------------------------------------------


def log_probs(t, n, c, seed=0):
    x = np.random.default_rng(seed).standard_normal((t, n, c))
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


LP = log_probs(7, 3, 5)
PADDED = ints(1, 2, 2, 4, 3, 1, 4, 4, 2).reshape(3, 3)
CTC = {
    "padded": (PADDED, ints(7, 6, 5), ints(3, 2, 0)),
    "concatenated": (ints(1, 2, 2, 3, 1), ints(7, 7, 4), ints(3, 2, 0)),
    "repeats": (ints(2, 2, 2, 1, 1, 3, 4, 4, 4).reshape(3, 3), ints(7, 5, 6), ints(3, 2, 3)),
    "impossible": (ints(2, 2, 2, 1, 1, 3, 4, 4, 4).reshape(3, 3), ints(7, 3, 4), ints(3, 2, 3)),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("name", list(CTC))
def test_ctc_loss_matches_torch(name, reduction, zero_infinity):
    targets, inputs, lengths = CTC[name]

    def call(m, lp, t, il, tl):
        return F(m).ctc_loss(lp, t, il, tl, reduction=reduction, zero_infinity=zero_infinity)

    run_both(call, [LP, targets, inputs, lengths])


@pytest.mark.parametrize("blank", [0, 2, 4])
def test_ctc_loss_blank_and_tuple_lengths(blank):
    targets = ints(1, 3, 0, 4, 1, 3).reshape(2, 3)
    targets = np.where(targets == blank, (blank + 1) % 5, targets)
    run_both(lambda m, lp, t: F(m).ctc_loss(lp, t, (7, 6), (3, 2), blank=blank),
             [log_probs(7, 2, 5, seed=1), targets])  # fmt: skip
    run_both(lambda m, lp, t: m.nn.CTCLoss(blank=blank, reduction="sum")(lp, t, [7, 6], [3, 2]),
             [log_probs(7, 2, 5, seed=1), targets])  # fmt: skip


def test_ctc_loss_unbatched_and_float32():
    run_both(lambda m, lp, t: F(m).ctc_loss(lp, t, m.tensor(6), m.tensor(2), reduction="none"),
             [log_probs(6, 1, 4)[:, 0], ints(1, 3)])  # fmt: skip
    run_both(lambda m, lp, t: F(m).ctc_loss(lp, t, [7, 7, 5], [3, 2, 1]),
             [LP.astype("float32"), PADDED])  # fmt: skip


def test_ctc_loss_torch_level_and_no_second_derivative():
    run_both(lambda m, lp, t: m.ctc_loss(lp, t, [7, 6, 5], [3, 2, 0]), [LP, PADDED])
    run_both(lambda m, lp, t: m.ctc_loss(lp, t, [7, 6, 5], [3, 2, 0], 0, 2, True), [LP, PADDED])

    def second(m):
        lp = make(m, LP)
        loss = F(m).ctc_loss(lp, m.tensor(PADDED), [7, 6, 5], [3, 2, 0])
        (g,) = m.autograd.grad(loss, [lp], create_graph=True)
        assert grad_fn_name(g) == "NotImplemented"
        g.sum().backward()

    assert_same_error(lambda m: second(m))


def test_ctc_loss_module():
    for kwargs in ({}, {"blank": 2, "reduction": "sum", "zero_infinity": True}):
        ours, theirs = retrograd.nn.CTCLoss(**kwargs), torch.nn.CTCLoss(**kwargs)
        assert repr(ours) == repr(theirs)
        assert (ours.blank, ours.reduction, ours.zero_infinity) == (
            theirs.blank, theirs.reduction, theirs.zero_infinity)  # fmt: skip
        assert list(ours.state_dict()) == list(theirs.state_dict())


CTC_ERRORS = {
    "blank": lambda m, lp, t: F(m).ctc_loss(lp, t, [7, 6, 5], [3, 2, 0], blank=5),
    "input_lengths-size": lambda m, lp, t: F(m).ctc_loss(lp, t, [7, 6], [3, 2, 0]),
    "input_lengths-value": lambda m, lp, t: F(m).ctc_loss(lp, t, [8, 6, 5], [3, 2, 0]),
    "targets-short": lambda m, lp, t: F(m).ctc_loss(lp, t, [7, 6, 5], [4, 2, 0]),
    "reduction": lambda m, lp, t: F(m).ctc_loss(lp, t, [7, 6, 5], [3, 2, 0], reduction="x"),
}


@pytest.mark.parametrize("name", list(CTC_ERRORS))
def test_ctc_loss_errors(name):
    assert_same_error(CTC_ERRORS[name], LP, PADDED)


# -- lazy modules --------------------------------------------------------------------------

LAZY = {
    "LazyLinear": (lambda m: m.nn.LazyLinear(3), (2, 5)),
    "LazyLinear-nobias": (lambda m: m.nn.LazyLinear(4, bias=False), (2, 3, 6)),
    "LazyConv1d": (lambda m: m.nn.LazyConv1d(4, 3, groups=2), (2, 4, 7)),
    "LazyConv1d-unbatched": (lambda m: m.nn.LazyConv1d(2, 2), (3, 6)),
    "LazyConv2d": (lambda m: m.nn.LazyConv2d(4, 3, padding=1, bias=False), (2, 3, 5, 5)),
    "LazyConv3d": (lambda m: m.nn.LazyConv3d(2, 2, stride=2), (1, 2, 4, 4, 4)),
    "LazyConvTranspose1d": (lambda m: m.nn.LazyConvTranspose1d(4, 2, stride=2), (2, 3, 5)),
    "LazyConvTranspose2d": (
        lambda m: m.nn.LazyConvTranspose2d(2, 3, output_padding=0),
        (1, 3, 4, 4),
    ),
    "LazyConvTranspose3d": (lambda m: m.nn.LazyConvTranspose3d(2, 2, groups=2), (1, 4, 2, 3, 2)),
    "LazyBatchNorm1d": (lambda m: m.nn.LazyBatchNorm1d(), (4, 3)),
    "LazyBatchNorm2d": (lambda m: m.nn.LazyBatchNorm2d(affine=False, momentum=0.3), (4, 3, 2, 2)),
    "LazyBatchNorm3d": (lambda m: m.nn.LazyBatchNorm3d(track_running_stats=False), (2, 2, 2, 2, 2)),
    "LazyInstanceNorm1d": (lambda m: m.nn.LazyInstanceNorm1d(), (2, 3, 5)),
    "LazyInstanceNorm2d": (lambda m: m.nn.LazyInstanceNorm2d(affine=False), (2, 3, 4, 4)),
    "LazyInstanceNorm3d": (lambda m: m.nn.LazyInstanceNorm3d(eps=0.1), (1, 2, 3, 3, 3)),
}


@pytest.mark.parametrize("name", list(LAZY))
def test_lazy_module_becomes_the_ordinary_layer(name):
    build, shape = LAZY[name]
    ours, theirs = build(retrograd), build(torch)
    assert repr(ours) == repr(theirs)
    x = rand(*shape, dtype="float32")
    ours(make(retrograd, x, False))
    theirs(make(torch, x, False))
    assert type(ours).__name__ == type(theirs).__name__ and not type(ours).__name__.startswith(
        "Lazy"
    )
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (n, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert type(a) is retrograd.nn.Parameter and tuple(a.shape) == tuple(b.shape), n
    # The same weights give the same forward and backward as PyTorch's initialized layer.
    ours.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    ours.train(False), theirs.train(False)
    run_both(
        lambda m, t: (ours if m is retrograd else theirs)(t),
        [rand(*shape, seed=4, dtype="float32")],
    )


def test_lazy_linear_initializes_as_linear():
    retrograd.manual_seed(0)
    layer = retrograd.nn.LazyLinear(200)
    weight = layer.weight  # the placeholder: materialized in place at the first forward
    assert repr(weight) == "<UninitializedParameter>" and layer.has_uninitialized_params()
    layer(retrograd.ones(2, 50))
    assert layer.weight is weight and type(weight) is retrograd.nn.Parameter
    assert (
        not layer.has_uninitialized_params() if hasattr(layer, "has_uninitialized_params") else True
    )
    bound = 1 / np.sqrt(50)  # kaiming_uniform_(a=sqrt(5)) on fan_in 50
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.shape == (200, 50) and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and weight.requires_grad


def test_uninitialized_parameter_and_buffer():
    for lib in (retrograd, torch):
        p = lib.nn.UninitializedParameter()
        assert repr(p) == "<UninitializedParameter>" and p.requires_grad
        assert isinstance(p, lib.nn.Parameter)
        p.materialize((2, 3))
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (2, 3)
        b = lib.nn.UninitializedBuffer()
        assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad
        b.materialize(4, dtype=lib.float64)
        assert type(b) is lib.Tensor and tuple(b.shape) == (4,) and b.dtype == lib.float64


# -- fractional max pooling ----------------------------------------------------------------

SAMPLES2 = rand(2, 3, 2, seed=7, low=0.0, high=1.0)
SAMPLES3 = rand(1, 2, 3, seed=8, low=0.0, high=1.0)
FRACTIONAL = {
    "2d": (
        lambda m, x, u: F(m).fractional_max_pool2d(x, 3, (4, 5), _random_samples=u),
        [rand(2, 3, 9, 8), SAMPLES2],
    ),
    "2d-kernel-pair": (
        lambda m, x, u: F(m).fractional_max_pool2d(x, (2, 3), (8, 6), _random_samples=u),
        [rand(2, 3, 9, 8), SAMPLES2],
    ),
    "2d-ratio": (
        lambda m, x, u: F(m).fractional_max_pool2d(
            x, 2, output_ratio=(0.5, 0.7), _random_samples=u
        ),
        [rand(2, 3, 9, 8), SAMPLES2],
    ),
    "2d-one-output": (
        lambda m, x, u: F(m).fractional_max_pool2d(x, 2, 1, _random_samples=u),
        [rand(2, 3, 5, 4), SAMPLES2],
    ),
    "2d-unbatched": (
        lambda m, x, u: F(m).fractional_max_pool2d(x, 2, 4, _random_samples=u),
        [rand(3, 7, 6), SAMPLES2[:1]],
    ),
    "2d-float32": (
        lambda m, x, u: F(m).fractional_max_pool2d(x, 3, (5, 4), _random_samples=u),
        [rand(2, 3, 11, 9, dtype="float32"), SAMPLES2.astype("float32")],
    ),
    "2d-indices": (
        lambda m, x, u: F(m).fractional_max_pool2d_with_indices(x, 3, (4, 5), _random_samples=u)[1],
        [rand(2, 3, 9, 8), SAMPLES2],
    ),
    "3d": (
        lambda m, x, u: F(m).fractional_max_pool3d(x, 2, (3, 4, 3), _random_samples=u),
        [rand(1, 2, 6, 7, 5), SAMPLES3],
    ),
    "3d-indices": (
        lambda m, x, u: F(m).fractional_max_pool3d(
            x, (2, 3, 2), 3, return_indices=True, _random_samples=u
        )[1],
        [rand(1, 2, 6, 7, 5), SAMPLES3],
    ),
    "module-2d": (
        lambda m, x, u: m.nn.FractionalMaxPool2d(2, output_size=4, _random_samples=u.detach())(x),
        [rand(2, 3, 9, 8), SAMPLES2],
    ),
    "module-3d": (
        lambda m, x, u: m.nn.FractionalMaxPool3d(2, output_ratio=0.6, _random_samples=u.detach())(
            x
        ),
        [rand(1, 2, 6, 7, 5), SAMPLES3],
    ),
}


@pytest.mark.parametrize("name", list(FRACTIONAL))
def test_fractional_max_pool_matches_torch(name):
    fn, values = FRACTIONAL[name]
    # the samples are constants: detach them so only the input requires grad
    run_both(lambda m, x, u: fn(m, x, u.detach()), values, second_order=True)


def test_fractional_max_pool_draws_its_samples():
    retrograd.manual_seed(0)
    x = retrograd.rand(4, 3, 10, 10, dtype=retrograd.float64)
    a = F(retrograd).fractional_max_pool2d(x, 3, output_size=5)
    b = F(retrograd).fractional_max_pool2d(x, 3, output_size=5)
    assert tuple(a.shape) == (4, 3, 5, 5) and not np.array_equal(a.numpy(), b.numpy())


def test_fractional_max_pool_modules_and_errors():
    for lib in (retrograd, torch):
        assert repr(lib.nn.FractionalMaxPool2d(3, output_ratio=0.5)) == "FractionalMaxPool2d()"
    assert_same_error(lambda m: m.nn.FractionalMaxPool2d(3))
    assert_same_error(lambda m: m.nn.FractionalMaxPool2d(3, output_ratio=1.5))
    assert_same_error(lambda m: m.nn.FractionalMaxPool3d(3, output_size=2, output_ratio=0.5))
    x, u = rand(1, 2, 6, 7, 5), rand(1, 2, 3, low=0.0, high=1.0)
    assert_same_error(lambda m, t: F(m).fractional_max_pool2d(t[0], 3), x)
    assert_same_error(
        lambda m, t, s: F(m).fractional_max_pool2d(t[0], 3, (3, 9), _random_samples=s[..., :2]),
        x,
        u,
    )
    assert_same_error(
        lambda m, t, s: F(m).fractional_max_pool2d(t[0], 3, 3, _random_samples=s), x, u
    )
    assert_same_error(
        lambda m, t, s: F(m).fractional_max_pool3d(t, 3, (5, 4, 3), _random_samples=s), x, u
    )
    assert_same_error(
        lambda m, t, s: F(m).fractional_max_pool3d(t, 3, (3, 4, 4), _random_samples=s), x, u
    )


def test_fractional_max_pool_sample_dtype_and_3d_fit():
    x, u = rand(1, 2, 6, 7, 5), rand(1, 2, 3, low=0.0, high=1.0)
    assert_same_error(
        lambda m, t, s: F(m).fractional_max_pool3d(t, 2, 3, _random_samples=s.float()), x, u
    )
    # 3-d windows must leave room: out + k - 1 < size (2-d: <=)
    assert_same_error(
        lambda m, t, s: F(m).fractional_max_pool3d(t, 2, (5, 4, 3), _random_samples=s), x, u
    )
