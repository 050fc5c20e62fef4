"""``multi_head_attention_forward``: ``nn.MultiheadAttention``'s computation, composed from
retrograd's ops as PyTorch composes it.

Sequence-first inputs ``(L, N, E)`` (or unbatched ``(L, E)``) are projected to queries,
keys and values, split into ``num_heads`` heads of ``E / num_heads``, optionally
extended by a learnt key/value (``bias_k``/``bias_v``) and a zero key/value
(``add_zero_attn``), attended, joined and projected out. Masks follow PyTorch's
convention for this layer: a bool ``attn_mask``/``key_padding_mask`` is True where
attention is *not* allowed (the opposite of ``scaled_dot_product_attention``); a float
mask is added to the scores. With ``need_weights`` the weights are computed explicitly
(a fully masked row is NaN, as PyTorch's softmax gives it) and returned, averaged over
heads unless ``average_attn_weights`` is False; without, the heads go through
``scaled_dot_product_attention``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .. import dtypes
from ..creation import zeros
from ..ops.activations import softmax
from ..ops.joining import cat
from ..tensor import Tensor
from .attention import scaled_dot_product_attention
from .dropout import dropout
from .linear import linear
from .padding import pad


def _check_mask_dims(kind: str, query: Tensor, key_padding_mask: Any, attn_mask: Any,
                     kpm_dims: int) -> None:  # fmt: skip
    if key_padding_mask is not None and key_padding_mask.dim() != kpm_dims:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {kpm_dims}-D"
            f" but found {key_padding_mask.dim()}-D tensor instead"
        )
    if attn_mask is not None and attn_mask.dim() not in (2, 3):
        raise AssertionError(
            f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
            f" but found {attn_mask.dim()}-D tensor instead"
        )


def _is_batched(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """PyTorch's shape checks: whether ``query`` is a batch ``(L, N, E)`` or one ``(L, E)``."""
    dims = query.dim()
    if dims not in (2, 3):
        raise AssertionError(
            f"query should be unbatched 2D or batched 3D tensor but received {dims}-D query tensor"
        )
    kind = "batched (3-D)" if dims == 3 else "unbatched (2-D)"
    if key.dim() != dims or value.dim() != dims:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {dims}-D"
            f" but found {key.dim()}-D and {value.dim()}-D tensors respectively"
        )
    _check_mask_dims(kind, query, key_padding_mask, attn_mask, dims - 1)
    if dims == 2 and attn_mask is not None and attn_mask.dim() == 3:
        expected = (num_heads, query.shape[0], key.shape[0])
        if tuple(attn_mask.shape) != expected:
            raise AssertionError(
                f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
            )
    return dims == 3


def canonical_mask(mask: Any, name: str, dtype: dtypes.dtype, other: Any = None,
                   other_name: str = "") -> Any:  # fmt: skip
    """A bool mask (True: masked) as 0 and ``-inf`` of ``dtype``; a float mask as is.
    PyTorch's deprecation warning when ``other`` (a mask given with it) has another
    dtype."""
    if mask is None:
        return None
    if other is not None and other.dtype != mask.dtype:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=4,
        )
    if mask.dtype != dtypes.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if mask.dtype.is_floating_point:
        return mask
    return zeros(tuple(mask.shape), dtype=dtype, device=mask.device).masked_fill(mask, -math.inf)


def _projections(query, key, value, in_proj_weight, in_proj_bias, separate) -> tuple:
    """Queries, keys and values: by the packed ``(3E, E)`` weight, or by three
    weights ``(q, k, v)`` when ``separate``."""
    biases = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    weights = separate if separate is not None else in_proj_weight.chunk(3)
    return tuple(linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases))


def _check_projection_shapes(key: Tensor, value: Tensor, separate: Any, packed: Any) -> None:
    if separate is not None:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                f"{value.shape[:2]}"
            )
        for name, w in zip("qkv", separate):
            if w is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {name}_proj_weight is None"
                )
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if packed is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")


