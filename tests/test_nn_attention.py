"""``F.scaled_dot_product_attention``, ``F.multi_head_attention_forward`` and
``nn.MultiheadAttention`` against PyTorch.

Scaled dot-product attention: values, gradients and the ``grad_fn`` PyTorch 2.13's CPU
records (its flash kernel's one node for 4-d inputs without dropout, the composed math
otherwise), masks (bool, float, causal, rows with every key masked), scales, grouped
heads, second-order gradients (PyTorch has none through its flash node, so ours are
compared with its math backend's), errors. Multi-head attention: PyTorch's parameters,
state-dict keys, initialization under one seed, outputs, attention weights and gradients
with copied weights, for every option and mask; errors. Harness: tests/torch_oracle.py,
tests/module_oracle.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from module_oracle import built_in_both, compare_modules
from torch_oracle import assert_same, assert_same_error, make, rand, run_both

torch = pytest.importorskip("torch")
SDPBackend = pytest.importorskip("torch.nn.attention").SDPBackend
sdpa_kernel = pytest.importorskip("torch.nn.attention").sdpa_kernel


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


def sdpa(m, *args, **kwargs):
    return F(m).scaled_dot_product_attention(*args, **kwargs)


Q, K, V = rand(2, 3, 4, 5), rand(2, 3, 6, 5, seed=1), rand(2, 3, 6, 5, seed=2)
KEEP = np.random.default_rng(3).random((4, 6)) > 0.4
KEEP[1] = False  # a query that may attend to no key: PyTorch's safe softmax gives 0
SCORES_BIAS = rand(2, 3, 4, 6, seed=4)
FULLY_MASKED_BIAS = np.where(KEEP, 0.0, -np.inf)


CASES = {
    "plain": (lambda m, q, k, v: sdpa(m, q, k, v), (Q, K, V)),
    "causal": (lambda m, q, k, v: sdpa(m, q, k, v, is_causal=True), (Q, K, V)),
    "causal-longer-queries": (lambda m, q, k, v: sdpa(m, k, q, q, is_causal=True), (Q, K, V)),
    "bool-mask": (lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.tensor(KEEP)), (Q, K, V)),
    "float-mask-4d-scale": (
        lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.tensor(SCORES_BIAS), scale=0.3),
        (Q, K, V),
    ),
    "float-mask-inf-rows": (
        lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.tensor(FULLY_MASKED_BIAS)),
        (Q, K, V),
    ),
    "float32-mask-on-float64": (
        lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.tensor(SCORES_BIAS[0, 0], dtype=m.float32)),
        (Q, K, V),
    ),
    "query-without-grad": (
        lambda m, k, v: sdpa(m, m.tensor(Q), k, v),
        (K, V),
    ),
    "value-head-dim-differs": (lambda m, q, k, v: sdpa(m, q, k, v[..., :3]), (Q, K, V)),
    "broadcast-batch": (lambda m, q, k, v: sdpa(m, q, k[:1], v[:1]), (Q, K, V)),
    "3d": (lambda m, q, k, v: sdpa(m, q[0], k[0], v[0], attn_mask=m.tensor(KEEP)), (Q, K, V)),
    "2d": (lambda m, q, k, v: sdpa(m, q[0, 0], k[0, 0], v[0, 0], is_causal=True), (Q, K, V)),
    "5d": (lambda m, q, k, v: sdpa(m, q[None], k[None], v[None]), (Q, K, V)),
    "mask-needs-grad": (
        lambda m, q, k, v, b: sdpa(m, q, k, v, attn_mask=b),
        (Q, K, V, rand(4, 6, seed=5)),
    ),
    "mask-3d": (
        lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.tensor(SCORES_BIAS[0])),
        (Q, K, V),
    ),
    "gqa": (
        lambda m, q, k, v: sdpa(m, q, k[:, :1], v[:, :1], enable_gqa=True),
        (Q, K, V),
    ),
    "gqa-3d": (
        lambda m, q, k, v: sdpa(m, q[0], k[0, :1], v[0, :1], enable_gqa=True),
        (Q, K, V),
    ),
    "mask-and-causal-one-node": (
        lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.tensor(SCORES_BIAS), is_causal=True),
        (Q, K, V),
    ),
    "bool-mask-and-causal-one-node": (
        lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.tensor(KEEP), is_causal=True),
        (Q, K, V),
    ),
    "float32": (
        lambda m, q, k, v: sdpa(m, q, k, v, is_causal=True),
        tuple(a.astype("float32") for a in (Q, K, V)),
    ),
    "dropout-all": (lambda m, q, k, v: sdpa(m, q, k, v, dropout_p=1.0), (Q, K, V)),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_scaled_dot_product_attention(case):
    fn, values = CASES[case]
    run_both(fn, list(values))


SECOND_ORDER = ["plain", "causal", "bool-mask", "float-mask-4d-scale", "float-mask-inf-rows",
                "3d", "2d", "gqa"]  # fmt: skip


@pytest.mark.parametrize("case", SECOND_ORDER, ids=str)
def test_second_order_matches_pytorchs_math_backend(case):
    """PyTorch has no derivative of its CPU flash backward; ours is differentiable, and
    agrees with the second derivatives of PyTorch's math backend."""
    fn, values = CASES[case]
    rng = np.random.default_rng(7)
    results = []
    for lib in (retrograd, torch):
        inputs = [make(lib, v) for v in values]
        out = fn(lib, *inputs)
        if lib is torch:
            with sdpa_kernel(SDPBackend.MATH):
                out = fn(lib, *inputs)
        up = lib.tensor(rng.standard_normal(tuple(out.shape)))
        grads = lib.autograd.grad(out, inputs, up, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        results.append((grads, lib.autograd.grad(total, inputs)))
        rng = np.random.default_rng(7)
    (ours_g, ours_gg), (theirs_g, theirs_gg) = results
    for a, b in zip((*ours_g, *ours_gg), (*theirs_g, *theirs_gg)):
        assert_same(a, b)


def test_pytorch_refuses_second_order_through_its_flash_node():
    """The oracle's own behaviour, which ours deliberately improves on (see the test above):
    if PyTorch learns this derivative, this test tells us."""
    q, k, v = (torch.tensor(a, requires_grad=True) for a in (Q, K, V))
    out = sdpa(torch, q, k, v)
    assert out.grad_fn.name() == "ScaledDotProductFlashAttentionForCpuBackward0"
    (g,) = torch.autograd.grad((out * out).sum(), q, create_graph=True)
    with pytest.raises(RuntimeError, match="_scaled_dot_product_flash_attention_for_cpu_backward"):
        torch.autograd.grad((g * g).sum(), q)


def test_dropout_scales_kept_weights_and_draws_from_the_generator():
    """With dropout the weights are dropped with probability p and the rest scaled by
    1 / (1 - p): the output's expectation is the undropped one (statistically)."""
    retrograd.manual_seed(0)
    q, k, v = (retrograd.tensor(a) for a in (Q, K, V))
    plain = sdpa(retrograd, q, k, v)
    runs = retrograd.stack([sdpa(retrograd, q, k, v, dropout_p=0.5) for _ in range(400)])
    assert np.abs(runs.mean(0).numpy() - plain.numpy()).max() < 0.25
    assert (runs != runs[0]).any()


ERRORS = {
    "one-dim": lambda m, q: sdpa(m, q[0, 0, 0], q[0, 0, 0], q[0, 0, 0]),
    "dtypes": lambda m, q: sdpa(m, q.float(), q, q),
    "mask-dtype": lambda m, q: sdpa(m, q, q, q, attn_mask=m.ones(4, 4, dtype=m.int64)),
    "float64-mask-on-float32": lambda m, q: sdpa(
        m, q.float(), q.float(), q.float(), attn_mask=m.ones(4, 4, dtype=m.float64)
    ),
    "mask-and-causal-composed": lambda m, q: sdpa(
        m, q[0], q[0], q[0], attn_mask=m.ones(4, 4), is_causal=True
    ),
    "mask-shape": lambda m, q: sdpa(m, q, q, q, attn_mask=m.ones(4, 3, dtype=m.bool)),
    "mask-one-dim": lambda m, q: sdpa(m, q, q, q, attn_mask=m.ones(4)),
    "dropout-above-one": lambda m, q: sdpa(m, q, q, q, dropout_p=1.5),
    "gqa-heads-do-not-divide": lambda m, q: sdpa(m, q, q[:, :2], q[:, :2], enable_gqa=True),
    "heads-differ-without-gqa": lambda m, q: sdpa(m, q, q[:, :1], q[:, :2]),
}


@pytest.mark.parametrize("case", ERRORS, ids=str)
def test_errors(case):
    assert_same_error(ERRORS[case], Q, whole=False)


# -- multi-head attention ----------------------------------------------------------------


def mha(**options):
    return lambda lib: lib.nn.MultiheadAttention(8, 2, **options)


def forward(**kwargs):
    """``module(query, key, value, **kwargs)``; NumPy masks become tensors of ``lib``."""

    def call(lib, module, *inputs):
        masks = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        return module(*inputs, **masks)

    return call


SRC, TGT = rand(6, 3, 8, seed=10), rand(5, 3, 8, seed=11)
PADDING = np.random.default_rng(12).random((3, 6)) > 0.7
CAUSAL = np.triu(np.ones((5, 5), dtype=bool), 1)

MHA_CASES = {
    "self-attention": (mha(), forward(), (TGT, TGT, TGT)),
    "cross-attention": (mha(), forward(), (TGT, SRC, SRC)),
    "no-weights": (mha(), forward(need_weights=False), (TGT, SRC, SRC)),
    "per-head-weights": (mha(), forward(average_attn_weights=False), (TGT, SRC, SRC)),
    "batch-first": (
        mha(batch_first=True),
        forward(),
        tuple(np.ascontiguousarray(a.transpose(1, 0, 2)) for a in (TGT, SRC, SRC)),
    ),
    "kdim-vdim": (mha(kdim=3, vdim=5), forward(), (TGT, SRC[..., :3], SRC[..., :5])),
    "no-bias": (mha(bias=False), forward(need_weights=False), (TGT, SRC, SRC)),
    "bias-kv-zero-attn-masks": (
        mha(add_bias_kv=True, add_zero_attn=True),
        forward(key_padding_mask=PADDING, attn_mask=rand(5, 6, seed=13)),
        (TGT, SRC, SRC),
    ),
    "bias-kv-padding-no-weights": (
        mha(add_bias_kv=True),
        forward(key_padding_mask=PADDING, need_weights=False),
        (TGT, SRC, SRC),
    ),
    "causal-hint": (
        mha(),
        forward(attn_mask=CAUSAL, is_causal=True, need_weights=False),
        (TGT, TGT, TGT),
    ),  # fmt: skip
    "bool-attn-mask-with-weights": (mha(), forward(attn_mask=CAUSAL), (TGT, TGT, TGT)),
    "3d-attn-mask": (mha(), forward(attn_mask=rand(6, 5, 6, seed=14)), (TGT, SRC, SRC)),
    "float-padding-mask": (
        mha(),
        forward(key_padding_mask=np.where(PADDING, -1e9, 0.0), need_weights=False),
        (TGT, SRC, SRC),
    ),
    "unbatched": (mha(), forward(attn_mask=CAUSAL), (TGT[:, 0], TGT[:, 0], TGT[:, 0])),
    "unbatched-padding": (
        mha(),
        forward(key_padding_mask=PADDING[0]),
        (TGT[:, 0], SRC[:, 0], SRC[:, 0]),
    ),
}


@pytest.mark.parametrize("case", MHA_CASES, ids=str)
def test_multihead_attention(case):
    build, call, values = MHA_CASES[case]
    ours, theirs = built_in_both(build)
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        compare_modules(ours, theirs, call, list(values))
    said = [str(w.message) for w in theirs_warned]
    # Each warning PyTorch gives, ours gives too (both ran inside the block).
    assert all(said.count(text) % 2 == 0 for text in said), said


@pytest.mark.parametrize("options", [{}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True}])
def test_multihead_attention_initialization_and_repr(options):
    """PyTorch's initialization (xavier_uniform_ projections, zero biases, xavier_normal_
    bias_k/bias_v) draws the same numbers from the same seed; the repr is PyTorch's."""
    torch.manual_seed(5)
    theirs = torch.nn.MultiheadAttention(8, 2, **options)
    retrograd.manual_seed(5)
    ours = retrograd.nn.MultiheadAttention(8, 2, **options)
    assert repr(ours) == repr(theirs)
    for (name, a), (_, b) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_same(a.detach().double(), b.detach().double(), name)
    for name in ("in_proj_weight", "q_proj_weight", "bias_k", "in_proj_bias"):
        assert (getattr(ours, name) is None) == (getattr(theirs, name) is None), name


