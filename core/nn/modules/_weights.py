"""The weight and optional bias that ``Linear``, ``Bilinear`` and the convolutions
create before ``reset_parameters`` fills them."""

from __future__ import annotations

from typing import Any

from ...creation import empty
from ..module import Module
from ..parameter import Parameter


def add_weight_and_bias(
    module: Module, weight_shape: tuple, out_features: int, bias: bool, device: Any, dtype: Any
) -> None:
    """Register ``module.weight`` (uninitialized, ``weight_shape``) and ``module.bias``:
    ``(out_features,)`` when ``bias``, else registered as ``None`` (as PyTorch's modules
    do, so ``module.bias`` reads ``None`` and the state dict has no bias)."""
    module.weight = Parameter(empty(weight_shape, device=device, dtype=dtype))
    if bias:
        module.bias = Parameter(empty(out_features, device=device, dtype=dtype))
    else:
        module.register_parameter("bias", None)
