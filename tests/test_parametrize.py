"""``nn.utils.parametrize`` and ``nn.utils.parametrizations`` against PyTorch: the module
layout (class, ``parametrizations``, ``state_dict`` keys), values and gradients with
copied weights, assignment through ``right_inverse``, caching, removal and errors."""

from __future__ import annotations

import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

P_RG, P_TORCH = rg.nn.utils.parametrize, torch.nn.utils.parametrize


def _close(got, want, tol=1e-5):
    g, w = got.detach().tolist(), want.detach().tolist()
    rg.testing.assert_close(rg.tensor(g), rg.tensor(w), rtol=tol, atol=tol)


def _copy(mine, theirs):
    """Give ``mine`` the values of ``theirs``'s parameters and buffers (same names)."""
    with rg.no_grad():
        for name, value in theirs.state_dict().items():
            target = mine.state_dict()[name]
            target.copy_(rg.tensor(value.tolist(), dtype=target.dtype))


def _modules(lib, kind):
    lib.manual_seed(0)
    if kind == "linear":
        return lib.nn.Linear(4, 3)
    if kind == "conv":
        return lib.nn.Conv2d(2, 3, 3)
    return lib.nn.ConvTranspose2d(2, 3, 3)


def _input(lib, kind):
    return lib.tensor(_INPUTS[kind])


_INPUTS = {
    "linear": [[0.5, -1.0, 2.0, 0.25], [1.5, 0.3, -0.7, 1.0]],
    "conv": [[[[0.1 * (i - j) + 0.05 * c for j in range(5)] for i in range(5)] for c in range(2)]],
    "convt": [[[[0.1 * (i + j) - 0.05 * c for j in range(4)] for i in range(4)] for c in range(2)]],
}


def _pair(kind):
    theirs = _modules(torch, kind)
    mine = _modules(rg, kind)
    _copy(mine, theirs)
    return mine, theirs


def _step(module, lib, kind):
    """One forward and backward; the gradients of every parameter, by name."""
    module.zero_grad()
    out = module(_input(lib, kind))
    (out * out).sum().backward()
    return out, {n: p.grad for n, p in module.named_parameters()}


class Symmetric:
    """``X.triu() + X.triu(1).T`` in either library (a parametrization class per library)."""

    @staticmethod
    def make(lib):
        class _Symmetric(lib.nn.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(-1, -2)

            def right_inverse(self, a):
                return a.triu()

        return _Symmetric()


class Scale:
    @staticmethod
    def make(lib, factor=2.0):
        class _Scale(lib.nn.Module):
            def forward(self, x):
                return x * factor

            def right_inverse(self, x):
                return x / factor

        return _Scale()


class Split:
    """A parametrization in terms of two tensors: ``right_inverse`` returns a pair."""

    @staticmethod
    def make(lib):
        class _Split(lib.nn.Module):
            def forward(self, a, b):
                return a + b

            def right_inverse(self, x):
                return x * 0.25, x * 0.75

        return _Split()


def _square_pair():
    theirs = torch.nn.Linear(3, 3)
    mine = rg.nn.Linear(3, 3)
    _copy(mine, theirs)
    return mine, theirs


def _layout(module):
    names = [n for n, _ in module.named_parameters()]
    return (type(module).__name__, sorted(module.state_dict()), names, repr(module))


# -- parametrize ----------------------------------------------------------------------------
@pytest.mark.parametrize("maker", [Symmetric, Split])
def test_register_parametrization_matches_pytorch(maker):
    mine, theirs = _square_pair()
    P_RG.register_parametrization(mine, "weight", maker.make(rg))
    P_TORCH.register_parametrization(theirs, "weight", maker.make(torch))
    assert _layout(mine) == _layout(theirs)
    _close(mine.weight, theirs.weight)
    x = [[1.0, -2.0, 0.5], [0.3, 0.2, -0.1]]
    rg_out, torch_out = mine(rg.tensor(x)), theirs(torch.tensor(x))
    rg_out.pow(2).sum().backward()
    torch_out.pow(2).sum().backward()
    _close(rg_out, torch_out)
    for (n, p), (n2, q) in zip(mine.named_parameters(), theirs.named_parameters()):
        assert n == n2
        _close(p.grad, q.grad)
    assert P_RG.is_parametrized(mine) and P_RG.is_parametrized(mine, "weight")
    assert not P_RG.is_parametrized(mine, "bias")
    assert P_RG.type_before_parametrizations(mine) is rg.nn.Linear
    assert type(rg.nn.Linear(2, 2)) is rg.nn.Linear  # other instances keep their class


def test_chained_parametrizations_and_assignment_match_pytorch():
    mine, theirs = _square_pair()
    for module, lib in ((mine, rg), (theirs, torch)):
        lib.nn.utils.parametrize.register_parametrization(module, "weight", Symmetric.make(lib))
        lib.nn.utils.parametrize.register_parametrization(module, "weight", Scale.make(lib))
    assert _layout(mine) == _layout(theirs)
    _close(mine.weight, theirs.weight)
    value = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    mine.weight = rg.tensor(value)
    theirs.weight = torch.tensor(value)
    _close(mine.parametrizations.weight.original, theirs.parametrizations.weight.original)
    _close(mine.weight, theirs.weight)


def test_cached_computes_once_inside_the_context():
    mine, _ = _square_pair()
    P_RG.register_parametrization(mine, "weight", Symmetric.make(rg))
    assert mine.weight is not mine.weight
    with P_RG.cached():
        first = mine.weight
        with P_RG.cached():
            assert mine.weight is first
        assert mine.weight is first
    assert mine.weight is not first


@pytest.mark.parametrize("leave", [True, False])
@pytest.mark.parametrize("maker", [Symmetric, Split])
def test_remove_parametrizations_matches_pytorch(maker, leave):
    mine, theirs = _square_pair()
    outcomes = []
    for module, lib in ((mine, rg), (theirs, torch)):
        p = lib.nn.utils.parametrize
        p.register_parametrization(module, "weight", maker.make(lib))
        try:
            p.remove_parametrizations(module, "weight", leave_parametrized=leave)
        except ValueError as exc:
            outcomes.append(("ValueError", str(exc)))
            continue
        outcomes.append((*_layout(module)[:3], type(module.weight).__name__,
                         module.weight.requires_grad, p.is_parametrized(module)))  # fmt: skip
    assert outcomes[0] == outcomes[1]
    if not isinstance(outcomes[0][0], str) or outcomes[0][0] != "ValueError":
        _close(mine.weight, theirs.weight)


def test_parametrizing_a_buffer_matches_pytorch():
    mine, theirs = rg.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    P_RG.register_parametrization(mine, "running_var", Scale.make(rg, 3.0))
    P_TORCH.register_parametrization(theirs, "running_var", Scale.make(torch, 3.0))
    assert _layout(mine) == _layout(theirs)
    _close(mine.running_var, theirs.running_var)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.utils.parametrize.register_parametrization(
            lib.nn.Linear(2, 2), "nothing", Scale.make(lib)),
        lambda lib: lib.nn.utils.parametrize.remove_parametrizations(lib.nn.Linear(2, 2), "weight"),
    ],
)  # fmt: skip
def test_errors_match_pytorch(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(Exception) as got:
        call(rg)
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value).replace("torch.", "retrograd.")


