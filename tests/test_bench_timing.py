"""The benchmark harness's sampling order (bench/timing.py): every row once per repeat,
the same orders in every run, and no row always behind the same neighbour (a rotation
kept each row there, and a row's aftermath landed on its follower). No timing is
asserted."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import timing  # noqa: E402


def test_every_row_once_per_repeat_in_the_same_orders_each_run():
    rows = ["limit", "eager", "compiled", "jit", "vjp"]
    orders = timing._orders(rows, 45)
    assert len(orders) == 45 and all(sorted(o) == sorted(rows) for o in orders)
    assert orders == timing._orders(rows, 45)


def test_no_row_always_follows_the_same_row():
    rows = ["limit", "eager", "compiled", "jit", "vjp"]
    before = defaultdict(set)
    sequence = [row for order in timing._orders(rows, 45) for row in order]
    for previous, row in zip(sequence, sequence[1:]):
        before[row].add(previous)
    assert all(before[row] - {row} == set(rows) - {row} for row in rows)


def test_interleaved_medians_samples_each_way_repeats_times():
    calls = defaultdict(int)
    ways = {name: (lambda n=name: calls.__setitem__(n, calls[n] + 1)) for name in "abc"}
    medians = timing.interleaved_medians(ways, 7)
    assert dict(calls) == {"a": 7, "b": 7, "c": 7} and set(medians) == {"a", "b", "c"}
