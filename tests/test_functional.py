"""retrograd.autograd.functional against torch.autograd.functional (the oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")

RNG = np.random.RandomState(7)
A, B = RNG.randn(3), RNG.randn(2, 3)


def _lib(name):
    return retrograd if name == "rg" else torch


def _t(lib, array, requires_grad=False):
    return lib.tensor(array, dtype=lib.float64, requires_grad=requires_grad)


def _np(value):
    """Nested tuples of tensors -> nested tuples of float64 arrays."""
    if isinstance(value, tuple):
        return tuple(_np(v) for v in value)
    return np.asarray(value.detach().numpy(), dtype=np.float64)


def _close(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _close(g, w)
    else:
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


# Functions written against either library (``m`` is retrograd or torch).
def f_scalar(m):
    return lambda x: (x.exp() * x.sin()).sum()


def f_vector(m):
    return lambda x: x * x.tanh() + 2


def f_two_in(m):
    return lambda x, y: (y.matmul(x) * x.sum()).pow(2)


def f_two_out(m):
    return lambda x, y: (x * y.sum(0), (x * x).sum())


def f_two_in_scalar(m):
    return lambda x, y: (y.matmul(x.exp())).sum() * x.sum()


ONE = (A,)
TWO = (A, B)


def _inputs(lib, arrays):
    ts = tuple(_t(lib, a) for a in arrays)
    return ts if len(ts) > 1 else ts[0]


def _run_both(fn_name, f, arrays, v=None, **kwargs):
    results = []
    for name in ("rg", "torch"):
        lib = _lib(name)
        api = getattr(
            retrograd.autograd.functional if name == "rg" else torch.autograd.functional, fn_name
        )
        vec = None if v is None else _inputs(lib, v)
        args = (f(lib), _inputs(lib, arrays)) + (
            () if v is None and fn_name in ("jacobian", "hessian") else (vec,)
        )
        results.append(api(*args, **kwargs))
    return results


@pytest.mark.parametrize(
    "f, arrays",
    [(f_vector, ONE), (f_scalar, ONE), (f_two_in, TWO), (f_two_out, TWO)],
    ids=["vector", "scalar", "two_in", "two_out"],
)
@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_matches_torch(f, arrays, create_graph):
    got, want = _run_both("jacobian", f, arrays, create_graph=create_graph)
    _close(_np(got), _np(want))


@pytest.mark.parametrize("f, arrays", [(f_scalar, ONE), (f_two_in_scalar, TWO)])
def test_hessian_matches_torch(f, arrays):
    got, want = _run_both("hessian", f, arrays)
    _close(_np(got), _np(want))


@pytest.mark.parametrize("fn_name", ["hvp", "vhp"])
@pytest.mark.parametrize("f, arrays", [(f_scalar, ONE), (f_two_in_scalar, TWO)])
def test_hvp_vhp_match_torch(fn_name, f, arrays):
    v = tuple(RNG.randn(*np.shape(a)) for a in arrays)
    got, want = _run_both(fn_name, f, arrays, v)
    _close(_np(got), _np(want))


@pytest.mark.parametrize("f, arrays", [(f_vector, ONE), (f_two_in, TWO), (f_two_out, TWO)])
def test_vjp_matches_torch(f, arrays):
    outs = f(torch)(*(_t(torch, a) for a in arrays))
    shapes = [tuple(o.shape) for o in (outs if isinstance(outs, tuple) else (outs,))]
    v = tuple(RNG.randn(*s) for s in shapes)
    got, want = _run_both("vjp", f, arrays, v)
    _close(_np(got), _np(want))


@pytest.mark.parametrize("f, arrays", [(f_vector, ONE), (f_two_in, TWO), (f_two_out, TWO)])
def test_jvp_matches_torch(f, arrays):
    v = tuple(RNG.randn(*np.shape(a)) for a in arrays)
    got, want = _run_both("jvp", f, arrays, v)
    _close(_np(got), _np(want))


def test_scalar_v_defaults_to_one():
    got, want = _run_both("vjp", f_scalar, ONE)
    _close(_np(got), _np(want))


@pytest.mark.parametrize("fn_name", ["vjp", "jvp", "hvp", "vhp"])
def test_create_graph_results_are_differentiable(fn_name):
    """With create_graph the product has history back to the caller's inputs: its own
    gradient (a third derivative for hvp) equals PyTorch's."""
    grads = []
    for lib in (retrograd, torch):
        x = _t(lib, A, requires_grad=True)
        v = _t(lib, np.linspace(0.5, 1.5, 3))
        f = f_scalar(lib) if fn_name in ("hvp", "vhp") else f_vector(lib)
        api = getattr(lib.autograd.functional, fn_name)
        _, prod = api(f, x, v, create_graph=True)
        assert prod.requires_grad
        prod.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)


def test_results_have_no_history_without_create_graph():
    x = _t(retrograd, A, requires_grad=True)
    out, prod = retrograd.autograd.functional.vjp(f_vector(retrograd), x, _t(retrograd, A))
    assert not out.requires_grad and not prod.requires_grad
    assert retrograd.autograd.functional.jacobian(f_vector(retrograd), x).grad_fn is None


def _error_of(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return type(exc), str(exc)
    return None


def _same_error(make_call):
    got = _error_of(lambda: make_call(retrograd))
    want = _error_of(lambda: make_call(torch))
    assert want is not None, "the oracle raised nothing"
    assert got is not None, f"expected {want}"
    assert got[0].__name__ == want[0].__name__
    assert got[1].startswith(want[1])


def _linear(m):
    return lambda x, y: x * 2


BAD_CALLS = {
    "non_tensor_output": lambda m: m.autograd.functional.jacobian(lambda x: 3, _t(m, A)),
    "tuple_with_number": lambda m: m.autograd.functional.jacobian(lambda x: (x, 3), _t(m, A)),
    "non_tensor_input": lambda m: m.autograd.functional.vjp(lambda x: x, [1.0]),
    "v_wrong_shape": lambda m: m.autograd.functional.vjp(f_vector(m), _t(m, A), _t(m, np.ones(4))),
    "v_wrong_shape_tuple": lambda m: m.autograd.functional.jvp(
        f_two_in(m), (_t(m, A), _t(m, B)), (_t(m, A), _t(m, A))
    ),
    "v_wrong_length": lambda m: m.autograd.functional.jvp(
        f_two_in(m), (_t(m, A), _t(m, B)), (_t(m, A),)
    ),
    "v_tuple_for_single": lambda m: m.autograd.functional.jvp(
        f_vector(m), _t(m, A), (_t(m, A), _t(m, A))
    ),
    "v_none_not_scalar": lambda m: m.autograd.functional.vjp(f_vector(m), _t(m, A)),
    "jvp_v_none": lambda m: m.autograd.functional.jvp(f_vector(m), _t(m, A)),
    "hvp_v_none": lambda m: m.autograd.functional.hvp(f_scalar(m), _t(m, A)),
    "strict_independent": lambda m: m.autograd.functional.vjp(
        _linear(m), (_t(m, A), _t(m, A)), _t(m, A), strict=True
    ),
    "strict_jacobian": lambda m: m.autograd.functional.jacobian(
        _linear(m), (_t(m, A), _t(m, A)), strict=True
    ),
    "strict_constant_output": lambda m: m.autograd.functional.jacobian(
        lambda x: _t(m, A), _t(m, A), strict=True
    ),
    "strict_linear_hessian": lambda m: m.autograd.functional.hessian(
        lambda x: x.sum(), _t(m, A), strict=True
    ),
    "strict_vhp_linear": lambda m: m.autograd.functional.vhp(
        lambda x: x.sum(), _t(m, A), _t(m, A), strict=True
    ),
    "strict_vectorize": lambda m: m.autograd.functional.jacobian(
        f_vector(m), _t(m, A), strict=True, vectorize=True
    ),
    "hessian_vector_output": lambda m: m.autograd.functional.hessian(f_vector(m), _t(m, A)),
    "hvp_tuple_output": lambda m: m.autograd.functional.hvp(
        lambda x: (x.sum(),), _t(m, A), _t(m, A)
    ),
    "bad_strategy": lambda m: m.autograd.functional.jacobian(
        f_vector(m), _t(m, A), strategy="sideways"
    ),
    "forward_strict": lambda m: m.autograd.functional.jacobian(
        f_vector(m), _t(m, A), strict=True, strategy="forward-mode"
    ),
    "forward_create_graph": lambda m: m.autograd.functional.jacobian(
        f_vector(m), _t(m, A), create_graph=True, strategy="forward-mode"
    ),
    "forward_not_vectorized": lambda m: m.autograd.functional.jacobian(
        f_vector(m), _t(m, A), strategy="forward-mode"
    ),
    "forward_non_tensor_output": lambda m: m.autograd.functional.jacobian(
        lambda x: 3, _t(m, A), vectorize=True, strategy="forward-mode"
    ),
    "forward_inside_a_dual_level": lambda m: _in_dual_level(
        m,
        lambda: m.autograd.functional.jacobian(
            f_vector(m), _t(m, A), vectorize=True, strategy="forward-mode"
        ),
    ),
}


def _in_dual_level(m, call):
    with m.autograd.forward_ad.dual_level():
        return call()


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_gets_torch_error(case):
    _same_error(BAD_CALLS[case])


def _tree(value):
    """Lists and tuples kept apart (PyTorch's forward mode returns lists), tensors as
    float64 arrays."""
    if isinstance(value, (tuple, list)):
        return type(value)(_tree(v) for v in value)
    return np.asarray(value.detach().numpy(), dtype=np.float64)


def _same_tree(got, want):
    assert type(got) is type(want)
    if isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _same_tree(g, w)
    else:
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "f, arrays",
    [(f_vector, ONE), (f_scalar, ONE), (f_two_in, TWO), (f_two_out, TWO), (f_vector, (A,) * 1)],
    ids=["vector", "scalar", "two_in", "two_out", "vector_tuple"],
)
def test_forward_mode_jacobian_matches_torch(f, arrays):
    """Values, and PyTorch's structure: lists where the inputs are a tuple."""
    kwargs = {"vectorize": True, "strategy": "forward-mode"}
    got, want = _run_both("jacobian", f, arrays, **kwargs)
    _same_tree(_tree(got), _tree(want))
    reverse, _ = _run_both("jacobian", f, arrays)
    _close(_as_tuples(_tree(got)), _np(reverse))


