"""``scaled_dot_product_attention``: ``softmax(q k^T scale + mask) v``, recorded as PyTorch
2.13 on the CPU records it.

PyTorch's CPU dispatcher picks its flash kernel, one node
(``ScaledDotProductFlashAttentionForCpuBackward0``), when the query, key and value are
4-d ``(N, H, L, E)`` with the same ``N``, ``H`` and ``E`` and non-empty sequences, there
is no dropout and the mask (2-d or 4-d) needs no gradient; otherwise it composes the
math from ``matmul``, softmax and dropout (top node ``UnsafeViewBackward0``, or
``MmBackward0`` for 2-d inputs). Both paths give the same values; a row whose every key
is masked gives zeros, as PyTorch's safe softmax.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..creation import ones, zeros
from ..ops.attention import attention_weights, flash_attention
from ..tensor import Tensor
from .dropout import dropout


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any) -> None:
    """PyTorch's checks, in its order and words."""
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead."
        )
    if not query.dtype == key.dtype == value.dtype:
        names = [dtypes.cpp_name(t.dtype) for t in (query, key, value)]
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{names[0]} key.dtype: {names[1]} and value.dtype: {names[2]} instead."
        )
    if attn_mask is not None and attn_mask.dtype not in (dtypes.bool, dtypes.float32, query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {dtypes.cpp_name(attn_mask.dtype)} and  query.dtype: "
            f"{dtypes.cpp_name(query.dtype)} instead."
        )
    if attn_mask is not None and attn_mask.dim() < 2:
        d = attn_mask.dim()
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(d, 1)}, "
            f"{max(d, 1) - 1}], but got -2)"
        )


def _bias(query: Tensor, mask: Tensor) -> Tensor:
    """A bool mask (True: attend) as 0 and ``-inf`` of the query's dtype."""
    bias = zeros(tuple(mask.shape), dtype=query.dtype, device=query.device)
    return bias.masked_fill(mask.logical_not(), -math.inf)


def _additive_mask(query: Tensor, key: Tensor, attn_mask: Any, is_causal: bool,
                   one_node: bool) -> Any:  # fmt: skip
    """The mask as a bias added to the scores: a bool mask (True: attend) and the causal
    mask (query ``i`` sees keys ``j <= i``) become 0 and ``-inf``; a float mask is kept.
    PyTorch's flash kernel applies a mask and the causal mask together; its math path
    refuses both."""
    if attn_mask is not None and attn_mask.dtype == dtypes.bool:
        attn_mask = _bias(query, attn_mask)
    if not is_causal:
        return attn_mask
    if attn_mask is not None and not one_node:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    length, source = query.shape[-2], key.shape[-2]
    causal = _bias(query, ones(length, source, dtype=dtypes.bool, device=query.device).tril())
    return causal if attn_mask is None else attn_mask + causal


def _grouped(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Key and value with each head repeated for its group of query heads (GQA)."""
    heads, kv_heads = query.shape[-3], key.shape[-3]
    if kv_heads != value.shape[-3] or heads % kv_heads:
        raise RuntimeError(
            "Number of heads in key and value must divide the number of heads in query"
        )
    repeat = heads // kv_heads

    def spread(t: Tensor) -> Tensor:
        lead, rest = tuple(t.shape[:-3]), tuple(t.shape[-2:])
        return t.unsqueeze(-3).expand(*lead, kv_heads, repeat, *rest).reshape(*lead, heads, *rest)

    return spread(key), spread(value)


def _takes_one_node(query: Tensor, key: Tensor, value: Tensor, mask: Any, dropout_p: float) -> bool:
    """Whether PyTorch 2.13's CPU dispatcher picks its flash kernel for this call."""
    if not query.dim() == key.dim() == value.dim() == 4 or dropout_p > 0.0:
        return False
    if not query.shape[:2] == key.shape[:2] == value.shape[:2]:
        return False
    if not query.shape[-1] == key.shape[-1] == value.shape[-1] > 0:
        return False
    if query.shape[2] == 0 or key.shape[2] == 0:
        return False
    return mask is None or (mask.dim() in (2, 4) and not mask.requires_grad)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value`` over ``(..., L, E)`` queries and
    ``(..., S, E)`` keys and ``(..., S, Ev)`` values. ``attn_mask``: bool (True: take
    part) or float (added to the scores), broadcast to ``(..., L, S)``; ``is_causal``:
    query ``i`` sees keys ``0..i``; ``scale`` defaults to ``1 / sqrt(E)``; ``dropout_p``
    drops attention weights; ``enable_gqa``: key and value heads shared by groups of
    query heads."""
    _check_inputs(query, key, value, attn_mask)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa and query.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        key, value = _grouped(query, key, value)
    one_node = _takes_one_node(query, key, value, attn_mask, dropout_p)
    bias = _additive_mask(query, key, attn_mask, is_causal, one_node)
    if one_node:
        return flash_attention(query, key, value, bias, scale)
    weights = attention_weights(query, key, bias, scale)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)
