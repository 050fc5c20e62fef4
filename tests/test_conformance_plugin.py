"""The conformance plugin, run for real (pytester subprocesses): green on numpy, and it
catches a wrong gradient rule, rotten known-failure ids, unusable and unknown backends.

Each run is the documented command, ``pytest -p retrograd_conformance --pyargs
retrograd_conformance --retrograd-backend NAME``; test backends come from a ``-p``
plugin module written into the run's directory, which registers them with
``retrograd.plugins.register`` as a third party's package would through its entry point.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest

pytest_plugins = ["pytester"]

SUITE = ("-p", "retrograd_conformance", "--pyargs", "retrograd_conformance", "-p",
         "no:cacheprovider")  # fmt: skip

BACKENDS_PLUGIN = '''
import numpy as np
import retrograd
from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl
from retrograd_backends.kernels import generic_kernels
from retrograd_backends.numpy_backend import _native_dtypes, _overrides


class Broken:
    """NumPy with one wrong kernel: cos is 1% off. sin's gradient rule (g * cos) is
    therefore wrong while sin's forward result stays right."""

    @hookimpl
    def retrograd_register_backends(self):
        def load():
            kernels = generic_kernels(np)
            kernels.update(_overrides(np))
            kernels["cos"] = lambda a: np.cos(a) * 1.01
            return Backend("numpy-broken", kernels, _native_dtypes(np), "cpu", np)

        return [BackendSpec(name="numpy-broken", load=load)]


class Gpuless:
    @hookimpl
    def retrograd_register_backends(self):
        return [BackendSpec(name="fakegpu", load=lambda: None, device_type="cuda",
                            probe=lambda: "no CUDA device (conformance test)")]


retrograd.plugins.register(Broken(), name="test-backends:numpy-broken")
retrograd.plugins.register(Gpuless(), name="test-backends:fakegpu")
'''


@pytest.fixture
def run(pytester: pytest.Pytester):
    """``run(*args)``: the conformance suite in a subprocess, test backends available."""
    pytester.makepyfile(test_backends=BACKENDS_PLUGIN)

    def go(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess("-p", "test_backends", *SUITE, *args, timeout=600)

    return go


def test_green_on_numpy_with_a_parseable_report(run, pytester: pytest.Pytester):
    """A slice of every group (the whole suite on NumPy is CI's own conformance stage,
    and took two of this suite's minutes when it ran here too)."""
    report = pytester.path / "out" / "conformance.json"
    args = ("--retrograd-backend", "numpy", "--retrograd-report", str(report), "-q")
    every_group = "test_engine or test_tutorial or test_meta or sin or exp"
    result = run(*args, "--retrograd-examples", "5", "-k", every_group)
    assert result.ret == 0, result.stdout.str()[-3000:]
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0 and outcomes["passed"] > 100
    result.stdout.fnmatch_lines(["*retrograd conformance*", "backend 'numpy': * passed*"])
    data = json.loads(report.read_text(encoding="utf-8"))
    numpy = data["backends"]["numpy"]
    assert numpy["failing"] == [] and set(numpy["groups"]) == {
        "engine",
        "lazy",
        "meta",
        "ops",
        "tutorial",
    }
    assert numpy["ops"]["sin"] == {"kind": "unary", "forward": "passed", "gradient": "passed",
                                   "second order": "passed", "jvp": "passed",
                                   "reference": numpy["ops"]["sin"]["reference"]}  # fmt: skip
    markdown = report.with_suffix(".md").read_text(encoding="utf-8")
    assert "| op | kind | numpy: forward | numpy: gradient |" in markdown
    assert "| `sin` | unary | pass | pass | pass |" in markdown


def test_a_wrong_gradient_rule_is_reported_naming_the_op(run):
    result = run("--retrograd-backend", "numpy-broken", "-k", "sin and not sinc", "-rf")
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "E * sin on backend 'numpy-broken' (float64, *): gradient: autograd gives *",
        "*failing: sin (gradient), sin (jvp), *sin (second order)",
        "FAILED *test_gradient?numpy-broken-sin-float64*",
    ])  # fmt: skip
    failed = [line for line in result.stdout.lines if line.startswith("FAILED")]
    assert not [line for line in failed if "test_forward[numpy-broken-sin" in line]
    assert any("test_second_order[numpy-broken-sin]" in line for line in failed)
    assert any("test_jvp[numpy-broken-sin]" in line for line in failed)  # forward mode too


def test_known_failures_are_strict_xfails_and_unknown_ids_fail(run, pytester):
    known = pytester.path / "broken.toml"
    known.write_text(
        'backend = "numpy-broken"\n[failures]\n'
        '"test_ops.py::test_forward[numpy-broken-cos-float64]" = "cos kernel is 1% off"\n'
        '"test_ops.py::test_forward[numpy-broken-exp-float64]" = "passes: strict xfail fails"\n'
        '"test_ops.py::test_forward[numpy-broken-nosuch-float64]" = "names no test"\n',
        encoding="utf-8",
    )
    args = ("--retrograd-backend", "numpy-broken", "--retrograd-known-failures", str(known))
    result = run(*args, "-k", "test_forward and (cos or exp) or known_failures", "-rxXf")
    assert result.ret == 1
    result.stdout.fnmatch_lines_random([
        "XFAIL *test_forward?numpy-broken-cos-float64* - cos kernel is 1% off",
        "FAILED *test_forward?numpy-broken-exp-float64*XPASS(strict)*",
        "FAILED *test_known_failures_name_collected_tests?numpy-broken*",
        "*unknown known-failure id: *'test_ops.py::test_forward[[]numpy-broken-nosuch-float64]'*",
    ])  # fmt: skip


def test_an_unusable_backend_is_skipped_with_its_reason(run):
    result = run("--retrograd-backend", "fakegpu", "-rs", "-k", "engine or tutorial")
    assert result.ret == 0
    assert result.parseoutcomes().get("passed", 0) == 0
    result.stdout.fnmatch_lines([
        "SKIPPED *backend 'fakegpu' is installed but not usable here: no CUDA device "
        "(conformance test)*",
    ])  # fmt: skip


def test_an_unknown_backend_is_a_usage_error_listing_installed_ones(run):
    result = run("--retrograd-backend", "nosuch")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*unknown backend 'nosuch'; installed backends: *numpy (retrograd; usable)*"]
    )


def test_the_plugin_is_opt_in():
    """No ``pytest11`` entry point: installing retrograd changes no one's test runs."""
    assert not [ep for ep in entry_points(group="pytest11") if "retrograd" in ep.value]
