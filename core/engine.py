"""The backward engine: iterative, dependency-counted, one kind of node.

The engine walks the graph from the roots without recursion (a chain of a million ops
works at the default recursion limit), calls a node only when every gradient flowing
into it has arrived, and does the chores every derivative rule would otherwise repeat:
summing gradients that meet at one node, reducing broadcast gradients to the input's
shape, casting them to the input's dtype, running hooks, and freeing saved tensors.
Rules run with grad mode off unless ``create_graph``, so their ops record a graph (and
higher-order gradients work) only when asked.

The engine sits above the ops: its chores are themselves differentiable ops (adding,
summing to a shape, casting, copying), called here as functions, which record a graph
under ``create_graph``. No op calls the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import anomaly_mode, grad_mode, reentrant
from .batching import active_modes
from .commit import commit, record_leaf, record_retained
from .creation import ones_like, zeros_like
from .graph import INPUT_FIELDS, AccumulateGrad, Edge, Node, dependencies, edge_of
from .hook_results import checked_gradient, checked_gradients
from .hooks import POST_ACCUMULATE_GRAD, RETAINS_GRAD, about_to_run
from .ops.conversion import to
from .ops.elementwise import add
from .ops.record import OpNode
from .ops.shape import sum_to_size
from .tensor import Tensor
from .vmap import leave_levels

# What becomes of the gradient reaching a captured edge: a function that keeps it
# (autograd.grad), or ACCUMULATE (backward(inputs=...) on a leaf: into .grad, as usual).
Capture = dict[Edge, Any]
ACCUMULATE = "accumulate"


# -- public entry points -----------------------------------------------------------------
BACKWARD_IN_TRANSFORM = (
    "backward() called inside a functorch transform. This is not supported, please use "
    "functorch.grad or functorch.vjp instead or call backward() outside of functorch "
    "transforms."
)


def backward(
    tensors: Sequence[Tensor] | Tensor,
    grad_tensors: Sequence[Tensor | None] | Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | Tensor | None = None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``.

    With ``inputs``, only those tensors (leaves or not) get ``.grad``. Inside ``vmap``,
    PyTorch's refusal (its transforms compute gradients with ``grad``/``vjp``).
    """
    if active_modes():
        raise RuntimeError(BACKWARD_IN_TRANSFORM)
    tensors = _as_tuple(tensors)
    grads = _root_grads(tensors, _as_tuple(grad_tensors, len(tensors)), "backward")
    if retain_graph is None:
        retain_graph = create_graph
    capture = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        capture = {_input_edge(t, i): _keeper_for(t) for i, t in enumerate(inputs)}
    reentrant.call(_run, [edge_of(t) for t in tensors], grads, retain_graph, create_graph, capture)


def grad(
    outputs: Sequence[Tensor] | Tensor,
    inputs: Sequence[Tensor] | Tensor,
    grad_outputs: Sequence[Tensor | None] | Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned instead of accumulated."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _root_grads(outputs, _as_tuple(grad_outputs, len(outputs)), "grad")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    results: list[Tensor | None] = [None] * len(inputs)
    capture: Capture = {}
    for i, t in enumerate(inputs):
        capture[_input_edge(t, i)] = _store_at(results, i)
    reentrant.call(_run, [edge_of(t) for t in outputs], grads, retain_graph, create_graph, capture)
    for i, value in enumerate(results):
        if value is None and not allow_unused:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) appears to not have been "
                "used in the graph. Set allow_unused=True if this is the desired behavior."
            )
        if value is None and materialize_grads:
            results[i] = zeros_like(inputs[i])
    return tuple(results)


def tensor_backward(
    self: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """``Tensor.backward``: accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see
    :func:`backward`)."""
    backward((self,), (gradient,), retain_graph, create_graph, inputs)


# -- argument handling -------------------------------------------------------------------
def _as_tuple(value: Any, n: int | None = None) -> tuple:
    if value is None:
        return (None,) * (n or 0) if n is not None else ()
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _root_grads(outputs: tuple, grads: tuple, where: str) -> list[Tensor]:
    if len(grads) != len(outputs):
        raise RuntimeError(
            f"{where}: got {len(grads)} gradients for {len(outputs)} outputs; "
            "pass one gradient per output"
        )
    return [_root_grad(i, out, g) for i, (out, g) in enumerate(zip(outputs, grads, strict=True))]


def _root_grad(i: int, out: Any, g: Any) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"outputs must be Tensors, got {type(out).__name__} at index {i}")
    if not out.requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn"
        )
    if g is None:
        if out.numel() != 1:
            raise RuntimeError(
                "grad can be implicitly created only for scalar outputs "
                f"(output {i} has shape {list(out.shape)}); pass gradient= of that shape"
            )
        return ones_like(out)
    if not isinstance(g, Tensor):
        raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
    if g.shape != out.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
            f"output[{i}] has a shape of {out.shape}."
        )
    return g


