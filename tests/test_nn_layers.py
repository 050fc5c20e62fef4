"""Every nn layer against PyTorch: repr text, outputs and gradients from the same
weights and inputs, running statistics, and the shape errors of bad input."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as rg
from retrograd import nn

torch = pytest.importorskip("torch")
from torch_oracle import (  # noqa: E402 - after the importorskip
    TORCH_VERSION,
    arr,
    assert_same_error,
    graph_names,
    rand,
)

# (class name, constructor args, constructor kwargs): every module class, for the reprs.
CONSTRUCTORS = [
    ("Linear", (4, 3), {}),
    ("Linear", (4, 3), {"bias": False}),
    ("Bilinear", (2, 3, 4), {}),
    ("Identity", (), {}),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}),
    ("Conv2d", (3, 8, 3), {}),
    ("Conv2d", (4, 8, (3, 2)), {"padding": "same", "dilation": 2, "bias": False}),
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "reflect"}),
    ("Conv3d", (2, 2, 2), {}),
    ("MaxPool1d", (2,), {}),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}),
    ("AvgPool1d", (3,), {}),
    ("AvgPool2d", (2,), {"count_include_pad": False}),
    ("AdaptiveAvgPool2d", ((2, 3),), {}),
    ("AdaptiveAvgPool1d", (4,), {}),
    ("Embedding", (10, 3), {"padding_idx": 0}),
    ("Embedding", (10, 3), {"padding_idx": -1, "max_norm": 1.0}),
    ("LayerNorm", (4,), {}),
    ("LayerNorm", ((2, 3),), {"elementwise_affine": False}),
    ("BatchNorm1d", (3,), {}),
    ("BatchNorm2d", (3,), {"momentum": None, "affine": False}),
    ("BatchNorm3d", (4,), {"eps": 1e-3}),
    ("Dropout", (), {}),
    ("Dropout", (0.2,), {"inplace": True}),
    ("Flatten", (), {}),
    ("Unflatten", (1, (2, 2)), {}),
    ("ReLU", (), {}),
    ("ReLU", (True,), {}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}),
    ("LeakyReLU", (0.2,), {}),
    ("LeakyReLU", (), {"inplace": True}),
    ("ELU", (), {"alpha": 0.5}),
    ("Softplus", (), {"beta": 2}),
    ("Softmax", (), {"dim": 1}),
    ("LogSoftmax", (), {"dim": -1}),
    ("MSELoss", (), {}),
    ("L1Loss", (), {"reduction": "sum"}),
    ("CrossEntropyLoss", (), {"label_smoothing": 0.1}),
    ("NLLLoss", (), {}),
    ("BCELoss", (), {}),
    ("BCEWithLogitsLoss", (), {}),
]


NORM_LAYERS_WITH_BIAS_IN_REPR = {"LayerNorm", "BatchNorm1d", "BatchNorm2d"}


@pytest.mark.parametrize("name,args,kwargs", CONSTRUCTORS, ids=lambda v: str(v))
def test_repr_matches_pytorch(name, args, kwargs):
    if name in NORM_LAYERS_WITH_BIAS_IN_REPR and TORCH_VERSION < (2, 13):
        pytest.skip("PyTorch < 2.13 leaves bias= out of the norm layers' repr")
    mine = getattr(nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(mine) == repr(theirs)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(mine.state_dict()) == list(theirs.state_dict())
    shapes = [tuple(v.shape) for v in mine.state_dict().values()]
    assert shapes == [tuple(v.shape) for v in theirs.state_dict().values()]


def _copy_weights(theirs, mine):
    state = {k: rg.tensor(v.tolist(), dtype=_dtype(v)) for k, v in theirs.state_dict().items()}
    mine.load_state_dict(state)


def _dtype(t):
    return {torch.float32: rg.float32, torch.int64: rg.int64, torch.float64: rg.float64}[t.dtype]


def _close(a, b, tol=1e-5):
    a = a.detach().numpy() if isinstance(a, rg.Tensor) else np.asarray(a)
    b = b.detach().numpy()
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _run_both(name, args, kwargs, shape, train=True, integer=None):
    """Forward and backward of the same layer and input in both; compare everything."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    mine = getattr(nn, name)(*args, **kwargs)
    _copy_weights(theirs, mine)
    theirs.train(train)
    mine.train(train)
    if integer is None:
        x = torch.randn(*shape, requires_grad=True)
        xm = rg.tensor(x.tolist(), requires_grad=True)
    else:
        x = torch.randint(0, integer, shape)
        xm = rg.tensor(x.tolist())
    out, outm = theirs(x), mine(xm)
    _close(outm, out)
    weight = torch.randn(out.shape)
    (out * weight).sum().backward()
    (outm * rg.tensor(weight.tolist())).sum().backward()
    if integer is None:
        _close(xm.grad, x.grad)
    for (n, p), (_, pm) in zip(theirs.named_parameters(), mine.named_parameters()):
        _close(pm.grad, p.grad), n
    for (_, b), (_, bm) in zip(theirs.named_buffers(), mine.named_buffers()):
        _close(bm, b)
    return mine, theirs


