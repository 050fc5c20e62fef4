"""What a replay returns: the step's result rebuilt around the replayed arrays.

Each tensor in the step's result is, on every replay, either the same Python object it
was at capture (an input, a parameter: eager returns that very object too), the
parameter's ``.grad`` the epilogue just made, or a new tensor around a replayed array, with
the eager tensor's dtype, backend and ``requires_grad``. A returned tensor that had a ``grad_fn``
gets a ``CompiledFunctionBackward`` node (PyTorch's name for it): the recording holds no
graph, so a backward through it raises PyTorch's "backward through the graph a second
time" error (the step already ran its backward, whose graph is freed by then). A result
that needs a backward the step did not run is a graph break, found at capture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..graph import FREED_MESSAGE, Node, walk
from ..pytree import tree_flatten, tree_unflatten
from ..tensor import Tensor
from .breaks import reason_for


class CompiledFunctionBackward(Node):
    """The ``grad_fn`` of a replayed result that required grad (no graph behind it)."""

    __slots__ = ()

    def apply(self, grad_outputs: tuple) -> tuple:
        raise RuntimeError(FREED_MESSAGE)


@dataclass
class OutputPlan:
    """``refs``: the arrays the replay returns; ``rebuild(arrays, flat_inputs)`` makes the
    result; ``broken``: why the result cannot be replayed (None if it can)."""

    refs: list[tuple]
    rebuild: Callable[[tuple, list], Any]
    broken: str | None = None


def plan_outputs(rec: Any, result: Any, flat: list, tensors: list, epilogue: list) -> OutputPlan:
    leaves, spec = tree_flatten(result)
    fixed = {id(t): t for t in tensors}
    grads = {id(item[2]): item[1] for item in epilogue if item[0] == "grad"}
    inputs = {id(v): i for i, v in enumerate(flat) if isinstance(v, Tensor)}
    makers, refs = [], []
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            makers.append(_constant(leaf))
        elif id(leaf) in inputs:
            makers.append(_input(inputs[id(leaf)]))
        elif id(leaf) in grads:  # a parameter's new .grad: the one the epilogue made
            makers.append(_grad_of(grads[id(leaf)]))
        elif id(leaf) in fixed:
            makers.append(_constant(leaf))
        else:
            if leaf._grad_fn is not None and _graph_alive(leaf._grad_fn):
                what = "a result whose backward runs after the step (compile the backward too)"
                return OutputPlan([], _none, reason_for(what))
            makers.append(_fresh(len(refs), leaf))
            refs.append(rec.ref(leaf._storage.array))
    return OutputPlan(refs, _rebuilder(result, makers, spec))


def _rebuilder(result: Any, makers: list, spec: Any) -> Callable[[tuple, list], Any]:
    """The result's structure around the makers' values; flat tuples and dicts (a step's
    usual results) without the pytree walk."""
    if spec is None:
        (make,) = makers
        return make
    flat = all(sub is None for _, sub in (spec[1][1][1] if spec[0] is dict else spec[1]))
    if flat and type(result) is tuple:
        return lambda arrays, flat_inputs: tuple([m(arrays, flat_inputs) for m in makers])
    if flat and type(result) is dict:
        keys = list(result)
        return lambda arrays, flat_inputs: dict(
            zip(keys, [m(arrays, flat_inputs) for m in makers], strict=True)
        )
    return lambda arrays, flat_inputs: tree_unflatten(
        [m(arrays, flat_inputs) for m in makers], spec
    )


def _none(arrays: tuple, flat_inputs: list) -> None:
    return None


def _constant(value: Any) -> Callable[[tuple, list], Any]:
    return lambda arrays, flat_inputs: value


def _grad_of(owner: Tensor) -> Callable[[tuple, list], Any]:
    return lambda arrays, flat_inputs: owner._grad


def _input(i: int) -> Callable[[tuple, list], Any]:
    return lambda arrays, flat_inputs: flat_inputs[i]


def _fresh(k: int, like: Tensor) -> Callable[[tuple, list], Tensor]:
    make, dtype, backend = Tensor._make, like._dtype, like._backend
    if like._grad_fn is not None:

        def with_node(arrays: tuple, flat_inputs: list) -> Tensor:
            t = make(arrays[k], dtype, backend)
            t._grad_fn = CompiledFunctionBackward()
            return t

        return with_node
    if like._requires_grad:

        def leaf(arrays: tuple, flat_inputs: list) -> Tensor:
            t = make(arrays[k], dtype, backend)
            t._requires_grad = True
            return t

        return leaf
    return lambda arrays, flat_inputs: make(arrays[k], dtype, backend)


def _graph_alive(root: Any) -> bool:
    """Whether a backward could still run through ``root``'s graph: some node still holds
    what it saved (a backward without ``retain_graph`` frees that). A graph that saved
    nothing cannot tell, and counts as run."""
    for node in walk(root):
        record = getattr(node, "record", None)
        saves = record.saves_tensors if record is not None else True
        if saves and getattr(node, "_saved", None):
            return True
    return False
