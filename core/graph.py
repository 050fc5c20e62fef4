"""Graph nodes: the ``grad_fn`` objects, leaf accumulators and saved tensors.

Every node, built-in or from a custom ``Function``, is a :class:`Node`: the engine has
one kind of node. A node holds edges to the nodes of its inputs (``next_functions``),
the shape and dtype of each input (so the engine can reduce broadcast gradients and cast
them back in one place) and what its derivative rule saved. It never holds its own
output strongly, so a graph dies with its last reference.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any

from . import dual
from .dtypes import kind_name
from .hooks import RETAINS_GRAD, RemovableHandle, add_hook
from .saved_tensors import HOOKS as SAVED_TENSORS_HOOKS
from .saved_tensors import PackedSaved
from .tensor import Tensor, refresh_view

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the graph "
    "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
    "you need to backward through the graph a second time or if you need to access saved "
    "tensors after calling backward."
)


Edge = tuple["Node | None", int]
NO_EDGE: Edge = (None, 0)

INPUT_FIELDS = 4  # per input in Node._inputs: node, output_nr, shape, dtype
NO_INPUT = (None, 0, None, None)  # a Python number in an op's inputs: no edge, no meta


def input_fields(value: Any) -> tuple:
    """What an op input contributes to its node's ``_inputs`` (see :class:`Node`)."""
    if not isinstance(value, Tensor):
        return NO_INPUT
    fn, nr = edge_of(value)
    return (fn, nr, value._storage.array.shape, value._dtype)


class Node:
    """A ``grad_fn``: turns gradients w.r.t. its outputs into gradients w.r.t. its inputs.

    Subclasses implement :meth:`apply`. ``_inputs`` describes the node's inputs in one
    flat tuple, :data:`INPUT_FIELDS` entries per input: the input's own node (None where
    the input needs no gradient), which output of that node it is, and the input's shape
    and dtype. One flat tuple rather than a tuple of tuples because a graph keeps a
    node per op alive, and each object it holds costs allocation and garbage-collector
    time on the hot path. PyTorch's ``next_functions`` is a view of it.
    """

    __slots__ = (
        "_inputs",
        "_hooks",
        "_pre_hooks",
        "_tensor_pre_hooks",
        "_metadata",
        "__weakref__",
    )

    def __init__(self) -> None:
        self._inputs: tuple = ()
        self._hooks = self._pre_hooks = self._tensor_pre_hooks = None
        self._metadata = None

    @property
    def next_functions(self) -> tuple[Edge, ...]:
        """One ``(node, output_nr)`` edge per input, ``(None, 0)`` where it needs none."""
        flat = self._inputs
        return tuple(zip(flat[0::INPUT_FIELDS], flat[1::INPUT_FIELDS]))

    def children(self) -> tuple[Node | None, ...]:
        """The node of each input (None where the input needs no gradient)."""
        return self._inputs[0::INPUT_FIELDS]

    # -- what the engine calls ---------------------------------------------------------
    def apply(self, grad_outputs: tuple) -> tuple:
        """Gradients for each input edge (None where none), from ``grad_outputs``."""
        raise NotImplementedError

    def release(self) -> None:
        """Free what was saved for backward (after a backward without retain_graph)."""

    # -- PyTorch's Node API ------------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn: Callable[[tuple, tuple], Any]) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; it may return new
        ``grad_inputs``."""
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, fn)

    def register_prehook(self, fn: Callable[[tuple], Any]) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; it may return new ``grad_outputs``."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return add_hook(self._pre_hooks, fn)

    def _register_tensor_hook(self, output_nr: int, fn: Callable) -> RemovableHandle:
        """A hook of the non-leaf tensor that is output ``output_nr`` of this node."""
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        registry = self._tensor_pre_hooks.setdefault(output_nr, {})
        return add_hook(registry, fn)

    def _register_retains_grad(self, output_nr: int, ref: weakref.ref) -> None:
        """``retain_grad()`` of the tensor ``ref`` refers to, output ``output_nr`` of this
        node: the engine accumulates that output's gradient into it while it lives."""
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        self._tensor_pre_hooks.setdefault(output_nr, {})[RETAINS_GRAD] = ref

    def __call__(self, *grad_outputs: Any) -> Any:
        result = self.apply(grad_outputs)
        return result[0] if len(result) == 1 else result

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The sink for a leaf that requires grad: adds incoming gradients into ``.grad``.

    ``variable`` is the leaf. The leaf refers to its accumulator only weakly, so there
    is no reference cycle; repeated uses of one leaf share one accumulator while a graph
    holds it.
    """

    __slots__ = ("variable",)

    def __init__(self, variable: Tensor) -> None:
        super().__init__()
        self.variable = variable

    def apply(self, grad_outputs: tuple) -> tuple:
        return ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


def accumulator_of(leaf: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, created on first need and shared after."""
    ref = leaf._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(leaf)
        leaf._accumulator = weakref.ref(node)
    return node


def edge_of(value: Any) -> Edge:
    """The edge an op input contributes to ``next_functions``."""
    if getattr(value, "_base", None) is not None:
        refresh_view(value)
    fn = getattr(value, "_grad_fn", None)
    if fn is not None:
        return (fn, value._output_nr)
    if getattr(value, "_requires_grad", False):
        return (accumulator_of(value), 0)
    return NO_EDGE


