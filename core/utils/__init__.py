"""``retrograd.utils``: PyTorch's ``torch.utils`` helpers: ``data`` (datasets, samplers,
the DataLoader) and ``checkpoint`` (recomputing activations in backward)."""

from __future__ import annotations

from . import checkpoint, data
