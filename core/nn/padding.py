"""``pad``: constant, reflect, replicate and circular padding, as PyTorch's ``F.pad``.

Constant, reflect and replicate padding are one node each, as PyTorch records them
(:mod:`retrograd.ops.padding`). Circular padding is composed of index selections: PyTorch
composes it of slice copies (its graph ends in ``CopySlices``), a graph retrograd does not
reproduce; the values and gradients are the same."""

from __future__ import annotations

from typing import Any

from ..creation import tensor
from ..ops.axis_maps import make_map
from ..ops.padding import REFLECTION_PADS, REPLICATION_PADS, constant_pad_nd, indexed_pad
from ..tensor import Tensor

_COMBINATIONS = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


def _sources(size: int, before: int, after: int, mode: str) -> list[int]:
    """The input position each position of a padded dim reads."""
    positions = range(-before, size + after)
    if mode == "replicate":
        return [min(max(i, 0), size - 1) for i in positions]
    if mode == "circular":
        return [i % size for i in positions]
    period = 2 * (size - 1)  # reflect: mirror without repeating the edge
    return [(p if p < size else period - p) for p in (abs(i) % period for i in positions)]


def _check_arguments(input: Tensor, pad: Any, mode: str, value: Any) -> None:
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')


def _check_indexed(input: Tensor, pad: list[int], mode: str) -> None:
    """PyTorch's checks of a non-constant padding of the last ``len(pad) // 2`` dims."""
    dims = len(pad) // 2
    if dims not in (1, 2, 3) or input.dim() not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            + _COMBINATIONS
        )
    if mode != "circular" and 0 in input.shape[1:]:
        raise RuntimeError(
            f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with possibly 0 batch "
            f"size and other non-zero dimensions for input, but got: {list(input.shape)}"
        )
    for i in range(dims):
        dim, before, after = input.dim() - 1 - i, pad[2 * i], pad[2 * i + 1]
        size = input.shape[dim]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({before}, {after}) at dimension {dim} of "
                f"input {list(input.shape)}"
            )
        if mode == "circular" and (before > size or after > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + before + after < 0:
            if dims == 1:
                raise RuntimeError(
                    f"input (W: {size}) is too small. Calculated output W: {size + before + after}"
                )
            shape = list(input.shape)
            shape[dim] = size + before + after
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {shape[dim]}: {shape}"
            )


def _circular(input: Tensor, pad: list[int]) -> Tensor:
    """Circular padding: negative amounts crop first; positive ones then wrap around the
    cropped dim, as PyTorch's."""
    out = input
    for i in range(len(pad) // 2):
        dim, before, after = input.dim() - 1 - i, pad[2 * i], pad[2 * i + 1]
        start, stop = max(-before, 0), out.shape[dim] - max(-after, 0)
        if start or stop != out.shape[dim]:
            out = out.narrow(dim, start, stop - start)
        before, after = max(before, 0), max(after, 0)
        if before or after:
            index = _sources(out.shape[dim], before, after, "circular")
            out = out.index_select(dim, tensor(index, backend=out.backend))
    return out


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (last_before, last_after,
    second_last_before, ...)``, as PyTorch's ``F.pad`` (negative amounts crop)."""
    _check_arguments(input, pad, mode, value)
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    pad = [int(p) for p in pad]
    _check_indexed(input, pad, mode)
    if mode == "circular":
        return _circular(input, pad)
    dims = len(pad) // 2
    maps = []
    for i in range(dims):
        size, before, after = input.shape[input.dim() - 1 - i], pad[2 * i], pad[2 * i + 1]
        if before or after:
            sources = _sources(size, before, after, mode)
            terms = [(src, j, 1) for j, src in enumerate(sources)]
            maps.append(make_map(-1 - i, terms, len(sources), size, input))
    pads = REFLECTION_PADS if mode == "reflect" else REPLICATION_PADS
    return indexed_pad(pads[dims], input, maps)
