"""The plugin mechanism: entry points, the backend registry, kernel overrides, selection."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

import numpy as np
import pytest
import retrograd
from retrograd.backend import Backend, BackendSpec
from retrograd.batching import own_table
from retrograd.plugins import hookimpl, hookspecs, plugin_manager
from retrograd_backends.kernels import generic_kernels
from retrograd_backends.numpy_backend import _native_dtypes


class SecondNumpyBackend:
    """A real second backend (NumPy arrays, its own kernel table) named 'numpy2'."""

    @hookimpl
    def retrograd_register_backends(self):
        def load():
            return Backend("numpy2", generic_kernels(np), _native_dtypes(np), "cpu", np)

        return [BackendSpec(name="numpy2", load=load)]


@pytest.fixture
def numpy2():
    plugin = SecondNumpyBackend()
    retrograd.plugins.register(plugin, name="tests:numpy2")
    yield plugin
    retrograd.plugins.unregister(plugin)


def test_numpy_backend_comes_from_its_own_entry_point():
    eps = {ep.name: ep for ep in entry_points(group="retrograd")}
    assert eps["numpy"].value == "retrograd_backends.numpy_backend"
    names = [p for p in plugin_manager().list_name_plugin()]
    assert ("retrograd:numpy", sys.modules["retrograd_backends.numpy_backend"]) in names


def test_backends_lists_numpy_as_usable():
    rows = {row.name: row for row in retrograd.backends()}
    assert rows["numpy"].usable and rows["numpy"].reason is None
    assert rows["numpy"].package == "retrograd"


def test_hookspecs_are_documented_and_registered():
    pm = plugin_manager()
    for name in ("retrograd_register_backends", "retrograd_kernels"):
        assert getattr(hookspecs, name).__doc__.strip()
        assert pm.hook.__dict__[name].spec is not None


def test_misspelled_hook_is_rejected():
    class Typo:
        @hookimpl
        def retrograd_kernel(self, backend):  # missing the final "s"
            return None

    with pytest.raises(Exception, match="retrograd_kernel"):
        retrograd.plugins.register(Typo())
    assert not any(isinstance(p, Typo) for p in plugin_manager().get_plugins())


def test_unknown_backend_error_lists_installed_backends():
    with pytest.raises(RuntimeError, match=r"unknown retrograd backend 'nosuch'.*numpy"):
        retrograd.ones(2, backend="nosuch")
    with pytest.raises(RuntimeError, match="numpy"):
        retrograd.set_default_backend("nosuch")


def test_two_plugins_claiming_one_backend_name_is_an_error_naming_both():
    class Impostor:
        @hookimpl
        def retrograd_register_backends(self):
            return [BackendSpec(name="numpy", load=lambda: None)]

    with pytest.raises(RuntimeError) as info:
        retrograd.plugins.register(Impostor(), name="impostor-pkg")
    message = str(info.value)
    assert "'numpy'" in message and "'retrograd'" in message and "impostor-pkg" in message
    assert retrograd.ones(2, backend="numpy").backend.name == "numpy"  # registry intact


def test_op_calls_make_no_pluggy_call():
    retrograd.ones(1)  # discovery and kernel resolution happen before counting
    calls = []
    undo = plugin_manager().add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append(name), lambda *a: None
    )
    try:
        x = retrograd.ones(3, 3, requires_grad=True)
        y = ((x * 2 + 1).exp() @ x).sum()
        y.backward()
        retrograd.autograd.grad((x * x).sum(), x)
    finally:
        undo()
    assert calls == []
    assert x.grad is not None


def test_use_backend_and_set_default_backend(numpy2):
    default = retrograd.plugins.default_backend_name()  # numpy, or $RETROGRAD_BACKEND
    assert retrograd.ones(1).backend.name == default
    with retrograd.use_backend("numpy2"):
        t = retrograd.ones(2, requires_grad=True)
        assert t.backend.name == "numpy2"
        (t * 3).sum().backward()
    assert t.grad.tolist() == [3.0, 3.0] and t.grad.backend.name == "numpy2"
    assert retrograd.ones(1).backend.name == default
    retrograd.set_default_backend("numpy2")
    try:
        assert retrograd.zeros(1).backend.name == "numpy2"
    finally:
        retrograd.set_default_backend(default)


def test_mixing_backends_in_one_op_names_both(numpy2):
    a = retrograd.ones(2, backend="numpy")
    b = retrograd.ones(2, backend="numpy2")
    with pytest.raises(RuntimeError, match="numpy and numpy2"):
        a + b


def test_kernel_override_takes_effect_and_unregistering_restores_it():
    seen = []

    class CountingMatmul:
        @hookimpl
        def retrograd_kernels(self, backend):
            if backend.name != "numpy":
                return None

            def matmul(a, b):
                seen.append((a.shape, b.shape))
                return np.matmul(a, b)

            return {"matmul": matmul}

    a = retrograd.ones(2, 3, backend="numpy")
    plugin = CountingMatmul()
    retrograd.plugins.register(plugin)
    try:
        assert (a @ a.t()).tolist() == [[3.0, 3.0], [3.0, 3.0]]
        assert seen == [((2, 3), (3, 2))]
    finally:
        retrograd.plugins.unregister(plugin)
    a @ a.t()
    assert len(seen) == 1
    assert retrograd.get_backend("numpy").kernels["matmul"] is np.matmul


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_environment_variable_picks_the_default_backend():
    ok = _run_python("import retrograd; print(retrograd.ones(1).backend.name)",
                     RETROGRAD_BACKEND="numpy")  # fmt: skip
    assert ok.returncode == 0 and ok.stdout.strip() == "numpy"


def test_a_bad_environment_variable_is_one_warning_at_import_then_numpy():
    """Said at import, once: the name, the installed backends on their own lines; the
    process then runs on NumPy (see retrograd.plugins.environment for why not an error)."""
    code = "import retrograd\nprint(retrograd.ones(1).backend.name, retrograd.ones(1).device)"
    bad = _run_python(code, RETROGRAD_BACKEND="nosuch")
    assert bad.returncode == 0, bad.stderr
    assert bad.stdout.split() == ["numpy", "cpu"]
    lines = bad.stderr.splitlines()
    assert lines[0].startswith("<string>:1: UserWarning: RETROGRAD_BACKEND='nosuch' names no ")
    assert lines[0].endswith("retrograd uses 'numpy' instead. Installed backends:")
    names = [line.split()[0] for line in lines[2:] if line.startswith("  ")]
    assert names == [b.name for b in retrograd.backends()]
    assert bad.stderr.count("nosuch") == 1


def test_import_is_cheap_and_loads_no_array_library_or_plugin():
    """(With ``$RETROGRAD_BACKEND`` naming another backend, import checks it: unset here.)"""
    code = (
        "import sys, retrograd\n"
        "from retrograd.plugins import registry\n"
        "print(registry._registry.pm is None, 'numpy' in sys.modules, 'jax' in sys.modules)"
    )
    result = _run_python(code, RETROGRAD_BACKEND="")
    assert result.stdout.split() == ["True", "False", "False"], result.stderr


def test_kernel_tables_hold_the_base_kernels_when_no_plugin_overrides():
    numpy = retrograd.get_backend("numpy")
    assert numpy.kernels.keys() == numpy.base_kernels.keys()
    assert all(numpy.kernels[k] is numpy.base_kernels[k] for k in numpy.base_kernels)


def test_tracer_sees_every_kernel_call_and_unregistering_restores_the_plain_table():
    from retrograd.plugins.tracing import KernelTracer

    numpy = retrograd.get_backend("numpy")
    # The backend's own table (vmap's layer may be over it while a batched array lives).
    own = lambda: own_table(numpy.kernels)  # noqa: E731
    plain = dict(own())
    x = retrograd.ones(2, 3, requires_grad=True, backend="numpy")
    with KernelTracer() as tracer:
        assert all(own()[k] is not plain[k] for k in plain)  # all wrapped
        (x @ x.t()).sum().backward()
    assert own() == plain and all(own()[k] is plain[k] for k in plain)
    calls = [(c.kernel, c.backend, c.shapes) for c in tracer.calls]
    assert ("matmul", "numpy", ((2, 3), (3, 2))) in calls
    backward = [c for c in calls if c[0] == "matmul"][1:]  # one matmul per input
    assert backward == [
        ("matmul", "numpy", ((2, 2), (2, 3))),
        ("matmul", "numpy", ((3, 2), (2, 2))),
    ]
    assert all(c.seconds >= 0 for c in tracer.calls)
    count = len(tracer.calls)
    x @ x.t()
    assert len(tracer.calls) == count  # unregistered: nothing traced any more


def test_tracer_wraps_other_plugins_overrides_rather_than_undoing_them():
    from retrograd.plugins.tracing import KernelTracer

    class Override:
        @hookimpl
        def retrograd_kernels(self, backend):
            return {"matmul": marked_matmul} if backend.name == "numpy" else None

    def marked_matmul(a, b):
        return np.matmul(a, b)

    override = Override()
    retrograd.plugins.register(override)
    try:
        with KernelTracer() as tracer:
            assert retrograd.get_backend("numpy").kernels["matmul"].__wrapped__ is marked_matmul
            retrograd.ones(2, 2, backend="numpy") @ retrograd.ones(2, 2, backend="numpy")
        assert retrograd.get_backend("numpy").kernels["matmul"] is marked_matmul
    finally:
        retrograd.plugins.unregister(override)
    assert [c.kernel for c in tracer.calls].count("matmul") == 1
