"""Removable hook handles, shared by tensor hooks and node hooks, and the observer told
before a user's hook runs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

_ids = itertools.count()

# The key of a non-leaf's ``retain_grad()`` hook in its tensor-hook registry: it runs
# after the tensor's other hooks, whatever the order of registration, as in PyTorch.
RETAINS_GRAD = "retains_grad"
# The key of a leaf's post-accumulate-grad hooks (a registry of their own) in its hooks.
POST_ACCUMULATE_GRAD = "post_accumulate_grad"


class RemovableHandle:
    """Returned by ``register_hook``: ``remove()`` unregisters the hook (idempotent).

    Also a context manager that removes the hook on exit, as in PyTorch.
    """

    __slots__ = ("_registry", "id")

    def __init__(self, registry: dict) -> None:
        self._registry = registry
        self.id = next(_ids)

    def remove(self) -> None:
        self._registry.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def add_hook(registry: dict, fn: Any) -> RemovableHandle:
    """Insert ``fn`` into ``registry`` (an insertion-ordered dict) and return its handle.

    As in PyTorch, ``fn`` is not checked here: a hook that is not callable fails with
    Python's TypeError when it is called."""
    handle = RemovableHandle(registry)
    registry[handle.id] = fn
    return handle


# Told each user hook (tensor, node, post-accumulate-grad) before the engine calls it;
# ``retrograd.compile`` installs one while it records, since a hook's Python would not
# run in a replay. A one-element list, so readers see the current one.
_observer: list[Callable[[Any], None] | None] = [None]


def install_observer(observer: Callable[[Any], None] | None) -> Callable[[Any], None] | None:
    """Make ``observer`` the one told of each user hook (None: none); returns the old one."""
    old, _observer[0] = _observer[0], observer
    return old


def about_to_run(hook: Any) -> None:
    """Tell the observer, if any, that ``hook`` runs now."""
    observer = _observer[0]
    if observer is not None:
        observer(hook)
