"""Reentrant backward (retrograd.reentrant): ``backward()`` or ``autograd.grad()`` called
inside a hook or a custom ``Function.backward``, nested a thousand levels deep (PyTorch
handles thousands; retrograd failed with RecursionError at about 120), with exceptions
and the caller's thread-local state carried across the worker threads that deep nesting
uses."""

from __future__ import annotations

import signal
import threading
import time

import numpy as np
import pytest
import retrograd
from retrograd import reentrant, saved_tensors
from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl, registry
from retrograd_backends.kernels import generic_kernels
from retrograd_backends.numpy_backend import _native_dtypes

DEPTH = 1000


class Boom(Exception):
    pass


def _level(via: str, depth: int, leaves: list, deepest) -> None:
    """One level: a backward into a fresh leaf whose graph, on the way, runs the next
    level (through ``via``), down to ``depth`` 0, where ``deepest()`` runs."""
    with retrograd.enable_grad():
        x = retrograd.ones(2, requires_grad=True)
        leaves.append(x)

        def inner(g):
            if depth > 0:
                _level(via, depth - 1, leaves, deepest)
            else:
                deepest()

        if via == "function":

            class Nested(retrograd.autograd.Function):
                @staticmethod
                def forward(ctx, a):
                    return a * 2

                @staticmethod
                def backward(ctx, g):
                    inner(g)
                    return g * 2

            y = Nested.apply(x)
        else:
            y = x * 2
            y.register_hook(lambda g: inner(g) and None)
        if via == "grad":
            (g,) = retrograd.autograd.grad(y.sum(), x)
            x.grad = g
        else:
            y.sum().backward()


@pytest.mark.parametrize("via", ["hook", "function", "grad"])
def test_a_thousand_levels_of_reentrant_backward(via):
    leaves, threads = [], []
    _level(via, DEPTH, leaves, lambda: threads.append(threading.current_thread()))
    assert len(leaves) == DEPTH + 1
    assert all(x.grad is not None and x.grad.tolist() == [2.0, 2.0] for x in leaves)
    assert threads[0] is not threading.current_thread()  # deep levels moved to a worker


def test_shallow_nesting_stays_on_the_calling_thread():
    threads = []
    _level("hook", 3, [], lambda: threads.append(threading.current_thread()))
    assert threads == [threading.current_thread()]


@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt, RecursionError])
def test_an_exception_at_the_deepest_level_propagates_with_its_type(error):
    leaves = []

    def deepest():
        raise error("deep down")

    with pytest.raises(error, match="deep down"):
        _level("hook", DEPTH, leaves, deepest)
    # Every level's walk failed before its commit: no .grad written anywhere.
    assert len(leaves) == DEPTH + 1 and all(x.grad is None for x in leaves)


class _SecondNumpy:
    """A backend named ``name`` over NumPy: registered in-process, always installed."""

    def __init__(self, name: str):
        self.name = name

    @hookimpl
    def retrograd_register_backends(self):
        def load():
            return Backend(self.name, generic_kernels(np), _native_dtypes(np), "cpu", np)

        return [BackendSpec(name=self.name, load=load)]


def test_the_worker_thread_gets_the_callers_thread_local_state():
    def state():
        return (
            retrograd.is_grad_enabled(),
            retrograd.is_inference_mode_enabled(),
            registry.default_backend_name(),
            reentrant._depth.nested,
        )

    def hooks():
        return [pack for pack, _ in saved_tensors.HOOKS.stack]

    other = "reentrant-numpy"  # a second real backend, so the selection is visible
    plugin = _SecondNumpy(other)
    retrograd.plugins.register(plugin, name=f"tests:{other}")
    try:
        with retrograd.use_backend(other):
            with retrograd.no_grad():
                assert reentrant._on_fresh_thread(state, ()) == (False, False, other, 1)
            with retrograd.inference_mode():
                assert reentrant._on_fresh_thread(state, ()) == (False, True, other, 1)
            assert reentrant._on_fresh_thread(state, ()) == (True, False, other, 1)
        pack = lambda t: t  # noqa: E731 - a hook identified by its identity
        with retrograd.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            assert reentrant._on_fresh_thread(hooks, ()) == [pack]
    finally:
        retrograd.plugins.unregister(plugin)


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals: main thread"
)
def test_an_interrupt_while_waiting_is_raised_after_the_worker_finished():
    release, finished = threading.Event(), []

    def nested_backward():
        release.wait()
        finished.append(1)

    main = threading.main_thread().ident

    def interrupt_then_release():
        time.sleep(0.01)  # let the main thread block in join (a delay, not an assert)
        signal.pthread_kill(main, signal.SIGINT)
        time.sleep(0.01)
        release.set()

    helper = threading.Thread(target=interrupt_then_release)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            reentrant._on_fresh_thread(nested_backward, ())
        assert finished == [1]  # never left running in the background
    finally:
        release.set()
        helper.join()
