"""The recorder: a plugin that sees every kernel call of a step and writes the program.

It is a pluggy hook *wrapper* around ``retrograd_kernels`` (as the kernel tracer is): while
registered, every backend's kernel table holds wrappers that call the real kernel and
append an :class:`~retrograd.compiler.program.Instr`. Arrays are told apart by identity:
an array a recorded call returned is a slot; any other array is external. The recorder
holds produced arrays only weakly (a dead array's id may be reused, so its entry goes
with it) and never adds a strong reference the engine's copy-or-steal decision for a
leaf's ``.grad`` would count.

Kernels that hand tensor data to Python (``tolist``, ``to_numpy``...) or whose result's
shape depends on the data break the graph (:mod:`~retrograd.compiler.breaks`), except a
library step count read through :func:`retrograd.scalar_reads.step_count`, which becomes a
:class:`~retrograd.compiler.values.ProgramScalar`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

from ..hooks import install_observer
from ..plugins import register, unregister
from ..plugins.registry import hookimpl, merge_kernels
from ..scalar_reads import install_reader
from .breaks import Unsupported, reason_for
from .program import Instr, Program
from .values import ProgramScalar

# Answers that depend only on shapes and layout, which the guards fix: not recorded.
METADATA = frozenset({"is_contiguous", "has_internal_overlap", "pi"})
# Kernels that move tensor data into Python, and what the user called to get there.
HOST_READS = {
    "tolist": ".item(), .tolist(), bool() or a comparison in Python",
    "to_numpy": ".numpy(), printing or NumPy conversion",
    "to_bytes": "reading the bytes",
    "byte_address": ".data_ptr()",
}
DATA_SHAPED = frozenset({"nonzero"})  # output shape depends on the values


def is_array(value: Any) -> bool:
    return hasattr(value, "dtype") and hasattr(value, "shape") and not isinstance(value, type)


class Recorder:
    """Registered for the length of one capture (a context manager)."""

    def __init__(self, fullgraph: bool) -> None:
        self.program = Program()
        self.fullgraph = fullgraph
        self.broken: str | None = None
        self._slot_of: dict[int, int] = {}
        self._ext_of: dict[int, int] = {}
        self._const_of: dict[int, int] = {}
        self._weak: list[Any] = []
        self._strong: list[Any] = []  # values that cannot be weakly referenced
        self._reading = False
        self._old_reader: Any = None
        self._old_observer: Any = None

    # -- plugin ------------------------------------------------------------------------
    @hookimpl(wrapper=True)
    def retrograd_kernels(self, backend: Any) -> Iterator[None]:
        """Wrap every kernel of ``backend``'s resolved table (after the other plugins)."""
        results = yield
        table = merge_kernels(backend.base_kernels, results)
        wrapped = {name: self._wrap(name, fn, backend) for name, fn in table.items()}
        return [wrapped, *results]

    def _wrap(self, name: str, kernel: Callable[..., Any], backend: Any) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            if self.broken is None and name not in METADATA:
                self._check(name)
            # Kernels get plain floats: NumPy types a float subclass as float64, not as a
            # weak Python scalar, which would change the result's rounding.
            plain = tuple(float(a) if type(a) is ProgramScalar else a for a in args)
            out = kernel(*plain, **kwargs)
            if self.broken is None and name not in METADATA and not self._reading:
                self._record(name, kernel, args, kwargs, out, backend)
            return out

        recorded.__wrapped__ = kernel
        return recorded

    def __enter__(self) -> Recorder:
        register(self)
        self._old_reader = install_reader(self.read_step)
        self._old_observer = install_observer(self._hook_runs)
        return self

    def __exit__(self, *exc: Any) -> None:
        install_observer(self._old_observer)
        install_reader(self._old_reader)
        unregister(self)

    def _hook_runs(self, hook: Any) -> None:
        """A user's hook runs during backward: its Python (a print, a list append, a
        branch on a value) would not run in a replay."""
        if self.broken is None:
            name = getattr(hook, "__qualname__", None) or type(hook).__name__
            self.brk(f"a hook ran during backward ({name})")

    # -- breaks --------------------------------------------------------------------------
    def _check(self, name: str) -> None:
        if name in HOST_READS and not self._reading:
            self.brk(f"data-dependent read of a tensor into Python ({HOST_READS[name]})")
        elif name in DATA_SHAPED:
            self.brk(f"an output shape that depends on tensor values ({name})")

    def brk(self, what: str) -> None:
        """Stop recording: the call finishes eagerly; under fullgraph, raise."""
        reason = reason_for(what)
        if self.fullgraph:
            raise Unsupported(f"{reason} (fullgraph=True forbids graph breaks)")
        self.broken = reason

    def read_step(self, tensor: Any) -> Any:
        """The scalar reader of :mod:`retrograd.scalar_reads` while recording."""
        self._reading = True
        try:
            value = tensor.item()
        finally:
            self._reading = False
        if self.broken is not None or type(value) is not float:
            return value
        read = tensor._backend.kernels["tolist"]
        read = getattr(read, "__wrapped__", read)
        return ProgramScalar(value, ("read", self.ref(tensor._storage.array), read))

    # -- references ------------------------------------------------------------------------
    def ref(self, value: Any) -> tuple:
        """The reference by which the program will find ``value``."""
        if isinstance(value, ProgramScalar):
            return ("expr", value.expr)
        if is_array(value):
            slot = self._slot_of.get(id(value))
            return ("slot", slot) if slot is not None else ("ext", self._external(value))
        if type(value) in (list, tuple) and any(is_array(v) for v in value):
            return ("seq", type(value), tuple(self.ref(v) for v in value))
        return ("const", self._constant(value))

    def _external(self, array: Any) -> int:
        j = self._ext_of.get(id(array))
        if j is None:
            j = self._ext_of[id(array)] = len(self.program.externals)
            self.program.externals.append(array)
        return j

    def _constant(self, value: Any) -> int:
        k = self._const_of.get(id(value))
        if k is None or self.program.constants[k] is not value:
            k = self._const_of[id(value)] = len(self.program.constants)
            self.program.constants.append(value)
        return k

    def _define(self, value: Any) -> Any:
        if is_array(value):
            slot = self.program.slots
            self.program.slots += 1
            key = id(value)
            self._slot_of[key] = slot
            try:
                self._weak.append(weakref.ref(value, lambda _, k=key, s=slot: self._forget(k, s)))
            except TypeError:
                self._strong.append(value)
            return ("slot", slot)
        if type(value) in (list, tuple) and any(is_array(v) for v in value):
            return ("unpack", type(value), tuple(self._define(v) for v in value))
        if value is None:
            return None
        return ("value", value)

    def _forget(self, key: int, slot: int) -> None:
        if self._slot_of.get(key) == slot:
            del self._slot_of[key]

    def _record(self, name: str, fn: Any, args: tuple, kwargs: dict, out: Any, backend: Any):
        refs = tuple(self.ref(a) for a in args)
        kwrefs = {k: self.ref(v) for k, v in kwargs.items()}
        defined = self._define(out)
        if defined is not None and defined[0] == "value":
            # A Python value the step may branch on: a constant only if it is not data.
            self.brk(f"kernel '{name}' returned a Python {type(out).__name__} to Python")
            return
        fresh = _fresh(out, (*args, *kwargs.values()))
        layout = {}
        if is_array(out):
            flags = getattr(out, "flags", None)
            layout = {"shape": tuple(out.shape), "dtype": out.dtype,
                      "c_contiguous": getattr(flags, "c_contiguous", True)}  # fmt: skip
        self.program.instrs.append(Instr(name, fn, refs, kwrefs, defined, backend, fresh, **layout))


def _fresh(out: Any, args: tuple) -> bool:
    """Whether ``out`` is a new array: it owns its memory (``base`` is None: NumPy, CuPy;
    an array without ``base`` cannot tell) and is none of ``args``."""
    if not is_array(out) or getattr(out, "base", False) is not None:
        return False
    return all(out is not a for a in args)
