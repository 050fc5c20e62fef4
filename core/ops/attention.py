"""Scaled dot-product attention as PyTorch's CPU records it in one node:
``_scaled_dot_product_flash_attention_for_cpu`` (``ScaledDotProductFlashAttentionForCpuBackward0``).

``out = P @ v`` with ``P = safe_softmax(q @ k^T * scale + bias)`` over the last dim,
where ``bias`` is the additive form of the mask (0 where kept, ``-inf`` where masked, or
a float mask as given). A row whose every score is ``-inf`` gets weights 0 (so output 0
and gradient 0), as PyTorch's safe softmax gives it.

The rules are the closed-form gradients of that expression, recomputing ``P`` from the
saved query and key in differentiable ops, so second-order gradients work:
``dv = P^T g``, ``dS = P * (g v^T - rowsum(P * g v^T))``, ``dq = dS k scale``,
``dk = dS^T q scale``. Which calls take this one node and which PyTorch composes from
smaller ops is decided by ``retrograd.nn.functional.scaled_dot_product_attention``.
"""

from __future__ import annotations

from typing import Any

from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .record import LINALG, OpRecord


def attention_weights(query: Tensor, key: Tensor, bias: Any, scale: float) -> Tensor:
    """``safe_softmax(query @ key^T * scale + bias)``: rows with no finite score are 0."""
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if bias is not None:
        scores = scores + bias
    with no_grad():  # a constant shift for stability: softmax does not depend on it
        shift = scores.amax(-1, keepdim=True)
        shift = shift.masked_fill(shift.isinf(), 0.0)
    exps = (scores - shift).exp()
    total = exps.sum(-1, keepdim=True)
    return exps / total.masked_fill(total == 0, 1.0)


def _score_grad(g: Tensor, weights: Tensor, value: Tensor) -> Tensor:
    """The gradient w.r.t. the scores, given ``g`` w.r.t. the output ``weights @ value``."""
    dweights = g.matmul(value.transpose(-2, -1))
    return weights * (dweights - (dweights * weights).sum(-1, keepdim=True))


def _query_grad(g, query, key, value, bias, scale) -> Tensor:
    weights = attention_weights(query, key, bias, scale)
    return _score_grad(g, weights, value).matmul(key) * scale


def _key_grad(g, query, key, value, bias, scale) -> Tensor:
    weights = attention_weights(query, key, bias, scale)
    return _score_grad(g, weights, value).transpose(-2, -1).matmul(query) * scale


def _value_grad(g, query, key, value, bias, scale) -> Tensor:
    return attention_weights(query, key, bias, scale).transpose(-2, -1).matmul(g)


FLASH_ATTENTION = OpRecord(
    "_scaled_dot_product_flash_attention_for_cpu",
    LINALG,
    "ScaledDotProductFlashAttentionForCpuBackward0",
    "matmul",
    inputs=("query", "key", "value"),
    save=("query", "key", "value", "bias", "scale"),
    grads=(_query_grad, _key_grad, _value_grad),
    method=False,
    float_only=True,
    doc="safe_softmax(q k^T scale + mask) v over (N, H, L, E) inputs",
)
RECORDS = (FLASH_ATTENTION,)


def flash_attention(query: Tensor, key: Tensor, value: Tensor, bias: Any, scale: float) -> Tensor:
    """Attention of 4-d ``(N, H, L, E)`` query and ``(N, H, S, E)`` key and value, with
    an additive ``bias`` broadcast to ``(N, H, L, S)`` (or None), as one node. The caller
    has checked the shapes and dtypes."""
    with no_grad():
        out = attention_weights(query, key, bias, scale).matmul(value)
        out = out.to(query.dtype)
    params = {"bias": bias, "scale": scale}
    inputs = (query, key, value)
    return finish(FLASH_ATTENTION, out._storage.array, query.dtype, query._backend, inputs, params)
