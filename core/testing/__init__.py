"""``retrograd.testing``: PyTorch's testing helpers, ``assert_close`` and ``make_tensor``."""

from __future__ import annotations

from .comparison import assert_close
from .creation import make_tensor

__all__ = ["assert_close", "make_tensor"]
