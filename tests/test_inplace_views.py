"""In-place view ops (``t_``, ``transpose_``, ``squeeze_``, ``unsqueeze_``) against PyTorch:
the tensor itself changes shape, its version is bumped, its history is rebased onto the
in-place node, aliases made before keep their shape, and a refused call changes nothing."""

from __future__ import annotations

import pytest
import retrograd

torch = pytest.importorskip("torch")

CALLS = {
    "t_": lambda x: x.t_(),
    "transpose_": lambda x: x.transpose_(0, -1),
    "swapaxes_": lambda x: x.swapaxes_(0, 1),
    "squeeze_()": lambda x: x.squeeze_(),
    "squeeze_(0)": lambda x: x.squeeze_(0),
    "squeeze_((0,))": lambda x: x.squeeze_((0,)),
    "unsqueeze_": lambda x: x.unsqueeze_(1),
}


def _run(L, name):
    leaf = L.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    x = leaf * L.tensor([[1.0, 2.0, 3.0]])
    alias = x.detach()
    before = x._version
    out = CALLS[name](x)
    weights = L.arange(float(x.numel())).reshape(x.shape)
    (x * weights).sum().backward()
    return (out is x, tuple(x.shape), tuple(alias.shape), x._version - before,
            x.grad_fn.name(), leaf.grad.tolist())  # fmt: skip


@pytest.mark.parametrize("name", CALLS)
def test_in_place_view_op_as_torch(name):
    assert _run(retrograd, name) == _run(torch, name)


def test_writes_reach_the_shared_memory_after_a_transpose_():
    x = retrograd.zeros(2, 3)
    alias = x.detach()
    x.t_()
    x[0, 1] = 5.0
    assert alias.tolist() == [[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]]


def test_a_view_stays_a_view_of_its_base():
    def run(L):
        leaf = L.ones(2, 3, requires_grad=True)
        base = leaf.clone()
        row = base[0:1]
        row.squeeze_(0)
        row.mul_(2)
        base.sum().backward()
        return tuple(row.shape), base.tolist(), leaf.grad.tolist()

    assert run(retrograd) == run(torch)


@pytest.mark.parametrize(
    "call",
    [lambda x: x.t_(), lambda x: x.unsqueeze_(0), lambda x: x[0:1].squeeze_(0)],
    ids=["leaf", "leaf unsqueeze_", "view of a leaf"],
)
def test_a_leaf_that_requires_grad_refuses_and_is_unchanged(call):
    messages = []
    for L in (retrograd, torch):
        x = L.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            call(x)
        assert (tuple(x.shape), x._version) == ((2, 3), 0)
        messages.append(str(info.value))
    assert messages[0].startswith(messages[1])
