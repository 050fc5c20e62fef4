"""PyTorch's CPU transforms from raw generator draws to samples of each distribution.

Each function takes a :class:`~retrograd.generator.Generator`, the number of samples and
a retrograd dtype, consumes exactly the draws PyTorch's CPU kernel consumes, in the same
order, and returns a host array (the host backend's, NumPy) of that dtype holding the
values PyTorch writes, in the order it writes them (memory order of a contiguous tensor).

Where PyTorch's kernel calls the C library's double ``log``/``sin``/``cos``, so does this
module (Python's ``math`` is the same C library), mapped over the values: NumPy's own
vectorized ``log`` is not correctly rounded the same way. Facts per function, and where a
stream cannot match, are in docs/random.md.
"""

from __future__ import annotations

import math
from typing import Any

from . import dtypes, simd_math
from .generator import Generator

# Mantissa digits (with the implicit bit) PyTorch's uniform uses per floating dtype.
DIGITS = {"float16": 24, "float32": 24, "float64": 53}  # float16: float's 24, as measured
_BOX_MULLER_BLOCK = 16  # PyTorch's vectorized normal fills blocks of 16 (8 radii, 8 angles)


def native(gen: Generator, d: dtypes.dtype) -> Any:
    return getattr(gen.xp, d.name)


def _map(xp: Any, fn: Any, values: Any) -> Any:
    """``fn`` (a C library function from ``math``) applied to each float64 value."""
    flat = xp.reshape(values, (-1,)).tolist()
    return xp.reshape(xp.asarray(list(map(fn, flat)), dtype=xp.float64), values.shape)


def unit(gen: Generator, n: int, d: dtypes.dtype) -> Any:
    """``n`` uniforms in [0, 1) as PyTorch's ``uniform_real_distribution<d>`` makes them:
    the low ``digits`` bits of a 32-bit draw (a 64-bit one for float64) times
    ``2**-digits``, in the accumulation type (float32 for float16 and float32)."""
    xp, digits = gen.xp, DIGITS[d.name]
    if d is dtypes.float64:
        bits = gen.random64(n) & xp.uint64(2**digits - 1)
        return xp.astype(bits, xp.float64) * xp.float64(2.0**-digits)
    bits = gen.random(n) & xp.uint32(2**digits - 1)
    return xp.astype(bits, xp.float32) * xp.float32(2.0**-digits)


def uniform(gen: Generator, n: int, d: dtypes.dtype, low: float, high: float) -> Any:
    """``uniform_(low, high)``: ``u * (high - low) + low`` with ``low``/``high`` first
    rounded to ``d`` and the arithmetic in the accumulation type."""
    xp = gen.xp
    u = unit(gen, n, d)
    kind = native(gen, d)
    if low == 0 and high == 1 and d is not dtypes.float16:
        return u  # u * 1 + 0 is u exactly, below 1: skip the arithmetic (speed)
    lo, hi = kind(low), kind(high)
    acc = u.dtype.type
    span = acc(kind(acc(hi) - acc(lo)))  # c10::Half's difference is a Half again
    # The compiler fuses the multiply and the add (one rounding).
    fused = simd_math.fma64 if d is dtypes.float64 else simd_math.fma
    values = xp.astype(fused(xp, u, span, acc(lo)), kind)
    # A value rounded up to ``high`` becomes ``low``: [low, high) holds (PyTorch does so).
    return xp.where(values == hi, lo, values)


def normal(gen: Generator, n: int, d: dtypes.dtype, mean: float, std: float, contiguous: bool):
    """``normal_(mean, std)``: PyTorch's vectorized Box-Muller fill for a contiguous tensor
    of 16 or more elements, else its scalar Box-Muller (which caches its second value)."""
    if n >= _BOX_MULLER_BLOCK and contiguous:
        return _normal_fill(gen, n, d, mean, std)
    xp = gen.xp
    values = simd_math.fma64(xp, standard_normal_scalar(gen, n), std, mean)
    return xp.astype(values, native(gen, d))


def standard_normal_scalar(gen: Generator, n: int) -> Any:
    """``n`` values of PyTorch's ``normal_distribution<double>`` (float64): each pair of
    64-bit uniforms ``(u1, u2)`` gives ``r*cos(t)`` now and ``r*sin(t)`` cached for the
    next call, ``r = sqrt(-2*log1p(-u2))``, ``t = 2*pi*u1``."""
    xp = gen.xp
    out = []
    if n and gen.next_double_normal is not None:
        out.append(gen.next_double_normal)
        gen.next_double_normal = None
    need = n - len(out)
    pairs = (need + 1) // 2
    if pairs:
        u = xp.reshape(unit(gen, 2 * pairs, dtypes.float64), (pairs, 2))
        r = _map(xp, math.sqrt, xp.float64(-2.0) * _map(xp, math.log1p, -u[:, 1]))
        theta = xp.float64(2.0 * math.pi) * u[:, 0]
        cos, sin = r * _map(xp, math.cos, theta), r * _map(xp, math.sin, theta)
        both = xp.reshape(xp.stack([cos, sin], axis=1), (-1,)).tolist()
        out.extend(both[:need])
        if need % 2:
            gen.next_double_normal = both[-1]
    return xp.asarray(out, dtype=xp.float64)


