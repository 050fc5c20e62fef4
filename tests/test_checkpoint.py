"""Saved-tensor hooks, save_on_cpu and checkpointing, against torch (the oracle)."""

from __future__ import annotations

import importlib
import threading
import warnings

import numpy as np
import pytest
import retrograd
from retrograd.graph import walk
from retrograd.saved_tensors import PackedSaved

torch = pytest.importorskip("torch")
LIBS = (retrograd, torch)

X = [[0.3, -1.2], [2.0, 0.5]]
W = [[1.0, 2.0], [0.5, -1.0]]


def _leaves(m):
    return (
        m.tensor(X, dtype=m.float64, requires_grad=True),
        m.tensor(W, dtype=m.float64, requires_grad=True),
    )


def _f(x, w):
    return (x.matmul(w)).tanh().exp() * x


def _ckpt(m):
    return importlib.import_module(m.__name__ + ".utils.checkpoint")


def _grads_and_counts(m, hooks_factory):
    """Gradients of sum(_f) computed under the hooks, and how often each hook ran."""
    calls = {"pack": 0, "unpack": 0}
    x, w = _leaves(m)
    hooks = hooks_factory(m)
    pack, unpack = hooks.pack_hook, hooks.unpack_hook

    def counting_pack(t):
        calls["pack"] += 1
        return pack(t)

    def counting_unpack(p):
        calls["unpack"] += 1
        return unpack(p)

    hooks.pack_hook, hooks.unpack_hook = counting_pack, counting_unpack
    with hooks:
        loss = _f(x, w).sum()
    loss.backward()
    return x.grad.tolist(), w.grad.tolist(), calls


@pytest.mark.parametrize(
    "factory",
    [
        lambda m: m.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t),
        lambda m: m.autograd.graph.save_on_cpu(),
    ],
    ids=["identity_copy", "save_on_cpu"],
)
def test_hooks_run_once_per_saved_tensor_as_in_torch(factory):
    got, want = (_grads_and_counts(m, factory) for m in LIBS)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-10)
    assert got[2] == want[2]
    assert got[2]["pack"] > 0 and got[2]["pack"] == got[2]["unpack"]


def test_pack_result_is_what_the_node_keeps():
    x, _ = _leaves(retrograd)
    with retrograd.autograd.graph.saved_tensors_hooks(lambda t: ("packed", t), lambda p: p[1]):
        y = x.exp().sin()
    kept = [v for node in walk(y.grad_fn) for v in getattr(node, "_saved", None) or ()]
    assert kept and all(type(v) is PackedSaved and v.packed[0] == "packed" for v in kept)


def test_innermost_hooks_apply():
    seen = []
    outer = retrograd.autograd.graph.saved_tensors_hooks(
        lambda t: seen.append("o") or t, lambda t: t
    )
    inner = retrograd.autograd.graph.saved_tensors_hooks(
        lambda t: seen.append("i") or t, lambda t: t
    )
    x, _ = _leaves(retrograd)
    with outer, inner:
        x.exp()
    assert seen == ["i"]


@pytest.mark.parametrize("m", LIBS, ids=["retrograd", "torch"])
def test_hooks_apply_to_the_thread_that_set_them_only(m):
    seen = []
    x, _ = _leaves(m)
    with m.autograd.graph.saved_tensors_hooks(
        lambda t: seen.append(threading.current_thread().name) or t, lambda t: t
    ):
        other = threading.Thread(target=x.exp, name="other")
        other.start()
        other.join()
        x.exp()
    assert seen == ["MainThread"]


def test_unpack_must_return_a_tensor():
    x, _ = _leaves(retrograd)
    with retrograd.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: 3):
        y = x.exp()
    with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor"):
        y.sum().backward()


def test_save_on_cpu_keeps_device_tensors_on_the_host():
    """A non-host backend's saved tensors wait on NumPy (a host tensor is not moved)."""
    x, w = _leaves(retrograd)
    with retrograd.autograd.graph.save_on_cpu():
        y = _f(x, w)
    packed = [
        v.packed
        for node in walk(y.grad_fn)
        for v in getattr(node, "_saved", None) or ()
        if type(v) is PackedSaved
    ]
    assert packed
    host = x.device.type == "cpu"
    for backend, tensor in packed:
        assert tensor.backend.name == "numpy"
        assert (backend is None) == host
    y.sum().backward()
    assert x.grad.backend is x.backend