def _as_tuples(value):
    if isinstance(value, (tuple, list)):
        return tuple(_as_tuples(v) for v in value)
    return value


@pytest.mark.parametrize("f, arrays", [(f_scalar, ONE), (f_two_in_scalar, TWO)])
def test_forward_over_reverse_hessian_matches_torch(f, arrays):
    kwargs = {"vectorize": True, "outer_jacobian_strategy": "forward-mode"}
    got, want = _run_both("hessian", f, arrays, **kwargs)
    _same_tree(_tree(got), _tree(want))


def test_forward_mode_jacobian_of_a_tuple_input_is_a_list_like_torch():
    for m in (retrograd, torch):
        got = m.autograd.functional.jacobian(
            f_vector(m), (_t(m, A),), vectorize=True, strategy="forward-mode"
        )
        assert type(got) is list and len(got) == 1


def test_vectorize_gives_the_same_jacobian():
    f, x = f_two_out(retrograd), (_t(retrograd, A), _t(retrograd, B))
    _close(
        _np(retrograd.autograd.functional.jacobian(f, x, vectorize=True)),
        _np(torch.autograd.functional.jacobian(f_two_out(torch), (_t(torch, A), _t(torch, B)))),
    )


def test_non_strict_independent_input_gets_zeros():
    got, want = _run_both("jacobian", _linear, TWO[:1] + (A,))
    _close(_np(got), _np(want))


FORWARD_MODE_CALLS = {
    "jacobian": lambda m, f, x: m.autograd.functional.jacobian(
        f, x, vectorize=True, strategy="forward-mode"
    ),
    "hessian": lambda m, f, x: m.autograd.functional.hessian(
        f, x, vectorize=True, outer_jacobian_strategy="forward-mode"
    ),
}


@pytest.mark.parametrize(
    "call, f, arrays",
    [("jacobian", f_vector, ONE), ("jacobian", f_two_out, TWO),
     ("hessian", f_scalar, ONE), ("hessian", f_two_in_scalar, TWO)],
)  # fmt: skip
def test_forward_mode_results_keep_history_wrt_inputs_like_torch(call, f, arrays):
    """PyTorch does not detach the inputs of a forward-mode Jacobian: where they require
    grad, J (and a forward-over-reverse Hessian) has history, and its gradient is the
    next derivative."""
    found = []
    for m in (retrograd, torch):
        xs = tuple(_t(m, a, requires_grad=True) for a in arrays)
        result = FORWARD_MODE_CALLS[call](m, f(m), xs)
        flat = [t for row in result for t in row]
        live = [t for t in flat if t.requires_grad]
        grads = m.autograd.grad([t.sum() for t in live], xs, allow_unused=True) if live else ()
        found.append(([t.requires_grad for t in flat], [g is None for g in grads],
                      tuple(_np(g) for g in grads if g is not None)))  # fmt: skip
    assert found[0][:2] == found[1][:2]
    assert any(found[1][0])
    _close(found[0][2], found[1][2])
