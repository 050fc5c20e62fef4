"""One capture: run the step eagerly under the recorder, then make a replayable entry.

The capture records the kernel calls (:mod:`~retrograd.compiler.recorder`), and around
them compares what the step could reach before and after (:mod:`~retrograd.compiler.
sources`) to learn its effects on Python objects: a parameter's ``.grad`` set or cleared,
a storage rebound (immutable backends), version counters advanced. Those become the
replay's epilogue. A step that *created* tensors reachable from outside (an optimizer's
first step makes its state) is not replayable as recorded, since the next call takes the
other branch (update, not create): its entry is not kept and the next call records again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..pytree import tree_flatten
from ..random import default_generator
from ..tensor import Tensor
from . import codegen, fusion, guards, lowering, optimize, sources
from .breaks import Unsupported, reason_for
from .outputs import OutputPlan, plan_outputs
from .program import prune
from .recorder import Recorder


@dataclass
class Entry:
    """A cache entry: replay ``run`` when ``guard`` passes (``run`` None: run eagerly,
    because of ``reason``)."""

    guard: Any
    guard_lines: list[str]
    run: Any = None
    reason: str | None = None
    source: str = ""
    kernel_counts: dict[str, int] = field(default_factory=dict)
    hoisted: dict[str, int] = field(default_factory=dict)  # calls run once, at capture
    keep: bool = True  # False: a one-shot recording (state created), record again
    spec: Any = None  # the call's argument structure


_active: list[Recorder] = []  # the captures in progress (a compiled call inside one)


def capturing() -> bool:
    """Whether a capture is recording now: a compiled function called inside another's
    capture runs its Python, so that the outer recording sees its kernel calls."""
    return bool(_active)


def capture(
    fn: Any, args: tuple, kwargs: dict, flat: list, fullgraph: bool, mode: str = "default"
) -> tuple:
    """Run ``fn`` once eagerly while recording; ``(result, Entry)``. ``mode``: the
    compile mode, for the backend's lowering hook."""
    before = sources.reach(fn, args, kwargs)
    loads_at, shared = _entry_sources(flat, before)
    grads_in = {id(t): t._grad for t in before.tensors}
    versions = [(t, t._storage.counter, t._storage.version) for t in before.tensors]
    rng = _rng_bytes()
    with Recorder(fullgraph) as rec:
        _active.append(rec)
        try:
            result = fn(*args, **kwargs)
        finally:
            _active.pop()
    if rec.broken is None and _rng_bytes() != rng:
        rec.brk("a random op (a replay would repeat the captured random numbers)")
    grad_reads = [t for t in before.tensors if t._grad is not None]
    used = {id(a) for a in rec.program.externals}
    aliases = [(loads_at[key], where) for key, where in shared if key in used]
    guard, lines = guards.build(flat, before, grad_reads, aliases)
    if rec.broken is not None:
        return result, Entry(guard, lines, reason=rec.broken)
    after = sources.reach(fn, args, kwargs)
    known = {id(t) for t in before.tensors}
    if any(id(t) not in known for t in after.tensors):
        return result, Entry(guard, lines, keep=False, reason="the step created state")
    epilogue = _epilogue(rec, before.tensors, grads_in, versions, loads_at)
    plan = plan_outputs(rec, result, flat, before.tensors, epilogue)
    if plan.broken is not None:
        if fullgraph:
            raise Unsupported(plan.broken)
        return result, Entry(guard, lines, reason=plan.broken)
    return result, _replayable(rec, guard, lines, loads_at, epilogue, plan, mode)


def _replayable(rec, guard, lines, loads_at, epilogue, plan: OutputPlan, mode: str) -> Entry:
    program = rec.program
    kept = codegen.kept_slots(epilogue, plan.refs)
    optimize.merge_common(program, kept)
    optimize.elide_broadcasts(program, kept)
    prune(program, kept)
    hoisted = optimize.hoist_constants(program, kept)
    fusion.fuse_elementwise(program, kept)
    loads = [loads_at.get(id(a), ("const", a)) for a in program.externals]
    lowered = lowering.lower(program, loads, epilogue, plan.refs, mode)
    replay, src = lowered or codegen.generate(program, loads, epilogue, plan.refs)
    read = plan.rebuild

    def run(flat_inputs: list) -> Any:
        return read(replay(flat_inputs), flat_inputs)

    return Entry(guard, lines, run, None, src, program.kernel_counts(), hoisted)


def _entry_sources(flat: list, before: sources.Reach) -> tuple[dict[int, tuple], list]:
    """Where each array existing at entry is found on every call (id -> load), and the
    other places that hold one of them (``[(id, load)]``). A recording reads such an
    array from its first place only, so it replays only while the others still hold the
    same array (a guard): JAX's copy of an immutable array is the array itself, and a
    momentum buffer made as a copy of a gradient is, until the next step, that
    gradient's array."""
    found: dict[int, tuple] = {}
    shared: list[tuple[int, tuple]] = []

    def place(array: Any, where: tuple) -> None:
        if found.setdefault(id(array), where) is not where:
            shared.append((id(array), where))

    for i, value in enumerate(flat):
        if isinstance(value, Tensor):
            place(value._storage.array, ("arg", i))
    for t in before.tensors:
        place(t._storage.array, ("data", t))
        if t._grad is not None:
            place(t._grad._storage.array, ("grad", t))
    return found, shared


def _epilogue(rec: Recorder, tensors: list, grads_in: dict, versions: list, loads_at) -> list:
    """What the step did to the reachable tensors, as replay exit actions."""
    items: list[tuple] = []
    for t in tensors:
        if not _loaded_as(loads_at, t._storage.array, "data", t):
            items.append(("rebind", t._storage, rec.ref(t._storage.array)))
        old, new = grads_in[id(t)], t._grad
        if new is None:
            if old is not None:
                items.append(("nograd", t))
        elif new is not old or not _loaded_as(loads_at, new._storage.array, "grad", t):
            items.append(("grad", t, new, rec.ref(new._storage.array)))
    seen: set[int] = set()
    for _, counter, version in versions:
        if counter.version != version and id(counter) not in seen:
            seen.add(id(counter))
            items.append(("bump", counter, counter.version - version))
    return items


def _loaded_as(loads_at: dict, array: Any, kind: str, tensor: Tensor) -> bool:
    """Whether ``array`` is what the replay loads as ``tensor``'s data (or grad)."""
    load = loads_at.get(id(array))
    return load is not None and load[0] == kind and load[1] is tensor


def _rng_bytes() -> bytes:
    state = default_generator.get_state()
    return bytes(state._backend.kernels["to_numpy"](state._storage.array))


def flatten_call(args: tuple, kwargs: dict) -> tuple[list, Any]:
    """The call's leaves (tensors and other values) and its structure. A call of plain
    positional tensors (the common step) skips the pytree walk: its structure is their
    count."""
    if not kwargs:
        for a in args:
            if type(a) is not Tensor:
                break
        else:
            return list(args), len(args)
    return tree_flatten((args, kwargs))


__all__ = ["Entry", "capture", "flatten_call", "reason_for"]
