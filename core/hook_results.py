"""What a gradient hook may return, checked as PyTorch checks it.

A tensor hook may return None (keep the gradient) or a tensor of the gradient's type,
device and size; a node's pre-hook or hook None or a tuple of one such value (or None)
per gradient. Anything else is PyTorch's TypeError or RuntimeError, raised before the
value is used: a wrong-sized tensor would otherwise become a leaf's ``.grad``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .legacy import type_name
from .tensor import Tensor


def hook_name(hook: Callable) -> str:
    """The name PyTorch's messages give ``hook``: its ``__name__`` (``<lambda>`` for a
    lambda), or ``<unknown>`` for a callable without one (a ``partial``, an object)."""
    name = getattr(hook, "__name__", None)
    return name if isinstance(name, str) else "<unknown>"


def checked_gradient(hook: Callable, original: Tensor | None, result: Any) -> Tensor:
    """``result``, the tensor ``hook`` returned in place of gradient ``original``, once it
    has the same type (dtype and device) and size; PyTorch's error otherwise."""
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    if original is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if result.dtype is not original.dtype or result._backend is not original._backend:
        raise RuntimeError(
            f"hook '{hook_name(hook)}' has changed the type of value (was "
            f"{type_name(original)} got {type_name(result)})"
        )
    if result.shape != original.shape:
        raise RuntimeError(f"hook '{hook_name(hook)}' has changed the size of value")
    return result


def checked_gradients(hook: Callable, originals: Sequence, result: Any) -> tuple:
    """``result``, the tuple a node's hook returned in place of ``originals``, once it has
    one entry per gradient and each entry is None or passes :func:`checked_gradient`."""
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(originals):
        raise RuntimeError(
            f"hook '{hook_name(hook)}' has returned an incorrect number of values (got "
            f"{len(result)}, but expected {len(originals)})"
        )
    for original, value in zip(originals, result, strict=True):
        if value is not None:
            checked_gradient(hook, original, value)
    return result
