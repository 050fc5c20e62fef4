"""The conformance suite's JAX reference computes in float64 on the CPU, on any machine,
and leaves the user's JAX settings as they were (a GPU machine's test processes would
otherwise each start JAX on the GPU and claim most of its memory)."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from retrograd_conformance import checks, resolution
from retrograd_conformance.draws import FixedDraw

jax = pytest.importorskip("jax")


def test_reference_arrays_are_float64_on_the_cpu():
    cpu = jax.devices("cpu")[0]
    with checks.jax_reference(jax) as jnp:
        x = jnp.asarray(np.arange(3.0))
        y = jax.jit(lambda a: jnp.tanh(a) * 2)(x)
    assert x.devices() == y.devices() == {cpu}
    assert x.dtype == y.dtype == np.float64


def test_reference_leaves_the_users_jax_settings_alone():
    before = (jax.config.jax_default_device, jax.config.jax_enable_x64)
    with checks.jax_reference(jax):
        assert jax.config.jax_enable_x64
    assert (jax.config.jax_default_device, jax.config.jax_enable_x64) == before


def test_jax_vjp_gives_float64_gradients():
    record = next(r for r in retrograd.ops.RECORDS if r.name == "tanh")
    res = resolution.resolve(record)
    sample = res.sample(record, FixedDraw("tanh", 0), "float64")
    vs = [np.ones(np.shape(sample.arrays[0]))]
    (g,) = checks.jax_vjp(res, sample, vs, [0], jax)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 1 - np.tanh(sample.arrays[0]) ** 2, rtol=1e-12)
