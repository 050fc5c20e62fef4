"""``nn.TransformerEncoderLayer``, ``nn.TransformerDecoderLayer``, ``nn.TransformerEncoder``,
``nn.TransformerDecoder`` and ``nn.Transformer`` against PyTorch.

With copied weights: outputs in eval mode (where PyTorch takes its fast path, the same
math) and in training mode without dropout, and the gradients of the inputs and of every
parameter; ``norm_first``, activations (by name, function, module), ``batch_first``,
masks and padding masks, causal detection; submodules, state-dict keys, reprs,
initialization under one seed, ``generate_square_subsequent_mask``, PyTorch's warning
and errors. Harness: tests/module_oracle.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from module_oracle import built_in_both, compare_modules
from torch_oracle import assert_same, assert_same_error, rand

torch = pytest.importorskip("torch")

SRC, TGT = rand(6, 3, 8, seed=1), rand(5, 3, 8, seed=2)
SRC_PADDING = np.random.default_rng(3).random((3, 6)) > 0.7
TGT_CAUSAL = np.triu(np.full((5, 5), -np.inf), 1)
SRC_CAUSAL = np.triu(np.full((6, 6), -np.inf), 1)


def batch_first(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a.transpose(1, 0, 2))


def call(**kwargs):
    """``module(*inputs, **kwargs)``; NumPy masks become tensors of ``lib``."""

    def run(lib, module, *inputs):
        masks = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        return module(*inputs, **masks)

    return run


def encoder_layer(**options):
    return lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, **options)


def decoder_layer(**options):
    return lambda lib: lib.nn.TransformerDecoderLayer(8, 2, 16, **options)


def tanh_activation(x):
    return x.tanh()


# name -> (build, call, inputs, training): training cases use dropout 0.
CASES = {
    "encoder-layer": (encoder_layer(), call(), (SRC,), False),
    "encoder-layer-train": (encoder_layer(dropout=0.0), call(), (SRC,), True),
    "encoder-layer-norm-first-gelu": (
        encoder_layer(norm_first=True, activation="gelu"),
        call(src_key_padding_mask=SRC_PADDING),
        (SRC,),
        False,
    ),
    "encoder-layer-batch-first-causal": (
        encoder_layer(batch_first=True, dropout=0.0),
        call(src_mask=SRC_CAUSAL, is_causal=True),
        (batch_first(SRC),),
        True,
    ),
    "encoder-layer-module-activation": (
        lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, activation=lib.nn.GELU()),
        call(),
        (SRC,),
        False,
    ),
    "encoder-layer-function-activation-no-bias": (
        encoder_layer(activation=tanh_activation, bias=False),
        call(),
        (SRC,),
        False,
    ),
    "encoder-layer-unbatched": (encoder_layer(), call(), (SRC[:, 0],), False),
    "decoder-layer": (
        decoder_layer(),
        call(tgt_mask=TGT_CAUSAL, memory_key_padding_mask=SRC_PADDING),
        (TGT, SRC),
        False,
    ),
    "decoder-layer-norm-first-train": (
        decoder_layer(norm_first=True, dropout=0.0, activation="gelu"),
        call(tgt_mask=TGT_CAUSAL, tgt_is_causal=True, memory_mask=rand(5, 6, seed=4)),
        (TGT, SRC),
        True,
    ),
    "decoder-layer-batch-first": (
        decoder_layer(batch_first=True),
        call(),
        (batch_first(TGT), batch_first(SRC)),
        False,
    ),
    "encoder-stack": (
        lambda lib: lib.nn.TransformerEncoder(
            lib.nn.TransformerEncoderLayer(8, 2, 16), 2, lib.nn.LayerNorm(8)
        ),
        call(mask=SRC_CAUSAL, src_key_padding_mask=SRC_PADDING),
        (SRC,),
        False,
    ),
    "decoder-stack-train": (
        lambda lib: lib.nn.TransformerDecoder(
            lib.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=True), 2
        ),
        call(tgt_mask=TGT_CAUSAL),
        (TGT, SRC),
        True,
    ),
    "transformer": (
        lambda lib: lib.nn.Transformer(8, 2, 2, 2, 16),
        call(
            tgt_mask=TGT_CAUSAL,
            src_key_padding_mask=SRC_PADDING,
            memory_key_padding_mask=SRC_PADDING,
        ),  # fmt: skip
        (SRC, TGT),
        False,
    ),
    "transformer-batch-first-norm-first-gelu-train": (
        lambda lib: lib.nn.Transformer(
            8, 2, 1, 1, 16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
        ),
        call(tgt_mask=TGT_CAUSAL),
        (batch_first(SRC), batch_first(TGT)),
        True,
    ),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", CASES, ids=str)
def test_layers_with_copied_weights(case):
    build, run, values, training = CASES[case]
    ours, theirs = built_in_both(build)
    assert repr(ours) == repr(theirs)
    ours.train(training)
    theirs.train(training)
    # Our LayerNorm is composed (AddBackward0 on top), PyTorch's one node: names not compared.
    compare_modules(ours, theirs, run, list(values), check_name=False)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_transformer_initialization_draws_pytorchs_numbers():
    """``xavier_uniform_`` over every parameter of more than one dim, in order, after the
    layers' own initialization: the same seed gives the same weights."""
    torch.manual_seed(3)
    theirs = torch.nn.Transformer(8, 2, 1, 2, 16)
    retrograd.manual_seed(3)
    ours = retrograd.nn.Transformer(8, 2, 1, 2, 16)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_same(a.detach(), b.detach(), name)


