"""PyTorch's behaviour at the edges where a wrong answer would pass unnoticed, compared
with the oracle on the backend under test: what a gradient hook may return, ``rsub`` of
two tensors, the dims a 0-d tensor accepts, and PyTorch's gradients at NaN, at 0 and -0,
and of the rounding ops it does not differentiate (issue #11).

Each case is ``fn(lib)``, run with ``lib=retrograd`` and ``lib=torch``: both raise the
same exception type with the same message, or both return the same values (a tensor or
a tuple of tensors; None where PyTorch gives None, signs of zeros included).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")

NAN = math.nan


def outcome(fn: Callable[[Any], Any], lib: Any) -> Any:
    """``("raises", type name, message)`` or ``("ok", values)``: what ``fn(lib)`` did."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fn(lib)
    except Exception as error:  # noqa: BLE001 - the oracle decides which are right
        return ("raises", type(error).__name__, str(error))
    return ("ok", _plain(result))


def _plain(value: Any) -> Any:
    """Tensors as (shape, dtype name, values with zeros' signs); tuples item by item."""
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    array = np.asarray(value.detach().tolist() if value.dim() else value.item(), np.float64)
    signs = (np.signbit(array) & ~np.isnan(array)).tolist()  # a NaN's sign means nothing
    cells = np.where(np.isnan(array), 0.0, array).tolist()
    nans = np.isnan(array).tolist()
    return (tuple(value.shape), str(value.dtype).removeprefix("torch."), cells, nans, signs)


def same_as_torch(fn: Callable[[Any], Any]) -> None:
    ours, theirs = outcome(fn, retrograd), outcome(fn, torch)
    assert ours == theirs


def check(cases: dict) -> Callable:
    """Parametrize a test over ``cases`` (id -> ``fn(lib)``)."""
    return pytest.mark.parametrize("case", list(cases.values()), ids=list(cases))


# -- what a gradient hook may return -----------------------------------------------------
def _leaf_grad(hook: Callable, n: int = 3) -> Callable:
    def fn(m: Any) -> Any:
        x = m.ones(n, requires_grad=True)
        x.register_hook(hook)
        (x * 2).sum().backward()
        return x.grad

    return fn


def _through_nonleaf(hook: Callable) -> Callable:
    def fn(m: Any) -> Any:
        x = m.ones(3, requires_grad=True)
        y = x.exp()
        y.register_hook(hook)
        y.sum().backward()
        return x.grad

    return fn


def _named_hook(g: Any) -> Any:
    return g[:2]


class _CallableHook:
    def __call__(self, g: Any) -> Any:
        return g[:2]


def _node_hook(kind: str, make: Callable) -> Callable:
    """A hook on ``x * w``'s node (``pre``: on its output gradients, ``post``: on its
    input gradients) returning ``make(m, grads)``."""

    def fn(m: Any) -> Any:
        x, w = m.ones(3, requires_grad=True), m.full((3,), 2.0, requires_grad=True)
        y = x * w
        if kind == "pre":
            y.grad_fn.register_prehook(lambda go: make(m, go))
        else:
            y.grad_fn.register_hook(lambda gi, go: make(m, gi))
        y.sum().backward()
        return x.grad, w.grad

    return fn


HOOK_CASES = {
    "leaf size": _leaf_grad(lambda g: retrograd.ones(2, 3) if _is_ours(g) else torch.ones(2, 3)),
    "leaf dtype": _leaf_grad(lambda g: g.double()),
    "leaf int dtype": _leaf_grad(lambda g: g.long()),
    "leaf broadcastable": _leaf_grad(lambda g: g[:1]),
    "leaf 0-d to (1,)": lambda m: _leaf_grad(lambda g: g.reshape(1), n=1)(m),
    "leaf same": _leaf_grad(lambda g: g * 3),
    "leaf returns int": _leaf_grad(lambda g: 3),
    "nonleaf size": _through_nonleaf(lambda g: g[:2]),
    "nonleaf (3,1)": _through_nonleaf(lambda g: g.reshape(3, 1)),
    "nonleaf dtype": _through_nonleaf(lambda g: g.double()),
    "nonleaf dtype and size": _through_nonleaf(lambda g: g[:2].double()),
    "named function": _through_nonleaf(_named_hook),
    "callable object": _through_nonleaf(_CallableHook()),
    "partial": _through_nonleaf(functools.partial(lambda k, g: g[:k], 2)),
    "node pre-hook size": _node_hook("pre", lambda m, go: (go[0][:2],)),
    "node pre-hook dtype": _node_hook("pre", lambda m, go: (go[0].double(),)),
    "node pre-hook count": _node_hook("pre", lambda m, go: (go[0], go[0])),
    "node pre-hook None": _node_hook("pre", lambda m, go: (None,)),
    "node pre-hook tensor": _node_hook("pre", lambda m, go: go[0]),
    "node pre-hook int": _node_hook("pre", lambda m, go: (3,)),
    "node hook size": _node_hook("post", lambda m, gi: (gi[0][:2], gi[1])),
    "node hook dtype": _node_hook("post", lambda m, gi: (gi[0], gi[1].double())),
    "node hook count": _node_hook("post", lambda m, gi: (gi[0],)),
    "node hook list": _node_hook("post", lambda m, gi: [gi[0], gi[1]]),
    "node hook scaled": _node_hook("post", lambda m, gi: (gi[0] * 2, gi[1])),
}


