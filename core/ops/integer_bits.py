"""Integer functions of two operands: the shifts ``bitwise_left_shift`` and
``bitwise_right_shift`` (and the operators ``<<``, ``>>``, reflected too), ``gcd`` and
``lcm``, each with its in-place form.

As in PyTorch they compute on integer tensors only: a floating or bool operand is
PyTorch's NotImplementedError, naming its kernel (``"lshift_cpu"``, ``"gcd_cpu"``). The
result dtype is PyTorch's promotion of the operands; results are never differentiable.
A shift by the bit width or more gives PyTorch's result (0, or the sign fill), not C's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dtypes
from ..dtypes import FLOATING
from ..tensor import Tensor
from .elementwise import _operands
from .helpers import not_implemented
from .record import BITWISE, OpRecord

# PyTorch's kernel names, as its dtype refusals print them
_KERNEL = {
    "bitwise_left_shift": "lshift",
    "bitwise_right_shift": "rshift",
    "gcd": "gcd",
    "lcm": "lcm",
}
_DOC = {
    "bitwise_left_shift": "integers only; a shift past the bit width gives 0",
    "bitwise_right_shift": "integers only; a shift past the bit width gives the sign fill",
    "gcd": "integers only; non-negative, gcd(0, 0) = 0",
    "lcm": "integers only; non-negative, lcm with 0 is 0",
}
RECORDS = tuple(
    OpRecord(name, BITWISE, None, name, inputs=("self", "other"), doc=doc, inplace=True,
             refuses_integral=True, accepts_bool=False)
    for name, doc in _DOC.items()
)  # fmt: skip


def _integer_op(record: OpRecord, tensor_other: bool) -> Callable[[Any, Any], Tensor]:
    """The function of ``record``: tensors broadcast, or (the shifts) a Python number on
    either side; refuses floating and bool operands."""
    name = record.name
    call_name, as_method = name, False  # closure cells: see arguments.twin

    def op(input: Any, other: Any) -> Tensor:
        if tensor_other:  # gcd/lcm take no numbers (PyTorch counts self in a function)
            for value, what, position in ((input, "input", 1), (other, "other", 2)):
                if not isinstance(value, Tensor):
                    raise TypeError(
                        f"{call_name}(): argument '{what}' (position {position - as_method}) "
                        f"must be Tensor, not {type(value).__name__}"
                    )
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise TypeError(f"{name}() received an invalid combination of arguments")
        backend, dtype, a, b = _operands(record, input, other)
        if dtype.category == FLOATING or dtype is dtypes.bool:
            raise not_implemented(_KERNEL[name], backend, dtype)
        return Tensor._make(backend.kernels[record.kernel](a, b), dtype, backend)

    op.__name__ = name
    op.__doc__ = f"PyTorch's ``{name}``, elementwise: {_DOC[name]}."
    return op


FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    r.name: _integer_op(r, tensor_other=r.name in ("gcd", "lcm")) for r in RECORDS
}


def _shift_operator(name: str, reflected: bool) -> Callable[[Tensor, Any], Any]:
    fn = FUNCTIONS[name]

    def operator(self: Tensor, other: Any) -> Any:
        if not isinstance(other, (Tensor, int, float)):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)

    return operator


OPERATORS: dict[str, Callable[..., Any]] = {
    "__lshift__": _shift_operator("bitwise_left_shift", False),
    "__rlshift__": _shift_operator("bitwise_left_shift", True),
    "__rshift__": _shift_operator("bitwise_right_shift", False),
    "__rrshift__": _shift_operator("bitwise_right_shift", True),
}
