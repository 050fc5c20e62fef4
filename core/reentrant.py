"""Reentrant backward: a backward called while another one runs, at any depth.

A tensor hook or a custom ``Function.backward`` may itself call ``backward()`` or
``autograd.grad()`` (gradient checkpointing does), and that one's hooks may do it again.
Each level costs a dozen Python frames, so at CPython's default recursion limit of 1000
a few dozen levels would end in ``RecursionError``. PyTorch handles thousands of levels
by moving a nested backward to another thread once its depth passes a threshold; so do
we: :func:`call` runs a nested backward on a fresh thread once the calling thread's
Python stack is half used. A thread's recursion depth is its own, so the new thread
starts at zero, with no process-wide setting (recursion limit, stack size) changed.

The nested backward on the worker thread sees the caller's thread-local state (grad
mode, inference mode, the ``use_backend`` selection, a copy of the saved-tensor hooks;
the default dtype and anomaly mode are process-wide already). The caller waits for it,
and gets its result or its exception, with its type. A ``KeyboardInterrupt`` that
reaches the caller while it waits is raised once the worker has finished: the nested
backward commits or fails as a whole (see :mod:`retrograd.commit`), never in the
background after the caller has moved on.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from . import grad_mode
from .plugins import registry
from .saved_tensors import HOOKS

# Python frames a thread may hold before a nested backward moves on: half the recursion
# limit, and no more than this, so that a program that raised the limit does not have
# the C stack grow without bound.
MAX_FRAMES = 400


class _Depth(threading.local):
    nested = 0  # backward calls running on this thread


_depth = _Depth()


def call(run: Callable[..., Any], *args: Any) -> Any:
    """``run(*args)`` (one backward), on this thread, or on a fresh one when it is nested
    and this thread's stack holds more than half the recursion limit (or
    :data:`MAX_FRAMES`) of frames."""
    nested = _depth.nested
    if nested and _frames() > min(sys.getrecursionlimit() // 2, MAX_FRAMES):
        return _on_fresh_thread(run, args)
    _depth.nested = nested + 1
    try:
        return run(*args)
    finally:
        _depth.nested = nested


def _frames() -> int:
    """Python frames on this thread's stack."""
    n, frame = 0, sys._getframe()
    while frame is not None:
        n, frame = n + 1, frame.f_back
    return n


def _on_fresh_thread(run: Callable[..., Any], args: tuple) -> Any:
    """``run(*args)`` on a new thread carrying this thread's grad mode, backend
    selection and saved-tensor hooks; its result, or its exception re-raised here."""
    enabled, inference = grad_mode.state.enabled, grad_mode.state.inference
    selection = registry._selection.stack
    hooks = list(HOOKS.stack)
    outcome: list = []
    done = threading.Event()

    def work() -> None:
        grad_mode.state.enabled, grad_mode.state.inference = enabled, inference
        registry._selection.stack = selection
        HOOKS.stack = hooks
        _depth.nested = 1  # a nested backward, as on the caller's thread
        try:
            outcome.append((True, run(*args)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, re-raised there
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=work, name="retrograd-reentrant-backward", daemon=True).start()
    _wait(done)
    ((ok, value),) = outcome
    if not ok:
        try:
            raise value
        finally:
            del value, outcome  # no cycle through the traceback's frames
    return value


def _wait(done: threading.Event) -> None:
    """Wait for the worker to set ``done``; an interrupt meanwhile is raised after that.
    (Not ``Thread.join``: on CPython 3.11 a join that an interrupt stops marks the
    thread finished while it still runs.)"""
    interrupted = None
    while True:
        try:
            done.wait()
            break
        except KeyboardInterrupt as exc:
            interrupted = exc
    if interrupted is not None:
        raise interrupted
