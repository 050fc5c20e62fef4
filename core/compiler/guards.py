"""Guards: when a recording may be replayed.

A recording is valid for calls whose inputs have the shapes, dtypes, backends and
``requires_grad`` it saw, under the same grad mode, with non-tensor arguments equal, and
while every object it reached from outside (see :mod:`~retrograd.compiler.sources`) is
still where it was: each edge ``container[key] is child``, each container's length, each
plain value (a learning rate), whether each gradient it reads exists, and that places
which held one array at capture (two tensors, or a tensor and a gradient) still hold one
array. The check is generated code, like the replay (one comparison per line, no loop).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..grad_mode import state as grad_state
from ..tensor import Tensor
from .codegen import _Names
from .sources import PLAIN, Reach


def describe_input(value: Any) -> str:
    if isinstance(value, Tensor):
        return (f"tensor shape={tuple(value.shape)} dtype={value.dtype} "
                f"backend={value.backend.name} requires_grad={value.requires_grad}")  # fmt: skip
    return f"{type(value).__name__} == {value!r}" if isinstance(value, PLAIN) else "object"


def build(
    flat: list, reach: Reach, grad_reads: list[Tensor], aliases: list[tuple] = ()
) -> tuple[Callable[[list], bool], list[str]]:
    """The guard function for inputs ``flat`` and what was reached, and its lines (for
    ``explain``). ``grad_reads``: tensors whose ``.grad`` the recording reads;
    ``aliases``: pairs of places (``("arg", i)``, ``("data", tensor)``, ``("grad",
    tensor)``) that must hold the same array."""
    names = _Names()
    checks = [f"len(A) == {len(flat)}"]
    for i, value in enumerate(flat):
        checks += _input_checks(names, f"A[{i}]", value)
    checks.append(f"{names.bind(grad_state, 'M')}.enabled is {grad_state.enabled}")
    for container, key, child in reach.edges:
        got = (f"{names.bind(container, 'C')}.cell_contents" if key is None
               else f"{names.bind(container, 'C')}[{names.bind(key, 'k')}]")  # fmt: skip
        checks.append(f"{got} is {names.bind(child, 'O')}")
    for container, n in reach.lengths:
        checks.append(f"len({names.bind(container, 'C')}) == {n}")
    for container, key, value in reach.values:
        got = f"{names.bind(container, 'C')}[{names.bind(key, 'k')}]"
        checks.append(f"type({got}) is {names.bind(type(value), 'y')} and "
                      f"{got} == {names.bind(value, 'v')}")  # fmt: skip
    checks += [f"{names.bind(t, 'T')}._grad is not None" for t in grad_reads]
    checks += [f"{_place(names, a)} is {_place(names, b)}" for a, b in aliases]
    body = "".join(f"        if not ({c}): return False\n" for c in checks)
    src = (f"def _make({', '.join(names.names)}):\n    def guard(A):\n"
           f"      try:\n{body.replace('        ', '        ')}"
           "      except Exception:\n        return False\n      return True\n"
           "    return guard\n")  # fmt: skip
    namespace: dict[str, Any] = {}
    exec(compile(src, "<retrograd.compile guard>", "exec"), namespace)  # noqa: S102
    return namespace["_make"](*names.values), checks


def _place(names: _Names, where: tuple) -> str:
    kind, what = where
    if kind == "arg":
        return f"A[{what}]._storage.array"
    grad = "._grad" if kind == "grad" else ""
    return f"{names.bind(what, 'T')}{grad}._storage.array"


def _input_checks(names: _Names, at: str, value: Any) -> list[str]:
    if isinstance(value, Tensor):
        return [
            f"type({at}) is {names.bind(type(value), 'y')}",
            f"{at}._storage.array.shape == {tuple(value._storage.array.shape)!r}",
            f"{at}._dtype is {names.bind(value._dtype, 'd')}",
            f"{at}._backend is {names.bind(value._backend, 'b')}",
            f"{at}.requires_grad is {value.requires_grad}",
        ]
    if isinstance(value, PLAIN):
        return [f"type({at}) is {names.bind(type(value), 'y')} and {at} == "
                f"{names.bind(value, 'v')}"]  # fmt: skip
    return [f"{at} is {names.bind(value, 'o')}"]