# -- saved tensors -----------------------------------------------------------------------
# A node keeps what its derivative rule needs plus, for each saved tensor, the version of
# its memory at saving time: a later in-place write to it would make the gradient wrong,
# so unpacking checks the version and raises PyTorch's error.


def saved_form(tensor: Tensor, is_output: bool) -> Tensor:
    """What a node keeps of a tensor it saves for backward.

    An input is kept as is. An output of the saving node is kept as an alias without
    history (same storage, dtype and backend), because keeping the output itself would
    make the cycle output -> node -> output; :func:`unpack_saved` gives it back its
    place in the graph.
    """
    if tensor._is_inference:
        raise RuntimeError(
            "Inference tensors cannot be saved for backward. To work around you can "
            "make a clone to get a normal tensor and use it in autograd."
        )
    if SAVED_TENSORS_HOOKS.stack:  # an output is packed as its alias (no cycle through the hook)
        if is_output:  # its edge is the saving node itself, restored at unpacking
            return PackedSaved(tensor.detach(), (None, tensor._output_nr))
        return PackedSaved(tensor, edge_of(tensor))
    if not is_output:
        return tensor
    alias = tensor.detach()
    alias._output_nr = tensor._output_nr
    if dual.STATE.active:  # forward mode: the rules see the output's tangent too
        dual.share_tangents(tensor, alias)
    return alias


def unpack_saved(
    saved: Tensor, version: int, node: Node, is_output: bool, with_history: bool = True
) -> Tensor:
    """A saved tensor for ``node``'s backward, after checking no in-place write happened
    since saving. A saved output gets ``node`` as its ``grad_fn`` again if
    ``with_history`` (built-in rules ask for it only when they record a graph, i.e.
    under ``create_graph``)."""
    if type(saved) is PackedSaved:  # saved under saved_tensors_hooks: no version to check
        return _unpack_packed(saved, node if is_output else None, with_history)
    current = saved._storage.version
    if is_output and (with_history or current != version):  # the error names the node too
        output = saved.detach()
        output._grad_fn, output._output_nr = node, saved._output_nr
        if dual.STATE.active:
            dual.share_tangents(saved, output)
        saved = output
    if current != version:
        raise RuntimeError(_modified_message(saved, version, node, current))
    return saved


def _unpack_packed(saved: PackedSaved, output_of: Node | None, with_history: bool) -> Tensor:
    """What ``unpack_hook`` returns, given the saved tensor's place in the graph again
    when a graph is being recorded (as PyTorch does: the hooks may return a tensor
    without history, and double backward still reaches the original's inputs)."""
    value = saved.unpack(Tensor)
    fn, nr = saved.edge
    if output_of is not None:
        fn = output_of
    if not with_history or fn is None:
        return value
    alias = value.detach()
    if type(fn) is AccumulateGrad:  # a leaf: gradients must reach the leaf's .grad
        alias._requires_grad = True
        alias._accumulator = weakref.ref(fn)
    else:
        alias._grad_fn, alias._output_nr = fn, nr
    return alias


def _op_name(node: Node) -> str:
    """How PyTorch's version-counter error names a node: the op of a derivative node
    (``Mul`` for MulBackward0), C++'s name for the engine's own (CopySlices)."""
    name = node.name()
    op = re.match(r"(.+)Backward\d+$", name)
    if op:
        return op.group(1)
    return name if name.endswith("Backward") else f"torch::autograd::{name}"


def _modified_message(tensor: Tensor, version: int, node: Node, current: int) -> str:
    """PyTorch's text (its hint included), then which node saved the tensor and what to
    do about it."""
    producer = tensor._grad_fn
    origin = f", which is output {tensor._output_nr} of {_op_name(producer)}," if producer else ""
    kind = kind_name(tensor._dtype)  # the legacy type: torch.HalfTensor for float16
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [torch.{kind}Tensor {list(tensor.shape)}]{origin} is at "
        f"version {current}; expected version {version} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False). (It was saved by "
        f"{node.name()}: make a copy with .clone() before the in-place operation, or do the "
        "in-place operation after backward.)"
    )


def walk(root: Node | None):
    """Every node reachable from ``root`` through ``next_functions``, each once
    (iterative, so any depth works). For inspecting graphs in tests and tools."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(node.children())


# -- planning a backward -----------------------------------------------------------------
def dependencies(roots: list[Node], targets: set[Node] | None) -> dict[Node, int]:
    """How many edges lead into each node a backward from ``roots`` must run (iterative
    DFS). With ``targets`` (the nodes of captured edges), only nodes on a path to one."""
    needed = _needed_nodes(roots, targets) if targets is not None else None
    deps: dict[Node, int] = {}
    stack = list(roots)
    walked = set(roots)  # a root reached from another root is walked once
    while stack:
        for child in stack.pop()._inputs[0::INPUT_FIELDS]:
            if child is None or (needed is not None and child not in needed):
                continue
            if child in deps:
                deps[child] += 1
            else:  # first time seen: count it and walk on from it
                deps[child] = 1
                if child not in walked:
                    stack.append(child)
    return deps


def _needed_nodes(roots: list[Node], targets: set[Node]) -> set[Node]:
    """Nodes on some path from a root to a node of ``targets`` (the rest need not run)."""
    order: list[Node] = []  # post-order: children before parents
    seen: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in node.children() if c is not None)
    needed = set()
    for node in order:
        if node in targets or any(c in needed for c in node.children()):
            needed.add(node)
    return needed