@pytest.mark.parametrize(
    "name,args,kwargs,shape",
    [
        ("Linear", (4, 3), {}, (5, 4)),
        ("Linear", (4, 3), {"bias": False}, (2, 5, 4)),
        ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}, (2, 4, 9)),
        ("Conv1d", (2, 3, 3), {"padding": "same", "dilation": 2}, (3, 2, 8)),
        ("Conv2d", (3, 5, 3), {}, (2, 3, 8, 7)),
        (
            "Conv2d",
            (4, 6, (3, 2)),
            {"stride": (2, 1), "padding": (1, 2), "groups": 2},
            (2, 4, 7, 5),
        ),
        ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "reflect"}, (1, 2, 5, 5)),
        ("Conv2d", (2, 4, 3), {"padding": 2, "padding_mode": "circular"}, (1, 2, 5, 5)),
        ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "replicate"}, (1, 2, 5, 5)),
        ("Conv2d", (3, 2, 3), {}, (3, 6, 6)),  # unbatched
        ("MaxPool2d", (2,), {}, (2, 3, 6, 6)),
        ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 8, 7)),
        ("MaxPool2d", (2,), {"dilation": 2}, (1, 2, 7, 7)),
        ("MaxPool1d", (3,), {"stride": 2}, (2, 3, 9)),
        ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 8, 7)),
        ("AvgPool2d", (2,), {"padding": 1, "count_include_pad": False}, (2, 3, 5, 5)),
        ("AvgPool1d", (2,), {}, (2, 3, 9)),
        ("AdaptiveAvgPool2d", ((3, 2),), {}, (2, 3, 7, 5)),
        ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 4, 4)),
        ("AdaptiveAvgPool2d", ((None, 3),), {}, (3, 4, 6)),
        ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
        ("LayerNorm", (4,), {}, (3, 5, 4)),
        ("LayerNorm", ((3, 4),), {}, (2, 3, 4)),
        ("BatchNorm1d", (4,), {}, (6, 4)),
        ("BatchNorm1d", (4,), {}, (6, 4, 3)),
        ("BatchNorm2d", (3,), {}, (4, 3, 5, 5)),
        ("BatchNorm2d", (3,), {"momentum": None}, (4, 3, 2, 2)),
        ("BatchNorm3d", (2,), {}, (3, 2, 2, 3, 2)),
        ("Bilinear", (3, 3, 2), {}, (4, 3)),
        ("Flatten", (), {}, (2, 3, 4)),
        ("GELU", (), {}, (3, 4)),
        ("Softmax", (), {"dim": 1}, (3, 4)),
        ("LogSoftmax", (), {"dim": 1}, (3, 4)),
    ],
    ids=lambda v: str(v),
)
def test_forward_and_gradients_match_pytorch(name, args, kwargs, shape):
    if name == "Bilinear":
        return _bilinear_case(args, shape)
    _run_both(name, args, kwargs, shape)


def _bilinear_case(args, shape):
    theirs, mine = torch.nn.Bilinear(*args), nn.Bilinear(*args)
    _copy_weights(theirs, mine)
    a, b = torch.randn(*shape), torch.randn(*shape)
    _close(mine(rg.tensor(a.tolist()), rg.tensor(b.tolist())), theirs(a, b))


