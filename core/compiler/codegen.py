"""Straight-line Python for a program: one generated function per recording.

Interpreting a list of calls costs a loop iteration, a tuple unpacking and a lookup per
argument for every kernel; the generated function is the program written out, each
kernel, constant and tensor it needs bound as a closure variable (a fast local read), and
each intermediate deleted after its last use (so a replay holds no more memory than the
eager step, which frees activations as backward goes). ::

    def replay(A):
        e0 = A[0]._storage.array          # prologue: load inputs and external arrays
        e1 = T0._storage.array
        s0 = K0(e0, e1)                   # body: the kernel calls, in order
        ...
        G0._storage.array = s9; T0._grad = G0   # epilogue: exit bindings
        return (s4, s9)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .program import Program, outs_of, refs_in
from .values import source as expr_source


def _item(value: Any) -> Any:
    """``Tensor.item()``'s unwrapping of a ``tolist`` result."""
    while isinstance(value, list):
        value = value[0]
    return value


class _Names:
    """Closure variables: one name per bound object (by identity)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.values: list[Any] = []
        self._by_id: dict[int, str] = {}

    def bind(self, value: Any, prefix: str) -> str:
        name = self._by_id.get(id(value))
        if name is None:
            name = self._by_id[id(value)] = f"{prefix}{len(self.names)}"
            self.names.append(name)
            self.values.append(value)
        return name


def generate(
    program: Program,
    loads: list[tuple],
    epilogue: list[tuple],
    outputs: list[tuple],
) -> tuple[Callable[[Any], tuple], str]:
    """The replay function and its source. ``loads[j]`` says where external ``j`` comes
    from each replay: ``("arg", i)``, ``("data", tensor)``, ``("grad", tensor)`` or
    ``("const", array)``. ``epilogue``: ``("rebind", storage, ref)``, ``("grad", tensor,
    grad_like, ref)`` (a new ``.grad`` like ``grad_like``, around ``ref``), ``("nograd",
    tensor)``, ``("bump", counter, n)``. ``outputs``: the references the function
    returns, in order."""
    names = _Names()
    extra = [r for item in epilogue for r in _exit_refs(item)] + list(outputs)
    gen = _Gen(program, names, extra)
    lines = [gen.load(j, where) for j, where in enumerate(loads) if gen.used_ext(j)]
    lines += gen.body(program.instrs, kept_slots(epilogue, outputs))
    lines += gen.finish(epilogue, outputs)
    src = function_source("replay", "A", lines, names)
    return run_source(src, names), src


def kept_slots(epilogue: list[tuple], outputs: list[tuple]) -> set[int]:
    """Slots the epilogue or the result read: never deleted early."""
    kept = {r[1] for item in epilogue for r in _exit_refs(item) if r[0] == "slot"}
    return kept | {r[1] for r in outputs if r[0] == "slot"}


def function_source(name: str, params: str, lines: list[str], names: _Names) -> str:
    """``def _make(<bound names>): def <name>(<params>): <lines>; return <name>``."""
    body = "\n".join("        " + line for line in lines)
    return (f"def _make({', '.join(names.names)}):\n    def {name}({params}):\n{body}\n"
            f"    return {name}\n")  # fmt: skip


def run_source(src: str, names: _Names) -> Any:
    """Execute a :func:`function_source` and return the function, its names bound."""
    # Named as a retrograd module: NumPy's IEEE warnings are filtered as in eager ops.
    namespace: dict[str, Any] = {"_item": _item, "__name__": __name__}
    exec(compile(src, "<retrograd.compile replay>", "exec"), namespace)  # noqa: S102
    return namespace["_make"](*names.values)


class _Gen:
    def __init__(self, program: Program, names: _Names, extra: list[tuple]) -> None:
        self.program, self.names = program, names
        self.exprs: dict[int, str] = {}  # id(expr ref) -> a parameter holding its value
        self.inline_reads = False  # a read is the array itself (inside a lowered body)
        used = [r for i in program.instrs for r in _arg_refs(i)] + extra
        self._used_ext = {r[1] for r in used if r[0] == "ext"}

    def used_ext(self, j: int) -> bool:
        return j in self._used_ext

    def load(self, j: int, where: tuple) -> str:
        kind, what = where
        if kind == "arg":
            return f"e{j} = A[{what}]._storage.array"
        if kind == "const":
            return f"e{j} = {self.names.bind(what, 'X')}"
        tensor = self.names.bind(what, "T")
        return f"e{j} = {tensor}{'._grad' if kind == 'grad' else ''}._storage.array"

    def arg(self, ref: tuple) -> str:
        kind = ref[0]
        if kind == "slot":
            return f"s{ref[1]}"
        if kind == "ext":
            return f"e{ref[1]}"
        if kind == "const":
            return self.names.bind(self.program.constants[ref[1]], "c")
        if kind == "seq":
            inner = "".join(self.arg(r) + ", " for r in ref[2])
            return f"[{inner}]" if ref[1] is list else f"({inner})"
        named = self.exprs.get(id(ref))
        return named if named is not None else expr_source(ref[1], self._scalar)

    def _scalar(self, expr: Any) -> str:
        if isinstance(expr, tuple) and self.inline_reads:
            return self.arg(expr[1])
        if isinstance(expr, tuple):  # ("read", ref, kernel)
            return f"_item({self.names.bind(expr[2], 'R')}({self.arg(expr[1])}))"
        return self.names.bind(expr, "c")

    def body(self, instrs: list, kept: set[int]) -> list[str]:
        """The calls of ``instrs``, each slot deleted after its last use (not ``kept``)."""
        last: dict[int, int] = {}
        for n, instr in enumerate(instrs):
            for r in _arg_refs(instr):
                if r[0] == "slot":
                    last[r[1]] = n
        lines = []
        for n, instr in enumerate(instrs):
            args = [self.arg(r) for r in instr.args]
            args += [f"{k}={self.arg(r)}" for k, r in instr.kwargs.items()]
            call = f"{self.names.bind(instr.fn, 'K')}({', '.join(args)})"
            defined = list(outs_of(instr.out))
            dead = []
            if any(s in last or s in kept for s in defined):
                call = f"{self._target(instr.out)} = {call}"
                dead = [s for s in defined if s not in last and s not in kept]
            lines.append(call)
            dead += [r[1] for r in _arg_refs(instr) if r[0] == "slot" and last[r[1]] == n
                     and r[1] not in kept]  # fmt: skip
            if dead:
                lines.append("del " + ", ".join(f"s{s}" for s in sorted(set(dead))))
        return lines

    def finish(self, epilogue: list[tuple], outputs: list[tuple]) -> list[str]:
        lines = [self.exit(item) for item in epilogue]
        return [*lines, f"return ({''.join(self.arg(r) + ', ' for r in outputs)})"]

    def _target(self, out: tuple) -> str:
        if out[0] == "slot":
            return f"s{out[1]}"
        return "(" + "".join(self._target(o) + ", " for o in out[2]) + ")"

    def exit(self, item: tuple) -> str:
        kind = item[0]
        if kind == "rebind":
            return f"{self.names.bind(item[1], 'S')}.array = {self.arg(item[2])}"
        if kind == "grad":  # a new .grad tensor each replay, as eager makes one each step
            tensor, grad = self.names.bind(item[1], "T"), item[2]
            make = self.names.bind(type(grad)._make, "M")
            dtype, backend = self.names.bind(grad._dtype, "d"), self.names.bind(grad._backend, "b")
            return f"{tensor}._grad = {make}({self.arg(item[3])}, {dtype}, {backend})"
        if kind == "nograd":
            return f"{self.names.bind(item[1], 'T')}._grad = None"
        return f"{self.names.bind(item[1], 'S')}._version += {item[2]}"


def _arg_refs(instr: Any) -> list[tuple]:
    return [r for a in (*instr.args, *instr.kwargs.values()) for r in refs_in(a)]


def _exit_refs(item: tuple) -> list[tuple]:
    return [r for r in item[1:] if isinstance(r, tuple) and r and r[0] in ("slot", "ext")]
