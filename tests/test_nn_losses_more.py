"""nn.functional's margin and distance losses, and their modules, against PyTorch.

Values, gradients, ``grad_fn`` names and, for the composed ones, the graph several levels
down (PyTorch's C++ compositions record ``AddBackward1``/``SubBackward1``/``NormBackward1``,
which Python code never reaches); errors (type and PyTorch's text first); module
constructors and reprs. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same_error, grad_fn_name, graph_tree, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


def signs(*shape, seed=3):
    return np.where(np.random.default_rng(seed).uniform(size=shape) > 0.5, 1.0, -1.0)


def lib_of(t):
    return torch if isinstance(t, torch.Tensor) else retrograd


def cls(m, values):
    return m.tensor(values, dtype=m.int64)


X, Y, Z = rand(4, 5), rand(4, 5, seed=1), rand(4, 5, seed=2)
V = rand(4, 5, seed=4, low=0.1, high=2.0)  # variances, Poisson rates
# name -> (call, inputs): the call takes the library and the inputs (made from the arrays).
LOSSES = {
    "pairwise_distance": (lambda m, a, b: F(m).pairwise_distance(a, b), (X, Y)),
    "pairwise_distance-p1-keepdim": (
        lambda m, a, b: F(m).pairwise_distance(a, b, 1.0, 1e-3, True),
        (X, Y),
    ),
    "pairwise_distance-inf": (lambda m, a, b: F(m).pairwise_distance(a, b, float("inf")), (X, Y)),
    "pairwise_distance-p3-broadcast": (lambda m, a, b: F(m).pairwise_distance(a, b[0], 3), (X, Y)),
    "pairwise_distance-1d": (lambda m, a, b: F(m).pairwise_distance(a[0], b[0]), (X, Y)),
    "pairwise_distance-0d": (lambda m, a, b: F(m).pairwise_distance(a[0, 0], b[0, 0]), (X, Y)),
    "margin_ranking": (
        lambda m, a, b, t: F(m).margin_ranking_loss(a[0], b[0], t[0]),
        (X, Y, signs(4, 5)),
    ),
    "margin_ranking-margin-sum": (
        lambda m, a, b, t: F(m).margin_ranking_loss(a, b, t, 0.5, reduction="sum"),
        (X, Y, signs(4, 5)),
    ),
    "margin_ranking-none": (
        lambda m, a, b, t: F(m).margin_ranking_loss(a, b, t, 1.0, reduction="none"),
        (X, Y, signs(4, 5)),
    ),
    "soft_margin": (lambda m, a: F(m).soft_margin_loss(a, m.tensor(signs(4, 5))), (X,)),
    "soft_margin-sum-broadcast": (
        lambda m, a: F(m).soft_margin_loss(a, m.tensor(signs(5)), reduction="sum"),
        (X,),
    ),
    "soft_margin-none": (
        lambda m, a: F(m).soft_margin_loss(a, m.tensor(Y), reduction="none"),
        (X,),
    ),
    "soft_margin-float32": (
        lambda m, a: F(m).soft_margin_loss(a, m.tensor(signs(4, 5), dtype=m.float32)),
        (X.astype("float32"),),
    ),
    "hinge_embedding": (lambda m, a: F(m).hinge_embedding_loss(a, m.tensor(signs(4, 5))), (X,)),
    "hinge_embedding-margin-none": (
        lambda m, a: F(m).hinge_embedding_loss(a, m.tensor(Y), 0.5, reduction="none"),
        (X,),
    ),
    "cosine_embedding": (
        lambda m, a, b: F(m).cosine_embedding_loss(a, b, m.tensor(signs(4))),
        (X, Y),
    ),
    "cosine_embedding-margin-sum": (
        lambda m, a, b: F(m).cosine_embedding_loss(
            a, b, m.tensor([1.0, -1.0, 0.0, -1.0]), 0.1, reduction="sum"
        ),
        (X, Y),
    ),
    "cosine_embedding-1d": (
        lambda m, a, b: F(m).cosine_embedding_loss(a[0], b[0], m.tensor(-1.0), -0.5),
        (X, Y),
    ),
    "poisson_nll": (lambda m, a, t: F(m).poisson_nll_loss(a, t), (X, V * 3)),
    "poisson_nll-rates-full": (
        lambda m, a, t: F(m).poisson_nll_loss(a, t, log_input=False, full=True),
        (V, V * 3),
    ),
    "poisson_nll-full-none": (
        lambda m, a, t: F(m).poisson_nll_loss(a, t, full=True, reduction="none"),
        (X, V * 3),
    ),
    "gaussian_nll": (lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v), (X, Y, V)),
    "gaussian_nll-full-sum": (
        lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v[:, :1], full=True, reduction="sum"),
        (X, Y, V),
    ),
    "gaussian_nll-homoscedastic-none": (
        lambda m, a, b, v: F(m).gaussian_nll_loss(a, b, v[:, 0], eps=0.5, reduction="none"),
        (X, Y, V),
    ),
    "gaussian_nll-float": (lambda m, a, b: F(m).gaussian_nll_loss(a, b, 0.7), (X, Y)),
    "triplet_margin": (lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n), (X, Y, Z)),
    "triplet_margin-swap-p1-none": (
        lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n, 3.0, 1, swap=True, reduction="none"),
        (X, Y, Z),
    ),
    "multi_margin": (lambda m, a: F(m).multi_margin_loss(a, cls(m, [0, 4, 2, 2])), (X,)),
    "multi_margin-p2-margin-weight-sum": (
        lambda m, a: F(m).multi_margin_loss(
            a, cls(m, [1, 0, 3, 4]), 2, 0.5, m.tensor(V[0]), reduction="sum"
        ),
        (X,),
    ),
    "multi_margin-none": (
        lambda m, a: F(m).multi_margin_loss(a, cls(m, [1, 1, 3, 0]), reduction="none"),
        (X,),
    ),
    "multi_margin-1d": (lambda m, a: F(m).multi_margin_loss(a[0], cls(m, 3)), (X,)),
    "multi_margin-1d-target1-none": (
        lambda m, a: F(m).multi_margin_loss(a[0], cls(m, [3]), reduction="none"),
        (X,),
    ),
    "multilabel_soft_margin": (
        lambda m, a: F(m).multilabel_soft_margin_loss(a, m.tensor((signs(4, 5) > 0) * 1.0)),
        (X,),
    ),
    "multilabel_soft_margin-weight-none": (
        lambda m, a, w: F(m).multilabel_soft_margin_loss(a, m.tensor(V / 2), w, reduction="none"),
        (X, V[0]),
    ),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_values_gradients_grad_fn(name):
    fn, inputs = LOSSES[name]
    run_both(fn, list(inputs))


@pytest.mark.parametrize("name", list(LOSSES))
def test_graph_is_pytorchs(name):
    fn, inputs = LOSSES[name]
    ours = fn(retrograd, *[retrograd.tensor(a, requires_grad=True) for a in inputs])
    theirs = fn(torch, *[torch.tensor(a, requires_grad=True) for a in inputs])
    assert graph_tree(ours.grad_fn, 6) == graph_tree(theirs.grad_fn, 6)


def test_pairwise_distance_prints_norm_backward1():
    """PyTorch's pairwise_distance calls ATen's norm with a dim: NormBackward1 (not
    linalg's node, which torch.norm records)."""
    x = retrograd.randn(3, 4, requires_grad=True)
    out = F(retrograd).pairwise_distance(x, x.detach())
    assert repr(out).endswith("grad_fn=<NormBackward1>)")
    theirs = torch.norm(torch.ones(2, 2, requires_grad=True), 2, 1)
    assert grad_fn_name(retrograd.norm(x, 2, 1)) == grad_fn_name(theirs)


def test_at_special_points():
    """Gradients where the math leaves a choice: a zero distance (its eps shift),
    margins met exactly (clamp_min's gradient at its bound), exp overflowing."""
    same = np.array([[1.0, 2.0], [0.5, -0.5]])
    run_both(lambda m, a, b: F(m).pairwise_distance(a, b, eps=0.0), [same, same.copy()])
    run_both(lambda m, a, b: F(m).pairwise_distance(a, b, p=1, eps=0.0), [same, same.copy()])
    run_both(
        lambda m, a, b, t: F(m).margin_ranking_loss(a, b, t, 1.0, reduction="none"),
        [np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 1.0]), np.array([1.0, -1.0, 1.0])],
    )
    run_both(lambda m, a: F(m).hinge_embedding_loss(a, m.tensor([-1.0, -1.0, 1.0]),
                                                    reduction="none"),
             [np.array([1.0, 2.0, 0.0])])  # fmt: skip
    run_both(lambda m, a: F(m).multi_margin_loss(a, cls(m, [0, 1]), reduction="none"),
             [np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])])  # fmt: skip
    big = np.array([-800.0, 800.0, 0.0, np.inf])
    run_both(lambda m, a: F(m).soft_margin_loss(a, m.tensor([1.0, -1.0, 1.0, 1.0]),
                                                reduction="none"), [big])  # fmt: skip


