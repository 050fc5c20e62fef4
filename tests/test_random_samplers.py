"""The samplers beyond uniform/normal/bernoulli/exponential, against PyTorch 2.13.

``cauchy_``, ``log_normal_``, ``geometric_`` and ``multinomial`` are transforms of the same
draws PyTorch makes: seeded alike, both libraries give equal values and leave equal
generator states. ``poisson``, ``binomial``, ``_standard_gamma`` and ``_sample_dirichlet``
are checked by their moments (tolerances a few standard errors wide, so a wrong sampler
fails), and ``_standard_gamma``'s gradient against ``torch._standard_gamma_grad`` on the
same samples.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

FLOATS = ["float32", "float64", "float16"]


def host(t) -> np.ndarray:
    return np.asarray(t.numpy(force=True))


def assert_same(expected, got) -> None:
    assert got.dtype.name == str(expected.dtype).removeprefix("torch.")
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(host(got), expected.numpy(), strict=True)


def both(seed: int, fn) -> None:
    """``fn(torch)`` and ``fn(retrograd)`` seeded alike: equal values, and equal generator
    states after (the same draws were consumed)."""
    torch.manual_seed(seed)
    rg.manual_seed(seed)
    assert_same(fn(torch), fn(rg))
    np.testing.assert_array_equal(host(rg.get_rng_state()), torch.get_rng_state().numpy())


def check_errors(call) -> None:
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as got:
        call(rg)
    assert str(got.value).startswith(str(expected.value).splitlines()[0])


# -- 1. cauchy_, log_normal_, geometric_: PyTorch's stream -------------------------------

FILLS = [
    ("cauchy_", ()),
    ("cauchy_", (2.0, 0.5)),
    ("log_normal_", ()),
    ("log_normal_", (0.0, 0.3)),
    ("geometric_", (0.3,)),
    ("geometric_", (0.9,)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(("method", "args"), FILLS)
def test_in_place_fills_match_pytorchs_stream(dtype, method, args):
    for n in (1, 5, 16, 17, 1001):
        both(n, lambda m, n=n: getattr(m.empty(n, dtype=getattr(m, dtype)), method)(*args))


def test_log_normal_shares_the_cached_normal_sample():
    """``normal_distribution<double>`` caches its second value: randn(1) then
    log_normal_ reads it, in both libraries."""
    both(7, lambda m: (m.randn(1, dtype=m.float64), m.empty(3).log_normal_())[1])


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8"])
def test_geometric_on_integer_tensors(dtype):
    both(5, lambda m: m.empty(500, dtype=getattr(m, dtype)).geometric_(0.2))


def test_fills_with_a_generator_and_on_a_transposed_view():
    tg, rgen = torch.Generator().manual_seed(9), rg.Generator().manual_seed(9)
    assert_same(torch.empty(7).cauchy_(generator=tg), rg.empty(7).cauchy_(generator=rgen))
    t, r = torch.zeros(4, 5).t(), rg.zeros(4, 5).t()
    t.geometric_(0.4, generator=tg)
    r.geometric_(0.4, generator=rgen)
    assert_same(t, r)
    np.testing.assert_array_equal(host(rgen.get_state()), tg.get_state().numpy())


def test_fills_record_pytorchs_nodes_with_zero_gradients():
    for method, args in [("cauchy_", ()), ("log_normal_", ()), ("geometric_", (0.5,))]:
        grads = []
        for m in (torch, rg):
            leaf = m.ones(3, requires_grad=True)
            out = getattr(leaf * 2, method)(*args)
            assert type(out.grad_fn).__name__ == method.title().replace("_", "") + "Backward0"
            out.sum().backward()
            grads.append(leaf.grad.numpy() if m is torch else host(leaf.grad))
        np.testing.assert_array_equal(grads[1], grads[0])


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.empty(3, dtype=m.int64).cauchy_(),
        lambda m: m.empty(3, dtype=m.uint8).cauchy_(),
        lambda m: m.empty(3).cauchy_(0, 0),
        lambda m: m.empty(3, dtype=m.int64).log_normal_(),
        lambda m: m.empty(3).log_normal_(1, -1),
        lambda m: m.empty(3).geometric_(0),
        lambda m: m.empty(3).geometric_(1.5),
        lambda m: m.empty(3, dtype=m.bool).geometric_(0.5),
    ],
)
def test_fill_errors_match_pytorch(call):
    check_errors(call)
