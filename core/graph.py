"""Graph nodes: the ``grad_fn`` objects, leaf accumulators and saved tensors.

Every node, built-in or from a custom ``Function``, is a :class:`Node`: the engine has
one kind of node. A node holds edges to the nodes of its inputs (``next_functions``),
the shape and dtype of each input (so the engine can reduce broadcast gradients and cast
them back in one place) and what its derivative rule saved. It never holds its own
output strongly, so a graph dies with its last reference.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .hooks import RemovableHandle, add_hook

if TYPE_CHECKING:
    from .tensor import Tensor

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the graph "
    "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
    "you need to backward through the graph a second time or if you need to access saved "
    "tensors after calling backward."
)

# The key of a non-leaf's ``retain_grad()`` hook in its tensor-hook registry: it runs
# after the tensor's other hooks, whatever the order of registration, as in PyTorch.
RETAINS_GRAD = "retains_grad"

Edge = tuple["Node | None", int]
NO_EDGE: Edge = (None, 0)


class Node:
    """A ``grad_fn``: turns gradients w.r.t. its outputs into gradients w.r.t. its inputs.

    Subclasses implement :meth:`apply`. ``next_functions`` holds one ``(node,
    output_nr)`` edge per input, ``(None, 0)`` where the input needs no gradient.
    """

    __slots__ = (
        "next_functions",
        "_input_meta",
        "_hooks",
        "_pre_hooks",
        "_tensor_pre_hooks",
        "_metadata",
        "__weakref__",
    )

    def __init__(self) -> None:
        self.next_functions: tuple[Edge, ...] = ()
        self._input_meta: tuple = ()
        self._hooks = self._pre_hooks = self._tensor_pre_hooks = None
        self._metadata = None

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

    def _register_retains_grad(self, output_nr: int, fn: Callable) -> None:
        """``fn(grad)`` stores the gradient of output ``output_nr`` (``retain_grad()``)."""
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        self._tensor_pre_hooks.setdefault(output_nr, {})[RETAINS_GRAD] = fn

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
        from .tensor import refresh_view

        refresh_view(value)
    fn = getattr(value, "_grad_fn", None)
    if fn is not None:
        return (fn, value._output_nr)
    if getattr(value, "_requires_grad", False):
        return (accumulator_of(value), 0)
    return NO_EDGE


class SavedTensor:
    """A tensor saved for backward, with the version it had when saved.

    An input is held as is. An output of the saving node is held as its storage only,
    and re-wrapped with the node as its ``grad_fn`` on unpack, which avoids a reference
    cycle output -> node -> output.
    """

    __slots__ = ("tensor", "version", "storage", "dtype", "backend", "output_nr")

    def __init__(self, tensor: Tensor, is_output: bool = False) -> None:
        if tensor._is_inference:
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. To work around you can "
                "make a clone to get a normal tensor and use it in autograd."
            )
        self.version = tensor._storage.counter.value
        if is_output:
            self.tensor = None
            self.storage, self.dtype, self.backend = tensor._storage, tensor._dtype, tensor._backend
            self.output_nr = tensor._output_nr
        else:
            self.tensor = tensor

    def unpack(self, node: Node) -> Tensor:
        """The saved tensor, after checking no in-place write happened since saving."""
        tensor = self.tensor
        if tensor is None:
            from .tensor import Tensor

            tensor = Tensor._make(self.storage.array, self.dtype, self.backend, self.storage)
            tensor._grad_fn, tensor._output_nr = node, self.output_nr
        current = tensor._storage.counter.value
        if current != self.version:
            raise RuntimeError(_modified_message(tensor, self, node, current))
        return tensor


def _modified_message(tensor: Tensor, saved: SavedTensor, node: Node, current: int) -> str:
    producer = tensor._grad_fn
    origin = f", which is output {tensor._output_nr} of {producer.name()}," if producer else ""
    kind = {"float32": "Float", "float64": "Double", "int64": "Long"}.get(
        tensor._dtype.name, tensor._dtype.name
    )
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [torch.{kind}Tensor {list(tensor.shape)}]{origin} is at "
        f"version {current}; expected version {saved.version} instead "
        f"(it was saved by {node.name()}). Hint: make a copy with .clone() before the "
        "in-place operation, or do the in-place operation after backward."
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
        stack.extend(child for child, _ in node.next_functions)
