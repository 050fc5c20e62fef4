"""In-place and integer random sampling: ``Tensor.uniform_``/``normal_``/``bernoulli_``/
``random_``, ``randperm``, ``randint``, ``bernoulli`` and ``Generator`` objects, each with
PyTorch's signature and ``generator=`` keyword.

A stand-in for the training stack: values come from retrograd's host stream (the stream
of ``retrograd.random``, or of the ``generator`` given), so a seed gives the same values
on every backend; they are not yet PyTorch's values (PyTorch's Mersenne Twister and its
transforms replace these draws, function by function, with the same signatures).
"""

from __future__ import annotations

from typing import Any

from . import dtypes
from .creation import _finish, _target_backend
from .grad_mode import no_grad
from .ops.inplace import check_inplace
from .ops.shape import sizes_arg
from .plugins import get_backend
from .random import HOST_BACKEND, default_generator
from .random import Generator as _HostGenerator
from .tensor import Tensor

INT64_MAX = 2**63 - 1
# PyTorch draws random_() of a floating tensor from [0, 2**digits], every integer exact.
MANTISSA_DIGITS = {dtypes.float16: 11, dtypes.float32: 24, dtypes.float64: 53}


class Generator(_HostGenerator):
    """``retrograd.Generator(device="cpu")``: a random stream of its own, seeded with
    ``manual_seed``; pass it as ``generator=`` to the sampling functions."""

    def __init__(self, device: Any = "cpu") -> None:
        super().__init__()
        self.device = device

    def seed(self) -> int:
        """Re-seed from a nondeterministic source; returns the new seed."""
        import secrets

        new = secrets.randbits(63)
        self.manual_seed(new)
        return new


def _rng(generator: Any) -> Any:
    """The NumPy generator behind ``generator`` (the default stream when None)."""
    return (default_generator if generator is None else generator).host_generator()


def _host_values(t: Tensor, values: Any) -> Tensor:
    """A tensor of ``t``'s dtype and backend holding the host array ``values``."""
    host = get_backend(HOST_BACKEND)
    array = host.kernels["astype"](values, host.native_dtype(t.dtype))
    return Tensor._make(t._backend.kernels["from_numpy"](array), t._dtype, t._backend)


def _fill_from_host(t: Tensor, values: Any, op: str = "copy_") -> Tensor:
    """Write host ``values`` into ``t`` in place (PyTorch's in-place checks apply)."""
    check_inplace(t, op)
    with no_grad():
        t.copy_(_host_values(t, values))
    return t


def _uniform_floats(t: Tensor, generator: Any) -> Any:
    host = get_backend(HOST_BACKEND)
    native = host.native_dtype(t.dtype if t.dtype.is_floating_point else dtypes.float64)
    return host.kernels["random_uniform"](_rng(generator), tuple(t.shape), native)


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None):
    """Fill with samples of the uniform distribution on ``[from_, to)``."""
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    u = _uniform_floats(self, generator)
    return _fill_from_host(self, u * (to - from_) + from_, "uniform_")


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None):
    """Fill with samples of the normal distribution ``N(mean, std**2)``."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    host = get_backend(HOST_BACKEND)
    native = host.native_dtype(self.dtype)
    z = host.kernels["random_normal"](_rng(generator), tuple(self.shape), native)
    return _fill_from_host(self, z * std + mean, "normal_")


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 1 where a uniform draw falls below ``p`` (a number or a tensor of
    probabilities), else 0."""
    u = _uniform_floats(self, generator)
    if isinstance(p, Tensor):
        p = p.detach().numpy()
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill_from_host(self, u < p, "bernoulli_")


def random_(self: Tensor, from_: int = 0, to: Any = None, *, generator: Any = None):
    """Fill with integers drawn uniformly from ``[from_, to)``; without bounds, from
    ``[0, 2**mantissa]`` for floating dtypes and ``[0, max]`` for integer ones."""
    if to is None and from_ != 0:
        from_, to = 0, from_
    if to is None:
        digits = MANTISSA_DIGITS.get(self.dtype)
        to = INT64_MAX if digits is None else 2**digits + 1
    values = _rng(generator).integers(from_, to, size=tuple(self.shape), dtype="int64")
    return _fill_from_host(self, values, "random_")


def _target_kwargs(kw: dict) -> Any:
    return _target_backend(kw.pop("backend", None), kw.pop("device", None))


def randperm(n: int, *, generator: Any = None, dtype: Any = None, **kw: Any) -> Tensor:
    """A random permutation of ``0 .. n - 1`` (int64 unless ``dtype`` says otherwise)."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    d = dtypes.int64 if dtype is None else dtypes.resolve(dtype)
    target = _target_kwargs(kw)
    out = Tensor._make(target.kernels["empty"]((n,), target.native_dtype(d)), d, target)
    _fill_from_host(out, _rng(generator).permutation(n))
    return _finish(out, kw.pop("requires_grad", False))


def randint(*args: Any, generator: Any = None, dtype: Any = None, **kw: Any) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)`` (also as keywords):
    integers drawn uniformly from ``[low, high)`` (int64 unless ``dtype`` says otherwise)."""
    named = [kw.pop(k) for k in ("low", "high", "size") if k in kw]
    args = (*args, *named)
    low, high, size = (0, *args) if len(args) == 2 else args
    d = dtypes.int64 if dtype is None else dtypes.resolve(dtype)
    target, shape = _target_kwargs(kw), sizes_arg("randint", (size,))
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    out = Tensor._make(target.kernels["empty"](shape, target.native_dtype(d)), d, target)
    _fill_from_host(out, _rng(generator).integers(low, high, size=shape, dtype="int64"))
    return _finish(out, kw.pop("requires_grad", False))


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """A tensor like ``input`` of 0/1 draws with probabilities ``input`` (or ``p``)."""
    out = Tensor._make(
        input._backend.kernels["zeros_like"](input._storage.array), input._dtype, input._backend
    )
    return bernoulli_(out, input if p is None else p, generator=generator)


FUNCTIONS = {"randperm": randperm, "randint": randint, "bernoulli": bernoulli}
METHODS = {
    "uniform_": uniform_,
    "normal_": normal_,
    "bernoulli_": bernoulli_,
    "random_": random_,
    "bernoulli": bernoulli,
}


def install(cls: type = Tensor) -> None:
    """Attach the sampling methods to ``cls`` where it has none of that name yet."""
    for name, fn in METHODS.items():
        if not hasattr(cls, name):
            setattr(cls, name, fn)
