"""Seeded random numbers equal PyTorch's, bit for bit, on every backend.

Each test seeds PyTorch and retrograd alike, draws the same way, and requires equal
values, dtypes and shapes, and then an equal generator state (PyTorch's 5056 bytes), which
checks that both consumed the same draws and cached the same normal sample.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

SIZES = list(range(1, 41)) + [100, 1000, 1001]
# The float16 streams are PyTorch 2.13's; older releases (2.11 on the GPU machine) draw
# float16 another way, so the oracle there is the wrong version for them.
_TORCH_VERSION = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])
FLOAT16 = pytest.param(
    "float16",
    marks=pytest.mark.skipif(
        _TORCH_VERSION < (2, 13), reason="PyTorch < 2.13 draws float16 otherwise"
    ),
)
SEEDS = [0, 1, 123456789]
FLOATS = ["float32", "float64"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


def host(t: rg.Tensor) -> np.ndarray:
    return np.asarray(t.numpy(force=True)) if hasattr(t, "numpy") else np.asarray(t)


def assert_same(expected, got) -> None:
    a, b = expected.numpy(), host(got)
    assert got.dtype.name == str(expected.dtype).removeprefix("torch."), (got.dtype, expected.dtype)
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(b, a, strict=True)


def assert_same_state() -> None:
    """The default generators consumed the same draws and hold the same cached normal."""
    np.testing.assert_array_equal(host(rg.get_rng_state()), torch.get_rng_state().numpy())


def both(seed: int, fn_torch, fn_rg) -> None:
    torch.manual_seed(seed)
    rg.manual_seed(seed)
    assert_same(fn_torch(), fn_rg())
    assert_same_state()


def test_the_issue_example():
    rg.manual_seed(0)
    assert rg.rand(3).tolist() == pytest.approx([0.4963, 0.7682, 0.0885], abs=5e-5)


@pytest.mark.parametrize("dtype", [*FLOATS, FLOAT16])
@pytest.mark.parametrize("seed", SEEDS)
def test_rand(dtype, seed):
    for n in SIZES:
        both(seed, lambda n=n: torch.rand(n, dtype=getattr(torch, dtype)),
             lambda n=n: rg.rand(n, dtype=getattr(rg, dtype)))  # fmt: skip


@pytest.mark.parametrize("dtype", [*FLOATS, FLOAT16])
@pytest.mark.parametrize("seed", SEEDS)
def test_randn_both_paths_and_the_cached_sample(dtype, seed):
    """Below 16 elements PyTorch's scalar Box-Muller (which caches a sample), from 16 its
    vectorized one; the second call in each round sees what the first left behind."""
    td, rd = getattr(torch, dtype), getattr(rg, dtype)
    for n in SIZES:
        torch.manual_seed(seed)
        rg.manual_seed(seed)
        for m in (n, 1, 3, n):
            assert_same(torch.randn(m, dtype=td), rg.randn(m, dtype=rd))
            assert_same_state()


def test_randn_small_float16_and_shapes():
    both(
        4, lambda: torch.randn(3, 5, dtype=torch.float16), lambda: rg.randn(3, 5, dtype=rg.float16)
    )
    both(4, lambda: torch.randn(2, 3, 4), lambda: rg.randn(2, 3, 4))
    both(4, lambda: torch.randn((2, 9)), lambda: rg.randn((2, 9)))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("bounds", [(0.0, 1.0), (-2.0, 3.0), (-0.1, 0.1), (5.0, 5.0), (-1e3, 1e-3)])
def test_uniform_(dtype, bounds):
    for n in (1, 7, 33, 1000):
        both(11, lambda n=n: torch.empty(n, dtype=getattr(torch, dtype)).uniform_(*bounds),
             lambda n=n: rg.empty(n, dtype=getattr(rg, dtype)).uniform_(*bounds))  # fmt: skip


@pytest.mark.parametrize("dtype", [*FLOATS, FLOAT16])
@pytest.mark.parametrize("params", [(0.0, 1.0), (0.5, 2.5), (-3.0, 0.01), (1e3, 0.0)])
def test_normal_(dtype, params):
    for n in (1, 5, 15, 16, 17, 31, 64, 1001):
        both(12, lambda n=n: torch.empty(n, dtype=getattr(torch, dtype)).normal_(*params),
             lambda n=n: rg.empty(n, dtype=getattr(rg, dtype)).normal_(*params))  # fmt: skip


def test_normal_on_a_non_contiguous_tensor_takes_the_scalar_path():
    """A transposed tensor of 20 elements: PyTorch's scalar path, in memory order."""
    torch.manual_seed(2)
    rg.manual_seed(2)
    t, r = torch.zeros(4, 5).t(), rg.zeros(4, 5).t()
    t.normal_()
    r.normal_()
    assert_same(t.t(), r.t())
    assert_same_state()


