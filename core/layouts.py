"""``retrograd.memory_format``: PyTorch's requests for a tensor's memory layout.

retrograd keeps every tensor's data in its backend's own layout, so the formats are
accepted where PyTorch accepts them (``clone``, ``contiguous``) and change no value:
``contiguous_format`` and ``preserve_format`` are what retrograd does anyway, and
``channels_last`` (``_3d``) asks for a stride order retrograd does not model (the
values are the same), after PyTorch's check of the tensor's rank.
"""

from __future__ import annotations

from typing import Any


class memory_format:  # noqa: N801 - PyTorch's spelling
    """A memory layout request, printed as PyTorch prints it (``torch.channels_last``)."""

    __slots__ = ("name",)

    def __new__(cls, *args: Any, **kwargs: Any) -> memory_format:
        raise TypeError("cannot create 'torch.memory_format' instances")

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickles as the module attribute of that name


def _make(name: str) -> memory_format:
    made = object.__new__(memory_format)
    made.name = name
    return made


contiguous_format = _make("contiguous_format")
preserve_format = _make("preserve_format")
channels_last = _make("channels_last")
channels_last_3d = _make("channels_last_3d")
FORMATS = {f.name: f for f in (contiguous_format, preserve_format, channels_last, channels_last_3d)}
_RANKS = {channels_last: 4, channels_last_3d: 5}


def check_memory_format(op: str, value: Any, rank: int) -> None:
    """PyTorch's refusals of ``memory_format=value`` for ``op`` on a tensor of ``rank``
    dimensions: not a memory format (TypeError), or a channels-last format for a tensor of
    another rank."""
    if not isinstance(value, memory_format):
        raise TypeError(
            f"{op}(): argument 'memory_format' must be torch.memory_format, not "
            f"{type(value).__name__}"
        )
    required = _RANKS.get(value)
    if required is not None and rank != required:
        raise RuntimeError(f"required rank {required} tensor to use {value.name} format")
