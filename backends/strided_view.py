"""``view``: a reshape that never copies, decided by NumPy's rule on every strided library.

PyTorch's ``view`` and NumPy's ``reshape(copy=False)`` agree on which shapes a strided
array can take without a copy: the new shape must split or merge only runs of axes that
are contiguous with each other. :func:`nocopy_strides` is that rule, written from its
definition in plain Python over (shape, strides), so a library whose own no-copy reshape
differs in an edge case (CuPy's) refuses exactly the views NumPy and PyTorch refuse;
tests/test_strided_view.py checks it against NumPy on every layout of small arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _groups(old: list[int], new: list[int]) -> list[tuple[int, int, int, int]]:
    """Pair runs of old and new axes with equal products: ``(o0, o1, n0, n1)`` means old
    axes ``o0:o1`` hold the same elements as new axes ``n0:n1``. Sizes are all > 1."""
    groups, oi, ni = [], 0, 0
    while oi < len(old) and ni < len(new):
        oj, nj, po, pn = oi + 1, ni + 1, old[oi], new[ni]
        while po != pn:
            if po < pn:
                po, oj = po * old[oj], oj + 1
            else:
                pn, nj = pn * new[nj], nj + 1
        groups.append((oi, oj, ni, nj))
        oi, ni = oj, nj
    return groups


def nocopy_strides(
    shape: tuple[int, ...], strides: tuple[int, ...], itemsize: int, newshape: tuple[int, ...]
) -> tuple[int, ...] | None:
    """The strides of the array of ``shape``/``strides`` seen with ``newshape`` (same
    number of elements, C order), or None where that needs a copy."""
    if 0 in shape:  # no elements: any layout will do
        out, step = [], itemsize
        for n in reversed(newshape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))
    kept = [(n, s) for n, s in zip(shape, strides) if n != 1]
    old, old_strides = [n for n, _ in kept], [s for _, s in kept]
    big = [i for i, n in enumerate(newshape) if n != 1]
    new = [newshape[i] for i in big]
    out_big = [0] * len(new)
    for o0, o1, n0, n1 in _groups(old, new):
        if any(old_strides[k] != old[k + 1] * old_strides[k + 1] for k in range(o0, o1 - 1)):
            return None  # the old axes of this run are not contiguous with each other
        step = old_strides[o1 - 1]
        for k in range(n1 - 1, n0 - 1, -1):
            out_big[k] = step
            step *= new[k]
    # Axes of size 1 may have any stride; NumPy's choice: the next larger axis's extent,
    # and after the last larger axis, that axis's stride.
    result, last, j = [], out_big[-1] if big else itemsize, len(big) - 1
    for i in range(len(newshape) - 1, -1, -1):
        if j >= 0 and big[j] == i:
            last = out_big[j] * newshape[i]
            result.append(out_big[j])
            j -= 1
        else:
            result.append(last)
    return tuple(reversed(result))


def strided_view(as_strided: Callable[..., Any]) -> Callable[..., Any]:
    """The ``view`` kernel for a strided library: ``as_strided(a, shape, strides)`` with
    :func:`nocopy_strides`, ValueError where the view cannot exist (as NumPy's)."""

    def view(a: Any, shape: tuple[int, ...]) -> Any:
        strides = nocopy_strides(tuple(a.shape), tuple(a.strides), a.itemsize, tuple(shape))
        if strides is None:
            raise ValueError(f"cannot view an array of shape {a.shape} as {shape} without a copy")
        return as_strided(a, shape=tuple(shape), strides=strides)

    return view