def test_batch_norm_eval_uses_running_stats():
    mine, theirs = _run_both("BatchNorm2d", (3,), {}, (4, 3, 5, 5))
    for _ in range(2):
        x = torch.randn(4, 3, 5, 5)
        theirs(x)
        mine(rg.tensor(x.tolist()))
    _close(mine.running_var, theirs.running_var)
    assert mine.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 3
    mine.eval()
    theirs.eval()
    x = torch.randn(2, 3, 5, 5)
    _close(mine(rg.tensor(x.tolist())), theirs(x))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (2, 3, 4, 4)])
def test_batch_norm_is_one_native_node_as_pytorch(shape, training):
    """``F.batch_norm`` records PyTorch's single ``NativeBatchNormBackward0`` node (input,
    weight, bias as its inputs), with PyTorch's gradients and second derivatives."""
    x = rand(*shape, seed=1)
    stats = [rand(3, seed=2), rand(3, seed=3, low=0.5, high=2.0)]
    affine = [rand(3, seed=4), rand(3, seed=5)]
    results = []
    for lib in (torch, rg):
        xt = lib.tensor(x, requires_grad=True)
        w, b = (lib.tensor(a, requires_grad=True) for a in affine)
        mean, var = (lib.tensor(a) for a in stats)
        out = lib.nn.functional.batch_norm(xt, mean, var, w, b, training=training, eps=1e-3)
        gx, gw = lib.autograd.grad((out.sin() * out).sum(), (xt, w), create_graph=True)
        (gx * gx).sum().backward()
        results.append((graph_names(out), out, gx, gw, xt.grad, w.grad, b.grad, mean, var))
    theirs, mine = results
    assert mine[0] == theirs[0]
    for ours, pytorchs in zip(mine[1:], theirs[1:]):
        _close(ours, pytorchs, tol=1e-9)


@pytest.mark.parametrize("affine", ["both", "weight", "none"])
@pytest.mark.parametrize("shape,normalized", [((5, 3), (3,)), ((2, 4, 3), (4, 3)), ((6,), (6,))])
def test_layer_norm_is_one_native_node_as_pytorch(shape, normalized, affine):
    """``F.layer_norm`` records PyTorch's single ``NativeLayerNormBackward0`` node, with
    PyTorch's gradients (input, weight, bias) and second derivatives."""
    x = rand(*shape, seed=1)
    w, b = rand(*normalized, seed=2), rand(*normalized, seed=3)
    results = []
    for lib in (torch, rg):
        xt = lib.tensor(x, requires_grad=True)
        wt = lib.tensor(w, requires_grad=True) if affine != "none" else None
        bt = lib.tensor(b, requires_grad=True) if affine == "both" else None
        out = lib.nn.functional.layer_norm(xt, normalized, wt, bt, eps=1e-3)
        wrt = [t for t in (xt, wt) if t is not None]
        grads = lib.autograd.grad((out.sin() * out).sum(), wrt, create_graph=True)
        sum(g.pow(2).sum() for g in grads).backward()
        leaves = [t.grad for t in (xt, wt, bt) if t is not None]
        results.append((graph_names(out), out, *grads, *leaves))
    theirs, mine = results
    assert mine[0] == theirs[0]
    for ours, pytorchs in zip(mine[1:], theirs[1:], strict=True):
        _close(ours, pytorchs, tol=1e-9)


def test_batch_norm_checks_as_pytorch():
    x = rand(4, 3, seed=0)
    assert_same_error(lambda lib, t: lib.nn.functional.batch_norm(t, None, None, training=False), x)
    assert_same_error(
        lambda lib, t, v: lib.nn.functional.batch_norm(t, v, None, training=False), x, arr(0, 0, 0)
    )
    assert_same_error(
        lambda lib, t: lib.nn.functional.batch_norm(t[:1], None, None, training=True), x
    )


def test_embedding_padding_idx_gets_no_gradient():
    mine, _ = _run_both("Embedding", (6, 3), {"padding_idx": 1}, (4, 5), integer=6)
    assert mine.weight[1].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(IndexError, match="index out of range in self"):
        mine(rg.tensor([7]))


