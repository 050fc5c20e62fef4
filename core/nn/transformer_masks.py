"""The masks of ``nn.Transformer`` and its parts: the square causal mask, whether a mask
is that mask (so attention may take the causal path), and an encoder's two masks made
additive as PyTorch's encoder makes them."""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..creation import full
from ..tensor import Tensor
from .multi_head import canonical_mask


def square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
    """``(sz, sz)``: ``-inf`` above the diagonal (a later position), 0 elsewhere."""
    dtype = dtypes.get_default_dtype() if dtype is None else dtype
    return full((sz, sz), -math.inf, dtype=dtype, device=device).triu(diagonal=1)


def seq_len(src: Tensor, batch_first: bool) -> int:
    return src.shape[0] if src.dim() == 2 else src.shape[1 if batch_first else 0]


def detect_is_causal_mask(mask: Any, is_causal: bool | None, size: int | None) -> bool:
    """``is_causal`` when given; else whether ``mask`` is the causal mask of ``size``."""
    if is_causal is not None or mask is None:
        return is_causal is True
    causal = square_subsequent_mask(
        size if size is not None else mask.shape[-2], device=mask.device, dtype=mask.dtype
    )
    return tuple(mask.shape) == tuple(causal.shape) and bool((mask == causal).all())


def canonical_encoder_masks(src: Tensor, padding: Any, padding_name: str, mask: Any, name: str):
    """Both of an encoder's masks made additive, as PyTorch's encoder does first (with
    its warning when their dtypes differ)."""
    padding = canonical_mask(padding, padding_name, src.dtype, mask, name)
    return padding, canonical_mask(mask, name, src.dtype)