@pytest.mark.parametrize("dtype", INTS + FLOATS)
@pytest.mark.parametrize(
    "bounds", [(0, 10), (-3, 17), (0, 2**31 - 1), (0, 1), (5, 5 + 2**28 - 1), (0, 2**28)]
)
def test_randint(dtype, bounds):
    low, high = bounds
    if dtype in ("int8", "uint8", "int16") and high > 100 or dtype == "uint8" and low < 0:
        pytest.skip("out of the dtype's range")
    if dtype == "float32" and high > 2**24:
        pytest.skip("PyTorch warns that float32 cannot hold this range; not matched")
    for n in (1, 9, 500):
        both(13, lambda n=n: torch.randint(low, high, (n,), dtype=getattr(torch, dtype)),
             lambda n=n: rg.randint(low, high, (n,), dtype=getattr(rg, dtype)))  # fmt: skip


def test_randint_wide_range_uses_64_bit_draws():
    both(
        5, lambda: torch.randint(-(2**40), 2**40, (50,)), lambda: rg.randint(-(2**40), 2**40, (50,))
    )
    both(5, lambda: torch.randint(7, (2, 3)), lambda: rg.randint(7, (2, 3)))
    both(5, lambda: torch.randint(3, 9, size=(4,)), lambda: rg.randint(3, 9, size=(4,)))
    both(5, lambda: torch.randint(high=9, size=(4,)), lambda: rg.randint(high=9, size=(4,)))
    assert repr(rg.Generator()).startswith("<torch._C.Generator object at 0x")


@pytest.mark.parametrize("dtype", [*INTS, *FLOATS, "bool", "float16"])
def test_random_(dtype):
    td, rd = getattr(torch, dtype), getattr(rg, dtype)
    both(6, lambda: torch.empty(300, dtype=td).random_(), lambda: rg.empty(300, dtype=rd).random_())
    if dtype != "bool":
        both(6, lambda: torch.empty(30, dtype=td).random_(3, 9),
             lambda: rg.empty(30, dtype=rd).random_(3, 9))  # fmt: skip
        both(
            6,
            lambda: torch.empty(30, dtype=td).random_(9),
            lambda: rg.empty(30, dtype=rd).random_(9),
        )


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 5000])
@pytest.mark.parametrize("seed", SEEDS)
def test_randperm(n, seed):
    both(seed, lambda: torch.randperm(n), lambda: rg.randperm(n))


@pytest.mark.parametrize("dtype", [*FLOATS, *INTS, "bool"])
@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_bernoulli_scalar(dtype, p):
    td, rd = getattr(torch, dtype), getattr(rg, dtype)
    both(
        7,
        lambda: torch.empty(257, dtype=td).bernoulli_(p),
        lambda: rg.empty(257, dtype=rd).bernoulli_(p),
    )
    both(7, lambda: torch.bernoulli(torch.zeros(9, dtype=td), p),
         lambda: rg.bernoulli(rg.zeros(9, dtype=rd), p))  # fmt: skip


