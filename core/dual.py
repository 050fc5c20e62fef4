"""Forward-mode AD state: dual levels, and the tangent a tensor carries at each level.

A *dual level* is one forward-mode computation: inside it a tensor may carry a tangent
(its directional derivative), and every op whose inputs carry tangents gives its result
one too (``retrograd.autograd.forward_rules`` computes them; :data:`STATE.propagate`
is how the ops reach it without importing the engine). Levels nest (``func.jvp`` of
``func.jvp``): each has an index, the innermost last; a tangent at level ``k`` is
computed with levels ``k`` and above hidden, so it may itself carry tangents of the
outer levels (forward over forward), as PyTorch's functorch levels do.

A tensor keeps its tangents in its ``_fw_grads`` slot, a dict ``{level index:
tangent}``; the slot is unset on a tensor that never had one, so making a tensor costs
nothing more. Leaving a level drops every tangent set at it, as PyTorch does.

When no level is active, ``STATE.active`` is False and the ops do no forward-mode work:
one attribute test per op.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tensor import Tensor

NO_LEVEL = (
    "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
    "enter_dual_level() first."
)


class _State:
    """The active levels (innermost last), and the function that gives an op's result
    its tangents (set by ``retrograd.autograd.forward_rules.install``)."""

    __slots__ = ("levels", "active", "propagate", "depth")

    def __init__(self) -> None:
        self.levels: list[_Level] = []
        self.active = False
        self.propagate: Callable[..., None] | None = None
        self.depth = 0  # levels open, hidden ones included


class _Level:
    __slots__ = ("index", "holders", "public")

    def __init__(self, index: int, public: bool) -> None:
        self.index = index
        self.holders: list[weakref.ref] = []  # tensors given a tangent at this level
        self.public = public  # opened by forward_ad.dual_level (not by a transform)


STATE = _State()


def enter_level(public: bool = False) -> int:
    """Open a new (innermost) level and return its index. ``public``: opened through
    ``forward_ad`` (inside one, PyTorch's ``func.jvp`` refuses to nest)."""
    level = _Level(STATE.depth, public)  # not len(levels): ``below`` may hide some
    STATE.depth += 1
    STATE.levels.append(level)
    STATE.active = True
    return level.index


def exit_level(index: int) -> None:
    """Close the innermost level, which must be ``index``; drop its tangents."""
    if not STATE.levels or index < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if STATE.levels[-1].index != index:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    level = STATE.levels.pop()
    STATE.depth -= 1
    STATE.active = bool(STATE.levels)
    for ref in level.holders:
        t = ref()
        grads = None if t is None else getattr(t, "_fw_grads", None)
        if grads is not None:
            grads.pop(index, None)


def in_public_level() -> bool:
    """Whether a level opened through ``forward_ad`` is active."""
    return any(level.public for level in STATE.levels)


def current_level() -> int:
    """The innermost active level's index, -1 when none is active."""
    return STATE.levels[-1].index if STATE.levels else -1


def active_indices() -> tuple[int, ...]:
    return tuple(level.index for level in STATE.levels)


def _level(index: int | None) -> _Level | None:
    if index is None:
        return STATE.levels[-1] if STATE.levels else None
    for level in STATE.levels:
        if level.index == index:
            return level
    return None


def get_tangent(t: Any, index: int | None = None) -> Tensor | None:
    """``t``'s tangent at level ``index`` (the innermost when None), or None."""
    grads = getattr(t, "_fw_grads", None)
    if not grads:
        return None
    level = _level(index)
    return None if level is None else grads.get(level.index)


def set_tangent(t: Tensor, tangent: Tensor | None, index: int) -> None:
    """Give ``t`` the tangent ``tangent`` at active level ``index`` (None removes it)."""
    level = _level(index)
    if level is None:
        raise RuntimeError("Invalid level given to _make_dual")
    grads = getattr(t, "_fw_grads", None)
    if tangent is None:
        if grads:
            grads.pop(index, None)
        return
    if grads is None:
        grads = t._fw_grads = {}
    if index not in grads:
        level.holders.append(weakref.ref(t))
    grads[index] = tangent


def has_tangent(t: Any) -> bool:
    """Whether ``t`` carries a tangent at any active level (cheap when none is active)."""
    if not STATE.active:
        return False
    grads = getattr(t, "_fw_grads", None)
    return bool(grads) and any(level.index in grads for level in STATE.levels)


def copy_tangents(source: Tensor, target: Tensor) -> None:
    """Give ``target`` every tangent ``source`` has at the active levels (an alias of
    ``source`` that stands for it: a saved output, a snapshot before an in-place write)."""
    grads = getattr(source, "_fw_grads", None)
    if grads:
        for level in STATE.levels:
            if level.index in grads:
                set_tangent(target, grads[level.index], level.index)


def share_tangents(source: Tensor, alias: Tensor) -> None:
    """Make ``alias`` (a tensor standing for ``source``: a saved output) see ``source``'s
    tangents, those set later included: an op saves its output before giving it its
    tangent, and the reverse rules must see it (forward over reverse)."""
    grads = getattr(source, "_fw_grads", None)
    if grads is None:
        grads = source._fw_grads = {}
    alias._fw_grads = grads


@contextmanager
def below(index: int) -> Iterator[None]:
    """Hide level ``index`` and the levels inside it while a tangent at ``index`` is
    computed: the ops that compute it see only the outer levels."""
    saved = STATE.levels
    STATE.levels = [level for level in saved if level.index < index]
    STATE.active = bool(STATE.levels)
    try:
        yield
    finally:
        STATE.levels = saved
        STATE.active = bool(saved)
