"""Random numbers as PyTorch's CPU generator makes them, on every backend.

Where the numbers come from: :class:`~retrograd.generator.Generator` reproduces
PyTorch's CPU Mersenne Twister and its state, and :mod:`retrograd.sampling` its
transforms from raw draws to each distribution. Both are host code: the generator is
one sequential stream that every backend shares (a seed must give the same numbers on
NumPy, JAX and CuPy), so it is not a backend kernel. It lives in the core's random layer
and computes on the host backend's array namespace (NumPy), reached through that backend
like every other array the core touches; the values then move to the target backend.

This module is the public face: ``manual_seed``/``seed``/``initial_seed``,
``get_rng_state``/``set_rng_state``, ``fork_rng``, the factories (``rand``, ``randn``,
``randint``, ``randperm``, ``normal``, ``bernoulli`` and the ``*_like`` forms) and the
in-place methods (``uniform_``, ``normal_``, ``random_``, ``bernoulli_``,
``exponential_``), each with ``generator=``. docs/random.md says which match PyTorch.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

from . import dtypes, sampling
from .arguments import expect_tensor
from .batching import physical
from .batching_random import (
    Levels,
    batched,
    batched_like,
    check_inplace,
    check_input,
    count,
    draw_levels,
    sizes,
    spread,
)
from .constants import HOST_BACKEND
from .creation import _finish, _target_backend, check_requires_grad, chunked, factory_dtype
from .generator import Generator
from .ops.dispatch import finish
from .ops.inplace import inplace
from .ops.record import CONVERSION, OpRecord
from .ops.result_activations import check_rrelu, rrelu_with_noise, rrelu_with_noise_result
from .ops.shape import sizes_arg
from .plugins import get_backend
from .storage import element_strides
from .tensor import Tensor

# PyTorch seeds its default generator nondeterministically when the process starts.
default_generator = Generator().manual_seed(secrets.randbits(64))


def manual_seed(seed: int) -> Generator:
    """Seed the default generator; returns it (as ``torch.manual_seed`` does)."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Re-seed the default generator from a nondeterministic source; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state (PyTorch's 5056-byte ``uint8`` layout)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, **kw: Any) -> Iterator[None]:
    """Restore the default generator's state when the block exits."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _generator(generator: Generator | None) -> tuple[Generator, Levels]:
    """The generator to draw from, and the ``vmap`` levels the draw covers (one sample's
    worth per sample of each: see :mod:`retrograd.batching_random`)."""
    levels = draw_levels()  # PyTorch's error inside vmap(..., randomness="error")
    return (default_generator if generator is None else generator), levels


def _factory(name: str, size: tuple, dtype: Any, kw: dict, default: dtypes.dtype | None = None):
    """The shape, dtype and target backend of a random factory call; the keywords left."""
    try:
        d = factory_dtype(name, dtype, default)
        check_requires_grad(name, kw.get("requires_grad", False))
    except TypeError:  # PyTorch's random factories have overloads: their message says so
        got = ", ".join(f"{k}={type(v).__name__}" for k, v in (("dtype", dtype), *kw.items()))
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but "
            "expected one of the documented signatures (dtype a torch.dtype, "
            "requires_grad a bool)"
        ) from None
    shape = sizes_arg(name, size)
    if any(n < 0 for n in shape):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}"
        )
    target = _target_backend(kw.pop("backend", None), kw.pop("device", None))
    kw.pop("layout", None), kw.pop("pin_memory", None)
    if kw.get("chunks") is not None and "rechunk" not in target.kernels:
        chunked(name, target, None, kw["chunks"])  # TypeError: this backend has no chunks
    unknown = [key for key in kw if key not in ("requires_grad", "chunks")]
    if unknown:  # before any draw: a refused call leaves the generator as it was
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got an unexpected "
            f"keyword argument '{unknown[0]}'"
        )
    numel = 1
    for n in shape:
        numel *= n
    return shape, numel, d, target


def _floating(d: dtypes.dtype, kernel: str) -> None:
    if not d.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.kind_name(d)}'")


def _shaped(values: Any, shape: tuple, d: dtypes.dtype, target: Any, kw: dict, levels=()):
    """The tensor of host ``values`` on ``target`` (batched at the ``vmap`` ``levels``
    drawn over), requiring grad if asked."""
    host = get_backend(HOST_BACKEND).kernels
    array = target.kernels["from_numpy"](host["reshape"](values, sizes(levels) + tuple(shape)))
    t = Tensor._make(batched(array, levels), d, target)
    if kw.get("chunks") is not None:  # drawn on the host, then split (Dask)
        t = Tensor._make(chunked("", target, t._storage.array, kw.pop("chunks")), d, target)
    return _finish(t, kw.pop("requires_grad", False))


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, **kw: Any):
    """Uniform samples on [0, 1), PyTorch's values for the same seed."""
    shape, n, d, target = _factory("rand", size, dtype, kw)
    _floating(d, "check_uniform_bounds")
    gen, levels = _generator(generator)
    values = sampling.uniform(gen, n * count(levels), d, 0.0, 1.0)
    return _shaped(values, shape, d, target, kw, levels)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, **kw: Any):
    """Standard normal samples, PyTorch's values for the same seed."""
    shape, n, d, target = _factory("randn", size, dtype, kw)
    _floating(d, "normal_kernel_cpu")
    gen, levels = _generator(generator)
    values = sampling.normal(gen, n * count(levels), d, 0.0, 1.0, True)
    return _shaped(values, shape, d, target, kw, levels)


