"""Anomaly detection: ``detect_anomaly``, ``set_detect_anomaly``, ``is_anomaly_enabled``.

With anomaly detection on, every node remembers the stack of the forward call that
created it (``node.metadata["traceback_"]``, as in PyTorch), and the engine runs each
node through :func:`run_checked`: a backward rule that returns NaN raises PyTorch's
``RuntimeError("Function 'MulBackward0' returned nan values in its 0th output.")``,
and any error in a rule first warns with the forward trace of the node that failed.

Off (the default), it costs one test of the module-level flag ``ENABLED`` where a node is
created and once per backward call. The mode is global (not per thread), as PyTorch's.
This module imports nothing from retrograd: the node and engine layers import it.
"""

from __future__ import annotations

import functools
import os
import traceback
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["detect_anomaly", "set_detect_anomaly"]

ENABLED = False
CHECK_NAN = True

# Frames from retrograd's own modules are dropped from the end of a recorded stack: the
# trace ends at the user's line that called the op, as PyTorch's does.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return ENABLED


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks backward results for NaN (default True)."""
    return CHECK_NAN


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off (``torch.set_anomaly_enabled``)."""
    global ENABLED, CHECK_NAN
    ENABLED, CHECK_NAN = bool(enabled), bool(check_nan)


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager and decorator that turns anomaly detection on (see the module
    docstring); it warns that it slows autograd down, as PyTorch's does."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev, self.prev_check_nan = ENABLED, CHECK_NAN
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and "
            "should only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args: object) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Set anomaly detection on or off now; as a context manager, restore it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev, self.prev_check_nan = ENABLED, CHECK_NAN
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args: object) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


# -- what nodes and the engine call while it is on ----------------------------------------
def record_forward_trace(node: Any) -> None:
    """Store the current stack (up to the user's call into retrograd) on ``node``."""
    frames = traceback.extract_stack()
    while frames and frames[-1].filename.startswith(_PACKAGE_DIR):
        frames.pop()
    node.metadata["traceback_"] = traceback.format_list(frames)


def run_checked(node: Any, grads: Any) -> Any:
    """``node.apply(grads)``, raising on NaN results (if checked) and warning with the
    node's forward trace when anything goes wrong."""
    try:
        result = node.apply(grads)
        if CHECK_NAN:
            _check_nan(node, result)
    except Exception:
        _warn_trace(node)
        raise
    return result


def _check_nan(node: Any, result: Any) -> None:
    for i, g in enumerate(result):
        if g is not None and bool(g.isnan().any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _warn_trace(node: Any) -> None:
    metadata = node._metadata or {}
    trace = metadata.get("traceback_")
    if trace is None:
        warnings.warn(
            f"Error detected in {node.name()}. No forward pass information available. "
            "Enable detect anomaly during forward pass for more information.",
            UserWarning,
            stacklevel=2,
        )
        return
    warnings.warn(
        f"Error detected in {node.name()}. Traceback of forward call that caused the "
        f"error:\n{''.join(trace)}",
        UserWarning,
        stacklevel=2,
    )
