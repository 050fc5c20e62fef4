"""The recorded program: a flat list of kernel calls on numbered values.

An argument of a call is a *reference*: ``("slot", i)`` (the value the i-th defining
call produced), ``("ext", j)`` (an array that existed before the step: an input, a
parameter, a gradient, optimizer state, or a constant array), ``("const", k)`` (any other
Python object: a shape, a dtype, a number), ``("expr", e)`` (a
:class:`~retrograd.compiler.values.ProgramScalar` expression) or ``("seq", type, refs)``
(a list or tuple holding arrays). A call's output is ``("slot", i)``, ``("unpack", type,
outs)`` for a tuple of results, or None when nothing later uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Instr:
    """One kernel call: ``out = fn(*args, **kwargs)`` (``name`` is its table name, and
    ``backend`` the backend whose table it came from). ``fresh``: at capture the call
    returned a new array, sharing memory with none of its arguments (False when unknown:
    a view, an argument returned as is, a library whose arrays do not say). ``shape``,
    ``dtype`` and ``c_contiguous``: the array it returned at capture (None for anything
    else; ``c_contiguous`` True where the library's arrays have no layout flags), which
    the guards fix for every replay."""

    name: str
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    out: Any
    backend: Any = None
    fresh: bool = False
    shape: tuple | None = None
    dtype: Any = None
    c_contiguous: bool = True


@dataclass
class Program:
    """Calls in order, the external arrays (``ext`` j is ``externals[j]`` at capture) and
    the constants (``const`` k is ``constants[k]``)."""

    instrs: list[Instr] = field(default_factory=list)
    externals: list[Any] = field(default_factory=list)
    constants: list[Any] = field(default_factory=list)
    slots: int = 0

    def kernel_counts(self) -> dict[str, int]:
        """How often each kernel is called per replay."""
        counts: dict[str, int] = {}
        for instr in self.instrs:
            counts[instr.name] = counts.get(instr.name, 0) + 1
        return counts


def refs_in(ref: Any) -> Iterator[tuple]:
    """The ``slot``/``ext`` references inside an argument reference (sequences and
    scalar expressions opened)."""
    kind = ref[0]
    if kind in ("slot", "ext"):
        yield ref
    elif kind == "seq":
        for sub in ref[2]:
            yield from refs_in(sub)
    elif kind == "expr":
        yield from _expr_refs(ref[1])


def _expr_refs(expr: Any) -> Iterator[tuple]:
    if isinstance(expr, tuple):
        if expr[0] == "read":
            yield from refs_in(expr[1])
        else:
            for part in expr[1:]:
                yield from _expr_refs(part)


def outs_of(out: Any) -> Iterator[int]:
    """The slot numbers a call defines."""
    if out is None:
        return
    if out[0] == "slot":
        yield out[1]
    else:
        for sub in out[2]:
            yield from outs_of(sub)


# Kernels that write into an argument: never dropped, whatever uses their result.
MUTATING = frozenset({"assign", "setitem", "index_add", "index_prod", "index_amax", "index_amin"})


def mutates(name: str) -> bool:
    return name in MUTATING or name.endswith(("_into", "_out"))


def prune(program: Program, live: set[int]) -> int:
    """Drop the calls whose results nothing uses (``live``: the slots the replay's
    epilogue and result read) and that write nothing: the eager step's bookkeeping, such
    as the host layouts of JAX views, which only steered Python. Returns how many."""
    kept: list[Instr] = []
    live = set(live)
    for instr in reversed(program.instrs):
        if mutates(instr.name) or any(s in live for s in outs_of(instr.out)):
            kept.append(instr)
            args = (*instr.args, *instr.kwargs.values())
            live.update(r[1] for a in args for r in refs_in(a) if r[0] == "slot")
    dropped = len(program.instrs) - len(kept)
    program.instrs = kept[::-1]
    return dropped
