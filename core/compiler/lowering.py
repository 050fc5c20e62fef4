"""Lowering: hand a backend the device part of a program, as one pure function.

A program may mix backends: a JAX step's kernels, and the host (NumPy) kernels of the
optimizer's step counters. The kernels of the program's main backend become one pure
function ``body(externals..., scalars...) -> slots`` (its scalar arguments are the
program scalars, computed on the host first), and the backend's
``retrograd_lower_program`` hook may replace it with a compiled one (JAX: ``jax.jit``).
The replay then loads, runs the host calls, computes the scalars, calls the body once and
applies the epilogue. Lowering is skipped (None) where the host part reads a device value
or no plugin lowers the body; the plain replay of :mod:`~retrograd.compiler.codegen`
runs then.

*Donation*: the arrays a step replaces (a parameter's data, an optimizer's moment
buffers: the tensor is rebound to a new array of the same shape and dtype) are passed
as donated arguments, so the backend may write the new array into the old one's memory
(JAX: ``donate_argnums``; a step then holds one copy of its parameters, not two). A
donated array is unusable after the call, so the replay donates only arrays that their
tensors alone hold (their reference counts say so, on every call); where one is held
elsewhere too (a user's alias, an earlier result), that call runs a body that donates
nothing, built the first time it is needed.
"""

from __future__ import annotations

import functools
import sys
from collections import Counter
from collections.abc import Callable
from types import SimpleNamespace

from ..plugins import plugin_manager
from .codegen import _arg_refs, _exit_refs, _Gen, _Names, function_source, kept_slots, run_source
from .program import Program, mutates, outs_of, refs_in

# Baked externals: each at most BAKE_BYTES, all together at most BAKE_TOTAL (a constant
# lives inside the compiled function, beside the tensor's own array). 256 KiB takes an
# MLP's input batch (W3's 64x784 float32, 196 KiB): XLA lays a constant matmul operand
# out once, at compile time, where an argument is transposed each call (W3 on the CPU:
# 0.71 -> 0.64 ms a step).
BAKE_BYTES = 256 * 1024
BAKE_TOTAL = 1024 * 1024


def lower(
    program: Program, loads: list, epilogue: list, outputs: list, mode: str = "default"
) -> tuple | None:
    """``(replay, source)`` with the device calls lowered by a plugin, or None. ``mode``
    is ``retrograd.compile``'s (``"reduce-overhead"`` asks for device graphs)."""
    split = _split(program)
    if split is None:
        return None
    device, host, dev = split
    dev_slots = {s for i in dev for s in outs_of(i.out)}
    exprs = [r for i in dev for r in (*i.args, *i.kwargs.values()) if r[0] == "expr"]
    # A scalar read of a device value (JAX's step counter) is computed inside the body,
    # from the array (no host wait; the arithmetic is the device's float32, not Python's
    # float64, so the bits may differ from eager's in the last place). Others are inputs.
    exprs = [e for e in exprs if not any(r[0] == "slot" and r[1] in dev_slots for r in refs_in(e))]
    extra = [r for item in epilogue for r in _exit_refs(item)] + list(outputs)
    exts = sorted({r[1] for i in dev for r in _arg_refs(i) if r[0] == "ext"})
    returned = sorted(kept_slots(epilogue, outputs) & dev_slots)
    body = _body(program, dev, exts, exprs, returned, extra)
    example = (*(program.externals[j] for j in exts), *(1.0 for _ in exprs))
    donated = _donatable(program, loads, epilogue, exts, returned, extra)
    hook = functools.partial(plugin_manager().hook.retrograd_lower_program, backend=device,
                             mode=mode, mutated_argnums=_written(dev, exts))  # fmt: skip
    lowered = hook(function=body, example_args=example, donate_argnums=_positions(exts, donated))
    if lowered is None:
        return None
    undonated = None
    if donated:  # for a call where a donated array is held elsewhere too (rare): built then

        def build(body=body, example=example) -> Callable[..., tuple]:  # these, not later's
            plain = hook(function=body, example_args=example, donate_argnums=())
            return plain or body

        undonated = _BuiltOnFirstCall(build)
    baked = _bakeable(program, device, loads, epilogue, exts)
    fast = None
    if baked:
        rest = [j for j in exts if j not in baked]
        body = _body(program, dev, rest, exprs, returned, extra, baked)
        example = (*(program.externals[j] for j in rest), *(1.0 for _ in exprs))
        fast = hook(function=body, example_args=example, donate_argnums=_positions(rest, donated))
    fast = (fast, baked) if fast is not None else None
    parts = (lowered, host, exts, exprs, returned, fast, donated, undonated)
    return _replay(program, loads, epilogue, outputs, *parts)


