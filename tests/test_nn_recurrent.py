"""Recurrent layers (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``, their cells) and
``nn.utils.rnn`` against PyTorch.

Each module pair shares its weights: PyTorch's module is built, and ours loads its state
dict (converted through NumPy). Outputs, final states and the gradients of the input, of
``h0``/``c0`` and of every parameter are compared, over many configurations (layers,
directions, ``batch_first``, ``proj_size``, no bias, unbatched, packed); so are
``grad_fn`` names, reprs, parameter names and order, initialization from the same seed,
dropout from the same seed, errors (type, PyTorch's text first) and a few Adam steps of
an LSTM on a toy task. Harness: tests/torch_oracle.py.

PyTorch's CPU LSTM in float32 without projections records ``MkldnnRnnLayerBackward0``
for its output (a oneDNN kernel); ours is composed, so its output records the names
PyTorch's own composed path records (float64, projections; and RNN, GRU):
``StackBackward0``, ``CatBackward0`` when bidirectional.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, graph_names, rand

torch = pytest.importorskip("torch")

DOUBLE = {"dtype": "float64"}


def _pair(kind: str, *args, seed: int = 0, **kwargs):
    """PyTorch's module ``kind`` (float64) and ours with its weights."""
    torch.manual_seed(seed)
    theirs = getattr(torch.nn, kind)(*args, **kwargs).double()
    ours = getattr(retrograd.nn, kind)(*args, **kwargs, dtype=retrograd.float64)
    state = {k: retrograd.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    result = ours.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys
    return ours, theirs


def _leaf(lib, value):
    return lib.tensor(value).requires_grad_()


def _flat(out):
    """The tensors of a module's result: output (a packed one's data) and states."""
    if isinstance(out, tuple) and not hasattr(out, "batch_sizes"):
        return [t for part in out for t in _flat(part)]
    return [out.data if hasattr(out, "batch_sizes") else out]


def _compare_grads(ours_out, theirs_out, ours_leaves, theirs_leaves, seed=1):
    """Backward the same random upstream through every output; compare the gradients of
    the leaves (inputs and parameters)."""
    o, t = _flat(ours_out), _flat(theirs_out)
    assert len(o) == len(t)
    for i, (a, b) in enumerate(zip(o, t)):
        assert_same(a, b, f"output {i}")
    ups = [rand(*x.shape, seed=seed + i) for i, x in enumerate(t)]
    tg = torch.autograd.grad(t, theirs_leaves, [torch.tensor(u) for u in ups])
    og = retrograd.autograd.grad(o, ours_leaves, [retrograd.tensor(u) for u in ups])
    for i, (a, b) in enumerate(zip(og, tg)):
        assert_same(a, b, f"gradient of leaf {i}")


def _run_module(kind, args, kwargs, shape, hx_shapes=None, seed=0):
    ours, theirs = _pair(kind, *args, seed=seed, **kwargs)
    x = rand(*shape, seed=seed + 10)
    ox, tx = _leaf(retrograd, x), _leaf(torch, x)
    o_in, t_in = [ox], [tx]
    if hx_shapes is not None:
        hs = [rand(*s, seed=seed + 20 + i) for i, s in enumerate(hx_shapes)]
        o_h = [_leaf(retrograd, h) for h in hs]
        t_h = [_leaf(torch, h) for h in hs]
        o_in, t_in = o_in + o_h, t_in + t_h
        ours_out = ours(ox, o_h[0] if len(hs) == 1 else tuple(o_h))
        theirs_out = theirs(tx, t_h[0] if len(hs) == 1 else tuple(t_h))
    else:
        ours_out, theirs_out = ours(ox), theirs(tx)
    _compare_grads(ours_out, theirs_out, o_in + list(ours.parameters()),
                   t_in + list(theirs.parameters()))  # fmt: skip
    return ours_out, theirs_out


# kind, args, kwargs, input shape, hx shapes (None: zeros)
CONFIGS = {
    "rnn": ("RNN", (3, 4), {}, (5, 2, 3), None),
    "rnn-relu-hx": ("RNN", (3, 4), {"nonlinearity": "relu"}, (5, 2, 3), [(1, 2, 4)]),
    "rnn-positional-relu": ("RNN", (3, 4, 2, "relu"), {}, (4, 3, 3), None),
    "rnn-2-layers-bidir-hx": (
        "RNN", (3, 4), {"num_layers": 2, "bidirectional": True}, (5, 2, 3), [(4, 2, 4)]),
    "rnn-batch-first-no-bias": (
        "RNN", (3, 4), {"batch_first": True, "bias": False}, (2, 5, 3), None),
    "rnn-unbatched-hx": ("RNN", (3, 4), {"num_layers": 2}, (5, 3), [(2, 4)]),
    "gru": ("GRU", (3, 4), {}, (5, 2, 3), [(1, 2, 4)]),
    "gru-3-layers-bidir": (
        "GRU", (3, 4), {"num_layers": 3, "bidirectional": True}, (4, 2, 3), None),
    "gru-batch-first-bidir-hx": (
        "GRU", (3, 4), {"batch_first": True, "bidirectional": True}, (2, 5, 3), [(2, 2, 4)]),
    "gru-unbatched-no-bias": ("GRU", (3, 4), {"bias": False}, (6, 3), None),
    "lstm": ("LSTM", (3, 4), {}, (5, 2, 3), None),
    "lstm-hx": ("LSTM", (3, 4), {}, (5, 2, 3), [(1, 2, 4), (1, 2, 4)]),
    "lstm-2-layers-bidir": (
        "LSTM", (3, 4), {"num_layers": 2, "bidirectional": True}, (5, 2, 3),
        [(4, 2, 4), (4, 2, 4)]),
    "lstm-proj": ("LSTM", (3, 5), {"proj_size": 2}, (4, 2, 3), [(1, 2, 2), (1, 2, 5)]),
    "lstm-proj-2-layers-bidir-batch-first": (
        "LSTM", (3, 5), {"proj_size": 3, "num_layers": 2, "bidirectional": True,
                         "batch_first": True}, (2, 4, 3), None),
    "lstm-unbatched-hx": ("LSTM", (3, 4), {"bias": False}, (5, 3), [(1, 4), (1, 4)]),
    "lstm-unbatched-proj-batch-first": (
        "LSTM", (3, 4), {"proj_size": 2, "batch_first": True}, (5, 3), None),
}  # fmt: skip


@pytest.mark.parametrize("name", CONFIGS)
def test_module_matches_pytorch(name):
    kind, args, kwargs, shape, hx_shapes = CONFIGS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's note on LSTM projections and oneDNN
        ours, theirs = _run_module(kind, args, kwargs, shape, hx_shapes)
    for o, t in zip(_flat(ours), _flat(theirs)):
        expected = type(t.grad_fn).__name__
        if expected == "MkldnnRnnLayerBackward0":  # see the module docstring
            expected = "StackBackward0"
        assert type(o.grad_fn).__name__ == expected


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_double_backward_matches_pytorch(kind):
    """Gradients of gradients (RNN and GRU: PyTorch's composed path; ours always)."""
    ours, theirs = _pair(kind, 2, 3, num_layers=2, bidirectional=True)
    x = rand(3, 2, 2, seed=4)
    ox, tx = _leaf(retrograd, x), _leaf(torch, x)
    (og,) = retrograd.autograd.grad((ours(ox)[0] ** 2).sum(), ox, create_graph=True)
    if kind == "LSTM":  # PyTorch's oneDNN LSTM has no double backward: check ours alone
        (o2,) = retrograd.autograd.grad((og**2).sum(), ox)
        assert o2.shape == ox.shape
        return
    (tg,) = torch.autograd.grad((theirs(tx)[0] ** 2).sum(), tx, create_graph=True)
    assert_same(og, tg, "gradient")
    (o2,) = retrograd.autograd.grad((og**2).sum(), ox)
    (t2,) = torch.autograd.grad((tg**2).sum(), tx)
    assert_same(o2, t2, "second derivative")


# -- cells -----------------------------------------------------------------------------

CELLS = {
    "rnn-cell": ("RNNCell", (3, 4), {}, (2, 3), [(2, 4)]),
    "rnn-cell-relu-zeros": ("RNNCell", (3, 4), {"nonlinearity": "relu"}, (2, 3), None),
    "rnn-cell-unbatched": ("RNNCell", (3, 4), {"bias": False}, (3,), [(4,)]),
    "gru-cell": ("GRUCell", (3, 4), {}, (2, 3), [(2, 4)]),
    "gru-cell-unbatched-zeros": ("GRUCell", (3, 4), {}, (3,), None),
    "lstm-cell": ("LSTMCell", (3, 4), {}, (2, 3), [(2, 4), (2, 4)]),
    "lstm-cell-zeros-no-bias": ("LSTMCell", (3, 4), {"bias": False}, (2, 3), None),
    "lstm-cell-unbatched": ("LSTMCell", (3, 4), {}, (3,), [(4,), (4,)]),
}


@pytest.mark.parametrize("name", CELLS)
def test_cell_matches_pytorch(name):
    kind, args, kwargs, shape, hx_shapes = CELLS[name]
    ours, theirs = _run_module(kind, args, kwargs, shape, hx_shapes)
    for o, t in zip(_flat(ours), _flat(theirs)):
        assert graph_names(o)[:2] == graph_names(t)[:2]


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cell_double_backward_matches_pytorch(kind):
    ours, theirs = _pair(kind, 3, 2)
    x = rand(2, 3, seed=5)
    ox, tx = _leaf(retrograd, x), _leaf(torch, x)
    outs = [_flat(ours(ox))[0], _flat(theirs(tx))[0]]
    (og,) = retrograd.autograd.grad((outs[0] ** 3).sum(), ox, create_graph=True)
    (tg,) = torch.autograd.grad((outs[1] ** 3).sum(), tx, create_graph=True)
    assert_same(og, tg, "gradient")
    ow = retrograd.autograd.grad((og**2).sum(), [ox, ours.weight_hh])
    tw = torch.autograd.grad((tg**2).sum(), [tx, theirs.weight_hh])
    for a, b in zip(ow, tw):
        assert_same(a, b, "second derivative")


# -- packed sequences through the modules ----------------------------------------------

PACKED = {
    "rnn-sorted": ("RNN", {}, [5, 3, 2], True),
    "rnn-bidir-2-layers": ("RNN", {"num_layers": 2, "bidirectional": True}, [2, 5, 3], False),
    "gru-bidir": ("GRU", {"bidirectional": True}, [3, 5, 1, 5], False),
    "lstm": ("LSTM", {"num_layers": 2}, [4, 5, 2], False),
    "lstm-proj-bidir": ("LSTM", {"proj_size": 2, "bidirectional": True}, [5, 4, 4], True),
}


@pytest.mark.parametrize("name", PACKED)
@pytest.mark.parametrize("given_hx", [False, True])
def test_packed_input_matches_pytorch(name, given_hx):
    kind, kwargs, lengths, enforce = PACKED[name]
    ours, theirs = _pair(kind, 3, 4, **kwargs)
    x = rand(5, len(lengths), 3, seed=7)
    ox, tx = _leaf(retrograd, x), _leaf(torch, x)
    o_leaves, t_leaves = [ox], [tx]
    o_hx = t_hx = None
    if given_hx:
        layers = theirs.num_layers * (2 if theirs.bidirectional else 1)
        shapes = [(layers, len(lengths), theirs.proj_size or 4)]
        shapes += [(layers, len(lengths), 4)] if kind == "LSTM" else []
        hs = [rand(*s, seed=8 + i) for i, s in enumerate(shapes)]
        o_h, t_h = [_leaf(retrograd, h) for h in hs], [_leaf(torch, h) for h in hs]
        o_hx, t_hx = (tuple(o_h), tuple(t_h)) if kind == "LSTM" else (o_h[0], t_h[0])
        o_leaves, t_leaves = o_leaves + o_h, t_leaves + t_h
    nn_u, tn_u = retrograd.nn.utils.rnn, torch.nn.utils.rnn
    o_packed = nn_u.pack_padded_sequence(ox, lengths, enforce_sorted=enforce)
    t_packed = tn_u.pack_padded_sequence(tx, lengths, enforce_sorted=enforce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours_out, theirs_out = ours(o_packed, o_hx), theirs(t_packed, t_hx)
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        a, b = getattr(ours_out[0], field), getattr(theirs_out[0], field)
        assert (a is None) == (b is None) and (a is None or a.tolist() == b.tolist())
    _compare_grads(ours_out, theirs_out, o_leaves + list(ours.parameters()),
                   t_leaves + list(theirs.parameters()))  # fmt: skip
    o_pad, o_len = nn_u.pad_packed_sequence(ours_out[0], batch_first=True)
    t_pad, t_len = tn_u.pad_packed_sequence(theirs_out[0], batch_first=True)
    assert_same(o_pad, t_pad, "padded output")
    assert o_len.tolist() == t_len.tolist()


# -- nn.utils.rnn ----------------------------------------------------------------------

SEQS = [rand(4, 2, seed=1), rand(2, 2, seed=2), rand(5, 2, seed=3)]


def _pad_sequence(lib, *seqs, **kw):
    return lib.nn.utils.rnn.pad_sequence(list(seqs), **kw)


@pytest.mark.parametrize("kw", [{}, {"batch_first": True, "padding_value": -1.5},
                                {"padding_side": "left"},
                                {"batch_first": True, "padding_side": "left"}])  # fmt: skip
def test_pad_sequence_matches_pytorch(kw):
    ours_in = [_leaf(retrograd, s) for s in SEQS]
    theirs_in = [_leaf(torch, s) for s in SEQS]
    ours, theirs = _pad_sequence(retrograd, *ours_in, **kw), _pad_sequence(torch, *theirs_in, **kw)
    assert type(ours.grad_fn).__name__ == type(theirs.grad_fn).__name__
    _compare_grads(ours, theirs, ours_in, theirs_in)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("total_length", [None, 7])
def test_pack_and_pad_round_trip_matches_pytorch(batch_first, total_length):
    results = []
    for lib in (retrograd, torch):
        seqs = [_leaf(lib, s) for s in SEQS]
        packed = lib.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=False)
        padded, lengths = lib.nn.utils.rnn.pad_packed_sequence(
            packed, batch_first, padding_value=0.25, total_length=total_length
        )
        unpacked = lib.nn.utils.rnn.unpack_sequence(packed)
        results.append((seqs, packed, padded, lengths, unpacked))
    (o_seqs, o_packed, o_pad, o_len, o_un), (t_seqs, t_packed, t_pad, t_len, t_un) = results
    assert o_packed.batch_sizes.tolist() == t_packed.batch_sizes.tolist()
    assert o_packed.sorted_indices.tolist() == t_packed.sorted_indices.tolist()
    assert o_packed.unsorted_indices.tolist() == t_packed.unsorted_indices.tolist()
    assert o_len.tolist() == t_len.tolist() and str(o_len.dtype) == str(t_len.dtype)
    assert type(o_pad.grad_fn).__name__ == type(t_pad.grad_fn).__name__
    assert graph_names(o_packed.data)[:2] == graph_names(t_packed.data)[:2]
    for a, b in zip(o_un, t_un):
        assert_same(a, b, "unpacked")
    _compare_grads((o_packed.data, o_pad), (t_packed.data, t_pad), o_seqs, t_seqs)


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_padded_sequence_double_backward_matches_pytorch(batch_first):
    """``PackPaddedSequenceBackward0``'s rule is differentiable: gradients of gradients."""
    x = rand(*((3, 4, 2) if batch_first else (4, 3, 2)), seed=14)
    outs = []
    for lib in (retrograd, torch):
        leaf = _leaf(lib, x)
        data = lib.nn.utils.rnn.pack_padded_sequence(leaf, [4, 2, 1], batch_first, False).data
        (g,) = lib.autograd.grad((data**3).sum(), leaf, create_graph=True)
        (g2,) = lib.autograd.grad((g**2).sum(), leaf)
        outs.append((g, g2))
    assert_same(outs[0][0], outs[1][0], "gradient")
    assert_same(outs[0][1], outs[1][1], "second derivative")


def test_packed_sequence_repr_and_fields_match_pytorch():
    reprs = []
    for lib in (retrograd, torch):
        x = lib.tensor(rand(2, 3, 2, seed=9), dtype=lib.float32, requires_grad=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(x, lib.tensor([2, 3]), True, False)
        assert packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
        reprs.append(repr(packed))
        reprs.append(repr(packed.to(lib.float64).data.dtype))
    assert reprs[:2] == reprs[2:]


PACK_ERRORS = {
    "unsorted": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.zeros(4, 2, 1), [2, 4]),
    "zero-length": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(4, 2), [4, 0]),
    "lengths-count": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.ones(4, 2), [4, 2, 1]),
    "empty": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(0, 2, 3), [1, 1]),
    "total-length": lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_sequence([lib.ones(3), lib.ones(2)]), total_length=2),
    "pad-empty": lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    "pad-side": lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2)], padding_side="up"),
    "pad-not-iterable": lambda lib: lib.nn.utils.rnn.pad_sequence(3),
}  # fmt: skip


