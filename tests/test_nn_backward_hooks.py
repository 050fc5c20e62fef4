"""``Module`` backward hooks: ``register_full_backward_hook``,
``register_full_backward_pre_hook``, the deprecated ``register_backward_hook`` and the
global registrations of ``nn.modules.module``.

Each scenario is written once as ``scenario(lib)`` and returns what a user observes (the
hooks' arguments as lists, gradients, errors and warnings as text). The tests without
PyTorch compare it with values derived by hand; the ``_vs_torch`` test runs every
scenario on both libraries and compares the two records.
"""

from __future__ import annotations

import warnings

import pytest
import retrograd
from retrograd.compiler import Unsupported, counters

SHOWN = (type(None), int, float, str, bool)


def seen(value):
    """A hook argument as plain data: tensors as lists, tuples as lists."""
    if isinstance(value, (tuple, list)):
        return [seen(v) for v in value]
    if value is None or isinstance(value, SHOWN):
        return value
    return value.tolist()


def caught(fn):
    """``fn()``'s error as (type name, message), or None."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the error is the observation
        return type(e).__name__, str(e)
    return None


def scale(lib, factor=2.0):
    """``x * w`` with a parameter ``w`` of ``factor``s."""

    class Scale(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.full((2,), factor))

        def forward(self, x):
            return x * self.w

    return Scale()


# -- scenarios ---------------------------------------------------------------------------
def two_in_two_out(lib):
    """Two tensor inputs (one needs no grad), a number, two outputs (one unused)."""

    class Two(lib.nn.Module):
        def forward(self, a, b, k):
            return a * k, b * 3

    log = []
    m = Two()
    m.register_full_backward_hook(lambda mod, gi, go: log.append((mod is m, seen(gi), seen(go))))
    a = lib.ones(2, requires_grad=True)
    y1, y2 = m(a, lib.ones(2), 2.0)
    y1.sum().backward()
    return log, seen(a.grad), y1.grad_fn.name(), y2.requires_grad


def unused_output(lib):
    class Two(lib.nn.Module):
        def forward(self, a, b):
            return a * 2, b * 3

    log = []
    m = Two()
    m.register_full_backward_hook(lambda mod, gi, go: log.append((seen(gi), seen(go))))
    y1, _ = m(lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True))
    y1.sum().backward()
    return log


def replaced_grad_input(lib):
    m = scale(lib)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 10,))
    x = lib.ones(2, requires_grad=True)
    m(x).sum().backward()
    return seen(x.grad), seen(m.w.grad)


def replaced_grad_output(lib):
    m = scale(lib)
    seen_by_hook = []
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 5,))
    m.register_full_backward_hook(lambda mod, gi, go: seen_by_hook.append(seen(go)))
    x = lib.ones(2, requires_grad=True)
    m(x).sum().backward()
    return seen(x.grad), seen(m.w.grad), seen_by_hook


def order(lib):
    m = scale(lib)
    ran = []
    m.register_full_backward_hook(lambda *a: ran.append("a"))
    m.register_full_backward_hook(lambda *a: ran.append("b"), prepend=True)
    m.register_full_backward_pre_hook(lambda *a: ran.append("pre"))
    m.register_full_backward_pre_hook(lambda *a: ran.append("pre0"), prepend=True)
    removed = m.register_full_backward_hook(lambda *a: ran.append("removed"))
    m.register_forward_hook(lambda *a: ran.append("forward"))
    removed.remove()
    x = lib.ones(2, requires_grad=True)
    m(x).sum().backward()
    ran.append("|")
    (m(x) + m(x)).sum().backward()  # two calls: each call's hooks fire once
    return ran


def no_input_requires_grad(lib):
    m = scale(lib)
    log = []
    m.register_full_backward_hook(lambda mod, gi, go: log.append((seen(gi), seen(go))))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m(lib.ones(2)).sum().backward()
    bad = scale(lib)
    bad.register_full_backward_hook(lambda mod, gi, go: (lib.ones(2),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        error = caught(lambda: bad(lib.ones(2)).sum().backward())
    return log, [(x.category.__name__, str(x.message), x.filename) for x in w], error


def bad_results(lib):
    m = scale(lib)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    pre = scale(lib)
    pre.register_full_backward_pre_hook(lambda mod, go: go[0] * 5)  # a (2,) tensor: len 2
    x = lib.ones(2, requires_grad=True)
    return caught(lambda: m(x).sum().backward()), caught(lambda: pre(x).sum().backward())


def in_place(lib):
    class AddOne(lib.nn.Module):
        def forward(self, x):
            return x.add_(1)

    m = AddOne()
    m.register_full_backward_hook(lambda *a: None)
    relu = lib.nn.ReLU(inplace=True)
    relu.register_full_backward_hook(lambda *a: None)
    lin = lib.nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda *a: None)
    x = lib.ones(2, requires_grad=True)
    out = lin(x)
    return [
        caught(lambda: m(x * 1)),
        caught(lambda: m(x)),  # a leaf: the view's refusal comes first, as in PyTorch
        caught(lambda: relu(x * 1)),
        caught(lambda: out.mul_(2)),
        caught(lambda: lin(x).detach().mul_(2)),  # detached: allowed
    ]


def dict_output(lib):
    class D(lib.nn.Module):
        def forward(self, x):
            return {"y": x * 2}

    m = D()
    log = []
    m.register_full_backward_hook(lambda *a: log.append("ran"))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = m(lib.ones(2, requires_grad=True))
    out["y"].sum().backward()
    return log, [str(x.message) for x in w]


def no_grad_mode(lib):
    m = scale(lib)
    log = []
    m.register_full_backward_hook(lambda *a: log.append("ran"))
    with lib.no_grad():
        out = m(lib.ones(2, requires_grad=True))
    return log, out.grad_fn is None, out.requires_grad


def deprecated_hook(lib):
    lin = lib.nn.Linear(2, 3)
    log = []
    lin.register_backward_hook(
        lambda mod, gi, go: log.append(
            ([None if g is None else list(g.shape) for g in gi], [list(g.shape) for g in go])
        )
    )
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = lin(lib.ones(4, 2, requires_grad=True))
    out.sum().backward()
    mixed = caught(lambda: lin.register_full_backward_hook(lambda *a: None))
    full = scale(lib)
    full.register_full_backward_hook(lambda *a: None)
    mixed_other_way = caught(lambda: full.register_backward_hook(lambda *a: None))
    return log, [(x.category.__name__, str(x.message)) for x in w], mixed, mixed_other_way


def deprecated_hook_single_op(lib):
    """One op whose inputs are the module's: no warning, the module's gradients."""

    class Mul(lib.nn.Module):
        def forward(self, a, b):
            return a * b

    m = Mul()
    log = []
    m.register_backward_hook(lambda mod, gi, go: log.append((seen(gi), seen(go))))
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = m(a * 1, b * 1)
    out.sum().backward()
    return log, [str(x.message) for x in w]


def global_hooks(lib):
    registry = lib.nn.modules.module
    ran = []
    m = scale(lib)
    m.register_full_backward_hook(lambda *a: ran.append("module"))
    m.register_full_backward_pre_hook(lambda *a: ran.append("module pre"))
    handles = [
        registry.register_module_full_backward_hook(lambda mod, gi, go: ran.append("global")),
        registry.register_module_full_backward_pre_hook(lambda mod, go: ran.append("pre")),
    ]
    try:
        m(lib.ones(2, requires_grad=True)).sum().backward()
        mixed = caught(lambda: registry.register_module_backward_hook(lambda *a: None))
    finally:
        for handle in handles:
            handle.remove()
    m(lib.ones(2, requires_grad=True)).sum().backward()  # the global ones are gone
    return ran, mixed


SCENARIOS = [
    two_in_two_out,
    unused_output,
    replaced_grad_input,
    replaced_grad_output,
    order,
    no_input_requires_grad,
    bad_results,
    in_place,
    dict_output,
    no_grad_mode,
    deprecated_hook,
    deprecated_hook_single_op,
]


# -- against values derived by hand -------------------------------------------------------
def test_grad_input_and_grad_output_per_positional_argument():
    log, a_grad, name, y2_requires_grad = two_in_two_out(retrograd)
    # y1 = a * 2: d(sum y1)/da = 2; b needs no grad but a does: its slot holds zeros;
    # the number 2.0 gets None; y2 got no gradient: None.
    assert log == [(True, [[2.0, 2.0], [0.0, 0.0], None], [[1.0, 1.0], None])]
    assert a_grad == [2.0, 2.0]
    assert name == "BackwardHookFunctionBackward" and y2_requires_grad is False


def test_an_output_no_gradient_reached_is_none_and_its_input_zeros():
    assert unused_output(retrograd) == [([[2.0, 2.0], [0.0, 0.0]], [[1.0, 1.0], None])]


def test_a_returned_tuple_replaces_grad_input_only():
    # x.grad = 10 * w; w's own gradient (x = 1) is untouched.
    assert replaced_grad_input(retrograd) == ([20.0, 20.0], [1.0, 1.0])


def test_a_pre_hook_replaces_grad_output_for_everything_below():
    # grad_output 1 -> 5: x.grad = 5 * w = 10, w.grad = 5 * x = 5, and the hook sees 5.
    assert replaced_grad_output(retrograd) == ([10.0, 10.0], [5.0, 5.0], [[[5.0, 5.0]]])


def test_order_prepend_removal_and_once_per_call():
    once = ["forward", "pre0", "pre", "b", "a"]
    assert order(retrograd) == [*once, "|", "forward", "forward", *(once[1:] * 2)]


def test_with_no_input_requiring_grad_the_hook_gets_nones_and_a_warning():
    log, warned, error = no_input_requires_grad(retrograd)
    assert log == [([None], [[1.0, 1.0]])]
    assert len(warned) == 1 and warned[0][0] == "UserWarning"
    assert warned[0][1].startswith("Full backward hook is firing when gradients are computed")
    assert warned[0][2] == __file__  # the user's backward() line
    assert error == (
        "RuntimeError",
        "Backward hook for Modules where no input requires gradient should always return "
        "None or None for all gradients.",
    )


def test_results_of_the_wrong_length_raise_pytorch_errors():
    assert bad_results(retrograd) == (
        ("RuntimeError", "Backward hook returned an invalid number of grad_input, got 2, "
         "but expected 1"),
        ("RuntimeError", "Backward pre hook returned an invalid number of grad_output, got 2, "
         "but expected 1"),
    )  # fmt: skip


def test_in_place_writes_to_the_hooked_views_are_refused():
    *refused, allowed = in_place(retrograd)
    assert allowed is None
    for error in refused:
        assert error[0] == "RuntimeError"
        assert error[1].startswith("Output 0 of BackwardHookFunction is a view and is being ")


def test_a_dict_output_warns_and_the_hooks_cannot_fire():
    log, warned = dict_output(retrograd)
    assert log == [] and warned == [
        "For backward hooks to be called, module output should be a Tensor or a tuple of "
        "Tensors but received <class 'dict'>"
    ]


def test_under_no_grad_nothing_is_hooked():
    assert no_grad_mode(retrograd) == ([], True, False)


def test_deprecated_hook_sees_the_last_nodes_gradients():
    log, warned, mixed, mixed_other_way = deprecated_hook(retrograd)
    # Linear's last node is addmm(bias, input, weight.t()): gradients for a (3,) bias,
    # the (4, 2) input and the (2, 3) transposed weight; one (4, 3) output gradient.
    assert log == [([[3], [4, 2], [2, 3]], [[4, 3]])]
    assert [category for category, _ in warned] == ["FutureWarning"]
    assert "forward contains multiple autograd Nodes" in warned[0][1]
    both = "Cannot use both regular backward hooks and full backward hooks on a single Module."
    assert mixed[1].startswith(both) and mixed_other_way[1].startswith(both)


def test_deprecated_hook_on_one_op_is_the_modules_gradient():
    # out = a * b: d/da = b, d/db = a.
    assert deprecated_hook_single_op(retrograd) == (
        [([[3.0, 4.0], [1.0, 2.0]], [[1.0, 1.0]])],
        [],
    )


def test_global_hooks_run_before_the_modules_own():
    ran, mixed = global_hooks(retrograd)
    assert ran == ["pre", "module pre", "global", "module", "module pre", "module"]
    assert mixed[1].startswith("Cannot use both regular backward hooks and full backward hooks")


@pytest.mark.parametrize("kind", ["full", "pre", "deprecated"])
def test_a_module_hook_in_a_compiled_backward_breaks_the_graph(kind):
    counters.clear()
    model = retrograd.nn.Linear(3, 1)
    seen_calls = []

    def module_hook(*args):
        seen_calls.append(kind)  # a Python side effect a replay would not repeat

    register = {
        "full": model.register_full_backward_hook,
        "pre": model.register_full_backward_pre_hook,
        "deprecated": model.register_backward_hook,
    }[kind]
    register(module_hook)
    w = retrograd.ones(3, requires_grad=True)

    def step(x):
        w.grad = None
        model(w * x).sum().backward()
        return w.grad

    f = retrograd.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.warns(UserWarning, match=r"a hook ran during backward \(.*module_hook\) at"):
            f(retrograd.ones(3))
        ran = len(seen_calls)
        f(retrograd.ones(3))
        assert ran == 1 and len(seen_calls) == 2 and counters["stats"].get("replays", 0) == 0
        with pytest.raises(Unsupported, match="a hook ran during backward"):
            retrograd.compile(step, fullgraph=True)(retrograd.ones(3))


def test_a_module_without_hooks_gets_its_forward_result_itself():
    m = retrograd.nn.Identity()
    x = retrograd.ones(2, requires_grad=True)
    assert m(x) is x
    handle = m.register_full_backward_hook(lambda *a: None)
    assert m(x) is not x
    handle.remove()
    assert m(x) is x  # the registries are empty again: no views


# -- against PyTorch -------------------------------------------------------------------------
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_scenario_vs_torch(scenario):
    torch = pytest.importorskip("torch")
    assert scenario(retrograd) == scenario(torch)


def test_global_hooks_vs_torch():
    torch = pytest.importorskip("torch")
    assert global_hooks(retrograd) == global_hooks(torch)
