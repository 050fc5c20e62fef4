"""``retrograd.Size``: a tuple of ints that prints like ``torch.Size``."""

from __future__ import annotations


class Size(tuple):
    """The shape of a tensor: ``Size([2, 3])``; ``numel()`` is the product."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(n) for n in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, key):  # slicing a Size gives a Size, as in PyTorch
        got = tuple.__getitem__(self, key)
        return Size(got) if isinstance(key, slice) else got

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


def sizes_arg(op: str, sizes: tuple) -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` as PyTorch does."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
        sizes = tuple(sizes[0])
    for s in sizes:
        if not isinstance(s, int) or isinstance(s, bool):
            raise TypeError(
                f"{op}(): argument 'size' must be tuple of ints, but found element of "
                f"type {type(s).__name__}"
            )
    return tuple(sizes)