@pytest.mark.parametrize("name", PACK_ERRORS)
def test_packing_errors_match_pytorch(name):
    assert_same_error(PACK_ERRORS[name])


# -- errors of the modules -------------------------------------------------------------


def _call(kind, *args, **kwargs):
    """``lib -> lib.nn.kind(...)``, then ``(input, hx)`` shapes to run it on."""

    def build(lib):
        return getattr(lib.nn, kind)(*args, **kwargs)

    return build


def _forward(kind, ctor, x_shape, hx_shapes=None, dtype="float32"):
    def run(lib):
        module = getattr(lib.nn, kind)(*ctor)
        x = lib.zeros(*x_shape, dtype=getattr(lib, dtype))
        if hx_shapes is None:
            return module(x)
        hs = [lib.zeros(*s) for s in hx_shapes]
        return module(x, hs[0] if len(hs) == 1 else tuple(hs))

    return run


MODULE_ERRORS = {
    "dropout-range": _call("RNN", 3, 4, dropout=1.5),
    "dropout-bool": _call("GRU", 3, 4, dropout=True),
    "bias-type": _call("LSTM", 3, 4, bias=1),
    "batch-first-type": _call("LSTM", 3, 4, batch_first=None),
    "input-size-type": _call("RNN", 3.0, 4),
    "input-size-zero": _call("RNN", 0, 4),
    "hidden-size-type": _call("GRU", 3, "4"),
    "hidden-size-zero": _call("GRU", 3, 0),
    "num-layers-zero": _call("LSTM", 3, 4, 0),
    "proj-negative": _call("LSTM", 3, 4, proj_size=-1),
    "proj-too-big": _call("LSTM", 3, 4, proj_size=4),
    "proj-for-gru": _call("GRU", 3, 4, proj_size=2),
    "proj-for-rnn": _call("RNN", 3, 4, proj_size=0),
    "nonlinearity": _call("RNN", 3, 4, nonlinearity="sigmoid"),
    "rnn-input-4d": _forward("RNN", (3, 4), (1, 2, 3, 3)),
    "gru-input-1d": _forward("GRU", (3, 4), (3,)),
    "lstm-input-4d": _forward("LSTM", (3, 4), (1, 2, 3, 3)),
    "input-size": _forward("RNN", (3, 4), (5, 2, 2)),
    "input-size-unbatched": _forward("LSTM", (3, 4), (5, 2)),
    "hidden-shape": _forward("RNN", (3, 4, 2), (5, 2, 3), [(1, 2, 4)]),
    "hidden-batch": _forward("GRU", (3, 4), (5, 2, 3), [(1, 3, 4)]),
    "hidden-dims-batched": _forward("GRU", (3, 4), (5, 2, 3), [(2, 4)]),
    "hidden-dims-unbatched": _forward("RNN", (3, 4), (5, 3), [(1, 1, 4)]),
    "lstm-h-shape": _forward("LSTM", (3, 4), (5, 2, 3), [(1, 2, 3), (1, 2, 4)]),
    "lstm-c-shape": _forward("LSTM", (3, 4), (5, 2, 3), [(1, 2, 4), (2, 2, 4)]),
    "lstm-dims-batched": _forward("LSTM", (3, 4), (5, 2, 3), [(2, 4), (1, 2, 4)]),
    "lstm-dims-unbatched": _forward("LSTM", (3, 4), (5, 3), [(1, 4), (1, 1, 4)]),
    "dtype": _forward("GRU", (3, 4), (5, 2, 3), dtype="float64"),
    "cell-input-3d": _forward("RNNCell", (3, 4), (1, 2, 3)),
    "cell-hidden-3d": _forward("GRUCell", (3, 4), (2, 3), [(1, 2, 4)]),
    "lstm-cell-hx-3d": _forward("LSTMCell", (3, 4), (2, 3), [(2, 4), (1, 2, 4)]),
    "cell-input-size": _forward("RNNCell", (3, 4), (2, 5)),
    "cell-batch": _forward("GRUCell", (3, 4), (2, 3), [(3, 4)]),
    "cell-hidden-size": _forward("RNNCell", (3, 4), (2, 3), [(2, 5)]),
    "lstm-cell-c-batch": _forward("LSTMCell", (3, 4), (2, 3), [(2, 4), (3, 4)]),
    "lstm-cell-c-size": _forward("LSTMCell", (3, 4), (2, 3), [(2, 4), (2, 5)]),
    "cell-unbatched-hidden": _forward("RNNCell", (3, 4), (3,), [(2, 4)]),
    "cell-nonlinearity": _forward("RNNCell", (3, 4, True, "sigmoid"), (2, 3)),
    "cell-nonlinearity-after-dims": _forward("RNNCell", (3, 4, True, "gelu"), (2, 3), [(1, 2, 4)]),
}


