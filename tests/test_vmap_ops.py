"""vmap of every unary and binary op record, and of its per-sample gradient, against
torch.func (generated from the records); kernels without a batching rule name the op."""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest
import retrograd
from retrograd import batching
from retrograd.plugins import get_backend
from torch_oracle import BINARY_PAIR_RECORDS, UNARY_RECORDS

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _collect_batched_arrays():
    """An error raised inside vmap keeps batched arrays alive in its traceback's frames
    (a reference cycle) until the garbage collector runs, and the batching kernel table
    with them: collect after each test, so no later test sees it."""
    yield
    gc.collect()


# NumPy warns where PyTorch silently returns inf or nan.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _sample(shape, record, seed):
    lo, hi = record.domain
    lo = -2.0 if math.isinf(lo) else lo + 0.1
    hi = 2.0 if math.isinf(hi) else hi
    a = np.random.default_rng(seed).uniform(lo, hi, size=shape)
    for k in record.kinks:
        a[np.abs(a - k) < 0.05] = k + 0.1
    return a


def _compare(got, want, rtol=1e-10):
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    for g, w in zip(got, want, strict=True):
        assert tuple(g.shape) == tuple(w.shape)
        # (clone: PyTorch's gradient of sgn is a lazy zero tensor, which numpy() refuses)
        np.testing.assert_allclose(
            g.detach().numpy(), w.detach().clone().numpy(), rtol=rtol, atol=1e-12, equal_nan=True
        )


def _run(fn, arrays, in_dims, rtol=1e-10):
    def make(m):
        args = [m.tensor(a, dtype=m.float64) for a in arrays]
        out = m.func.vmap(lambda *xs: fn(m, *xs), in_dims=in_dims)(*args)
        grads = m.func.vmap(
            m.func.grad(lambda *xs: fn(m, *xs).sum(), argnums=tuple(range(len(xs := args)))),
            in_dims=in_dims,
        )(*xs)
        return (out, *grads)

    try:
        want = make(torch)
    except RuntimeError as error:  # no derivative (floor_divide): the same refusal
        with pytest.raises(RuntimeError, match=str(error).split(" is not")[0]):
            make(retrograd)
        return
    _compare(make(retrograd), want, rtol)


# digamma's gradient is trigamma, which PyTorch computes only to about 5e-10.
LOOSER = {"digamma": 1e-9}


@pytest.mark.parametrize("record", UNARY_RECORDS, ids=lambda r: r.name)
def test_unary_record_under_vmap(record):
    rtol = LOOSER.get(record.name, 1e-10)
    _run(lambda m, x: getattr(m, record.name)(x), [_sample((4, 3), record, 1)], 0, rtol)


@pytest.mark.parametrize("record", BINARY_PAIR_RECORDS, ids=lambda r: r.name)
def test_binary_record_under_vmap(record):
    a, b = _sample((4, 3), record, 2), _sample((3,), record, 3)
    _run(lambda m, x, y: getattr(m, record.public)(x, y), [a, b], (0, None))
    _run(lambda m, x, y: getattr(m, record.public)(y, x), [a.T.copy(), b], (1, None))


# Kernels that take no array (factories) or only move data between libraries.
NO_RULE_NEEDED = {
    "arange", "empty", "eye", "full", "linspace", "ones", "zeros", "pi", "from_numpy",
    "from_bytes", "from_dlpack", "as_strided", "frombuffer",
}  # fmt: skip


def test_every_array_kernel_has_a_batching_rule():
    missing = set(get_backend().kernels) - set(batching.RULES) - NO_RULE_NEEDED
    assert not missing, f"kernels without a batching rule: {sorted(missing)}"


def test_a_kernel_without_rule_raises_naming_it():
    with pytest.raises(RuntimeError, match=r"vmap: .*from_numpy.* cannot be batched"):
        retrograd.func.vmap(lambda a: a._backend.kernels["from_numpy"](a._storage.array))(
            retrograd.tensor(np.ones((4, 3)))
        )
