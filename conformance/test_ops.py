"""Every op record, checked on the backend under test; the cases come from the records.

Per record: the forward result against a float64 NumPy reference (each dtype of
:func:`~retrograd_conformance.samples.forward_dtypes`; an integer-only op's reference
computes in the case's dtype and its float cases check PyTorch's refusal), the gradient
against finite differences (float32 and float64; none for integer-only ops), second
order where ``record.smooth``, ``jax.vjp`` of the ``jax.numpy`` reference where JAX is
installed, forward mode's tangent (against finite differences and against the reverse
rule), and PyTorch's gradient at the points each record pins (its ``conventions``).
Fixed small cases run first; the ``*_property`` tests then draw shapes (broadcasting ones
included) and arguments with a derandomized hypothesis profile.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import retrograd
from retrograd_conformance import checks, forward_checks, resolution
from retrograd_conformance.draws import FIXED_CASES, FixedDraw, HypothesisDraw
from retrograd_conformance.harness import best_float, supports
from retrograd_conformance.plugin import require_plugin
from retrograd_conformance.samples import forward_dtypes, gradient_dtypes, property_dtype

require_plugin()

RECORDS = {r.name: r for r in retrograd.ops.RECORDS}
DIFFERENTIABLE = [name for name, r in RECORDS.items()
                  if r.grad_fn is not None and not r.no_derivative]  # fmt: skip
SMOOTH = [name for name in DIFFERENTIABLE if RECORDS[name].smooth]
# JAX compiles per shape, so its second opinion takes one fixed case: the one with
# matrices and broadcasting (FIXED_SHAPES[2], FIXED_BROADCAST[...][2]).
JAX_CASE = 2
CONVENTIONS = [(name, i) for name, r in RECORDS.items()
               for i in range(len(resolution.conventions(r)))]  # fmt: skip


@pytest.fixture(autouse=True)
def _runtime_warnings_are_errors() -> Any:
    """PyTorch computes these ops without numerical warnings (divide by zero, invalid
    value, overflow): a backend that emits one fails the check, naming the warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def _resolved(op: str) -> resolution.Resolved:
    return resolution.resolve(RECORDS[op])


def _fixed(res: resolution.Resolved, dtype: str, count: int = FIXED_CASES) -> list:
    return [res.sample(res.record, FixedDraw(res.record.name, i), dtype) for i in range(count)]


def _require(backend: str, dtype: str) -> None:
    if not supports(backend, dtype):
        pytest.skip(f"backend '{backend}' has no {dtype}")


def _rng(op: str, index: int) -> np.random.Generator:
    return FixedDraw(f"{op}/projection", index).rng


@pytest.mark.retrograd_check("forward")
@pytest.mark.parametrize(("op", "dtype"), [(n, d) for n, r in RECORDS.items()
                                            for d in forward_dtypes(r)])  # fmt: skip
def test_forward(backend: str, op: str, dtype: str) -> None:
    _require(backend, dtype)
    res = _resolved(op)
    check = checks.check_refused if resolution.refuses(res.record, dtype) else checks.check_forward
    for sample in _fixed(res, dtype):
        check(res, sample, backend, dtype)


@pytest.mark.retrograd_check("gradient")
@pytest.mark.parametrize(("op", "dtype"), [(n, d) for n, r in RECORDS.items()
                                            for d in gradient_dtypes(r)])  # fmt: skip
def test_gradient(backend: str, op: str, dtype: str) -> None:
    _require(backend, dtype)
    res = _resolved(op)
    for i, sample in enumerate(_fixed(res, dtype)):
        if res.record.grad_fn is None:
            checks.check_not_differentiable(res, sample, backend, dtype)
        elif res.record.no_derivative:
            checks.check_backward_refused(res, sample, backend, dtype)
        else:
            checks.check_gradient(res, sample, backend, dtype, _rng(op, i))


@pytest.mark.retrograd_check("second order")
@pytest.mark.parametrize("op", SMOOTH)
def test_second_order(backend: str, op: str) -> None:
    res = _resolved(op)
    for i, sample in enumerate(_fixed(res, best_float(backend))):
        checks.check_second_order(res, sample, backend, _rng(op, i))


@pytest.mark.retrograd_check("jvp")
@pytest.mark.parametrize("op", DIFFERENTIABLE)
def test_jvp(backend: str, op: str) -> None:
    """Forward mode: the tangent against finite differences and the reverse rule."""
    res = _resolved(op)
    for i, sample in enumerate(_fixed(res, best_float(backend))):
        forward_checks.check_tangent(res, sample, backend, _rng(f"{op}/jvp", i))


@pytest.mark.retrograd_check("reference")
@pytest.mark.parametrize("op", DIFFERENTIABLE)
def test_jax_reference(backend: str, op: str) -> None:
    jax = pytest.importorskip("jax", reason="JAX is not installed: no jax.vjp reference")
    res = _resolved(op)
    sample = res.sample(res.record, FixedDraw(op, JAX_CASE), best_float(backend))
    checks.check_jax(res, sample, backend, _rng(op, JAX_CASE), jax)


@pytest.mark.retrograd_check("gradient")
@pytest.mark.parametrize(("op", "index"), CONVENTIONS)
def test_gradient_convention(backend: str, op: str, index: int) -> None:
    convention = resolution.conventions(RECORDS[op])[index]
    checks.check_convention(_resolved(op), convention, backend)


# -- properties: hypothesis draws the shapes and arguments --------------------------------


def _settings(config: pytest.Config) -> Any:
    """The derandomized profile: the same examples on every run and every xdist worker."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=config.getoption("retrograd_examples"),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )


def _property(config: pytest.Config, check: Any) -> None:
    """Run ``check(draw)`` on hypothesis draws under :func:`_settings`."""
    pytest.importorskip("hypothesis", reason="hypothesis is not installed")
    from hypothesis import given
    from hypothesis import strategies as st

    @_settings(config)
    @given(st.data())
    def run(data: Any) -> None:
        check(HypothesisDraw(data))

    run()


@pytest.mark.retrograd_check("forward")
@pytest.mark.parametrize("op", list(RECORDS))
def test_forward_property(backend: str, op: str, request: pytest.FixtureRequest) -> None:
    res = _resolved(op)
    dtype = property_dtype(res.record, best_float(backend))

    def check(draw: HypothesisDraw) -> None:
        checks.check_forward(res, res.sample(res.record, draw, dtype), backend, dtype)

    _property(request.config, check)


@pytest.mark.retrograd_check("gradient")
@pytest.mark.parametrize("op", DIFFERENTIABLE)
def test_gradient_property(backend: str, op: str, request: pytest.FixtureRequest) -> None:
    res, dtype = _resolved(op), best_float(backend)

    def check(draw: HypothesisDraw) -> None:
        sample = res.sample(res.record, draw, dtype)
        checks.check_gradient(res, sample, backend, dtype, draw.rng)

    _property(request.config, check)