class _BuiltOnFirstCall:
    """A function built the first time it is called."""

    def __init__(self, build: Callable[[], Callable[..., tuple]]) -> None:
        self.build: Callable[[], Callable[..., tuple]] | None = build
        self.function: Callable[..., tuple] | None = None

    def __call__(self, *args: object) -> tuple:
        if self.function is None:
            assert self.build is not None
            self.function, self.build = self.build(), None
        return self.function(*args)


def _donatable(program, loads, epilogue, exts, returned, extra) -> list[int]:
    """The externals the step replaces: a tensor's data that the epilogue rebinds to a
    value the body returns, of the same shape and dtype (so the backend can reuse the
    memory), read by nothing after the body."""
    made = {i.out[1]: i for i in program.instrs if i.out is not None and i.out[0] == "slot"}
    new_array = {id(item[1]): item[2] for item in epilogue if item[0] == "rebind"}
    read_after = {r[1] for r in extra if r[0] == "ext"}
    donated, taken = [], set()
    for j in exts:
        kind, tensor = loads[j]
        if kind != "data" or j in read_after:
            continue
        ref = new_array.get(id(tensor._storage))
        if ref is None or ref[0] != "slot" or ref[1] not in returned or ref[1] in taken:
            continue
        instr, old = made.get(ref[1]), program.externals[j]
        same = instr is not None and instr.shape == tuple(old.shape) and instr.dtype == old.dtype
        if same:
            donated.append(j)
            taken.add(ref[1])
    return donated


def _written(dev: list, exts: list[int]) -> tuple[int, ...]:
    """The positions (in the body's parameters) of the externals the device calls write
    into (an in-place update on a mutable backend), directly or through a value that may
    share their memory: a call's result that was not a new array (a view, the ``out=`` a
    kernel wrote and returned) may share the memory of every array in its arguments."""
    shares: dict[int, set[int]] = {}  # slot -> the externals it may share memory with
    written: set[int] = set()

    def bases(ref: tuple) -> set[int]:
        found: set[int] = set()
        for r in refs_in(ref):
            found |= {r[1]} if r[0] == "ext" else shares.get(r[1], set())
        return found

    for instr in dev:
        if mutates(instr.name) and instr.args:
            written |= bases(instr.args[0])
        if not instr.fresh and instr.out is not None:
            reached = set().union(*(bases(a) for a in (*instr.args, *instr.kwargs.values())))
            shares.update({slot: reached for slot in outs_of(instr.out)})
    return tuple(k for k, j in enumerate(exts) if j in written)


def _positions(params: list[int], donated: list[int]) -> tuple[int, ...]:
    """Where the donated externals sit in a body's parameter list."""
    return tuple(k for k, j in enumerate(params) if j in donated)


def _sole_holder_refcount() -> int:
    """What ``sys.getrefcount`` says, in a replay, of an array that only its tensor's
    storage holds: the storage's attribute, the replay's local name and the call's own
    argument (3 on CPython), measured the same way once here."""
    refcount = sys.getrefcount
    storage = SimpleNamespace(array=object())
    array = storage.array
    return refcount(array)


SOLE_HOLDER = _sole_holder_refcount()


