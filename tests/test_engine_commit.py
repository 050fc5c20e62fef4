"""The commit point (retrograd.commit): a backward writes ``.grad`` all at once or not at
all, atomically across threads, and runs the hooks in PyTorch's order.

- A backward that fails half way (a hook or ``Function.backward`` raises, an interrupt)
  leaves every ``.grad`` as it was; a retry with the retained graph counts nothing twice.
- Threads running backward into one leaf at once lose no update (issue #11 item 5).
- Hooks fire in PyTorch 2.13's order, compared with torch: the walk's hooks among
  themselves, the commit's hooks among themselves (docs/design.md, "The commit point").
"""

from __future__ import annotations

import signal
import sys
import threading

import pytest
import retrograd
from retrograd import commit


class Boom(Exception):
    pass


def _leaves(values=(1.0, 2.0, 3.0)):
    w = retrograd.tensor(list(values), requires_grad=True)
    x = retrograd.tensor(list(values), requires_grad=True)
    return w, x


def _grads(*tensors):
    return [None if t.grad is None else t.grad.tolist() for t in tensors]


# -- a failed backward leaves every .grad as it was ----------------------------------------
def _hook_on_x_branch(where, x, reached):
    """``x * 3`` with something on its way to x that raises once, after w's accumulator
    has been reached (``reached``); returns the branch's output."""
    calls = []

    def boom(*_):
        calls.append(1)
        assert reached, "the failure must come after w's gradient was computed"
        if len(calls) == 1:
            raise Boom("boom")

    if where == "function":

        class Fails(retrograd.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 3

            @staticmethod
            def backward(ctx, g):
                boom()
                return g * 3

        return Fails.apply(x)
    b = x * 3
    if where == "tensor hook":
        b.register_hook(boom)
    elif where == "leaf hook":
        x.register_hook(boom)
    elif where == "node prehook":
        b.grad_fn.register_prehook(boom)
    elif where == "accumulator prehook":
        b.grad_fn.next_functions[0][0].register_prehook(boom)
    return b


@pytest.mark.parametrize(
    "where", ["tensor hook", "leaf hook", "node prehook", "accumulator prehook", "function"]
)
@pytest.mark.parametrize("had_grads", [False, True], ids=["fresh", "accumulating"])
def test_a_backward_that_raises_leaves_every_grad_as_it_was(where, had_grads):
    w, x = _leaves()
    if had_grads:
        w.grad, x.grad = retrograd.ones(3), retrograd.ones(3) * 5
    objects, values = (w.grad, x.grad), _grads(w, x)
    reached = []
    a = w * 2
    a.grad_fn.next_functions[0][0].register_prehook(lambda g: reached.append(1))
    y = a * 1
    y.retain_grad()  # a non-leaf's .grad counts too
    b = _hook_on_x_branch(where, x, reached)
    loss = b.sum() * 1.0 + y.sum()  # walked in this order, w's branch is done first
    with pytest.raises(Boom):
        loss.backward(retain_graph=True)
    assert w.grad is objects[0] and x.grad is objects[1] and y.grad is None
    assert _grads(w, x) == values
    loss.backward(retain_graph=True)  # the retry counts each gradient once
    base = [0.0] * 3 if not had_grads else [1.0] * 3
    assert w.grad.tolist() == [v + 2.0 for v in base]
    assert x.grad.tolist() == [v + 3.0 + 4.0 * had_grads for v in base]
    assert y.grad.tolist() == [1.0] * 3


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals: main thread"
)
def test_an_interrupt_during_a_long_backward_leaves_every_grad_as_it_was():
    w, x = _leaves()
    reached = []
    a = w * 2
    a.grad_fn.next_functions[0][0].register_prehook(lambda g: reached.append(1))
    chain, middle = x, None
    for i in range(20_000):
        chain = chain * 1.0
        if i == 10_000:
            middle = chain.grad_fn
    interrupts = []

    def interrupt(grads):
        assert reached  # w's gradient is computed, not yet written
        if not interrupts:
            interrupts.append(1)
            signal.raise_signal(signal.SIGINT)  # KeyboardInterrupt at the next bytecode

    middle.register_prehook(interrupt)
    loss = chain.sum() + a.sum()
    with pytest.raises(KeyboardInterrupt):
        loss.backward(retain_graph=True)
    assert w.grad is None and x.grad is None
    loss.backward(retain_graph=True)
    assert w.grad.tolist() == [2.0] * 3 and x.grad.tolist() == [1.0] * 3


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals: main thread"
)
def test_an_interrupt_during_the_writes_is_raised_after_all_of_them(monkeypatch):
    w, x = _leaves()
    w.grad, x.grad = retrograd.zeros(3), retrograd.zeros(3)
    post = []
    w.register_post_accumulate_grad_hook(lambda t: post.append("w"))
    writes = []
    real = commit.accumulate

    def interrupted_write(tensor, g):
        if not writes:
            signal.raise_signal(signal.SIGINT)  # arrives between two writes
        writes.append(1)
        real(tensor, g)

    monkeypatch.setattr(commit, "accumulate", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        (w * 2 + x * 3).sum().backward()
    assert len(writes) == 2 and _grads(w, x) == [[2.0] * 3, [3.0] * 3]
    assert post == []  # raised before the post-accumulate hooks
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_post_accumulate_hooks_see_every_grad_and_a_raise_keeps_the_grads():
    w, x = _leaves()
    seen = []

    def first(t):
        seen.append(_grads(w, x))
        raise Boom("after the writes")

    w.register_post_accumulate_grad_hook(first)
    x.register_post_accumulate_grad_hook(first)
    with pytest.raises(Boom):
        (w * 2 + x * 3).sum().backward()
    assert seen == [[[2.0] * 3, [3.0] * 3]]  # all written before the first hook; one ran
    assert _grads(w, x) == [[2.0] * 3, [3.0] * 3]


def _retained_through_grad(m, fail):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = y * 3
    if fail:
        z.register_hook(lambda g: 1 / 0)
    try:
        result = [g.tolist() for g in m.autograd.grad(z.sum(), x)]
    except ZeroDivisionError:
        result = "raised"
    return result, _grads(x, y)


@pytest.mark.parametrize("fail", [False, True], ids=["completes", "raises"])
def test_autograd_grad_writes_retained_grads_only_when_it_completes(fail):
    # PyTorch's autograd.grad fills a retained non-leaf's .grad (never a leaf's); through
    # the commit point, a failed call writes nothing.
    torch = pytest.importorskip("torch")
    ours = _retained_through_grad(retrograd, fail)
    assert ours == _retained_through_grad(torch, fail)
    assert ours[1] == [None, None if fail else [3.0, 3.0]]


# -- threads -------------------------------------------------------------------------------
def _lost_updates(trials: int, create_graph: bool, shared: bool) -> int:
    lost = 0
    for _ in range(trials):
        x = retrograd.ones(3, requires_grad=True)
        y = (x * 2).sum() if shared else None
        barrier = threading.Barrier(4)

        def work(y=y, x=x, barrier=barrier):
            own = y if shared else (x * 2).sum()
            barrier.wait()
            own.backward(retain_graph=True, create_graph=create_graph)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lost += x.grad.tolist() != [8.0, 8.0, 8.0]
    return lost


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
@pytest.mark.parametrize("shared", [False, True], ids=["own_graphs", "shared_graph"])
def test_threads_backward_into_one_leaf_lose_no_update(create_graph, shared):
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show
    try:
        assert _lost_updates(200, create_graph, shared) == 0
    finally:
        sys.setswitchinterval(interval)


# -- hook order, against PyTorch -----------------------------------------------------------
WALK = ("tensor", "pre", "post", "acc_pre")
COMMIT = ("post_acc", "acc_post")


def _hook_program(m, mode="plain"):
    """Every kind of hook on a non-leaf y and on leaves a, b (b nearer the root, so the
    walk reaches it first in both libraries); returns the calls in order."""
    log = []
    a = m.tensor([1.0, 2.0], requires_grad=True)
    b = m.tensor([3.0, 4.0], requires_grad=True)
    y = a * 2
    y.retain_grad()
    z = (y * b).sum()
    leaves = {"a": a, "b": b}
    for name, t in leaves.items():
        t.register_hook(lambda g, n=name: log.append(("tensor", n)))
        t.register_post_accumulate_grad_hook(lambda t, n=name: log.append(("post_acc", n)))
    accs = {"a": y.grad_fn.next_functions[0][0], "b": z.grad_fn.next_functions[0][0]}
    accs["b"] = accs["b"].next_functions[1][0]
    for name, acc in accs.items():
        acc.register_prehook(lambda go, n=name: log.append(("acc_pre", n)))
        acc.register_hook(lambda gi, go, n=name: log.append(("acc_post", n)))
    y.register_hook(lambda g: log.append(("tensor", "y")))
    y.grad_fn.register_prehook(lambda go: log.append(("pre", "y")))
    y.grad_fn.register_hook(lambda gi, go: log.append(("post", "y")))
    if mode == "grad":
        m.autograd.grad(z, [a, b])
    elif mode == "inputs":
        z.backward(inputs=[a, b])
    else:
        z.backward()
    return log


@pytest.mark.parametrize("mode", ["plain", "inputs", "grad"])
def test_hook_order_matches_torch(mode):
    torch = pytest.importorskip("torch")
    ours, theirs = _hook_program(retrograd, mode), _hook_program(torch, mode)
    for phase in (WALK, COMMIT):
        assert [e for e in ours if e[0] in phase] == [e for e in theirs if e[0] in phase]
    for leaf in "ab":  # each leaf's own hooks: exactly PyTorch's sequence
        assert [e for e in ours if e[1] == leaf] == [e for e in theirs if e[1] == leaf]
    # The one difference, by design: the commit's hooks run after the whole walk.
    kinds = [e[0] for e in ours]
    assert all(k in COMMIT for k in kinds[len([k for k in kinds if k in WALK]) :])


def _leaf_order(m, graph):
    """The order in which the leaves' tensor hooks fire (when each leaf's gradient is
    final), and in which their post-accumulate hooks fire."""
    log, post = [], []
    ls = [m.tensor([1.0, 2.0], requires_grad=True) for _ in range(5)]
    for i, t in enumerate(ls):
        t.register_hook(lambda g, i=i: log.append(i))
        t.register_post_accumulate_grad_hook(lambda t, i=i: post.append(i))
    a, b, c, d, e = ls
    if graph == "leaf beside a chain":
        y = (a * 2).exp()
        y.register_hook(lambda g: log.append("y"))
        z = b * y * c
    elif graph == "two products":
        z = a * b + c * d * e
    else:  # "one leaf, two uses, far apart"
        z = (a * 2).exp() * b + a
    z.sum().backward()
    return log, post


@pytest.mark.parametrize("graph", ["leaf beside a chain", "two products", "one leaf, two uses"])
def test_leaves_accumulate_as_soon_as_ready_as_in_torch(graph):
    # PyTorch runs an AccumulateGrad node first among the ready nodes; retrograd did its
    # depth-first stack's order, so a leaf beside a long chain came after the chain.
    torch = pytest.importorskip("torch")
    assert _leaf_order(retrograd, graph) == _leaf_order(torch, graph)


# -- a gradient no one else holds becomes .grad without a copy ------------------------------
def _copies(step):
    backend = retrograd.get_backend("numpy")
    counts = {"copy": 0}
    original = backend.kernels["copy"]

    def counting(*args, **kwargs):
        counts["copy"] += 1
        return original(*args, **kwargs)

    backend.kernels["copy"] = counting
    try:
        step()
    finally:
        backend.kernels["copy"] = original
    return counts["copy"]


def test_a_gradient_passed_through_add_is_stolen_not_copied():
    """``y = x + 2``: add's rule returns its gradient as x's, so the node's own buffer
    held it too while x's accumulator ran; PyTorch steals it (no copy), as we now do."""
    with retrograd.use_backend("numpy"):
        x = retrograd.ones(2, 2, requires_grad=True)

        def step():
            y = x + 2
            (y * y * 3).mean().backward()

        assert _copies(step) == 0
        assert x.grad.tolist() == [[4.5, 4.5], [4.5, 4.5]]
        kept = []

        def held():  # a gradient the user can still see (a hook keeps it): copied
            x.grad = None
            y = x + 2
            y.register_hook(kept.append)
            (y * y * 3).mean().backward()

        assert _copies(held) == 1
        assert kept[0].tolist() == x.grad.tolist() and kept[0] is not x.grad
