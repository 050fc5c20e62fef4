"""retrograd.func against torch.func (the oracle): values, composition, errors."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")

X = np.array([0.3, -1.2, 2.0])
Y = np.array([[1.0, 2.0, 3.0], [0.5, 0.1, -1.0]])


def _t(m, a, requires_grad=False):
    return m.tensor(a, dtype=m.float64, requires_grad=requires_grad)


def _leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k])]
    return [value]


def _both(make):
    """Run ``make(lib)`` with retrograd and torch; compare every tensor to 1e-10."""
    got, want = make(retrograd), make(torch)
    got_leaves, want_leaves = _leaves(got), _leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves, strict=True):
        if isinstance(w, torch.Tensor):
            assert tuple(g.shape) == tuple(w.shape)
            np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-10)
        else:
            assert g == w
    return got


def f_scalar(x):
    return (x.sin() * x).sum()


CASES = {
    "grad": lambda m: m.func.grad(f_scalar)(_t(m, X)),
    "grad_argnums_tuple": lambda m: m.func.grad(
        lambda x, y: y.matmul(x.exp()).sum(), argnums=(0, 1)
    )(_t(m, X), _t(m, Y)),
    "grad_argnum_negative": lambda m: m.func.grad(lambda x, y: y.matmul(x.exp()).sum(), argnums=-1)(
        _t(m, X), _t(m, Y)
    ),
    "grad_has_aux": lambda m: m.func.grad(lambda x: (f_scalar(x), x * 2), has_aux=True)(_t(m, X)),
    "grad_pytree_arg": lambda m: m.func.grad(lambda d: (d["a"] * d["b"][0]).sum())(
        {"a": _t(m, X), "b": [_t(m, X), _t(m, X)]}
    ),
    "grad_unused_is_zero": lambda m: m.func.grad(lambda x, y: x.sum(), argnums=1)(
        _t(m, X), _t(m, X)
    ),
    "grad_and_value": lambda m: m.func.grad_and_value(f_scalar)(_t(m, X)),
    "grad_and_value_aux": lambda m: m.func.grad_and_value(
        lambda x: (f_scalar(x), {"s": x.sum()}), has_aux=True
    )(_t(m, X)),
    "grad_of_grad": lambda m: m.func.grad(
        lambda x: m.func.grad(lambda z: (z**3).sin().sum())(x).sum()
    )(_t(m, X)),
    "jacrev": lambda m: m.func.jacrev(lambda x: x.sin() * x)(_t(m, X)),
    "jacrev_argnums": lambda m: m.func.jacrev(lambda x, y: y.matmul(x), argnums=(0, 1))(
        _t(m, X), _t(m, Y)
    ),
    "jacrev_dict_output": lambda m: m.func.jacrev(lambda x: {"a": x * 2, "b": x.exp().sum()})(
        _t(m, X)
    ),
    "jacrev_has_aux": lambda m: m.func.jacrev(lambda x: (x.exp(), x.sum()), has_aux=True)(_t(m, X)),
    "jacrev_of_jacrev": lambda m: m.func.jacrev(m.func.jacrev(lambda x: x.sin() * x.sum()))(
        _t(m, X)
    ),
    "hessian": lambda m: m.func.hessian(f_scalar)(_t(m, X)),
    "hessian_argnums": lambda m: m.func.hessian(
        lambda x, y: (y.matmul(x.exp())).pow(2).sum(), argnums=1
    )(_t(m, X), _t(m, Y)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch_func(case):
    _both(CASES[case])


def test_vjp_and_its_function_match_torch():
    def make(m):
        out, fn, aux = m.func.vjp(
            lambda x, y: (y.matmul(x.exp()), x.sum()), _t(m, X), _t(m, Y), has_aux=True
        )
        cot = _t(m, np.array([1.5, -0.5]))
        return out, aux, fn(cot), fn(cot * 2)  # callable again

    _both(make)


def test_results_without_outside_dependence_have_no_history():
    x = _t(retrograd, X)
    assert retrograd.func.grad(f_scalar)(x).grad_fn is None
    assert not retrograd.func.hessian(f_scalar)(x).requires_grad
    out, fn = retrograd.func.vjp(lambda z: z.exp(), x)
    assert out.grad_fn is None and fn(retrograd.ones_like(x))[0].grad_fn is None


def test_closed_over_weight_keeps_its_gradient():
    def make(m):
        w = _t(m, [1.0, 2.0, 3.0], requires_grad=True)
        g = m.func.grad(lambda x: (x * w).sin().sum())(_t(m, X))
        assert g.requires_grad
        g.sum().backward()
        return w.grad

    _both(make)


def test_argument_that_requires_grad_keeps_its_history():
    def make(m):
        x = _t(m, X, requires_grad=True)
        g = m.func.grad(f_scalar)(x)
        g.pow(2).sum().backward()
        return x.grad

    _both(make)


def test_grad_under_no_grad_builds_no_graph():
    with retrograd.no_grad():
        x = _t(retrograd, X, requires_grad=True)
        g = retrograd.func.grad(f_scalar)(x)
    assert g.grad_fn is None


def _error(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the error itself is compared
        return type(exc).__name__, str(exc)
    return None


ERRORS = {
    "vector_output": lambda m: m.func.grad(lambda x: x * 2)(_t(m, X)),
    "number_output": lambda m: m.func.grad(lambda x: 3)(_t(m, X)),
    "argnum_out_of_range": lambda m: m.func.grad(f_scalar, argnums=2)(_t(m, X)),
    "argnums_repeated": lambda m: m.func.grad(f_scalar, argnums=(0, 0))(_t(m, X)),
    "argnums_float": lambda m: m.func.grad(f_scalar, argnums=1.5)(_t(m, X)),
    "argnums_empty": lambda m: m.func.grad(f_scalar, argnums=())(_t(m, X)),
    "aux_not_a_pair": lambda m: m.func.grad(f_scalar, has_aux=True)(_t(m, X)),
    "number_argument": lambda m: m.func.grad(f_scalar)(3.0),
    "integer_argument": lambda m: m.func.grad(f_scalar)(m.arange(3)),
    "vjp_number_output": lambda m: m.func.vjp(lambda x: 2, _t(m, X)),
    "vjp_aux_not_a_pair": lambda m: m.func.vjp(lambda x: x * 2, _t(m, X), has_aux=True),
    "vjp_cotangent_structure": lambda m: m.func.vjp(lambda x: x * 2, _t(m, X))[1]((_t(m, X),)),
    "vjp_cotangent_shape": lambda m: m.func.vjp(lambda x: x * 2, _t(m, X))[1](m.ones(2)),
    "jacrev_aux_not_a_pair": lambda m: m.func.jacrev(lambda x: x * 2, has_aux=True)(_t(m, X)),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_match_torch(case):
    want = _error(lambda: ERRORS[case](torch))
    got = _error(lambda: ERRORS[case](retrograd))
    assert want is not None and got is not None, (got, want)
    assert got[0] == want[0]
    assert got[1].startswith(want[1]), (got[1], want[1])


# -- functional_call ---------------------------------------------------------------------
class TinyModule:
    """The smallest thing functional_call needs: PyTorch's registries and names."""

    def __init__(self, m, children=()):
        self._parameters = {
            "weight": _t(m, Y, requires_grad=True),
            "bias": _t(m, [0.1, -0.2], requires_grad=True),
        }
        self._buffers = {"scale": _t(m, [2.0])}
        self._modules = dict(children)

    def __getattr__(self, name):
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(registry, {}):
                return self.__dict__[registry][name]
        raise AttributeError(name)

    def named_parameters(self, prefix="", remove_duplicate=True):
        yield from ((prefix + k, v) for k, v in self._parameters.items())
        for name, child in self._modules.items():
            yield from child.named_parameters(prefix + name + ".", remove_duplicate)

    def named_buffers(self, prefix="", remove_duplicate=True):
        yield from ((prefix + k, v) for k, v in self._buffers.items())
        for name, child in self._modules.items():
            yield from child.named_buffers(prefix + name + ".", remove_duplicate)

    def __call__(self, x):
        out = self.weight.matmul(x) * self.scale + self.bias
        for child in self._modules.values():
            out = out + child(x).sum()
        return out


