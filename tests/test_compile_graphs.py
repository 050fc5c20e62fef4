"""Device graphs (``retrograd.compile(..., mode="reduce-overhead")``), checked on the CPU.

On CuPy a replay's body is captured as a CUDA graph (``retrograd_backends.cupy_graphs``)
and ``retrograd.compiler.graphs.GraphedBody`` decides, call by call, whether the graph may
stand in for the body: which arguments it reads in place, which it copies in (and back),
when it captures again, when it runs the body plain. No GPU here, so a plugin lowers the
NumPy backend's bodies through ``GraphedBody`` with :class:`EmulatedGraphs`, a runtime
with a graph's memory semantics: a capture records without running (it runs the body
once and restores every argument it wrote), and a launch reads the captured arguments'
current contents, writes them where the body writes, and writes its results into the
very arrays the capture returned. A slip in ``GraphedBody`` (a copy forgotten, a stale
static argument read, a result handed out and overwritten) changes results here as it
would on a GPU. The CUDA side runs on a GPU in ``tests/test_cupy_compile.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as torch
from retrograd.compiler import counters, graphs, reset_counters
from retrograd.plugins import hookimpl, register, unregister
from training_steps import mlp, mse_step


class _Graph:
    def __init__(self, body, inputs, outputs):
        self.body, self.inputs, self.outputs = body, inputs, outputs


class EmulatedGraphs:
    """A NumPy :class:`~retrograd.compiler.graphs.GraphRuntime` with a CUDA graph's
    memory semantics (see the module doc); counts copies and launches."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail
        self.copies_in = self.copies_out = self.launches = 0

    def is_array(self, value):
        return isinstance(value, np.ndarray)

    def nbytes(self, array):
        return array.nbytes

    def shares_memory(self, a, b):
        return np.may_share_memory(a, b)

    def new_pool(self):
        return object()

    def empty_like(self, array, pool):
        return np.empty_like(array)

    def copy_into(self, target, source):
        self.copies_in += 1
        np.copyto(target, source)

    def copy(self, array):
        self.copies_out += 1
        return array.copy()

    def capture(self, body, inputs, pool):
        if self.fail is not None:
            raise self.fail
        arrays = [a for a in inputs if isinstance(a, np.ndarray)]
        before = [a.copy() for a in arrays]
        outputs = tuple(body(*inputs))
        for array, old in zip(arrays, before, strict=True):  # a capture runs nothing
            np.copyto(array, old)
        return _Graph(body, inputs, outputs), outputs

    def launch(self, graph):
        self.launches += 1
        for fixed, value in zip(graph.outputs, graph.body(*graph.inputs), strict=True):
            np.copyto(fixed, value)


class GraphsOnNumpy:
    """Lowers the NumPy backend's bodies as CuPy's hook does on a GPU (in
    ``"reduce-overhead"`` mode), keeping each ``GraphedBody`` and the modes asked for."""

    def __init__(self, runtime: EmulatedGraphs) -> None:
        self.runtime = runtime
        self.graphs = True  # False: lower to the plain body (the reference)
        self.bodies: list[graphs.GraphedBody] = []
        self.modes: list[str] = []

    @hookimpl
    def retrograd_lower_program(self, backend, function, mutated_argnums, mode):
        if backend.name != "numpy":
            return None
        self.modes.append(mode)
        if mode != "reduce-overhead":
            return None

        def body(*args):  # NumPy's 0-d results are scalars; CuPy's are 0-d arrays
            return tuple(np.asarray(value) for value in function(*args))

        if not self.graphs:
            return body
        self.bodies.append(graphs.GraphedBody(body, mutated_argnums, self.runtime))
        return self.bodies[-1]


@pytest.fixture
def lowered():
    reset_counters()
    plugin = GraphsOnNumpy(EmulatedGraphs())
    register(plugin)
    try:
        with torch.use_backend("numpy"):
            yield plugin
    finally:
        unregister(plugin)
        reset_counters()


