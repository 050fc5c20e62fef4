"""Resolution: how the suite gets, for any op record, its arguments, its call and its
reference (the math of the table's exceptions is in
:mod:`retrograd_conformance.reference_math`).

For a record the suite needs three things, resolved by :func:`resolve`:

- ``sample(record, draw, dtype) -> Sample``: the arguments (default: by the record's
  kind, :data:`retrograd_conformance.samples.BY_KIND`);
- ``call(*tensors, **params)``: the op through retrograd's public API (default:
  ``retrograd.<record name>`` or ``retrograd.nn.functional.<record name>``);
- ``ref(xp, *arrays, **params)``: the same math in an array namespace ``xp``: NumPy in
  float64 for the forward check, ``jax.numpy`` for the ``jax.vjp`` check. Default: the
  array-API function named by ``record.kernel`` (``getattr(xp, kernel)``), with PyTorch's
  argument names mapped to the array API's (:data:`RENAMED`).

The exceptions are the ONE table, :data:`retrograd_conformance.table.TABLE`. A record
that neither the defaults nor the table cover makes :func:`resolve` raise, and
``test_meta.py`` fails naming it: a new op cannot go unchecked. PyTorch's pinned
behaviours (gradients at kinks, integer refusals) are facts of the records, read by
:mod:`retrograd_conformance.conventions`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from retrograd.ops.record import BINARY, LINALG, REDUCTION, OpRecord

from . import samples as S
from .conventions import conventions, refuses
from .entries import Call, Convention, Entry, Ref, Resolved, kernel_in, public
from .table import TABLE

__all__ = ["TABLE", "Convention", "Resolved", "conventions", "refuses", "resolve"]

RENAMED = {"dim": "axis", "keepdim": "keepdims", "p": "ord"}  # PyTorch -> array API


def _renamed(params: dict[str, Any]) -> dict[str, Any]:
    out = {RENAMED.get(k, k): v for k, v in params.items()}
    if out.get("ord") == "fro":
        out["ord"] = 2
    return out


def _default_ref(record: OpRecord) -> Ref | None:
    if kernel_in(np, record.kernel) is None:
        return None
    kernel = record.kernel
    if record.kind == BINARY and len(record.inputs) == 2:
        return lambda xp, a, b, alpha=1: kernel_in(xp, kernel)(a, b * alpha)
    if record.kind == S.TERNARY and "condition" in record.save:
        return lambda xp, a, b, condition: kernel_in(xp, kernel)(condition, a, b)
    if record.kind == REDUCTION:
        return lambda xp, a, **params: kernel_in(xp, kernel)(a, **_renamed(params))
    return lambda xp, *arrays: kernel_in(xp, kernel)(*arrays)


def _default_call(record: OpRecord) -> Call | None:
    function = public(record.name)
    if function is None:
        return None
    if record.kind == S.TERNARY and "condition" in record.save:
        return lambda a, b, condition: public(record.name)(condition, a, b)
    return lambda *tensors, **params: public(record.name)(*tensors, **params)


def _default_sample(record: OpRecord) -> S.Builder | None:
    return None if record.kind == LINALG else S.BY_KIND.get(record.kind)


def resolve(record: OpRecord) -> Resolved:
    """The record's builder, call and reference; LookupError naming what is missing."""
    entry = TABLE.get(record.name, Entry())
    parts = {
        "sample": entry.sample or _default_sample(record),
        "call": entry.call or _default_call(record),
        "ref": entry.ref or _default_ref(record),
    }
    missing = [name for name, value in parts.items() if value is None]
    if missing:
        raise LookupError(
            f"op record '{record.name}' (kind {record.kind!r}, kernel {record.kernel!r}) has "
            f"no {' and no '.join(missing)}: add an entry for it to TABLE in "
            "retrograd_conformance/table.py"
        )
    return Resolved(record, **parts)
