"""PyTorch's exceptions for misuse, not the array library's or Python's: a table of
calls run on retrograd and on PyTorch, compared by exception type and the leading text
of the message (PyTorch's words come first; a retrograd hint may follow)."""

import warnings

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")


def _outcome(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning is an outcome too (softmax without dim)
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 - the outcome is what is compared
            return type(e).__name__, str(e).split("\n")[0]
    if hasattr(r, "tolist") and hasattr(r, "dtype"):
        return "result", str(r.dtype).split(".")[-1], r.tolist()
    return "result", r


def _grad(L, inputs):
    x = L.ones(3, requires_grad=True)
    return L.autograd.grad((x * 2).sum(), inputs)


def _backward_through_hook(L, hook):
    x = L.ones(2, requires_grad=True)
    x.register_hook(hook)
    (x * 2).sum().backward()
    return x.grad


CASES = {
    # library errors that leaked through
    "masked_fill shapes": lambda L: L.ones(2, 3).masked_fill(L.ones(4, dtype=L.bool), 0.0),
    "masked_fill_ shapes": lambda L: L.ones(2, 3).masked_fill_(L.ones(4, dtype=L.bool), 0.0),
    "clamp(min=tensor) shapes": lambda L: L.ones(2, 3).clamp(min=L.ones(4)),
    "clamp(max=tensor) shapes": lambda L: L.ones(2, 3).clamp(max=L.ones(4)),
    "clamp_ shapes": lambda L: L.ones(2, 3).clamp_(min=L.ones(4)),
    "copy_ shapes": lambda L: L.ones(2, 3).copy_(L.ones(4)),
    "copy_ larger source": lambda L: L.ones(3).copy_(L.ones(2, 3)),
    "lerp shapes": lambda L: L.ones(2, 3).lerp(L.ones(4), 0.5),
    "lerp weight shapes": lambda L: L.ones(3).lerp(L.ones(3), L.ones(4)),
    "lerp_ shapes": lambda L: L.ones(2, 3).lerp_(L.ones(4), 0.5),
    "randn(-1)": lambda L: L.randn(-1),
    "rand(2, -1)": lambda L: L.rand(2, -1),
    "size overflow": lambda L: L.empty(2**40, 2**30),
    "allocation too large": lambda L: L.empty(2**40),
    "tensor([2**63])": lambda L: L.tensor([2**63]),
    "tensor([-2**63 - 1])": lambda L: L.tensor([-(2**63) - 1]),
    "tensor([2**63 - 1])": lambda L: L.tensor([2**63 - 1]),
    "float() of many": lambda L: float(L.ones(2)),
    "int() of many": lambda L: int(L.ones(2)),
    "float() of none": lambda L: float(L.ones(0)),
    "bool() of empty": lambda L: bool(L.ones(0)),
    "bool() of many": lambda L: bool(L.ones(2)),
    "item() of many": lambda L: L.ones(2).item(),
    # bad arguments accepted silently before
    "ones(requires_grad='yes')": lambda L: L.ones(2, requires_grad="yes"),
    "tensor(requires_grad='yes')": lambda L: L.tensor([1.0], requires_grad="yes"),
    "requires_grad_('yes')": lambda L: L.ones(2).requires_grad_("yes"),
    "ones(dtype='float32')": lambda L: L.ones(2, dtype="float32"),
    "zeros(dtype='float32')": lambda L: L.zeros(2, dtype="float32"),
    "tensor(dtype='float32')": lambda L: L.tensor([1.0], dtype="float32"),
    "ones(dtype=float)": lambda L: L.ones(1, dtype=L.float64),
    # Python's types and values as dtypes: float is float64 whatever the default dtype
    "ones(dtype=Python float)": lambda L: L.ones(1, dtype=float),
    "to(Python float)": lambda L: L.tensor([1, 2]).to(float),
    "to(1.5)": lambda L: L.tensor([1, 2]).to(1.5),
    "to(True)": lambda L: L.tensor([1.0, 0.0]).to(True),
    "to(float64, True)": lambda L: L.tensor([1, 2]).to(L.float64, True),
    # hooks are not checked when registered; a non-callable one fails when called
    "register_hook(str) then backward": lambda L: _backward_through_hook(L, "abc"),
    "grad(y, [])": lambda L: _grad(L, []),
    "grad(y, None)": lambda L: _grad(L, None),
    "softmax without dim": lambda L: L.nn.functional.softmax(L.ones(2, 3)),
    "'a' in t": lambda L: "a" in L.ones(2),
    "None in t": lambda L: None in L.ones(2),
    "2 in t": lambda L: 2 in L.tensor([1, 2]),
    "tensor in t": lambda L: L.tensor(1.0) in L.ones(2),
    "int ** negative int tensor": lambda L: L.tensor([2, 1, -1, 0, -2]) ** L.tensor([-1]),
    "int ** mixed int tensor": lambda L: L.tensor([2, -1, 3]) ** L.tensor([-3, -3, 2]),
    "int8 ** negative int8": lambda L: (
        L.tensor([2, -1], dtype=L.int8) ** L.tensor([-1, -1], dtype=L.int8)
    ),
    "int ** 0-d negative": lambda L: L.tensor([2, 1]) ** L.tensor(-1),
    "pow(2, negative tensor)": lambda L: L.pow(2, L.tensor([-1, 1])),
    "int ** -1": lambda L: L.tensor([2]) ** -1,
    "pow(int tensor, -1)": lambda L: L.pow(L.tensor([2]), -1),
    # bool ** bool: PyTorch's pow has no bool kernel, but a Python bool exponent is a shortcut
    "pow(bool, bool)": lambda L: L.pow(_bools(L), _bools(L)),
    "pow(True, bool)": lambda L: L.pow(True, _bools(L)),
    "bool.pow_(bool)": lambda L: _bools(L).pow_(_bools(L)),
    "bool ** True": lambda L: _bools(L) ** True,
    "bool ** False": lambda L: _bools(L) ** False,
    "bool ** 2": lambda L: _bools(L) ** 2,
    # logsumexp over an empty dim is log(0)
    "logsumexp(0x3, 0)": lambda L: L.logsumexp(L.ones(0, 3), 0),
    "logsumexp(0x3, (0, 1))": lambda L: L.ones(0, 3).logsumexp((0, 1), keepdim=True),
    "logsumexp(0x3, 1)": lambda L: L.logsumexp(L.ones(0, 3), 1),
    "logsumexp(0x3) grad": lambda L: _grad_of(L, lambda x: x.logsumexp(0), 0, 3),
    # max/min(other, dim): no such overload
    "x.max(y, 0)": lambda L: L.ones(3).max(L.ones(3), 0),
    "x.min(y, keepdim=True)": lambda L: L.ones(3).min(L.ones(3), keepdim=True),
    "max(x, y, 0)": lambda L: L.max(L.ones(3), L.ones(3), 0),
    "x.max(y)": lambda L: L.tensor([1.0, 5.0]).max(L.tensor([2.0, 3.0])),
    # flip's dims: the method takes ints spread out, the function one sequence
    "flip(x, 0)": lambda L: L.flip(L.ones(2, 3), 0),
    "flip(x, dims=0)": lambda L: L.flip(L.ones(2, 3), dims=0),
    "flip(x, 0, 1)": lambda L: L.flip(L.ones(2, 3), 0, 1),
    "flip(x)": lambda L: L.flip(L.ones(2, 3)),
    "flip('a', (0,))": lambda L: L.flip("a", (0,)),
    "x.flip(0)": lambda L: L.arange(6).reshape(2, 3).flip(0),
    "x.flip(0, 1)": lambda L: L.arange(6).reshape(2, 3).flip(0, 1),
    "x.flip(dims=[1])": lambda L: L.arange(6).reshape(2, 3).flip(dims=[1]),
    "x.flip()": lambda L: L.ones(2, 3).flip(),
    "x.flip(1.5)": lambda L: L.ones(2, 3).flip(1.5),
    "x.flip(True)": lambda L: L.ones(2, 3).flip(True),
    "x.flip(0, 1.5)": lambda L: L.ones(2, 3).flip(0, 1.5),
    # repeat's repeats
    "x.repeat()": lambda L: L.ones(2).repeat(),
    "x.repeat(1.5)": lambda L: L.ones(2).repeat(1.5),
    "x.repeat(1, 1.5)": lambda L: L.ones(2).repeat(1, 1.5),
    "x.repeat((1, 2), 1)": lambda L: L.ones(2).repeat((1, 2), 1),
    "x.repeat(repeats=2)": lambda L: L.ones(2).repeat(repeats=2),
    "x.repeat(repeats=(2,))": lambda L: L.arange(2).repeat(repeats=(2,)),
    # torch.Size holds ints
    "Size(['a'])": lambda L: L.Size(["a"]),
    "Size([1.5])": lambda L: L.Size([2, 1.5]),
    "Size(5)": lambda L: L.Size(5),
    "Size([True, np.int64])": lambda L: list(L.Size([True, np.int64(3)])),
    "Size + ('a',)": lambda L: L.Size([1]) + ("a",),
    # atan2 takes tensors only
    "x.atan2(1.5)": lambda L: L.ones(3).atan2(1.5),
    "x.atan2_(1.5) int64": lambda L: L.ones(3, dtype=L.int64).atan2_(1.5),
    "x.arctan2_(1)": lambda L: L.ones(3).arctan2_(1),
    "atan2(1.5, x)": lambda L: L.atan2(1.5, L.ones(3)),
    # clamp_ with Python-number bounds names the C++ type
    "x.clamp_(1.5) int64": lambda L: L.ones(3, dtype=L.int64).clamp_(1.5),
    "x.clamp_max_(1.5) uint8": lambda L: L.ones(3, dtype=L.uint8).clamp_max_(1.5),
    "x.clip_(max=1.5) int8": lambda L: L.ones(3, dtype=L.int8).clip_(max=1.5),
    "x.clamp_(1) bool": lambda L: _bools(L).clamp_(1),
    "x.clamp_(tensor) int64": lambda L: L.ones(3, dtype=L.int64).clamp_(L.ones(3)),
    "clamp(bool, True)": lambda L: L.clamp(_bools(L), True),
    "clamp(bool, max=True)": lambda L: L.clamp(_bools(L), max=True),
    "clamp(bool, bool, bool)": lambda L: L.clamp(_bools(L), L.tensor(True), L.tensor(False)),
    "clamp(bool, bool tensor)": lambda L: L.clamp(_bools(L), L.tensor(True)),
    "bool.clamp_(max=bool tensor)": lambda L: _bools(L).clamp_(max=L.tensor(False)),
    # norm: Tensor.norm is a Python method; a string p goes to matrix_norm
    "x.norm(foo=1)": lambda L: L.ones(3).norm(foo=1),
    "x.norm(1, 2, 3, 4, 5)": lambda L: L.ones(3).norm(1, 2, 3, 4, 5),
    "norm(x, foo=1)": lambda L: L.norm(L.ones(3), foo=1),
    "x.norm(p='a')": lambda L: L.ones(3).norm(p="a"),
    "x.norm(p='a') 2-d": lambda L: L.ones(2, 2).norm(p="a"),
    "x.norm('nuc') 1-d": lambda L: L.ones(3).norm("nuc"),
    "x.norm('fro', dim=(0, 1, 2))": lambda L: L.ones(2, 2, 2).norm("fro", dim=(0, 1, 2)),
    "x.norm(p=[1])": lambda L: L.ones(3).norm(p=[1]),
    # memory formats
    "x.clone(memory_format=1)": lambda L: L.ones(3).clone(memory_format=1),
    "clone(x, memory_format='a')": lambda L: L.clone(L.ones(3), memory_format="a"),
    "x.clone(channels_last) 1-d": lambda L: L.ones(3).clone(memory_format=L.channels_last),
    "x.clone(channels_last_3d) 4-d": lambda L: L.ones(1, 1, 1, 2).clone(
        memory_format=L.channels_last_3d
    ),
    "x.clone(preserve_format)": lambda L: L.ones(2).clone(memory_format=L.preserve_format),
    "x.contiguous(memory_format=None)": lambda L: L.ones(3).contiguous(memory_format=None),
    "x.contiguous(channels_last) 4-d": lambda L: L.ones(1, 1, 1, 2).contiguous(
        memory_format=L.channels_last
    ),
    "memory_format()": lambda L: L.memory_format(),
    "repr(channels_last)": lambda L: repr(L.channels_last),
    # nonzero: PyTorch parses the method with signatures of its own
    "x.nonzero(1)": lambda L: L.ones(3).nonzero(1),
    "x.nonzero(1, 2)": lambda L: L.ones(3).nonzero(1, 2),
    "nonzero(x, True)": lambda L: L.nonzero(L.ones(3), True),
    "x.nonzero(as_tuple=1)": lambda L: L.ones(3).nonzero(as_tuple=1),
    # einsum: sizes checked operand by operand; size 1 broadcasts
    "einsum bad size": lambda L: L.einsum("ij,jk->ik", L.ones(2, 3), L.ones(2, 3)),
    "einsum repeated size": lambda L: L.einsum("ii->i", L.ones(2, 3)),
    "einsum ellipsis size": lambda L: L.einsum("i...j,j...k", L.ones(3, 2, 4), L.ones(4, 5, 1)),
    "einsum size-1 broadcast": lambda L: L.einsum(
        "ij,jk->ik", L.arange(2.0).reshape(2, 1), L.arange(12.0).reshape(3, 4)
    ),
    "einsum size-1 grad": lambda L: _einsum_grads(L),
    # t[key] = value: PyTorch's value check, then the view's copy_, then the leaf check
    "x[0] = 2x3": lambda L: L.ones(3).__setitem__(0, L.ones(2, 3)),
    "x[:2] = 3": lambda L: L.ones(3).__setitem__(slice(0, 2), L.ones(3)),
    "x[:2] = 2x1": lambda L: L.ones(3).__setitem__(slice(0, 2), L.ones(2, 1)),
    "x[:2] = 1x2": lambda L: _set(L.zeros(3), slice(0, 2), L.ones(1, 2)),
    "x[[0, 1]] = 3": lambda L: L.ones(3).__setitem__(L.tensor([0, 1]), L.ones(3)),
    "x[:2] = str": lambda L: L.ones(3).__setitem__(slice(0, 2), "a"),
    "x[0] = None": lambda L: L.ones(3, dtype=L.int64).__setitem__(0, None),
    "x[:2] = list": lambda L: L.ones(3).__setitem__(slice(0, 2), [1.0, 2.0]),
    "x[0] = ndarray": lambda L: L.ones(3).__setitem__(0, np.array(2.0)),
    "x[0] = float32": lambda L: L.ones(3).__setitem__(0, np.float32(2.0)),
    "x[0] = int64": lambda L: _set(L.zeros(3), 0, np.int64(2)),
    "x[0] = float64": lambda L: _set(L.zeros(3), 0, np.float64(2.0)),
    "x[0, 0] = 1": lambda L: L.ones(3).__setitem__((0, 0), 1.0),
    "0-d[0] = 1": lambda L: L.tensor(1.0).__setitem__(0, 1.0),
    "leaf[0] = 1": lambda L: _leaf(L).__setitem__(0, 1.0),
    "leaf[None] = 1": lambda L: _leaf(L).__setitem__(None, 1.0),
    "leaf[:] = 1": lambda L: _leaf(L).__setitem__(slice(None), 1.0),
    "leaf[...] = 1": lambda L: _leaf(L).__setitem__(Ellipsis, 1.0),
    "leaf[[0]] = 1": lambda L: _leaf(L).__setitem__(L.tensor([0]), 1.0),
    "leaf[0] = 2x3": lambda L: _leaf(L).__setitem__(0, L.ones(2, 3)),
    "leaf[0] = str": lambda L: _leaf(L).__setitem__(0, "a"),
    "leaf[5] = 1": lambda L: _leaf(L).__setitem__(5, 1.0),
}


def _bools(L):
    return L.tensor([True, False, True])


def _leaf(L):
    return L.ones(3, requires_grad=True)


def _set(t, key, value):
    t[key] = value
    return t


def _grad_of(L, f, *shape):
    x = L.ones(*shape, requires_grad=True)
    f(x).sum().backward()
    return x.grad


def _einsum_grads(L):
    a = L.arange(2.0).reshape(2, 1).requires_grad_()
    b = L.arange(12.0).reshape(3, 4).requires_grad_()
    L.einsum("ij,jk->ik", a, b).sum().backward()
    return L.cat([a.grad.reshape(-1), b.grad.reshape(-1)])


@pytest.mark.parametrize("case", list(CASES))
def test_misuse_as_torch(case):
    mine = _outcome(lambda: CASES[case](retrograd))
    theirs = _outcome(lambda: CASES[case](torch))
    if mine[0] == "result" or theirs[0] == "result":
        assert mine == theirs
    else:  # the type, and PyTorch's message leads ours
        assert mine[0] == theirs[0]
        assert mine[1].startswith(theirs[1]), (mine, theirs)


INPLACE_FAILURES = {
    "masked_fill_": lambda t: t.masked_fill_(retrograd.ones(4, dtype=retrograd.bool), 0.0),
    "clamp_": lambda t: t.clamp_(min=retrograd.ones(4)),
    "copy_": lambda t: t.copy_(retrograd.ones(4)),
    "copy_ larger": lambda t: t.copy_(retrograd.ones(5, 2, 3)),
    "lerp_": lambda t: t.lerp_(retrograd.ones(4), 0.5),
    "requires_grad_": lambda t: t.requires_grad_("yes"),
}


@pytest.mark.parametrize("case", list(INPLACE_FAILURES))
def test_a_failed_call_changes_nothing(case):
    t = retrograd.arange(6.0).reshape(2, 3).clone()
    t.grad = retrograd.full((2, 3), 7.0)
    before = (t.tolist(), t._version, t.grad.tolist(), t.requires_grad)
    with pytest.raises((RuntimeError, TypeError)):
        INPLACE_FAILURES[case](t)
    assert (t.tolist(), t._version, t.grad.tolist(), t.requires_grad) == before