def randint(*args: Any, generator: Generator | None = None, dtype: Any = None, **kw: Any):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    rest = list(args)
    size = kw.pop("size") if "size" in kw else rest.pop() if rest else None
    high = kw.pop("high") if "high" in kw else rest.pop() if rest else None
    low = kw.pop("low") if "low" in kw else rest.pop() if rest else 0
    if size is None or high is None or rest:
        got = ", ".join(
            [type(a).__name__ for a in args] + [f"{k}={type(v).__name__}" for k, v in kw.items()]
        )
        raise TypeError(
            f"randint() received an invalid combination of arguments - got ({got}), but "
            "expected one of:\n * (int high, tuple of ints size)\n"
            " * (int low, int high, tuple of ints size)"
        )
    shape, n, d, target = _factory("randint", (size,), dtype, kw, dtypes.int64)
    gen, levels = _generator(generator)
    values = _random_from_to(gen, n * count(levels), d, int(low), int(high))
    return _shaped(values, shape, d, target, kw, levels)


def _random_from_to(gen: Generator, n: int, d: dtypes.dtype, low: int, high: int) -> Any:
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    return sampling.random_from_to(gen, n, d, low, high)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None, **kw: Any):
    """A random permutation of ``0..n-1`` (PyTorch's for the same seed)."""
    shape, _, d, target = _factory("randperm", (int(n),), dtype, kw, dtypes.int64)
    host = get_backend(HOST_BACKEND)
    gen, levels = _generator(generator)
    # Under vmap(..., randomness="different"): one permutation per sample, in turn.
    draws = [sampling.randperm(gen, int(n)) for _ in range(count(levels))]
    values = host.kernels["astype"](host.kernels["concat"](draws), host.native_dtype(d))
    return _shaped(values, shape, d, target, kw, levels)


def _like(factory: Any, input: Tensor, *args: Any, dtype: Any = None, **kw: Any) -> Tensor:
    kw.setdefault("backend", input.backend)
    return factory(*args, tuple(input.shape), dtype=dtype or input.dtype, **kw)


def rand_like(input: Tensor, *, dtype: Any = None, **kw: Any) -> Tensor:
    return _like(rand, input, dtype=dtype, **kw)


def randn_like(input: Tensor, *, dtype: Any = None, **kw: Any) -> Tensor:
    return _like(randn, input, dtype=dtype, **kw)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, **kw: Any) -> Tensor:
    """Integers in [low, high) of ``input``'s shape (``randint_like(input, high)`` too)."""
    if high is None:
        low, high = 0, low
    return _like(randint, input, low, high, **kw)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, **kw: Any) -> Tensor:  # fmt: skip
    """Normal samples of mean ``mean`` and standard deviation ``std`` (numbers or tensors,
    broadcast), as PyTorch's CPU ``normal``: standard samples scaled, then shifted."""
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal() missing required argument 'size'")
        out = _empty(size, kw).normal_(mean, std, generator=generator)
        return _finish(out, kw.pop("requires_grad", False))
    like = mean if isinstance(mean, Tensor) else std
    shape = like.shape if not isinstance(std, Tensor) or not isinstance(mean, Tensor) else None
    if shape is None:
        shape = (mean.detach() + std.detach()).shape
    out = _empty(tuple(shape), {"dtype": like.dtype, "backend": like.backend})
    for t in (mean, std):
        if isinstance(t, Tensor):
            check_input(t._storage.array)  # vmap(..., randomness="same"): one draw for all
    if isinstance(std, Tensor):
        _check_std(_smallest(std))
        out = out.normal_(0.0, 1.0, generator=generator) * std.detach()
    else:
        out = out.normal_(0.0, std, generator=generator)
    values = (out + (mean.detach() if isinstance(mean, Tensor) else mean)).to(like.dtype)
    # PyTorch records NormalBackward1/2/3, whose gradients are zeros (no reparametrization).
    inputs = tuple(v for v in (mean, std) if isinstance(v, Tensor))
    record = NORMAL_BOTH if len(inputs) == 2 else NORMAL_MEAN if like is mean else NORMAL_STD
    return finish(record, values._storage.array, values.dtype, values.backend, inputs)