@pytest.mark.parametrize("name", MODULE_ERRORS)
def test_module_errors_match_pytorch(name):
    assert_same_error(MODULE_ERRORS[name])


def test_dropout_warning_matches_pytorch():
    messages = []
    for lib in (torch, retrograd):
        with pytest.warns(UserWarning) as caught:
            lib.nn.LSTM(3, 4, dropout=0.5)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1]


# -- module structure ------------------------------------------------------------------

STRUCTURE = [
    ("RNN", (3, 4), {}),
    ("RNN", (3, 4, 2), {"nonlinearity": "relu", "bias": False, "dropout": 0.25}),
    ("GRU", (3, 4), {"batch_first": True, "bidirectional": True}),
    ("LSTM", (3, 4), {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("LSTM", (2, 6), {"num_layers": 3, "dropout": 1}),
    ("RNNCell", (3, 4), {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False}),
]


@pytest.mark.parametrize("kind,args,kwargs", STRUCTURE)
def test_structure_and_init_match_pytorch(kind, args, kwargs):
    """Repr, parameter names, shapes and order, and the values drawn from one seed."""
    torch.manual_seed(11)
    theirs = getattr(torch.nn, kind)(*args, **kwargs)
    retrograd.manual_seed(11)
    ours = getattr(retrograd.nn, kind)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    o_named, t_named = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(o_named) == list(t_named) == list(ours.state_dict())
    for name, t in t_named.items():
        assert_same(o_named[name], t, name)
    if hasattr(theirs, "all_weights"):
        o_all = [[tuple(p.shape) for p in ws] for ws in ours.all_weights]
        assert o_all == [[tuple(p.shape) for p in ws] for ws in theirs.all_weights]
        assert ours._flat_weights_names == theirs._flat_weights_names
        assert ours.flatten_parameters() is None


def test_state_dict_round_trip_with_pytorch():
    ours, theirs = _pair("LSTM", 3, 4, num_layers=2, bidirectional=True, proj_size=2)
    retrograd.manual_seed(3)
    fresh = retrograd.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2,
                              dtype=retrograd.float64)  # fmt: skip
    fresh.load_state_dict(ours.state_dict())
    back = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2).double()
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in fresh.state_dict().items()})
    for (name, a), b in zip(back.state_dict().items(), theirs.state_dict().values()):
        assert torch.equal(a, b), name


