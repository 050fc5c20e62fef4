"""Where a case's shapes, parameters and values come from: fixed lists or hypothesis.

A sample builder (see :mod:`retrograd_conformance.samples`) asks a *draw* for shapes,
choices, integers and values; it never knows which kind of draw it got. Two kinds:

- :class:`FixedDraw`: the fixed small cases. Case ``index`` takes the ``index``-th shape
  of a short list and cycles through each list of choices, so a handful of indices covers
  scalars, vectors, broadcasting and every parameter option; values come from a NumPy
  generator seeded from the case's name (no global RNG, identical on every run and on
  every xdist worker).
- :class:`HypothesisDraw`: shapes (broadcasting ones included) and choices drawn by
  hypothesis, run under a derandomized profile, so collection and results are
  deterministic too.

Values are float64 arrays, inside the record's domain and at least :data:`MARGIN` away
from its kinks and domain bounds (finite differences step across neither).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

MARGIN = 0.05  # distance kept from kinks and open domain bounds
SPAN = 2.0  # values lie in [-SPAN, SPAN], clipped to the domain
MAX_SIDE = 4

FIXED_SHAPES = ((), (3,), (2, 3), (2, 1, 3), (4,), (3, 2))
FIXED_BROADCAST = {
    2: (((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((2, 3), ()),
        ((1, 3), (2, 1, 3))),
    3: (((3,), (3,), (3,)), ((2, 3), (3,), (2, 1)), ((2, 1), (1, 3), ()), ((), (2, 3), (3,)),
        ((2, 3), (2, 3), (2, 3)), ((1, 3), (2, 1, 3), (3,))),
}  # fmt: skip
FIXED_CASES = 6  # fixed samples per (op, dtype); the lists above have this length


def interval(domain: tuple[float, float]) -> tuple[float, float]:
    """The closed interval values are drawn from: ``domain`` clipped to the span, shrunk
    by :data:`MARGIN` at each finite end."""
    lo, hi = domain
    lo = -SPAN if math.isinf(lo) else lo + MARGIN
    hi = SPAN if math.isinf(hi) else hi - MARGIN
    return lo, hi


def away_from_kinks(x: np.ndarray, kinks: Sequence[float], lo: float, hi: float) -> np.ndarray:
    """``x`` with every element closer than :data:`MARGIN` to a kink pushed to that
    distance (towards the side it was on, or inward at the interval's edge)."""
    for k in kinks:
        near = np.abs(x - k) < MARGIN
        side = np.where(x >= k, 1.0, -1.0)
        pushed = k + side * MARGIN
        pushed = np.where((pushed < lo) | (pushed > hi), k - side * MARGIN, pushed)
        x = np.where(near, pushed, x)
    return x


class _Values:
    """Value sampling shared by both draws (needs ``self.rng``)."""

    rng: np.random.Generator

    def values(
        self,
        shape: tuple[int, ...],
        domain: tuple[float, float] = (-math.inf, math.inf),
        kinks: Sequence[float] = (),
        integer: bool = False,
    ) -> np.ndarray:
        """Float64 values of ``shape`` in ``domain``, away from ``kinks``; integer-valued
        when ``integer`` (for integer dtypes, and to make ties in comparisons)."""
        lo, hi = interval(domain)
        if integer:
            ints = np.arange(math.ceil(lo), math.floor(hi) + 1, dtype=np.float64)
            return self.rng.choice(ints, size=shape)
        x = self.rng.uniform(lo, hi, size=shape)
        return np.asarray(away_from_kinks(x, kinks, lo, hi), dtype=np.float64)


class FixedDraw(_Values):
    """The ``index``-th fixed case of the sample named ``key`` (see the module doc)."""

    def __init__(self, key: str, index: int) -> None:
        self.index = index
        self.rng = np.random.default_rng(zlib.crc32(f"{key}/{index}".encode()))
        self._choices = 0

    def shape(self, min_dims: int = 0, max_dims: int = 3) -> tuple[int, ...]:
        fits = [s for s in FIXED_SHAPES if min_dims <= len(s) <= max_dims]
        if not fits:  # more dims than any fixed shape: small sides, varied by index
            return tuple(2 + (self.index + i) % 2 for i in range(min_dims))
        return fits[self.index % len(fits)]

    def broadcast(self, count: int) -> tuple[tuple[int, ...], ...]:
        return FIXED_BROADCAST[count][self.index % len(FIXED_BROADCAST[count])]

    def choice(self, options: Sequence[Any]) -> Any:
        # Successive choices of one case shift by one, so indices cover all options.
        pick = options[(self.index + self._choices) % len(options)]
        self._choices += 1
        return pick

    def integer(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))


class HypothesisDraw(_Values):
    """Draws from a hypothesis ``st.data()`` object."""

    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self.data, self.st = data, st
        self.rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))

    def shape(self, min_dims: int = 0, max_dims: int = 3) -> tuple[int, ...]:
        from hypothesis.extra import numpy as hnp

        strategy = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=MAX_SIDE)
        return self.data.draw(strategy, label="shape")

    def broadcast(self, count: int) -> tuple[tuple[int, ...], ...]:
        from hypothesis.extra import numpy as hnp

        strategy = hnp.mutually_broadcastable_shapes(num_shapes=count, max_side=MAX_SIDE)
        return self.data.draw(strategy, label="shapes").input_shapes

    def choice(self, options: Sequence[Any]) -> Any:
        return self.data.draw(self.st.sampled_from(list(options)))

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(self.st.integers(lo, hi))
