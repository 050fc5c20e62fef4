"""``arange``, ``linspace`` and ``logspace`` give PyTorch's values to the last bit, on
every backend.

PyTorch's CPU kernels count the first half of the points up from ``start`` and the
second half down from ``end``; linspace rounds each point as one fused multiply-add
(float32, float64, the integer dtypes) or in Half arithmetic (float16), logspace raises
the base to float64 exponents; arange rounds as PyTorch's AVX2 loop does, vector by
vector. NumPy's ``linspace`` differs in the last place for about half of all cases. The
oracle is PyTorch itself, errors included.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for linspace's values")

DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")


def _cases(seed: int, count: int) -> list[tuple[float, float, int]]:
    """Ends of every size (integers, wide and narrow ranges, tiny gaps) and step counts
    of both parities, from one step to thousands."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        a = rng.choice([rng.uniform(-100, 100), float(rng.randint(-10, 10)),
                        rng.uniform(-1, 1) * 10 ** rng.randint(-5, 5)])  # fmt: skip
        b = rng.choice([rng.uniform(-100, 100), float(rng.randint(-10, 10)),
                        a + rng.uniform(0, 1e-3)])  # fmt: skip
        out.append((a, b, rng.choice([0, 1, 2, 3, 5, 7, 10, 11, 33, 100, 257, 1000, 5000])))
    return out


def _outcome(library, function: str, dtype: str, *args):
    """The values as a NumPy array, or the error's type and text."""
    try:
        return getattr(library, function)(*args, dtype=getattr(library, dtype)).numpy()
    except (RuntimeError, NotImplementedError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


def _differing(calls: list[tuple[str, str, tuple]]) -> list[tuple]:
    """The calls whose values (NaN where PyTorch has NaN) or errors differ from PyTorch's."""
    differing = []
    for function, dtype, args in calls:
        ours = _outcome(retrograd, function, dtype, *args)
        theirs = _outcome(torch, function, dtype, *args)
        if isinstance(theirs, str):
            same = ours == theirs  # an end does not fit the dtype: PyTorch's error
        else:
            same = not isinstance(ours, str) and ours.dtype == theirs.dtype
            same = same and np.array_equal(ours, theirs, equal_nan=ours.dtype.kind == "f")
        if not same:
            differing.append((function, dtype, *args))
    return differing


@pytest.mark.parametrize("dtype", DTYPES)
def test_linspace_equals_pytorchs_bit_for_bit(dtype):
    calls = [("linspace", dtype, case) for case in _cases(seed=DTYPES.index(dtype), count=300)]
    assert _differing(calls) == []


@pytest.mark.parametrize("dtype", DTYPES)
def test_logspace_equals_pytorchs_bit_for_bit(dtype):
    """Bases below one, negative (NaN at fractional exponents) and one; exponents up to
    hundreds, so that values overflow the narrow dtypes (PyTorch's errors)."""
    rng = random.Random(100 + DTYPES.index(dtype))
    calls = []
    for a, b, n in _cases(seed=100 + DTYPES.index(dtype), count=200):
        base = rng.choice([10.0, 2.0, math.e, 3.5, 0.5, -2.0, 1.0])
        scale = rng.choice([0.05, 1.0, 4.0])  # exponents within +-5, +-100 or +-400
        calls.append(("logspace", dtype, (a * scale, b * scale, n, base)))
    assert _differing(calls) == []


@pytest.mark.parametrize("dtype", DTYPES)
def test_arange_equals_pytorchs_bit_for_bit(dtype):
    """Ends and steps of every size and sign, Python ints among them (an integer dtype
    truncates them), lengths from none to thousands (whole vector pairs and a tail)."""
    rng = random.Random(200 + DTYPES.index(dtype))
    calls = []
    for _ in range(300):
        a = rng.choice([rng.uniform(-10, 10), float(rng.randint(-10, 10)), rng.randint(-10, 10),
                        rng.uniform(-1e6, 1e6)])  # fmt: skip
        step = rng.choice([0.1, 0.5, 0.7, 1, 1.5, 2, -1, -0.5, 3, rng.uniform(-4, 4), 0])
        b = a + step * rng.uniform(-2, 3000) if step else a + 3
        calls.append(("arange", dtype, (a, b if rng.random() > 0.02 else math.inf, step)))
    assert _differing(calls) == []


def test_numpys_rounding_differs_from_pytorchs_in_these_cases():
    """The cases above are not all easy ones: NumPy's linspace misses many of them."""
    misses = sum(
        not np.array_equal(np.linspace(a, b, n), torch.linspace(a, b, n, dtype=torch.float64))
        for a, b, n in _cases(seed=0, count=300)
    )
    assert misses > 50
    assert _differing([("linspace", "float64", case) for case in _cases(seed=0, count=300)]) == []


@pytest.mark.parametrize(
    ("a", "b", "n"),
    [(0.0, float("inf"), 3), (-float("inf"), float("inf"), 5), (1.0, 1.0, 4), (0.0, 1.0, 1),
     (3.0, 1.0, 2), (-0.0, 0.0, 3), (0.0, -0.0, 4), (float("nan"), 1.0, 4)],
)  # fmt: skip
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_infinities_nan_and_signed_zeros_as_pytorch(a, b, n, dtype):
    ours = retrograd.linspace(a, b, n, dtype=getattr(retrograd, dtype)).numpy()
    theirs = torch.linspace(a, b, n, dtype=getattr(torch, dtype)).numpy()
    np.testing.assert_array_equal(ours, theirs)
    finite = ~np.isnan(theirs)
    assert (np.signbit(ours) == np.signbit(theirs))[finite].all()


def test_tensor_ends_and_the_errors_are_pytorchs():
    ours = retrograd.linspace(retrograd.tensor(0.5), retrograd.tensor(2.0), 4)
    np.testing.assert_array_equal(ours.numpy(), torch.linspace(0.5, 2.0, 4).numpy())
    with pytest.raises(NotImplementedError, match="\"linspace_cpu\" not implemented for 'Bool'"):
        retrograd.linspace(0, 1, 3, dtype=retrograd.bool)
    with pytest.raises(RuntimeError, match="value cannot be converted to type c10::Half"):
        retrograd.linspace(0, 1e6, 3, dtype=retrograd.float16)
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        retrograd.linspace(0, 1, -1)


@pytest.mark.parametrize("backend", ["jax", "dask"])
def test_every_backend_holds_the_same_values(backend):
    pytest.importorskip(backend, reason=f"{backend} is not installed")
    for a, b, n in _cases(seed=9, count=20):
        for dtype in ("float64", "float32", "int64"):
            d = getattr(retrograd, dtype)
            # logspace's exponents within +-4, its values within int64
            pairs = ((retrograd.linspace, a, b), (retrograd.logspace, a / 25, b / 25))
            for make, lo, hi in pairs:
                there = make(lo, hi, n, dtype=d, backend=backend)
                assert there.backend.name == backend and there.dtype is d
                here = make(lo, hi, n, dtype=d, backend="numpy")
                np.testing.assert_array_equal(there.numpy(), here.numpy())
            steps = retrograd.arange(a, a + 7.3 * n, 7.3, dtype=d, backend=backend)
            assert steps.backend.name == backend
            np.testing.assert_array_equal(
                steps.numpy(), retrograd.arange(a, a + 7.3 * n, 7.3, dtype=d).numpy()
            )
