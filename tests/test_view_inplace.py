"""In-place writes through views of tensors in a graph rebase the base's history
(CopySlices), as in PyTorch: values, gradients and node names against the torch oracle."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")


def _add_through_slice(m, x):
    y = x * 2
    y[1:3].mul_(3)
    return (y * y).sum(), y


def _augmented_assignment_on_select(m, x):
    y = x.sin()  # sin saves its input, not its result: y may be written
    y[0] += 1
    return (y * x).sum(), y


def _through_view_of_view(m, x):
    y = x * 1.5
    v = y.view(2, 2)
    v[1].add_(x[:2] * 5)
    return (y.t() if y.dim() == 2 else y).pow(2).sum(), y


def _value_requires_grad_base_does_not(m, x):
    y = m.zeros(4)
    y[1:3].copy_(x[:2] * 2)
    y.t()[0].sub_(x[3])
    return (y * y).sum(), y


def _setitem_on_a_view(m, x):
    y = (x * 3).reshape(2, 2)
    y[0][1] = x[0] * x[1]
    return (y * y).sum(), y


def _transposed_view(m, x):
    y = (x * 2).reshape(2, 2)
    y.t().mul_(x.reshape(2, 2))
    return y.sum(), y


CASES = [
    _add_through_slice,
    _augmented_assignment_on_select,
    _through_view_of_view,
    _value_requires_grad_base_does_not,
    _setitem_on_a_view,
    _transposed_view,
]


def _run(m, case):
    x = m.tensor([0.5, -1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)
    loss, y = case(m, x)
    (grad,) = m.autograd.grad(loss, x, create_graph=True)
    (second,) = m.autograd.grad(grad.sum(), x)
    return y, grad, second


@pytest.mark.parametrize("case", CASES, ids=[c.__name__.strip("_") for c in CASES])
def test_matches_pytorch(case):
    ours, theirs = _run(retrograd, case), _run(torch, case)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.detach().tolist(), b.detach().tolist(), rtol=1e-12)
    if theirs[0]._base is None:  # PyTorch names regenerated views AsStridedBackward0
        assert type(ours[0].grad_fn).__name__ == type(theirs[0].grad_fn).__name__


def test_base_and_view_see_the_write_and_one_version_bump():
    x = retrograd.ones(4, requires_grad=True)
    y = x * 1
    v = y[1:3]
    before = y._version
    v.mul_(5)
    assert y.tolist() == [1.0, 5.0, 5.0, 1.0]
    assert y._version == v._version == before + 1
    assert type(v.grad_fn).__name__ == "SliceBackward0"
    assert type(v.grad_fn.next_functions[0][0]).__name__ == "CopySlices"


def test_a_view_sees_an_in_place_write_to_its_base():
    """The view's history is re-derived after the base changes (was silently stale)."""
    grads = []
    for m in (retrograd, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        v = y[1:]
        y.mul_(3)
        v.sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [0.0, 6.0, 6.0]


def test_view_of_leaf_requiring_grad_is_still_refused():
    x = retrograd.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x[1:].mul_(2)