def _input_edge(t: Any, i: int) -> Edge:
    if not isinstance(t, Tensor):
        raise TypeError(f"inputs must be Tensors, got {type(t).__name__} at index {i}")
    if not t.requires_grad:
        raise RuntimeError(f"element {i} of the inputs does not require grad")
    return edge_of(t)


def _keeper_for(t: Tensor) -> Any:
    """How ``backward(inputs=...)`` keeps ``t``'s gradient: a leaf accumulates it; a
    non-leaf retains its grad from now on, as PyTorch does (so its hooks apply first)."""
    if t._grad_fn is None:
        return ACCUMULATE
    t.retain_grad()
    return lambda g: None


def _store_at(results: list, i: int) -> Callable[[Tensor], None]:
    def store(g: Tensor) -> None:
        results[i] = g if results[i] is None else add(results[i], g)

    return store


# -- the graph walk ----------------------------------------------------------------------
def _run(
    root_edges: list[Edge],
    root_grads: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Capture | None,
) -> None:
    """The walk, then the commit: gradients meant for ``.grad`` wait in ``pending``
    until every node has run (see :mod:`retrograd.commit`)."""
    buffers: dict[Node, list] = {}
    pending: list = []
    roots = []
    for (node, nr), g in zip(root_edges, root_grads, strict=True):
        _add_to_buffer(buffers, node, nr, g)
        if node not in roots:
            roots.append(node)
    deps = dependencies(roots, None if capture is None else {node for node, _ in capture})
    # Ready nodes: a stack (depth first), and the leaves' accumulators, which run as soon
    # as they are ready, in input order (PyTorch gives them the highest priority).
    ready = [r for r in roots if deps.get(r, 0) == 0]
    leaves = [r for r in ready if type(r) is AccumulateGrad]
    ready = [r for r in ready if type(r) is not AccumulateGrad]
    # Anomaly mode takes the general path (_execute), which checks every node's results.
    general = capture is not None or anomaly_mode.ENABLED
    with grad_mode.set_grad_enabled(create_graph):
        while True:
            if leaves:
                for leaf in leaves:
                    _finish_leaf(leaf, buffers.pop(leaf), capture, pending)
                leaves.clear()
            if not ready:
                break
            node = ready.pop()
            grads = buffers.pop(node)
            hooked = node._hooks or node._pre_hooks or node._tensor_pre_hooks
            if not general and not hooked:
                # The common case (no hooks, nothing captured): _execute, inlined.
                input_grads = node.apply(grads) if _has_gradient(grads) else ()
                if not retain_graph:
                    node.release()
            else:
                input_grads = _execute(node, grads, deps, retain_graph, capture, pending)
                if input_grads is None:
                    continue
            _send(node, input_grads, buffers, deps, ready, leaves)
            # Only the buffers hold the gradients now (_owned_by_engine): also the node's
            # own, which a pass-through rule (add's) returned as its input's gradient.
            input_grads = grads = None
        commit(pending)


def _has_gradient(grads: list) -> bool:
    """Whether any gradient arrived (a node whose outputs got none has nothing to do,
    though its inputs must still hear that it is done)."""
    return grads[0] is not None or any(g is not None for g in grads)


def _add_to_buffer(buffers: dict, node: Node, nr: int, g: Tensor | None) -> None:
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * (nr + 1)
    elif len(slots) <= nr:
        slots.extend([None] * (nr + 1 - len(slots)))
    if g is not None:
        old = slots[nr]
        slots[nr] = g if old is None else add(old, g)


def _execute(
    node: Node, grads: list, deps: dict, retain_graph: bool, capture: Any, pending: list
) -> Any:
    """Run one node: hooks, its rules, then free its saved tensors. Returns the input
    gradients, or None when the node need not run."""
    if capture is not None:
        if not any(child in deps for child in node.children()):
            # Only its gradient is wanted: as in PyTorch the node does not run, and its
            # tensor hooks apply before the gradient is captured.
            _capture(node, _run_tensor_hooks(node, grads, pending), capture)
            return None
        _capture(node, grads, capture)  # PyTorch captures before the tensor hooks here
    if node._tensor_pre_hooks:
        grads = _run_tensor_hooks(node, grads, pending)
    if node._pre_hooks:
        grads = _run_node_pre_hooks(node, grads)
    # backward(inputs=...) and autograd.grad: only the rules toward those inputs run.
    input_grads = _apply(node, grads, None if capture is None else deps)
    if not retain_graph:
        node.release()
    return input_grads


def _send(
    node: Node, input_grads: Any, buffers: dict, deps: dict, ready: list, leaves: list
) -> None:
    """Pass ``node``'s input gradients along its edges (None past the end of
    ``input_grads``); queue the children now ready (accumulators on ``leaves``)."""
    fields = node._inputs  # INPUT_FIELDS per input: child, output_nr, shape, dtype
    given = len(input_grads)
    for i, at in enumerate(range(0, len(fields), INPUT_FIELDS)):
        child = fields[at]
        if child is None or child not in deps:
            continue
        g = input_grads[i] if i < given else None
        if g is not None and (
            type(g) is not Tensor
            or g._storage.array.shape != fields[at + 2]
            or g._dtype is not fields[at + 3]
        ):
            g = _conform(node, i, g)
        nr = fields[at + 1]
        slots = buffers.get(child)
        if slots is None and nr == 0:
            buffers[child] = [g]  # the common case: a first gradient for output 0
        else:
            _add_to_buffer(buffers, child, nr, g)
        left = deps[child] - 1
        deps[child] = left
        if left == 0:
            if type(child) is AccumulateGrad:
                leaves.append(child)
            else:
                ready.append(child)


