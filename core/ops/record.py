"""Op records: each op (one PyTorch overload) declared once, as data.

A record names the op, its ``grad_fn`` class, the kernel it calls, its inputs, what its
derivative rules need saved, one rule per input, its kind, and the input domain and
kinks the conformance suite must sample and avoid. The public function, the Tensor
method, the docs entry and the conformance cases are all derived from it.

A derivative rule is ``rule(grad, *saved)``: it receives the gradient w.r.t. the op's
output and the values named in ``save``, in that order, and returns the gradient w.r.t.
its input, written in retrograd's own differentiable ops (so higher-order gradients
work). Reducing broadcast gradients and casting dtypes is the engine's job, not the
rule's. Save names: an input name (``"self"``, ``"other"``) saves that tensor,
``"result"`` saves the output, ``"self.shape"`` saves only a shape, anything else
names a parameter of the call.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..grad_mode import state as _grad_state
from ..graph import NO_EDGE, Node, SavedTensor, accumulator_of
from ..tensor import Tensor, refresh_view

Rule = Callable[..., Any]

# Kinds, used by the conformance suite to generate cases and by the docs to group ops.
UNARY, BINARY, COMPARISON, REDUCTION, LINALG, SHAPE, INDEXING, CONVERSION, CREATION = (
    "unary",
    "binary",
    "comparison",
    "reduction",
    "linalg",
    "shape",
    "indexing",
    "conversion",
    "creation",
)


@dataclass(frozen=True, eq=False)
class OpRecord:
    """One op, as data. See the module docstring for the meaning of each field."""

    name: str
    kind: str
    grad_fn: str | None
    kernel: str
    inputs: tuple[str, ...] = ("self",)
    save: tuple[str, ...] = ()
    grads: tuple[Rule | None, ...] = ()
    doc: str = ""
    domain: tuple[float, float] = (-math.inf, math.inf)
    kinks: tuple[float, ...] = ()
    smooth: bool = True  # second-order gradients are checked where True
    int_to_float: bool = False  # integer/bool inputs compute in the default float dtype
    accepts_bool: bool = True  # False: a bool input is an error, as in PyTorch
    node_class: type | None = field(default=None, compare=False)

    save_plan: tuple = field(default=(), compare=False, repr=False)
    saves_tensors: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.grad_fn is not None:
            cls = type(self.grad_fn, (OpNode,), {"__slots__": (), "record": self})
            object.__setattr__(self, "node_class", cls)
        # Parsed once here so that recording an op does no string work.
        plan = tuple(self._plan(name) for name in self.save)
        object.__setattr__(self, "save_plan", plan)
        object.__setattr__(self, "saves_tensors", any(k in (_RESULT, _INPUT) for k, _, _ in plan))

    def _plan(self, name: str) -> tuple:
        if name == "result":
            return (_RESULT, None, None)
        base, _, attr = name.partition(".")
        if base in self.inputs:
            return (_ATTR if attr else _INPUT, self.inputs.index(base), attr)
        return (_PARAM, name, None)


_RESULT, _INPUT, _ATTR, _PARAM = range(4)


class OpNode(Node):
    """The ``grad_fn`` of a record's op: unpacks what was saved and calls the rules."""

    __slots__ = ("_saved", "_freed")
    record: OpRecord

    def apply(self, grad_outputs: tuple) -> tuple:
        grad = grad_outputs[0]
        saved = self._unpack()
        grads = []
        for rule, edge in zip(self.record.grads, self.next_functions):
            grads.append(rule(grad, *saved) if rule is not None and edge[0] is not None else None)
        return grads

    def _unpack(self) -> tuple:
        if self._freed:
            from ..graph import FREED_MESSAGE

            raise RuntimeError(FREED_MESSAGE)
        return [v.unpack(self) if type(v) is SavedTensor else v for v in self._saved]

    def release(self) -> None:
        if self.record.saves_tensors:
            self._saved = ()
            self._freed = True


def requires_grad_any(inputs: tuple) -> bool:
    """True if grad mode is on and some input tensor requires grad."""
    if not _grad_state.enabled:
        return False
    for t in inputs:
        if isinstance(t, Tensor):
            if t._base is not None:
                refresh_view(t)
            if t._grad_fn is not None or t._requires_grad:
                return True
    return False


def attach_node(record: OpRecord, out: Any, inputs: tuple, params: dict | None = None) -> Any:
    """Make ``record``'s node the ``grad_fn`` of ``out``; save what its rules need.

    ``inputs`` are the op's inputs in record order (tensors or Python scalars);
    ``params`` the call's parameters that rules may ask for by name.
    """
    node = record.node_class.__new__(record.node_class)
    node._hooks = node._pre_hooks = node._tensor_pre_hooks = node._metadata = None
    edges, meta = [], []
    for t in inputs:  # the hot path: edge_of and the metadata, inlined
        if isinstance(t, Tensor):
            if t._base is not None:
                refresh_view(t)
            fn = t._grad_fn
            if fn is not None:
                edges.append((fn, t._output_nr))
            else:
                edges.append((accumulator_of(t), 0) if t._requires_grad else NO_EDGE)
            meta.append((t._storage.array.shape, t._dtype))
        else:
            edges.append(NO_EDGE)
            meta.append(None)
    node.next_functions = tuple(edges)
    node._input_meta = tuple(meta)
    node._saved = tuple([_saved_value(step, out, inputs, params) for step in record.save_plan])
    node._freed = False
    out._grad_fn = node
    out._output_nr = 0
    return out


def _saved_value(step: tuple, out: Any, inputs: tuple, params: dict | None) -> Any:
    kind, key, attr = step
    if kind == _INPUT:
        value = inputs[key]
        return SavedTensor(value) if isinstance(value, Tensor) else value
    if kind == _RESULT:
        return SavedTensor(out, is_output=True)
    if kind == _ATTR:
        return getattr(inputs[key], attr)
    return params[key]
