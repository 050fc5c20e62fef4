"""The NumPy backend's faster kernels give the generic kernels' results bit for bit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from retrograd_backends.kernels import generic_kernels
from retrograd_backends.numpy_fast import fast_kernels

FAST = fast_kernels(np)
GENERIC = generic_kernels(np)
SHAPES = [(), (1,), (2, 2), (3, 4, 5), (64, 10), (7, 0)]
DTYPES = [np.float32, np.float64, np.float16]


def same(got, want) -> None:
    assert type(got) is type(want)
    got, want = np.asarray(got), np.asarray(want)
    assert (got.dtype, got.shape) == (want.dtype, want.shape)
    assert got.tobytes() == want.tobytes()


def sample(shape, dtype, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape) * 100, dtype=dtype)


def axes_of(ndim):
    singles = list(range(-ndim, ndim))
    tuples = [c for n in range(1, ndim + 1) for c in itertools.combinations(range(ndim), n)]
    return [None, *singles, *tuples]


@pytest.mark.filterwarnings("ignore:Mean of empty slice")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_mean(shape, dtype):
    a = sample(shape, dtype)
    for axis, keepdims in itertools.product(axes_of(len(shape)), (False, True)):
        with np.errstate(all="ignore"):
            same(FAST["mean"](a, axis=axis, keepdims=keepdims),
                 GENERIC["mean"](a, axis=axis, keepdims=keepdims))  # fmt: skip


def test_mean_over_many_sums():
    rng = np.random.default_rng(1)
    for _ in range(300):
        a = rng.standard_normal(rng.integers(1, 40, 2)) * 10.0 ** rng.integers(-5, 5)
        for axis in (None, 0, 1):
            same(FAST["mean"](a.astype(np.float32), axis=axis),
                 GENERIC["mean"](a.astype(np.float32), axis=axis))  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
def test_expand_dims_and_permute_dims(shape):
    a = sample(shape, np.float32)
    for axis in [*range(-len(shape) - 1, len(shape) + 1), (0, 1), (0, -1)]:
        got = FAST["expand_dims"](a, axis)
        same(got, GENERIC["expand_dims"](a, axis))
        assert np.shares_memory(got, a) or a.size == 0  # a view, as the generic one
    for perm in itertools.permutations(range(len(shape))):
        same(FAST["permute_dims"](a, perm), GENERIC["permute_dims"](a, perm))
    with pytest.raises(np.exceptions.AxisError):
        FAST["expand_dims"](a, len(shape) + 2)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_threshold_backward_keeps_every_bit(shape, dtype):
    g, r = sample(shape, dtype, 2), sample(shape, dtype, 3)
    if g.size > 3:
        g.flat[:4] = [np.nan, -0.0, np.nan, -5.0]  # nan zeroed, -0.0 kept, nan kept, ...
        r.flat[:4] = [-1.0, 1.0, np.nan, 0.0]  # ... and zeroed at exactly 0
    same(FAST["threshold_backward"](g, r), GENERIC["threshold_backward"](g, r))
    if g.ndim == 2:  # strided inputs
        same(FAST["threshold_backward"](g.T, r.T), GENERIC["threshold_backward"](g.T, r.T))
