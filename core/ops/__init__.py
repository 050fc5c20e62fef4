"""All ops: their records, and the functions and Tensor methods built from them.

``RECORDS`` lists every op record (the conformance suite and the docs read it).
``FUNCTIONS`` maps the public ``retrograd.<name>`` functions to their implementation;
:func:`install` attaches the methods and operators to ``Tensor``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..tensor import Tensor
from . import conversion, elementwise, indexing, inplace, linalg, reductions, shape
from .record import OpRecord

RECORDS: tuple[OpRecord, ...] = (
    *elementwise.RECORDS,
    *reductions.RECORDS,
    *linalg.RECORDS,
    *shape.RECORDS,
    *indexing.RECORDS,
    *conversion.RECORDS,
    *inplace.RECORDS,
)

FUNCTIONS: dict[str, Callable[..., Any]] = {
    **elementwise.FUNCTIONS,
    **reductions.FUNCTIONS,
    **linalg.FUNCTIONS,
    **shape.FUNCTIONS,
    **indexing.FUNCTIONS,
    **conversion.FUNCTIONS,
}

# Functions that are not also Tensor methods (PyTorch has no ``Tensor.where(cond, ...)``
# with this argument order, and ``rsub`` is the reflected form only).
_NOT_METHODS = {"where", "rsub"}


def _reflected(fn: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(other, self)

    return method


def _comparison_dunder(fn: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Any]:
    def method(self: Tensor, other: Any) -> Any:
        if not isinstance(other, (Tensor, int, float, bool)):
            return NotImplemented  # ``t == None`` is False, as in PyTorch
        return fn(self, other)

    return method


def _operators(f: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    return {
        "__add__": f["add"],
        "__radd__": f["add"],
        "__sub__": f["sub"],
        "__rsub__": f["rsub"],
        "__mul__": f["mul"],
        "__rmul__": f["mul"],
        "__truediv__": f["div"],
        "__rtruediv__": lambda self, other: f["reciprocal"](self) * other,
        "__pow__": f["pow"],
        "__rpow__": _reflected(f["pow"]),
        "__neg__": f["neg"],
        "__abs__": f["abs"],
        "__matmul__": f["matmul"],
        "__rmatmul__": _reflected(f["matmul"]),
        "__getitem__": indexing.getitem,
        "__and__": f["logical_and"],
        **{
            f"__{name}__": _comparison_dunder(f[name])
            for name in ("eq", "ne", "lt", "le", "gt", "ge")
        },
    }


def _derived_methods(f: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    return {
        "view_as": lambda self, other: f["view"](self, other.shape),
        "expand_as": lambda self, other: f["expand"](self, other.shape),
        "reshape_as": lambda self, other: f["reshape"](self, other.shape),
        "T": property(lambda self: f["permute"](self, tuple(reversed(range(self.dim()))))),
        "mT": property(lambda self: f["transpose"](self, -2, -1)),
    }


def install(cls: type = Tensor) -> None:
    """Attach every op method and operator to ``cls``."""
    methods = {name: fn for name, fn in FUNCTIONS.items() if name not in _NOT_METHODS}
    methods.update(conversion.METHODS)
    methods.update(_operators(FUNCTIONS))
    methods.update(_derived_methods(FUNCTIONS))
    methods.update(inplace.in_place_methods(FUNCTIONS))
    for name, fn in methods.items():
        setattr(cls, name, fn)
