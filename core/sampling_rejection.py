"""PyTorch's CPU rejection samplers: Poisson, binomial, gamma (and so Dirichlet).

Each element takes as many draws as its rejection loop needs, so the draws cannot be
made as one array: :class:`Stream` hands out PyTorch's float64 uniforms (a 64-bit draw
each) and its scalar float64 normals (the Box-Muller whose second value the generator
caches) one at a time, from a look-ahead copy of the generator's engine, and at
:meth:`Stream.close` advances the generator by exactly the draws used. The loops are
the published algorithms PyTorch names, evaluated in float64 with Python's ``math`` (the
C library): Poisson by multiplying uniforms below a rate of 10 and by Hörmann's PTRS
(1993) from 10; binomial by summing geometric waiting times while ``count * p < 10``,
else by Hörmann's BTRS (1993); gamma by Marsaglia and Tsang (2000), boosted below 1.
docs/random.md says how far each follows PyTorch's stream.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable

from . import dtypes
from .generator import Generator
from .sampling import unit

_CHUNK = 256  # uniforms drawn ahead at a time
_FLOAT_ONE_THIRD = struct.unpack("f", struct.pack("f", 1.0 / 3.0))[0]  # C's 1.0f / 3.0f
_FLOAT_0_0331 = struct.unpack("f", struct.pack("f", 0.0331))[0]  # C's 0.0331f


def round_to(d: dtypes.dtype) -> Callable[[float], float]:
    """A float rounded to ``d`` (float32/float16 through ``struct``; float64 as is)."""
    code = {"float32": "f", "float16": "e"}.get(d.name)
    if code is None:
        return float
    packer = struct.Struct(code)
    return lambda x: packer.unpack(packer.pack(x))[0] if math.isfinite(x) else x


class Stream:
    """PyTorch's scalar float64 uniforms and normals from ``gen``, one at a time."""

    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        self.ahead = Generator()
        self.ahead._seed, self.ahead._engine = gen._seed, gen.engine.copy()
        self.buffer: list[float] = []
        self.position = 0
        self.used = 0
        self.cached_normal = gen.next_double_normal

    def uniform(self) -> float:
        """``uniform_real_distribution<double>(0, 1)``: the low 53 bits of a 64-bit draw."""
        if self.position == len(self.buffer):
            self.buffer = unit(self.ahead, _CHUNK, dtypes.float64).tolist()
            self.position = 0
        self.position += 1
        self.used += 1
        return self.buffer[self.position - 1]

    def normal(self) -> float:
        """``normal_distribution<double>(0, 1)``: the cached value if there is one, else
        ``r * cos(t)`` of two uniforms ``(u1, u2)`` (``t = 2*pi*u1``, ``r =
        sqrt(-2*log1p(-u2))``), caching ``r * sin(t)``."""
        if self.cached_normal is not None:
            value, self.cached_normal = self.cached_normal, None
            return value
        u1, u2 = self.uniform(), self.uniform()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        self.cached_normal = r * math.sin(theta)
        return r * math.cos(theta)

    def close(self) -> None:
        """Leave ``gen`` as if it had made exactly the draws used."""
        self.gen.random64(self.used)
        self.gen.next_double_normal = self.cached_normal


def _c_floor(v: float) -> float:
    """C's ``floor``: infinities and NaN pass through (Python's ``math.floor`` raises)."""
    return float(math.floor(v)) if math.isfinite(v) else v


def _c_max(a: float, b: float) -> float:
    return b if a < b else a  # std::max: a NaN second argument gives the first


def poisson(stream: Stream, rate: float) -> int:
    """One Poisson sample of ``rate`` (>= 0)."""
    if rate >= 10:
        return _ptrs(stream, rate)
    if rate == 0:
        return 0
    limit, product, k = math.exp(-rate), 1.0, 0
    while True:  # count uniforms until their product falls to exp(-rate)
        product *= stream.uniform()
        if not product > limit:
            return k
        k += 1


def _ptrs(stream: Stream, rate: float) -> int:
    """Hörmann's transformed rejection with squeeze (PTRS), for rates from 10."""
    root, log_rate = math.sqrt(rate), math.log(rate)
    b = 0.931 + 2.53 * root
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = stream.uniform() - 0.5
        v = stream.uniform()
        us = 0.5 - abs(u)
        k = _c_floor((2 * a / us + b) * u + rate + 0.43)
        # C's conversion of an infinite or NaN double to int64 (x86): the smallest int64
        k = int(k) if math.isfinite(k) else -(2**63)
        if us >= 0.07 and v <= v_r:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        accept = -rate + k * log_rate - math.lgamma(k + 1.0)
        if math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b) <= accept:
            return k