def _shaped_attn_mask(attn_mask: Any, tgt_len: int, src_len: int, batch_heads: int) -> Any:
    """``attn_mask`` as ``(1 or N * H, L, S)``, after PyTorch's shape checks."""
    if attn_mask is None:
        return None
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                f"{(tgt_len, src_len)}."
            )
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (batch_heads, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                f"{(batch_heads, tgt_len, src_len)}."
            )
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _pad_masks(attn_mask: Any, key_padding_mask: Any) -> tuple:
    """Both masks with one more key position, unmasked (for an appended key)."""
    return tuple(None if m is None else pad(m, (0, 1)) for m in (attn_mask, key_padding_mask))


def _heads(x: Tensor, batch_heads: int, head_dim: int) -> Tensor:
    """``(S, N, E) -> (N * H, S, E / H)``."""
    return x.reshape(x.shape[0], batch_heads, head_dim).transpose(0, 1)


def _static(name: str, given: Any, projected: Tensor, batch_heads: int, head_dim: int) -> Tensor:
    """``given`` (a ``static_k``/``static_v`` of ``(N * H, S, E / H)``) in place of the
    projected heads, after PyTorch's checks; the projected heads where none is given."""
    if given is None:
        return projected
    for dim, expected in ((0, batch_heads), (2, head_dim)):
        if given.shape[dim] != expected:
            raise AssertionError(
                f"expecting {name}.size({dim}) of {expected}, but got {given.shape[dim]}"
            )
    return given


def _extended_keys(k, v, bias_k, bias_v, add_zero_attn, masks, batch, heads, static) -> tuple:
    """Keys and values (as ``(S, N, E)``) with ``bias_k``/``bias_v`` appended, then in
    heads (or ``static = (static_k, static_v)`` where given) with a zero key/value
    appended (``add_zero_attn``); the masks padded alike."""
    if (bias_k is None) != (bias_v is None):
        which = (
            "bias_k is set but bias_v is None"
            if bias_v is None
            else "bias_v is set but bias_k is None"
        )
        raise AssertionError(which)
    if bias_k is not None:
        for name, given in zip(("key", "value"), static):
            if given is not None:
                raise AssertionError(f"bias cannot be added to static {name}.")
        k = cat([k, bias_k.repeat(1, batch, 1)])
        v = cat([v, bias_v.repeat(1, batch, 1)])
        masks = _pad_masks(*masks)
    head_dim = k.shape[-1] // heads
    k = _static("static_k", static[0], _heads(k, batch * heads, head_dim), batch * heads, head_dim)
    v = _static("static_v", static[1], _heads(v, batch * heads, head_dim), batch * heads, head_dim)
    if add_zero_attn:
        zero = zeros(batch * heads, 1, head_dim, dtype=k.dtype, device=k.device)
        k, v = cat([k, zero], dim=1), cat([v, zero], dim=1)
        masks = _pad_masks(*masks)
    return k, v, masks


def _merged_mask(
    attn_mask: Any, key_padding_mask: Any, batch: int, heads: int, src_len: int
) -> Any:
    """One additive mask ``(1 or N * H, L or 1, S)`` from both masks."""
    if key_padding_mask is None:
        return attn_mask
    if key_padding_mask.shape[0] != batch:
        raise AssertionError(
            f"Expected key_padded_mask.shape[0] to be {batch}, but got {key_padding_mask.shape[0]}"
        )
    if key_padding_mask.shape[1] != src_len:
        raise AssertionError(
            f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
            f"{key_padding_mask.shape[1]}"
        )
    spread = key_padding_mask.reshape(batch, 1, 1, src_len).expand(batch, heads, 1, src_len)
    spread = spread.reshape(batch * heads, 1, src_len)
    return spread if attn_mask is None else attn_mask + spread


