"""``retrograd.nn.utils.rnn``: PyTorch's packed sequences (``PackedSequence``) and the
functions that pad, pack and unpack batches of sequences of different lengths.

A packed sequence holds the time steps of a batch sorted by length, longest first, one
after another: ``data`` is ``(sum of lengths, *)`` and ``batch_sizes[t]`` says how many
sequences are still running at step ``t``. Lengths and batch sizes are host values, as in
PyTorch (its ``batch_sizes`` always live on the CPU).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from ... import dtypes
from ...creation import full
from ...creation import tensor as make_tensor
from ...ops.sequence_packing import pack_padded_sequence_rows
from ...tensor import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedFields):
    """A batch of sequences packed by :func:`pack_padded_sequence` or
    :func:`pack_sequence` (a named tuple ``(data, batch_sizes, sorted_indices,
    unsorted_indices)``); the recurrent modules take and return it. ``unsorted_indices``
    defaults to the inverse of ``sorted_indices``."""

    def __new__(
        cls,
        data: Any,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), ...)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data`` (and the indices, to its backend) converted by ``Tensor.to``;
        ``batch_sizes`` stays where it is."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = kwargs.get("device", data.device)
        indices = [None if i is None else i.to(move) for i in self[2:]]
        return type(self)(data, self.batch_sizes, *indices)

    def cpu(self) -> PackedSequence:
        return self.to("cpu")

    def double(self) -> PackedSequence:
        return self.to(dtype=dtypes.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=dtypes.float32)

    @property
    def is_cuda(self) -> bool:
        return self.data.device.type == "cuda"


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (``None`` stays ``None``)."""
    if permutation is None:
        return None
    order = [int(i) for i in permutation.tolist()]
    inverse = [0] * len(order)
    for position, index in enumerate(order):
        inverse[index] = position
    return _indices(inverse, permutation)


def _indices(values: list[int], like: Tensor) -> Tensor:
    return make_tensor(values, dtype=dtypes.int64, backend=like.backend)


def _host_lengths(lengths: Any) -> list[int]:
    values = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    return [int(v) for v in values]


def pack_padded_sequence(
    input: Tensor, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack the padded batch ``input`` (``(T, B, *)``, or ``(B, T, *)`` when
    ``batch_first``) of sequences of ``lengths``. With ``enforce_sorted`` the lengths
    must decrease; otherwise the batch is sorted first (a stable sort, longest first) and
    the order is kept in ``sorted_indices``."""
    lengths = _host_lengths(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        lengths = [lengths[i] for i in order]
        sorted_indices = _indices(order, input)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data = pack_padded_sequence_rows(input, lengths, batch_first)
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(lengths[0])]
    return PackedSequence(data, make_tensor(batch_sizes, dtype=dtypes.int64), sorted_indices)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """Undo :func:`pack_padded_sequence`: the padded batch (``total_length`` steps when
    given) in the original order, and the lengths (int64)."""
    batch_sizes = _host_lengths(sequence.batch_sizes)
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
        steps = total_length
    data = sequence.data
    padded = full((steps, batch_sizes[0], *data.shape[1:]), padding_value, dtype=data.dtype,
                  backend=data.backend)  # fmt: skip
    offset = 0
    for t, size in enumerate(batch_sizes):
        padded[t, :size] = data[offset : offset + size]
        offset += size
    lengths = [sum(1 for size in batch_sizes if size > b) for b in range(batch_sizes[0])]
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is None:
        return padded, make_tensor(lengths, dtype=dtypes.int64)
    order = [int(i) for i in sequence.unsorted_indices.tolist()]
    padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
    return padded, make_tensor([lengths[i] for i in order], dtype=dtypes.int64)


def pad_sequence(
    sequences: Any,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack the sequences ``L_i x *`` into ``T x B x *`` (``B x T x *`` when
    ``batch_first``), padded with ``padding_value`` after them (before them, with
    ``padding_side="left"``) to the longest length ``T``."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    longest, first = max(s.shape[0] for s in sequences), sequences[0]
    shape = (len(sequences), longest) if batch_first else (longest, len(sequences))
    out = full((*shape, *first.shape[1:]), padding_value, dtype=first.dtype,
               backend=first.backend)  # fmt: skip
    for i, seq in enumerate(sequences):
        start = longest - seq.shape[0] if padding_side == "left" else 0
        steps = slice(start, start + seq.shape[0])
        out[(i, steps) if batch_first else (steps, i)] = seq
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list:
    """The sequences of a padded batch, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences, _host_lengths(lengths))]


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``L_i x *`` (:func:`pad_sequence`, then
    :func:`pack_padded_sequence`)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences a :class:`PackedSequence` holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
