"""Engine semantics against PyTorch (the oracle): the same program run with
``lib=retrograd`` and ``lib=torch`` builds the same graph (node names, edges,
``(None, 0)`` for constants, ``AccumulateGrad`` of the same leaf) and ends with the same
gradients, hook calls and flags."""

from __future__ import annotations

import re

import numpy as np
import pytest
import retrograd
from numpy.testing import assert_allclose

torch = pytest.importorskip("torch")


def _leaves(m):
    return (
        m.tensor([[1.0, -2.0, 3.0], [0.5, 1.5, -1.0]], requires_grad=True),  # a: 2x3
        m.tensor([0.25, -1.0, 2.0], requires_grad=True),  # b: 3
        m.tensor(1.5, requires_grad=True),  # s: 0-d
        m.tensor([[2.0, 1.0, -1.0], [1.0, 0.5, 2.0]]),  # c: a constant
    )


def signature(node, leaves, depth=0):
    """The graph under ``node`` as nested tuples; leaves by position in ``leaves``."""
    if node is None:
        return None
    name = type(node).__name__
    if name == "AccumulateGrad":
        index = [i for i, t in enumerate(leaves) if node.variable is t]
        assert len(index) == 1, "AccumulateGrad.variable is not one of the leaves"
        return ("AccumulateGrad", index[0])
    assert depth < 60
    return (name, tuple((signature(n, leaves, depth + 1), nr) for n, nr in node.next_functions))


GRAPHS = {
    "add": lambda m, a, b, s, c: a + b,
    "add scalar": lambda m, a, b, s, c: a + 2,
    "radd": lambda m, a, b, s, c: 2 + a,
    "sub": lambda m, a, b, s, c: a - c,
    "rsub": lambda m, a, b, s, c: 2 - a,
    "mul": lambda m, a, b, s, c: a * b * s,
    "mul constant": lambda m, a, b, s, c: c * a,
    "div": lambda m, a, b, s, c: a / b,
    "div scalar": lambda m, a, b, s, c: a / 2,
    "rdiv": lambda m, a, b, s, c: 2 / b,
    "pow scalar": lambda m, a, b, s, c: a**2,
    "pow tensor": lambda m, a, b, s, c: b.abs() ** b,
    "rpow": lambda m, a, b, s, c: 2**a,
    "neg": lambda m, a, b, s, c: -a,
    "mean": lambda m, a, b, s, c: a.mean(),
    "mean dim": lambda m, a, b, s, c: a.mean(0),
    "sum": lambda m, a, b, s, c: (a * a).sum(),
    "sum dim": lambda m, a, b, s, c: a.sum(1, keepdim=True),
    "mm": lambda m, a, b, s, c: a.mm(c.t()),
    "matmul 2d": lambda m, a, b, s, c: a @ a.t(),
    "dot": lambda m, a, b, s, c: b.dot(b),
    "mv": lambda m, a, b, s, c: a.mv(b),
    "matmul 1d 2d": lambda m, a, b, s, c: b @ a.t(),
    "view": lambda m, a, b, s, c: a.view(3, 2),
    "t": lambda m, a, b, s, c: a.t(),
    "transpose": lambda m, a, b, s, c: a.transpose(0, 1),
    "select": lambda m, a, b, s, c: a[1],
    "slice": lambda m, a, b, s, c: a[:, 1:],
    "index chain": lambda m, a, b, s, c: a[0][1:][0],
    "expand": lambda m, a, b, s, c: b.expand(4, 3),
    "clone": lambda m, a, b, s, c: a.clone(),
    "to copy": lambda m, a, b, s, c: a.double(),
    "unsqueeze": lambda m, a, b, s, c: b[None],
    "relu sigmoid tanh": lambda m, a, b, s, c: a.relu().sigmoid().tanh(),
    "exp log sqrt": lambda m, a, b, s, c: a.exp().log().abs().sqrt(),
    "sin cos": lambda m, a, b, s, c: b.sin() * b.cos(),
    "norm": lambda m, a, b, s, c: a.norm(),
    "where": lambda m, a, b, s, c: m.where(a > 0, a, c),
    "reused leaf": lambda m, a, b, s, c: (a * a + a).sum() * s,
    "broadcast": lambda m, a, b, s, c: (a * b + s).sum(0),
    "tutorial": lambda m, a, b, s, c: ((a + 2) * (a + 2) * 3).mean(),
}