def _normal_fill(gen: Generator, n: int, d: dtypes.dtype, mean: float, std: float) -> Any:
    """PyTorch's ``normal_fill``: ``n`` uniforms, Box-Muller on each whole block of 16.
    A partial last block: float32/float64 draw 16 fresh uniforms, float16 only the ones
    that complete the block (measured); that block's 16 normals go to the last 16 places."""
    xp, size = gen.xp, _BOX_MULLER_BLOCK
    whole = n // size * size
    block = _box_muller_16 if d is dtypes.float64 else _box_muller_16_avx2
    extra = 0 if whole == n else size - (n - whole) if d is dtypes.float16 else size
    data = unit(gen, n + extra, d)
    head = xp.reshape(block(gen, xp.reshape(data[:whole], (-1, size)), d, mean, std), (-1,))
    if whole != n:
        last = data[whole:] if d is dtypes.float16 else data[n:]
        tail = xp.reshape(block(gen, xp.reshape(last, (1, size)), d, mean, std), (-1,))
        head = xp.concat([head[: n - size], tail])
    return xp.astype(head, native(gen, d))


def _box_muller_16_avx2(gen: Generator, u: Any, d: dtypes.dtype, mean: float, std: float):
    return simd_math.box_muller_16(gen.xp, u, mean, std)


def _box_muller_16(gen: Generator, u: Any, d: dtypes.dtype, mean: float, std: float) -> Any:
    """The scalar ``normal_fill_16`` in float64 (with the C library's functions)."""
    xp = gen.xp
    f64 = xp.float64
    wide = xp.astype(u, f64)
    radius = _map(xp, math.sqrt, f64(-2.0) * _map(xp, math.log, f64(1.0) - wide[:, :8]))
    theta = f64(2.0 * math.pi) * wide[:, 8:]
    cos, sin = _map(xp, math.cos, theta), _map(xp, math.sin, theta)
    fused = simd_math.fma64
    return xp.concat([fused(xp, radius * cos, std, mean), fused(xp, radius * sin, std, mean)], 1)


def random_from_to(gen: Generator, n: int, d: dtypes.dtype, low: int, high: int) -> Any:
    """``random_(low, high)``: ``draw % (high - low) + low``, with a 64-bit draw when the
    range is ``2**28`` or more (measured on PyTorch 2.13), else a 32-bit one."""
    xp, span = gen.xp, high - low
    wide = span >= 2**28
    draws = gen.random64(n) if wide else xp.astype(gen.random(n), xp.uint64)
    values = xp.astype(draws % xp.uint64(span), xp.int64) + xp.int64(low)
    return xp.astype(values, native(gen, d))


def random_default(gen: Generator, n: int, d: dtypes.dtype) -> Any:
    """``random_()``: a draw modulo the dtype's largest value + 1 (bool: its low bit; a
    floating dtype: modulo ``2**digits + 1``); 64-bit draws for int64 and float64."""
    xp = gen.xp
    if d is dtypes.bool:
        return xp.astype(gen.random(n) & xp.uint32(1), xp.bool)
    wide = d in (dtypes.int64, dtypes.float64)
    draws = gen.random64(n) if wide else xp.astype(gen.random(n), xp.uint64)
    if d.is_floating_point:  # float16's mantissa digits here (11), unlike its uniform
        modulus = 2 ** (11 if d is dtypes.float16 else DIGITS[d.name]) + 1
    else:
        modulus = 2 ** (8 * d.itemsize - (1 if d.is_signed else 0))
    return xp.astype(draws % xp.uint64(modulus), native(gen, d))


def randperm(gen: Generator, n: int) -> Any:
    """PyTorch's CPU ``randperm`` (int64): below ``2**32 / 20`` a Fisher-Yates shuffle of
    ``0..n-1`` swapping place ``i`` with ``i + draw % (n - i)``; above, the "inside-out"
    shuffle with 64-bit draws (not checked against PyTorch: too large to compare)."""
    xp = gen.xp
    if n < (2**32 - 1) // 20:
        result = list(range(n))
        steps = xp.arange(max(n - 1, 0), dtype=xp.int64)
        targets = steps + xp.astype(gen.random(max(n - 1, 0)), xp.int64) % (n - steps)
        for i, j in enumerate(targets.tolist()):  # each swap sees the earlier ones
            result[i], result[j] = result[j], result[i]
        return xp.asarray(result, dtype=xp.int64)
    result = [0] * n
    for i, draw in enumerate(gen.random64(n).tolist()):
        j = draw % (i + 1)
        result[i] = result[j]
        result[j] = i
    return xp.asarray(result, dtype=xp.int64)


