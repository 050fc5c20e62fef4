"""``retrograd.nn.modules.module``: where PyTorch keeps ``Module`` and the process-wide
module hooks (``torch.nn.modules.module.register_module_full_backward_hook``)."""

from __future__ import annotations

from ..backward_hook_registry import (
    register_module_backward_hook,
    register_module_full_backward_hook,
    register_module_full_backward_pre_hook,
)
from ..module import Module

__all__ = [
    "Module",
    "register_module_backward_hook",
    "register_module_full_backward_hook",
    "register_module_full_backward_pre_hook",
]
