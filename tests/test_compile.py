"""retrograd.compile: a recorded step replays bit for bit what eager computes.

Everything is counted, never timed: captures, replays, recompiles and graph breaks are
read from ``retrograd.compiler.counters``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd as torch
from retrograd.compiler import InvalidBackend, Unsupported, counters, reset_counters


@pytest.fixture(autouse=True)
def _fresh_counters_on_numpy():
    """Fresh counters, and NumPy as the backend even where the suite runs on another.

    These tests pin down the NumPy replay: the same kernels in the same order, so equal
    bits. JAX hands the recording to ``jax.jit``, whose fused kernels may round the last
    bit differently; its lowering has its own test below.
    """
    reset_counters()
    with torch.use_backend("numpy"):
        yield
    reset_counters()


def _mlp_training(opt_cls, compiled, steps=6, **opt_kwargs):
    """Losses, parameters and gradients after each step of a small MLP's training loop."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    opt = opt_cls(model.parameters(), lr=1e-2, **opt_kwargs)
    x, y = torch.randn(5, 8), torch.randn(5, 3)

    def step(x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    run = torch.compile(step) if compiled else step
    history = []
    for _ in range(steps):
        loss = run(x, y)
        history.append(
            (
                loss.detach().numpy().copy(),
                [p.detach().numpy().copy() for p in model.parameters()],
                [p.grad.numpy().copy() for p in model.parameters()],
            )
        )
    return history, model, opt


def _assert_bitwise_equal(a, b):
    for (la, pa, ga), (lb, pb, gb) in zip(a, b, strict=True):
        assert la.tobytes() == lb.tobytes()
        for x, y in zip(pa + ga, pb + gb, strict=True):
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


@pytest.mark.parametrize(
    ("opt_cls", "kwargs"),
    [
        (torch.optim.SGD, {}),
        (torch.optim.SGD, {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
        (torch.optim.Adam, {}),
        (torch.optim.AdamW, {"amsgrad": True}),
        (torch.optim.RMSprop, {"momentum": 0.5}),
        (torch.optim.Adagrad, {}),
    ],
)
def test_training_loop_bitwise_equal_to_eager(opt_cls, kwargs):
    eager, _, _ = _mlp_training(opt_cls, False, **kwargs)
    compiled, _, _ = _mlp_training(opt_cls, True, **kwargs)
    _assert_bitwise_equal(eager, compiled)
    assert counters["stats"]["replays"] >= 4  # most steps were replays, not eager runs
    assert not counters["graph_break"]


def test_adam_step_count_is_a_program_value():
    """Adam's bias correction reads state["step"]: the replay must use the new count."""
    _, _, opt = _mlp_training(torch.optim.Adam, True, steps=7)
    steps = {float(s["step"]) for s in opt.state.values()}
    assert steps == {7.0}
    assert counters["stats"]["replays"] == 5  # step 1 makes state, step 2 records


def test_returned_loss_is_a_tensor_with_grad_fn():
    history, model, _ = _mlp_training(torch.optim.SGD, True, steps=3)
    torch.manual_seed(0)
    x = torch.ones(2, 8)
    compiled = torch.compile(lambda x: (model(x) ** 2).sum().backward() or model(x).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = compiled(x)
        out = compiled(x)
    assert out.requires_grad


def test_output_grad_fn_after_replay_and_backward_raises_like_a_freed_graph():
    w = torch.ones(3, requires_grad=True)

    def step(x):
        w.grad = None
        loss = (w * x).sum()
        loss.backward()
        return loss

    f = torch.compile(step)
    for _ in range(3):
        loss = f(torch.ones(3))
    assert counters["stats"]["replays"] == 2
    assert loss.grad_fn.name() == "CompiledFunctionBackward"
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()
    assert w.grad.tolist() == [1.0, 1.0, 1.0]


def test_recompiles_on_shape_change_and_never_replays_wrong_shapes():
    w = torch.ones(4, requires_grad=True)

    def step(x):
        w.grad = None
        (w * x).sum().backward()
        return w.grad

    f = torch.compile(step)
    for n in (3, 3, 5, 5, 3):
        x = torch.arange(4 * n, dtype=torch.float32).reshape(n, 4)
        assert f(x).tolist() == x.sum(0).tolist()
    assert counters["stats"]["captures"] == 2
    assert counters["stats"]["recompiles"] == 1
    assert counters["stats"]["replays"] == 3


@pytest.mark.filterwarnings("ignore:retrograd.compile")
@pytest.mark.parametrize(
    "change", ["dtype", "requires_grad", "grad_mode", "parameter", "lr", "python_value"]
)
def test_guards_recompile(change):
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def step(x, scale=1.0):
        opt.zero_grad()
        (model(x).sum() * scale).backward()
        opt.step()
        return x * 2

    f = torch.compile(step)
    x = torch.ones(4, 3)
    f(x), f(x), f(x)
    before = counters["stats"]["captures"]
    if change == "dtype":
        x = x.double()
        model.double()
    elif change == "requires_grad":
        x = x.clone().requires_grad_()
    elif change == "parameter":
        model.weight = torch.nn.Parameter(torch.zeros(2, 3))
        opt.param_groups[0]["params"][0] = model.weight
    elif change == "lr":
        opt.param_groups[0]["lr"] = 0.5
    if change == "grad_mode":
        with torch.no_grad(), pytest.raises(RuntimeError):
            f(x)  # eager raises: nothing requires grad under no_grad
    elif change == "python_value":
        f(x, 3.0)
    else:
        f(x)
    assert counters["stats"]["captures"] == before + 1


def test_new_learning_rate_is_used_after_recompile():
    eager_w, compiled_w = [], []
    for compiled, out in ((False, eager_w), (True, compiled_w)):
        torch.manual_seed(1)
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x = torch.randn(4, 3)

        def step(model=model, opt=opt, x=x):
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()

        f = torch.compile(step) if compiled else step
        for i in range(6):
            if i == 3:
                opt.param_groups[0]["lr"] = 0.01
            f()
        out.append(model.weight.detach().numpy().copy())
    assert eager_w[0].tobytes() == compiled_w[0].tobytes()


def _item_branch(x):
    y = x * 2
    if y.sum().item() > 0:  # data-dependent Python control flow
        return y + 1
    return y - 1


def test_graph_break_falls_back_to_eager_and_is_counted_once():
    f = torch.compile(_item_branch)
    pattern = r"graph break in _item_branch: .*\.item\(\).*test_compile"
    with pytest.warns(UserWarning, match=pattern):
        out = f(torch.ones(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once, not on every call
        out = f(torch.ones(2))
        neg = f(-torch.ones(2))
    assert out.tolist() == [3.0, 3.0] and neg.tolist() == [-3.0, -3.0]
    (reason,) = counters["graph_break"]
    assert "data-dependent" in reason and "test_compile.py" in reason
    assert counters["graph_break"][reason] == 1
    assert counters["stats"]["eager_calls"] == 2
    assert counters["stats"].get("replays", 0) == 0


def test_fullgraph_raises_at_the_break():
    f = torch.compile(_item_branch, fullgraph=True)
    with pytest.raises(Unsupported, match="data-dependent .*fullgraph=True"):
        f(torch.ones(2))


def test_random_ops_break_the_graph():
    f = torch.compile(lambda x: x + torch.randn(2))
    with pytest.warns(UserWarning, match="random op"):
        f(torch.ones(2))
    assert len(counters["graph_break"]) == 1


@pytest.mark.parametrize("kind", ["tensor", "post_accumulate", "node", "node_pre"])
def test_hooks_that_run_in_backward_break_the_graph(kind):
    w = torch.ones(3, requires_grad=True)
    model = torch.nn.Linear(3, 1)
    seen = []

    def hook(*args):
        seen.append(kind)  # a Python side effect that a replay would not repeat

    def step(x):
        w.grad = None
        y = model(w * x)
        if kind == "tensor":
            w.register_hook(hook)
        elif kind == "post_accumulate":
            w.register_post_accumulate_grad_hook(hook)
        elif kind == "node":
            y.grad_fn.register_hook(hook)
        else:
            y.grad_fn.register_prehook(hook)
        y.sum().backward()
        return w.grad

    f = torch.compile(step)
    with pytest.warns(UserWarning, match=r"a hook ran during backward \(.*hook\) at .*test_"):
        f(torch.ones(3))
    ran = len(seen)
    f(torch.ones(3))  # eager again: the hook's side effect happens on every call
    assert ran >= 1 and len(seen) > ran and counters["stats"].get("replays", 0) == 0
    with pytest.raises(Unsupported, match="a hook ran during backward"):
        torch.compile(step, fullgraph=True)(torch.ones(3))


def test_printing_breaks_the_graph(capsys):
    def noisy(x):
        y = x + 1
        print(y)
        return y

    f = torch.compile(noisy)
    with pytest.warns(UserWarning, match="graph break"):
        f(torch.ones(2))
    f(torch.ones(2))
    assert capsys.readouterr().out.count("tensor([2., 2.])") == 2  # eager both times


def test_recompile_limit_falls_back_to_eager_with_a_warning():
    f = torch.compile(lambda x: x * 2, recompile_limit=2)
    f(torch.ones(1)), f(torch.ones(2))
    with pytest.warns(UserWarning, match="recompile_limit"):
        out = f(torch.ones(3))
    assert out.tolist() == [2.0, 2.0, 2.0]
    assert counters["stats"]["captures"] == 2


def test_explain_reports_guards_breaks_and_kernels():
    w = torch.ones(3, requires_grad=True)

    def step(x):
        w.grad = None
        (w * x).sum().backward()

    report = torch.compile.explain(step, torch.ones(3))
    assert report.graph_count == 1 and report.graph_break_count == 0
    # The gradient's one multiply; the backward's seed is a buffer made once, at capture
    # (sum's backward expands it, which the multiply does itself).
    assert report.kernel_counts == {"multiply": 1} and report.ops_per_graph == 1
    assert report.hoisted_counts == {"ones": 1}
    assert "Hoisted (run once, at capture):" in str(report)
    assert any("shape" in g for g in report.guards)
    broken = torch.compile.explain(_item_branch, torch.ones(2))
    assert broken.graph_break_count == 1 and "data-dependent" in broken.break_reasons[0]
    assert "Graph Break Count: 1" in str(broken)


def test_decorator_and_options():
    @torch.compile(fullgraph=True, dynamic=False, mode="reduce-overhead")
    def double(x):
        return x * 2

    assert double(torch.ones(2)).tolist() == [2.0, 2.0]
    assert double(torch.ones(2)).tolist() == [2.0, 2.0]
    assert counters["stats"]["replays"] == 1
    plain = lambda x: x  # noqa: E731
    assert torch.compile(plain, disable=True) is plain


def test_compiled_module_replays():
    model = torch.nn.Linear(4, 2)
    f = torch.compile(model)
    x = torch.ones(3, 4)
    with torch.no_grad():
        a, b = f(x), f(x)
    assert a.tolist() == b.tolist() == model(x).tolist()
    assert counters["stats"]["replays"] == 1


def test_bad_arguments():
    with pytest.raises(TypeError, match="A callable function is expected, but <class 'int'>"):
        torch.compile(3)
    with pytest.raises(TypeError):
        torch.compile(lambda x: x, no_such_option=True)
    with pytest.raises(InvalidBackend, match="Invalid backend: 'nope'"):
        torch.compile(lambda x: x, backend="nope")
    with pytest.raises(RuntimeError, match="Either mode or options"):
        torch.compile(lambda x: x, mode="default", options={})
    with pytest.raises(RuntimeError, match="Unrecognized mode=fast"):
        torch.compile(lambda x: x, mode="fast")


def test_errors_inside_a_compiled_step_are_eagers():
    f = torch.compile(lambda a, b: a + b)
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        f(torch.ones(2), torch.ones(3))


def test_eager_backend_never_records():
    f = torch.compile(lambda x: x + 1, backend="eager")
    f(torch.ones(1)), f(torch.ones(1))
    assert not counters["stats"]


def test_version_counters_advance_as_in_eager():
    p = torch.ones(2, requires_grad=True)

    def step():
        p.grad = None
        (p * p).sum().backward()
        with torch.no_grad():
            p.sub_(0.1 * p.grad)

    f = torch.compile(step)
    versions = []
    for _ in range(4):
        f()
        versions.append(p._version)
    assert versions == [1, 2, 3, 4]
    assert np.allclose(p.detach().numpy(), 0.8**4)


@pytest.mark.parametrize(
    ("opt_cls", "kwargs", "replays"),
    [(torch.optim.Adam, {}, 2), (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}, 1)],
)
def test_jax_lowers_the_step_to_one_jit_function_close_to_eager(opt_cls, kwargs, replays):
    if not any(i.name == "jax" and i.usable for i in torch.backends()):
        pytest.skip("no usable jax backend")
    with torch.use_backend("jax"):
        eager, _, _ = _mlp_training(opt_cls, False, steps=4, **kwargs)
        compiled, _, _ = _mlp_training(opt_cls, True, steps=4, **kwargs)
        w = torch.ones(3, requires_grad=True)
        report = torch.compile.explain(lambda x: (w * x).sum().backward(), torch.ones(3))
    # SGD's momentum buffer starts as the first gradient's JAX array itself (a copy of
    # an immutable array): a recording that read it from the gradient would replay the
    # last gradient as the momentum. The second call's recording guards that the two
    # still share the array; on the third they do not, so it records again (4 calls:
    # 3 captures, 1 replay), where Adam replays from its third call.
    assert counters["stats"]["replays"] == replays
    # XLA fuses, and the bias correction is float32 arithmetic inside the jit: close, not
    # bit for bit.
    for (la, pa, ga), (lb, pb, gb) in zip(eager, compiled, strict=True):
        for x, y in zip([la, *pa, *ga], [lb, *pb, *gb], strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)
    assert "= B" in report.source  # the kernel calls went into one lowered function


def test_replay_is_as_quiet_as_eager_on_ieee_results():
    f = torch.compile(lambda x: torch.log(x) * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            assert f(torch.zeros(1)).tolist() == [float("-inf")]


@pytest.mark.parametrize("shape", ["tuple", "dict", "nested", "single"])
def test_result_structures(shape):
    w = torch.ones(2, requires_grad=True)

    def step(x):
        w.grad = None
        y = (w * x).sum()
        y.backward()
        g = w.grad
        return {"tuple": (y, g, 3), "dict": {"y": y, "g": g}, "nested": [(y,), {"g": g}],
                "single": g}[shape]  # fmt: skip

    f = torch.compile(step)
    got = [f(torch.full((2,), 2.0)) for _ in range(3)]
    assert counters["stats"]["replays"] == 2
    # Replayed results carry CompiledFunctionBackward where eager had SumBackward0.
    assert repr(got[0]).replace("SumBackward0", "CompiledFunctionBackward") == repr(got[2])
    assert type(got[2]) is type(got[0])


def test_unused_results_are_not_replayed_but_writes_are():
    buf = torch.zeros(2)

    def step(x):
        _ = x * 3  # nothing reads it: not replayed
        with torch.no_grad():
            buf.add_(x)  # a write: replayed
        return x + 1

    f = torch.compile(step)
    for _ in range(3):
        f(torch.ones(2))
    assert buf.tolist() == [3.0, 3.0]
    counts = f.entries[0].kernel_counts
    assert "multiply" not in counts and counts["add"] == 1


def test_a_compiled_function_inside_another_is_recorded_by_the_outer_one():
    def run(compiled):
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 2)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        forward = torch.compile(model) if compiled else model

        def step(x):
            opt.zero_grad()
            loss = forward(x).pow(2).sum()
            loss.backward()
            opt.step()
            return loss

        step = torch.compile(step) if compiled else step
        x = torch.ones(4, 3)
        return [step(x).item() for _ in range(4)], model.weight.detach().numpy().tobytes()

    assert run(True) == run(False)
    assert counters["stats"]["replays"] >= 2


def test_grads_are_new_tensors_each_step_or_accumulate_as_in_eager():
    w = torch.ones(2, requires_grad=True)

    def fresh(x):
        w.grad = None
        (w * x).sum().backward()
        return w.grad

    def accumulating(x):
        (w * x).sum().backward()

    f = torch.compile(fresh)
    grads = [f(torch.full((2,), float(i))) for i in range(4)]
    assert [g.tolist() for g in grads] == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    assert grads[-1] is w.grad and len({id(g) for g in grads}) == 4
    g = torch.compile(accumulating)
    for _ in range(4):
        g(torch.ones(2))
    assert w.grad.tolist() == [7.0, 7.0]  # 3 + four steps of 1, in place as eager
    assert counters["stats"]["replays"] >= 5


def test_two_tensors_sharing_an_array_replay_only_while_they_still_share_it():
    shared = np.ones(3)
    u, v = torch.from_numpy(shared), torch.from_numpy(shared)  # one array, two tensors

    def step():
        return u * 1 + v * 10

    compiled = torch.compile(step)
    assert compiled().tolist() == compiled().tolist() == [11.0] * 3
    v.data = torch.full((3,), 5.0, dtype=torch.float64)  # v no longer holds u's array
    assert compiled().tolist() == step().tolist() == [51.0] * 3
    assert counters["stats"]["recompiles"] == 1


_MODULE_LEVEL_STEP = """
import retrograd as torch
torch.manual_seed(0)
model = torch.nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
w = torch.ones(3)

def helper(x):
    return (w * x).sum()

@torch.compile
def step(x):
    opt.zero_grad()
    loss = model(x).sum()
    loss.backward()
    opt.step()  # an attribute named like the global 'step': not a read of that global
    return loss

peek = torch.compile(lambda x: helper(x))
"""


def test_a_module_level_step_reads_only_the_globals_it_loads():
    namespace: dict = {}
    exec(_MODULE_LEVEL_STEP, namespace)  # noqa: S102 - a user's script, at module level
    x = torch.ones(3)
    for _ in range(5):
        namespace["step"](x)
    # The first call made the gradients (new tensors: recorded again), then every call
    # replays: the compiled function's own cache, reached through a global 'step', would
    # have failed a guard on each call.
    assert counters["stats"]["captures"] == 2 and counters["stats"]["replays"] == 3


def test_a_helper_functions_globals_are_guarded():
    namespace: dict = {}
    exec(_MODULE_LEVEL_STEP, namespace)  # noqa: S102
    peek, x = namespace["peek"], torch.ones(3)
    assert peek(x).item() == peek(x).item() == 3.0
    namespace["w"] = torch.full((3,), 5.0)  # the helper's global, rebound
    assert peek(x).item() == namespace["helper"](x).item() == 15.0
    assert counters["stats"]["recompiles"] == 1
