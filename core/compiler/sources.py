"""What a compiled function can reach: the tensors it reads from outside its arguments.

A training step reads parameters, their ``.grad`` and optimizer state that are not its
arguments: they hang off the function's closure, the globals it names, its bound object
(an ``nn.Module``, an optimizer) or non-tensor arguments. :func:`reach` walks those
objects (dicts, lists, tuples, instance ``__dict__``\\ s; bounded) and returns every
tensor found, plus the *guards* that make a replay safe: each edge ``container[key] is
child`` on the way to a tensor, each container's length, and each plain Python value
(``lr``, ``training``) in a walked container. A replay loads its external arrays from
these tensors, so any change of the objects the recording depended on (a parameter
replaced, a learning rate changed, a parameter group added) fails a guard and recompiles.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

from ..tensor import Tensor

MAX_DEPTH = 8
MAX_OBJECTS = 20_000
PLAIN = (bool, int, float, str, type(None))
_OPAQUE = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type,
           types.MethodType, types.CodeType)  # fmt: skip


@dataclass
class Reach:
    """The walk's result. ``edges``: ``(container, key, child)`` where ``key`` is None for
    a closure cell (``container.cell_contents``); ``lengths``: ``(container, len)``;
    ``values``: ``(container, key, value)`` for plain Python values."""

    tensors: list[Tensor] = field(default_factory=list)
    edges: list[tuple] = field(default_factory=list)
    lengths: list[tuple] = field(default_factory=list)
    values: list[tuple] = field(default_factory=list)


def roots(fn: Any, args: tuple, kwargs: dict) -> list[tuple]:
    """``(container, key, object)`` edges into what ``fn`` can reach (container None: the
    object is held by the compiled function itself, no guard needed)."""
    found: list[tuple] = []
    target = fn
    if isinstance(fn, types.MethodType):
        found.append((None, None, fn.__self__))
        target = fn.__func__
    elif not isinstance(fn, types.FunctionType):
        found.append((None, None, fn))  # a callable object (a Module): walk it
        target = getattr(type(fn), "forward", None) or type(fn).__call__
    if isinstance(target, types.FunctionType):
        for cell in target.__closure__ or ():
            try:
                found.append((cell, None, cell.cell_contents))
            except ValueError:  # an empty cell (a name assigned later)
                continue
        defaults = (*(target.__defaults__ or ()), *(target.__kwdefaults__ or {}).values())
        found += [(None, None, d) for d in defaults]
        glob = target.__globals__
        found += [(glob, n, glob[n]) for n in sorted(_names(target.__code__)) if n in glob]
    found += [(None, None, a) for a in (*args, *kwargs.values()) if not isinstance(a, Tensor)]
    return found


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def reach(fn: Any, args: tuple, kwargs: dict) -> Reach:
    """Walk everything ``fn`` can reach; see the module doc."""
    out, seen = Reach(), set()
    stack = [(c, k, obj, 0) for c, k, obj in reversed(roots(fn, args, kwargs))]
    while stack and len(seen) < MAX_OBJECTS:
        container, key, obj, depth = stack.pop()
        guarded = container is not None and not isinstance(container, tuple)  # immutable
        if isinstance(obj, PLAIN):
            if guarded and key is not None:
                out.values.append((container, key, obj))
            continue
        if isinstance(obj, _OPAQUE) or depth > MAX_DEPTH:
            continue
        if guarded:
            out.edges.append((container, key, obj))
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Tensor):
            out.tensors.append(obj)
            continue
        children = _children(obj)
        if children is None:
            continue
        holder, items = children
        if not isinstance(holder, tuple):
            out.lengths.append((holder, len(holder)))
        stack += [(holder, k, v, depth + 1) for k, v in reversed(items)]
    return out


def _children(obj: Any) -> tuple[Any, list] | None:
    """``(holder, [(key, value), ...])``: what to walk inside ``obj``, and the container
    whose ``holder[key]`` gives each value (an instance's ``__dict__``)."""
    if isinstance(obj, dict):
        return obj, list(obj.items())
    if isinstance(obj, (list, tuple)):
        return obj, list(enumerate(obj))
    attrs = getattr(obj, "__dict__", None)
    if isinstance(attrs, dict) and type(obj).__module__ != "builtins":
        return attrs, list(attrs.items())
    return None