BAD_CALLS = {
    "mrl-dims": lambda m, x: F(m).margin_ranking_loss(x[0], x[0], x[:, :1]),
    "mrl-shapes": lambda m, x: F(m).margin_ranking_loss(x[0], x[0, :2], x[0]),
    "mrl-reduction": lambda m, x: F(m).margin_ranking_loss(x, x, x, reduction="avg"),
    "sml-shapes": lambda m, x: F(m).soft_margin_loss(x, x[:2]),
    "sml-reduction": lambda m, x: F(m).soft_margin_loss(x, x, reduction="avg"),
    "sml-target-grad": lambda m, x: F(m).soft_margin_loss(x, x.requires_grad_()),
    "hel-shapes": lambda m, x: F(m).hinge_embedding_loss(x, x[:2]),
    "hel-reduction": lambda m, x: F(m).hinge_embedding_loss(x, x, reduction="avg"),
    "cel-2d-target": lambda m, x: F(m).cosine_embedding_loss(x, x, x),
    "cel-1d-target": lambda m, x: F(m).cosine_embedding_loss(x[0], x[0], x[0]),
    "cel-0d-target": lambda m, x: F(m).cosine_embedding_loss(x, x, x[0, 0]),
    "cel-sizes": lambda m, x: F(m).cosine_embedding_loss(x, x, x[0, :2]),
    "cel-reduction": lambda m, x: F(m).cosine_embedding_loss(x, x, x[0], reduction="avg"),
    "pnl-shapes": lambda m, x: F(m).poisson_nll_loss(x, x[:2]),
    "pnl-reduction": lambda m, x: F(m).poisson_nll_loss(x, x, reduction="avg"),
    "gnl-negative": lambda m, x: F(m).gaussian_nll_loss(x, x, -x.abs()),
    "gnl-negative-float": lambda m, x: F(m).gaussian_nll_loss(x, x, -1.0),
    "gnl-size": lambda m, x: F(m).gaussian_nll_loss(x, x, x[:2].abs()),
    "gnl-reduction": lambda m, x: F(m).gaussian_nll_loss(x, x, x.abs(), reduction="avg"),
    "tml-dims": lambda m, x: F(m).triplet_margin_loss(x, x, x[0]),
    "tml-margin": lambda m, x: F(m).triplet_margin_loss(x, x, x, margin=0.0),
    "tml-reduction": lambda m, x: F(m).triplet_margin_loss(x, x, x, reduction="avg"),
    "pd-shapes": lambda m, x: F(m).pairwise_distance(x, x[:2]),
    "mml-range": lambda m, x: F(m).multi_margin_loss(x, cls(m, [0, 1, 2, 4])),
    "mml-negative": lambda m, x: F(m).multi_margin_loss(x, cls(m, [0, -1, 2, 3])),
    "mml-target-size": lambda m, x: F(m).multi_margin_loss(x, cls(m, [0, 1])),
    "mml-target-2d": lambda m, x: F(m).multi_margin_loss(x, cls(m, [[0], [1], [2], [3]])),
    "mml-target-float": lambda m, x: F(m).multi_margin_loss(x, x[:, 0]),
    "mml-3d": lambda m, x: F(m).multi_margin_loss(x.reshape(2, 2, 4), cls(m, [0, 1])),
    "mml-p": lambda m, x: F(m).multi_margin_loss(x, cls(m, [0, 1, 2, 3]), p=3),
    "mml-weight-2d": lambda m, x: F(m).multi_margin_loss(x, cls(m, [0, 1, 2, 3]), weight=x),
    "mml-weight-size": lambda m, x: F(m).multi_margin_loss(
        x, cls(m, [0, 1, 2, 3]), weight=x[0, :3]
    ),  # fmt: skip
    "mml-weight-grad": lambda m, x: F(m).multi_margin_loss(
        x, cls(m, [0, 1, 2, 3]), weight=x[0].requires_grad_()
    ),
    "mml-reduction": lambda m, x: F(m).multi_margin_loss(x, cls(m, [0, 1, 2, 3]), reduction="a"),
    "mml-int": lambda m, x: F(m).multi_margin_loss(x.long(), cls(m, [0, 1, 2, 3])),
    "mlsml-reduction": lambda m, x: F(m).multilabel_soft_margin_loss(x, x, reduction="avg"),
    "mlsml-0d": lambda m, x: F(m).multilabel_soft_margin_loss(x[0, 0], x[0, 0]),
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_bad_arguments_raise_pytorchs_errors(name):
    assert_same_error(BAD_CALLS[name], rand(4, 4).tolist())


MODULES = [
    ("PairwiseDistance", (), {}, 2),
    ("PairwiseDistance", (1.0, 1e-3, True), {}, 2),
    ("MarginRankingLoss", (), {}, 3),
    ("MarginRankingLoss", (0.5,), {"reduction": "sum"}, 3),
    ("SoftMarginLoss", (), {}, 2),
    ("HingeEmbeddingLoss", (2.0,), {}, 2),
    ("CosineEmbeddingLoss", (0.1,), {}, 3),
    ("PoissonNLLLoss", (), {}, 2),
    ("PoissonNLLLoss", (False, True), {"eps": 1e-4}, 2),
    ("GaussianNLLLoss", (), {}, 3),
    ("GaussianNLLLoss", (), {"full": True, "eps": 1e-3, "reduction": "sum"}, 3),
    ("TripletMarginLoss", (), {}, 3),
    ("TripletMarginLoss", (), {"margin": 2.0, "p": 1, "swap": True}, 3),
    ("MultiMarginLoss", (), {}, 1),
    ("MultiMarginLoss", (2, 0.5), {"reduction": "none"}, 1),
    ("MultiLabelSoftMarginLoss", (), {}, 2),
]


def _module_inputs(name, count):
    if name == "CosineEmbeddingLoss":
        return [X, Y], lambda m: [m.tensor(signs(4))]
    if name == "MarginRankingLoss":
        return [X, Y], lambda m: [m.tensor(signs(4, 5))]
    if name in {"SoftMarginLoss", "MultiLabelSoftMarginLoss", "HingeEmbeddingLoss"}:
        return [X], lambda m: [m.tensor((signs(4, 5) > 0) * 1.0)]
    if name == "MultiMarginLoss":
        return [X], lambda m: [cls(m, [0, 1, 4, 2])]
    return [X, V, Z][:count], lambda m: []


@pytest.mark.parametrize(("name", "args", "kwargs", "count"), MODULES, ids=lambda v: str(v))
def test_modules_repr_attributes_and_forward(name, args, kwargs, count):
    ours = getattr(retrograd.nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    public = {k: v for k, v in vars(theirs).items() if not k.startswith("_") and k != "training"}
    assert {k: getattr(ours, k) for k in public} == public
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    tensors, extra = _module_inputs(name, count)
    run_both(lambda m, *xs: (ours if m is retrograd else theirs)(*xs, *extra(m)), tensors)


def test_module_constructor_errors_and_weights():
    for make in (
        lambda m: m.nn.TripletMarginLoss(margin=0.0),
        lambda m: m.nn.MultiMarginLoss(p=3),
        lambda m: m.nn.MultiMarginLoss(weight=m.ones(2, 2)),
    ):
        with pytest.raises(ValueError) as theirs:
            make(torch)
        with pytest.raises(ValueError, match=str(theirs.value)):
            make(retrograd)
    targets = {"MultiMarginLoss": lambda m: cls(m, [0, 1, 4, 2]),
               "MultiLabelSoftMarginLoss": lambda m: m.tensor(V / 2)}  # fmt: skip
    for name, target in targets.items():
        mods = [getattr(m.nn, name)(weight=m.tensor(V[0])) for m in (retrograd, torch)]
        assert [n for n, _ in mods[0].named_buffers()] == [n for n, _ in mods[1].named_buffers()]
        run_both(lambda m, x, mods=mods, target=target: mods[m is torch](x, target(m)), [X])


def test_legacy_reduction_arguments_of_modules():
    for lib in (retrograd, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = lib.nn.SoftMarginLoss(size_average=False)
        assert m.reduction == "sum" and caught
