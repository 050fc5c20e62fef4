"""``retrograd.autograd.anomaly_mode``, as ``torch.autograd.anomaly_mode``: the switches
live in :mod:`retrograd.anomaly_mode`, below the graph and the engine that read them."""

from ..anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
    set_detect_anomaly,
)

__all__ = [
    "detect_anomaly",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "set_anomaly_enabled",
    "set_detect_anomaly",
]