def test_dropout_between_layers_matches_pytorch():
    """Training mode: the dropout masks come from the same seed; eval mode: none."""
    ours, theirs = _pair("GRU", 3, 4, num_layers=3, dropout=0.5, bidirectional=True)
    x = rand(4, 2, 3, seed=12)
    ox, tx = _leaf(retrograd, x), _leaf(torch, x)
    torch.manual_seed(5)
    retrograd.manual_seed(5)
    _compare_grads(ours(ox), theirs(tx), [ox, *ours.parameters()], [tx, *theirs.parameters()])
    ours.eval(), theirs.eval()
    _compare_grads(ours(ox), theirs(tx), [ox], [tx])


def test_lstm_training_reaches_pytorchs_loss():
    """A few Adam steps of LSTM + Linear predicting the running sum of a toy sequence,
    from the same seed (so the same initial weights): the losses agree step by step."""
    x = rand(6, 4, 1, seed=13, dtype="float32")
    target = np.cumsum(x, axis=0)
    losses = []
    for lib in (torch, retrograd):
        lib.manual_seed(0)
        lstm, head = lib.nn.LSTM(1, 8), lib.nn.Linear(8, 1)
        params = [*lstm.parameters(), *head.parameters()]
        optimizer = lib.optim.Adam(params, lr=0.05)
        inputs, wanted = lib.tensor(x), lib.tensor(target)
        trace = []
        for _ in range(8):
            optimizer.zero_grad()
            loss = lib.nn.functional.mse_loss(head(lstm(inputs)[0]), wanted)
            loss.backward()
            optimizer.step()
            trace.append(loss.item())
        losses.append(trace)
    np.testing.assert_allclose(losses[1], losses[0], rtol=2e-5)
    assert losses[0][-1] < losses[0][0] / 2  # it trained