# -- checkpoint --------------------------------------------------------------------------
def _checkpointed(m, use_reentrant, backwards=1):
    calls = []
    x, w = _leaves(m)

    def f(a):
        calls.append(1)
        return _f(a, w)

    y = _ckpt(m).checkpoint(f, x, use_reentrant=use_reentrant)
    for _ in range(backwards):
        y.sum().backward(retain_graph=backwards > 1)
    return x.grad.tolist(), w.grad.tolist(), len(calls), y.grad_fn.name()


@pytest.mark.parametrize("use_reentrant", [False, True])
@pytest.mark.parametrize("backwards", [1, 2])
def test_checkpoint_matches_torch(use_reentrant, backwards):
    got, want = (_checkpointed(m, use_reentrant, backwards) for m in LIBS)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-10)
    assert got[2:] == want[2:]  # one recomputation per backward; same grad_fn name


@pytest.mark.parametrize("how", ["checkpoint", "detaching_hooks"])
def test_double_backward_through_packed_tensors_matches_torch(how):
    """Unpacked tensors get the saved tensor's place in the graph back (PyTorch does the
    same), so a gradient built with create_graph differentiates through them."""

    def run(m):
        x = m.tensor([0.3, -1.2, 2.0], dtype=m.float64, requires_grad=True)

        def f(a):
            return (a.sin() * a).exp()

        if how == "checkpoint":
            y = _ckpt(m).checkpoint(f, x, use_reentrant=False)
        else:
            with m.autograd.graph.saved_tensors_hooks(lambda t: t.detach(), lambda t: t):
                y = f(x)
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        g.sum().backward()
        return g.tolist(), x.grad.tolist()

    for got, want in zip(run(retrograd), run(torch), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_checkpoint_keeps_no_tensor_in_the_graph():
    x, w = _leaves(retrograd)
    y = _ckpt(retrograd).checkpoint(lambda a: _f(a, w), x, use_reentrant=False)
    kept = [
        v
        for node in walk(y.grad_fn)
        for v in getattr(node, "_saved", None) or ()
        if v is not None and not isinstance(v, (int, float, tuple))
    ]
    assert kept and all(type(v) is PackedSaved and isinstance(v.packed, int) for v in kept)


def test_checkpoint_sequential_matches_torch():
    def run(m):
        x, w = _leaves(m)
        stages = [lambda a: a.sin(), lambda a: a.matmul(w), lambda a: a.exp(), lambda a: a.tanh()]
        out = _ckpt(m).checkpoint_sequential(stages, 2, x, use_reentrant=False)
        out.sum().backward()
        return out.tolist(), x.grad.tolist(), w.grad.tolist()

    for got, want in zip(*(run(m) for m in LIBS), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def _outcome(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call()
            result = None
        except Exception as exc:  # noqa: BLE001 - compared with the oracle
            result = (type(exc).__name__, str(exc))
    return result, [str(w.message) for w in caught if w.category is UserWarning]


CALLS = {
    "no_use_reentrant": lambda m: _ckpt(m).checkpoint(lambda a: a * 2, _leaves(m)[0]),
    "sequential_no_use_reentrant": lambda m: _ckpt(m).checkpoint_sequential(
        [lambda a: a * 2, lambda a: a + 1], 2, _leaves(m)[0]
    ),
    "unexpected_kwarg": lambda m: _ckpt(m).checkpoint(
        lambda a: a * 2, _leaves(m)[0], use_reentrant=True, bogus=1
    ),
    "context_fn_reentrant": lambda m: _ckpt(m).checkpoint(
        lambda a: a * 2, _leaves(m)[0], use_reentrant=True, context_fn=lambda: None
    ),
}


@pytest.mark.parametrize("case", sorted(CALLS))
def test_warnings_and_errors_match_torch(case):
    got, want = (_outcome(lambda m=m: CALLS[case](m)) for m in LIBS)
    assert got == want