@pytest.mark.parametrize("padding_idx", [None, 1, -2])
@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=["0d", "1d", "2d"])
def test_embedding_is_one_node_with_pytorchs_gradient(padding_idx, scale_grad_by_freq, shape):
    # Repeated rows (scaled by their count) and the padding row (no gradient) are where
    # PyTorch's gradient is not the derivative: compare it, and its gradient, as is.
    rng = np.random.default_rng(7)
    weight, indices = rng.normal(size=(4, 3)), rng.integers(0, 4, size=shape)
    cotangent = rng.normal(size=(*shape, 3))
    results = []
    for lib in (torch, rg):
        w = lib.tensor(weight.tolist(), dtype=lib.float64, requires_grad=True)
        i = lib.tensor(indices.tolist(), dtype=lib.int64)
        out = lib.nn.functional.embedding(i, w, padding_idx, scale_grad_by_freq=scale_grad_by_freq)
        v = lib.tensor(cotangent.tolist(), dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(out, w, v, create_graph=True)
        (gv,) = lib.autograd.grad((g * g).sum(), v)  # the gradient's own gradient
        results.append((type(out.grad_fn).__name__, out.detach().numpy(), g.detach().numpy(),
                        gv.numpy()))  # fmt: skip
    (name_t, *theirs), (name_r, *mine) = results
    assert name_r == name_t == "EmbeddingBackward0"
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_losses_match_pytorch():
    torch.manual_seed(1)
    logits = torch.randn(6, 4)
    target = torch.tensor([0, 3, 1, 1, 2, -100])
    weight = torch.rand(4)
    cases = [
        ("CrossEntropyLoss", {"weight": weight, "label_smoothing": 0.2}),
        ("CrossEntropyLoss", {"reduction": "sum"}),
        ("NLLLoss", {"weight": weight}),
    ]
    for name, kw in cases:
        mkw = {k: rg.tensor(v.tolist()) if torch.is_tensor(v) else v for k, v in kw.items()}
        theirs = getattr(torch.nn, name)(**kw)(logits.log_softmax(1), target)
        mine = getattr(nn, name)(**mkw)(rg.tensor(logits.log_softmax(1).tolist()),
                                        rg.tensor(target.tolist()))  # fmt: skip
        _close(mine, theirs)
    p, t = torch.rand(5), torch.rand(5)
    for name in ("MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss"):
        _close(getattr(nn, name)()(rg.tensor(p.tolist()), rg.tensor(t.tolist())),
               getattr(torch.nn, name)()(p, t))  # fmt: skip


def test_dropout_train_and_eval():
    rg.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = rg.ones(200, 100)
    out = drop(x)
    kept = (out != 0).float().mean().item()
    assert 0.72 < kept < 0.78
    assert {round(float(v), 5) for v in np.unique(out.numpy())} == {0.0, round(1 / 0.75, 5)}
    # PyTorch's CPU dropout records one multiply
    assert drop(x.requires_grad_()).grad_fn.name() == "MulBackward0"
    drop.eval()
    assert drop(x) is x


@pytest.mark.parametrize(
    "build,shape",
    [
        (lambda lib: lib.Conv2d(3, 4, 3), (1, 2, 5, 5)),
        (lambda lib: lib.Conv2d(3, 4, 3), (5, 5)),
        (lambda lib: lib.Conv1d(3, 4, 3), (2, 2, 5, 5)),
        (lambda lib: lib.Conv2d(3, 4, 3), (1, 3, 2, 2)),
        (lambda lib: lib.BatchNorm1d(3), (2, 4)),
        (lambda lib: lib.BatchNorm2d(3), (2, 4)),
        (lambda lib: lib.BatchNorm2d(3), (2, 4, 3, 3)),
        (lambda lib: lib.BatchNorm3d(3), (2, 3, 3, 3)),
        (lambda lib: lib.BatchNorm1d(3), (1, 3)),
        (lambda lib: lib.LayerNorm(3), (2, 4)),
        (lambda lib: lib.MaxPool2d(2), (2,)),
        (lambda lib: lib.Linear(3, 2), (4, 5)),
        (lambda lib: lib.Embedding(3, 2), (2,)),
        (lambda lib: lib.MaxPool1d(2), (2, 2, 2, 2)),
        (lambda lib: lib.Conv2d(4, 4, 3, groups=2), (1, 3, 5, 5)),
        (lambda lib: lib.Conv1d(2, 2, 4), (1, 2, 3)),
    ],
)
def test_bad_input_raises_pytorchs_error(build, shape):
    with pytest.raises(Exception) as theirs:
        build(torch.nn)(torch.ones(shape))
    with pytest.raises(type(theirs.value)) as mine:
        build(nn)(rg.ones(shape))
    assert str(mine.value).startswith(str(theirs.value))


def test_pad_modes_match_pytorch():
    x = torch.randn(1, 2, 4, 5)
    for mode, pad in [("constant", (1, 2, 0, 1)), ("constant", (-1, 1)), ("reflect", (2, 1, 1, 2)),
                      ("replicate", (3, 0, 1, 1)), ("circular", (1, 2, 2, 1))]:  # fmt: skip
        _close(rg.nn.functional.pad(rg.tensor(x.tolist()), pad, mode=mode),
               torch.nn.functional.pad(x, pad, mode=mode))  # fmt: skip


def test_one_hot_and_normalize():
    t = torch.tensor([[0, 2], [1, 3]])
    mine = rg.nn.functional.one_hot(rg.tensor(t.tolist()), 5)
    assert mine.tolist() == torch.nn.functional.one_hot(t, 5).tolist()
    assert mine.dtype is rg.int64
    x = torch.randn(3, 4)
    _close(rg.nn.functional.normalize(rg.tensor(x.tolist()), dim=0),
           torch.nn.functional.normalize(x, dim=0))  # fmt: skip


def test_bilinear_size_errors_match_pytorch():
    for a, b in [((1, 2), (1, 2)), ((1, 3), (1, 3))]:
        with pytest.raises(RuntimeError) as theirs:
            torch.nn.Bilinear(2, 3, 4)(torch.ones(a), torch.ones(b))
        with pytest.raises(RuntimeError) as mine:
            nn.Bilinear(2, 3, 4)(rg.ones(a), rg.ones(b))
        assert str(mine.value) == str(theirs.value)


def test_embedding_max_norm_renormalizes_rows_like_pytorch():
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(6, 4, max_norm=1.0)
    mine = nn.Embedding(6, 4, max_norm=1.0)
    _copy_weights(theirs, mine)
    index = [[0, 2, 2], [5, 1, 0]]
    _close(mine(rg.tensor(index)), theirs(torch.tensor(index)))
    _close(mine.weight, theirs.weight)  # the rows used were scaled in place


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}])
def test_max_pool_indices_match_pytorch(kw):
    x = torch.randn(2, 3, 6, 6)
    x[0, 0, :2, :2] = 1.0  # a tie: the first maximum wins, in both
    values, indices = rg.nn.functional.max_pool2d(rg.tensor(x.tolist()), return_indices=True, **kw)
    want_values, want_indices = torch.nn.functional.max_pool2d(x, return_indices=True, **kw)
    assert indices.tolist() == want_indices.tolist()
    _close(values, want_values)


