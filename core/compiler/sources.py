"""What a compiled function can reach: the tensors it reads from outside its arguments.

A training step reads parameters, their ``.grad`` and optimizer state that are not its
arguments: they hang off the function's closure, the globals it loads, its bound object
(an ``nn.Module``, an optimizer), non-tensor arguments, or the closure and globals of a
helper function it calls by name. :func:`reach` walks those objects (dicts, lists,
tuples, instance ``__dict__``\\ s, the user's Python functions; bounded) and returns every
tensor found, plus the *guards* that make a replay safe: each edge ``container[key] is
child`` on the way to a tensor, each container's length, and each plain Python value
(``lr``, ``training``) in a walked container. A replay loads its external arrays from
these tensors, so any change of the objects the recording depended on (a parameter
replaced, a learning rate changed, a parameter group added) fails a guard and recompiles.
"""

from __future__ import annotations

import dis
import sys
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
        found += _function_edges(target)
    found += [(None, None, a) for a in (*args, *kwargs.values()) if not isinstance(a, Tensor)]
    return found


def _function_edges(fn: types.FunctionType) -> list[tuple]:
    """What a Python function reads from outside: its closure cells, its defaults and
    the globals its code loads (a helper's global parameter is as much the step's as
    the step's own)."""
    found: list[tuple] = []
    for cell in fn.__closure__ or ():
        try:
            found.append((cell, None, cell.cell_contents))
        except ValueError:  # an empty cell (a name assigned later)
            continue
    defaults = (*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values())
    found += [(None, None, d) for d in defaults]
    glob = fn.__globals__
    found += [(glob, n, glob[n]) for n in sorted(_global_names(fn.__code__)) if n in glob]
    return found


def _global_names(code: types.CodeType) -> set[str]:
    """The global names ``code`` (and the code nested in it) loads. Not ``co_names``,
    which also holds attribute names: a step calling ``opt.step()`` does not read a
    global ``step``."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname in _GLOBAL_LOADS}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


_GLOBAL_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME"})


def _python_function(obj: Any) -> types.FunctionType | None:
    """The Python function a reached object runs: itself, a compiled function's own
    (its ``reached_function``), or None for anything else."""
    if isinstance(obj, types.FunctionType):
        return obj
    unwrap = getattr(type(obj), "reached_function", None)
    function = unwrap(obj) if unwrap is not None else None
    return function if isinstance(function, types.FunctionType) else None


def _walks_into(fn: types.FunctionType) -> bool:
    """Whether the walk opens a function it reaches: the user's, not retrograd's own or
    the standard library's (their globals hold no user tensor)."""
    root = (getattr(fn, "__module__", None) or "").partition(".")[0]
    return not root.startswith("retrograd") and root not in sys.stdlib_module_names


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
        function = _python_function(obj)
        opened = function is not None and _walks_into(function)
        if (isinstance(obj, _OPAQUE) and not opened) or depth > MAX_DEPTH:
            continue
        if guarded:
            out.edges.append((container, key, obj))
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, Tensor):
            out.tensors.append(obj)
            continue
        if opened:  # a helper the step calls: what it reads, not the object's insides
            stack += [(c, k, o, depth + 1) for c, k, o in reversed(_function_edges(function))]
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