def _training(opt_cls, mode, steps=6, new_batches=False, **opt_kwargs):
    """Loss, parameters and gradients after each step of a small MLP's training."""
    torch.manual_seed(0)
    model = mlp(8, 16, 3)
    opt = opt_cls(model.parameters(), lr=1e-2, **opt_kwargs)
    batches = [(torch.randn(5, 8), torch.randn(5, 3)) for _ in range(steps if new_batches else 1)]
    step = mse_step(model, opt)
    run = torch.compile(step, mode=mode) if mode else step
    history = []
    for i in range(steps):
        loss = run(*batches[i % len(batches)])
        params = [p.detach().numpy().copy() for p in model.parameters()]
        grads = [p.grad.numpy().copy() for p in model.parameters()]
        history.append([loss.detach().numpy().copy(), *params, *grads])
    return history, model


def _assert_bitwise_equal(a, b):
    for got, want in zip(a, b, strict=True):
        for x, y in zip(got, want, strict=True):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


def _lowered_plain(lowered, *args, **kwargs):
    """The reference: the same lowered body, called itself at every replay. (A lowered
    body computes Adam's bias correction from the step counter on the device, in its
    float32: the last bit may differ from eager's Python float, graphs or not.)"""
    lowered.graphs = False
    try:
        return _training(*args, **kwargs)[0]
    finally:
        lowered.graphs = True


def _launches_expected():
    """Replays after the first (the warm-up, which runs the body itself)."""
    return counters["stats"]["replays"] - 1


@pytest.mark.parametrize(
    ("opt_cls", "opt_kwargs"),
    [(torch.optim.SGD, {}), (torch.optim.SGD, {"momentum": 0.9}), (torch.optim.Adam, {})],
)
def test_a_graphed_training_step_gives_eager_bits_and_reads_its_parameters_in_place(
    lowered, opt_cls, opt_kwargs
):
    eager, _ = _training(opt_cls, None, **opt_kwargs)
    reference = _lowered_plain(lowered, opt_cls, "reduce-overhead", **opt_kwargs)
    reset_counters()
    graphed, model = _training(opt_cls, "reduce-overhead", **opt_kwargs)
    _assert_bitwise_equal(graphed, reference)
    for got, want in zip(graphed, eager, strict=True):
        for x, y in zip(got, want, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-6)
    # The first replay runs the body (the warm-up), the second captures and launches.
    (body,) = lowered.bodies
    assert counters["device_graphs"]["captured"] == 1 and body.off is None
    assert lowered.runtime.launches == counters["device_graphs"]["launched"]
    assert lowered.runtime.launches == _launches_expected() >= 3
    # Parameters, optimizer state and the batch are the same arrays every call: the graph
    # reads and updates them in place; nothing is copied in, only the results out.
    assert lowered.runtime.copies_in == 0 and lowered.runtime.copies_out > 0
    assert set(body.mutated) and all(body._inputs[k] is not None for k in body.mutated)
    with torch.no_grad():  # the optimizer's in-place update reached the model's arrays
        param = next(model.parameters())
        assert param.detach().numpy().tobytes() == graphed[-1][1].tobytes()


def test_a_new_batch_each_step_is_copied_into_the_graphs_own_buffer(lowered):
    eager, _ = _training(torch.optim.SGD, None, new_batches=True, steps=7, momentum=0.9)
    reset_counters()
    graphed, _ = _training(torch.optim.SGD, "reduce-overhead", new_batches=True, steps=7,
                           momentum=0.9)  # fmt: skip
    _assert_bitwise_equal(graphed, eager)
    (body,) = lowered.bodies
    # x and y changed between the warm-up and the capture: copied in at each launch.
    assert len(body._copied) == 2 and body.captures == 1
    assert lowered.runtime.launches == _launches_expected() >= 3
    assert lowered.runtime.copies_in == 2 * lowered.runtime.launches