def bernoulli(gen: Generator, n: int, d: dtypes.dtype, p: float) -> Any:
    """``bernoulli_(p)``: a float64 uniform (64-bit draw) below ``p`` is a 1."""
    xp = gen.xp
    return xp.astype(unit(gen, n, dtypes.float64) < xp.float64(p), native(gen, d))


def bernoulli_tensor(gen: Generator, p: Any, d: dtypes.dtype) -> Any:
    """``bernoulli_(p_tensor)`` / ``bernoulli(p)`` with ``p`` a host array of ``self``'s
    shape: float64 probabilities compare with float64 uniforms, others with float32 ones."""
    xp = gen.xp
    flat = xp.reshape(p, (-1,))
    if not bool(xp.all((flat >= 0) & (flat <= 1))):  # NaN fails too, as in PyTorch
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )
    precision = dtypes.float64 if p.dtype == xp.float64 else dtypes.float32
    u = unit(gen, flat.shape[0], precision)
    return xp.reshape(xp.astype(u < xp.astype(flat, u.dtype), native(gen, d)), p.shape)


def exponential(gen: Generator, n: int, d: dtypes.dtype, lambd: float) -> Any:
    """``exponential_(lambd)``: ``-1 / lambd * log1p(-u)`` in float64."""
    xp = gen.xp
    logs = _map(xp, math.log1p, -unit(gen, n, dtypes.float64))
    return xp.astype(xp.float64(-1.0 / lambd) * logs, native(gen, d))


def cauchy(gen: Generator, n: int, d: dtypes.dtype, median: float, sigma: float) -> Any:
    """``cauchy_(median, sigma)``: ``median + sigma * tan(pi * (u - 0.5))`` in float64, a
    float64 uniform each, the multiply and the add fused (one rounding) as compiled."""
    xp = gen.xp
    tans = _map(xp, math.tan, xp.float64(math.pi) * (unit(gen, n, dtypes.float64) - 0.5))
    return xp.astype(simd_math.fma64(xp, tans, sigma, median), native(gen, d))


def log_normal(gen: Generator, n: int, d: dtypes.dtype, mean: float, std: float) -> Any:
    """``log_normal_(mean, std)``: ``exp`` of PyTorch's scalar ``normal(mean, std)`` (the
    float64 Box-Muller whose second value the generator caches), element by element."""
    xp = gen.xp
    normals = simd_math.fma64(xp, standard_normal_scalar(gen, n), std, mean)
    return xp.astype(_map(xp, math.exp, normals), native(gen, d))


def geometric(gen: Generator, n: int, d: dtypes.dtype, p: float) -> Any:
    """``geometric_(p)``: ``ceil(log(u) / log1p(-p))`` in float64, a float64 uniform each:
    the number of Bernoulli(p) trials up to the first success."""
    xp = gen.xp
    logs = _map(xp, _log_or_minus_inf, unit(gen, n, dtypes.float64))
    return xp.astype(xp.ceil(logs / xp.float64(math.log1p(-p))), native(gen, d))


def _log_or_minus_inf(u: float) -> float:
    return math.log(u) if u > 0 else -math.inf  # C's log(0) is -inf; Python's math raises


def multinomial_with_replacement(gen: Generator, p: Any, n_sample: int) -> Any:
    """``multinomial(p, n_sample, replacement=True)`` for ``n_sample > 1``, ``p`` a host
    array of rows (one per distribution): per row, in turn, the running sum of the row in
    its dtype (float32 for float16) divided by the total, its last entry set to 1, then
    for each of ``n_sample`` float64 uniforms the first index whose sum reaches it."""
    xp = gen.xp
    acc = xp.float32 if p.dtype == xp.float16 else p.dtype
    out = []
    for row in range(p.shape[0]):
        values = xp.astype(p[row], acc)
        if bool(xp.any(~(values >= 0))):  # NaN fails this check first, as in PyTorch
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry < 0)"
            )
        if not bool(xp.all(xp.isfinite(values))):
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry = "
                "infinity or NaN)"
            )
        running = xp.cumulative_sum(values)  # one addition after the other, like the loop
        if not running[-1] > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        running = running / running[-1]
        running[-1] = 1
        u = unit(gen, n_sample, dtypes.float64)
        out.append(xp.searchsorted(xp.astype(running, xp.float64), u, side="left"))
    return xp.astype(xp.stack(out), xp.int64)