def test_assigning_through_a_parametrization_without_right_inverse_raises_like_pytorch():
    def run(lib):
        class Double(lib.nn.Module):
            def forward(self, x):
                return x * 2

        module = lib.nn.Linear(2, 2)
        lib.nn.utils.parametrize.register_parametrization(module, "weight", Double())
        with pytest.raises(RuntimeError) as info:
            module.weight = lib.ones(2, 2)
        return str(info.value)

    assert run(rg) == run(torch)


def test_a_shape_changing_parametrization_needs_unsafe_like_pytorch():
    def run(lib):
        class Flat(lib.nn.Module):
            def forward(self, x):
                return x.reshape(-1)

        module = lib.nn.Linear(2, 2)
        with pytest.raises(ValueError) as info:
            lib.nn.utils.parametrize.register_parametrization(module, "weight", Flat())
        lib.nn.utils.parametrize.register_parametrization(module, "weight", Flat(), unsafe=True)
        return str(info.value).split("\n")[0], tuple(module.weight.shape)

    assert run(rg) == run(torch)


# -- weight_norm and spectral_norm ----------------------------------------------------------------
@pytest.mark.parametrize("kind", ["linear", "conv", "convt"])
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_matches_pytorch(kind, dim):
    mine, theirs = _pair(kind)
    rg.nn.utils.parametrizations.weight_norm(mine, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(theirs, dim=dim)
    assert _layout(mine) == _layout(theirs)
    for name in ("original0", "original1"):
        _close(getattr(mine.parametrizations.weight, name),
               getattr(theirs.parametrizations.weight, name))  # fmt: skip
    got, got_grads = _step(mine, rg, kind)
    want, want_grads = _step(theirs, torch, kind)
    _close(got, want)
    assert list(got_grads) == list(want_grads)
    for name in got_grads:
        _close(got_grads[name], want_grads[name], tol=1e-4)


@pytest.mark.parametrize("kind", ["linear", "conv", "convt"])
@pytest.mark.parametrize("iterations", [1, 3])
def test_spectral_norm_matches_pytorch(kind, iterations):
    mine, theirs = _pair(kind)
    rg.manual_seed(1)
    torch.manual_seed(1)
    rg.nn.utils.parametrizations.spectral_norm(mine, n_power_iterations=iterations)
    torch.nn.utils.parametrizations.spectral_norm(theirs, n_power_iterations=iterations)
    assert _layout(mine) == _layout(theirs)
    for _ in range(2):  # training: each forward refines u and v
        got, got_grads = _step(mine, rg, kind)
        want, want_grads = _step(theirs, torch, kind)
        _close(got, want, tol=1e-4)
        for name in got_grads:
            _close(got_grads[name], want_grads[name], tol=1e-4)
    for buffer in ("_u", "_v"):
        _close(getattr(mine.parametrizations.weight[0], buffer),
               getattr(theirs.parametrizations.weight[0], buffer), tol=1e-4)  # fmt: skip
    mine.eval()
    theirs.eval()
    _close(mine.weight, theirs.weight, tol=1e-4)


def test_spectral_norm_of_a_vector_normalizes_it_like_pytorch():
    mine, theirs = _pair("linear")
    rg.nn.utils.parametrizations.spectral_norm(mine, name="bias")
    torch.nn.utils.parametrizations.spectral_norm(theirs, name="bias")
    _close(mine.bias, theirs.bias)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), "nothing"),
        lambda lib: lib.nn.utils.parametrizations.spectral_norm(
            lib.nn.Linear(2, 2), n_power_iterations=0),
        lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), dim=2),
    ],
)  # fmt: skip
def test_spectral_norm_errors_match_pytorch(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(Exception) as got:
        call(rg)
    assert type(got.value) is type(want.value)
    assert str(got.value).split("\n")[0] == str(want.value).split("\n")[0]
