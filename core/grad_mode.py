"""Grad mode: whether operations record a graph, per thread, as in PyTorch.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context
managers and as decorators. A new thread starts with grad mode on.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    enabled = True
    inference = False


state = _GradState()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record a graph."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _GradModeContext:
    """Base for the grad-mode switches: a context manager that is also a decorator."""

    def _enter(self) -> None:
        raise NotImplementedError

    def _exit(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> None:
        self._enter()

    def __exit__(self, *exc: object) -> None:
        self._exit()

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _wrap_generator(self, func: F) -> F:
        """As PyTorch: the mode holds while the generator body runs (each resumption,
        including ``send``, ``throw`` and ``close``), not while the caller holds it."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                gen = func(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:  # noqa: BLE001 - forwarded into the generator
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper  # type: ignore[return-value]

    def clone(self) -> _GradModeContext:
        return type(self)()


class set_grad_enabled(_GradModeContext):  # noqa: N801 - PyTorch's spelling
    """Set grad mode to ``mode``; takes effect at once, and restores on exit when used
    as a context manager."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, int):  # PyTorch's refusal; bool("no") would be True
            raise TypeError(
                "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                f"{type(mode).__name__}"
            )
        self.mode = bool(mode)
        self.prev = state.enabled
        state.enabled = self.mode

    def _enter(self) -> None:
        pass

    def _exit(self) -> None:
        state.enabled = self.prev

    def __call__(self, func: F) -> F:
        state.enabled = self.prev  # as a decorator it switches only while func runs
        return super().__call__(func)

    def clone(self) -> set_grad_enabled:
        return _DeferredSet(self.mode)


class _DeferredSet(set_grad_enabled):
    """``set_grad_enabled`` used as a decorator: switches only while the call runs."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def _enter(self) -> None:
        self.prev = state.enabled
        state.enabled = self.mode

    def clone(self) -> _DeferredSet:
        return _DeferredSet(self.mode)


class no_grad(_GradModeContext):  # noqa: N801
    """Disable graph recording inside the block (or the decorated function)."""

    def _enter(self) -> None:
        self.prev = state.enabled
        state.enabled = False

    def _exit(self) -> None:
        state.enabled = self.prev


class enable_grad(_GradModeContext):  # noqa: N801
    """Enable graph recording inside the block, even within ``no_grad``."""

    def _enter(self) -> None:
        self.prev = state.enabled
        state.enabled = True

    def _exit(self) -> None:
        state.enabled = self.prev


class inference_mode(_GradModeContext):  # noqa: N801
    """Like ``no_grad``, and tensors made inside are inference tensors: they can never
    be saved for backward later."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def _enter(self) -> None:
        self.prev = (state.enabled, state.inference)
        if self.mode:
            state.enabled, state.inference = False, True
        else:
            state.inference = False

    def _exit(self) -> None:
        state.enabled, state.inference = self.prev

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)
