"""Laziness, on a backend that declares itself lazy (``Backend.lazy``, e.g. Dask).

Per op record: recording the op on its first fixed sample, and the backward pass
through it, compute nothing; the backend's ``count_computes`` kernel (Dask: a scheduler
callback) counts what was computed. Ops whose result shape depends on values
(``nonzero``, ``masked_select``) cannot be lazy: they are the lazy backend's known
failures, with that reason. On an eager backend every test here skips.
"""

from __future__ import annotations

import pytest
import retrograd
from retrograd_conformance import harness, resolution
from retrograd_conformance.draws import FixedDraw
from retrograd_conformance.plugin import require_plugin
from retrograd_conformance.samples import forward_dtypes

require_plugin()

RECORDS = {r.name: r for r in retrograd.ops.RECORDS}


def _counter(backend: str):
    b = retrograd.get_backend(backend)
    if not b.lazy:
        pytest.skip(f"backend '{backend}' is eager: there is nothing to defer")
    if "count_computes" not in b.kernels:
        pytest.skip(f"lazy backend '{backend}' has no count_computes kernel")
    return b.kernels["count_computes"]


def _dtype(record) -> str:
    return next(d for d in forward_dtypes(record) if not resolution.refuses(record, d))


@pytest.mark.parametrize("op", list(RECORDS))
def test_recording_and_backward_compute_nothing(backend: str, op: str) -> None:
    counter = _counter(backend)
    res = resolution.resolve(RECORDS[op])
    record, dtype = res.record, _dtype(res.record)
    differentiable = record.grad_fn is not None and not record.no_derivative
    grad = differentiable and dtype.startswith("float")
    sample = res.sample(record, FixedDraw(op, 0), dtype)
    with counter() as computes:
        inputs, outputs = harness.evaluate(res, sample, backend, dtype, grad=grad)
        outs = harness.differentiable(outputs) if grad else []
        if outs:
            cotangents = [retrograd.ones_like(o) for o in outs]
            retrograd.autograd.grad(outs, inputs, cotangents, allow_unused=True)
    assert len(computes) == 0, (
        f"{op} on backend '{backend}' ({dtype}): recording{' and backward' if outs else ''} "
        f"computed {len(computes)} time(s); a lazy backend must compute nothing until asked"
    )
