"""Logical ops and predicates: ``logical_or``/``xor``/``not``, ``isnan``/``isinf``/
``isfinite``. Their results are bool tensors, never differentiable (no ``grad_fn``).

(The comparisons ``eq``...``ge`` and ``logical_and`` are in :mod:`.elementwise`; the
operators ``&``, ``|``, ``^``, ``~`` are the bitwise ops of :mod:`.bitwise`.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dtypes
from ..arguments import MISSING, public_signature, raise_error
from ..tensor import Tensor
from .elementwise import COMPARISON_FUNCTIONS, comparison_op
from .helpers import check_tensor
from .record import COMPARISON, OpRecord

BINARY_PREDICATES = tuple(
    OpRecord(name, COMPARISON, None, name, inputs=("self", "other"), inplace=True)
    for name in ("logical_or", "logical_xor")
)
UNARY_PREDICATES = tuple(
    OpRecord(name, COMPARISON, None, name, inplace=name == "logical_not")
    for name in ("logical_not", "isnan", "isinf", "isfinite")
)
RECORDS = (*BINARY_PREDICATES, *UNARY_PREDICATES)


def predicate_op(record: OpRecord) -> Callable[[Tensor], Tensor]:
    """The function of a one-input predicate record: a bool tensor of ``input``'s shape."""
    kernel = record.kernel
    call_name, as_method = record.name, False  # closure cells: see arguments.twin

    def op(input: Tensor = MISSING, *extra: Any) -> Tensor:
        if extra or not isinstance(input, Tensor):
            raise_error(call_name, extra if as_method else (input, *extra), method=as_method)
            check_tensor(call_name, input)
        backend = input._backend
        return Tensor._make(backend.kernels[kernel](input._storage.array), dtypes.bool, backend)

    op.__name__ = op.__qualname__ = record.name
    return public_signature(op)


FUNCTIONS = {
    **{r.name: comparison_op(r) for r in BINARY_PREDICATES},
    **{r.name: predicate_op(r) for r in UNARY_PREDICATES},
    "greater": COMPARISON_FUNCTIONS["gt"],
    "greater_equal": COMPARISON_FUNCTIONS["ge"],
    "less": COMPARISON_FUNCTIONS["lt"],
    "less_equal": COMPARISON_FUNCTIONS["le"],
    "not_equal": COMPARISON_FUNCTIONS["ne"],
}