def test_the_default_mode_lowers_nothing_and_reduce_overhead_reaches_the_hook(lowered):
    _training(torch.optim.SGD, "default", steps=3)
    assert lowered.modes == ["default"] and not lowered.bodies
    _training(torch.optim.SGD, "max-autotune", steps=3)
    assert lowered.modes[-1] == "reduce-overhead" and len(lowered.bodies) == 1


def _body(a, b, scale):
    """A body writing into its first argument (an in-place update) and returning two
    new arrays."""
    a += b * scale
    return (a * 2.0, np.asarray(a.sum()))


def _graphed(runtime=None):
    runtime = runtime or EmulatedGraphs()
    return graphs.GraphedBody(_body, (0,), runtime), runtime


def _expected(a, b, scale):
    a = a.copy()
    return _body(a, b, scale), a


def test_results_are_new_arrays_that_a_later_launch_does_not_overwrite():
    body, runtime = _graphed()
    a, b = np.arange(4.0), np.ones(4)
    results = [body(a, b, 0.5) for _ in range(5)]
    assert runtime.launches == 4  # all but the warm-up
    for k, (doubled, total) in enumerate(results):
        value = np.arange(4.0) + 0.5 * (k + 1)
        np.testing.assert_array_equal(doubled, value * 2)
        assert total == value.sum()


def test_a_copied_argument_that_the_body_writes_is_copied_back():
    body, runtime = _graphed()
    b = np.ones(4)
    for k in range(5):
        a = np.full(4, float(k))  # another array each call: copied in, and back
        (want_doubled, want_total), want_a = _expected(a, b, 1.0)
        doubled, total = body(a, b, 1.0)
        np.testing.assert_array_equal(a, want_a)
        np.testing.assert_array_equal(doubled, want_doubled)
    assert runtime.launches == 4 and body._copied == {0}


def test_a_static_argument_replaced_later_is_demoted_and_captured_again():
    body, runtime = _graphed()
    a, b = np.zeros(4), np.ones(4)
    body(a, b, 1.0), body(a, b, 1.0), body(a, b, 1.0)  # warm-up, capture, launch
    assert body._copied == set() and body.captures == 1
    b2 = np.full(4, 3.0)
    body(a, b2, 1.0)
    np.testing.assert_array_equal(a, np.full(4, 6.0))  # read b2, not the captured b
    assert body._copied == {1} and body.captures == 2 and runtime.launches == 3


def test_a_changed_number_runs_the_body_plain_without_capturing_again():
    reset_counters()
    body, runtime = _graphed()
    a, b = np.zeros(4), np.ones(4)
    body(a, b, 1.0), body(a, b, 1.0)
    body(a, b, 2.0)
    np.testing.assert_array_equal(a, np.full(4, 4.0))
    assert runtime.launches == 1 and body.captures == 1
    assert counters["device_graphs"]["plain"] == 2


def test_a_failed_capture_leaves_the_body_plain_and_says_why():
    reset_counters()
    body, runtime = _graphed(EmulatedGraphs(fail=RuntimeError("operation not permitted")))
    a, b = np.zeros(4), np.ones(4)
    for _ in range(4):
        body(a, b, 1.0)
    np.testing.assert_array_equal(a, np.full(4, 4.0))
    assert runtime.launches == 0 and body.off.startswith("the capture failed (RuntimeError")
    assert counters["device_graphs"][f"off: {body.off}"] == 1


def test_a_step_that_would_copy_too_much_runs_plain(monkeypatch):
    monkeypatch.setattr(graphs, "MAX_COPY_BYTES", 40)
    body, runtime = _graphed()
    b = np.ones(4)
    for k in range(4):
        body(np.full(4, float(k)), b, 1.0)  # 32 bytes in, 32 back, 40 out: past 40
    assert runtime.launches == 0 and "copy more than" in body.off


def test_a_result_that_views_an_argument_is_never_graphed():
    body = graphs.GraphedBody(lambda a: (a[1:],), (), EmulatedGraphs())
    a = np.arange(3.0)
    for _ in range(3):
        (view,) = body(a)
        assert np.shares_memory(view, a)
    assert body.off == "a result shares memory with an argument (a view)"
