"""Rewrites of a recorded program before its replay is generated.

Two rewrites, both leaving every value the replay computes bit for bit what eager
computes (the same kernels on the same operands), and both refusing any slot whose
memory could be seen from outside a replay:

- **common calls** (:func:`merge_common`): a call repeating an earlier one (same kernel,
  same operands) reuses its result. Eager repeats work a recording need not: W5's
  backward transposes the same weight at each of its 200 time steps. Only calls before the
  program's first write qualify (after it, the same operands may hold other values).
- **constant buffers** (:func:`hoist_constants`): a call whose arguments are all
  constants (a factory: ``ones(shape, dtype)``, the backward's seed), and a view of such a
  result (``broadcast_to``), is run once, at capture; each replay reads the buffer it
  made. Arithmetic on such buffers still runs each replay: this is not constant folding.

*Pinned* slots are never shared or hoisted: those a replay returns, rebinds or writes
into, and every slot whose memory they may share (:func:`aliases`). A call's result
shares no memory with its operands when the recording saw it return a new array
(``Instr.fresh``); any other result may be a view of every operand.
"""

from __future__ import annotations

from typing import Any

from .program import Program, mutates, outs_of, refs_in

# Constants compared by value in a call's key; any other object by identity. repr, not
# ==, so that -0.0 and 0.0 (equal, with different results) stay apart.
BY_VALUE = (int, float, bool, str, complex, type(None))


def aliases(program: Program) -> dict[int, set[int]]:
    """For each slot, the slots whose memory it may share (itself included)."""
    roots: dict[int, set[int]] = {}
    for instr in program.instrs:
        outs = list(outs_of(instr.out))
        shared: set[int] = set()
        if not instr.fresh:
            for ref in _slot_refs(instr):
                shared |= roots.get(ref[1], {ref[1]})
        for s in outs:
            roots[s] = shared | {s}
    return roots


def pinned(program: Program, kept: set[int]) -> set[int]:
    """Slots seen from outside a replay (``kept``: returned or rebound), written into, or
    sharing memory with one of those."""
    roots = aliases(program)
    seen = set(kept)
    for instr in program.instrs:
        if mutates(instr.name) and instr.args:
            seen |= {r[1] for r in refs_in(instr.args[0]) if r[0] == "slot"}
    return {root for s in seen for root in roots.get(s, {s})}


def merge_common(program: Program, kept: set[int]) -> int:
    """Drop calls that repeat an earlier one before the first write; their uses read the
    earlier result. Returns how many were dropped."""
    fixed = pinned(program, kept)
    first: dict[Any, int] = {}  # call key -> the slot holding its result
    rename: dict[int, int] = {}
    body, writing = [], False
    for instr in program.instrs:
        if rename:
            instr.args = _renamed(instr.args, rename)
            instr.kwargs = {k: _renamed(v, rename) for k, v in instr.kwargs.items()}
        writing = writing or mutates(instr.name)
        out = instr.out
        if not writing and out is not None and out[0] == "slot" and out[1] not in fixed:
            key = _call_key(program, instr)
            if key is not None and key in first:
                rename[out[1]] = first[key]
                continue
            if key is not None:
                first[key] = out[1]
        body.append(instr)
    dropped = len(program.instrs) - len(body)
    program.instrs = body
    return dropped


def hoist_constants(program: Program, kept: set[int]) -> dict[str, int]:
    """Run the calls that make constant buffers now and make their slots constants.
    Returns how many calls of each kernel were hoisted."""
    fixed = pinned(program, kept)
    made: dict[int, int] = {}  # slot -> constant index
    hoisted: dict[str, int] = {}
    body = []
    for instr in program.instrs:
        if made:
            instr.args = _as_constants(instr.args, made)
            instr.kwargs = {k: _as_constants(v, made) for k, v in instr.kwargs.items()}
        if _constant_call(instr, fixed, set(made.values())):
            args = [_value(program, r) for r in instr.args]
            kwargs = {k: _value(program, r) for k, r in instr.kwargs.items()}
            made[instr.out[1]] = len(program.constants)
            program.constants.append(instr.fn(*args, **kwargs))
            hoisted[instr.name] = hoisted.get(instr.name, 0) + 1
            continue
        body.append(instr)
    program.instrs = body
    return hoisted


def _constant_call(instr: Any, fixed: set[int], hoisted: set[int]) -> bool:
    """A factory (no array operand) or a view of hoisted buffers, whose result no one
    outside sees and no one writes."""
    out = instr.out
    if mutates(instr.name) or out is None or out[0] != "slot" or out[1] in fixed:
        return False
    refs = [r for a in (*instr.args, *instr.kwargs.values()) for r in _all_refs(a)]
    if any(r[0] != "const" for r in refs):
        return False
    buffers = sum(r[1] in hoisted for r in refs)
    if not instr.fresh:  # a view: only of buffers hoisted already
        return buffers > 0
    return buffers == 0  # a factory: no array operand


def _all_refs(ref: tuple) -> list[tuple]:
    if ref[0] == "seq":
        return [r for sub in ref[2] for r in _all_refs(sub)]
    return [ref]


def _value(program: Program, ref: tuple) -> Any:
    if ref[0] == "seq":
        return ref[1](_value(program, r) for r in ref[2])
    return program.constants[ref[1]]


def _slot_refs(instr: Any) -> list[tuple]:
    return [r for a in (*instr.args, *instr.kwargs.values()) for r in refs_in(a)
            if r[0] == "slot"]  # fmt: skip


def _call_key(program: Program, instr: Any) -> Any:
    """What identifies the call's result: the kernel and its operands; None when an
    operand is a scalar computed from data (never merged)."""
    try:
        args = tuple(_ref_key(program, r) for r in instr.args)
        kwargs = tuple(sorted((k, _ref_key(program, r)) for k, r in instr.kwargs.items()))
    except LookupError:
        return None
    return (instr.fn, args, kwargs)


def _ref_key(program: Program, ref: tuple) -> Any:
    kind = ref[0]
    if kind in ("slot", "ext"):
        return ref
    if kind == "seq":
        return ("seq", ref[1], tuple(_ref_key(program, r) for r in ref[2]))
    if kind == "const":
        return ("const", _value_key(program.constants[ref[1]]))
    raise LookupError(kind)  # "expr"


def _value_key(value: Any) -> Any:
    if type(value) in BY_VALUE:
        return (type(value), repr(value))
    if type(value) is tuple:
        return ("tuple", *(_value_key(v) for v in value))
    return ("id", id(value))  # kept alive by the program's constants


def _renamed(ref: Any, rename: dict[int, int]) -> Any:
    """``ref`` with each ``("slot", i)`` inside it replaced by ``("slot", rename[i])``."""
    if type(ref) is not tuple:
        return ref
    if len(ref) == 2 and ref[0] == "slot":
        return ("slot", rename.get(ref[1], ref[1]))
    return tuple(_renamed(r, rename) for r in ref)


def _as_constants(ref: Any, made: dict[int, int]) -> Any:
    """``ref`` with each hoisted slot replaced by its constant."""
    if type(ref) is not tuple:
        return ref
    if len(ref) == 2 and ref[0] == "slot":
        return ("const", made[ref[1]]) if ref[1] in made else ref
    return tuple(_as_constants(r, made) for r in ref)
