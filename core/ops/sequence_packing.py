"""Packing a padded batch of sequences, which PyTorch records as one node
(``PackPaddedSequenceBackward0``): ``torch._pack_padded_sequence``, the op under
``nn.utils.rnn.pack_padded_sequence``.

The packed rows are the time steps one after another, each cut to the ``batch_sizes[t]``
sequences still running. Its gradient puts each step's rows back in place and zeros the
padding (PyTorch's ``_pack_padded_sequence_backward``); both directions are written in
retrograd's own ops (slices, ``cat``, ``stack``), so gradients of any order work.
"""

from __future__ import annotations

from typing import Any

from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .helpers import check_tensor
from .joining import cat, stack
from .record import SHAPE, OpRecord


def _packed_rows(input: Tensor, batch_sizes: tuple[int, ...], batch_first: bool) -> Tensor:
    """The rows of the padded ``input`` that :data:`PACK_PADDED_SEQUENCE` keeps."""
    steps = input.transpose(0, 1) if batch_first else input
    return cat([steps[t, :size] for t, size in enumerate(batch_sizes)], 0)


def unpack_rows(grad: Tensor, shape: Any, batch_sizes: tuple[int, ...], batch_first: bool):
    """The padded tensor of ``shape`` holding the packed rows ``grad`` in place, zeros
    elsewhere (the packing's gradient)."""
    steps, batch = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    rows, offset = [], 0
    for t in range(steps):
        size = batch_sizes[t] if t < len(batch_sizes) else 0
        pad = grad.new_zeros((batch - size, *grad.shape[1:]))
        rows.append(cat([grad[offset : offset + size], pad], 0))
        offset += size
    padded = stack(rows, 0)
    return padded.transpose(0, 1) if batch_first else padded


PACK_PADDED_SEQUENCE = OpRecord(
    "_pack_padded_sequence",
    SHAPE,
    "PackPaddedSequenceBackward0",
    "concat",
    save=("self.shape", "batch_sizes", "batch_first"),
    grads=(unpack_rows,),
    jvp=lambda us, out, shape, sizes, first: _packed_rows(us[0], sizes, first),
    method=False,
    doc="(T, B, *) or (B, T, *) with sorted lengths -> (sum of lengths, *)",
)
RECORDS = (PACK_PADDED_SEQUENCE,)


def _check_lengths(input: Tensor, lengths: list[int], batch_first: bool) -> None:
    """PyTorch's checks, in its order and words."""
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    batch = input.shape[0 if batch_first else 1]
    if len(lengths) != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
            f"(batch_size={batch})"
        )
    if lengths[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if any(a < b for a, b in zip(lengths, lengths[1:])):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX "
            "exportability."
        )


def pack_padded_sequence_rows(input: Tensor, lengths: Any, batch_first: bool) -> Tensor:
    """The packed rows of the padded batch ``input`` whose sequences have ``lengths``
    (host integers, longest first), recorded as ``PackPaddedSequenceBackward0``."""
    check_tensor("_pack_padded_sequence", input, "input")
    lengths = [int(n) for n in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)]
    _check_lengths(input, lengths, batch_first)
    batch_sizes = tuple(sum(1 for n in lengths if n > t) for t in range(lengths[0]))
    with no_grad():
        out = _packed_rows(input, batch_sizes, batch_first).clone()
    params = {"batch_sizes": batch_sizes, "batch_first": bool(batch_first)}
    return finish(PACK_PADDED_SEQUENCE, out._storage.array, input.dtype, input._backend,
                  (input,), params)  # fmt: skip
