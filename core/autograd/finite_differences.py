"""Finite differences for gradcheck: numerical Jacobians and directional derivatives.

``numerical_jacobian`` perturbs one input element at a time by ``eps`` and takes central
differences, ``(f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``: column ``k`` of the Jacobian,
laid out as PyTorch's gradcheck lays it out (rows are input elements, columns output
elements). ``central_difference`` does the same along any direction (fast mode's ``u``).
Perturbed inputs are new tensors: the caller's are never written to.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .. import grad_mode
from ..creation import tensor as _tensor
from ..creation import zeros
from ..ops.joining import stack
from ..tensor import Tensor


def _as_tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _evaluate(fn: Callable, inputs: tuple, idx: int, value: Tensor) -> tuple:
    """``fn`` with input ``idx`` replaced by ``value``: its outputs, without history."""
    args = list(inputs)
    args[idx] = value.requires_grad_(True)
    return tuple(o.detach().clone() for o in _as_tuple(fn(*args)) if isinstance(o, Tensor))


def central_difference(fn: Callable, inputs: tuple, idx: int, delta: Tensor, eps: float):
    """``(f(x + delta) - f(x - delta)) / (2 eps)`` for each output, flattened."""
    x = inputs[idx].detach()
    with grad_mode.no_grad():
        minus, plus = x - delta, x + delta
    before, after = _evaluate(fn, inputs, idx, minus), _evaluate(fn, inputs, idx, plus)
    for a, b in zip(before, after, strict=True):
        _check_same_dtype_and_shape(a, b, eps)
    return [((b - a) / (2 * eps)).reshape(-1) for a, b in zip(before, after, strict=True)]


def _check_same_dtype_and_shape(a: Tensor, b: Tensor, eps: float) -> None:
    if a.shape != b.shape:
        raise AssertionError(
            "Expected `func` to return outputs with the same shape when inputs are perturbed "
            f"by {eps}, but got: shapes {a.shape} and {b.shape}."
        )
    if a.dtype != b.dtype:
        raise AssertionError(
            "Expected `func` to return outputs with the same dtype when inputs are perturbed "
            f"by {eps}, but got: dtypes {a.dtype} and {b.dtype}."
        )


def numerical_jacobian(fn: Callable, inputs: tuple, idx: int, eps: float) -> list[Tensor]:
    """For input ``idx``: one ``(input.numel(), output.numel())`` matrix per output."""
    x = inputs[idx]
    columns: list[list[Tensor]] = []
    for k in range(x.numel()):
        delta = zeros(x.numel(), dtype=x.dtype, backend=x.backend)
        delta[k] = eps
        columns.append(central_difference(fn, inputs, idx, delta.view(x.shape), eps))
    if not columns:
        return []
    return [stack([col[o] for col in columns], 0) for o in range(len(columns[0]))]


def unit_vector(n: int, like: Tensor, rng: random.Random) -> Tensor:
    """A random vector of ``n`` non-negative entries and norm 1, on ``like``'s backend."""
    values = [rng.random() for _ in range(n)]
    vec = _tensor(values, dtype=like.dtype, backend=like.backend)
    return vec / vec.norm() if n else vec