def _smallest(t: Tensor) -> float:
    """The smallest value of ``t``, over every sample inside ``vmap``."""
    if not t.numel():
        return 0.0
    whole = Tensor._make(physical(t._storage.array), t._dtype, t._backend)
    return float(whole.detach().min().item())


def _empty(size: Any, kw: dict) -> Tensor:
    shape, _, d, target = _factory("normal", (size,), kw.pop("dtype", None), kw)
    return draw_target(shape, d, target)


def draw_target(shape: Any, d: dtypes.dtype, target: Any) -> Tensor:
    """Zeros of ``shape`` to fill in place with random numbers: inside ``vmap``, batched at
    each level that draws per sample (``randomness="different"``), as PyTorch expands a
    random op's result there; else a plain tensor. (Dropout's mask starts here.)"""
    levels = draw_levels()
    array = target.kernels["zeros"](sizes(levels) + tuple(shape), target.native_dtype(d))
    return Tensor._make(batched(array, levels), d, target)


def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None):
    """Samples of 0 and 1: each element of ``input`` is a probability (or each has ``p``)."""
    expect_tensor("bernoulli", input)
    check_input(input._storage.array)  # vmap(..., randomness="same"): one draw for all
    if p is not None:
        out = draw_target(tuple(input.shape), input.dtype, input.backend)
        return _bernoulli_(out, p, generator=generator)
    gen, levels = _generator(generator)
    probabilities = _host_values(input.detach().contiguous(), levels)
    values = sampling.bernoulli_tensor(gen, probabilities, input.dtype)
    array = batched(input.backend.kernels["from_numpy"](values), levels)
    return finish(BERNOULLI, array, input.dtype, input.backend, (input,))


def _host_values(t: Tensor, levels: Levels) -> Any:
    """``t``'s values on the host, with the batch of each ``vmap`` level in ``levels``
    in front (``t`` repeated where it is the same for each sample)."""
    if not levels:
        return t.numpy(force=True)
    array = spread(t._backend.kernels, t._storage.array, levels)
    return Tensor._make(array, t._dtype, t._backend).numpy(force=True)


# -- in-place methods -----------------------------------------------------------------


def _zero_grad(g: Tensor) -> Tensor:
    return g * 0  # PyTorch's derivative of a random fill: zeros


def _record(name: str, grad_fn: str) -> OpRecord:
    return OpRecord(name, CONVERSION, grad_fn, "assign", grads=(_zero_grad,))


UNIFORM = _record("uniform", "UniformBackward0")
NORMAL = _record("normal", "NormalBackward0")
RANDOM = _record("random", "RandomBackward0")
BERNOULLI = _record("bernoulli", "BernoulliBackward0")
BERNOULLI_SCALAR = _record("bernoulli_scalar", "BernoulliBackward2")
EXPONENTIAL = _record("exponential", "ExponentialBackward0")
CAUCHY = _record("cauchy", "CauchyBackward0")
LOG_NORMAL = _record("log_normal", "LogNormalBackward0")
GEOMETRIC = _record("geometric", "GeometricBackward0")
NORMAL_MEAN = OpRecord(
    "normal_mean", CONVERSION, "NormalBackward1", "assign", inputs=("mean",), grads=(_zero_grad,)
)
NORMAL_STD = OpRecord(
    "normal_std", CONVERSION, "NormalBackward2", "assign", inputs=("std",), grads=(_zero_grad,)
)
NORMAL_BOTH = OpRecord(
    "normal_both", CONVERSION, "NormalBackward3", "assign", inputs=("mean", "std"),
    grads=(_zero_grad, _zero_grad),
)  # fmt: skip