def test_float32_lstm_output_node_is_the_composed_one():
    """PyTorch's float32 LSTM records its oneDNN node; ours records ``StackBackward0``
    (what PyTorch's composed path records), with the same values and gradients."""
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 4, num_layers=2)
    ours = retrograd.nn.LSTM(3, 4, num_layers=2)
    ours.load_state_dict({k: retrograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = rand(5, 2, 3, seed=15, dtype="float32")
    ox, tx = _leaf(retrograd, x), _leaf(torch, x)
    o_out, t_out = ours(ox), theirs(tx)
    assert type(t_out[0].grad_fn).__name__ == "MkldnnRnnLayerBackward0"
    assert type(o_out[0].grad_fn).__name__ == "StackBackward0"
    assert type(o_out[1][0].grad_fn).__name__ == type(t_out[1][0].grad_fn).__name__
    ups = [rand(*t.shape, seed=16 + i, dtype="float32") for i, t in enumerate(_flat(t_out))]
    og = retrograd.autograd.grad(_flat(o_out), ox, [retrograd.tensor(u) for u in ups])
    tg = torch.autograd.grad(_flat(t_out), tx, [torch.tensor(u) for u in ups])
    for a, b in zip(_flat(o_out), _flat(t_out)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), 1e-5, 1e-6)
    np.testing.assert_allclose(og[0].numpy(), tg[0].numpy(), 1e-5, 1e-6)