@pytest.mark.parametrize("dtype", FLOATS)
def test_bernoulli_with_probability_tensors(dtype):
    probabilities = np.linspace(0, 1, 60).reshape(6, 10)
    tp = torch.tensor(probabilities, dtype=getattr(torch, dtype))
    rp = rg.tensor(probabilities, dtype=getattr(rg, dtype))
    both(8, lambda: torch.bernoulli(tp), lambda: rg.bernoulli(rp))
    both(8, lambda: tp.bernoulli(), lambda: rp.bernoulli())
    both(8, lambda: torch.zeros(6, 10).bernoulli_(tp), lambda: rg.zeros(6, 10).bernoulli_(rp))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("dtype", FLOATS)
def test_dropout_mask_recipe(p, dtype):
    """PyTorch's CPU dropout: ``noise = empty_like(x).bernoulli_(1 - p); noise.div_(1 - p);
    x * noise`` (retrograd.nn.functional.dropout should draw exactly this)."""
    td, rd = getattr(torch, dtype), getattr(rg, dtype)
    x = np.arange(1, 101, dtype=np.float64).reshape(10, 10)

    def recipe():
        tensor = rg.tensor(x, dtype=rd)
        noise = rg.empty_like(tensor).bernoulli_(1 - p)
        noise.div_(1 - p)
        return tensor * noise

    both(9, lambda: torch.nn.functional.dropout(torch.tensor(x, dtype=td), p), recipe)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("lambd", [1.0, 0.5, 3.0])
def test_exponential_(dtype, lambd):
    td, rd = getattr(torch, dtype), getattr(rg, dtype)
    both(10, lambda: torch.empty(500, dtype=td).exponential_(lambd),
         lambda: rg.empty(500, dtype=rd).exponential_(lambd))  # fmt: skip


def test_normal_functional_forms():
    mean, std = np.linspace(-1, 1, 20), np.linspace(0.1, 2, 20)
    both(3, lambda: torch.normal(2.0, 3.0, size=(4, 5)), lambda: rg.normal(2.0, 3.0, size=(4, 5)))
    both(3, lambda: torch.normal(torch.tensor(mean), 2.0), lambda: rg.normal(rg.tensor(mean), 2.0))
    both(3, lambda: torch.normal(1.5, torch.tensor(std)), lambda: rg.normal(1.5, rg.tensor(std)))
    both(3, lambda: torch.normal(torch.tensor(mean), torch.tensor(std)),
         lambda: rg.normal(rg.tensor(mean), rg.tensor(std)))  # fmt: skip
    both(
        3,
        lambda: torch.normal(torch.tensor(mean[:5]), 1.0),
        lambda: rg.normal(rg.tensor(mean[:5]), 1.0),
    )


def test_normal_with_tensor_arguments_records_pytorchs_nodes():
    """``normal(mean, std)`` with tensors that require grad: PyTorch's NormalBackward1/2/3
    and its zero gradients (not the reparametrization trick)."""
    for make_mean, make_std in [(True, False), (False, True), (True, True)]:
        grads = {}
        for m in (torch, rg):
            mean = m.zeros(4, requires_grad=True) if make_mean else 0.5
            std = m.ones(1, requires_grad=True) if make_std else 2.0
            out = m.normal(mean, std)
            out.sum().backward()
            tensors = [t for t in (mean, std) if isinstance(t, (torch.Tensor, rg.Tensor))]
            grads[m] = [host(t.grad) if m is rg else t.grad.numpy() for t in tensors]
            grads[m].append(type(out.grad_fn).__name__)
        assert grads[rg][-1] == grads[torch][-1]
        for a, b in zip(grads[rg][:-1], grads[torch][:-1]):
            np.testing.assert_array_equal(a, b)


def test_like_factories():
    tx, rx = torch.zeros(3, 7, dtype=torch.float64), rg.zeros(3, 7, dtype=rg.float64)
    both(1, lambda: torch.rand_like(tx), lambda: rg.rand_like(rx))
    both(1, lambda: torch.randn_like(tx), lambda: rg.randn_like(rx))
    both(1, lambda: torch.randint_like(tx, 10), lambda: rg.randint_like(rx, 10))
    both(1, lambda: torch.randint_like(tx, 3, 10), lambda: rg.randint_like(rx, 3, 10))


