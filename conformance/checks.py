"""The numerical checks of one sample of one op on one backend.

Every check takes a :class:`~retrograd_conformance.resolution.Resolved` record, a
:class:`~retrograd_conformance.samples.Sample` and the backend's name (and a dtype name
where it matters), and raises ``AssertionError`` with a message naming the op, the
backend, the dtype and the sample when the backend disagrees.

Gradients are checked by random projection: for random ``v`` (output-shaped) and ``u``
(input-shaped), the autograd VJP gives ``<J^T v, u>`` and central differences along ``u``
give ``<v, J u>``; the two must agree, whatever the shapes.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import retrograd
from retrograd.ops.record import derivative_refusal

from .harness import (
    as_tuple,
    best_float,
    converted,
    differentiable,
    directional,
    evaluate,
    first_order,
    flat,
    host,
    vjp,
)
from .resolution import Convention, Resolved
from .samples import Sample, integer_only, is_integer

FORWARD_TOL = {"float32": (1e-5, 1e-6), "float64": (1e-9, 1e-12)}  # (rtol, atol)
GRADIENT_TOL = {"float32": (2e-3, 1e-5), "float64": (1e-6, 1e-9)}
FD_STEP = {"float32": 1e-3, "float64": 1e-6}
JAX_TOL = (1e-7, 1e-10)


def _where(res: Resolved, sample: Sample, backend: str, dtype: str) -> str:
    return f"{res.record.name} on backend '{backend}' ({dtype}, {sample.label()})"


def expected_dtype(res: Resolved, sample: Sample, dtype: str, ref: np.ndarray) -> Any:
    """The result dtype PyTorch gives: bool or int64 where the reference gives bool or
    integers (comparisons, ``any``, indices; int32 where it gives int32), the target of
    ``to``, the default float dtype for integer inputs of ``int_to_float`` ops, else the
    inputs'."""
    if ref.dtype == np.bool_:
        return retrograd.bool
    if ref.dtype.kind in "iu" and not is_integer(dtype):  # int32 only where asked (frexp)
        return retrograd.int32 if ref.dtype == np.int32 else retrograd.int64
    if sample.out_dtype is not None:
        return getattr(retrograd, sample.out_dtype)
    if is_integer(dtype) and res.record.int_to_float:
        return retrograd.get_default_dtype()
    return getattr(retrograd, dtype)


def reference(res: Resolved, sample: Sample, dtype: str) -> tuple[np.ndarray, ...]:
    """The NumPy reference in float64, at the sample's values as rounded to ``dtype``
    (in ``dtype`` itself for an integer-only op: bitwise math has no float64 form)."""
    exact = dtype if integer_only(res.record) else np.float64
    arrays = [np.asarray(a.astype(dtype), dtype=exact) for a in sample.arrays]
    return tuple(np.asarray(r) for r in as_tuple(res.ref(np, *arrays, **sample.params)))


def check_refused(res: Resolved, sample: Sample, backend: str, dtype: str) -> None:
    """The op refuses ``dtype`` inputs with PyTorch's NotImplementedError."""
    where = _where(res, sample, backend, dtype)
    try:
        evaluate(res, sample, backend, dtype)
    except NotImplementedError:
        return
    raise AssertionError(f"{where}: PyTorch raises NotImplementedError for {dtype} inputs")


def check_forward(res: Resolved, sample: Sample, backend: str, dtype: str) -> None:
    """Each output's values, shape, dtype and backend against the reference; a floating
    output's ``grad_fn`` class is the record's when float inputs require grad."""
    where = _where(res, sample, backend, dtype)
    grad = not is_integer(dtype)
    _, outputs = evaluate(res, sample, backend, dtype, grad=grad)
    expected = reference(res, sample, dtype)
    assert len(outputs) == len(expected), (
        f"{where}: {len(outputs)} outputs, expected {len(expected)}"
    )
    for i, (out, ref) in enumerate(zip(outputs, expected)):
        what = f"{where}: output {i}"
        assert out.backend.name == backend, f"{what} is on backend '{out.backend.name}'"
        assert tuple(out.shape) == ref.shape, (
            f"{what} has shape {tuple(out.shape)}, expected {ref.shape}"
        )
        want = expected_dtype(res, sample, dtype, ref)
        assert out.dtype is want, f"{what} has dtype {out.dtype}, expected {want}"
        rtol, atol = FORWARD_TOL.get(want.name, (0, 0))
        np.testing.assert_allclose(host(out), ref, rtol, atol, err_msg=what)
        if grad:
            name = None if out.grad_fn is None else out.grad_fn.name()
            record = res.record.grad_fn if want.is_floating_point else None
            assert name == record, f"{what} has grad_fn {name}, expected {record}"


