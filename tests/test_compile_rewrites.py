"""retrograd.compile's program rewrites: repeated calls run once, constant buffers are made
once, and neither ever shares memory that a caller could see or a later write changes.

Counted, never timed: kernel calls per replay are read from ``explain``/the cache entry.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as torch


@pytest.fixture(autouse=True)
def _on_numpy():
    """The NumPy replay (JAX's is one ``jax.jit`` function, which merges calls itself);
    the global compile counters left as found (docs/compile.md prints them)."""
    with torch.use_backend("numpy"):
        yield
    torch.compiler.reset_counters()


def _bits(t):
    return t.detach().numpy().tobytes()


def _rnn_like(w):
    def step(x):
        w.grad = None
        h = x
        for _ in range(3):
            h = torch.tanh(w @ h)
        loss = h.sum()
        loss.backward()
        return loss, w.grad

    return step


def test_a_repeated_call_runs_once_with_eager_bits():
    torch.manual_seed(0)
    w, x = torch.randn(4, 4, requires_grad=True), torch.randn(4)
    step = _rnn_like(w)
    eager = [_bits(t) for t in step(x)]
    report = torch.compile.explain(step, x)
    # Eager transposes w once per time step of the backward; a replay once in all.
    assert report.kernel_counts["permute_dims"] == 1
    compiled = torch.compile(step)
    for _ in range(3):
        assert [_bits(t) for t in compiled(x)] == eager


def test_equal_results_returned_twice_stay_two_arrays():
    def step(x):
        return x * 2, x * 2, (x * 2).t()

    compiled = torch.compile(step)
    compiled(torch.ones(2, 2))
    a, b, c = compiled(torch.ones(2, 2))
    assert compiled.entries[0].kernel_counts["multiply"] == 3
    arrays = [t.numpy() for t in (a, b, c)]
    assert not any(np.shares_memory(p, q) for i, p in enumerate(arrays) for q in arrays[i + 1 :])


def test_calls_after_a_write_are_not_merged_with_calls_before_it():
    def step(x):
        v = x.t()  # a view: the same slot before and after the write, other values
        a = v * 2
        with torch.no_grad():
            x.mul_(3)
        return a + v * 2  # 2x + 6x

    compiled = torch.compile(step)
    for _ in range(3):
        assert compiled(torch.ones(1, 2)).tolist() == [[8.0], [8.0]]


def test_the_backward_seed_is_a_buffer_made_once():
    w = torch.ones(3, requires_grad=True)

    def step(x):
        w.grad = None
        (w * x).sum().backward()
        return w.grad

    compiled = torch.compile(step)
    compiled(torch.ones(3))
    entry = compiled.entries[0]
    assert entry.hoisted == {"ones": 1, "broadcast_to": 1}
    assert "ones" not in entry.kernel_counts and "broadcast_to" not in entry.kernel_counts
    assert compiled(torch.full((3,), 2.0)).tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("view", [False, True])
def test_a_returned_or_written_factory_result_is_made_each_replay(view):
    def step(x):
        y = torch.zeros(2, 3)
        y = y.t() if view else y
        with torch.no_grad():
            y.add_(x)  # a write into the factory's buffer
        return y, torch.ones(3)  # returned as it is

    compiled = torch.compile(step)
    first, ones1 = compiled(torch.ones(3, 2) if view else torch.ones(2, 3))
    second, ones2 = compiled(torch.ones(3, 2) if view else torch.ones(2, 3))
    assert compiled.entries[0].hoisted == {}  # the zeros are written, the ones returned
    assert not np.shares_memory(first.numpy(), second.numpy())
    assert not np.shares_memory(ones1.numpy(), ones2.numpy())
    assert first.tolist() == second.tolist()
    assert first.sum().item() == 6.0
