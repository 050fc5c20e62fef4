"""Tangent rules: how an op's result gets its tangent in forward-mode AD.

Every differentiable op record has a tangent rule, by one of three strategies, chosen
from the record (:func:`strategy`):

- ``"declared"``: the record's own ``jvp(tangents, result, *saved)``, given the tangent
  of each input (None where it has none) and the values its backward rules save.
  Matrix products, softmax, and the linear shape ops declare one.
- ``"elementwise"``: derived from the reverse rules. A pointwise op's Jacobian is
  diagonal, so it is its own transpose: ``J u = rule(u)``; the tangent is the sum, over
  inputs, of each input's rule applied to that input's tangent (broadcast to the
  result's shape). Unary, binary, ternary and pointwise activation records.
- ``"transpose"``: derived from the reverse rules for any record (the "double vjp"):
  ``g(v) = J^T v`` is linear in ``v``, so ``J u`` is the gradient of ``<g(v), u>``
  w.r.t. ``v``, computed by the engine with a dummy ``v`` that requires grad. Always
  right, slower (a small backward pass per op).

Tangents are computed with retrograd's own ops, under the outer dual levels only
(:func:`retrograd.dual.below`), with grad mode as the caller has it: so a tangent is
differentiable (reverse over forward) and may carry an outer level's tangent (forward
over forward). The conformance suite checks every record's tangent against finite
differences and against its reverse rule.
"""

from __future__ import annotations

import functools
from typing import Any

from .. import dual, grad_mode
from ..creation import zeros
from ..dtypes import promote_types
from ..engine import grad as _engine_grad
from ..ops.nodes import MultiOutputRecord, VariadicRecord
from ..ops.record import ACTIVATION, BINARY, TERNARY, UNARY, OpRecord
from ..tensor import Tensor

# Activations that are not pointwise (their Jacobian is not diagonal) declare a rule.
_POINTWISE_KINDS = (UNARY, BINARY, TERNARY, ACTIVATION)
STRATEGIES = ("declared", "elementwise", "transpose")


def strategy(record: OpRecord) -> str:
    """How ``record``'s result gets its tangent (see the module docstring)."""
    if record.jvp is not None:
        return "declared"
    if record.kind in _POINTWISE_KINDS and type(record) is OpRecord and not record.no_derivative:
        return "elementwise"
    return "transpose"


def install() -> None:
    """Make the ops give their results tangents inside a dual level."""
    dual.STATE.propagate = propagate


def propagate(record: OpRecord, outs: tuple, inputs: tuple, params: dict | None) -> None:
    """Give ``outs`` (the results of one call of ``record``'s op, on ``inputs`` with
    ``params``) their tangent at each active level where an input has one."""
    for index in dual.active_indices():
        tangents = [dual.get_tangent(t, index) if isinstance(t, Tensor) else None for t in inputs]
        if all(u is None for u in tangents):
            continue
        with dual.below(index):
            results = _tangents_of(record, outs, inputs, params, tangents)
        for out, tangent in zip(outs, results, strict=True):
            if tangent is not None:
                dual.set_tangent(out, _conform(tangent, out), index)


def _tangents_of(record: OpRecord, outs: tuple, inputs: tuple, params: Any, tangents: list):
    saved = _saved_values(record, outs[0], inputs, params)
    kind = strategy(record)
    if kind == "declared":  # a multi-output record's rule gives every output's tangent
        result = record.jvp(tuple(tangents), outs[0], *saved)
        return tuple(result) if isinstance(record, MultiOutputRecord) else (result,)
    if kind == "elementwise":
        return (_elementwise(record, outs[0], tangents, saved),)
    return _transpose(record, outs, inputs, tangents, saved)


def _saved_values(record: OpRecord, out: Tensor, inputs: tuple, params: Any) -> list:
    """The values ``record.save`` names, as the rules receive them (nothing detached)."""
    values = []
    for name in record.save:
        base, _, attr = name.partition(".")
        if name == "result":
            values.append(out)
        elif base in record.inputs and type(record) is not VariadicRecord:
            value = inputs[record.inputs.index(base)]
            values.append(getattr(value, attr) if attr else value)
        else:
            values.append(params[name])
    return values


