"""``retrograd.autograd.forward_ad``: PyTorch's forward-mode AD API.

Inside ``with dual_level():``, ``make_dual(primal, tangent)`` gives a tensor that carries
``tangent`` as its directional derivative; every op on it gives a result carrying the
result's tangent (the Jacobian-vector product), read back with ``unpack_dual``::

    with fwAD.dual_level():
        y = fwAD.make_dual(x, v).exp()
        jvp = fwAD.unpack_dual(y).tangent  # exp(x) * v

As in PyTorch, one level is open at a time through this API (``retrograd.func.jvp``
nests its own), and leaving it drops every tangent.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import dual
from ..tensor import Tensor

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]


NESTED = "Nested forward mode AD is not supported at the moment"


def enter_dual_level() -> int:
    """Open a dual level and return its index (0); nesting is PyTorch's RuntimeError."""
    if dual.STATE.levels:
        raise RuntimeError(NESTED)
    return dual.enter_level(public=True)


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the dual level ``level`` (the current one by default), dropping its tangents."""
    dual.exit_level(dual.current_level() if level is None else level)


class dual_level:  # noqa: N801 - PyTorch's name
    """Context manager: a dual level for the duration of the block."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: Any) -> None:
        exit_dual_level()


def _check_floating(what: str, t: Tensor) -> None:
    if not t.dtype.is_floating_point:
        raise ValueError(f"Expected {what} to be floating point or complex, but got: {t.dtype}")


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of ``tensor`` that carries ``tangent`` at dual level ``level`` (the current
    one by default). ``tangent`` must have ``tensor``'s shape."""
    if level is None:
        level = dual.current_level()
        if level < 0:
            raise RuntimeError(dual.NO_LEVEL)
    _check_floating("primal", tensor)
    _check_floating("tangent", tangent)
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    if tangent.backend is not tensor.backend:
        raise RuntimeError(
            f"make_dual(): the tangent is on backend {tangent.backend.name} and the primal on "
            f"{tensor.backend.name}; move one with .to() first."
        )
    if level not in dual.active_indices():
        raise RuntimeError("Invalid level given to _make_dual")
    with dual.below(level):  # the view carries only the outer levels' tangents
        out = tensor.view_as(tensor)
    dual.set_tangent(out, tangent, level)
    return out


class UnpackedDualTensor(NamedTuple):
    """What :func:`unpack_dual` returns: the primal (a view without tangent) and the
    tangent (None where the tensor has none at that level)."""

    primal: Tensor
    tangent: Tensor | None


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor`` at dual level ``level`` (the current one by
    default); outside any level the tangent is None."""
    if level is None:
        level = dual.current_level()
        if level < 0:
            return UnpackedDualTensor(tensor, None)
    tangent = dual.get_tangent(tensor, level)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    with dual.below(level):
        primal = tensor.view_as(tensor)
    return UnpackedDualTensor(primal, tangent)
