"""Padding ops PyTorch records as one node each: ``constant_pad_nd``
(``ConstantPadNdBackward0``), reflection padding (``ReflectionPad1DBackward0``,
``...2D...``, ``...3D...``) and replication padding (``ReplicationPad1DBackward0``, ...).

Constant padding's gradient is the same op with every amount negated (a crop), so it is
differentiable to any order. Reflection and replication padding read, along each padded
axis, one input position per output position: an index selection per axis
(:class:`~retrograd.ops.axis_maps.AxisMap`), whose transpose (a scatter-add: edge
elements are read several times) is the gradient. ``nn.functional.pad`` checks the
arguments (:mod:`retrograd.nn.padding`).
"""

from __future__ import annotations

from typing import Any

from ..creation import full
from ..grad_mode import no_grad
from ..tensor import Tensor
from .axis_maps import AxisMap, apply_maps, transpose_maps
from .dispatch import finish
from .joining import cat
from .record import SHAPE, OpRecord

CONSTANT_PAD_ND = OpRecord(
    "constant_pad_nd",
    SHAPE,
    "ConstantPadNdBackward0",
    "pad",
    save=("pad",),
    grads=(lambda g, pad: constant_pad_nd(g, [-p for p in pad]),),
    method=False,
    doc="the input with `pad` = (last_before, last_after, ...) elements of `value` added "
    "(negative amounts crop)",
)


def _indexed_record(name: str, grad_fn: str, doc: str) -> OpRecord:
    return OpRecord(
        name,
        SHAPE,
        grad_fn,
        "take",
        save=("maps",),
        grads=(lambda g, maps: transpose_maps(g, maps),),
        method=False,
        doc=doc,
    )


_REFLECT = "the last {} dims padded with their reflection (edges not repeated)"
_REPLICATE = "the last {} dims padded with copies of their edge elements"
REFLECTION_PADS = {
    dims: _indexed_record(
        f"reflection_pad{dims}d", f"ReflectionPad{dims}DBackward0", _REFLECT.format(dims)
    )
    for dims in (1, 2, 3)
}
REPLICATION_PADS = {
    dims: _indexed_record(
        f"replication_pad{dims}d", f"ReplicationPad{dims}DBackward0", _REPLICATE.format(dims)
    )
    for dims in (1, 2, 3)
}
RECORDS = (CONSTANT_PAD_ND, *REFLECTION_PADS.values(), *REPLICATION_PADS.values())


def _constant_along(x: Tensor, dim: int, before: int, after: int, value: Any) -> Tensor:
    """``x`` with ``before``/``after`` elements of ``value`` added along ``dim`` (negative
    amounts remove elements)."""
    if before < 0:
        x = x.narrow(dim, -before, x.shape[dim] + before)
        before = 0
    if after < 0:
        x = x.narrow(dim, 0, x.shape[dim] + after)
        after = 0
    parts = []
    for n in (before, None, after):
        if n is None:
            parts.append(x)
        elif n:
            shape = (*x.shape[:dim], n, *x.shape[dim + 1 :])
            parts.append(full(shape, value, dtype=x.dtype, backend=x.backend))
    return cat(parts, dim) if len(parts) > 1 else x


def _as_node(record: OpRecord, input: Tensor, out: Tensor, params: dict) -> Tensor:
    if out._base is not None or out is input:
        with no_grad():
            out = out.clone()  # the node's output owns its storage
    return finish(record, out._storage.array, out.dtype, input._backend, (input,), params)


def constant_pad_nd(input: Tensor, pad: Any, value: Any = 0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims with ``value``: ``pad = (last_before,
    last_after, second_last_before, ...)``; negative amounts crop."""
    pad = [int(p) for p in pad]
    with no_grad():
        out = input
        for i in range(len(pad) // 2):
            dim = input.dim() - 1 - i
            out = _constant_along(out, dim, pad[2 * i], pad[2 * i + 1], value)
    return _as_node(CONSTANT_PAD_ND, input, out, {"pad": pad})


def indexed_pad(record: OpRecord, input: Tensor, maps: list[AxisMap]) -> Tensor:
    """Reflection or replication padding by its per-axis index ``maps``, as ``record``'s
    one node."""
    with no_grad():
        out = apply_maps(input, maps)
    return _as_node(record, input, out, {"maps": maps})
