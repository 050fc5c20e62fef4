"""gradcheck/gradgradcheck against torch.autograd.gradcheck (the oracle)."""

from __future__ import annotations

import warnings

import pytest
import retrograd
from retrograd.autograd.gradcheck import GradcheckError

torch = pytest.importorskip("torch")
from torch_oracle import TORCH_VERSION  # noqa: E402 - after the importorskip

X = [[0.3, -1.2], [2.0, 0.5]]
Y = [0.7, 1.1]


def _inputs(m):
    return (
        m.tensor(X, dtype=m.float64, requires_grad=True),
        m.tensor(Y, dtype=m.float64, requires_grad=True),
    )


def _custom(m, factor=2.0, ignore_grad=False, materialize=True, none_gives=None):
    """``a * a`` with a backward that is right for factor 2 only (``none_gives``: what
    it returns for an undefined gradient, with ``materialize=False``)."""

    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(materialize)
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            if g is None and none_gives is not None:
                return none_gives(a)
            return a * factor if ignore_grad else g.mul(a) * factor

    return Square


def _outcome(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome itself is compared
            result = (type(exc).__name__, str(exc))
    return result, [str(w.message) for w in caught if w.category is UserWarning]


CASES = {
    "passes": lambda m: m.autograd.gradcheck(lambda a, b: (a.sin() * b, a.sum()), _inputs(m)),
    "passes_fast": lambda m: m.autograd.gradcheck(
        lambda a, b: (a.sin() * b).exp(), _inputs(m), fast_mode=True
    ),
    "custom_ok": lambda m: m.autograd.gradcheck(_custom(m).apply, _inputs(m)[1:]),
    "custom_wrong": lambda m: m.autograd.gradcheck(_custom(m, 3.0).apply, _inputs(m)[1:]),
    "custom_wrong_no_raise": lambda m: m.autograd.gradcheck(
        _custom(m, 3.0).apply, _inputs(m)[1:], raise_exception=False
    ),
    "custom_wrong_loose_tolerance": lambda m: m.autograd.gradcheck(
        _custom(m, 2.2).apply, _inputs(m)[1:], atol=0.5, rtol=0.2
    ),
    "wrong_second_output": lambda m: m.autograd.gradcheck(
        lambda a, b: (a.sum(), _custom(m, 3.0).apply(b)), _inputs(m)
    ),
    "ignores_grad_output": lambda m: m.autograd.gradcheck(
        _custom(m, ignore_grad=True).apply, _inputs(m)[1:]
    ),
    "undefined_grad_not_handled": lambda m: m.autograd.gradcheck(
        _custom(m, materialize=False).apply, _inputs(m)[1:]
    ),
    "undefined_grad_gives_nonzero": lambda m: m.autograd.gradcheck(
        _custom(m, materialize=False, none_gives=lambda a: a * 2).apply, _inputs(m)[1:]
    ),
    "undefined_grad_gives_zero": lambda m: m.autograd.gradcheck(
        _custom(m, materialize=False, none_gives=lambda a: a * 0).apply, _inputs(m)[1:]
    ),
    "undefined_grad_raises": lambda m: m.autograd.gradcheck(
        _custom(m, materialize=False, none_gives=lambda a: a.view(5)).apply, _inputs(m)[1:]
    ),
    "undefined_grad_unchecked": lambda m: m.autograd.gradcheck(
        _custom(m, materialize=False).apply, _inputs(m)[1:], check_undefined_grad=False
    ),
    "float32_warns": lambda m: m.autograd.gradcheck(
        lambda a: a * 2, (m.ones(2, requires_grad=True),), atol=0.1, rtol=0.1
    ),
    "no_input_requires_grad": lambda m: m.autograd.gradcheck(lambda a: a * 2, (m.ones(2),)),
    "no_differentiable_output": lambda m: m.autograd.gradcheck(
        lambda a: a.detach() * 2, _inputs(m)[1:]
    ),
    "no_backward_ad": lambda m: m.autograd.gradcheck(
        lambda a: a, _inputs(m)[1:], check_backward_ad=False
    ),
    "gradgradcheck_passes": lambda m: m.autograd.gradgradcheck(
        lambda a, b: (a.sin() * b).exp(), _inputs(m)
    ),
    "gradgradcheck_given_grad_outputs": lambda m: m.autograd.gradgradcheck(
        lambda a, b: a.tanh() * b,
        _inputs(m),
        (m.tensor([[0.5, -1.0], [0.25, 2.0]], dtype=m.float64, requires_grad=True),),
    ),
    "gradgradcheck_wrong_double_backward": lambda m: m.autograd.gradgradcheck(
        _custom(m).apply, _inputs(m)[1:], (m.tensor([1.0, -0.5], dtype=m.float64),)
    ),
    "gradgradcheck_flags": lambda m: m.autograd.gradgradcheck(
        lambda a: a, _inputs(m)[1:], check_rev_over_rev=False
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_outcome_matches_torch(case):
    if case == "no_input_requires_grad" and TORCH_VERSION < (2, 13):
        pytest.skip("PyTorch < 2.13's message has a typo ('none of the them')")
    got, got_warnings = _outcome(lambda: CASES[case](retrograd))
    want, want_warnings = _outcome(lambda: CASES[case](torch))
    assert got == want
    assert got_warnings == want_warnings


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)
    assert retrograd.autograd.GradcheckError is GradcheckError
    with pytest.raises(GradcheckError, match="^Jacobian mismatch for output 0 with respect"):
        retrograd.autograd.gradcheck(_custom(retrograd, 3.0).apply, _inputs(retrograd)[1:])


def test_fast_mode_report_recomputes_slow_jacobians():
    """Fast mode projects on random vectors (their values differ from PyTorch's, so the
    two scalars do); the slow-mode recomputation that follows is PyTorch's."""
    reports = []
    for m in (retrograd, torch):
        with pytest.raises(m.autograd.gradcheck.__globals__["GradcheckError"]) as info:
            m.autograd.gradcheck(_custom(m, 3.0).apply, _inputs(m)[1:], fast_mode=True)
        head, _, tail = str(info.value).partition("\nThe above quantities")
        assert head.startswith("Jacobian mismatch for output 0 with respect to input 0,\n")
        reports.append(tail)
    assert reports[0] == reports[1]


def test_fast_mode_leaves_the_random_stream_alone():
    retrograd.manual_seed(3)
    expected = retrograd.rand(3).tolist()
    retrograd.manual_seed(3)
    retrograd.autograd.gradcheck(lambda a: a.exp(), _inputs(retrograd)[1:], fast_mode=True)
    assert retrograd.rand(3).tolist() == expected


def test_fast_mode_catches_a_wrong_gradient():
    assert not retrograd.autograd.gradcheck(
        _custom(retrograd, 2.5).apply,
        _inputs(retrograd)[1:],
        fast_mode=True,
        raise_exception=False,
    )


def test_inputs_are_not_modified():
    a, b = _inputs(retrograd)
    before = (a.tolist(), b.tolist(), a._version, b._version)
    retrograd.autograd.gradcheck(lambda x, y: x * y, (a, b))
    assert (a.tolist(), b.tolist(), a._version, b._version) == before