def _weighted_attention(q, k, v, mask, dropout_p) -> tuple[Tensor, Tensor]:
    """``(N * H, L, E / H)`` heads attended explicitly: ``(output, weights)``."""
    scores = (q * math.sqrt(1.0 / q.shape[-1])).matmul(k.transpose(-2, -1))
    weights = softmax(scores if mask is None else mask + scores, dim=-1)
    dropped = dropout(weights, p=dropout_p) if dropout_p > 0.0 else weights
    return dropped.matmul(v), dropped


def _sdpa_heads(q, k, v, mask, dropout_p, is_causal, batch, heads) -> Tensor:
    """The heads through ``scaled_dot_product_attention`` (its bool-mask convention is not
    used: the mask is additive by now)."""
    tgt_len, src_len, head_dim = q.shape[1], k.shape[1], q.shape[-1]
    if mask is not None:
        mask = (
            mask.unsqueeze(0)
            if mask.shape[0] == 1 and mask.dim() == 3
            else mask.reshape(batch, heads, -1, src_len)
        )
    q, k, v = (x.reshape(batch, heads, x.shape[1], head_dim) for x in (q, k, v))
    out = scaled_dot_product_attention(q, k, v, mask, dropout_p, is_causal)
    return out.permute(2, 0, 1, 3).reshape(batch * tgt_len, heads * head_dim)


def _canonical_masks(query, key_padding_mask, attn_mask, is_causal, need_weights) -> tuple:
    """Both masks additive; ``attn_mask`` dropped where ``is_causal`` lets the heads
    attend causally instead (no padding mask, no weights asked for)."""
    key_padding_mask = canonical_mask(
        key_padding_mask, "key_padding_mask", query.dtype, attn_mask, "attn_mask"
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        return None, None, True
    attn_mask = canonical_mask(attn_mask, "attn_mask", query.dtype)
    return key_padding_mask, attn_mask, is_causal and key_padding_mask is None


def _head_dim(embed_dim: int, embed_dim_to_check: int, num_heads: int) -> int:
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    return head_dim


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of ``(L, N, E)`` queries over ``(S, N, kdim)`` keys and
    ``(S, N, vdim)`` values (or unbatched ``(L, E)``, ``(S, *)``): returns the output
    ``(L, N, E)`` and, when ``need_weights``, the attention weights ``(N, L, S)``
    (``(N, H, L, S)`` unless ``average_attn_weights``). ``static_k``/``static_v``:
    keys/values already in heads ``(N * H, S, E / H)``, used instead of projected ones."""
    batched = _is_batched(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, batch, embed_dim = query.shape
    key_padding_mask, attn_mask, is_causal = _canonical_masks(
        query, key_padding_mask, attn_mask, is_causal, need_weights
    )
    head_dim = _head_dim(embed_dim, embed_dim_to_check, num_heads)
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None
    _check_projection_shapes(key, value, separate, in_proj_weight)
    q, k, v = _projections(query, key, value, in_proj_weight, in_proj_bias, separate)
    attn_mask = _shaped_attn_mask(attn_mask, tgt_len, key.shape[0], batch * num_heads)
    masks = (attn_mask, key_padding_mask)
    static = (static_k, static_v)
    k, v, masks = _extended_keys(
        k, v, bias_k, bias_v, add_zero_attn, masks, batch, num_heads, static
    )
    mask = _merged_mask(*masks, batch, num_heads, k.shape[1])
    q = _heads(q, batch * num_heads, head_dim)
    dropout_p = dropout_p if training else 0.0
    if need_weights:
        out, weights = _weighted_attention(q, k, v, mask, dropout_p)
        out = out.transpose(0, 1).reshape(tgt_len * batch, embed_dim)
        weights = weights.reshape(batch, num_heads, tgt_len, k.shape[1])
        weights = weights.mean(dim=1) if average_attn_weights else weights
    else:
        out = _sdpa_heads(q, k, v, mask, dropout_p, is_causal, batch, num_heads)
        weights = None
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, batch, -1)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights
