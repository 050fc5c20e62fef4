"""The Dask backend: laziness (recording and backward compute nothing), deferred value
checks with PyTorch's errors, ``materialize``, chunks, and views without host copies.

Computes are counted with the backend's ``count_computes`` kernel (a Dask scheduler
callback). Gradients are compared with the NumPy backend's.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import retrograd

da = pytest.importorskip("dask.array", reason="Dask is not installed (pip install '.[dask]')")


def computes():
    return retrograd.get_backend("dask").kernels["count_computes"]()


def _linear_step(backend: str, chunks=None):
    rng = np.random.default_rng(0)
    x_np, y_np = rng.normal(size=(64, 8)), rng.normal(size=(64, 1))
    kw = {"chunks": chunks} if chunks else {}
    x = retrograd.tensor(x_np, backend=backend, **kw)
    y = retrograd.tensor(y_np, backend=backend, **kw)
    w = retrograd.tensor(rng.normal(size=(8, 1)), backend=backend, requires_grad=True)
    loss = ((x @ w).tanh() - y).pow(2).mean()
    loss.backward()
    return loss, w


def test_recording_and_backward_compute_nothing_and_match_numpy():
    with computes() as count:
        loss, w = _linear_step("dask", chunks=16)
    assert len(count) == 0
    ref_loss, ref_w = _linear_step("numpy")
    with computes() as count:
        retrograd.materialize(loss, w.grad)
    assert len(count) == 1  # the loss and the gradient in one pass
    np.testing.assert_allclose(w.grad.numpy(), ref_w.grad.numpy(), rtol=1e-12)
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-12)


def test_index_out_of_range_raises_pytorchs_error_when_computed():
    x = retrograd.ones(3, 4, backend="dask", requires_grad=True)
    index = retrograd.tensor([0, 5], backend="dask")
    with computes() as count:
        picked = x[index]
        picked.sum().backward()
    assert len(count) == 0
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        picked.detach().numpy()
    with pytest.raises(IndexError, match="index 5 is out of bounds"):
        x.grad.numpy()


@pytest.mark.parametrize(
    ("make", "error", "text"),
    [
        (lambda t: t // retrograd.tensor([1, 0], backend="dask"), RuntimeError, "ZeroDivision"),
        (
            lambda t: retrograd.nn.functional.binary_cross_entropy(t * 1.0, t * 0.0),
            RuntimeError,
            "all elements of input should be between 0 and 1",
        ),
        (
            lambda t: retrograd.nn.functional.cross_entropy(
                retrograd.zeros(2, 3, backend="dask"), t
            ),
            IndexError,
            "Target 3 is out of bounds",
        ),
        (lambda t: t.gather(0, t * 0 + 9), RuntimeError, "index 9 is out of bounds.*in gather"),
        (lambda t: t.take(t * 0 + 9), IndexError, "out of range: tried to access index 9"),
        (lambda t: t ** retrograd.tensor([-1, 1], backend="dask"), ValueError, "negative"),
    ],
)
def test_value_checks_are_deferred(make, error, text):
    t = retrograd.tensor([3, 7], backend="dask")
    with computes() as count:
        out = make(t)
    assert len(count) == 0
    with pytest.raises(error, match=text):
        out.numpy()


def test_materialize_cuts_the_task_graph():
    w = retrograd.ones(100, backend="dask", chunks=25, requires_grad=True)
    sizes = []
    for _ in range(5):
        loss = (w * w).sum()
        loss.backward()
        with retrograd.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
        retrograd.materialize(w)
        sizes.append(len(w._storage.array.dask))
    assert sizes[0] == sizes[-1]  # flat, not growing step after step
    np.testing.assert_allclose(w.detach().numpy(), 0.8**5 * np.ones(100), rtol=1e-6)


def test_tensor_of_a_dask_array_stays_lazy():
    source = da.ones((1000, 10), chunks=100)
    with computes() as count:
        t = retrograd.tensor(source)
        u = retrograd.tensor(source, dtype=retrograd.float32, backend="dask")
    assert len(count) == 0
    assert t.backend.name == "dask" and t.dtype == retrograd.float64
    assert t._storage.array.chunks == source.chunks
    assert u.dtype == retrograd.float32


def test_factories_take_chunks_on_dask_only():
    t = retrograd.zeros(10, 4, backend="dask", chunks=(5, 2))
    assert t._storage.array.chunks == ((5, 5), (2, 2))
    assert retrograd.arange(10, backend="dask", chunks=3)._storage.array.chunks == ((3, 3, 3, 1),)
    with pytest.raises(TypeError, match="backend 'numpy' has no chunks"):
        retrograd.zeros(3, backend="numpy", chunks=1)


def test_views_keep_no_host_copy_of_their_base():
    x = retrograd.zeros(10_000_000, backend="dask", chunks=1_000_000).reshape(1000, 10_000)
    tracemalloc.start()
    try:
        with computes() as count:
            t, row = x.t(), x[0]
            row.add_(1.0)  # a write through a view
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(count) == 0
    assert peak < 2_000_000  # bytes: not the 10 MB (int8) or 80 MB (int64) of the base
    assert not t.is_contiguous() and row.is_contiguous()
    assert x[0, :3].tolist() == [1.0, 1.0, 1.0] and x[1, 0].item() == 0.0


def test_data_dependent_shapes_are_computed():
    t = retrograd.tensor([[0.0, 2.0], [3.0, 0.0]], backend="dask", requires_grad=True)
    assert t.nonzero().tolist() == [[0, 1], [1, 0]]
    picked = t.masked_select(t > 1)
    assert tuple(picked.shape) == (2,)
    picked.sum().backward()
    assert t.grad.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_random_factories_take_chunks_with_pytorchs_values():
    retrograd.manual_seed(0)
    t = retrograd.randn(6, 4, backend="dask", chunks=(3, 2))
    retrograd.manual_seed(0)
    assert t._storage.array.chunks == ((3, 3), (2, 2))
    assert t.tolist() == retrograd.randn(6, 4, backend="numpy").tolist()
    with pytest.raises(TypeError, match="backend 'numpy' has no chunks"):
        retrograd.rand(3, backend="numpy", chunks=1)


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (1, 5), (4, 4), (0, 3), (3, 0), (7, 3)])
@pytest.mark.parametrize("chunks", [None, 1, 2, 3])
def test_eye_of_any_shape_and_chunks_computes(shape, chunks):
    # da.eye declares its first row block's size for both dims: with a non-square shape
    # its graph named blocks it never built ("Missing dependency" on compute).
    kw = {"chunks": chunks} if chunks else {}
    t = retrograd.eye(*shape, backend="dask", **kw)
    np.testing.assert_array_equal(t.numpy(), np.eye(*shape))
    assert t.dtype == retrograd.float32 and t.numpy().dtype == np.float32
    if chunks and all(shape):
        assert t._storage.array.chunks == da.ones(shape, chunks=chunks).chunks


def test_eye_with_dtype_and_gradient_through_it_on_dask():
    x = retrograd.arange(6.0, backend="dask", chunks=2).reshape(2, 3).requires_grad_()
    eye = retrograd.eye(2, 3, backend="dask", dtype=retrograd.float64)
    assert eye.dtype == retrograd.float64
    (x * eye).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(2, 3))
    assert (
        retrograd.eye(3, 2, backend="dask", dtype=retrograd.bool).tolist()
        == np.eye(3, 2, dtype=bool).tolist()
    )


def _colliding_chains():
    """A Dask array ``z = c_i + c_j`` over two linear task chains whose fused names Dask
    renames to the same key (found by searching ``i``, ``j`` under this process's hash),
    and its true value ``i + j``. Dask's own ``compute`` with low-level fusion on keeps
    one of the two chains and returns ``2 i`` or ``2 j``."""
    from dask.highlevelgraph import HighLevelGraph
    from dask.optimization import default_fused_keys_renamer

    long = "retrograd_fused_key_collision_probe_" + "x" * 100

    def chain(n):
        return [(f"leaf-{n:032x}", 0), (f"{long}-{n:032x}", 0), (f"top-{n:032x}", 0)]

    seen: dict = {}
    for i in range(1_000_000):
        renamed = default_fused_keys_renamer(chain(i))
        if renamed in seen:
            j = seen[renamed]
            break
        seen[renamed] = i
    graph: dict = {("z", 0): (np.add, chain(i)[2], chain(j)[2])}
    for n in (i, j):
        leaf, middle, top = chain(n)
        graph.update({leaf: np.full(2, float(n)), middle: (np.negative, leaf)})
        graph[top] = (np.negative, middle)
    layer = HighLevelGraph.from_collections("z", graph, dependencies=())
    return da.Array(layer, "z", chunks=((2,),), dtype=float), float(i + j)


def test_computes_are_right_where_dask_fusion_renames_two_chains_to_one_key():
    z, expected = _colliding_chains()
    t = retrograd.tensor(z)
    assert t.tolist() == [expected, expected]
    m = retrograd.tensor(z) * 1
    retrograd.materialize(m)  # computes in place: m's graph is cut to the value
    assert m.tolist() == [expected, expected]


def test_advanced_indexing_builds_graphs_without_fused_key_renaming():
    # An index tensor sends the operand through ``dask.delayed``, which optimizes it when
    # the op is recorded: the colliding chains must survive that too.
    z, expected = _colliding_chains()
    picked = retrograd.tensor(z)[retrograd.tensor([1, 0, 1], backend="dask")]
    assert picked.tolist() == [expected] * 3
