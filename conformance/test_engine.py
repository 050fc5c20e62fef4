"""The autograd engine's semantics, on the backend under test (PyTorch's behaviour).

Every tensor is created on the backend under test (the ``on`` fixture makes it the
default inside each test); results and gradients are checked to stay there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import retrograd
from retrograd_conformance.plugin import require_plugin

require_plugin()
pytestmark = pytest.mark.usefixtures("on")


@pytest.fixture
def on(backend: str) -> Iterator[str]:
    """Make ``backend`` the default backend within the test."""
    with retrograd.use_backend(backend):
        yield backend


def leaf(values: list, backend: str, dtype=retrograd.float32) -> retrograd.Tensor:
    t = retrograd.tensor(values, dtype=dtype, requires_grad=True)
    assert t.backend.name == backend, f"factory made a tensor on '{t.backend.name}'"
    return t


def test_gradients_accumulate_across_backward_calls(backend: str) -> None:
    x = leaf([1.0, 2.0, 3.0], backend)
    (x * 2).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 6.0, 8.0]
    assert x.grad.backend.name == backend and x.grad.dtype is x.dtype


def test_retain_graph_allows_a_second_backward(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_a_freed_graph_refuses_a_second_backward(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_non_scalar_backward_takes_a_gradient(backend: str) -> None:
    x = leaf([1.0, 2.0, 3.0], backend)
    y = x * 3
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        y.backward()
    y.backward(gradient=retrograd.tensor([1.0, 0.1, 0.01]))
    assert x.grad.tolist() == pytest.approx([3.0, 0.3, 0.03])


def test_no_grad_and_enable_grad(backend: str) -> None:
    x = leaf([1.0], backend)
    with retrograd.no_grad():
        y = x * 2
        with retrograd.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn.name() == "MulBackward0"
    with retrograd.set_grad_enabled(False):
        assert not retrograd.is_grad_enabled() and not (x + 1).requires_grad
    assert retrograd.is_grad_enabled()

    @retrograd.no_grad()
    def doubled(t):
        return t * 2

    assert not doubled(x).requires_grad


def test_detach_shares_storage_and_version_counter(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    d = x.detach()
    d.add_(1)
    assert not d.requires_grad and d.grad_fn is None
    assert x._version == d._version == 1
    assert x.tolist() == [2.0, 3.0]
    x.detach().zero_()
    assert x.tolist() == [0.0, 0.0] and d.tolist() == [0.0, 0.0]


def test_data_shares_storage_but_not_the_version_counter(backend: str) -> None:
    # PyTorch: writes through ``.data`` are seen by the tensor but hidden from autograd.
    x = leaf([1.0, 2.0], backend)
    y = x.sin()  # saves x
    data = x.data
    data.mul_(2)
    assert x.tolist() == [2.0, 4.0] and x._version == 0 and not data.requires_grad
    y.sum().backward()  # no version error: the write went around autograd
    assert x.grad.tolist() == pytest.approx([-0.4161468, -0.6536436], rel=1e-5)


def test_tensor_and_node_hooks(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    seen = []
    handle = x.register_hook(lambda g: g * 10)
    y = x * 3
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append("node"))
    y.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0] and seen == [[1.0, 1.0], "node"]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_retain_grad_keeps_a_non_leaf_gradient(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    assert y.retains_grad and y.grad.tolist() == [4.0, 8.0]
    assert x.grad.tolist() == [8.0, 16.0]


def test_in_place_change_of_a_saved_tensor_is_detected(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    a = x * 1
    y = a.sin()  # saves a
    a.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad_is_refused(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with retrograd.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 3.0]


class Cube(retrograd.autograd.Function):
    """A custom Function: ``x ** 3`` with a hand-written backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_custom_function(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward" and y.backend.name == backend
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_grad_with_create_graph_gives_second_derivatives(backend: str) -> None:
    x = leaf([2.0], backend, retrograd.float64)
    (dy,) = retrograd.autograd.grad((x**3).sum(), x, create_graph=True)
    assert dy.tolist() == [12.0] and dy.requires_grad
    (d2y,) = retrograd.autograd.grad(dy.sum(), x)
    assert d2y.tolist() == [12.0] and d2y.backend.name == backend
    assert x.grad is None  # autograd.grad returns gradients, it does not accumulate them


def test_broadcast_gradients_sum_to_the_input_shape(backend: str) -> None:
    x = leaf([1.0, 2.0, 3.0], backend)
    m = leaf([[1.0], [2.0]], backend)
    (x * m).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0] and m.grad.tolist() == [[6.0], [6.0]]


def test_grad_fn_graph_has_pytorch_structure(backend: str) -> None:
    x = leaf([1.0, 2.0], backend)
    y = (x * 2).sum()
    assert y.grad_fn.name() == "SumBackward0"
    ((mul, _),) = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0"
    (acc, _), (none, _) = mul.next_functions
    assert acc.name() == "torch::autograd::AccumulateGrad" and none is None
