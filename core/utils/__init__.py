"""``retrograd.utils``: PyTorch's ``torch.utils`` helpers: ``data`` (datasets, samplers,
the DataLoader), ``checkpoint`` (recomputing activations in backward) and ``dlpack``."""

from __future__ import annotations

from . import checkpoint, data, dlpack
