"""PyTorch's behaviour where math leaves a choice, read from the op records.

The facts live in each record (``retrograd.ops.record.OpRecord``): its ``conventions``
(the gradient at non-differentiable points: kinks, ties of max/min, clamp bounds, zeros
of products and norms) and ``float_only`` (PyTorch refuses integer tensors). This module
turns them into the suite's arrays: :func:`conventions` and :func:`refuses`.
"""

from __future__ import annotations

import numpy as np
from retrograd.ops.record import OpRecord

from .entries import Convention
from .samples import FLOAT_DTYPES, integer_only


def refuses(record: OpRecord, dtype: str) -> bool:
    """Whether PyTorch refuses the op for ``dtype`` inputs with NotImplementedError: the
    integer dtypes for a ``float_only`` record, the float dtypes for the integer-only
    (bitwise) ops, and bool for an integer-only op that has no bool kernel (``gcd``)."""
    if dtype in FLOAT_DTYPES:
        return integer_only(record)
    if dtype == "bool" and integer_only(record) and not record.accepts_bool:
        return True
    return record.float_only


def _arrays(values: tuple) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(v, dtype=np.float64) for v in values)


def conventions(record: OpRecord) -> tuple[Convention, ...]:
    """The record's pinned conventions as float64 arrays."""
    return tuple(
        Convention(_arrays(c.inputs), _arrays(c.grads), tuple(c.params)) for c in record.conventions
    )
