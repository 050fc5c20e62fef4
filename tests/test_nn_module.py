"""nn.Module semantics against PyTorch: registration order and names, traversal, modes,
hooks, state_dict/load_state_dict (keys, error text, nothing loaded on error), reprs."""

from __future__ import annotations

from collections import OrderedDict

import pytest
import retrograd as rg
from retrograd import nn

torch = pytest.importorskip("torch")


def _pair(build):
    """The same construction in retrograd and in PyTorch."""
    return build(rg.nn), build(torch.nn)


class Net:
    """A module tree with shared and None members, built the same way in both."""

    @staticmethod
    def build(lib):
        class Block(lib.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.Linear(3, 3)
                self.register_buffer("count", lib_tensor(lib, [0.0]))
                self.register_buffer("scratch", lib_tensor(lib, [1.0]), persistent=False)
                self.register_parameter("missing", None)

            def forward(self, x):
                return self.fc(x)

        class Top(lib.Module):
            def __init__(self):
                super().__init__()
                self.a = Block()
                self.b = lib.Sequential(lib.Linear(3, 4), lib.ReLU(), lib.Linear(4, 2))
                self.shared = self.a.fc  # the same module twice
                self.empty = None
                self.scale = lib.Parameter(lib_tensor(lib, [2.0]))

            def forward(self, x):
                return self.b(self.a(x)) * self.scale

        return Top()


def lib_tensor(lib, data):
    return (rg if lib is rg.nn else torch).tensor(data)


@pytest.fixture
def nets():
    return _pair(Net.build)


def test_traversal_names_and_order(nets):
    mine, theirs = nets
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in mine.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in mine.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in mine.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert mine.state_dict()._metadata == theirs.state_dict()._metadata
    unshared = [n for n, _ in theirs.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in mine.named_parameters(remove_duplicate=False)] == unshared
    assert len(list(mine.parameters(recurse=False))) == 1


def test_repr_of_a_tree(nets):
    mine, theirs = nets
    assert repr(mine) == repr(theirs)


def test_train_eval_and_requires_grad(nets):
    mine, _ = nets
    assert mine.training and mine.b[1].training
    assert mine.eval() is mine
    assert not any(m.training for m in mine.modules())
    mine.train()
    assert all(m.training for m in mine.modules())
    mine.requires_grad_(False)
    assert not any(p.requires_grad for p in mine.parameters())


def test_zero_grad_to_none_and_to_zeros():
    lin = nn.Linear(2, 2)
    lin(rg.ones(1, 2)).sum().backward()
    lin.zero_grad(set_to_none=False)
    assert lin.weight.grad.abs().sum().item() == 0
    lin.zero_grad()
    assert lin.weight.grad is None and lin.bias.grad is None


def test_setattr_errors_match_pytorch():
    for lib in (nn, torch.nn):
        m = lib.Linear(2, 2)
        value = (rg if lib is nn else torch).ones(2, 2)
        with pytest.raises(TypeError) as err:
            m.weight = value
        if lib is nn:
            mine = str(err.value)
        else:
            assert mine == str(err.value)


def test_delattr_and_getattr():
    m = nn.Linear(2, 2)
    del m.bias
    assert "bias" not in dict(m.named_parameters())
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'bias'"):
        m.bias  # noqa: B018


def _load_error(lib, module, state, **kw):
    with pytest.raises(RuntimeError) as err:
        module.load_state_dict(state, **kw)
    return str(err.value)


def test_load_state_dict_errors_match_pytorch_and_load_nothing():
    mine, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    before = mine.weight.detach().clone()
    bad_mine = {"weight": rg.ones(2, 3), "extra": rg.ones(1), "bias": rg.ones(5)}
    bad_theirs = {"weight": torch.ones(2, 3), "extra": torch.ones(1), "bias": torch.ones(5)}
    assert _load_error(nn, mine, bad_mine) == _load_error(torch.nn, theirs, bad_theirs)
    assert mine.weight.tolist() == before.tolist()  # nothing copied
    missing = _load_error(nn, mine, {"weight": rg.ones(2, 3)})
    assert missing == _load_error(torch.nn, theirs, {"weight": torch.ones(2, 3)})
    assert missing.startswith(
        'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias".'
    )


def test_load_state_dict_non_strict_reports_keys():
    mine, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    got = mine.load_state_dict({"weight": rg.ones(2, 3), "x.y": rg.ones(1)}, strict=False)
    want = theirs.load_state_dict({"weight": torch.ones(2, 3), "x.y": torch.ones(1)}, strict=False)
    assert (got.missing_keys, got.unexpected_keys) == (want.missing_keys, want.unexpected_keys)
    assert mine.weight.sum().item() == 6.0
    assert repr(mine.load_state_dict(mine.state_dict())) == "<All keys matched successfully>"


def test_state_dict_round_trip_from_torch():
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    mine = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    mine.load_state_dict({k: rg.tensor(v.tolist()) for k, v in theirs.state_dict().items()})
    for (k, a), (k2, b) in zip(mine.state_dict().items(), theirs.state_dict().items()):
        assert k == k2 and a.tolist() == b.tolist()


def test_forward_hooks_and_handles():
    m = nn.Linear(2, 2)
    calls = []
    pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    post = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = m(rg.ones(1, 2))
    assert calls == [rg.Size([1, 2])]
    assert (out - (m.bias + 1)).abs().max().item() < 1e-6
    pre.remove()
    post.remove()
    assert (m(rg.zeros(1, 2)) - m.bias).abs().max().item() < 1e-6
    first = m.register_forward_pre_hook(lambda mod, args: calls.append("second"))
    m.register_forward_pre_hook(lambda mod, args: calls.append("first"), prepend=True)
    m(rg.ones(1, 2))
    assert calls[-2:] == ["first", "second"]
    first.remove()


def test_apply_visits_children_first():
    seq = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    names = []
    seq.apply(lambda m: names.append(type(m).__name__))
    assert names == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_parameter_repr_matches_pytorch():
    assert repr(nn.Parameter(rg.ones(2, 3))) == repr(torch.nn.Parameter(torch.ones(2, 3)))
    p = nn.Parameter(rg.ones(2), requires_grad=False)
    assert not p.requires_grad and isinstance(p, rg.Tensor)


def test_to_dtype_keeps_parameter_identity():
    m = nn.Linear(2, 2)
    w = m.weight
    m.to(rg.float64)
    assert m.weight is w and w.dtype is rg.float64 and isinstance(w, nn.Parameter)


def test_sequential_indexing_slicing_append():
    mine = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Tanh())
    assert repr(mine[1:]) == repr(theirs[1:])
    assert type(mine[-1]) is nn.Tanh and len(mine) == 3
    mine.append(nn.Sigmoid())
    theirs.append(torch.nn.Sigmoid())
    del mine[0]
    del theirs[0]
    assert repr(mine) == repr(theirs)
    with pytest.raises(IndexError, match="index 9 is out of range"):
        mine[9]