def _run_tensor_hooks(node: Node, grads: list, pending: list) -> list:
    if node._tensor_pre_hooks:
        for nr, hooks in node._tensor_pre_hooks.items():
            if nr < len(grads) and grads[nr] is not None:
                grads[nr] = _call_tensor_hooks(hooks, grads[nr], pending)
    return grads


def _capture(node: Node, grads: list, capture: Capture) -> None:
    for nr, g in enumerate(grads):
        store = capture.get((node, nr))
        if store is not None and g is not None:
            store(g)


def _run_node_pre_hooks(node: Node, grads: list) -> list:
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            about_to_run(hook)
            replaced = hook(tuple(grads))
            if replaced is not None:
                grads = list(checked_gradients(hook, grads, replaced))
    return grads


def _call_tensor_hooks(hooks: dict, g: Tensor, pending: list) -> Tensor:
    for key, hook in list(hooks.items()):
        if key != RETAINS_GRAD and key != POST_ACCUMULATE_GRAD:
            about_to_run(hook)
            replaced = hook(g)
            if replaced is not None:
                g = checked_gradient(hook, g, replaced)
    ref = hooks.get(RETAINS_GRAD)  # retain_grad(): a weak reference to the tensor
    tensor = ref() if ref is not None else None
    if tensor is not None:
        record_retained(pending, tensor, g)
    return g


def _finish_leaf(node: AccumulateGrad, grads: list, capture: Any, pending: list) -> None:
    """A leaf's gradient: its tensor hooks, then captured (autograd.grad: nothing else
    runs, as in PyTorch) or its accumulator's pre-hooks and a pending ``.grad`` write."""
    if not grads or grads[0] is None:
        return
    leaf = node.variable
    if leaf._hooks:
        grads[0] = _call_tensor_hooks(leaf._hooks, grads[0], pending)
    if capture is not None:
        store = capture.get((node, 0))
        if store is not ACCUMULATE:
            if store is not None:
                store(grads[0])
            return
    if node._pre_hooks:
        grads = _run_node_pre_hooks(node, grads)
    if grads[0] is not None:
        record_leaf(pending, leaf, grads[0], node)


def _apply(node: Node, grads: list, wanted: dict | None) -> Any:
    if not _has_gradient(grads):
        return ()
    if anomaly_mode.ENABLED:
        input_grads = anomaly_mode.run_checked(node, grads)
    elif wanted is not None and isinstance(node, OpNode):
        input_grads = node.apply(grads, wanted)
    else:
        input_grads = node.apply(grads)
    if node._hooks:
        # PyTorch's hooks see the gradients already fitted to the inputs' shapes.
        input_grads = _conform_all(node, input_grads)
        for hook in list(node._hooks.values()):
            about_to_run(hook)
            replaced = hook(tuple(input_grads), tuple(grads))
            if replaced is not None:
                input_grads = checked_gradients(hook, input_grads, replaced)
    return input_grads


def _conform_all(node: Node, input_grads: Any) -> tuple:
    """``input_grads`` with each gradient for an input that needs one conformed."""
    fields = node._inputs
    return tuple(
        _conform(node, i, g)
        if g is not None and i * INPUT_FIELDS < len(fields) and fields[i * INPUT_FIELDS] is not None
        else g
        for i, g in enumerate(input_grads)
    )


def _conform(node: Node, i: int, g: Any) -> Tensor:
    """Reduce a broadcast gradient to input ``i``'s shape and cast it to its dtype."""
    if not isinstance(g, Tensor):
        raise TypeError(
            f"{node.name()} returned a {type(g).__name__} as gradient {i}; expected a Tensor"
        )
    shape, dtype = node._inputs[i * INPUT_FIELDS + 2 : (i + 1) * INPUT_FIELDS]
    if g._storage.array.shape != shape:
        g = leave_levels(g, shape)  # a gradient batched by a finished vmap
    if g._storage.array.shape != shape:
        if not _broadcasts_to(shape, g._storage.array.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(g.shape)} but expected shape compatible with {list(shape)}"
            )
        g = sum_to_size(g, shape)
    if g._dtype is not dtype:
        g = to(g, dtype)
    return g


def _broadcasts_to(shape: tuple, grad_shape: tuple) -> bool:
    """True if an input of ``shape`` could have been broadcast to ``grad_shape``."""
    if len(shape) > len(grad_shape):
        return False
    tail = grad_shape[len(grad_shape) - len(shape) :]
    return all(s == 1 or s == t for s, t in zip(shape, tail, strict=True))
