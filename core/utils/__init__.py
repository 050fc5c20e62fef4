"""``retrograd.utils``: ``data`` (datasets, samplers, the DataLoader)."""

from __future__ import annotations

from . import data
