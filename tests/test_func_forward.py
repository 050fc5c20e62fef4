"""retrograd.func's forward-mode transforms (jvp, jacfwd, and hessian as jacfwd(jacrev))
against torch.func, in float64 to 1e-10, results and errors."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")
from test_forward_ad import FUNCTIONS as FORWARD_FUNCTIONS  # noqa: E402 - after the importorskip
from test_forward_ad import X as FORWARD_X  # noqa: E402

RNG = np.random.RandomState(11)
X, U, Y = RNG.rand(3) + 0.5, RNG.randn(3), RNG.randn(2, 3)


def _t(m, a, requires_grad=False):
    return m.tensor(a, dtype=m.float64, requires_grad=requires_grad)


def _np(value):
    """A tree of tensors as the same tree of float64 arrays (anything else as is)."""
    if isinstance(value, (tuple, list)):
        return type(value)(_np(v) for v in value)
    if isinstance(value, dict):
        return {k: _np(v) for k, v in value.items()}
    if hasattr(value, "detach"):
        return np.asarray(value.detach().numpy(), dtype=np.float64)
    return value


def _close(got, want):
    assert type(got) is type(want)
    if isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _close(g, w)
    elif isinstance(want, dict):
        assert got.keys() == want.keys()
        for k in want:
            _close(got[k], want[k])
    elif isinstance(want, np.ndarray):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    else:
        assert got == want


def f_scalar(m, a):
    return (a.sin() * a.exp()).sum() + (a**3).prod()


def f_tree(m, a, b):
    return {"p": a * b, "s": [m.softmax(b, dim=1).sum(0), (a @ b.t()).tanh()]}


CASES = {
    "jvp": lambda m: m.func.jvp(lambda a: f_scalar(m, a), (_t(m, X),), (_t(m, U),)),
    "jvp_tree": lambda m: m.func.jvp(
        lambda a, b: f_tree(m, a, b), (_t(m, X), _t(m, Y)), (_t(m, U), _t(m, Y * 0.5))
    ),
    "jvp_aux": lambda m: m.func.jvp(
        lambda a: (a.exp(), {"n": a.norm()}), (_t(m, X),), (_t(m, U),), has_aux=True
    ),
    "jacfwd": lambda m: m.func.jacfwd(lambda a: a.sin() * a[0])(_t(m, X)),
    "jacfwd_tree": lambda m: m.func.jacfwd(lambda a, b: f_tree(m, a, b), argnums=(0, 1))(
        _t(m, X), _t(m, Y)
    ),
    "jacfwd_argnum": lambda m: m.func.jacfwd(lambda a, b: f_tree(m, a, b), argnums=1)(
        _t(m, X), _t(m, Y)
    ),
    "jacfwd_aux": lambda m: m.func.jacfwd(lambda a: (a.exp(), a.sum()), has_aux=True)(_t(m, X)),
    "hessian": lambda m: m.func.hessian(lambda a: f_scalar(m, a))(_t(m, X)),
    "hessian_matrix": lambda m: m.func.hessian(lambda w: (w @ _t(m, X)).logsumexp(0))(_t(m, Y)),
    "jacfwd_jacfwd": lambda m: m.func.jacfwd(m.func.jacfwd(lambda a: f_scalar(m, a)))(_t(m, X)),
    "jacrev_jacfwd": lambda m: m.func.jacrev(m.func.jacfwd(lambda a: a.sin() * a.sum()))(_t(m, X)),
    "jvp_of_grad": lambda m: m.func.jvp(
        m.func.grad(lambda a: f_scalar(m, a)), (_t(m, X),), (_t(m, U),)
    ),
    "jacfwd_mixed_dtypes": lambda m: m.func.jacfwd(lambda a, b: a * b.sin(), argnums=(0, 1))(
        _t(m, X).float(), _t(m, X)
    ),
    "jacfwd_float32_output": lambda m: m.func.jacfwd(lambda a: a.float().exp())(_t(m, X)),
    "jacfwd_partly_empty": lambda m: m.func.jacfwd(lambda a, b: a.sum() * b, argnums=(0, 1))(
        _t(m, X[:0]), _t(m, X)
    ),
    "jacfwd_zero_dim": lambda m: m.func.jacfwd(lambda a: a * _t(m, X))(_t(m, 2.0)),
    "jacfwd_aux_tree": lambda m: m.func.jacfwd(
        lambda a: (a * 2, {"s": a.sum(), "p": [a.exp()]}), has_aux=True
    )(_t(m, X)),
    "jacfwd_list_input": lambda m: m.func.jacfwd(lambda p: p[0] * p[1].cos())([_t(m, X), _t(m, U)]),
    "jacfwd_constant_output": lambda m: m.func.jacfwd(lambda a: (a * 0 + 1).detach() * 2)(_t(m, X)),
    "jacfwd_random_same": lambda m: m.func.jacfwd(
        lambda a: a * m.ones(3, dtype=m.float64).bernoulli(0.0), randomness="same"
    )(_t(m, X)),
}


@pytest.mark.parametrize("name", sorted(FORWARD_FUNCTIONS))
def test_jacfwd_of_every_forward_ad_function_matches_torch(name):
    """The batched tangents go through every kind of tangent rule (declared,
    elementwise, transpose), in-place ops on tensors without a tangent included."""
    fn = FORWARD_FUNCTIONS[name]
    got, want = (
        m.func.jacfwd(lambda a, m=m: fn(m, a))(_t(m, FORWARD_X)) for m in (retrograd, torch)
    )
    _close(_np(got), _np(want))


def test_jacfwd_runs_the_function_once():
    """One batched forward pass, not one per input element (PyTorch's vmap over jvp)."""
    calls = []

    def f(a):
        calls.append(1)
        return a.sin() * a.sum()

    retrograd.func.jacfwd(f)(_t(retrograd, Y))
    assert len(calls) == 1
    retrograd.autograd.functional.jacobian(
        f, _t(retrograd, Y), vectorize=True, strategy="forward-mode"
    )
    assert len(calls) == 2


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_func(name):
    _close(_np(CASES[name](retrograd)), _np(CASES[name](torch)))


def test_results_stay_differentiable_outside_the_transform():
    def run(m):
        x = _t(m, X, requires_grad=True)
        h = m.func.hessian(lambda a: f_scalar(m, a))(x)
        _, tangent = m.func.jvp(lambda a: (a * x).exp(), (_t(m, U),), (_t(m, X),))
        return m.autograd.grad((h.sum(), tangent.sum()), x)

    _close(_np(run(retrograd)), _np(run(torch)))


def _error(m, case):
    with pytest.raises(Exception) as info:
        case(m)
    return type(info.value), str(info.value)


ERRORS = [
    lambda m: m.func.jvp(m.sin, _t(m, X), (_t(m, U),)),  # primals not a tuple
    lambda m: m.func.jvp(m.sin, (_t(m, X),), _t(m, U)),  # structures differ
    lambda m: m.func.jvp(m.sin, (_t(m, X),), (_t(m, U), _t(m, U))),
    lambda m: m.func.jvp(m.sin, (_t(m, X),), ([_t(m, U)],)),
    lambda m: m.func.jvp(m.sin, (_t(m, X),), (_t(m, U[:2]),)),  # tangent of the wrong shape
    lambda m: m.func.jvp(lambda a: 3, (_t(m, X),), (_t(m, U),)),
    lambda m: m.func.jvp(m.sin, (_t(m, X).long(),), (_t(m, U),)),
    lambda m: m.func.jvp(m.sin, (), ()),
    lambda m: m.func.jvp(m.sin, (_t(m, X),), (_t(m, U),), has_aux=True),
    lambda m: m.func.jacfwd(lambda a: 3)(_t(m, X)),
    lambda m: m.func.jacfwd(m.sin, argnums=2)(_t(m, X)),
    lambda m: m.func.jacfwd(m.sin, has_aux=True)(_t(m, X)),
    lambda m: m.func.jacfwd(m.sin, randomness="bad")(_t(m, X)),
    lambda m: m.func.jvp(lambda a: (a, 3), (_t(m, X),), (_t(m, U),), has_aux=True),
    lambda m: m.func.jacfwd(lambda a: (a, {"n": None}), has_aux=True)(_t(m, X)),
    lambda m: m.func.jacfwd(lambda a: a * m.rand(3, dtype=m.float64))(_t(m, X)),
    lambda m: m.func.jacfwd(lambda a: (a, 2))(_t(m, X)),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_are_pytorchs(case):
    assert _error(retrograd, ERRORS[case]) == _error(torch, ERRORS[case])


def test_a_failing_function_leaves_no_dual_level_open():
    with pytest.raises(RuntimeError):
        retrograd.func.jvp(lambda a: 3, (_t(retrograd, X),), (_t(retrograd, U),))
    assert not retrograd.dual.STATE.levels


def test_vmap_fill_and_copy_into_a_per_sample_tensor_like_torch():
    """An unbatched value written into a batched tensor is the same in every sample
    (what ``jacfwd`` does to a tangent when ``fill_``/``copy_`` overwrite a value)."""

    def f(m, a):
        return a.clone().copy_(_t(m, X)) + a.clone().fill_(2.0) * a + a.clone().fill_(_t(m, 3.0))

    got, want = (m.func.vmap(lambda a, m=m: f(m, a))(_t(m, Y)) for m in (retrograd, torch))
    _close(_np(got), _np(want))