def binomial(stream: Stream, count: float, p: float) -> float:
    """One binomial sample: successes in ``count`` trials of probability ``p``. As
    PyTorch: 0 for ``count <= 0`` or ``p <= 0``, ``count`` for ``p >= 1``, and
    ``p > 0.5`` sampled as ``count`` minus the failures."""
    if count <= 0 or p <= 0:
        return 0.0
    if p >= 1:
        return count
    if p <= 0.5:
        return _binomial_small_p(stream, count, p)
    if p > 0.5:
        return count - _binomial_small_p(stream, count, 1.0 - p)
    return math.nan


def _binomial_small_p(stream: Stream, count: float, p: float) -> float:
    if count * p >= 10.0:
        return _btrs(stream, count, p)
    # Inversion: successes are the geometric waiting times that fit in ``count`` trials.
    log_q, total, k = math.log1p(-p), 0.0, 0.0
    while True:
        u = stream.uniform()
        total += math.ceil((math.log(u) if u > 0 else -math.inf) / log_q)
        if total > count:
            return k
        k += 1


def _stirling_tail(k: float) -> float:
    """``log(k!) - (k + 1/2) log(k + 1) + (k + 1) - log(sqrt(2 pi))``: tabulated to 9,
    then the first terms of its asymptotic series."""
    if k <= 9:
        j = int(k)
        return math.lgamma(j + 1.0) - (j + 0.5) * math.log(j + 1.0) + (j + 1.0) - _HALF_LOG_2PI
    n = k + 1
    n2 = n * n
    return (1 / 12 - (1 / 360 - 1 / 1260 / n2) / n2) / n


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _btrs(stream: Stream, count: float, p: float) -> float:
    """Hörmann's BTRS (transformed rejection with squeeze), for ``count * p >= 10``."""
    spread = math.sqrt(count * p * (1 - p))
    b = 1.15 + 2.53 * spread
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = count * p + 0.5
    v_r = 0.92 - 4.2 / b
    r = p / (1 - p)
    alpha = (2.83 + 5.1 / b) * spread
    m = _c_floor((count + 1) * p)
    while True:
        u = stream.uniform() - 0.5
        v = stream.uniform()
        us = 0.5 - abs(u)
        k = _c_floor((2 * a / us + b) * u + c)
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return float(k)
        v = math.log(v * alpha / (a / (us * us) + b)) if v > 0 else -math.inf
        bound = (
            (m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
            + (count + 1) * math.log((count - m + 1) / (count - k + 1))
            + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
            + _stirling_tail(m) + _stirling_tail(count - m)
            - _stirling_tail(k) - _stirling_tail(count - k)
        )  # fmt: skip
        if v <= bound:
            return float(k)


def gamma(stream: Stream, alpha: float, d: dtypes.dtype) -> float:
    """One standard gamma sample of shape ``alpha`` (Marsaglia and Tsang), with ``alpha``
    and the constants in ``d`` where PyTorch's kernel keeps them in the tensor's type;
    at least the smallest normal number of ``d``."""
    rnd = round_to(d)
    # float32 and float16 arithmetic on alpha is C's float arithmetic: rounded to float32.
    single = float if d is dtypes.float64 else round_to(dtypes.float32)
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return _TINY[d.name]  # 0, raised to the smallest normal number as every sample
        # Boost: Gamma(alpha) = Gamma(alpha + 1) * U ** (1 / alpha).
        scale *= (1.0 - stream.uniform()) ** single(1.0 / alpha)
        alpha = rnd(alpha + 1.0)
    shifted = single(alpha - _FLOAT_ONE_THIRD)
    c = 1.0 / math.sqrt(9.0 * shifted) if shifted > 0 else math.nan
    while True:
        while True:
            x = stream.normal()
            y = 1.0 + c * x
            if not y <= 0:
                break
        v = y * y * y
        u = 1.0 - stream.uniform()
        xx = x * x
        if u < 1.0 - _FLOAT_0_0331 * xx * xx or (
            math.log(u) < 0.5 * xx + shifted * (1.0 - v + (math.log(v) if v > 0 else math.nan))
        ):
            return _c_max(_TINY[d.name], rnd(scale * shifted * v))


_TINY = {"float64": 2.2250738585072014e-308, "float32": 1.1754943508222875e-38,
         "float16": 6.103515625e-05}  # fmt: skip


def each(gen: Generator, values: Iterable[float], sample: Callable) -> list:
    """``sample(stream, value)`` for each value in turn, drawing from ``gen``."""
    stream = Stream(gen)
    try:
        return [sample(stream, v) for v in values]
    finally:
        stream.close()
