"""``conv1d``, ``conv2d``, ``conv3d``: sliding windows (strided slices, stacked) times
the weight as one batched matrix product per group; every backend runs it, and the
gradients come from the engine (PyTorch records one ConvolutionBackward0 node instead)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .padding import pad as pad_fn
from .windows import ntuple, out_size, windows


def _check_input(name: str, input: Tensor, weight: Tensor, groups: int) -> None:
    dims = weight.dim() - 2
    if input.dim() != dims + 2:
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but "
            f"got input of size: {list(input.shape)}"
        )
    if input.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, but got "
            f"{input.shape[1]} channels instead"
        )


def _same_padding(kernel: tuple, dilation: tuple) -> list[int]:
    """``F.pad`` amounts for ``padding="same"`` (the odd extra goes after, as PyTorch)."""
    amounts: list[int] = []
    for k, d in reversed(list(zip(kernel, dilation))):
        total = d * (k - 1)
        amounts += [total // 2, total - total // 2]
    return amounts


def _padded(input: Tensor, padding: Any, kernel: tuple, dilation: tuple) -> Tensor:
    dims = len(kernel)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(
                f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}"
            )
        if padding == "valid":
            return input
        return pad_fn(input, _same_padding(kernel, dilation))
    amounts = ntuple(padding, dims)
    if not any(amounts):
        return input
    return pad_fn(input, [p for a in reversed(amounts) for p in (a, a)])


def _check_fits(spatial: tuple, kernel: tuple, dilation: tuple) -> None:
    if any(d * (k - 1) + 1 > n for k, d, n in zip(kernel, dilation, spatial)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, spatial))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater "
            "than actual input size"
        )


def _correlate(x: Tensor, weight: Tensor, stride: tuple, dilation: tuple, groups: int):
    """The cross-correlation of the padded, batched ``x`` with ``weight``: the windows
    ``(N, C, K, *out)`` as ``(N, G, C/G * K, L)``, times the weight as ``(G, O/G,
    C/G * K)``, one batched matrix product."""
    kernel, spatial = tuple(weight.shape[2:]), tuple(x.shape[2:])
    _check_fits(spatial, kernel, dilation)
    out = tuple(
        out_size(n, k, s, 0, d, False) for n, k, s, d in zip(spatial, kernel, stride, dilation)
    )
    length = 1
    for o in out:
        length *= o
    cols = windows(x, kernel, stride, dilation, out).reshape(x.shape[0], groups, -1, length)
    w = weight.reshape(groups, weight.shape[0] // groups, -1)
    return w.matmul(cols).reshape(x.shape[0], weight.shape[0], *out)


def _conv(
    name: str,
    input: Tensor,
    weight: Tensor,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Tensor:
    dims = weight.dim() - 2
    unbatched = input.dim() == dims + 1
    if unbatched:
        input = input.unsqueeze(0)
    _check_input(name, input, weight, groups)
    stride, dilation = ntuple(stride, dims), ntuple(dilation, dims)
    if isinstance(padding, str) and padding == "same" and any(s != 1 for s in stride):
        raise ValueError("padding='same' is not supported for strided convolutions")
    x = _padded(input, padding, tuple(weight.shape[2:]), dilation)
    result = _correlate(x, weight, stride, dilation, groups)
    if bias is not None:
        result = result + bias.reshape(-1, *([1] * dims))
    return result.squeeze(0) if unbatched else result


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-d cross-correlation of ``(N, C, L)`` (or ``(C, L)``) with ``(O, C/groups, k)``."""
    return _conv("conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-d cross-correlation of ``(N, C, H, W)`` with ``(O, C/groups, kh, kw)``."""
    return _conv("conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-d cross-correlation of ``(N, C, D, H, W)`` with ``(O, C/groups, kd, kh, kw)``."""
    return _conv("conv3d", input, weight, bias, stride, padding, dilation, groups)