def _is_ours(t: Any) -> bool:
    return isinstance(t, retrograd.Tensor)


@check(HOOK_CASES)
def test_hook_results_are_checked_as_in_pytorch(case):
    same_as_torch(case)


def test_a_hook_that_fills_a_missing_gradient_is_refused():
    def fn(m: Any) -> Any:
        x = m.ones(3, requires_grad=True)
        y = x * 2  # the 2 gets no gradient
        y.grad_fn.register_hook(lambda gi, go: (gi[0], m.ones(3)))
        y.sum().backward()
        return x.grad

    same_as_torch(fn)


def test_autograd_grad_checks_hooks_too():
    def fn(m: Any) -> Any:
        x = m.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g[:2])
        return m.autograd.grad(y.sum(), x)

    same_as_torch(fn)


def test_a_refused_hook_leaves_grad_unset():
    x = retrograd.ones(3, requires_grad=True)
    x.register_hook(lambda g: retrograd.ones(2, 3))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        x.sum().backward()
    assert x.grad is None


# -- rsub --------------------------------------------------------------------------------
def _rsub(alpha: Any, other_tensor: bool) -> Callable:
    def fn(m: Any) -> Any:
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = m.tensor([3.0, 5.0], requires_grad=True) if other_tensor else 4.0
        z = m.rsub(x, y, alpha=alpha)
        z.backward(m.tensor([1.0, -2.0]))
        return z, type(z.grad_fn).__name__, x.grad, y.grad if other_tensor else None

    return fn


@check({
    "two tensors": _rsub(1, True),
    "two tensors, alpha": _rsub(3, True),
    "tensor and number": _rsub(1, False),
    "tensor and number, alpha": _rsub(2, False),
    "2 - x": lambda m: type((2 - m.ones(2, requires_grad=True)).grad_fn).__name__,
})  # fmt: skip
def test_rsub_gradients_and_node_names(case):
    same_as_torch(case)


# -- dims of a 0-d tensor ----------------------------------------------------------------
def _scalar_op(op: Callable) -> Callable:
    def fn(m: Any) -> Any:
        s = m.tensor(2.0, requires_grad=True)
        out = op(m, s)
        out.sum().backward()
        return out, s.grad

    return fn


ZERO_D = {
    "transpose(0, -1)": lambda m, s: s.transpose(0, -1),
    "transpose(-1, -1)": lambda m, s: s.transpose(-1, -1),
    "transpose(0, 1)": lambda m, s: s.transpose(0, 1),
    "swapaxes(0, -1)": lambda m, s: s.swapaxes(0, -1),
    "movedim(-1, 0)": lambda m, s: s.movedim(-1, 0),
    "flatten(-1, 0)": lambda m, s: s.flatten(-1, 0),
    "sum(-1)": lambda m, s: s.sum(-1),
    "sum(0)": lambda m, s: s.sum(0),
    "sum(2)": lambda m, s: s.sum(2),
    "mean(-1)": lambda m, s: s.mean(-1),
    "prod(-1)": lambda m, s: s.prod(-1),
    "amax(-1)": lambda m, s: s.amax(-1),
    "max(-1)": lambda m, s: s.max(-1)[0],
    "logsumexp(-1)": lambda m, s: s.logsumexp(-1),
    "norm(dim=-1)": lambda m, s: s.norm(dim=-1),
    "softmax(-1)": lambda m, s: s.softmax(-1),
    "log_softmax(0)": lambda m, s: s.log_softmax(0),
    "cumsum(-1)": lambda m, s: s.cumsum(-1),
    "unsqueeze(-1)": lambda m, s: s.unsqueeze(-1),
    "squeeze(-1)": lambda m, s: s.squeeze(-1),
    "flip(-1)": lambda m, s: s.flip(-1),
    "gather(0, 0-d)": lambda m, s: s.gather(0, m.tensor(0)),
    "gather(-1, [0, 0])": lambda m, s: s.gather(-1, m.tensor([0, 0])),
    "index_select(0, [0])": lambda m, s: s.index_select(0, m.tensor([0])),
    "index_select(-1, 0-d)": lambda m, s: s.index_select(-1, m.tensor(0)),
    "stack(-1)": lambda m, s: m.stack([s, s], -1),
    "cat(-1) of 1-d": lambda m, s: m.cat([s.unsqueeze(0)], -1),
}


