"""Forward-mode AD (retrograd.autograd.forward_ad) against PyTorch's, in float64 to 1e-10.

Runs on the default backend (``RETROGRAD_BACKEND=jax`` runs it on JAX). The tangent of
every op record is checked by the conformance suite (finite differences, and against the
reverse rule); here: the API, its errors, composed functions, custom Functions, in-place
ops, printing, and that every differentiable record has a tangent rule.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from retrograd.autograd import forward_rules
from retrograd.ops import RECORDS

torch = pytest.importorskip("torch")

RNG = np.random.RandomState(3)
X, U = RNG.rand(2, 3) + 0.5, RNG.randn(2, 3)
W = RNG.randn(3, 4)


def _t(m, a):
    return m.tensor(a, dtype=m.float64)


def _fw(m):
    return m.autograd.forward_ad


def _jvp(m, fn, x=X, u=U):
    """``(value, tangent)`` of ``fn(m, dual)`` as float64 arrays."""
    fw = _fw(m)
    with fw.dual_level():
        out = fn(m, fw.make_dual(_t(m, x), _t(m, u)))
        primal, tangent = fw.unpack_dual(out)
        return np.asarray(primal.detach().numpy()), np.asarray(tangent.detach().numpy())


FUNCTIONS = {
    "exp_sin": lambda m, x: (x.exp() * x.sin()).sum(1),
    "matmul": lambda m, x: (x @ _t(m, W)).tanh(),
    "softmax": lambda m, x: m.softmax(x * 2, dim=1),
    "log_softmax": lambda m, x: m.log_softmax(x, dim=0),
    "mean_var": lambda m, x: x.mean(0) * x.var(1).sum(),
    "views": lambda m, x: x.t().reshape(6)[1:4].unsqueeze(0).expand(2, 3),
    "cat_split": lambda m, x: m.cat([x, x * x], 1).split(2, dim=1)[1],
    "index": lambda m, x: x[:, [0, 2]] * x[1, 1:],
    "pow_div": lambda m, x: x**2.5 / (1 + x),
    "norm_max": lambda m, x: x.norm() + x.amax(1).sum() + x.max(),
    "where_clamp": lambda m, x: m.where(x > 1, x.clamp(0.7, 1.2), x.relu()),
    "mse": lambda m, x: m.nn.functional.mse_loss(x, x.detach() * 0.5 + 0.1),
    "cumsum_prod": lambda m, x: x.cumsum(1) * x.prod(0),
    "sigmoid_gelu": lambda m, x: m.nn.functional.gelu(x).sigmoid(),
    # some inputs without a tangent: theirs count as zeros
    "cat_stack_mixed": lambda m, x: (
        m.cat([x, _t(m, W.T)], 0).sum(1)[:3] + m.stack([x.detach(), x]).sum(0)[0]
    ),
    "unbind_select": lambda m, x: x.unbind(1)[2] * x[1, 0] + x[:, 1:].cumsum(1).roll(1, 1)[:, 0],
    "gather_repeat": lambda m, x: (
        x.gather(1, m.tensor([[2, 0], [1, 1]])).repeat(2, 1).flip(0).tril()
    ),
    "scatter_mixed": lambda m, x: (
        m.zeros(2, 3, dtype=m.float64).scatter_add(1, m.tensor([[0, 0, 1], [2, 2, 2]]), x)
        + x.scatter(1, m.tensor([[1], [0]]), x.detach()[:, :1] * 2)
    ),
    "masked_fill_mixed": lambda m, x: (
        x.masked_fill(x > 1, _t(m, 0.5)) + x.detach().masked_fill(x > 1, x[0, 0])
    ),
    "index_put_mixed": lambda m, x: (
        x.detach().index_put((m.tensor([1]),), x[0:1] * 2)
        + x.index_put((m.tensor([0]),), m.ones(1, 3, dtype=m.float64))
    ),
    "copy_fill": lambda m, x: m.zeros(2, 3, dtype=m.float64).copy_(x[0]) + x.clone().fill_(2.0),
    "take_index_select": lambda m, x: (
        x.take(m.tensor([0, 4, 5])) + x.index_select(1, m.tensor([2, 0, 1]))[0]
    ),
    "logsumexp_mse": lambda m, x: (
        x.logsumexp(1).sum() + m.nn.functional.mse_loss(x.detach(), x * 0.3, reduction="sum")
    ),
    "addmm_outer": lambda m, x: m.addmm(x[:, :2], x, x.t()[:, :2]) + m.outer(x[0], x[1])[:2, :2],
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_tangents_match_pytorch(name):
    fn = FUNCTIONS[name]
    got, want = _jvp(retrograd, fn), _jvp(torch, fn)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-10)


def _error(m, fn):
    with pytest.raises(Exception) as info:
        fn(m)
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "case",
    [
        lambda m: _fw(m).make_dual(_t(m, X), _t(m, U)),  # no level
        lambda m: _in_level(m, lambda: _fw(m).make_dual(_t(m, X), _t(m, U[0]))),
        lambda m: _in_level(m, lambda: _fw(m).make_dual(_t(m, X).long(), _t(m, U))),
        lambda m: _in_level(m, lambda: _fw(m).make_dual(_t(m, X), _t(m, U).long())),
        lambda m: _in_level(m, lambda: _fw(m).enter_dual_level()),
        lambda m: _in_level(m, lambda: _fw(m).make_dual(_t(m, X), _t(m, U), level=5)),
        lambda m: _fw(m).exit_dual_level(),
    ],
)
def test_errors_are_pytorchs(case):
    assert _error(retrograd, case) == _error(torch, case)


def _in_level(m, fn):
    with _fw(m).dual_level():
        return fn()


def test_unpack_dual_outside_a_level_and_after_it():
    for m in (retrograd, torch):
        fw = _fw(m)
        x = _t(m, X)
        assert fw.unpack_dual(x).tangent is None
        with fw.dual_level() as level:
            assert level == 0
            y = fw.make_dual(x, _t(m, U)) * 2
            assert fw.unpack_dual(x).tangent is None
            assert type(fw.unpack_dual(y)).__name__ == "UnpackedDualTensor"
        assert fw.unpack_dual(y).tangent is None  # leaving the level drops its tangents
        assert fw.enter_dual_level() == 0
        fw.exit_dual_level()


def test_printing_shows_the_tangent_like_pytorch():
    def show(m):
        fw = _fw(m)
        with fw.dual_level():
            return repr(fw.make_dual(_t(m, [1.0, 2.0]), _t(m, [3.0, 4.0])).exp())

    assert show(retrograd) == show(torch)


def _custom(m):
    class Scale(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_forward(x, y)
            ctx.k = k
            return x * y * k, x + y

        @staticmethod
        def backward(ctx, ga, gb):
            raise AssertionError("not called in forward mode")

        @staticmethod
        def jvp(ctx, ux, uy, uk):
            assert uk is None
            x, y = ctx.saved_tensors
            return (ux * y + x * uy) * ctx.k, ux + uy

    return Scale


def test_custom_function_jvp_and_save_for_forward():
    def run(m):
        fw = _fw(m)
        with fw.dual_level():
            a, b = _custom(m).apply(fw.make_dual(_t(m, X), _t(m, U)), _t(m, W[:2, :3]), 2.0)
            return [fw.unpack_dual(t).tangent.numpy() for t in (a, b)]

    for g, w in zip(run(retrograd), run(torch), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_custom_function_without_jvp_is_pytorchs_error():
    def run(m):
        class Twice(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        with _fw(m).dual_level():
            Twice.apply(_fw(m).make_dual(_t(m, X), _t(m, U)))

    assert _error(retrograd, run) == _error(torch, run)


def test_in_place_ops_update_the_tangent_of_the_tensor_and_its_base():
    def run(m):
        fw = _fw(m)
        with fw.dual_level():
            d = fw.make_dual(_t(m, [1.0, 2.0]), _t(m, [1.0, 1.0]))
            w = m.zeros(3, dtype=m.float64)
            w[1:].copy_(d)
            w[2:].mul_(d[:1] * 5)
            z = m.zeros(2, dtype=m.float64)
            z.add_(d).mul_(3)
            return [fw.unpack_dual(t).tangent.numpy() for t in (w, z)]

    for g, w in zip(run(retrograd), run(torch), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_in_place_writes_reach_the_tangents_of_views_and_the_callers_tangent():
    """As PyTorch: the tangent is written in place, so a view's tangent (a view of it)
    and the tensor given to make_dual see the write."""

    def run(m):
        fw = _fw(m)
        x, u = _t(m, [1.0, 2.0, 3.0]), m.ones(3, dtype=m.float64)
        with fw.dual_level():
            b = fw.make_dual(x.clone(), u)
            v = b[0:2]
            b.mul_(2)
            c = fw.make_dual(x.clone(), u.clone())
            w = c[1:]
            w.mul_(3)
            found = [fw.unpack_dual(t).tangent.numpy() for t in (v, b, c, w)]
            return [*found, u.numpy(), fw.unpack_dual(b).tangent is u]

    got, want = run(retrograd), run(torch)
    assert got[-1] is want[-1] is True
    for g, w in zip(got[:-1], want[:-1], strict=True):
        np.testing.assert_array_equal(g, w)


def test_reverse_over_forward_and_forward_over_reverse():
    def run(m):
        fw = _fw(m)
        x = _t(m, X).requires_grad_()
        with fw.dual_level():
            d = fw.make_dual(x, _t(m, U))
            out = (d.sin() * d).sum()
            tangent = fw.unpack_dual(out).tangent
            (g,) = m.autograd.grad(tangent, x)  # reverse over forward: H u
            d = fw.make_dual(x.detach().requires_grad_(), _t(m, U))
            (g2,) = m.autograd.grad((d.sin() * d).sum(), d, create_graph=True)
            hvp = fw.unpack_dual(g2).tangent  # forward over reverse: H u
        return g.detach().numpy(), hvp.detach().numpy()

    got, want = run(retrograd), run(torch)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[0], got[1], rtol=1e-10)


def test_every_differentiable_record_has_a_tangent_rule():
    differentiable = [r for r in RECORDS if r.grad_fn is not None and not r.no_derivative]
    for r in differentiable:
        assert forward_rules.strategy(r) in forward_rules.STRATEGIES, r.name
    counts = forward_rules.counts(RECORDS)
    assert sum(counts.values()) == len(differentiable)
    assert counts["declared"] and counts["elementwise"] and counts["transpose"], counts


def test_no_forward_mode_work_outside_a_dual_level():
    """Outside a level, tensors get no tangent slot and the ops skip forward mode."""
    x = retrograd.ones(3, requires_grad=True)
    y = (x * 2).exp()
    assert not retrograd.dual.STATE.active
    assert not hasattr(y, "_fw_grads")


# (primal dtype, tangent dtype, function): the tangent's dtype is what PyTorch's rule
# computes, not the result's. A linear op keeps the tangent's dtype; a rule that mixes
# in the primal promotes with it; a missing tangent counts as zeros of its primal.
DTYPE_CASES = {
    "sum_keeps_float32": ("float64", "float32", lambda m, x: x.sum()),
    "view_keeps_float32": ("float64", "float32", lambda m, x: x.t()[0]),
    "neg_keeps_float32": ("float64", "float32", lambda m, x: -x),
    "shape_ops_keep_float32": ("float64", "float32", lambda m, x: m.stack([x, x]).flip(0)),
    "index_keeps_float32": ("float64", "float32", lambda m, x: x[:, [0, 2]].cumsum(1)),
    "clamp_keeps_float32": ("float64", "float32", lambda m, x: x.clamp(0.7, 1.2)),
    "sin_promotes": ("float64", "float32", lambda m, x: x.sin()),
    "scalar_mul_promotes": ("float64", "float32", lambda m, x: x * 2),
    "float64_tangent_exp": ("float32", "float64", lambda m, x: x.exp()),
    "float64_tangent_sum": ("float32", "float64", lambda m, x: x.sum()),
    "float64_tangent_prod": ("float32", "float64", lambda m, x: x.prod()),
    "float64_tangent_norm_var": ("float32", "float64", lambda m, x: x.norm() + x.var()),
    "float64_tangent_to": ("float64", "float64", lambda m, x: x.to(m.float32)),
    "other_without_tangent": ("float32", "float32", lambda m, x: _t(m, X) * x),
}


@pytest.mark.parametrize("name", sorted(DTYPE_CASES))
def test_tangent_dtype_is_pytorchs(name):
    primal, tangent, fn = DTYPE_CASES[name]
    found = []
    for m in (retrograd, torch):
        fw = _fw(m)
        with fw.dual_level():
            x = fw.make_dual(_t(m, X).to(getattr(m, primal)), _t(m, U).to(getattr(m, tangent)))
            out = fn(m, x)
            found.append((str(out.dtype), str(fw.unpack_dual(out).tangent.dtype)))
    assert found[0] == found[1]
