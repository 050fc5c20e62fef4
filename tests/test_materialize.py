"""``retrograd.materialize`` on eager backends: a no-op on NumPy (the storage keeps its
array), a wait on JAX (its arrays are dispatched asynchronously); bad arguments refused.
The lazy case (Dask) is in tests/test_dask.py."""

from __future__ import annotations

import numpy as np
import pytest
import retrograd


def test_a_noop_on_numpy():
    t = retrograd.ones(3)
    array = t._storage.array
    retrograd.materialize(t, t * 2)
    assert t._storage.array is array


def test_waits_for_jax_arrays():
    pytest.importorskip("jax")
    x = retrograd.ones(3, backend="jax", requires_grad=True)
    loss = (x * 2).sum()
    loss.backward()
    retrograd.materialize(loss, x.grad)
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and loss.item() == 6.0


def test_refuses_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="expected Tensors, got ndarray"):
        retrograd.materialize(np.ones(2))


def test_inside_vmap_on_jax_each_sample_keeps_its_value():
    pytest.importorskip("jax")
    xs = retrograd.tensor([[1.0, 2.0], [3.0, 4.0]], backend="jax")

    def double(x):
        y = x * 2
        retrograd.materialize(y, x)
        return y

    assert retrograd.func.vmap(double)(xs).tolist() == [[2.0, 4.0], [6.0, 8.0]]
