"""The autograd contract and the backward engine, without an oracle.

Expected values are worked out by hand (or with NumPy); ``test_autograd_vs_torch.py``
checks the same semantics against PyTorch itself.
"""

from __future__ import annotations

import gc
import math
import sys
import threading
import warnings
import weakref

import numpy as np
import pytest
import retrograd as rg
from numpy.testing import assert_allclose


def leaf(values, dtype=rg.float32):
    return rg.tensor(values, dtype=dtype, requires_grad=True)


@pytest.fixture
def no_gc():
    """Graphs must die by reference counting alone, with the cycle collector off."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


# -- requires_grad, leaves and .grad -----------------------------------------------------------
def test_requires_grad_argument_setter_and_method():
    assert not rg.ones(2).requires_grad
    assert rg.ones(2, requires_grad=True).requires_grad
    x = rg.ones(2)
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    assert x.requires_grad_(False) is x and not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad


def test_requires_grad_propagates_to_results():
    x, c = leaf([1.0, 2.0]), rg.tensor([3.0, 4.0])
    y = x * c
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    z = c * c
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None
    assert x.is_leaf and c.is_leaf and x.grad_fn is None
    assert y.requires_grad_(True) is y  # a no-op on a non-leaf


def test_grad_is_assignable_and_none_clears_it():
    x = leaf([1.0, 2.0, 3.0])
    assert x.grad is None
    x.grad = rg.full((3,), 5.0)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [7.0, 7.0, 7.0]
    x.grad = None
    assert x.grad is None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    for _ in range(3):
        (x * x).sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]


def test_first_gradient_is_a_copy_not_an_alias():
    x = leaf([1.0, 2.0])
    upstream = rg.ones(2)
    x.clone().backward(upstream)
    upstream.mul_(10)
    assert x.grad.tolist() == [1.0, 1.0]
    assert x.grad.requires_grad is False and x.grad.grad_fn is None


def test_non_leaf_grad_is_none_without_retain_grad():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None  # PyTorch's warning says why
    assert not y.retains_grad
    y = x * 2
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad is None  # retained: no warning


# -- graph structure ---------------------------------------------------------------------------
def test_next_functions_end_in_accumulate_grad_of_the_leaf():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = (x * w).sum()
    assert type(y.grad_fn).__name__ == "SumBackward0"
    ((mul, nr),) = y.grad_fn.next_functions
    assert nr == 0 and mul.name() == "MulBackward0"
    (ax, nx), (aw, nw) = mul.next_functions
    assert type(ax).__name__ == "AccumulateGrad" and ax.name() == "torch::autograd::AccumulateGrad"
    assert ax.variable is x and aw.variable is w and nx == nw == 0
    assert ax.next_functions == ()


GRAD_FN_CHAINS = {  # first-input chain from the output down to the leaf, as PyTorch names it
    "x + y": (lambda x, m: x + m, ["AddBackward0"]),
    "x - y": (lambda x, m: x - m, ["SubBackward0"]),
    "2 - x": (lambda x, m: 2 - x, ["RsubBackward1"]),
    "x * 2": (lambda x, m: x * 2, ["MulBackward0"]),
    "x / y": (lambda x, m: x / m, ["DivBackward0"]),
    "2 / x": (lambda x, m: 2 / x, ["MulBackward0", "ReciprocalBackward0"]),
    "x ** 2": (lambda x, m: x**2, ["PowBackward0"]),
    "x ** y": (lambda x, m: x**m, ["PowBackward1"]),
    "2 ** x": (lambda x, m: 2**x, ["PowBackward2"]),
    "-x": (lambda x, m: -x, ["NegBackward0"]),
    "mean": (lambda x, m: x.mean(), ["MeanBackward0"]),
    "mean(0)": (lambda x, m: x.mean(0), ["MeanBackward1"]),
    "sum": (lambda x, m: x.sum(), ["SumBackward0"]),
    "sum(1)": (lambda x, m: x.sum(1), ["SumBackward1"]),
    "mm": (lambda x, m: x.mm(m.t()), ["MmBackward0"]),
    "dot": (lambda x, m: x[0].dot(m[0]), ["DotBackward0", "SelectBackward0"]),
    "mv": (lambda x, m: x.mv(m[0]), ["MvBackward0"]),
    "view": (lambda x, m: x.view(-1), ["ViewBackward0"]),
    "t": (lambda x, m: x.t(), ["TBackward0"]),
    "transpose": (lambda x, m: x.transpose(0, 1), ["TransposeBackward0"]),
    "x[0]": (lambda x, m: x[0], ["SelectBackward0"]),
    "x[:, 1:]": (lambda x, m: x[:, 1:], ["SliceBackward0"]),
    "x[0, 1:]": (lambda x, m: x[0, 1:], ["SliceBackward0", "SelectBackward0"]),
    "expand": (lambda x, m: x[:1].expand(3, 2), ["ExpandBackward0", "SliceBackward0"]),
    "clone": (lambda x, m: x.clone(), ["CloneBackward0"]),
    "double": (lambda x, m: x.double(), ["ToCopyBackward0"]),
    "x @ y.t() mean": (lambda x, m: (x @ m.t()).mean(), ["MeanBackward0", "MmBackward0"]),
}


@pytest.mark.parametrize("case", GRAD_FN_CHAINS, ids=str)
def test_grad_fn_chain_names(case):
    fn, names = GRAD_FN_CHAINS[case]
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    node, seen = fn(x, rg.tensor([[2.0, 1.0], [0.5, 3.0]])).grad_fn, []
    while type(node).__name__ != "AccumulateGrad":
        seen.append(type(node).__name__)
        node = node.next_functions[0][0]
    assert seen == names and node.variable is x


def test_one_leaf_used_twice_has_one_accumulator():
    x = leaf([1.0])
    y = x * x
    (a, _), (b, _) = y.grad_fn.next_functions
    assert a is b and a.variable is x


def test_python_scalars_and_constants_give_none_edges():
    x = leaf([1.0, 2.0])
    assert (x + 2).grad_fn.next_functions[1] == (None, 0)
    assert (x * rg.ones(2)).grad_fn.next_functions[1] == (None, 0)
    assert len((2 - x).grad_fn.next_functions) == 1  # RsubBackward1: self only
    assert len((x**2).grad_fn.next_functions) == 1
    assert len((2**x).grad_fn.next_functions) == 1


def test_grad_fn_repr_and_name():
    y = leaf([1.0]).exp()
    assert y.grad_fn.name() == "ExpBackward0"
    assert repr(y.grad_fn).startswith("<ExpBackward0 object at 0x")
    assert isinstance(y.grad_fn, rg.autograd.graph.Node)
    assert y.grad_fn.metadata == {}
    y.grad_fn.metadata["tag"] = 1
    assert y.grad_fn.metadata == {"tag": 1}


def test_calling_a_node_applies_its_rule():
    x = leaf([1.0, 2.0])
    y = x * 3
    assert y.grad_fn(rg.ones(2)) is not None
    (gx, gc_) = y.grad_fn(rg.ones(2))
    assert gx.tolist() == [3.0, 3.0] and gc_ is None


# -- retain_grad and tensor hooks --------------------------------------------------------------
def test_retain_grad_populates_non_leaf_grad():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 2
    z = y * y
    y.retain_grad()
    y.retain_grad()  # idempotent
    z.sum().backward()
    assert y.retains_grad and y.grad.tolist() == [4.0, 8.0, 12.0]
    assert x.grad.tolist() == [8.0, 16.0, 24.0]
    x.retain_grad()  # a no-op on a leaf
    assert not x.retains_grad


def test_retain_grad_accumulates_and_runs_after_hooks():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g + 1)  # registered after retain_grad, still runs first
    y.sum().backward(retain_graph=True)
    assert y.grad.tolist() == [2.0, 2.0]
    assert x.grad.tolist() == [4.0, 4.0]
    y.sum().backward()
    assert y.grad.tolist() == [4.0, 4.0]


def test_leaf_hook_sees_and_replaces_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    handle = x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]] and x.grad.tolist() == [30.0, 30.0]
    handle.remove()
    handle.remove()  # idempotent
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and len(seen) == 2


def test_non_leaf_hook_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    y = x * 2
    handle = y.register_hook(lambda g: g * 0.5)
    order = []
    y.register_hook(lambda g: order.append(g.tolist()))  # sees the replaced gradient
    (y * y).sum().backward()
    assert order == [[2.0, 4.0]] and x.grad.tolist() == [4.0, 8.0]
    handle.remove()
    x.grad = None
    (x * 2 * 1).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_hook_handle_is_a_context_manager():
    x = leaf([1.0])
    with x.register_hook(lambda g: g * 100):
        (x * 1).sum().backward()
    (x * 1).sum().backward()
    assert x.grad.tolist() == [101.0]


def test_hook_is_called_once_with_the_summed_gradient():
    x = leaf([1.0])
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(g.item()))
    (y + y * 3).sum().backward()
    assert calls == [4.0]


def test_node_hook_and_prehook():
    x, w = leaf([1.0, 2.0]), rg.tensor([3.0, 4.0])
    y = x * w
    seen = []
    hook = y.grad_fn.register_hook(lambda gi, go: seen.append((gi, go)))
    pre = y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
    y.sum().backward(retain_graph=True)
    ((grad_inputs, grad_outputs),) = seen
    assert grad_inputs[0].tolist() == [6.0, 8.0] and grad_inputs[1] is None  # w needs none
    assert grad_outputs[0].tolist() == [2.0, 2.0]
    assert x.grad.tolist() == [6.0, 8.0]
    hook.remove()
    pre.remove()
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, None))
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 8.0] and len(seen) == 1


def test_accumulate_grad_node_hook():
    x = leaf([1.0, 2.0])
    y = x * 1
    acc = y.grad_fn.next_functions[0][0]
    seen = []
    acc.register_hook(lambda gi, go: seen.append(go[0].tolist()))
    y.sum().backward()
    assert seen == [[1.0, 1.0]]


# -- detach, detach_ and .data -----------------------------------------------------------------
def test_detach_shares_memory_and_version_counter():
    x = leaf([1.0, 2.0, 3.0])
    d = x.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    d.zero_()
    assert x.tolist() == [0.0, 0.0, 0.0]
    assert x._version == d._version == 1
    x.data.fill_(2)
    assert d.tolist() == [2.0, 2.0, 2.0]


def test_data_shares_memory_but_not_version_counter():
    x = leaf([1.0, 2.0, 3.0])
    y = x.sigmoid()
    data = y.data
    assert not data.requires_grad and data.is_leaf
    data.zero_()  # invisible to autograd's checks, as in PyTorch
    assert y.tolist() == [0.0, 0.0, 0.0] and y._version == 0 and data._version == 1
    y.sum().backward()  # sigmoid' = y (1 - y) = 0 now
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    s = rg.tensor(1.0)  # a 0-d tensor: writes may rebind the array, still shared
    s.data.add_(1)
    assert s.item() == 2.0


def test_data_setter_replaces_contents():
    x = leaf([1.0, 2.0])
    x.data = rg.tensor([5.0, 6.0, 7.0])
    assert x.tolist() == [5.0, 6.0, 7.0] and x.requires_grad and x.is_leaf


def test_detach_in_place():
    x = leaf([1.0, 2.0])
    y = x * 2
    assert y.detach_() is y
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None
    assert y.tolist() == [2.0, 4.0]


def test_detached_value_stops_gradients():
    x = leaf([1.0, 2.0])
    y = x * x.detach()  # d/dx = x, not 2x
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0]


# -- backward() arguments ----------------------------------------------------------------------
def test_backward_with_gradient():
    x = leaf([1.0, 2.0, 3.0])
    (x * 2).backward(rg.tensor([1.0, 0.0, -1.0]))
    assert x.grad.tolist() == [2.0, 0.0, -2.0]


def test_backward_of_zero_dim_and_one_element_outputs():
    x = leaf([[3.0]])
    (x * x).backward()  # one element: implicit gradient 1
    assert x.grad.tolist() == [[6.0]]


def test_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.tolist()
    y.backward()
    assert_allclose(x.grad.tolist(), [2 * v for v in first])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_backward_inputs_restricts_accumulation():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    m = x * w
    y = (m * m).sum()
    y.backward(inputs=[x], retain_graph=True)
    assert x.grad.tolist() == [18.0, 64.0] and w.grad is None
    y.backward(inputs=m)  # a non-leaf gets .grad when named, and retains it from then on
    assert m.grad.tolist() == [6.0, 16.0] and w.grad is None and x.grad.tolist() == [18.0, 64.0]
    assert m.retains_grad


def test_backward_create_graph_gives_differentiable_grad():
    x = leaf([2.0])
    (x**3).backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.tolist() == [12.0]
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.tolist() == [12.0]  # d(3x^2)/dx = 6x


def test_autograd_backward_function():
    x = leaf([1.0, 2.0])
    rg.autograd.backward([(x * 2).sum(), (x * x).sum()])
    assert x.grad.tolist() == [4.0, 6.0]
    rg.autograd.backward(x * 1, rg.ones(2))
    assert x.grad.tolist() == [5.0, 7.0]


# -- autograd.grad -----------------------------------------------------------------------------
def test_grad_returns_without_touching_dot_grad():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gw = rg.autograd.grad((x * w).sum(), [x, w])
    assert gx.tolist() == [3.0, 4.0] and gw.tolist() == [1.0, 2.0]
    assert x.grad is None and w.grad is None
    (g,) = rg.autograd.grad((x * 2).sum(), x)
    assert g.tolist() == [2.0, 2.0] and not g.requires_grad


def test_grad_outputs_and_multiple_outputs():
    x = leaf([1.0, 2.0])
    (g,) = rg.autograd.grad(x * 3, x, grad_outputs=rg.tensor([1.0, 10.0]))
    assert g.tolist() == [3.0, 30.0]
    (g,) = rg.autograd.grad([x * 2, x * x], [x], [rg.ones(2), rg.ones(2)])
    assert g.tolist() == [4.0, 6.0]
    (g,) = rg.autograd.grad([(x * 2).sum(), (x * x).sum()], x, [None, None])
    assert g.tolist() == [4.0, 6.0]


def test_grad_allow_unused_and_materialize():
    x, u = leaf([1.0]), leaf([1.0, 2.0])
    y = (x * 2).sum()
    gx, gu = rg.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True)
    assert gx.tolist() == [2.0] and gu is None
    _, gu = rg.autograd.grad(y, [x, u], materialize_grads=True)
    assert gu.tolist() == [0.0, 0.0]


def test_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    (gh,) = rg.autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [6.0, 12.0] and x.grad is None


def test_grad_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    rg.autograd.grad(y, x, retain_graph=True)
    (g,) = rg.autograd.grad(y, x)
    assert g.tolist() == [2.0, 4.0]


X3 = [0.5, -1.0, 2.0]


def _derivatives(fn, values, order=3):
    """d^k/dx^k of sum(fn(x)) for k = 1..order, via create_graph."""
    x = leaf(values, rg.float64)
    y, out = fn(x).sum(), []
    for _ in range(order):
        (y,) = rg.autograd.grad(y, x, create_graph=True)
        out.append(values_of(y))
        y = y.sum()
    return out


def values_of(t):
    return np.asarray(t.detach().tolist())


@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda x: x**3, lambda a: [3 * a**2, 6 * a, 6 + 0 * a]),
        (lambda x: x.sin(), lambda a: [np.cos(a), -np.sin(a), -np.cos(a)]),
        (lambda x: x.cos(), lambda a: [-np.sin(a), -np.cos(a), np.sin(a)]),
        (lambda x: x.exp(), lambda a: [np.exp(a)] * 3),
        (
            lambda x: x.tanh(),
            lambda a: [
                1 - np.tanh(a) ** 2,
                -2 * np.tanh(a) * (1 - np.tanh(a) ** 2),
                (1 - np.tanh(a) ** 2) * (6 * np.tanh(a) ** 2 - 2),
            ],
        ),
        (
            lambda x: x.sigmoid(),
            lambda a: [
                (s := 1 / (1 + np.exp(-a))) * (1 - s),
                s * (1 - s) * (1 - 2 * s),
                s * (1 - s) * (1 - 6 * s + 6 * s**2),
            ],
        ),
        (lambda x: 1 / x, lambda a: [-1 / a**2, 2 / a**3, -6 / a**4]),
        (
            lambda x: x * x.exp(),
            lambda a: [(a + 1) * np.exp(a), (a + 2) * np.exp(a), (a + 3) * np.exp(a)],
        ),  # fmt: skip
        (lambda x: (x * x).sqrt() ** 3, lambda a: [3 * a * abs(a), 6 * abs(a), 6 * np.sign(a)]),
    ],
    ids=["x**3", "sin", "cos", "exp", "tanh", "sigmoid", "1/x", "x*exp", "|x|**3"],
)
def test_higher_order_derivatives(fn, expected):
    a = np.array(X3)
    for got, want in zip(_derivatives(fn, X3), expected(a), strict=True):
        assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_mixed_second_derivative():
    x, y = leaf([2.0], rg.float64), leaf([3.0], rg.float64)
    f = (x * x * y + y.exp() * x).sum()
    (gx,) = rg.autograd.grad(f, x, create_graph=True)
    (gxy,) = rg.autograd.grad(gx.sum(), y)
    assert_allclose(gxy.tolist(), [2 * 2.0 + math.exp(3.0)], rtol=1e-12)


def test_hessian_vector_product_through_matmul():
    a = rg.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=rg.float64)
    x = leaf([1.0, -1.0], rg.float64)
    f = x @ (a @ x) / 2  # gradient a x, Hessian a
    (g,) = rg.autograd.grad(f, x, create_graph=True)
    (hv,) = rg.autograd.grad(g, x, rg.tensor([1.0, 0.0], dtype=rg.float64))
    assert hv.tolist() == [2.0, 1.0]


# -- custom Functions --------------------------------------------------------------------------
class Exp(rg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result


class ScaledMul(rg.autograd.Function):
    """a * b * k, with k a Python number (no gradient)."""

    @staticmethod
    def forward(ctx, a, b, k):
        ctx.save_for_backward(a, b)
        ctx.k = k
        ctx.seen_needs = ctx.needs_input_grad
        return a * b * k

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = grad * b * ctx.k if ctx.needs_input_grad[0] else None
        gb = grad * a * ctx.k if ctx.needs_input_grad[1] else None
        return ga, gb, None


def test_custom_function_forward_backward_and_node():
    x = leaf([0.0, 1.0], rg.float64)
    y = Exp.apply(x)
    assert type(y.grad_fn).__name__ == "ExpBackward" and y.grad_fn.name() == "ExpBackward"
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    assert_allclose(x.grad.tolist(), [1.0, math.e])
    with pytest.raises(RuntimeError, match="second time"):
        y.grad_fn.saved_tensors  # noqa: B018 - freed after backward


def test_custom_function_needs_input_grad_and_number_arguments():
    a, b = leaf([1.0, 2.0]), rg.tensor([3.0, 4.0])
    y = ScaledMul.apply(a, b, 2.0)
    assert y.grad_fn.needs_input_grad == (True, False, False)
    assert len(y.grad_fn.next_functions) == 2  # one edge per tensor argument
    assert y.grad_fn.next_functions[1] == (None, 0)
    y.sum().backward()
    assert a.grad.tolist() == [6.0, 8.0]


def test_custom_function_without_grad_records_nothing():
    y = ScaledMul.apply(rg.ones(2), rg.ones(2), 3)
    assert y.grad_fn is None and not y.requires_grad
    with rg.no_grad():
        assert Exp.apply(leaf([1.0])).grad_fn is None


def test_custom_function_is_twice_differentiable():
    class Cube(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x**2

    x = leaf([2.0])
    (g,) = rg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (g2,) = rg.autograd.grad(g.sum(), x)
    assert g.tolist() == [12.0] and g2.tolist() == [12.0]


def test_custom_function_mark_dirty():
    class AddOne(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = leaf([1.0, 2.0])
    y = x * 1
    version = y._version
    z = AddOne.apply(y)
    assert z is y and y._version > version and z.grad_fn.name() == "AddOneBackward"
    assert z.tolist() == [2.0, 3.0]
    (z * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_custom_function_mark_non_differentiable_and_integer_outputs():
    class SortLike(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            doubled = x * 2
            ctx.mark_non_differentiable(mask)
            return doubled, mask, rg.arange(2)

        @staticmethod
        def backward(ctx, grad, grad_mask, grad_index):
            return grad * 2

    x = leaf([1.0, -1.0])
    y, mask, index = SortLike.apply(x)
    assert y.requires_grad and not mask.requires_grad and not index.requires_grad
    assert mask.grad_fn is None and index.grad_fn is None
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_custom_function_materializes_missing_output_gradients():
    class Two(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.got = (g1.tolist(), g2.tolist())
            return g1 * 2 + g2 * 3

    x = leaf([1.0])
    a, b = Two.apply(x)
    a.sum().backward()  # b's gradient never arrives: zeros
    assert a.grad_fn.got == ([1.0], [0.0]) and x.grad.tolist() == [2.0]


def test_custom_function_returning_an_input_unchanged():
    class Identity(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = leaf([1.0])
    y = Identity.apply(x)
    assert y is not x and y.grad_fn.name() == "IdentityBackward" and x.is_leaf
    y.sum().backward()
    assert x.grad.tolist() == [5.0]


def test_custom_function_backward_runs_without_grad_unless_create_graph():
    modes = []

    class Probe(rg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            modes.append(("forward", rg.is_grad_enabled()))
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            modes.append(("backward", rg.is_grad_enabled()))
            return grad

    x = leaf([1.0])
    Probe.apply(x).sum().backward()
    Probe.apply(x).sum().backward(create_graph=True)
    assert modes == [("forward", False), ("backward", False),
                     ("forward", False), ("backward", True)]  # fmt: skip


# -- grad mode ---------------------------------------------------------------------------------
def test_no_grad_and_enable_grad_as_context_managers():
    x = leaf([1.0])
    with rg.no_grad():
        assert not rg.is_grad_enabled()
        y = x * 2
        with rg.enable_grad():
            assert rg.is_grad_enabled()
            z = x * 2
        assert not rg.is_grad_enabled()
    assert rg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad


def test_grad_modes_as_decorators():
    x = leaf([1.0])

    @rg.no_grad()
    def off(t):
        return t * 2

    @rg.enable_grad()
    def on(t):
        return t * 2

    @rg.set_grad_enabled(False)
    def set_off(t):
        return t * 2

    assert rg.is_grad_enabled()  # decorating changes nothing by itself
    assert not off(x).requires_grad and not set_off(x).requires_grad
    with rg.no_grad():
        assert on(x).requires_grad
        assert not rg.is_grad_enabled()
    assert off.__name__ == "off"


def test_set_grad_enabled_as_function_and_context_manager():
    x = leaf([1.0])
    with rg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert rg.is_grad_enabled()
    rg.set_grad_enabled(False)
    try:
        assert not rg.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        rg.set_grad_enabled(True)
    assert rg.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError), rg.no_grad():
        raise ValueError
    assert rg.is_grad_enabled()


def test_inference_mode():
    x = leaf([1.0])
    with rg.inference_mode():
        assert rg.is_inference_mode_enabled() and not rg.is_grad_enabled()
        y = x * 2
        with rg.inference_mode(False):
            assert not rg.is_inference_mode_enabled()
    assert not rg.is_inference_mode_enabled() and rg.is_grad_enabled()
    assert not y.requires_grad and y.is_inference() and not x.is_inference()

    @rg.inference_mode()
    def f(t):
        return t * 2

    assert f(x).is_inference() and not rg.is_inference_mode_enabled()


def test_grad_mode_is_per_thread():
    seen = {}

    def worker(name):
        seen[name] = rg.is_grad_enabled()
        with rg.no_grad():
            seen[name + " inner"] = rg.is_grad_enabled()

    with rg.no_grad():
        t = threading.Thread(target=worker, args=("from no_grad",))
        t.start()
        t.join()
        assert not rg.is_grad_enabled()
    t = threading.Thread(target=worker, args=("plain",))
    t.start()
    t.join()
    assert seen == {"from no_grad": True, "from no_grad inner": False,
                    "plain": True, "plain inner": False}  # fmt: skip
    assert rg.is_grad_enabled()


def test_backward_inside_no_grad_still_works():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with rg.no_grad():
        y.backward()
    assert x.grad.tolist() == [2.0, 4.0]


# -- broadcasting, dtypes ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "sa, sb",
    [((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((), (2, 3)), ((2, 1, 3), (4, 1)), ((1,), ())],
    ids=str,
)
def test_broadcast_gradients_are_reduced_to_operand_shape(sa, sb):
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal(sa), rng.standard_normal(sb)
    a, b = leaf(a_np.tolist(), rg.float64), leaf(b_np.tolist(), rg.float64)
    out_shape = np.broadcast_shapes(sa, sb)
    up = rng.standard_normal(out_shape)
    (a * b + a).backward(rg.tensor(up.tolist(), dtype=rg.float64))
    assert a.grad.shape == sa and b.grad.shape == sb
    want_a = _sum_to(up * (b_np + 0 * a_np) + up, sa)  # d(ab + a)/da = b + 1
    assert_allclose(values_of(a.grad), want_a, rtol=1e-12)
    assert_allclose(values_of(b.grad), _sum_to(up * (a_np + 0 * b_np), sb), rtol=1e-12)


def _sum_to(g, shape):
    g = g.sum(axis=tuple(range(g.ndim - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(shape)


def test_gradient_dtype_equals_input_dtype():
    x = leaf([1.0, 2.0], rg.float32)
    w = leaf([3.0, 4.0], rg.float64)
    y = x * w
    assert y.dtype is rg.float64
    y.sum().backward()
    assert x.grad.dtype is rg.float32 and w.grad.dtype is rg.float64
    assert x.grad.tolist() == [3.0, 4.0]
    s = leaf(2.0, rg.float64)
    (s * rg.ones(3, requires_grad=True)).sum().backward()  # 0-d float64 * float32 -> float32
    assert s.grad.dtype is rg.float64 and s.grad.shape == ()


# -- scale and memory --------------------------------------------------------------------------
def test_backward_through_a_long_op_chain():
    """Iterative engine: no RecursionError at the default recursion limit (1000 frames),
    through a chain two hundred times longer than that limit."""
    limit = sys.getrecursionlimit()
    # The engine is the same on every backend; NumPy keeps the chain to seconds (a JAX
    # dispatch costs ~7 us).
    x = rg.ones(16, requires_grad=True, backend="numpy")
    y = x
    for _ in range(200_000):
        y = y * 1.0000001
    y.sum().backward()
    factor, expected = np.float32(1.0000001), np.float32(1.0)
    for _ in range(200_000):
        expected = expected * factor
    assert_allclose(values_of(x.grad), np.full(16, expected), rtol=1e-6)
    assert sys.getrecursionlimit() == limit
    del y  # tearing the chain down must not recurse either


def test_graph_is_freed_with_its_last_reference(no_gc):
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sin().sum()
    nodes = [weakref.ref(y.grad_fn), weakref.ref(y.grad_fn.next_functions[0][0])]
    acc = weakref.ref(y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0])
    del y
    assert all(r() is None for r in nodes) and acc() is None
    assert x.grad is None and x.requires_grad  # the leaf lives on


def test_retained_non_leaf_and_hooks_do_not_keep_graph_alive(no_gc):
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g)
    node = weakref.ref(y.grad_fn)
    tensor = weakref.ref(y)
    del y
    assert node() is None and tensor() is None


def test_saved_tensors_are_released_after_backward(no_gc):
    x = leaf([1.0, 2.0])
    h = x * 2
    y = (h * h).sum()
    saved = weakref.ref(h)
    del h
    assert saved() is not None  # held by MulBackward0 for its rule
    y.backward()
    assert saved() is None


def test_retain_graph_keeps_saved_tensors(no_gc):
    x = leaf([1.0, 2.0])
    h = x * 2
    y = (h * h).sum()
    saved = weakref.ref(h)
    del h
    y.backward(retain_graph=True)
    assert saved() is not None
    y.backward()
    assert saved() is None


def test_saved_output_does_not_make_a_cycle(no_gc):
    x = leaf([1.0, 2.0])
    y = x.exp()  # ExpBackward0 saves its own output
    node = weakref.ref(y.grad_fn)
    del y
    assert node() is None


def test_custom_function_graph_is_freed(no_gc):
    x = leaf([1.0])
    y = Exp.apply(x)  # saves its output
    node = weakref.ref(y.grad_fn)
    del y
    assert node() is None


def test_only_what_live_rules_read_is_saved(no_gc):
    """As in PyTorch, ``h * c`` with only ``h`` needing a gradient keeps ``c``, not ``h``
    (d/dh reads c; d/dc, which would read h, never runs)."""
    x = leaf([1.0, 2.0])
    h = x * 2
    constant = rg.tensor([3.0, 4.0])
    y = h * constant
    kept = weakref.ref(h)
    del h
    assert kept() is None
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 8.0]


def test_both_operands_are_saved_when_both_need_gradients():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 5.0])
    (gx, gw) = rg.autograd.grad((x * w).sum(), (x, w), create_graph=True)
    assert gx.tolist() == [3.0, 5.0] and gw.tolist() == [1.0, 2.0]
    (ggx,) = rg.autograd.grad(gw.sum(), (x,))  # d(sum(x))/dx through the saved x
    assert ggx.tolist() == [1.0, 1.0]


def test_a_node_that_got_no_gradient_still_releases_its_inputs():
    """A custom backward returning None leaves a node with no gradient at all; the
    leaf below it must still receive its other path's gradient (as in PyTorch)."""

    class NoGrad(rg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.clone()

        @staticmethod
        def backward(ctx, g):
            return None

    x = leaf([1.0, 1.0])
    (NoGrad.apply(x * 2) * 3 + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


# -- a leaf keeps a gradient only the engine holds, without copying it -------------------
def test_a_fresh_gradient_becomes_grad_without_a_copy(monkeypatch):
    from retrograd import commit

    copies = []
    monkeypatch.setattr(commit, "accumulate", lambda t, g: copies.append(t))
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    assert copies == [] and x.grad.tolist() == [3.0, 3.0]


def _is_independent(grad, *others):
    """``grad`` shares memory with none of ``others`` (checked by writing to it)."""
    before = [o.tolist() for o in others]
    grad.add_(100.0)
    return [o.tolist() for o in others] == before


def test_grads_never_alias_what_someone_else_holds():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()  # AddBackward hands one gradient to both leaves
    assert _is_independent(a.grad, b.grad)

    v = rg.tensor([1.0, 2.0])
    c = leaf([0.0, 0.0])
    (c + 0).backward(v)  # the caller's gradient flows through unchanged
    assert _is_independent(c.grad, v)
    d = leaf([0.0, 0.0])
    d.backward(v)  # a leaf as the root
    assert _is_independent(d.grad, v)

    seen = []
    e = leaf([1.0, 2.0])
    e.register_hook(lambda g: seen.append(g))
    (e * 2).sum().backward()
    assert _is_independent(e.grad, seen[0])

    f = leaf([1.0, 2.0])
    h = f * 2
    h.retain_grad()
    (h * 1).sum().backward()
    assert _is_independent(f.grad, h.grad)


def test_in_place_update_without_a_graph_writes_into_the_same_memory():
    p = leaf([1.0, 2.0, 3.0])
    # The backend's own array (numpy() would be a host copy on a GPU backend).
    memory = p._storage.array if p.backend.mutable else None
    with rg.no_grad():
        p -= 0.5 * rg.tensor([2.0, 2.0, 2.0])
        p.add_(rg.tensor([1.0, 1.0, 1.0]), alpha=2)
    assert p.tolist() == [2.0, 3.0, 4.0] and p._version == 2 and p.requires_grad
    if memory is not None:
        assert p._storage.array is memory  # no new array was bound
        assert p.backend.kernels["tolist"](memory) == [2.0, 3.0, 4.0]


def test_in_place_update_without_a_graph_still_invalidates_saved_tensors():
    w = leaf([1.0, 2.0])
    y = (w * w).sum()
    with rg.no_grad():
        w.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
