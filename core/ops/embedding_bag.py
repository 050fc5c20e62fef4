"""``embedding_bag``'s one node (PyTorch's ``EmbeddingBagBackward0``): each bag of
indices gives the sum, mean or max of the weight's rows it names.

The caller (:mod:`retrograd.nn.embedding_bag`) lays the bags out: ``indices`` (the
entries, flat), ``bags`` (the bag of each entry) and ``scale`` (per entry: 0 for an entry
equal to ``padding_idx``, else 1, or ``1 / bag size`` in mean mode). Then the sum and mean
are ``out[bags[j]] += scale[j] * per_sample_weights[j] * weight[indices[j]]``, and the max
takes, per bag and feature, the first maximum among the bag's entries (an empty bag
gives 0). The gradients are nodes of their own that PyTorch has no derivative for.
"""

from __future__ import annotations

from ..creation import arange, zeros
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .record import INDEXING, OpRecord


def _entry_factors(scale: Tensor, per_sample_weights: Tensor | None) -> Tensor:
    """Each entry's factor: its scale times its per-sample weight, as a column."""
    factors = scale if per_sample_weights is None else scale * per_sample_weights
    return factors.unsqueeze(1)


def _weight_grad(g, weight, per_sample_weights, indices, bags, scale, picked, filled, mode):
    with no_grad():
        out = _weight_grad_value(g, weight, per_sample_weights, indices, bags, scale, picked,
                                 filled, mode)  # fmt: skip
    return finish(EMBEDDING_BAG_BACKWARD, out._storage.array, g.dtype, g._backend, (g,))


def _weight_grad_value(g, weight, per_sample_weights, indices, bags, scale, picked, filled,
                       mode):  # fmt: skip
    if mode == "max":
        # Each (bag, feature) sends its gradient to the row it picked, where the bag is
        # not empty; flat positions over (rows, features) make that one index_add.
        features = weight.shape[1]
        flat = picked * features + _feature_columns(picked)
        sent = (g * filled).reshape(-1)
        out = zeros(weight.shape[0] * features, dtype=g.dtype, backend=g.backend)
        return out.index_add(0, flat.reshape(-1), sent).reshape(weight.shape)
    sent = g[bags] * _entry_factors(scale, per_sample_weights)
    out = zeros(tuple(weight.shape), dtype=g.dtype, backend=g.backend)
    return out.index_add(0, indices, sent)


def _per_sample_weights_grad(g, weight, per_sample_weights, indices, bags, scale, picked,
                             filled, mode):  # fmt: skip
    with no_grad():
        out = (g[bags] * weight[indices]).sum(1) * scale
    inputs = (g, weight)
    return finish(PER_SAMPLE_WEIGHTS_BACKWARD, out._storage.array, g.dtype, g._backend, inputs)


def _tangent(us, out, weight, per_sample_weights, indices, bags, scale, picked, filled, mode):
    """Forward mode: the op is linear in the weight (and in the per-sample weights), so
    the tangent is the op applied to the tangents (PyTorch has no forward rule here)."""
    tw, tp = us
    total = None
    if tw is not None:
        if mode == "max":
            total = tw.gather(0, picked) * filled
        else:
            total = _summed(tw[indices] * _entry_factors(scale, per_sample_weights), bags, out)
    if tp is not None:
        part = _summed(weight[indices] * _entry_factors(scale, tp), bags, out)
        total = part if total is None else total + part
    return total


def _summed(rows: Tensor, bags: Tensor, like: Tensor) -> Tensor:
    out = zeros(tuple(like.shape), dtype=rows.dtype, backend=rows.backend)
    return out.index_add(0, bags, rows)


def _feature_columns(picked: Tensor) -> Tensor:
    return arange(picked.shape[1], backend=picked.backend).expand(*picked.shape)


# PyTorch records both gradients without derivatives of their own: a second backward
# through them raises its errors.
EMBEDDING_BAG_BACKWARD = OpRecord(
    "_embedding_bag_backward",
    INDEXING,
    "EmbeddingBagBackwardBackward0",
    "index_add",
    inputs=("grad",),
    method=False,
    smooth=False,
    no_derivative="_embedding_bag_backward",
    doc="embedding_bag's gradient w.r.t. its weight (no derivative in PyTorch)",
)
PER_SAMPLE_WEIGHTS_BACKWARD = OpRecord(
    "_embedding_bag_per_sample_weights_backward",
    INDEXING,
    "NotImplemented",
    "multiply",
    inputs=("grad", "weight"),
    method=False,
    smooth=False,
    no_derivative="_embedding_bag_per_sample_weights_backward",
    doc="embedding_bag's gradient w.r.t. per_sample_weights (no derivative in PyTorch)",
)
EMBEDDING_BAG = OpRecord(
    "_embedding_bag",
    INDEXING,
    "EmbeddingBagBackward0",
    "index_add",
    inputs=("weight", "per_sample_weights"),
    save=(
        "weight",
        "per_sample_weights",
        "indices",
        "bags",
        "scale",
        "picked",
        "filled",
        "mode",
    ),  # fmt: skip
    grads=(_weight_grad, _per_sample_weights_grad),
    jvp=_tangent,
    method=False,
    smooth=False,
    doc="per bag: the sum, mean or max of the weight rows its indices name",
)
RECORDS = (EMBEDDING_BAG, EMBEDDING_BAG_BACKWARD, PER_SAMPLE_WEIGHTS_BACKWARD)


def embedding_bag_op(
    weight: Tensor,
    per_sample_weights: Tensor | None,
    indices: Tensor,
    bags: Tensor,
    scale: Tensor,
    table: Tensor | None,
    count: int,
    mode: str,
) -> tuple[Tensor, Tensor | None]:
    """``(count, D)``: each bag's reduction of ``weight``'s rows (one node), and in max
    mode the row picked per bag and feature. ``table`` (max mode): ``(count, longest)``,
    each bag's entry positions, -1 past its end."""
    picked = filled = None
    with no_grad():
        if mode == "max":
            out, picked, filled = _bag_max(weight, indices, table)
        else:
            rows = weight[indices] * _entry_factors(scale, per_sample_weights)
            out = zeros(count, weight.shape[1], dtype=weight.dtype, backend=weight.backend)
            out = out.index_add(0, bags, rows)
    params = {"indices": indices, "bags": bags, "scale": scale, "picked": picked,
              "filled": filled, "mode": mode}  # fmt: skip
    array = out.contiguous()._storage.array
    result = finish(
        EMBEDDING_BAG, array, weight.dtype, weight._backend, (weight, per_sample_weights), params
    )
    return result, picked


def _bag_max(weight: Tensor, indices: Tensor, table: Tensor) -> tuple:
    """Per bag and feature: the first maximum of the bag's rows, the row it is, and
    whether the bag has any entry (an empty bag gives 0 and row 0)."""
    valid = table >= 0
    rows = indices[table.clamp(min=0)]  # (count, longest): the weight row of each entry
    values = weight[rows]  # (count, longest, D)
    lowest = float("-inf")
    values = values.masked_fill(valid.logical_not().unsqueeze(-1), lowest)
    best, position = values.max(1)
    picked = rows.gather(1, position)
    filled = valid.any(1, keepdim=True)
    out = best.masked_fill(filled.logical_not(), 0.0)
    return out, picked.masked_fill(filled.logical_not(), 0), filled.to(weight.dtype)
