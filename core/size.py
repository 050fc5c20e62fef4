"""``retrograd.Size``: a tuple of ints that prints like ``torch.Size``."""

from __future__ import annotations

import operator


class Size(tuple):
    """The shape of a tensor: ``Size([2, 3])``; ``numel()`` is the product. Its items
    are ints (NumPy integers, bools and 0-d integer tensors become ints); anything else
    is PyTorch's TypeError."""

    __slots__ = ()

    def __new__(cls, sizes: object = ()) -> Size:
        items = tuple(sizes)  # type: ignore[arg-type] # not iterable: Python's TypeError
        if all(type(n) is int for n in items):
            return tuple.__new__(cls, items)
        return tuple.__new__(cls, [_as_int(i, n) for i, n in enumerate(items)])

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
        return new_size(Size, got) if isinstance(key, slice) else got

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


def _as_int(i: int, n: object) -> int:
    try:
        if not isinstance(n, float):
            return operator.index(n)  # type: ignore[arg-type]
    except TypeError:
        pass
    raise TypeError(
        f"torch.Size() takes an iterable of 'int' (item {i} is '{type(n).__name__}')"
    ) from None


# ``new_size(Size, shape)``: a Size of a shape already made of ints (an array's), with
# no check: the hot path of ``Tensor.shape``.
new_size = tuple.__new__


def sizes_arg(op: str, sizes: tuple, name: str = "size") -> tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` as PyTorch does, with its
    TypeErrors: argument ``name`` of ``op`` is neither an int nor a sequence, or holds
    something that is not an int (NumPy integers are ints)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
        sizes = tuple(sizes[0])
    elif len(sizes) > 1 and isinstance(sizes[0], (tuple, list)):  # ``zeros((2,), 3)``
        raise TypeError(f"{op}() takes 1 positional argument but {len(sizes)} were given")
    elif len(sizes) == 1 and not _is_int(sizes[0]):
        raise TypeError(
            f"{op}(): argument '{name}' (position 1) must be tuple of ints, not "
            f"{type(sizes[0]).__name__}"
        )
    for i, s in enumerate(sizes):
        if not _is_int(s):
            raise TypeError(
                f"{op}(): argument '{name}' failed to unpack the object at pos {i + 1} with "
                f'error "type must be tuple of ints,but got {type(s).__name__}"'
            )
    return tuple(int(s) for s in sizes)


def _is_int(value: object) -> bool:
    if isinstance(value, int):
        return not isinstance(value, bool)
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    return type(value).__module__ == "numpy" and kind in "iu" and kind != ""
