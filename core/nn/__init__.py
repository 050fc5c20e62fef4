"""``retrograd.nn``: PyTorch's ``torch.nn``: ``Module``, ``Parameter``, the layers,
``functional``, ``init`` and ``utils``.

The records of its activations and losses live with the other ops (``retrograd.ops``),
so the conformance suite covers them; this package builds the modules on top of them.
"""

from __future__ import annotations

from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F403 - the layers are the public API
from .modules import __all__ as _layers
from .parameter import Buffer, Parameter
from .uninitialized import UninitializedBuffer, UninitializedParameter

__all__ = [
    "Buffer", "Module", "Parameter", "UninitializedBuffer", "UninitializedParameter", "functional",
    "init", "utils", *_layers,
]  # fmt: skip