def test_training_mode_drops_and_is_random():
    retrograd.manual_seed(0)
    layer = retrograd.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = retrograd.tensor(SRC, dtype=retrograd.float32)
    first, second = layer(x), layer(x)
    assert (first != second).any()
    layer.eval()
    assert (layer(x) == layer(x)).all()


@pytest.mark.parametrize("size", [1, 4])
def test_generate_square_subsequent_mask(size):
    ours = retrograd.nn.Transformer.generate_square_subsequent_mask(size)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(size)
    assert_same(ours, theirs)
    assert repr(ours) == repr(theirs)
    double = retrograd.nn.Transformer.generate_square_subsequent_mask(3, dtype=retrograd.float64)
    assert_same(
        double, torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    )


@pytest.mark.parametrize(
    "layer_options",
    [{}, {"batch_first": True}, {"batch_first": True, "norm_first": True},
     {"batch_first": True, "bias": False}, {"batch_first": True, "activation": "gelu"}],
)  # fmt: skip
def test_nested_tensor_warning(layer_options):
    """PyTorch warns when ``enable_nested_tensor`` cannot be used, and says why."""
    said = []
    for lib in (torch, retrograd):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, **layer_options)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stack = lib.nn.TransformerEncoder(layer, 1)
        said.append([str(w.message) for w in caught])
        assert stack.use_nested_tensor == (not said[-1])
    assert said[0] == said[1]


def test_causal_mask_is_detected():
    """An encoder given PyTorch's causal mask (and no is_causal) attends causally."""
    ours, theirs = built_in_both(
        lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16), 1)
    )
    ours.eval()
    theirs.eval()
    run = call(mask=SRC_CAUSAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_modules(ours, theirs, run, [SRC], check_name=False)


ERRORS = {
    "activation-name": lambda m: m.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
    "batch-mismatch": lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(m.ones(3, 2, 8), m.ones(3, 1, 8)),
    "feature-mismatch": lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(
        m.ones(3, 2, 8), m.ones(3, 2, 4)
    ),
    "heads-do-not-divide": lambda m: m.nn.TransformerEncoderLayer(8, 3),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", ERRORS, ids=str)
def test_errors(case):
    assert_same_error(ERRORS[case])


def test_mismatched_mask_types_warn_as_pytorch():
    said = []
    for lib in (torch, retrograd):
        lib.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dtype=lib.float64)
        stack = lib.nn.TransformerEncoder(layer, 1, enable_nested_tensor=False).eval()
        src, padding = lib.tensor(SRC), lib.tensor(SRC_PADDING)
        causal = lib.tensor(SRC_CAUSAL)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stack(src, mask=causal, src_key_padding_mask=padding)
            layer(src, src_mask=causal, src_key_padding_mask=padding)
        said.append([str(w.message) for w in caught])
    assert said[0] == said[1] and len(said[0]) == 2