@check({name: _scalar_op(op) for name, op in ZERO_D.items()})
def test_zero_d_tensors_accept_dims_0_and_minus_1(case):
    ours, theirs = outcome(case, retrograd), outcome(case, torch)
    if theirs[0] == "raises":  # the message is another item of issue #11 (a prefix today)
        assert ours[:2] == theirs[:2] and theirs[2] in ours[2]
    else:
        assert ours == theirs


# -- NaN, zeros and the ops PyTorch does not differentiate -------------------------------
def _grads(op: Callable, *columns: list, upstream: float = 1.0) -> Callable:
    """``op(m, *leaves)``'s value, node name and the leaves' gradients for an upstream
    gradient of ``upstream`` everywhere."""

    def fn(m: Any) -> Any:
        leaves = [m.tensor(c, requires_grad=True) for c in columns]
        out = op(m, *leaves)
        grads = m.autograd.grad(out, leaves, m.full_like(out, upstream), allow_unused=True)
        return out, type(out.grad_fn).__name__, *grads

    return fn


EDGES = {
    "max() with a NaN": _grads(lambda m, x: x.max(), [1.0, NAN, 3.0]),
    "min() with a NaN": _grads(lambda m, x: x.min(), [1.0, NAN, 3.0]),
    "max() with two NaNs": _grads(lambda m, x: x.max(), [NAN, NAN, 3.0]),
    "max() of a matrix with a NaN": _grads(lambda m, x: x.max(), [[1.0, 2.0], [NAN, 0.0]]),
    "max() ties": _grads(lambda m, x: x.max(), [3.0, 1.0, 3.0]),
    "max(dim) with a NaN": _grads(lambda m, x: x.max(0)[0], [1.0, NAN, 3.0]),
    "min(dim) with NaNs": _grads(lambda m, x: x.min(0)[0], [NAN, NAN, 3.0]),
    "amax with a NaN": _grads(lambda m, x: x.amax(), [1.0, NAN, 3.0]),
    "amin with a NaN": _grads(lambda m, x: x.amin(0), [1.0, NAN, 3.0]),
    "abs at NaN, 0, -0": _grads(lambda m, x: x.abs(), [NAN, 0.0, -0.0, 2.0, -2.0]),
    "sign forward at NaN": _grads(lambda m, x: x.sign(), [NAN, -0.0, 0.0, -3.0, 2.0]),
    "atan2 at the origin": _grads(
        lambda m, y, x: m.atan2(y, x), [0.0, 0.0, -0.0, -0.0, 1.0], [0.0, -0.0, 0.0, -0.0, 0.0]
    ),
    "atan2 at the origin, upstream -1": _grads(
        lambda m, y, x: m.atan2(y, x), [0.0, 0.0, -0.0], [0.0, -0.0, 0.0], upstream=-1.0
    ),
    "prod with a NaN": _grads(lambda m, x: x.prod(), [1.0, NAN, 3.0]),
    "prod with a NaN and a zero": _grads(lambda m, x: x.prod(), [0.0, NAN, 3.0]),
    "prod with a NaN and two zeros": _grads(lambda m, x: x.prod(), [0.0, 0.0, NAN]),
    "prod with an inf": _grads(lambda m, x: x.prod(), [math.inf, 2.0, 3.0]),
    "prod(dim) with a NaN": _grads(lambda m, x: x.prod(0), [1.0, NAN, 3.0]),
    "prod(dim) with a NaN and a zero": _grads(
        lambda m, x: x.prod(1), [[1.0, 0.0, 3.0], [2.0, 2.0, NAN]]
    ),
    "x ** 0.5 at -0": _grads(lambda m, x: x**0.5, [-0.0, 0.0, 4.0]),
    "x ** -0.5 at -0": _grads(lambda m, x: x**-0.5, [-0.0, 0.0, 4.0]),
    "sqrt at -0": _grads(lambda m, x: x.sqrt(), [-0.0, 0.0, 4.0]),
    "x // 2": _grads(lambda m, x: x // 2, [1.0, 3.0]),
    "x // y": _grads(lambda m, x, y: x // y, [1.0, 3.0], [2.0, 2.0]),
    "2. // y": _grads(lambda m, y: 2.0 // y, [2.0, 3.0]),
    "floor_divide(x, y)": _grads(lambda m, x, y: m.floor_divide(x, y), [1.0, 3.0], [2.0, 2.0]),
    "5 % y": _grads(lambda m, y: 5 % y, [2.0, 3.0]),
    "remainder(5, y)": _grads(lambda m, y: m.remainder(5, y), [2.0, 3.0]),
    "x % 2": _grads(lambda m, x: x % 2, [1.0, 3.5]),
    "x % y": _grads(lambda m, x, y: x % y, [1.0, 3.0], [2.0, 2.0]),
    "div floor": _grads(lambda m, x, y: m.div(x, y, rounding_mode="floor"), [1.0, 3.0], [2.0, 2.0]),
    "div trunc": _grads(lambda m, x: m.div(x, 2, rounding_mode="trunc"), [1.0, -3.0]),
    # clamp keeps the input where it equals a number bound (the sign of a zero too).
    "clamp(min=0) at -0": _grads(lambda m, x: x.clamp(min=0.0), [-0.0, 0.0, -1.0, NAN]),
    "clamp(max=-0.) at 0": _grads(lambda m, x: x.clamp(max=-0.0), [0.0, -0.0, 1.0, NAN]),
    "clamp(0, 0) at -0": _grads(lambda m, x: x.clamp(0.0, 0.0), [-0.0, 0.0, 2.0]),
    "clamp with min > max": _grads(lambda m, x: x.clamp(1.0, 0.0), [-0.0, 0.5, 2.0]),
    "clamp with a NaN min": _grads(lambda m, x: x.clamp(min=NAN), [-1.0, 0.0, 2.0]),
    "clamp_min at -0": _grads(lambda m, x: m.clamp_min(x, 0.0), [-0.0, 0.0, -2.0]),
    "clamp_max with a NaN": _grads(lambda m, x: m.clamp_max(x, NAN), [-0.0, 1.0]),
    "clip(min=0) at -0": _grads(lambda m, x: m.clip(x, min=0.0), [-0.0, 3.0]),
}


@check(EDGES)
def test_edge_values_as_in_pytorch(case):
    same_as_torch(case)


def test_floor_divide_node_is_recorded_and_refuses_backward():
    def fn(m: Any) -> Any:
        x, y = m.ones(2, requires_grad=True), m.full((2,), 2.0, requires_grad=True)
        out = x // y
        nexts = [None if f is None else type(f).__name__ for f, _ in out.grad_fn.next_functions]
        return type(out.grad_fn).__name__, out.requires_grad, tuple(nexts)

    same_as_torch(fn)


def test_prod_second_order_with_two_zeros():
    """With a graph of the gradient recorded, PyTorch takes the products of the others
    (whose derivative is not 0) rather than its zeros shortcut."""

    def fn(m: Any) -> Any:
        x = m.tensor([2.0, 0.0, 0.0, 5.0], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(x.prod(), x, create_graph=True)
        return g, m.autograd.grad(g.sum(), x)

    same_as_torch(fn)


def test_in_place_floor_divide_refuses_backward():
    """PyTorch names the in-place overload (``aten::floor_divide_``); retrograd's in-place
    form records its out-of-place twin, so its message names ``aten::floor_divide``."""
    fn = _grads(lambda m, x, y: (x * 1).floor_divide_(y), [5.0], [2.0])
    ours, theirs = outcome(fn, retrograd), outcome(fn, torch)
    assert theirs[:2] == ("raises", "RuntimeError") == ours[:2]
    assert ours[2] == "derivative for aten::floor_divide is not implemented"
    assert theirs[2] == "derivative for aten::floor_divide_ is not implemented"


def _empty_means(lib):
    x = lib.ones(0, 3, requires_grad=True)
    m = x.mean(0)
    m.sum().backward()
    return m.detach(), x.grad, lib.ones(0).mean(), lib.ones(2, 0).mean(1)


def test_an_empty_mean_is_nan_without_a_warning_as_in_pytorch():
    """NumPy warns "Mean of empty slice"; PyTorch returns nan silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _empty_means(retrograd)
    assert _plain(got) == _plain(_empty_means(torch))