def _filled(record: OpRecord, input: Tensor, values: Any, levels: Levels = ()) -> Tensor:
    """``input``'s new value, recorded as ``record``: host ``values`` in the order PyTorch
    writes them, the tensor's memory order (row-major unless it is a strided view), each
    ``vmap`` level drawn over in front."""
    host = get_backend(HOST_BACKEND).kernels
    order = _memory_order(input)
    front = sizes(levels)
    shaped = host["reshape"](values, front + tuple(input.shape[d] for d in order))
    inverse = tuple(sorted(range(len(order)), key=order.__getitem__))
    inverse = tuple(range(len(front))) + tuple(len(front) + i for i in inverse)
    k = input.backend.kernels
    array = k["from_numpy"](host["permute_dims"](shaped, inverse))
    array = batched_like(k, array, levels, input._storage.array)
    return finish(record, array, input.dtype, input.backend, (input,))


def _inplace_generator(input: Tensor, generator: Any, p: Any = None) -> tuple[Generator, Levels]:
    """:func:`_generator` for an in-place fill of ``input`` (by probabilities ``p``):
    inside ``vmap``, ``input`` must differ per sample where the numbers do."""
    gen, levels = _generator(generator)
    other = p._storage.array if isinstance(p, Tensor) else None
    check_inplace(input._storage.array, levels, other, "bernoulli")
    return gen, levels


def _memory_order(input: Tensor) -> tuple[int, ...]:
    """The dims from outermost to innermost in memory (PyTorch's iteration order): by
    decreasing stride, ties in their own order (the strides ``stride()`` reports)."""
    dims = tuple(range(input.dim()))
    if input.is_contiguous():
        return dims
    strides = element_strides(input._storage, tuple(input.shape))
    return tuple(sorted(dims, key=lambda d: -abs(strides[d])))


def _uniform_(input: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None, **kw):
    from_, to = kw.pop("from", from_), kw.pop("to", to)
    _floating(input.dtype, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    gen, levels = _inplace_generator(input, generator)
    values = sampling.uniform(gen, input.numel() * count(levels), input.dtype, from_, to)
    return _filled(UNIFORM, input, values, levels)


def _check_std(std: float) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def _normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    _floating(input.dtype, "normal_kernel_cpu")
    _check_std(std)
    (gen, levels), contiguous = _inplace_generator(input, generator), input.is_contiguous()
    n = input.numel() * count(levels)
    values = sampling.normal(gen, n, input.dtype, mean, std, contiguous)
    return _filled(NORMAL, input, values, levels)


def _random_(input: Tensor, from_: int = 0, to: int | None = None, *, generator=None, **kw):
    from_, to = kw.pop("from", from_), kw.pop("to", to)
    (gen, levels), d = _inplace_generator(input, generator), input.dtype
    n = input.numel() * count(levels)
    if to is None and from_ == 0:
        return _filled(RANDOM, input, sampling.random_default(gen, n, d), levels)
    low, high = (0, from_) if to is None else (from_, to)
    return _filled(RANDOM, input, _random_from_to(gen, n, d, int(low), int(high)), levels)


def _bernoulli_(input: Tensor, p: Any = 0.5, *, generator=None) -> Tensor:
    gen, levels = _inplace_generator(input, generator, p)
    if isinstance(p, Tensor):
        probabilities = _host_values(p.detach().expand(*input.shape).contiguous(), levels)
        values = sampling.bernoulli_tensor(gen, probabilities, input.dtype)
        return _filled(BERNOULLI, input, values, levels)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    values = sampling.bernoulli(gen, input.numel() * count(levels), input.dtype, p)
    return _filled(BERNOULLI_SCALAR, input, values, levels)


def _exponential_(input: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be "
            f"a floating point but you specified {dtypes.kind_name(input.dtype)}"
        )
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    gen, levels = _inplace_generator(input, generator)
    values = sampling.exponential(gen, input.numel() * count(levels), input.dtype, lambd)
    return _filled(EXPONENTIAL, input, values, levels)


# The C type names PyTorch's cauchy_ error prints for a non-floating dtype.
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}  # fmt: skip