def _same_outcome(fn):
    """``fn(lib)`` in both libraries: PyTorch's exception type with a message that starts
    with PyTorch's, or the same output (shape, dtype, values; NaNs in the same places)."""
    from torch_oracle import assert_same

    try:
        theirs = fn(torch)
    except Exception as error:  # noqa: BLE001 - any of PyTorch's errors is the oracle
        with pytest.raises(type(error)) as mine:
            fn(rg)
        assert str(mine.value).startswith(str(error).split("\n")[0])
        return
    ours = fn(rg)
    if isinstance(theirs, tuple):
        ours, theirs = ours[0], theirs[0]
    assert_same(ours, theirs)


def _arange(lib, *shape, dtype="float32"):
    n = int(np.prod(shape))
    return (lib.arange(n, dtype=getattr(lib, dtype)).reshape(shape) - n // 2) / 7


def _long(lib, values, dtype="int64"):
    return lib.tensor(values, dtype=getattr(lib, dtype))


def _F(lib):
    return lib.nn.functional


# (id, call): class-target losses, in PyTorch's order of checks
CLASS_TARGET_CASES = [
    # the shapes decide: a target of the input's shape holds probabilities
    ("ce float target, class shape", lambda L: _F(L).cross_entropy(_arange(L, 2, 3),
                                                                   L.tensor([0.5, 1.0]))),
    ("ce long target, input shape", lambda L: _F(L).cross_entropy(_arange(L, 2, 3),
                                                                  _long(L, [[0, 1, 2]] * 2))),
    ("ce probs ignore_index", lambda L: _F(L).cross_entropy(_arange(L, 2, 3), _arange(L, 2, 3),
                                                            ignore_index=1)),
    ("ce probs weight shape", lambda L: _F(L).cross_entropy(_arange(L, 2, 3), _arange(L, 2, 3),
                                                            weight=L.ones(4))),
    ("ce probs smoothing 2", lambda L: _F(L).cross_entropy(_arange(L, 2, 3), _arange(L, 2, 3),
                                                           label_smoothing=2.0)),
    ("ce negative smoothing", lambda L: _F(L).cross_entropy(_arange(L, 2, 3), _long(L, [0, 2]),
                                                            label_smoothing=-0.5)),
    ("ce bad reduction", lambda L: _F(L).cross_entropy(_arange(L, 2, 3), _arange(L, 2, 3),
                                                       reduction="x")),
    ("ce 0-d probs", lambda L: _F(L).cross_entropy(L.tensor(1.0), L.tensor(1.0))),
    ("ce byte target", lambda L: _F(L).cross_entropy(_arange(L, 2, 3),
                                                     _long(L, [0, 2], "uint8"))),
    ("ce byte target smoothed", lambda L: _F(L).cross_entropy(
        _arange(L, 2, 3), _long(L, [0, 2], "uint8"), label_smoothing=0.2)),
    ("ce 1-d input, one target", lambda L: _F(L).cross_entropy(_arange(L, 3), _long(L, [1]))),
    ("ce 1-d input, 3 targets", lambda L: _F(L).cross_entropy(_arange(L, 3), _long(L, [1, 1, 2]))),
    ("ce 1-d input, 2 targets", lambda L: _F(L).cross_entropy(_arange(L, 3), _long(L, [1, 1]))),
    ("nll 1-d input, 3 targets", lambda L: _F(L).nll_loss(_arange(L, 3), _long(L, [0, 1, 2]))),
    ("nll 1-d input, one target", lambda L: _F(L).nll_loss(_arange(L, 3), _long(L, [2]),
                                                           reduction="none")),
    ("nll 0-d input", lambda L: _F(L).nll_loss(L.tensor(1.0), _long(L, 0))),
    ("nll 2-d target", lambda L: _F(L).nll_loss(_arange(L, 2, 3), _long(L, [[0], [1]]))),
    ("nll float target, bad batch", lambda L: _F(L).nll_loss(_arange(L, 2, 3),
                                                             L.tensor([0.0, 1.0, 1.0]))),
    ("nll float target, bad weight", lambda L: _F(L).nll_loss(_arange(L, 2, 3),
                                                              L.tensor([0.0, 1.0]),
                                                              weight=L.ones(4))),
    ("nll weight (1, C)", lambda L: _F(L).nll_loss(_arange(L, 2, 3), _long(L, [0, 1]),
                                                   weight=L.ones(1, 3))),
    ("nll double weight", lambda L: _F(L).nll_loss(_arange(L, 2, 3), _long(L, [0, 1]),
                                                   weight=L.ones(3, dtype=L.float64))),
    ("nll long input", lambda L: _F(L).nll_loss(L.ones(2, 3, dtype=L.int64), _long(L, [0, 1]))),
    ("nll byte target", lambda L: _F(L).nll_loss(_arange(L, 2, 3), _long(L, [0, 2], "uint8"),
                                                 weight=L.tensor([1.0, 2.0, 3.0]))),
    ("nll empty batch", lambda L: _F(L).nll_loss(L.ones(0, 3), _long(L, []))),
    ("nll all ignored", lambda L: _F(L).nll_loss(_arange(L, 2, 3), _long(L, [1, 1]),
                                                 ignore_index=1)),
    ("nll 3-d, target shape", lambda L: _F(L).nll_loss(_arange(L, 2, 3, 4), _long(L, [0, 1]))),
    ("nll 3-d, weight (1, C)", lambda L: _F(L).nll_loss(
        _arange(L, 2, 3, 4), _long(L, [[0, 1, 2, 1], [2, 2, 0, 1]]), weight=L.ones(1, 3))),
    ("nll 3-d, byte target", lambda L: _F(L).nll_loss(_arange(L, 2, 3, 4),
                                                      L.zeros(2, 4, dtype=L.uint8))),
    ("nll 4-d, 2-d target", lambda L: _F(L).nll_loss(_arange(L, 2, 3, 4, 5),
                                                     L.zeros(2, 4, dtype=L.int64))),
    ("nll 4-d, target size", lambda L: _F(L).nll_loss(_arange(L, 2, 3, 4, 5),
                                                      L.zeros(2, 4, 6, dtype=L.int64))),
    ("nll 4-d, weight size", lambda L: _F(L).nll_loss(_arange(L, 2, 3, 4, 5),
                                                      L.zeros(2, 4, 6, dtype=L.int64),
                                                      weight=L.ones(4))),
    ("nll 4-d, float target", lambda L: _F(L).nll_loss(_arange(L, 2, 3, 4, 5), L.zeros(2, 4, 5))),
    ("nll 4-d, long input", lambda L: _F(L).nll_loss(L.ones(2, 3, 4, 5, dtype=L.int64),
                                                     L.zeros(2, 4, 5, dtype=L.int64))),
]  # fmt: skip


@pytest.mark.parametrize("call", [c for _, c in CLASS_TARGET_CASES],
                         ids=[n for n, _ in CLASS_TARGET_CASES])  # fmt: skip
def test_class_target_losses_check_as_pytorch(call):
    _same_outcome(call)


def test_nll_loss_of_no_counted_sample_is_nan_with_zero_gradient():
    x = rg.tensor([[0.1, 0.5, 0.2], [0.3, 0.2, 0.1]], requires_grad=True)
    loss = rg.nn.functional.nll_loss(x, rg.tensor([1, 1]), ignore_index=1)
    loss.backward()
    assert np.isnan(loss.item())
    assert x.grad.tolist() == [[0.0] * 3] * 2  # PyTorch's: no NaN in the gradient


LAYER_NORM_CASES = [
    ("weight", lambda L: _F(L).layer_norm(_arange(L, 2, 3), (3,), L.ones(4))),
    ("bias", lambda L: _F(L).layer_norm(_arange(L, 2, 3), (3,), None, L.ones(4))),
    ("weight before bias", lambda L: _F(L).layer_norm(_arange(L, 2, 3), (3,), L.ones(4),
                                                      L.ones(5))),
    ("weight before input", lambda L: _F(L).layer_norm(_arange(L, 2, 3), (5,), L.ones(4))),
    ("broadcastable weight", lambda L: _F(L).layer_norm(_arange(L, 2, 3), (3,), L.ones(1, 3))),
    ("2-d shape", lambda L: _F(L).layer_norm(_arange(L, 2, 3, 4), [3, 4], L.ones(4, 3))),
    ("empty shape", lambda L: _F(L).layer_norm(_arange(L, 2, 3), ())),
    ("int shape", lambda L: _F(L).layer_norm(_arange(L, 2, 3), 3)),
    ("float in shape", lambda L: _F(L).layer_norm(_arange(L, 2, 3), (3.0,))),
    ("list weight", lambda L: _F(L).layer_norm(_arange(L, 2, 3), (3,), [1.0, 1.0, 1.0])),
    ("valid", lambda L: _F(L).layer_norm(_arange(L, 2, 3, 4), L.Size([3, 4]),
                                         _arange(L, 3, 4), _arange(L, 3, 4))),
]  # fmt: skip


@pytest.mark.parametrize("call", [c for _, c in LAYER_NORM_CASES],
                         ids=[n for n, _ in LAYER_NORM_CASES])  # fmt: skip
def test_layer_norm_checks_as_pytorch(call):
    _same_outcome(call)


def _pool(name, *shape, dtype="float32", **kw):
    return lambda L, *args: getattr(_F(L), name)(_arange(L, *shape, dtype=dtype), *args, **kw)


# (function, input shape, args, kwargs): pooling checks, in PyTorch's order
POOL_CASES = [
    *[(f, (1, 1, 2, 2) if "2d" in f else (1, 1, 2), (3,), {})
      for f in ("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d")],  # output too small
    *[(f, (2, 3, 5, 2) if "2d" in f else (2, 3, 2), (3,), {"padding": 1})
      for f in ("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d")],
    ("max_pool1d", (1, 1, 2), (3,), {"return_indices": True}),
    ("max_pool2d", (1, 1, 3, 3), (2, 1, 0, 3), {}),  # dilated out of the input
    *[(f, shape, (1,), {}) for f in ("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
                                     "adaptive_avg_pool1d")
      for shape in ((), (4,), (2, 2, 2, 2, 2))],  # dims
    ("max_pool1d", (4,), (1,), {"return_indices": True}),
    ("adaptive_avg_pool2d", (4,), (1,), {}),
    ("adaptive_avg_pool2d", (4, 4), (2,), {}),
    *[(f, shape, (2,) if "adaptive" in f else (1,), {})
      for f in ("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
                "adaptive_avg_pool2d")
      for shape in ((0, 2, 4, 4), (2, 0, 4, 4), (2, 2, 0, 4), (0, 2, 4), (2, 0, 4))],  # empty
    *[(f, (1, 1, 4, 4) if "2d" in f else (1, 1, 4), args, {})
      for f in ("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d")
      for args in ((0,), (-1,), (2, 0), (2, -1), (2, 1, -1), (3, 1, 2), ((2, 2, 2),),
                   (2, (1, 2, 3)), (2, 1, (1, 2, 3)))],  # arguments
    *[(f, (1, 1, 9, 9) if "2d" in f else (1, 1, 9), (3, 1, 2, 2), {})
      for f in ("max_pool1d", "max_pool2d")],  # padding against the undilated kernel
    ("max_pool1d", (1, 1, 4), (2, 1, 0, 0), {}),
    ("max_pool2d", (1, 1, 4, 4), (2, 1, 0, (0, 1)), {}),
    ("max_pool1d", (1, 1, 4), ((2, 2),), {"return_indices": True}),
    ("max_pool1d", (1, 1, 4), (2,), {"dtype": "int64"}),
    ("max_pool1d", (1, 1, 4), (2,), {"return_indices": True, "dtype": "int64"}),
    ("avg_pool2d", (1, 1, 4, 4), (3, 1, 1), {"dtype": "int64"}),
    ("avg_pool1d", (1, 1, 7), (2,), {"dtype": "int64"}),
    ("avg_pool2d", (1, 1, 4, 4), (2,), {"divisor_override": 0}),
    ("adaptive_avg_pool1d", (1, 1, 4), ((1, 1),), {}),
    ("adaptive_avg_pool1d", (1, 1, 4), (-1,), {}),
    ("adaptive_avg_pool1d", (1, 1, 4), (0,), {}),
    ("adaptive_avg_pool1d", (1, 1, 4), (None,), {}),
    ("adaptive_avg_pool2d", (1, 1, 4, 4), ((1, 1, 1),), {}),
    ("adaptive_avg_pool2d", (1, 1, 4, 4), (-1,), {}),
    ("adaptive_avg_pool2d", (1, 1, 4, 4), ((0, 3),), {}),
    ("adaptive_avg_pool2d", (2, 1, 1, 4, 4), (1,), {}),
    ("adaptive_avg_pool2d", (1, 1, 4, 4), (2,), {"dtype": "int64"}),
]  # fmt: skip


@pytest.mark.parametrize("name,shape,args,kw", POOL_CASES, ids=lambda v: str(v))
def test_pooling_checks_as_pytorch(name, shape, args, kw):
    dtype = kw.pop("dtype", "float32")
    _same_outcome(lambda L: _pool(name, *shape, dtype=dtype, **kw)(L, *args))
