"""Post-accumulate-grad hooks, setup_context, once_differentiable, is_grads_batched:
against torch (the oracle)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")
LIBS = (retrograd, torch)


def _outcome(call):
    try:
        return ("ok", _plain(call()))
    except Exception as exc:  # noqa: BLE001 - compared with the oracle
        return (type(exc).__name__, str(exc))


def _plain(value):
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if hasattr(value, "detach"):
        return np.round(np.asarray(value.detach().tolist(), dtype=float), 12).tolist()
    return value


def _both(call):
    got, want = (_outcome(lambda m=m: call(m)) for m in LIBS)
    assert got == want
    return got


# -- register_post_accumulate_grad_hook ----------------------------------------------------
def _post_hook_run(m):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
    (x * 3).sum().backward()
    (x * x).sum().backward()
    m.autograd.grad((x * 5).sum(), x)  # no accumulation: the hook does not run
    handle.remove()
    (x * 3).sum().backward()
    return seen, x.grad


HOOK_CASES = {
    "runs_after_accumulation": _post_hook_run,
    "no_grad_tensor": lambda m: m.ones(2).register_post_accumulate_grad_hook(lambda t: None),
    "non_leaf": lambda m: (m.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(
        lambda t: None
    ),
    "must_return_none": lambda m: _returns_value(m),
}


def _returns_value(m):
    x = m.ones(2, requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: t * 2)
    (x * 3).sum().backward()


@pytest.mark.parametrize("case", sorted(HOOK_CASES))
def test_post_accumulate_grad_hook_matches_torch(case):
    _both(HOOK_CASES[case])


def test_post_accumulate_hook_can_step_the_parameter():
    """The use PyTorch documents: an optimizer step fused into backward."""
    for m in LIBS:
        w = m.tensor([1.0, -1.0], dtype=m.float64, requires_grad=True)

        def step(p, m=m):
            with m.no_grad():
                p.sub_(0.5 * p.grad)
            p.grad = None

        w.register_post_accumulate_grad_hook(step)
        (w * w).sum().backward()
        assert w.grad is None and w.tolist() == [0.0, 0.0]


# -- setup_context and once_differentiable -------------------------------------------------
def _square(m, once=False):
    fn_module = importlib.import_module(m.__name__ + ".autograd.function")

    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * 2 * a * ctx.k, None

    class Square(m.autograd.Function):
        @staticmethod
        def forward(a, k):
            return a * a * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])
            ctx.k = inputs[1]

    Square.backward = staticmethod(fn_module.once_differentiable(backward) if once else backward)
    return Square


FUNCTION_CASES = {
    "setup_context": lambda m: _grad_of(m, _square(m)),
    "setup_context_double_backward": lambda m: _double(m, _square(m)),
    "once_differentiable_first_order": lambda m: _grad_of(m, _square(m, once=True)),
    "once_differentiable_twice": lambda m: _double(m, _square(m, once=True)),
    "setup_context_without_override": lambda m: _forward_without_ctx(m),
}


def _grad_of(m, fn):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    y = fn.apply(x, 3.0)
    return y, y.grad_fn.name(), m.autograd.grad(y.sum(), x)


def _double(m, fn):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    v = m.tensor([0.5, 1.5], dtype=m.float64, requires_grad=True)
    (g,) = m.autograd.grad(fn.apply(x, 3.0), x, v, create_graph=True)
    g.sum().backward()
    return g, x.grad, v.grad


def _forward_without_ctx(m):
    class NoSetup(m.autograd.Function):
        @staticmethod
        def forward(a):
            return a * 2

    return NoSetup.apply(m.ones(2, requires_grad=True))


@pytest.mark.parametrize("case", sorted(FUNCTION_CASES))
def test_function_styles_match_torch(case):
    _both(FUNCTION_CASES[case])


def test_once_differentiable_error_text():
    outcome = _outcome(lambda: _double(retrograd, _square(retrograd, once=True)))
    assert outcome == (
        "RuntimeError",
        "trying to differentiate twice a function that was marked with @once_differentiable",
    )


# -- is_grads_batched ----------------------------------------------------------------------
def _batched(m, **kwargs):
    y = m.tensor([1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)
    z = m.tensor([1.0], dtype=m.float64, requires_grad=True)
    out = (y * y.sin(), (y * z).sum())
    vs = (m.eye(3, dtype=m.float64), m.tensor([1.0, -2.0, 0.5], dtype=m.float64))
    return m.autograd.grad(out, (y, z), vs, is_grads_batched=True, **kwargs)


BATCH_CASES = {
    "two_outputs": lambda m: _batched(m),
    "create_graph": lambda m: _batched(m, create_graph=True),
    "unused_allowed": lambda m: m.autograd.grad(
        m.ones(2, requires_grad=True) * 2,
        (m.ones(2, requires_grad=True),),
        m.eye(2),
        is_grads_batched=True,
        allow_unused=True,
    ),
    "shape_mismatch": lambda m: m.autograd.grad(
        m.ones(3, requires_grad=True) * 2,
        (m.ones(3, requires_grad=True),),
        m.ones(3),
        is_grads_batched=True,
    ),
}


@pytest.mark.parametrize("case", sorted(BATCH_CASES))
def test_is_grads_batched_matches_torch(case):
    _both(BATCH_CASES[case])


def test_batched_rows_are_vector_jacobian_products():
    y = retrograd.tensor([1.0, 2.0, 3.0], dtype=retrograd.float64, requires_grad=True)
    (jac,) = retrograd.autograd.grad(
        y.exp(), y, retrograd.eye(3, dtype=retrograd.float64), is_grads_batched=True
    )
    np.testing.assert_allclose(jac.numpy(), np.diag(np.exp([1.0, 2.0, 3.0])), rtol=1e-12)
