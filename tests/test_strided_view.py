"""The no-copy reshape rule that strided backends share (retrograd_backends.strided_view)
is NumPy's: on every layout of small arrays (transposes, slices with steps, negative
steps, broadcast axes, size-0 and size-1 axes) it refuses what NumPy refuses and gives
NumPy's strides otherwise (on the axes where strides mean something: not those of size 1,
not those of an array without elements)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from retrograd_backends.strided_view import nocopy_strides, strided_view


def _layouts():
    base = np.arange(24, dtype=np.float32)
    yield base.reshape(2, 3, 4)
    yield base.reshape(2, 3, 4).transpose(1, 0, 2)
    yield base.reshape(2, 3, 4).transpose(2, 1, 0)
    yield base.reshape(4, 6)[:, ::2]
    yield base.reshape(4, 6)[::-1]
    yield base.reshape(4, 6)[1:3, 1:]
    yield base.reshape(2, 1, 12)
    yield base.reshape(6, 4).T[None]
    yield np.broadcast_to(base[:4], (3, 4))
    yield np.broadcast_to(base[:1].reshape(1, 1), (2, 3))
    yield np.zeros((0, 3), np.float32)
    yield base[:1].reshape(1, 1)


def _meaningful(strides, shape):
    if strides is None or 0 in shape:
        return strides is None
    return tuple(s for s, n in zip(strides, shape) if n != 1)


def _shapes(n: int):
    """Every shape of 1-3 axes with ``n`` elements, size-1 axes included."""
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [0]
    for ndim in (1, 2, 3):
        for dims in itertools.product([*divisors, 0, 1], repeat=ndim):
            if int(np.prod(dims)) == n:
                yield dims


@pytest.mark.parametrize("a", list(_layouts()), ids=lambda a: f"{a.shape}{a.strides}")
def test_the_rule_is_numpys(a):
    checked = 0
    for shape in _shapes(a.size):
        try:
            expected = np.reshape(a, shape, copy=False).strides
        except ValueError:
            expected = None
        got = nocopy_strides(a.shape, a.strides, a.itemsize, shape)
        assert _meaningful(got, shape) == _meaningful(expected, shape), f"{a.strides} -> {shape}"
        checked += 1
    assert checked > 3


def test_the_kernel_views_or_refuses():
    view = strided_view(np.lib.stride_tricks.as_strided)
    a = np.arange(6.0).reshape(2, 3)
    v = view(a, (3, 2))
    v[0, 0] = 7
    assert a[0, 0] == 7 and v.tolist() == [[7, 1], [2, 3], [4, 5]]
    with pytest.raises(ValueError, match="without a copy"):
        view(a.T, (6,))
