"""retrograd.compile's program rewrites: repeated calls run once, constant buffers are made
once, and neither ever shares memory that a caller could see or a later write changes.

Counted, never timed: kernel calls per replay are read from ``explain``/the cache entry.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd as torch
from training_steps import mse_step


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
    # sum's backward expands the seed to w's shape; the multiply broadcasts it itself.
    assert entry.hoisted == {"ones": 1}
    assert entry.kernel_counts == {"multiply": 1}
    assert compiled(torch.full((3,), 2.0)).tolist() == [2.0, 2.0, 2.0]


def test_a_view_of_the_seed_read_by_a_smaller_operand_is_made_once():
    w = torch.ones(3, 4, requires_grad=True)

    def step(s):
        w.grad = None
        (w * s).sum().backward()
        return w.grad

    compiled = torch.compile(step)
    s = torch.arange(4.0)
    compiled(s)
    entry = compiled.entries[0]
    # multiply(view, s) with s of shape (4,) needs the (3, 4) view: kept, made at capture.
    assert entry.hoisted == {"ones": 1, "broadcast_to": 1}
    assert compiled(s).tolist() == step(s).tolist() == [[0.0, 1.0, 2.0, 3.0]] * 3


def test_a_broadcast_the_next_kernel_makes_itself_is_dropped():
    def dropped(x, y):
        return x.expand(3, 4) * y, y - x.expand(3, 4)  # y has the view's shape

    def kept(x, y):
        # No operand of the add has the view's shape; a Python number neither.
        return x.expand(3, 4) + x.expand(3, 4), x.expand(3, 4) + 1.0

    x, y = torch.randn(3, 1), torch.randn(3, 4)
    for step, views in ((dropped, 0), (kept, 1)):
        eager = [(_bits(t), t.shape, t.numpy().strides) for t in step(x, y)]
        compiled = torch.compile(step)
        compiled(x, y)
        assert compiled.entries[0].kernel_counts.get("broadcast_to", 0) == views
        for _ in range(2):
            assert [(_bits(t), t.shape, t.numpy().strides) for t in compiled(x, y)] == eager


def test_arithmetic_on_single_numbers_is_folded_larger_arithmetic_is_not():
    torch.manual_seed(1)
    w = torch.randn(5, 3, requires_grad=True)
    scale = torch.full((5, 3), 0.5)

    def step(x):
        w.grad = None
        # The loss's constants scale the 0-d seed: folded. (w * scale) and ones * 3 are
        # not 0-d: they run each replay.
        loss = -(w * scale * x).sum() / 4
        loss.backward()
        return loss, w.grad, x + torch.ones(5, 3) * 3

    x = torch.randn(5, 3)
    eager = [_bits(t) for t in step(x)]
    compiled = torch.compile(step)
    compiled(x)
    entry = compiled.entries[0]
    # Both factories (the seed, torch.ones) are made once, and the seed's arithmetic; the
    # seed's expansion to w's shape is the multiply's own broadcast.
    assert entry.hoisted == {"ones": 2, "divide": 1, "negative": 1}
    # Left each replay: the forward's negative and divide (on data), four multiplies of
    # the loss and its gradient, and ones * 3 (2-d: not folded).
    assert entry.kernel_counts == {"multiply": 5, "sum": 1, "negative": 1, "divide": 1, "add": 1}
    for _ in range(2):
        assert [_bits(t) for t in compiled(x)] == eager
    y = torch.randn(5, 3)
    assert [_bits(t) for t in compiled(y)] == [_bits(t) for t in step(y)]


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


def test_jax_holds_reached_small_arrays_as_constants_while_they_are_the_same():
    if not any(i.name == "jax" and i.usable for i in torch.backends()):
        pytest.skip("no usable jax backend")
    with torch.use_backend("jax"):
        w = torch.ones(3, requires_grad=True)
        xs = [torch.full((3,), float(i)) for i in range(4)]

        def step():
            w.grad = None
            loss = sum((w * x).sum() for x in xs)
            loss.backward()
            return loss

        compiled = torch.compile(step)
        compiled()
        source = compiled.entries[0].source
        assert "if e" in source and " is X" in source  # a constant body, and its check
        assert compiled().item() == 18.0  # 3 * (0 + 1 + 2 + 3)
        with torch.no_grad():
            xs[0].add_(1)  # JAX rebinds the array: the constant no longer holds
        assert compiled().item() == 21.0 == step().item()
        assert len(compiled.entries) == 1  # no new recording: the general body ran


def _jax_training(momentum_model):
    model, opt = momentum_model
    x, y = torch.ones(5, 8), torch.zeros(5, 3)
    train = mse_step(model, opt)

    def step():
        return train(x, y)

    return step


def _buffers(model, opt):
    """Where the arrays of the parameters, their gradients and the optimizer state live
    (XLA may write a new gradient into a donated parameter's memory: same shape)."""
    arrays = [t._storage.array for p in model.parameters() for t in (p, p.grad) if t is not None]
    arrays += [s._storage.array for p in model.parameters() for s in opt.state[p].values()
               if isinstance(s, torch.Tensor)]  # fmt: skip
    return {a.unsafe_buffer_pointer() for a in arrays}


def _momentum_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    return model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


def test_jax_donates_the_parameters_and_optimizer_state_it_replaces():
    if not any(i.name == "jax" and i.usable for i in torch.backends()):
        pytest.skip("no usable jax backend")
    with torch.use_backend("jax"), warnings.catch_warnings():
        warnings.simplefilter("error")  # JAX warns of a donated buffer it could not use
        eager_model, compiled_model = _momentum_model(), _momentum_model()
        eager, compiled = _jax_training(eager_model), torch.compile(_jax_training(compiled_model))
        reused = []
        for _ in range(4):
            before = _buffers(*compiled_model)
            eager()
            compiled()
            reused.append(len(before & _buffers(*compiled_model)))
        # Capture and the first replay (state created) make new arrays; later replays
        # write the new parameters and momentum buffers into the old ones' memory.
        assert reused[0] == 0 and reused[-1] > 0
        assert "donate" not in compiled.entries[-1].source  # donation is the backend's
        held = compiled_model[0][0].weight._storage.array  # an alias the user keeps
        held_value = np.asarray(held).copy()
        eager()
        compiled()  # donates nothing this call: the alias stays a live array
        assert not held.is_deleted() and np.asarray(held).tobytes() == held_value.tobytes()
        del held
        for _ in range(2):
            eager()
            compiled()
        for p, q in zip(eager_model[0].parameters(), compiled_model[0].parameters(), strict=True):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5)