def test_multi_head_attention_forward_functional():
    """The functional form with separate projection weights, in training mode without
    dropout."""
    rng = np.random.default_rng(20)
    weights = [rng.standard_normal(s) for s in ((8, 8), (8, 3), (8, 5), (24,), (8, 8), (8,))]

    def fn(m, q, k, v, wq, wk, wv, b_in, w_out, b_out):
        return F(m).multi_head_attention_forward(
            q, k, v, 8, 2, None, b_in, None, None, False, 0.0, w_out, b_out,
            training=True, use_separate_proj_weight=True,
            q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv,
        )[0]  # fmt: skip

    run_both(fn, [TGT, SRC[..., :3], SRC[..., :5], *weights])


def test_multi_head_attention_forward_static_keys_and_values():
    """``static_k``/``static_v``: keys and values already in heads, used as given."""
    rng = np.random.default_rng(21)
    weights = [rng.standard_normal(s) for s in ((24, 8), (24,), (8, 8), (8,))]
    static = [rng.standard_normal((6, 7, 4)) for _ in range(2)]

    def fn(m, q, w_in, b_in, w_out, b_out, sk, sv):
        return F(m).multi_head_attention_forward(
            q, q, q, 8, 2, w_in, b_in, None, None, True, 0.0, w_out, b_out,
            static_k=sk, static_v=sv, need_weights=False,
        )[0]  # fmt: skip

    run_both(fn, [TGT, *weights, *static])


