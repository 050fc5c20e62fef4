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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from ..plugins import plugin_manager
from .codegen import _arg_refs, _exit_refs, _Gen, _Names, function_source, kept_slots, run_source
from .program import Program, outs_of, refs_in

# Baked externals: each at most BAKE_BYTES, all together at most BAKE_TOTAL (a constant
# lives inside the compiled function, beside the tensor's own array). 256 KiB takes an
# MLP's input batch (W3's 64x784 float32, 196 KiB): XLA lays a constant matmul operand
# out once, at compile time, where an argument is transposed each call (W3 on the CPU:
# 0.71 -> 0.64 ms a step).
BAKE_BYTES = 256 * 1024
BAKE_TOTAL = 1024 * 1024


def lower(program: Program, loads: list, epilogue: list, outputs: list) -> tuple | None:
    """``(replay, source)`` with the device calls lowered by a plugin, or None."""
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
    hook = plugin_manager().hook.retrograd_lower_program
    lowered = hook(backend=device, function=body, example_args=example)
    if lowered is None:
        return None
    baked = _bakeable(program, device, loads, epilogue, exts)
    fast = None
    if baked:
        rest = [j for j in exts if j not in baked]
        body = _body(program, dev, rest, exprs, returned, extra, baked)
        example = (*(program.externals[j] for j in rest), *(1.0 for _ in exprs))
        fast = hook(backend=device, function=body, example_args=example)
    fast = (fast, baked) if fast is not None else None
    return _replay(program, loads, epilogue, outputs, lowered, host, exts, exprs, returned, fast)


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


def _replay(program, loads, epilogue, outputs, lowered, host, exts, exprs, returned, fast):
    names = _Names()
    extra = [r for item in epilogue for r in _exit_refs(item)] + list(outputs)
    gen = _Gen(program, names, extra)
    lines = [gen.load(j, where) for j, where in enumerate(loads) if gen.used_ext(j)]
    host_slots = {s for i in host for s in outs_of(i.out)}
    lines += gen.body(host, host_slots)  # few calls: kept to the end
    lines += [f"x{k} = {gen.arg(e)}" for k, e in enumerate(exprs)]
    scalars = [f"x{k}" for k in range(len(exprs))]
    target = f"({''.join(f's{s}, ' for s in returned)}) = " if returned else ""
    call = f"{target}{names.bind(lowered, 'B')}({', '.join([f'e{j}' for j in exts] + scalars)})"
    if fast is None:
        lines.append(call)
    else:  # the baked body while every baked array is still its tensor's
        fn, baked = fast
        rest = [f"e{j}" for j in exts if j not in baked]
        check = " and ".join(f"e{j} is {names.bind(a, 'X')}" for j, a in baked.items())
        lines += [f"if {check}:", f"    {target}{names.bind(fn, 'F')}({', '.join(rest + scalars)})",
                  "else:", f"    {call}"]  # fmt: skip
    lines += gen.finish(epilogue, outputs)
    src = function_source("replay", "A", lines, names)
    return run_source(src, names), src