@pytest.mark.parametrize("case", GRAPHS, ids=str)
def test_graph_structure_and_gradients_match(case):
    ours_leaves, theirs_leaves = _leaves(retrograd), _leaves(torch)
    ours, theirs = GRAPHS[case](retrograd, *ours_leaves), GRAPHS[case](torch, *theirs_leaves)
    assert signature(ours.grad_fn, ours_leaves) == signature(theirs.grad_fn, theirs_leaves)
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    assert ours.requires_grad and not ours.is_leaf
    ours.sum().backward()
    theirs.sum().backward()
    for o, t in zip(ours_leaves, theirs_leaves, strict=True):
        if t.grad is None:
            assert o.grad is None
        else:
            assert str(o.grad.dtype) == str(t.grad.dtype) and o.grad.shape == t.grad.shape
            assert_allclose(np.array(o.grad.tolist()), t.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_custom_function_graph_matches():
    def build(m):
        class Square(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                return x * x * k

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g, None

        a, b, s, c = _leaves(m)
        return (a, b, s, c), Square.apply(a * 2, 3.0) + b

    (ol, o), (tl, t) = build(retrograd), build(torch)
    assert signature(o.grad_fn, ol) == signature(t.grad_fn, tl)
    inner, theirs = o.grad_fn.next_functions[0][0], t.grad_fn.next_functions[0][0]
    assert inner.name() == theirs.name() == "SquareBackward"
    # Printed as PyTorch prints it: a custom node with its module, a built-in one bare.
    address = re.compile(r"0x[0-9a-f]+")
    assert address.sub("@", repr(inner)) == address.sub("@", repr(theirs))
    assert address.sub("@", repr(o.grad_fn)) == address.sub("@", repr(t.grad_fn))


def _hooks_program(m):
    """Tensor hooks, retain_grad and node hooks together; returns what it observed."""
    a, b, s, _ = _leaves(m)
    log = []
    y = a * b
    y.retain_grad()
    y.register_hook(lambda g: log.append(("y", g.sum().item())) or g * 2)
    z = (y * s).sum()
    h = a.register_hook(lambda g: g + 1)
    b.register_hook(lambda g: log.append(("b", g.tolist())))
    z.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].item())))
    z.grad_fn.register_hook(lambda gi, go: log.append(("post", len(gi), len(go))))
    z.backward(retain_graph=True)
    first = (a.grad.tolist(), b.grad.tolist(), s.grad.item(), y.grad.tolist())
    h.remove()
    z.backward()
    return log, first, (a.grad.tolist(), b.grad.tolist(), s.grad.item(), y.grad.tolist())


def test_hooks_and_retain_grad_match():
    ours, theirs = _hooks_program(retrograd), _hooks_program(torch)
    assert ours[0] == theirs[0]
    for o, t in zip(ours[1:], theirs[1:], strict=True):
        for ov, tv in zip(o, t, strict=True):
            assert_allclose(ov, tv, rtol=1e-6)


def _inplace_program(m):
    a, b, s, _ = _leaves(m)
    y = a * 1
    v0 = y._version
    y.add_(b)
    y.mul_(s)
    y *= 2
    y -= a
    y.div_(3)
    name = y.grad_fn.name()
    y.sum().backward()
    return y._version - v0, name, a.grad.tolist(), b.grad.tolist(), s.grad.item()


def test_in_place_chain_matches():
    ours, theirs = _inplace_program(retrograd), _inplace_program(torch)
    assert ours[:2] == theirs[:2]
    for o, t in zip(ours[2:], theirs[2:], strict=True):
        assert_allclose(o, t, rtol=1e-6)


def _detach_program(m):
    a, b, _, _ = _leaves(m)
    y = a.exp()
    d = y.detach()
    data = y.data
    out = [d.is_leaf, d.requires_grad, data.requires_grad, y._version]
    data.mul_(1)  # invisible to the version counter of y
    out += [y._version, data._version]
    d.mul_(1)  # visible: detach shares the counter
    out += [y._version, d._version]
    z = b * 2
    z.detach_()
    out += [z.is_leaf, z.requires_grad, z.grad_fn is None]
    return out


def test_detach_and_data_semantics_match():
    assert _detach_program(retrograd) == _detach_program(torch)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: x**3,
        lambda m, x: x.sin(),
        lambda m, x: x.tanh(),
        lambda m, x: x.exp(),
        lambda m, x: x.sigmoid() * x,
        lambda m, x: (x * x).sqrt().log(),
        lambda m, x: (x @ x) * x,
        lambda m, x: x.norm() * x,
        lambda m, x: x / (1 + x * x),
    ],
    ids=["x**3", "sin", "tanh", "exp", "x*sigmoid", "log|x|", "(x@x)x", "norm*x", "rational"],
)
def test_third_derivatives_match(fn):
    def derivatives(m):
        x = m.tensor([0.5, -1.25, 2.0], dtype=m.float64, requires_grad=True)
        y, out = fn(m, x).sum(), []
        for _ in range(3):
            (y,) = m.autograd.grad(y, x, create_graph=True)
            out.append(y.detach().tolist())
            y = (y * m.tensor([1.0, 2.0, 3.0], dtype=m.float64)).sum()
        return out

    assert_allclose(derivatives(retrograd), derivatives(torch), rtol=1e-12, atol=1e-12)


