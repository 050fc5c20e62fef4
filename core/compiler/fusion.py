"""Elementwise fusion: a run of elementwise kernel calls replayed as one built kernel.

On a GPU an elementwise kernel is memory-bound: ``tanh(x * 2 + 1) * x`` as four kernels
reads and writes three temporaries that one kernel never materialises. A backend that
knows the formulas of its elementwise kernels offers them through the
``retrograd_elementwise_fusion`` hook (:class:`ElementwiseFusion`); :func:`fuse_elementwise`
then rewrites a recorded program:

- a *candidate* is a call of a kernel with a formula, whose operands are arrays of the
  call's own floating dtype or Python numbers (written into the expression as literals),
  which returned a new C-contiguous array;
- a candidate's result is *inlined* into the one candidate that reads it, when nothing
  else reads it, nothing outside the replay sees it, both have one shape, and no write
  comes between the two calls (moving a computation past a write could read the written
  value);
- each remaining candidate that inlined another becomes one call of the kernel the
  backend builds from the composed formulas (one statement per inlined call, each value
  computed once), over the run's distinct arrays.

Every fused value is the formulas' arithmetic in the same order on the same operands,
so the results are the unfused kernels' up to the compiler's own contraction of a
multiply and an add (a GPU compiler may fuse them into one rounding). The composed
kernel's result is C-contiguous, as the unfused root's was at capture.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..plugins import plugin_manager
from .optimize import pinned
from .program import Instr, Program, mutates, refs_in

# A name in an expression: a formula's input, a function, or ``T``.
_NAME = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class ElementwiseFusion:
    """What a backend tells :func:`fuse_elementwise`: ``formulas`` maps a kernel name to
    its inputs' names and its expression; ``build(params, body)`` returns a kernel of
    those parameters (arrays of one dtype ``T``) running ``body``, statements
    ``T t0 = <expression>;`` ... ending in ``y = <expression>;`` (``y`` the result, of
    the parameters' broadcast shape), and the backend caches it; ``dtypes`` are the
    dtype names a built kernel takes (``"float32"``...)."""

    formulas: Mapping[str, tuple[tuple[str, ...], str]]
    build: Callable[[tuple[str, ...], str], Callable[..., Any]]
    dtypes: frozenset[str] = frozenset({"float32", "float64"})


def fusion_for(backend: Any) -> ElementwiseFusion | None:
    """The backend's :class:`ElementwiseFusion` (None: it fuses nothing)."""
    return plugin_manager().hook.retrograd_elementwise_fusion(backend=backend)


def fuse_elementwise(program: Program, kept: set[int]) -> int:
    """Rewrite ``program``'s runs of elementwise calls as single built-kernel calls.
    Returns how many calls were inlined into others (0 where no backend fuses)."""
    fusions: dict[int, ElementwiseFusion | None] = {}
    for instr in program.instrs:
        key = id(instr.backend)
        if key not in fusions:
            fusions[key] = fusion_for(instr.backend)
    if not any(fusions.values()):
        return 0
    fixed = pinned(program, kept)
    readers = Counter(r[1] for i in program.instrs for a in (*i.args, *i.kwargs.values())
                      for r in refs_in(a) if r[0] == "slot")  # fmt: skip
    dtypes = {i.out[1]: i.dtype for i in program.instrs if i.out and i.out[0] == "slot"}
    trees: dict[int, tuple] = {}  # body index -> the candidate's expression tree
    pending: dict[int, tuple[int, Instr]] = {}  # slot -> (body index, its candidate)
    inlined: set[int] = set()  # body indices whose call went into a later one
    for index, instr in enumerate(program.instrs):
        if mutates(instr.name):
            pending.clear()  # never move a computation past a write
        fusion = fusions[id(instr.backend)]
        if fusion is None or not _candidate(program, dtypes, fusion, instr):
            continue
        children = []
        for ref in instr.args:
            producer = pending.pop(ref[1], None) if ref[0] == "slot" else None
            if (producer is not None and producer[1].shape == instr.shape
                    and producer[1].backend is instr.backend):  # fmt: skip
                inlined.add(producer[0])
                children.append(trees[producer[0]])
            else:
                children.append(("leaf", ref))
        trees[index] = ("op", instr.name, children)
        slot = instr.out[1]
        if readers[slot] == 1 and slot not in fixed:
            pending[slot] = (index, instr)
    body = []
    for index, instr in enumerate(program.instrs):
        if index in inlined:
            continue
        tree = trees.get(index)
        if tree is not None and any(child[0] == "op" for child in tree[2]):
            instr = _fused(program, fusions[id(instr.backend)], instr, tree)
        body.append(instr)
    program.instrs = body
    return len(inlined)


def _candidate(program: Program, dtypes: dict, fusion: ElementwiseFusion, instr: Instr) -> bool:
    """A call of a kernel with a formula, on arrays of its own dtype (one the backend's
    built kernels take) or finite Python numbers, that returned a new C-contiguous array."""
    formula = fusion.formulas.get(instr.name)
    if formula is None or instr.kwargs or len(instr.args) != len(formula[0]):
        return False
    if not (instr.fresh and instr.c_contiguous and instr.out and instr.out[0] == "slot"):
        return False
    if str(instr.dtype) not in fusion.dtypes:
        return False
    arrays = 0
    for ref in instr.args:
        kind = ref[0]
        if kind == "slot":
            dtype = dtypes.get(ref[1])
        elif kind == "ext":
            dtype = getattr(program.externals[ref[1]], "dtype", None)
        elif kind == "const":
            value = program.constants[ref[1]]
            if type(value) in (int, float):
                if not math.isfinite(value):
                    return False
                continue
            dtype = getattr(value, "dtype", None)
        else:
            return False
        if dtype != instr.dtype:
            return False
        arrays += 1
    return arrays > 0


def _fused(program: Program, fusion: ElementwiseFusion, root: Instr, tree: tuple) -> Instr:
    """One call of the kernel built from ``tree``, over its distinct array leaves."""
    leaves: list[tuple] = []
    lines: list[str] = []
    _render(program, fusion, tree, leaves, lines)
    value = lines.pop().split(" = ", 1)[1]  # the root's statement assigns the result
    body = " ".join([*lines, f"y = {value}"])
    params = tuple(f"p{k}" for k in range(len(leaves)))
    kernel = fusion.build(params, body)
    return Instr("fused_elementwise", kernel, tuple(leaves), {}, root.out, root.backend,
                 fresh=True, shape=root.shape, dtype=root.dtype)  # fmt: skip


def _render(program: Program, fusion: ElementwiseFusion, tree: tuple, leaves: list,
            lines: list[str]) -> str:  # fmt: skip
    """The token naming ``tree``'s value: a parameter ``p<k>`` (an array leaf), a literal
    ``T(<number>)``, or a temporary ``t<k>``, whose statement ``T t<k> = ...;`` is
    appended to ``lines`` after those of its operands. Each value is computed once,
    however often a formula reads it (relu reads its input twice)."""
    if tree[0] == "leaf":
        ref = tree[1]
        if ref[0] == "const":
            value = program.constants[ref[1]]
            if type(value) in (int, float):
                return f"T({value!r})"
        if ref not in leaves:
            leaves.append(ref)
        return f"p{leaves.index(ref)}"
    inputs, expression = fusion.formulas[tree[1]]
    values = {name: _render(program, fusion, child, leaves, lines)
              for name, child in zip(inputs, tree[2])}  # fmt: skip
    text = _NAME.sub(lambda m: values.get(m[0], m[0]), expression)
    lines.append(f"T t{len(lines)} = {text};")
    return f"t{len(lines) - 1}"