def test_kaiming_uniform_style_initialization():
    """``nn.init.kaiming_uniform_(w, a=sqrt(5))`` is ``w.uniform_(-bound, bound)``."""
    bound = 1 / np.sqrt(4)
    both(
        0,
        lambda: torch.empty(3, 4).uniform_(-bound, bound),
        lambda: rg.empty(3, 4).uniform_(-bound, bound),
    )
    torch.manual_seed(0)
    rg.manual_seed(0)
    assert_same(torch.nn.Linear(4, 3).weight.detach(), rg.empty(3, 4).uniform_(-bound, bound))


def test_generator_objects_and_the_generator_keyword():
    tg, rgen = torch.Generator().manual_seed(42), rg.Generator().manual_seed(42)
    assert rgen.initial_seed() == tg.initial_seed() == 42
    assert_same(torch.rand(5, generator=tg), rg.rand(5, generator=rgen))
    assert_same(torch.randn(20, generator=tg), rg.randn(20, generator=rgen))
    assert_same(torch.randperm(9, generator=tg), rg.randperm(9, generator=rgen))
    assert_same(torch.randint(0, 5, (4,), generator=tg), rg.randint(0, 5, (4,), generator=rgen))
    assert_same(torch.empty(6).uniform_(generator=tg), rg.empty(6).uniform_(generator=rgen))
    assert_same(torch.empty(6).normal_(generator=tg), rg.empty(6).normal_(generator=rgen))
    assert_same(
        torch.empty(6).bernoulli_(0.4, generator=tg), rg.empty(6).bernoulli_(0.4, generator=rgen)
    )
    np.testing.assert_array_equal(host(rgen.get_state()), tg.get_state().numpy())
    assert rg.Generator().initial_seed() == torch.Generator().initial_seed()


def test_state_round_trips_between_torch_and_retrograd():
    torch.manual_seed(17)
    torch.randn(3)  # leaves a cached normal sample in the state
    rg.set_rng_state(rg.tensor(torch.get_rng_state().tolist(), dtype=rg.uint8))
    assert_same_state()
    assert_same(torch.randn(5), rg.randn(5))
    state = rg.get_rng_state()
    first = host(rg.rand(4))
    rg.set_rng_state(state)
    np.testing.assert_array_equal(host(rg.rand(4)), first)
    gen = rg.Generator().set_state(state)
    np.testing.assert_array_equal(host(rg.rand(4, generator=gen)), first)


def test_seed_values_as_pytorch_stores_them():
    for seed in (-1, 2**64 - 1, -(2**63), 2**40 + 7):
        torch.manual_seed(seed)
        rg.manual_seed(seed)
        assert rg.initial_seed() == torch.initial_seed()
        assert_same(torch.rand(3), rg.rand(3))
    for bad in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError, match="Overflow when unpacking long long"):
            rg.manual_seed(bad)


def test_seed_is_nondeterministic_and_reported():
    first = rg.seed()
    assert rg.initial_seed() == first
    assert rg.seed() != first
    rg.manual_seed(5)
    assert rg.manual_seed(5) is rg.default_generator


def test_fork_rng_restores_the_state():
    rg.manual_seed(3)
    with rg.random.fork_rng():
        inside = host(rg.rand(3))
    np.testing.assert_array_equal(host(rg.rand(3)), inside)