def _conform(tangent: Tensor, out: Tensor) -> Tensor:
    """The tangent with the result's shape (a rule may leave it broadcast). Its dtype is
    what the rule computed, as in PyTorch: a linear op keeps the tangent's (the sum of a
    float32 tangent is float32 on a float64 primal), an op whose rule mixes in the primal
    promotes with it."""
    if tuple(tangent.shape) != tuple(out.shape):
        tangent = tangent.expand(out.shape) if tangent.dim() <= out.dim() else tangent
    return tangent


def _elementwise(record: OpRecord, out: Tensor, tangents: list, saved: list) -> Tensor | None:
    total, missing = None, False
    for rule, u in zip(record.grads, tangents, strict=False):
        if rule is None:
            continue
        if u is None:
            missing = True
            continue
        if tuple(u.shape) != tuple(out.shape):
            u = u.expand(out.shape)
        term = rule(u, *saved)
        total = term if total is None else total + term
    # PyTorch adds a missing tangent as zeros of its primal's dtype (a Python number's
    # too): the sum takes the result's dtype where it is wider.
    if missing and total is not None and total.dtype is not out.dtype:
        wider = promote_types(total.dtype, out.dtype)
        total = total if wider is total.dtype else total.to(wider)
    return total


def _reverse_rules(record: OpRecord, vs: list, saved: list) -> list:
    """The gradient of every input for output gradients ``vs``, as the node would."""
    if isinstance(record, MultiOutputRecord):
        return list(record.grads[0](tuple(vs), *saved))
    if isinstance(record, VariadicRecord):
        return list(record.grads[0](vs[0], *saved))
    return [None if rule is None else rule(vs[0], *saved) for rule in record.grads]


def _transpose(record: OpRecord, outs: tuple, inputs: tuple, tangents: list, saved: list) -> list:
    """``J u`` as the gradient of ``<J^T v, u>`` w.r.t. a dummy ``v`` (see above)."""
    create_graph = grad_mode.is_grad_enabled()
    # The dummy cotangents are widened to a tangent's dtype where it is wider than its
    # input's, so a float64 tangent of a float32 op stays float64, as PyTorch's rules
    # promote (a tangent of its input's dtype follows the result's: ``to``).
    dtype = functools.reduce(
        promote_types,
        (u.dtype for u, t in zip(tangents, inputs, strict=False) if u is not None
         and u.dtype is not t.dtype),
        outs[0].dtype,
    )  # fmt: skip
    with grad_mode.enable_grad():
        vs = [zeros(o.shape, dtype=promote_types(o.dtype, dtype), backend=o.backend)
              .requires_grad_() for o in outs]  # fmt: skip
        grads = _reverse_rules(record, vs, saved)
        pairs = [
            (g, u) for g, u in zip(grads, tangents, strict=False)
            if g is not None and u is not None and g.requires_grad
        ]  # fmt: skip
        if not pairs:
            return [None] * len(outs)
        results = _engine_grad(
            [g for g, _ in pairs],
            vs,
            [_matching(u, g) for g, u in pairs],
            create_graph=create_graph,
            allow_unused=True,
        )
    return [r if r is not None else zeros(o.shape, dtype=o.dtype, backend=o.backend)
            for r, o in zip(results, outs, strict=True)]  # fmt: skip


def _matching(u: Tensor, g: Tensor) -> Tensor:
    """Tangent ``u`` as a cotangent for ``g``: ``g``'s shape (``g`` may be broadcast,
    the engine sums it to the input's shape later) and dtype."""
    if tuple(u.shape) != tuple(g.shape):
        u = u.expand(g.shape)
    return u if u.dtype is g.dtype else u.to(g.dtype)


def counts(records: tuple) -> dict[str, int]:
    """How many differentiable records use each strategy."""
    found = dict.fromkeys(STRATEGIES, 0)
    for r in records:
        if r.grad_fn is not None and not r.no_derivative:
            found[strategy(r)] += 1
    return found
