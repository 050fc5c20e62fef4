"""The weight and optional bias that ``Linear``, ``Bilinear``, the convolutions and the
norm layers create before they fill them."""

from __future__ import annotations

from typing import Any

from ...creation import empty
from ..module import Module
from ..parameter import Parameter


def add_weight_and_bias(
    module: Module,
    weight_shape: Any,
    bias_shape: Any,
    bias: bool,
    device: Any,
    dtype: Any,
    *,
    weight: bool = True,
) -> None:
    """Register ``module.weight`` (uninitialized, ``weight_shape``) and ``module.bias``
    (``bias_shape``) when ``bias``; a missing one is registered as ``None``, as PyTorch's
    modules do (``module.bias`` reads ``None``, the state dict has no entry).
    ``weight=False`` (a norm layer without affine parameters) registers both as ``None``."""
    if not weight:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)
        return
    module.weight = Parameter(empty(weight_shape, device=device, dtype=dtype))
    if bias:
        module.bias = Parameter(empty(bias_shape, device=device, dtype=dtype))
    else:
        module.register_parameter("bias", None)
