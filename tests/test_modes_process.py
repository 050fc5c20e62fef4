"""Grad-mode decorators on generator functions, and the process-wide default dtype."""

import threading

import pytest
import retrograd


def _trace(lib):
    """What a generator decorated with each switch sees inside, and the caller outside."""
    x = lib.ones(2, requires_grad=True)
    seen = []

    @lib.no_grad()
    def gen():
        seen.append(lib.is_grad_enabled())
        got = yield (x * 2).requires_grad
        seen.append((got, lib.is_grad_enabled()))
        yield lib.is_grad_enabled()

    it = gen()
    seen.append(next(it))
    seen.append(lib.is_grad_enabled())
    seen.append(it.send(7))
    with lib.no_grad():

        @lib.enable_grad()
        def on():
            yield lib.is_grad_enabled()

        seen.append((list(on()), lib.is_grad_enabled()))

    @lib.set_grad_enabled(False)
    def off():
        yield lib.is_grad_enabled()
        return "done"

    seen.append((list(off()), lib.is_grad_enabled()))

    @lib.inference_mode()
    def inf():
        try:
            yield lib.is_inference_mode_enabled()
        except KeyError:
            yield ("thrown", lib.is_inference_mode_enabled())

    it = inf()
    seen.append((next(it), it.throw(KeyError("k")), lib.is_inference_mode_enabled()))
    return seen


def test_generator_decorators_match_torch():
    torch = pytest.importorskip("torch")
    assert _trace(retrograd) == _trace(torch)


def test_generator_close_runs_finally_inside_mode():
    seen = []

    @retrograd.no_grad()
    def gen():
        try:
            yield 1
        finally:
            seen.append(retrograd.is_grad_enabled())

    it = gen()
    next(it)
    it.close()
    assert seen == [False] and retrograd.is_grad_enabled()


def test_default_dtype_is_per_process_grad_mode_per_thread():
    seen = []

    def worker():
        seen.append((retrograd.get_default_dtype(), retrograd.ones(1).dtype))
        seen.append(retrograd.is_grad_enabled())

    retrograd.set_default_dtype(retrograd.float64)
    try:
        with retrograd.no_grad():
            t = threading.Thread(target=worker)
            t.start()
            t.join()
    finally:
        retrograd.set_default_dtype(retrograd.float32)
    assert seen == [(retrograd.float64, retrograd.float64), True]