def _close(actual: float, expected: float, scale: float, tol: tuple, what: str) -> None:
    rtol, atol = tol
    assert abs(actual - expected) <= rtol * scale + atol, (
        f"{what}: autograd gives {actual!r}, finite differences {expected!r} "
        f"(difference {abs(actual - expected):.3g}, allowed {rtol * scale + atol:.3g})"
    )


def _grad_arrays(inputs: list, grads: Any, where: str) -> list[np.ndarray]:
    """The gradients as arrays, after checking each has its input's shape, dtype and
    backend."""
    out = []
    for i, (x, g) in enumerate(zip(inputs, grads)):
        what = f"{where}: gradient {i}"
        assert g is not None, f"{what} is missing"
        assert tuple(g.shape) == tuple(x.shape), (
            f"{what} has shape {tuple(g.shape)}, input {tuple(x.shape)}"
        )
        assert g.dtype is x.dtype, f"{what} has dtype {g.dtype}, input {x.dtype}"
        assert g.backend.name == x.backend.name, f"{what} is on backend {g.backend.name}"
        out.append(host(g).astype(np.float64))
    return out


def flat_arrays(arrays: Any) -> np.ndarray:
    """Arrays raveled and concatenated (the cotangents, matching :func:`flat`)."""
    return np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)


def _cotangents(outputs: Any, rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.standard_normal(tuple(o.shape)) for o in differentiable(outputs)]


def _precision(dtype: str, outputs: Any) -> str:
    """float32 if the inputs or any of ``outputs`` are float32 (a ``to``), else float64."""
    return "float32" if "float32" in {dtype, *(o.dtype.name for o in outputs)} else "float64"


def check_gradient(res: Resolved, sample: Sample, backend: str, dtype: str, rng) -> None:
    """The VJP in ``dtype`` against central differences in :func:`best_float`, by random
    projection; gradient shapes, dtypes and backend equal the inputs'."""
    where, exact = _where(res, sample, backend, dtype), best_float(backend)
    _, probe = evaluate(res, sample, backend, exact)
    vs = _cotangents(probe, rng)
    us = [rng.standard_normal(a.shape) for a in sample.arrays]
    inputs, outputs, grads = vjp(res, sample, backend, dtype, vs)
    gs = _grad_arrays(inputs, grads, where)
    precision = _precision(dtype, [*differentiable(outputs), *differentiable(probe)])
    at = [np.asarray(a.astype(dtype), np.float64) for a in sample.arrays]
    f = lambda xs: flat(evaluate(res, sample, backend, exact, xs)[1])
    jvp = directional(f, at, us, FD_STEP[_precision(exact, differentiable(probe))])
    v = flat_arrays(vs)
    actual = sum(float(np.sum(g * u)) for g, u in zip(gs, us))
    scale = sum(float(np.sum(np.abs(g * u))) for g, u in zip(gs, us))
    scale += float(np.sum(np.abs(v * jvp)))
    _close(actual, float(np.sum(v * jvp)), scale, GRADIENT_TOL[precision], f"{where}: gradient")


def check_not_differentiable(res: Resolved, sample: Sample, backend: str, dtype: str) -> None:
    """An op without a ``grad_fn`` gives results that do not require grad."""
    _, outputs = evaluate(res, sample, backend, dtype, grad=True)
    where = _where(res, sample, backend, dtype)
    for out in outputs:
        assert out.grad_fn is None and not out.requires_grad, f"{where}: result requires grad"


def check_backward_refused(res: Resolved, sample: Sample, backend: str, dtype: str) -> None:
    """An op PyTorch records but has no derivative for (``record.no_derivative``): its
    node is the record's and a backward through it raises PyTorch's error."""
    inputs, outputs = evaluate(res, sample, backend, dtype, grad=True)
    where = _where(res, sample, backend, dtype)
    out = differentiable(outputs)[0]
    assert type(out.grad_fn).__name__ == res.record.grad_fn, f"{where}: {out.grad_fn}"
    expected = derivative_refusal(res.record.no_derivative, res.record.grad_fn)
    try:
        retrograd.autograd.grad(out.sum(), inputs, allow_unused=True)
    except type(expected) as error:
        assert str(error) == str(expected), f"{where}: {error}"
    else:
        raise AssertionError(f"{where}: backward did not raise {expected!r}")


def _second_terms(res: Resolved, sample: Sample, backend: str, vs, ws, us) -> list:
    """``grad(<VJP(v), w>)`` w.r.t. the inputs and the cotangents, times the tangents
    ``us`` (None where the VJP does not depend on that input)."""
    inputs, vts, grads = first_order(res, sample, backend, sample.arrays, vs, True)
    total = sum((g * retrograd.tensor(w, dtype=g.dtype, backend=backend)).sum()
                for g, w in zip(grads, ws))  # fmt: skip
    second = [None] * len(us)
    if getattr(total, "requires_grad", False):
        second = retrograd.autograd.grad(total, [*inputs, *vts], allow_unused=True)
    return [host(s) * u for s, u in zip(second, us) if s is not None]


