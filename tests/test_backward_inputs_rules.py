"""``backward(inputs=...)`` and ``autograd.grad`` run only the derivative rules that lead
to the inputs asked for, as PyTorch's engine does: a rule that refuses (zeta's for its
first argument has no derivative in PyTorch) must not fail a call that did not ask for
that gradient, and a rule nobody needs must not cost its computation."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")


def _zeta_case(lib):
    s = lib.tensor([1.5, 2.0, 3.5], dtype=lib.float64, requires_grad=True)
    q = lib.tensor([0.5, 3.0, 1.25], dtype=lib.float64, requires_grad=True)
    return s, q, lib.special.zeta(s * 2, q).sum()


def test_backward_with_inputs_skips_a_refusing_rule_as_torch_does():
    grads = []
    for lib in (retrograd, torch):
        s, q, y = _zeta_case(lib)
        y.backward(inputs=[q])
        assert s.grad is None
        grads.append(q.grad.detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_autograd_grad_skips_a_refusing_rule_as_torch_does():
    grads = []
    for lib in (retrograd, torch):
        s, q, y = _zeta_case(lib)
        (g,) = lib.autograd.grad(y, q)
        grads.append(g.detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_the_refusing_rule_still_refuses_when_its_gradient_is_asked_for():
    for lib in (retrograd, torch):
        s, q, y = _zeta_case(lib)
        with pytest.raises(
            NotImplementedError, match="the derivative for 'zeta' is not implemented"
        ):
            y.backward(inputs=[s])


def test_only_the_rules_toward_the_inputs_run():
    """A node's hook sees which of its input gradients were computed: PyTorch leaves the
    ones toward tensors nobody asked for undefined (None)."""
    seen = {}
    for lib in (retrograd, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        product = a * b
        computed = []
        product.grad_fn.register_hook(lambda grad_in, grad_out, seen=computed: seen.extend(grad_in))
        product.sum().backward(inputs=[b])
        seen[lib.__name__] = [None if g is None else g.tolist() for g in computed]
    assert seen["retrograd"] == seen["torch"] == [None, [1.0, 2.0]]