def _bakeable(program: Program, device, loads: list, epilogue: list, exts: list) -> dict:
    """The externals a second body may hold as constants: small arrays of an immutable
    backend that a tensor reached from outside holds and the step does not rebind (an
    RNN's inputs). Each is a call argument otherwise, and a jitted call pays for every
    argument (JAX: about 0.4 µs each; W5 passes 200). ``{ext: array at capture}``."""
    if getattr(device, "mutable", True):
        return {}
    rebound = {id(item[1]) for item in epilogue if item[0] == "rebind"}
    baked, total = {}, 0
    for j in exts:
        kind, tensor = loads[j]
        array = program.externals[j]
        size = getattr(array, "nbytes", BAKE_BYTES + 1)
        if kind != "data" or id(tensor._storage) in rebound or size > BAKE_BYTES:
            continue
        if total + size > BAKE_TOTAL:
            break
        baked[j], total = array, total + size
    return baked


def _split(program: Program) -> tuple | None:
    """The main backend, the host calls and the device calls; None when the host calls
    read a value the device calls make."""
    if not program.instrs:
        return None
    counts = Counter(id(i.backend) for i in program.instrs)
    main = max(program.instrs, key=lambda i: counts[id(i.backend)]).backend
    dev = [i for i in program.instrs if i.backend is main]
    host = [i for i in program.instrs if i.backend is not main]
    dev_slots = {s for i in dev for s in outs_of(i.out)}
    for instr in host:
        if any(r[0] == "slot" and r[1] in dev_slots for r in _arg_refs(instr)):
            return None
    return main, host, dev


def _body(program, dev, exts, exprs, returned, extra, baked=None) -> Callable[..., tuple]:
    """The device calls as one function of ``exts`` and the scalars; ``baked`` externals
    (``{ext: array}``) are constants of the function instead."""
    names = _Names()
    gen = _Gen(program, names, extra)
    gen.exprs = {id(e): f"x{k}" for k, e in enumerate(exprs)}
    gen.inline_reads = True
    params = ", ".join([f"e{j}" for j in exts] + [f"x{k}" for k in range(len(exprs))])
    lines = [f"e{j} = {names.bind(a, 'X')}" for j, a in (baked or {}).items()]
    lines += gen.body(dev, set(returned))
    lines.append(f"return ({''.join(f's{s}, ' for s in returned)})")
    return run_source(function_source("body", params, lines, names), names)


def _replay(program, loads, epilogue, outputs, lowered, host, exts, exprs, returned, fast,
            donated, undonated):  # fmt: skip
    names = _Names()
    extra = [r for item in epilogue for r in _exit_refs(item)] + list(outputs)
    gen = _Gen(program, names, extra)
    lines = [gen.load(j, where) for j, where in enumerate(loads) if gen.used_ext(j)]
    host_slots = {s for i in host for s in outs_of(i.out)}
    lines += gen.body(host, host_slots)  # few calls: kept to the end
    lines += [f"x{k} = {gen.arg(e)}" for k, e in enumerate(exprs)]
    scalars = [f"x{k}" for k in range(len(exprs))]
    target = f"({''.join(f's{s}, ' for s in returned)}) = " if returned else ""
    every = ", ".join([f"e{j}" for j in exts] + scalars)
    call = [f"{target}{names.bind(lowered, 'B')}({every})"]
    if fast is not None:  # the baked body while every baked array is still its tensor's
        fn, baked = fast
        rest = [f"e{j}" for j in exts if j not in baked]
        check = " and ".join(f"e{j} is {names.bind(a, 'X')}" for j, a in baked.items())
        call = [f"if {check}:", f"    {target}{names.bind(fn, 'F')}({', '.join(rest + scalars)})",
                "else:", f"    {call[0]}"]  # fmt: skip
    if donated:  # donate only arrays that their tensor alone holds
        rc = names.bind(sys.getrefcount, "R")
        sole = " and ".join(f"{rc}(e{j}) == {SOLE_HOLDER}" for j in donated)
        plain = f"{target}{names.bind(undonated, 'U')}({every})"
        call = [f"if {sole}:", *("    " + line for line in call), "else:", f"    {plain}"]
    lines += call
    lines += gen.finish(epilogue, outputs)
    src = function_source("replay", "A", lines, names)
    return run_source(src, names), src
