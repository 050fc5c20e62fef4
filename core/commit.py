"""The commit point of a backward: where the gradients it computed reach ``.grad``.

The graph walk (:mod:`retrograd.engine`) writes no ``.grad``. What would go there (a
leaf's gradient, a ``retain_grad()`` tensor's gradient) is recorded in a *pending*
buffer, a plain list, and only after the walk has finished does :func:`commit` apply it,
in two steps:

1. **The writes**, under one process-wide lock (:data:`LOCK`) and with ``SIGINT``
   deferred (on the main thread): each pending gradient is added into its tensor's
   ``.grad``. No user code runs here, so the writes are all done or, if the walk failed
   first (a hook or ``Function.backward`` raised, ``KeyboardInterrupt``), none is: a
   failed backward leaves every ``.grad`` as it was, and a retry with the retained graph
   counts nothing twice. The lock makes each read-add-write atomic, so threads running
   backward into one leaf at once lose no update; it is held for the writes only, not
   the walk, so threads still walk their graphs concurrently. An interrupt that arrives
   during the writes is re-raised once they are done (before the hooks of step 2).
2. **The hooks that observe accumulation**, in the order the walk reached the leaves:
   for each leaf, its post-accumulate-grad hooks, then the post hooks of its
   ``AccumulateGrad`` node. They run after *every* ``.grad`` of this backward is written
   (PyTorch runs them as each leaf accumulates). A raise in one stops the hooks after
   it and propagates; the ``.grad`` writes stay, as they would in PyTorch.

Tensor hooks of a leaf and pre-hooks of its ``AccumulateGrad`` node transform the
incoming gradient, so they run during the walk, as in PyTorch. ``docs/design.md`` ("The
commit point") has the table.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from . import grad_mode
from .hooks import POST_ACCUMULATE_GRAD, about_to_run
from .ops.conversion import clone
from .ops.elementwise import add
from .ops.inplace import add_
from .storage import Storage
from .tensor import Tensor

try:  # signal's C layer: the same functions, without signal.py's conversion to enums,
    import _signal as signal  # which costs 20 us per call, 3 calls per backward
except ImportError:  # another Python implementation
    import signal  # type: ignore[no-redef]

# Held while a backward writes its gradients into ``.grad`` (re-entrant: defensive, the
# writes call no user code). One lock for the process, as PyTorch serializes
# AccumulateGrad on a leaf with a mutex: backward is rarely write-bound.
LOCK = threading.RLock()
_MAIN_THREAD = threading.main_thread().ident

# A pending entry: (tensor, gradient, accumulator node or None for a retained non-leaf,
# whether the gradient may become .grad without a copy).
Entry = tuple[Tensor, Tensor, Any, bool]


def record_leaf(pending: list, leaf: Tensor, g: Tensor, node: Any) -> None:
    """Queue ``g`` for ``leaf.grad`` (``node``: the leaf's AccumulateGrad).

    Whether ``g`` may be stolen (kept as ``.grad`` without a copy) is decided here, where
    the walk's references to it are known (and only for a leaf without ``.grad``: the
    check costs a microsecond); :func:`commit` steals it only if ``.grad`` is still None
    then."""
    steal = leaf._grad is None and not node._hooks and _owned_by_engine(g)
    pending.append((leaf, g, node, steal))


def record_retained(pending: list, tensor: Tensor, g: Tensor) -> None:
    """Queue ``g`` for the ``.grad`` of ``tensor``, a non-leaf that retains its grad."""
    pending.append((tensor, g, None, False))


def commit(pending: list) -> None:
    """Write the pending gradients into ``.grad``, then run the hooks that observe the
    accumulation (see the module docstring). Grad mode must be the walk's (on under
    ``create_graph``, so ``.grad`` gets a graph)."""
    if not pending:
        return
    _write_all(pending)
    for leaf, g, node, _ in pending:
        if node is None:
            continue
        hooks = leaf._hooks
        if hooks and POST_ACCUMULATE_GRAD in hooks:
            for hook in list(hooks[POST_ACCUMULATE_GRAD].values()):
                about_to_run(hook)
                if hook(leaf) is not None:
                    raise RuntimeError("Tensor post accumulate grad hooks should return None.")
        if node._hooks:
            for hook in list(node._hooks.values()):
                about_to_run(hook)
                hook((), (g,))


def _write_all(pending: list) -> None:
    """Step 1: every write, under :data:`LOCK`. On the main thread a SIGINT that arrives
    meanwhile is held back and delivered again once the writes are done, to whatever
    handler the program has (``KeyboardInterrupt`` by default)."""
    previous = None
    if threading.get_ident() == _MAIN_THREAD:
        previous = signal.getsignal(signal.SIGINT)
    if previous is None:  # another thread, or a handler Python did not install
        with LOCK:
            _write(pending)
        return
    arrived: list = []
    signal.signal(signal.SIGINT, lambda signum, frame: arrived.append(signum))
    try:
        with LOCK:
            _write(pending)
    finally:
        signal.signal(signal.SIGINT, previous)
    if arrived:
        signal.raise_signal(signal.SIGINT)  # handled at the next bytecode, right here


def _write(pending: list) -> None:
    for tensor, g, _, steal in pending:
        if steal and tensor._grad is None:
            tensor._grad = g  # PyTorch steals such a gradient too, rather than copying it
        else:
            accumulate(tensor, g)


def accumulate(tensor: Tensor, incoming: Tensor) -> None:
    """Add ``incoming`` into ``tensor.grad`` as PyTorch's AccumulateGrad does.

    The first gradient is copied (so ``.grad`` never aliases a tensor the caller or
    another leaf holds); later ones are added in place, or out of place when building a
    graph of the gradient (``create_graph``).
    """
    old = tensor._grad
    if grad_mode.state.enabled:
        tensor._grad = clone(incoming) if old is None else add(old, incoming)
    elif old is None:
        tensor._grad = clone(incoming.detach())
    else:
        add_(old, incoming)


def _owned_by_engine(g: Tensor) -> bool:
    """Whether gradient ``g`` (held by its node's input buffer and our caller's
    parameter) is referenced nowhere else and owns its memory,
    so that a leaf may keep it as its ``.grad`` without a copy: no user tensor, other
    leaf's ``.grad``, saved tensor or hook can see later in-place updates of ``.grad``
    through it.

    Reference counts are CPython's; PyTorch decides the same way, by use count."""
    if grad_mode.state.enabled or type(g) is not Tensor:
        return False  # create_graph: .grad must be a new tensor in the graph
    if g._grad_fn is not None or g._requires_grad or g._base is not None:
        return False
    storage = g._storage
    if type(storage) is not Storage or storage._counter is not None:
        return False  # an alias of other memory (a view, .data, a derived view)
    array = storage.array
    if g._backend.mutable and getattr(array, "base", None) is not None:
        return False  # a view of another array's memory
    # Expected holders: of g, its input buffer, record_leaf's parameter and ours; of the
    # storage, g and our variable; of the array, the storage and our variable.
    return (
        _references(g) <= 3
        and _references(storage) <= 2
        and _references(array) <= 2
        and storage.is_contiguous(g._backend)
    )


def _references(obj: object) -> int:
    """References to ``obj`` beyond the ones this call itself makes."""
    return sys.getrefcount(obj) - _CALL_REFERENCES


_CALL_REFERENCES = 0
_CALL_REFERENCES = _references(object())  # a new object has no other reference
