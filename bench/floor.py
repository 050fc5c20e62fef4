"""``python -m bench.floor``: what one recorded op costs at the least, in this Python.

A diagnostic for the per-op targets, not a benchmark row. For W2's op (16 float32
values times a Python float) it times, on one thread, in one process:

- the NumPy kernel alone (the limit);
- the *floor*: the kernel plus the objects any Python-level autograd keeps per recorded
  op (a tensor object, a node object and the node's input tuple), built inline with no
  dispatch, no checks and no function call beyond the kernel;
- retrograd's ``y * c`` (dispatch, checks, dtype and device rules, graph recording);
- each also with the cyclic garbage collector paused. Here every result dies at once,
  so the collector has little to do; W2's 1M child shows its share on a long graph.

Every figure is the best of several repeats of ``timeit`` (microseconds per op).
"""

from __future__ import annotations

import gc
import sys
import timeit

import numpy as np
import retrograd as rg

from . import env  # the package pinned threads to one before NumPy loaded


class _Tensor:
    __slots__ = ("array", "dtype", "grad_fn", "requires_grad", "version")


class _Node:
    __slots__ = ("inputs", "saved")


def _floor_op(y: _Tensor, c: float) -> _Tensor:
    out = _Tensor()
    out.array = y.array * c
    out.dtype, out.requires_grad, out.version = y.dtype, False, 0
    node = _Node()
    node.inputs = (y.grad_fn, 0, y.array.shape, y.dtype)
    node.saved = c
    out.grad_fn = node
    return out


def _per_op(stmt: str, scope: dict, number: int = 20_000) -> float:
    best = min(timeit.repeat(stmt, globals=scope, number=number, repeat=7))
    return best / number * 1e6


def measure() -> dict[str, dict[str, float]]:
    c = 1.0000001
    array = np.ones(16, np.float32)
    leaf = _Tensor()
    leaf.array, leaf.dtype, leaf.grad_fn = array, array.dtype, None
    y = rg.ones(16, requires_grad=True) * 1.0
    scope = {"array": array, "c": c, "leaf": leaf, "y": y, "_floor_op": _floor_op}
    rows = {
        "NumPy kernel (the limit)": "array * c",
        "floor: kernel + tensor + node + input tuple": "_floor_op(leaf, c)",
        "retrograd y * c (recorded)": "y * c",
    }
    result: dict[str, dict[str, float]] = {}
    for label, stmt in rows.items():
        result[label] = {"gc on": _per_op(stmt, scope)}
        gc.disable()
        try:
            result[label]["gc paused"] = _per_op(stmt, scope)
        finally:
            gc.enable()
    return result


def main() -> None:
    env.freeze_heap()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, one thread")
    print("| per op, µs | gc on | gc paused |")
    print("|---|---|---|")
    for label, times in measure().items():
        print(f"| {label} | {times['gc on']:.2f} | {times['gc paused']:.2f} |")


if __name__ == "__main__":
    main()
