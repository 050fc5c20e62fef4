"""The forward-mode check of one sample of one op: its tangent (Jacobian-vector product).

Inside a dual level the op runs on inputs carrying random tangents ``u``; the outputs'
tangents ``J u`` must agree with central differences along ``u``, and with the reverse
rule: ``<v, J u>`` (forward mode) equals ``<J^T v, u>`` (the VJP) for a random ``v``,
both computed by autograd, so to a tighter tolerance than finite differences allow.
Each tangent has its output's shape, dtype and backend.
"""

from __future__ import annotations

import numpy as np
import retrograd

from .checks import (
    FD_STEP,
    GRADIENT_TOL,
    _close,
    _cotangents,
    _grad_arrays,
    _precision,
    _where,
    flat_arrays,
)
from .harness import (
    best_float,
    differentiable,
    directional,
    evaluate,
    flat,
    host,
    on_backend,
    tensors,
    vjp,
)
from .resolution import Resolved
from .samples import Sample

# <v, J u> both ways: the same products summed in another order.
ADJOINT_TOL = {"float32": (1e-4, 1e-6), "float64": (1e-9, 1e-12)}


def forward_tangents(res: Resolved, sample: Sample, backend: str, dtype: str, us: list) -> list:
    """The tangent of each differentiable output (zeros where it has none), as float64
    arrays, after checking its shape, dtype and backend."""
    fw = retrograd.autograd.forward_ad
    where = _where(res, sample, backend, dtype)
    with fw.dual_level():
        primals = tensors(sample.arrays, dtype, backend, False)
        duals = [
            fw.make_dual(p, retrograd.tensor(u, dtype=p.dtype, backend=backend))
            for p, u in zip(primals, us)
        ]
        outputs = res.call(*duals, **on_backend(sample.params, backend, dtype))
        outs = differentiable(outputs if isinstance(outputs, (tuple, list)) else (outputs,))
        found = []
        for i, out in enumerate(outs):
            tangent = fw.unpack_dual(out).tangent
            if tangent is None:
                found.append(np.zeros(tuple(out.shape)))
                continue
            what = f"{where}: tangent of output {i}"
            assert tuple(tangent.shape) == tuple(out.shape), f"{what} has shape {tangent.shape}"
            assert tangent.dtype is out.dtype, f"{what} has dtype {tangent.dtype}"
            assert tangent.backend.name == backend, f"{what} is on {tangent.backend.name}"
            found.append(host(tangent).astype(np.float64))
    return found


def check_tangent(res: Resolved, sample: Sample, backend: str, rng) -> None:
    """``J u`` by forward mode against central differences, and ``<v, J u>`` against the
    reverse rule's ``<J^T v, u>``."""
    exact = best_float(backend)
    where = _where(res, sample, backend, exact)
    _, probe = evaluate(res, sample, backend, exact)
    us = [rng.standard_normal(a.shape) for a in sample.arrays]
    vs = _cotangents(probe, rng)
    ju = flat_arrays(forward_tangents(res, sample, backend, exact, us))
    at = [np.asarray(a.astype(exact), np.float64) for a in sample.arrays]
    f = lambda xs: flat(evaluate(res, sample, backend, exact, xs)[1])
    precision = _precision(exact, differentiable(probe))  # float32 where an output is
    numerical = directional(f, at, us, FD_STEP[precision])
    rtol, atol = GRADIENT_TOL[precision]
    np.testing.assert_allclose(
        ju, numerical, rtol, atol * 10, err_msg=f"{where}: jvp against finite differences"
    )
    inputs, _, grads = vjp(res, sample, backend, exact, vs)
    gs = _grad_arrays(inputs, [retrograd.zeros_like(x) if g is None else g
                               for x, g in zip(inputs, grads)], where)  # fmt: skip
    reverse = sum(float(np.sum(g * u)) for g, u in zip(gs, us))
    forward = float(np.sum(flat_arrays(vs) * ju))
    scale = sum(float(np.sum(np.abs(g * u))) for g, u in zip(gs, us))
    _close(forward, reverse, scale, ADJOINT_TOL[precision], f"{where}: <v, J u> vs <J^T v, u>")