def test_functional_call_swaps_and_restores():
    module = TinyModule(retrograd, {"inner": TinyModule(retrograd)})
    original = module._parameters["weight"]
    new_w = _t(retrograd, Y * 3, requires_grad=True)
    x = _t(retrograd, X)
    out = retrograd.func.functional_call(module, {"weight": new_w, "inner.bias": new_w[0, :2]}, x)
    expected = (new_w.matmul(x) * 2 + module.bias) + (
        module.inner.weight.matmul(x) * 2 + new_w[0, :2]
    ).sum()
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    assert module._parameters["weight"] is original


def _torch_tiny():
    """TinyModule's twin as a real torch.nn.Module (torch's functional_call needs one)."""
    module = torch.nn.Module()
    module.weight = torch.nn.Parameter(_t(torch, Y))
    module.bias = torch.nn.Parameter(_t(torch, [0.1, -0.2]))
    module.register_buffer("scale", _t(torch, [2.0]))
    module.forward = lambda x: module.weight.matmul(x) * module.scale + module.bias
    return module


def test_functional_call_gradients_match_torch():
    def make(m):
        module = TinyModule(m) if m is retrograd else _torch_tiny()
        params = {k: v.detach().clone() for k, v in module.named_parameters()}
        return m.func.grad(lambda p, x: m.func.functional_call(module, p, (x,)).pow(2).sum())(
            params, _t(m, X)
        )

    _both(make)


def test_functional_call_strict_and_duplicates():
    module = TinyModule(retrograd)
    with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'bias', 'scale'"):
        retrograd.func.functional_call(
            module, {"weight": module.weight}, _t(retrograd, X), strict=True
        )
    with pytest.raises(ValueError, match="weight appeared in multiple dictionaries"):
        retrograd.func.functional_call(
            module, ({"weight": module.weight}, {"weight": module.weight}), _t(retrograd, X)
        )


def test_functional_call_with_retrograd_nn_module():
    module_cls = getattr(retrograd.nn, "Module", None)
    linear_cls = getattr(retrograd.nn, "Linear", None)
    if module_cls is None or linear_cls is None:
        pytest.skip("retrograd.nn.Module/Linear not in this branch yet")
    layer = linear_cls(3, 2).double()
    params = {k: v.detach() * 2 for k, v in layer.named_parameters()}
    x = _t(retrograd, X)
    out = retrograd.func.functional_call(layer, params, (x,))
    np.testing.assert_allclose(
        out.detach().numpy(),
        (params["weight"].matmul(x) + params["bias"]).numpy(),
        rtol=1e-12,
    )