def test_in_place_draws_record_pytorch_nodes():
    for method, args in [("uniform_", ()), ("normal_", ()), ("random_", (0, 4)),
                         ("bernoulli_", (0.5,)), ("exponential_", ())]:  # fmt: skip
        t = torch.ones(3, requires_grad=True) * 2
        r = rg.ones(3, requires_grad=True) * 2
        getattr(t, method)(*args)
        getattr(r, method)(*args)
        assert type(r.grad_fn).__name__ == type(t.grad_fn).__name__
        r.sum().backward()  # the gradient through a random fill is zero
    leaf = rg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.uniform_()


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.rand(3, dtype=m.int64),
        lambda m: m.randn(3, dtype=m.int64),
        lambda m: m.empty(3).uniform_(3, 2),
        lambda m: m.empty(3).normal_(0, -1),
        lambda m: m.empty(3).bernoulli_(2.0),
        lambda m: m.empty(3).random_(5, 5),
        lambda m: m.randint(3, 3, (2,)),
        lambda m: m.empty(3).exponential_(0),
        lambda m: m.empty(3, dtype=m.int64).exponential_(),
        lambda m: m.randperm(-1),
        lambda m: m.bernoulli(m.tensor([0.5, 1.5])),
        lambda m: m.zeros(2).bernoulli_(m.tensor([0.5, float("nan")])),
        lambda m: m.rand(3, foo=1),
    ],
)
def test_errors_match_pytorch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)) as got:
        call(rg)
    # PyTorch's text up to the argument types it lists ("- got (int, foo=int), ...").
    assert str(got.value).startswith(str(expected.value).splitlines()[0].split(" - got ")[0])


def test_set_state_refusals():
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        rg.set_rng_state(rg.zeros(5056))
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056"):
        rg.set_rng_state(rg.zeros(10, dtype=rg.uint8))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        rg.set_rng_state(rg.zeros(5056, dtype=rg.uint8))


def test_the_engine_equals_numpys_mersenne_twister():
    """A second, independent oracle: NumPy's MT19937 with the same 32-bit seeding."""
    from retrograd.mt19937 import MT19937

    reference = np.random.MT19937()
    reference._legacy_seeding(2024)
    expected = reference.random_raw(4000).astype(np.uint32)
    engine = MT19937(np, 2024)
    got = np.concatenate([engine.draw(k) for k in (1, 622, 1, 1, 624, 1500, 1251)])
    np.testing.assert_array_equal(got, expected)


def test_the_same_seed_gives_the_same_numbers_on_every_backend():
    rg.manual_seed(0)
    expected = host(rg.randn(40))
    for name in ("numpy", "jax"):
        if name == "jax":
            pytest.importorskip("jax")
        rg.manual_seed(0)
        t = rg.randn(40, backend=name)
        assert t.backend.name == name
        np.testing.assert_array_equal(host(t), expected)


def _round_to(q, kind):
    """The value of ``kind`` (np.float32/np.float64) nearest to the Fraction ``q``, ties to
    even: the exact rounding the fused multiply-add must give."""
    from fractions import Fraction

    first = kind(float(q))
    candidates = [first, np.nextafter(first, kind(np.inf)), np.nextafter(first, kind(-np.inf))]
    bits = np.uint32 if kind is np.float32 else np.uint64
    return min(candidates, key=lambda v: (abs(Fraction(float(v)) - q), int(v.view(bits)) & 1))


@pytest.mark.parametrize("kind", [np.float32, np.float64])
def test_fused_multiply_add_rounds_once(kind):
    """The emulated FMA of PyTorch's kernels against exact rational arithmetic, on random
    operands of many magnitudes and, for float32, on a sum that float64 leaves exactly
    halfway between two float32 values (where rounding twice goes the wrong way)."""
    from fractions import Fraction

    from retrograd import simd_math

    rng = np.random.default_rng(0)

    def operands(n):
        return (rng.standard_normal(n) * 2.0 ** rng.integers(-20, 20, n)).astype(kind)

    a, b, c = operands(3000), operands(3000), operands(3000)
    if kind is np.float32:
        # a*b = -(2**-24 + 2**-60) exactly; c + a*b is a hair below a float32 tie.
        a = np.append(a, np.float32(4097 * 2.0**-12))
        b = np.append(b, np.float32(-16773121 * 2.0**-48))
        c = np.append(c, np.float32(1 + 2.0**-22))
    fused = simd_math.fma if kind is np.float32 else simd_math.fma64
    got = fused(np, a, b, c)
    expected = [
        _round_to(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)), kind)
        for x, y, z in zip(a, b, c)
    ]
    np.testing.assert_array_equal(got, np.array(expected, dtype=kind))