def _static_call(m, static_k, bias_kv=False):
    ones = m.ones
    bias = (ones(1, 1, 8), ones(1, 1, 8)) if bias_kv else (None, None)
    return F(m).multi_head_attention_forward(
        ones(5, 3, 8), ones(5, 3, 8), ones(5, 3, 8), 8, 2, ones(24, 8), None, *bias, False,
        0.0, ones(8, 8), None, static_k=static_k,
    )  # fmt: skip


MHA_ERRORS = {
    "static-k-batch-heads": lambda m: _static_call(m, m.ones(5, 4, 4)),
    "static-k-head-dim": lambda m: _static_call(m, m.ones(6, 4, 3)),
    "static-k-with-bias-kv": lambda m: _static_call(m, m.ones(6, 4, 4), bias_kv=True),
    "embed-dim-zero": lambda m: m.nn.MultiheadAttention(0, 2),
    "not-divisible": lambda m: m.nn.MultiheadAttention(8, 3),
    "query-dims": lambda m: m.nn.MultiheadAttention(8, 2)(m.ones(8), m.ones(8), m.ones(8)),
    "key-dims": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8), m.ones(2, 8), m.ones(2, 8)
    ),
    "embed-mismatch": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 4), m.ones(2, 1, 4), m.ones(2, 1, 4)
    ),
    "attn-mask-shape": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8), m.ones(3, 1, 8), m.ones(3, 1, 8), attn_mask=m.ones(2, 2)
    ),
    "attn-mask-3d-shape": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8), m.ones(3, 1, 8), m.ones(3, 1, 8), attn_mask=m.ones(1, 2, 3)
    ),
    "padding-mask-dims": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8), m.ones(3, 1, 8), m.ones(3, 1, 8), key_padding_mask=m.ones(3)
    ),
    "padding-mask-length": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8),
        m.ones(3, 1, 8),
        m.ones(3, 1, 8),
        key_padding_mask=m.ones(1, 2, dtype=m.bool),
    ),  # fmt: skip
    "integer-mask": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8), m.ones(3, 1, 8), m.ones(3, 1, 8), attn_mask=m.ones(2, 3, dtype=m.int64)
    ),
    "causal-without-mask": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8), m.ones(2, 1, 8), m.ones(2, 1, 8), is_causal=True
    ),
    "key-value-shapes": lambda m: m.nn.MultiheadAttention(8, 2)(
        m.ones(2, 1, 8), m.ones(3, 1, 8), m.ones(4, 1, 8)
    ),
}


@pytest.mark.parametrize("case", MHA_ERRORS, ids=str)
def test_multihead_attention_errors(case):
    assert_same_error(MHA_ERRORS[case])
