"""PyTorch's exceptions for misuse, not the array library's or Python's: a table of
calls run on retrograd and on PyTorch, compared by exception type and the leading text
of the message (PyTorch's words come first; a retrograd hint may follow)."""

import warnings

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
}


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