def _grad_program(m):
    a, b, s, _ = _leaves(m)
    h = a * b
    out = (h.exp() * s).sum()
    ga, gh, gs = m.autograd.grad(out, [a, h, s], retain_graph=True)
    (gb,) = m.autograd.grad(h, b, grad_outputs=m.ones_like(h))
    unused = m.autograd.grad(out, [s, m.ones(2, requires_grad=True)], allow_unused=True)
    return [g.tolist() for g in (ga, gh, gs, gb, unused[0])] + [unused[1], a.grad]


def test_autograd_grad_matches():
    ours, theirs = _grad_program(retrograd), _grad_program(torch)
    assert ours[-2:] == theirs[-2:] == [None, None]
    for o, t in zip(ours[:-2], theirs[:-2], strict=True):
        assert_allclose(o, t, rtol=1e-6)


def test_broadcast_and_dtype_mixes_match():
    def program(m):
        x = m.ones(3, 1, requires_grad=True)
        w = m.tensor([[1.0, 2.0, 3.0, 4.0]], dtype=m.float64, requires_grad=True)
        s = m.tensor(2.0, dtype=m.float64, requires_grad=True)
        v = m.tensor([1.0, -1.0, 0.5, 2.0], requires_grad=True)
        y = (x * w + s) * v  # float32 * float64 -> float64; 0-d float64 * float32 1-d
        y.sum().backward()
        return [(str(t.grad.dtype), tuple(t.grad.shape), t.grad.tolist()) for t in (x, w, s, v)]

    assert program(retrograd) == program(torch)


def _capture_program(m, inputs):
    """What autograd.grad and backward(inputs=...) see of a hooked non-leaf."""
    x = m.ones(2, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 10)
    pre = []
    y.grad_fn.register_prehook(lambda go: pre.append(1))
    names = {"x": x, "y": y}
    grads = m.autograd.grad((y * 3).sum(), [names[n] for n in inputs])
    x2 = m.ones(2, requires_grad=True)
    y2 = x2 * 2
    y2.register_hook(lambda g: g * 10)
    (y2 * 3).sum().backward(inputs=[{"x": x2, "y": y2}[n] for n in inputs])
    after = (y2.retains_grad, y2.grad, x2.grad)
    return (
        [g.tolist() for g in grads],
        len(pre),
        [None if t is None else t.tolist() for t in after[1:]],
        after[0],
    )


@pytest.mark.parametrize("inputs", [["y"], ["y", "x"], ["x"], ["x", "y"]], ids=str)
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_gradient_capture_order_with_hooks_matches(inputs):
    # PyTorch: a captured node that need not run gets its tensor hooks applied first; one
    # that must run (to reach another input) is captured before its hooks.
    assert _capture_program(retrograd, inputs) == _capture_program(torch, inputs)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_accumulated_grad_never_aliases_the_upstream_gradient():
    for create_graph in (False, True):
        for m in (retrograd, torch):
            x = m.ones(2, requires_grad=True)
            y = x.clone()
            y.retain_grad()
            u = m.ones(2)
            y.backward(u, create_graph=create_graph)
            assert x.grad is not u and y.grad is not u
            u.add_(1)
            assert x.grad.tolist() == [1.0, 1.0] and y.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_gradient_graphs_of_activations_match(activation):
    """The backward of tanh, sigmoid and relu is one op with its own node
    (TanhBackwardBackward0, ...), edged to the activation's node, as in PyTorch."""
    results = []
    for m in (retrograd, torch):
        x = m.tensor([0.5, -0.3, 0.0, 2.0], dtype=m.float64, requires_grad=True)
        w = m.tensor([1.0, 2.0, 3.0, -1.0], dtype=m.float64)
        y = getattr(x, activation)()
        (g,) = m.autograd.grad((y * w).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), x)
        results.append((signature(g.grad_fn, (x,)), g.tolist(), gg.tolist()))
    (mine_graph, mine_g, mine_gg), (their_graph, their_g, their_gg) = results
    assert mine_graph == their_graph
    assert_allclose(mine_g, their_g, rtol=1e-12)
    assert_allclose(mine_gg, their_gg, rtol=1e-12, atol=1e-15)


def test_relu_passes_the_gradient_of_nan_as_pytorch_does():
    grads = []
    for m in (retrograd, torch):
        x = m.tensor([float("nan"), 1.0, -1.0, 0.0], requires_grad=True)
        x.relu().sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [1.0, 1.0, 0.0, 0.0]