def check_second_order(res: Resolved, sample: Sample, backend: str, rng) -> None:
    """The VJP of the VJP, w.r.t. the inputs and the cotangents (PyTorch's gradgradcheck),
    against central differences of the first-order VJP, by random projection."""
    exact = best_float(backend)
    where = _where(res, sample, backend, exact)
    _, probe = evaluate(res, sample, backend, exact)
    vs, n = _cotangents(probe, rng), len(sample.arrays)
    ws = [rng.standard_normal(a.shape) for a in sample.arrays]
    points = [*sample.arrays, *vs]
    us = [rng.standard_normal(np.shape(p)) for p in points]
    terms = _second_terms(res, sample, backend, vs, ws, us)

    def f(xs):
        gs = first_order(res, sample, backend, xs[:n], xs[n:], False)[2]
        return sum(float(np.sum(host(g) * w)) for g, w in zip(gs, ws))

    precision = _precision(exact, differentiable(probe))
    jvp = float(directional(f, points, us, FD_STEP[precision]))
    actual = sum(float(np.sum(t)) for t in terms)
    scale = sum(float(np.sum(np.abs(t))) for t in terms) + abs(jvp)
    _close(actual, jvp, scale, GRADIENT_TOL[precision], f"{where}: second order")


@contextlib.contextmanager
def _jax_x64(jax: Any):
    """64-bit JAX within the block only (the backend under test keeps its settings)."""
    if hasattr(jax, "enable_x64"):
        with jax.enable_x64(True):
            yield
    else:  # older JAX
        from jax.experimental import enable_x64

        with enable_x64():
            yield


@contextlib.contextmanager
def jax_reference(jax: Any):
    """Where the JAX reference computes: float64 on the CPU, whatever machine it runs on
    (a GPU's float64 is slow, and each test process would claim most of its memory),
    within the block only: the user's JAX platform and defaults are left as they are."""
    with _jax_x64(jax), jax.default_device(jax.devices("cpu")[0]):
        yield jax.numpy


def jax_vjp(res: Resolved, sample: Sample, vs: list, floating: list, jax: Any) -> list:
    """``jax.vjp`` of the reference in ``jax.numpy`` (its floating outputs), in float64
    on the CPU (:func:`jax_reference`)."""
    with jax_reference(jax) as jnp:
        params = {k: converted(v, jnp.asarray) for k, v in sample.params.items()}
        f = lambda *xs: tuple(as_tuple(res.ref(jnp, *xs, **params))[i] for i in floating)
        xs = [jnp.asarray(a) for a in sample.arrays]
        outs = jax.eval_shape(f, *xs)
        cts = tuple(jnp.asarray(v, o.dtype) for v, o in zip(vs, outs))
        # One compiled function per case: far cheaper than compiling op by op.
        pulled = jax.jit(lambda xs, cts: jax.vjp(f, *xs)[1](cts))(xs, cts)
        return [np.asarray(g, np.float64) for g in pulled]


def check_jax(res: Resolved, sample: Sample, backend: str, rng, jax: Any) -> None:
    """The VJP against ``jax.vjp`` of the reference in ``jax.numpy``."""
    exact = best_float(backend)
    where = _where(res, sample, backend, exact)
    _, probe = evaluate(res, sample, backend, exact)
    vs = _cotangents(probe, rng)
    floating = [i for i, o in enumerate(probe) if o.dtype.is_floating_point]
    expected = jax_vjp(res, sample, vs, floating, jax)
    inputs, _, grads = vjp(res, sample, backend, exact, vs)
    rtol, atol = JAX_TOL if exact == "float64" else GRADIENT_TOL["float32"]
    for i, (g, e) in enumerate(zip(_grad_arrays(inputs, grads, where), expected)):
        np.testing.assert_allclose(g, e, rtol, atol, err_msg=f"{where}: gradient {i} vs jax.vjp")


def check_convention(res: Resolved, convention: Convention, backend: str) -> None:
    """The gradient at a non-differentiable point is exactly PyTorch's."""
    sample = Sample(convention.arrays, dict(convention.params))
    exact = best_float(backend)
    where = _where(res, sample, backend, exact)
    inputs, _, grads = vjp(res, sample, backend, exact, None)
    for i, (g, e) in enumerate(zip(_grad_arrays(inputs, grads, where), convention.grads)):
        np.testing.assert_array_equal(g, e, err_msg=f"{where}: gradient {i} at a kink")