def _cauchy_(input: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None):
    """Fill with Cauchy samples ``median + sigma * tan(pi * (u - 0.5))``, PyTorch's."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_C_NAMES.get(input.dtype.name, input.dtype.name)}"
        )
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    gen, levels = _inplace_generator(input, generator)
    n = input.numel() * count(levels)
    return _filled(CAUCHY, input, sampling.cauchy(gen, n, input.dtype, median, sigma), levels)


def _log_normal_(input: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None):
    """Fill with ``exp`` of normal samples of mean ``mean`` and std ``std``, PyTorch's."""
    _floating(input.dtype, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    gen, levels = _inplace_generator(input, generator)
    n = input.numel() * count(levels)
    return _filled(LOG_NORMAL, input, sampling.log_normal(gen, n, input.dtype, mean, std), levels)


def _geometric_(input: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(``p``) trials up to the first success, PyTorch's."""
    if input.dtype is dtypes.bool:
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    gen, levels = _inplace_generator(input, generator)
    n = input.numel() * count(levels)
    return _filled(GEOMETRIC, input, sampling.geometric(gen, n, input.dtype, p), levels)


METHODS = {
    "uniform_": inplace("uniform_", _uniform_, False),
    "normal_": inplace("normal_", _normal_, False),
    "random_": inplace("random_", _random_, False),
    "bernoulli_": inplace("bernoulli_", _bernoulli_, False),
    "exponential_": inplace("exponential_", _exponential_, False),
    "cauchy_": inplace("cauchy_", _cauchy_, False),
    "log_normal_": inplace("log_normal_", _log_normal_, False),
    "geometric_": inplace("geometric_", _geometric_, False),
    "bernoulli": bernoulli,
}


for _name, _fn in (("cauchy_", _cauchy_), ("log_normal_", _log_normal_),
                   ("geometric_", _geometric_)):  # fmt: skip
    METHODS[_name].__doc__ = _fn.__doc__


def install(cls: type = Tensor) -> None:
    """Attach the random in-place methods (``uniform_``, ``normal_``, ...) to ``cls``."""
    for name, fn in METHODS.items():
        setattr(cls, name, fn)


# -- rrelu: leaky ReLU with slopes drawn per element ------------------------------------


def _rrelu_noise(input: Tensor, lower: float, upper: float, generator: Any) -> Tensor:
    """PyTorch's CPU noise: walking ``input`` in row-major order, one
    ``uniform_real_distribution<double>(lower, upper)`` draw (a 64-bit draw) for each
    element ``<= 0`` (NaN takes none), in double without a fused multiply-add; 1 elsewhere."""
    gen, levels = _generator(generator)
    if levels:
        raise RuntimeError("rrelu: retrograd cannot draw its noise inside vmap yet")
    xp = gen.xp
    values = _host_values(input.detach().contiguous(), levels)
    negative = values <= 0
    bits = gen.random64(int(negative.sum())) & xp.uint64(2**53 - 1)
    slopes = xp.astype(bits, xp.float64) * xp.float64(2.0**-53) * (upper - lower) + lower
    noise = xp.ones(values.shape, dtype=xp.float64)
    noise[negative] = slopes
    noise = xp.astype(noise, sampling.native(gen, input.dtype))
    array = input.backend.kernels["from_numpy"](noise)
    return Tensor._make(array, input.dtype, input.backend)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """Randomized leaky ReLU: in training, ``x * a`` with ``a ~ U(lower, upper)`` drawn
    per element ``<= 0`` (from ``generator``, as PyTorch draws them); else
    ``leaky_relu(x, (lower + upper) / 2)``. ``RreluWithNoiseBackward0`` either way."""
    check_rrelu(input, lower, upper, training)
    noise = _rrelu_noise(input, lower, upper, generator) if training else None
    return rrelu_with_noise(input, noise, lower, upper, training)


def _rrelu_result(input: Tensor, lower: float, upper: float, training: bool, generator: Any):
    # Drawn inside the in-place op, after its autograd checks: a refused call draws nothing.
    check_rrelu(input, lower, upper, training)
    noise = _rrelu_noise(input, lower, upper, generator) if training else None
    return rrelu_with_noise_result(input, noise, lower, upper, training)


_rrelu_in_place = inplace("rrelu_", _rrelu_result, False)


def rrelu_(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """:func:`rrelu` written into ``input`` (``RreluWithNoiseBackward1``, from the result)."""
    return _rrelu_in_place(input, lower, upper, training, generator)


FUNCTIONS = {
    "manual_seed": manual_seed,
    "seed": seed,
    "initial_seed": initial_seed,
    "get_rng_state": get_rng_state,
    "set_rng_state": set_rng_state,
    "Generator": Generator,
    "default_generator": default_generator,
    "rand": rand,
    "randn": randn,
    "randint": randint,
    "randperm": randperm,
    "normal": normal,
    "bernoulli": bernoulli,
    "rand_like": rand_like,
    "randn_like": randn_like,
    "randint_like": randint_like,
    "rrelu": rrelu,
    "rrelu_": rrelu_,
}