def test_module_list_and_dict():
    mine = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU()])
    theirs = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    assert repr(mine) == repr(theirs)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    md = nn.ModuleDict(OrderedDict(act=nn.ReLU(), lin=nn.Linear(1, 1)))
    td = torch.nn.ModuleDict(OrderedDict(act=torch.nn.ReLU(), lin=torch.nn.Linear(1, 1)))
    assert repr(md) == repr(td) and list(md) == list(td) and "act" in md


def test_layer_wrong_input_size_names_both_shapes():
    with pytest.raises(RuntimeError) as mine:
        nn.Linear(3, 2)(rg.ones(4, 5))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(3, 2)(torch.ones(4, 5))
    assert str(mine.value).startswith(str(theirs.value))


def test_always_call_hook_runs_when_forward_raises():
    m = nn.Linear(2, 2)
    seen = []
    m.register_forward_hook(lambda mod, args, out: seen.append(out), always_call=True)
    m.register_forward_hook(lambda mod, args, out: seen.append("plain"))
    with pytest.raises(RuntimeError):
        m(rg.ones(1, 3))
    assert seen == [None]


def test_nn_namespace_star_imports():
    import subprocess
    import sys

    code = (
        "import retrograd\n"
        "from retrograd.nn import *\n"
        "print(Linear.__name__, Conv2d.__name__, functional.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Linear", "Conv2d", "retrograd.nn.functional"]


def test_parameter_list_and_dict_match_pytorch():
    for lib in (rg, torch):
        values = [lib.nn.Parameter(lib.ones(2, 3)), lib.ones(3, dtype=lib.float64)]
        pl, pd = (
            lib.nn.ParameterList(values),
            lib.nn.ParameterDict({"a": values[0], "b": values[1]}),
        )
        pl.append(lib.nn.Parameter(lib.zeros(1)))
        got = (repr(pl), repr(pd), repr(lib.nn.ParameterList()), list(pl.state_dict()),
               list(pd.state_dict()), len(pl), type(pl[1]).__name__, "a" in pd)  # fmt: skip
        if lib is rg:
            mine = got
    assert mine == got
