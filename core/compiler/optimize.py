"""Rewrites of a recorded program before its replay is generated.

Three rewrites, each leaving every value the replay computes bit for bit what eager
computes (the same kernels on the same operands, or on operands the kernel broadcasts to
the same values), and each refusing any slot whose memory could be seen from outside a
replay:

- **common calls** (:func:`merge_common`): a call repeating an earlier one (same kernel,
  same operands) reuses its result. Eager repeats work a recording need not: W5's
  backward transposes the same weight at each of its 200 time steps. Only calls before the
  program's first write qualify (after it, the same operands may hold other values).
- **broadcasts the next kernel makes itself** (:func:`elide_broadcasts`): a
  ``broadcast_to`` view read only as an operand of ``add``, ``subtract``, ``multiply`` or
  ``divide`` whose other operand already has the broadcast's shape is dropped; those
  kernels broadcast their operands (the kernel contract says so), so they compute the
  same elements. Eager makes the view because an op's backward returns a gradient of its
  input's shape (``sum``'s backward expands), and the next op multiplies it anyway.
- **constant buffers** (:func:`hoist_constants`): a call whose arguments are all
  constants (a factory: ``ones(shape, dtype)``, the backward's seed), a view of such a
  result (``broadcast_to``), and arithmetic whose array operands are such buffers holding
  a single number (0-d: the seed divided by a loss's batch size and negated), is run once,
  at capture; each replay reads the buffer it made. Arithmetic on larger buffers still
  runs each replay, so a step built from constants alone (the tutorial's first scenario)
  still times its kernels: the folding stops at scalars, where a compiler's constant
  propagation would.

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


# Binary kernels that broadcast their operands, in the kernel contract's meaning.
BROADCASTING = frozenset({"add", "subtract", "multiply", "divide"})


def elide_broadcasts(program: Program, kept: set[int]) -> int:
    """Read a ``broadcast_to``'s source where the view is only an operand of a
    :data:`BROADCASTING` kernel whose other operand has the view's shape. Returns how many
    views were elided (their calls go when :func:`~retrograd.compiler.program.prune` runs,
    nothing reading them any more)."""
    fixed = pinned(program, kept)
    shapes = {ins.out[1]: ins.shape for ins in program.instrs
              if ins.out is not None and ins.out[0] == "slot"}  # fmt: skip
    views = {}  # slot -> (the view's source, its shape)
    for ins in program.instrs:
        out, args = ins.out, ins.args
        if (ins.name == "broadcast_to" and out is not None and out[0] == "slot"
                and out[1] not in fixed and args and args[0][0] in ("slot", "ext")):  # fmt: skip
            views[out[1]] = (args[0], ins.shape)
    # Each reading of a view: (the call, the operand's position), or (None, 0) where the
    # call is not a plain binary broadcasting kernel (which keeps the view).
    uses: dict[int, list[tuple[Any, int]]] = {s: [] for s in views}
    for ins in program.instrs:
        binary = ins.name in BROADCASTING and len(ins.args) == 2 and not ins.kwargs
        operands = [*enumerate(ins.args), *((None, a) for a in ins.kwargs.values())]
        for pos, arg in operands:
            for ref in refs_in(arg):
                if ref[0] == "slot" and ref[1] in uses:
                    whole = binary and pos is not None and ref is arg
                    uses[ref[1]].append((ins, pos) if whole else (None, 0))
    elided = 0
    for slot, found in uses.items():
        source, shape = views[slot]
        if not found or not all(_keeps_shape(program, shapes, views, ins, pos, shape)
                                for ins, pos in found):  # fmt: skip
            continue
        for ins, pos in found:
            ins.args = (*ins.args[:pos], source, *ins.args[pos + 1 :])
        elided += 1
    return elided


def _keeps_shape(program: Program, shapes: dict, views: dict, ins: Any, pos: int,
                 shape: Any) -> bool:  # fmt: skip
    """Whether ``ins`` reading the view's source at ``pos`` still computes ``shape``: its
    other operand has that shape and is no view being elided (two sources could broadcast
    to less)."""
    if ins is None or shape is None or ins.shape != shape:
        return False
    other = ins.args[1 - pos]
    if other[0] == "slot" and other[1] in views:
        return False
    return _shape(program, shapes, other) == shape


def _shape(program: Program, shapes: dict[int, Any], ref: tuple) -> Any:
    """The shape of the array ``ref`` names (None when it names something else)."""
    if ref[0] == "slot":
        return shapes.get(ref[1])
    if ref[0] == "ext":
        return tuple(program.externals[ref[1]].shape)
    return None


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
        if _constant_call(program, instr, fixed, set(made.values())):
            args = [_value(program, r) for r in instr.args]
            kwargs = {k: _value(program, r) for k, r in instr.kwargs.items()}
            made[instr.out[1]] = len(program.constants)
            program.constants.append(instr.fn(*args, **kwargs))
            hoisted[instr.name] = hoisted.get(instr.name, 0) + 1
            continue
        body.append(instr)
    program.instrs = body
    return hoisted


def _constant_call(program: Program, instr: Any, fixed: set[int], hoisted: set[int]) -> bool:
    """A factory (no array operand), a view of hoisted buffers, or arithmetic on hoisted
    0-d buffers only, whose result no one outside sees and no one writes."""
    out = instr.out
    if mutates(instr.name) or out is None or out[0] != "slot" or out[1] in fixed:
        return False
    refs = [r for a in (*instr.args, *instr.kwargs.values()) for r in _all_refs(a)]
    if any(r[0] != "const" for r in refs):
        return False
    buffers = [program.constants[r[1]] for r in refs if r[1] in hoisted]
    if not instr.fresh:  # a view: only of buffers hoisted already
        return bool(buffers)
    # A factory (no array operand), or arithmetic on single numbers: a fresh result of
    # the same kernel on the same operands, so the replay reads eager's bits.
    return all(getattr(b, "ndim", None) == 0 for b in buffers)


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
