"""Bitwise ops: ``bitwise_and``/``or``/``xor``/``not`` and the operators ``&``, ``|``,
``^``, ``~`` (reflected with Python numbers too: ``5 & t``).

As in PyTorch they compute on integer and bool tensors only (on bool tensors they are
the logical ops); a floating operand is PyTorch's NotImplementedError, ``~`` of a
floating tensor its TypeError. The result dtype is PyTorch's promotion of the operands
(``int32 & int64`` is int64, ``bool & 1`` int64, ``int32 & 5`` int32). Results are never
differentiable (no ``grad_fn``). The in-place forms (``bitwise_and_``, ``&=``, ...) are
built by :mod:`.inplace` from these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..dtypes import FLOATING
from ..tensor import Tensor
from .elementwise import _operands
from .helpers import check_tensor, not_implemented
from .record import BITWISE, OpRecord

# A kind of its own: the conformance suite samples integer and bool tensors for it.

_DOC = "integer and bool tensors only (on bool: logical_{})"
BINARY_BITWISE = tuple(
    OpRecord(
        name,
        BITWISE,
        None,
        name,
        inputs=("self", "other"),
        doc=_DOC.format(name[8:]),
        inplace=True,
        refuses_integral=True,
    )  # fmt: skip
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor")
)
# The array API calls it bitwise_invert; PyTorch bitwise_not.
NOT = OpRecord("bitwise_not", BITWISE, None, "bitwise_invert", doc=_DOC.format("not"), inplace=True)
RECORDS = (*BINARY_BITWISE, NOT)


def bitwise_op(record: OpRecord) -> Callable[[Any, Any], Tensor]:
    """The function of a two-input bitwise record: ``input`` and ``other`` are tensors
    (broadcast) or one of them a Python number; refuses floating operands."""
    kernel, name = record.kernel, record.name

    def op(input: Any, other: Any) -> Tensor:
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise TypeError(
                f"{name}() received an invalid combination of arguments - got "
                f"({type(input).__name__}, {type(other).__name__}): one of them must be a "
                "Tensor"
            )
        backend, dtype, a, b = _operands(record, input, other)
        if dtype.category == FLOATING:
            raise not_implemented(name, backend, dtype)
        return Tensor._make(backend.kernels[kernel](a, b), dtype, backend)

    op.__name__ = name
    return op


def bitwise_not(input: Tensor) -> Tensor:
    """``~input`` bit by bit (logical not for bool tensors); refuses floating tensors."""
    check_tensor(NOT.name, input)
    backend, dtype = input._backend, input._dtype
    if dtype.category == FLOATING:
        raise not_implemented(NOT.name, backend, dtype)
    return Tensor._make(backend.kernels[NOT.kernel](input._storage.array), dtype, backend)


def _binary_operator(fn: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Any]:
    """``t <op> other`` and, the ops being commutative, ``other <op> t``: NotImplemented
    for an operand that is neither a tensor nor a Python number (Python's TypeError)."""

    def operator(self: Tensor, other: Any) -> Any:
        if not isinstance(other, (Tensor, int, float)):
            return NotImplemented
        return fn(self, other)

    return operator


def _invert(self: Tensor) -> Tensor:
    if self._dtype.category == FLOATING:
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return bitwise_not(self)


FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    **{r.name: bitwise_op(r) for r in BINARY_BITWISE},
    NOT.name: bitwise_not,
}
OPERATORS: dict[str, Callable[..., Any]] = {
    dunder: _binary_operator(FUNCTIONS[f"bitwise_{symbol}"])
    for symbol in ("and", "or", "xor")
    for dunder in (f"__{symbol}__", f"__r{symbol}__")
}
OPERATORS["__invert__"] = _invert
