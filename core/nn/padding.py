"""``pad``: constant, reflect, replicate and circular padding, by index selection and
concatenation (so gradients come from the engine)."""

from __future__ import annotations

from typing import Any

from ..creation import full, tensor
from ..ops.joining import cat
from ..tensor import Tensor


def _indices(size: int, before: int, after: int, mode: str) -> list[int]:
    """The source index of every position of a padded dim."""
    positions = range(-before, size + after)
    if mode == "replicate":
        return [min(max(i, 0), size - 1) for i in positions]
    if mode == "circular":
        return [i % size for i in positions]
    period = 2 * (size - 1)  # reflect: mirror without repeating the edge
    return [(p if p < size else period - p) for p in (abs(i) % period for i in positions)]


def _constant(x: Tensor, dim: int, before: int, after: int, value: float) -> Tensor:
    if before < 0:
        x = x.narrow(dim, -before, x.shape[dim] + before)
        before = 0
    if after < 0:
        x = x.narrow(dim, 0, x.shape[dim] + after)
        after = 0
    parts = []
    for n in (before, None, after):
        if n is None:
            parts.append(x)
        elif n:
            shape = (*x.shape[:dim], n, *x.shape[dim + 1 :])
            parts.append(full(shape, value, dtype=x.dtype, backend=x.backend))
    return cat(parts, dim) if len(parts) > 1 else x


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (last_before, last_after,
    second_last_before, ...)``, as PyTorch's ``F.pad``."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension"
        )
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    out = input
    for i in range(len(pad) // 2):
        dim, before, after = input.dim() - 1 - i, pad[2 * i], pad[2 * i + 1]
        if mode == "constant":
            out = _constant(out, dim, before, after, 0.0 if value is None else value)
        elif before or after:
            if mode == "reflect" and max(before, after) >= out.shape[dim]:
                raise RuntimeError(
                    f"Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({before}, {after}) at dimension {dim} of "
                    f"input {list(input.shape)}"
                )
            index = tensor(_indices(out.shape[dim], before, after, mode), backend=out.backend)
            out = out.index_select(dim, index)
    return out
