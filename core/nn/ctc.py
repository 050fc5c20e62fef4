"""``F.ctc_loss``: the connectionist temporal classification loss of ``log_probs``
``(T, N, C)`` (or ``(T, C)``) against targets padded ``(N, S)`` or concatenated (1-d),
one ``CtcLossBackward0`` node per call (:mod:`retrograd.ops.ctc_loss`), then reduced as
PyTorch reduces it: ``mean`` divides each loss by its target length (at least 1) before
the batch mean, ``sum`` adds them."""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..creation import tensor, zeros
from ..ops.ctc_loss import ctc_loss_op
from ..ops.elementwise import where
from ..tensor import Tensor

_CHECKED = "(while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(values: Any) -> list[int]:
    if isinstance(values, Tensor):
        return [int(v) for v in values.reshape(-1).tolist()]
    if isinstance(values, int):
        return [values]
    return [int(v) for v in values]


def _targets(targets: Tensor, lengths: list[int]) -> list[list[int]]:
    """Each sample's labels, from padded ``(N, S)`` or concatenated 1-d targets, with
    PyTorch's size checks."""
    flat = [int(v) for v in targets.reshape(-1).tolist()]
    if targets.dim() == 1:
        if sum(lengths) > len(flat):
            raise RuntimeError(
                f"Expected tensor to have size at least {sum(lengths)} at dimension 0, but got "
                f"size {len(flat)} for argument #2 'targets' {_CHECKED}"
            )
        out, start = [], 0
        for n in lengths:
            out.append(flat[start : start + n])
            start += n
        return out
    width = targets.shape[1]
    longest = max([0, *lengths])
    if longest > width:
        raise RuntimeError(
            f"Expected tensor to have size at least {longest} at dimension 1, but got size "
            f"{width} for argument #2 'targets' {_CHECKED}"
        )
    return [flat[i * width : i * width + n] for i, n in enumerate(lengths)]


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss: ``-log p(target | log_probs)`` summed over every alignment of each
    sample's target (labels in ``[0, C)`` but ``blank``) to its first
    ``input_lengths[n]`` steps; infinite where none exists (0 with ``zero_infinity``)."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0)
    if log_probs.dim() != 3:
        raise RuntimeError(
            f"ctc_loss: expected log_probs to be 2-D or 3-D, but got {log_probs.dim()}-D"
        )
    steps, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    inputs, lengths = _lengths(input_lengths), _lengths(target_lengths)
    if len(inputs) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(lengths) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    labels = _targets(targets, lengths)
    for n in inputs:
        if n > steps:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {steps}, but got value {n} "
                f"{_CHECKED}"
            )
    losses = ctc_loss_op(log_probs, labels, inputs, blank, zero_infinity)
    if zero_infinity:  # ATen's where after the node (WhereBackward0)
        zero = zeros((), dtype=losses.dtype, backend=losses.backend)
        losses = where(losses == math.inf, zero, losses)
    if unbatched:
        losses = losses.squeeze(0)
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    sizes = tensor(lengths, dtype=dtypes.int64, backend=log_probs.backend).clamp_min(1)
    return (losses / sizes.reshape(losses.shape).to(losses.dtype)).mean()
