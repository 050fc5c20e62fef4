"""No kernel converts a device array to NumPy behind the backend's back.

A GPU library refuses that (CuPy: "Implicit conversion to a NumPy array is not
allowed"), so a kernel that does it works on NumPy and JAX and fails only on a GPU. This
check needs no GPU: ``array_api_strict`` can place arrays on a pretend device
("device1") whose arrays refuse ``numpy.asarray`` and the buffer protocol, as CuPy's do.
The backend built here is the generic kernel layer over that device, moving data to and
from the host only through its transfer kernels (as every real backend does); every op
record's conformance cases (forward and gradient, float64) then run on it, and any
host conversion fails the test naming the op.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import retrograd
from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl
from retrograd_backends import op_kernels
from retrograd_backends.kernels import generic_kernels, native_dtypes

strict = pytest.importorskip("array_api_strict", reason="array-api-strict is not installed")
conformance = pytest.importorskip("retrograd_conformance.checks")
from retrograd_conformance import resolution  # noqa: E402 (after the importorskip)
from retrograd_conformance.draws import FixedDraw  # noqa: E402

NAME = "strict_device"
DEVICE = strict.Device("device1")
HOST = strict.Device("CPU_DEVICE")
_ARRAY = type(strict.asarray(0))
# What array_api_strict raises when a device1 array is converted to NumPy implicitly.
HOST_CONVERSION = ("to a NumPy array", "host buffer", "first operand must be array")
# Generic kernels that still go through NumPy on a library without ``add.at`` (CuPy and
# JAX have it; array_api_strict does not): index_add falls back to ``numpy.add.at``
# (cummax's and cummin's gradients scatter to the indices they returned, through it too).
HOST_FALLBACKS = {
    op: "index_add: numpy.add.at where the library has no add.at"
    for op in ("gather", "index", "scatter_add", "take", "cummax", "cummin")
    + ("max_pool2d_with_indices", "max_pool3d_with_indices")  # overlapping windows add up
    + ("fractional_max_pool2d", "fractional_max_pool3d")
    # rows read several times add their gradients; put(accumulate=True) adds up
    + ("_embedding_dense_backward", "put")
    # index_add itself, and unfold's gradient (overlapping windows add up)
    + ("index_add", "unfold")
}
# Functions that create arrays from nothing or from host data: on the device by default.
_CREATION = ("asarray", "zeros", "ones", "empty", "full", "arange", "linspace", "eye")


class DeviceNamespace:
    """``array_api_strict`` with every array created on :data:`DEVICE` by default."""

    def __getattr__(self, name: str) -> Any:
        found = getattr(strict, name)
        if name not in _CREATION:
            return found

        def on_device(*args: Any, device: Any = None, **kwargs: Any) -> Any:
            if device is None and not (args and isinstance(args[0], _ARRAY)):
                device = DEVICE
            return found(*args, device=device, **kwargs)

        return on_device


def _host(a: Any) -> np.ndarray:
    """The explicit transfer (as ``cupy.asnumpy``): to the host device, then NumPy."""
    return np.asarray(a.to_device(HOST))


def _setitem(target: Any, key: Any, value: Any) -> Any:
    """``target[key] = value`` on the device. array_api_strict's own ``__setitem__``
    re-creates an array value on the host device (its bug: the write then fails as a
    host conversion), so the write goes to the arrays' buffers, keys checked as it does."""
    target._validate_index(key, op="setitem")
    unwrap = lambda v: v._array if isinstance(v, _ARRAY) else v
    key = tuple(map(unwrap, key)) if isinstance(key, tuple) else unwrap(key)
    target._array[key] = unwrap(value)
    return target


def load() -> Backend:
    xp = DeviceNamespace()
    kernels = generic_kernels(xp)
    kernels.update(
        setitem=_setitem,
        assign=lambda target, value: _setitem(target, ..., value),
        to_numpy=_host,
        tolist=lambda a: _host(a).tolist(),
        from_numpy=lambda a: xp.asarray(a),
        from_dlpack=lambda a: xp.asarray(np.from_dlpack(a), copy=True),
    )
    return Backend(NAME, kernels, native_dtypes(xp), device_type="cpu", namespace=xp)


class DevicePlugin:
    @hookimpl
    def retrograd_register_backends(self) -> list[BackendSpec]:
        return [BackendSpec(name=NAME, load=load, device_type="cpu")]


@pytest.fixture(scope="module")
def device_backend():
    plugin = DevicePlugin()
    retrograd.plugins.register(plugin, name="tests:strict_device")
    yield NAME
    retrograd.plugins.unregister(plugin)


def _host_conversion(error: BaseException) -> bool:
    return any(text in str(error) for text in HOST_CONVERSION)


def test_the_device_refuses_implicit_conversion(device_backend):
    """The premise: this backend's arrays refuse numpy.asarray, as CuPy's do."""
    t = retrograd.tensor([1.0, -0.0], backend=device_backend)
    with pytest.raises(RuntimeError, match="to a NumPy array"):
        np.asarray(t._storage.array)
    assert t.tolist() == [1.0, -0.0]  # the explicit transfer works


RECORDS = {r.name: r for r in retrograd.ops.RECORDS}


def _run_cases(op: str, backend: str) -> None:
    """The record's fixed conformance cases in float64: forward, then gradient."""
    res = resolution.resolve(RECORDS[op])
    for i in range(2):
        sample = res.sample(res.record, FixedDraw(op, i), "float64")
        conformance.evaluate(res, sample, backend, "float64")
        if res.record.grad_fn is not None:
            conformance.vjp(res, sample, backend, "float64", None)


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(op, marks=pytest.mark.xfail(reason=HOST_FALLBACKS[op], strict=True))
        if op in HOST_FALLBACKS
        else op
        for op in sorted(RECORDS)
    ],
)
def test_no_kernel_converts_to_numpy(device_backend, op):
    """Each op, forward and backward, runs without converting a device array to NumPy.
    Other errors (the strict library refusing an argument type) are not this test's
    subject: they are reported by the strict backend's own conformance run."""
    try:
        _run_cases(op, device_backend)
    except Exception as error:  # noqa: BLE001 (only host conversions fail this test)
        if _host_conversion(error) or _host_conversion(error.__cause__ or error):
            pytest.fail(f"{op}: a kernel converted a device array to NumPy: {error!r}")


def test_generic_erf_runs_on_the_device_and_is_exact(device_backend):
    """The generic erf (for a library without one) stays on the device and agrees with
    SciPy's to a few ulps, at both sides of its series/continued-fraction split."""
    special = pytest.importorskip("scipy.special")
    values = np.array([0.0, -0.0, 1e-300, 0.5, -1.0, 2.9, 3.0, -3.1, 5.0, 27.0, np.inf, -np.inf])
    erf = op_kernels.device_erf(DeviceNamespace())
    got = _host(erf(DeviceNamespace().asarray(values)))
    np.testing.assert_allclose(got, special.erf(values), rtol=4e-16, atol=0)
    assert np.signbit(got[1]) and np.isnan(_host(erf(DeviceNamespace().asarray([np.nan])))[0])
