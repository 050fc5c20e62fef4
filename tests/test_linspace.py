"""``linspace`` gives PyTorch's values to the last bit, on every backend.

PyTorch's CPU kernel counts the first half of the points up from ``start`` and the
second half down from ``end``, each point one fused multiply-add (float32, float64 and
the integer dtypes) or two Half roundings (float16); NumPy's ``linspace`` differs from it
in the last place for about half of all cases. The oracle is PyTorch itself.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for linspace's values")

DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8")


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


def _outcome(library, a: float, b: float, n: int, dtype: str):
    """The values as a NumPy array, or the RuntimeError's text."""
    try:
        return library.linspace(a, b, n, dtype=getattr(library, dtype)).numpy()
    except RuntimeError as error:
        return str(error)


@pytest.mark.parametrize("dtype", DTYPES)
def test_values_equal_pytorchs_bit_for_bit(dtype):
    differing = []
    for a, b, n in _cases(seed=DTYPES.index(dtype), count=300):
        ours, theirs = _outcome(retrograd, a, b, n, dtype), _outcome(torch, a, b, n, dtype)
        if isinstance(theirs, str):
            same = ours == theirs  # start or end does not fit the dtype: PyTorch's error
        else:
            same = not isinstance(ours, str) and ours.dtype == theirs.dtype
            same = same and np.array_equal(ours, theirs)
        if not same:
            differing.append((a, b, n))
    assert differing == []


def test_numpys_rounding_differs_from_pytorchs_in_these_cases():
    """The cases above are not all easy ones: NumPy's linspace misses many of them."""
    misses = sum(
        not np.array_equal(np.linspace(a, b, n), torch.linspace(a, b, n, dtype=torch.float64))
        for a, b, n in _cases(seed=0, count=300)
    )
    assert misses > 50


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
            there = retrograd.linspace(a, b, n, dtype=d, backend=backend)
            assert there.backend.name == backend and there.dtype is d
            np.testing.assert_array_equal(
                there.numpy(), retrograd.linspace(a, b, n, dtype=d, backend="numpy").numpy()
            )
