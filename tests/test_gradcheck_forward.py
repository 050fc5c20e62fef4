"""gradcheck(check_forward_ad=True) and gradgradcheck(check_fwd_over_rev=True) against
PyTorch's: the outcome (True, False, or the exception type and message) of each case."""

from __future__ import annotations

import pytest
import retrograd

torch = pytest.importorskip("torch")

X = [[0.3, -1.2], [2.0, 0.5]]


def _x(m):
    return m.tensor(X, dtype=m.float64, requires_grad=True)


def _square(m, jvp_factor=2.0, with_jvp=True):
    """``a * a`` with a right backward and a jvp right for factor 2 only."""

    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            ctx.save_for_forward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * a * 2

        if with_jvp:

            @staticmethod
            def jvp(ctx, u):
                (a,) = ctx.saved_tensors
                return u * a * jvp_factor

    return Square


def _outcome(call):
    try:
        return ("ok", call())
    except Exception as exc:  # noqa: BLE001 - the outcome itself is compared
        return (type(exc).__name__, str(exc))


CASES = {
    "ops_pass": lambda m: m.autograd.gradcheck(
        lambda a: (a.sin() * a.exp(), a.softmax(1), (a @ a).sum()), (_x(m),), check_forward_ad=True
    ),
    "custom_passes": lambda m: m.autograd.gradcheck(
        _square(m).apply, (_x(m),), check_forward_ad=True
    ),
    "wrong_jvp_raises": lambda m: m.autograd.gradcheck(
        _square(m, 3.0).apply, (_x(m),), check_forward_ad=True
    ),
    "wrong_jvp_false": lambda m: m.autograd.gradcheck(
        _square(m, 3.0).apply,
        (_x(m),),
        check_forward_ad=True,
        check_backward_ad=False,
        raise_exception=False,
    ),
    "wrong_jvp_fast_false": lambda m: m.autograd.gradcheck(
        _square(m, 3.0).apply,
        (_x(m),),
        check_forward_ad=True,
        fast_mode=True,
        raise_exception=False,
    ),  # fmt: skip
    "no_jvp": lambda m: m.autograd.gradcheck(
        _square(m, with_jvp=False).apply, (_x(m),), check_forward_ad=True
    ),
    "fast_passes": lambda m: m.autograd.gradcheck(
        lambda a: (a.exp(), a.sum()), (_x(m),), check_forward_ad=True, fast_mode=True
    ),
    "fwd_over_rev": lambda m: m.autograd.gradgradcheck(
        lambda a: (a.exp() * a.sin(), a.sum()), (_x(m),), check_fwd_over_rev=True
    ),
    "fwd_over_rev_only": lambda m: m.autograd.gradgradcheck(
        lambda a: a.tanh() * a,
        (_x(m),),
        check_fwd_over_rev=True,
        check_rev_over_rev=False,
        check_undefined_grad=False,
    ),  # fmt: skip
    "neither_mode": lambda m: m.autograd.gradcheck(
        lambda a: a, (_x(m),), check_forward_ad=False, check_backward_ad=False
    ),
    "batched_forward_passes": lambda m: m.autograd.gradcheck(
        lambda a, b: (a.sin() * a, (a @ a).sum() * b, (a > 0).long()),
        (_x(m), m.tensor([1.0, 2.0], dtype=m.float64)),
        check_forward_ad=True,
        check_batched_forward_grad=True,
    ),
    "batched_forward_custom_passes": lambda m: m.autograd.gradcheck(
        _square(m).apply, (_x(m),), check_forward_ad=True, check_batched_forward_grad=True
    ),
    "batched_forward_without_backward": lambda m: m.autograd.gradcheck(
        lambda a: a.exp().cumsum(0),
        (_x(m),),
        check_forward_ad=True,
        check_backward_ad=False,
        check_batched_forward_grad=True,
    ),
    "batched_forward_needs_forward_ad": lambda m: m.autograd.gradcheck(
        lambda a: a, (_x(m),), check_batched_forward_grad=True
    ),
}


def _unbatchable(m):
    """A custom jvp that reads a tangent's value: fine one tangent at a time, refused
    under vmap."""

    class Square(m.autograd.Function):
        generate_vmap_rule = True

        @staticmethod
        def forward(a):
            return a * a

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])
            ctx.save_for_forward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            return g * ctx.saved_tensors[0] * 2

        @staticmethod
        def jvp(ctx, u):
            return u * ctx.saved_tensors[0] * 2 + 0 * u.sum().item()

    return Square.apply


@pytest.mark.parametrize("raise_exception", [True, False])
def test_batched_forward_failure_is_pytorchs(raise_exception):
    """The report: "While computing batched gradients, got: <vmap's own error>" (whose
    text is each library's), then PyTorch's forward-mode explanation."""
    found = []
    for m in (retrograd, torch):
        found.append(
            _outcome(
                lambda m=m: m.autograd.gradcheck(
                    _unbatchable(m),
                    (_x(m),),
                    check_forward_ad=True,
                    check_batched_forward_grad=True,
                    raise_exception=raise_exception,
                )
            )
        )
    if not raise_exception:
        assert found[0] == found[1] == ("ok", False)
        return
    (ours_type, ours), (theirs_type, theirs) = found
    assert ours_type == theirs_type == "GradcheckError"
    prefix = "While computing batched gradients, got: "
    assert ours.startswith(prefix) and "item()" in ours
    assert ours.partition("\n\n")[2] == theirs.partition("\n\n")[2]


def test_batched_forward_mismatch_names_the_output(monkeypatch):
    """Where batched tangents differ from one-by-one ones: PyTorch's report (which
    names output k as "input k" too), both tensors printed."""
    from retrograd.autograd import batched_gradcheck

    real = batched_gradcheck.vmap
    monkeypatch.setattr(
        batched_gradcheck, "vmap", lambda f: lambda t: tuple(r + 1 for r in real(f)(t))
    )
    with pytest.raises(retrograd.autograd.GradcheckError) as info:
        retrograd.autograd.gradcheck(
            lambda a: a.exp(), (_x(retrograd),), check_forward_ad=True,
            check_batched_forward_grad=True,
        )  # fmt: skip
    text = str(info.value)
    assert text.startswith(
        "For output 0 and input 0:\n\n\ngradcheck failed while testing batched gradient "
        "computation with forward-mode AD.\n"
    )
    assert "\n\n\nGot:\ntensor(" in text and "\n\nExpected:\ntensor(" in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_outcome_matches_torch(name):
    assert _outcome(lambda: CASES[name](retrograd)) == _outcome(lambda: CASES[name](torch))


def test_fast_mode_failure_reports_the_slow_forward_jacobians():
    with pytest.raises(retrograd.autograd.GradcheckError) as info:
        retrograd.autograd.gradcheck(
            _square(retrograd, 3.0).apply, (_x(retrograd),), check_forward_ad=True, fast_mode=True
        )
    text = str(info.value)
    assert text.startswith("Jacobian computed with forward mode mismatch for output 0")
    assert "Below, we recompute numerical and analytical jacobians in slow mode" in text
