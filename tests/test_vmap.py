"""retrograd.func.vmap against torch.func.vmap (the oracle): values to 1e-10 in float64,
gradients through vmap both ways, nesting, errors, and no Python loop over the batch."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import retrograd
from retrograd import batching
from retrograd.plugins import get_backend

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _collect_batched_arrays():
    """An error raised inside vmap keeps batched arrays alive in its traceback's frames
    (a reference cycle) until the garbage collector runs, and the batching kernel table
    with them: collect after each test, so no later test sees it."""
    yield
    gc.collect()


RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 3))
B = RNG.standard_normal((4, 3))
M = RNG.standard_normal((3, 5))
C = RNG.standard_normal((4, 3, 5))
P = RNG.uniform(0.5, 2.0, (4, 3))
IDX = np.array([[0, 2], [1, 1], [2, 0], [0, 0]])
T = np.array([1, 0, 2, 2])


def _t(m, a, requires_grad=False):
    if a.dtype.kind == "i":
        return m.tensor(a, dtype=m.int64)
    return m.tensor(a, dtype=m.float64, requires_grad=requires_grad)


def _leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k])]
    return [value]


def _both(make, live_check=True):
    """Run ``make(lib)`` with retrograd and torch; compare every tensor to 1e-10."""
    got, want = make(retrograd), make(torch)
    got_leaves, want_leaves = _leaves(got), _leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves, strict=True):
        if isinstance(w, torch.Tensor):
            assert isinstance(g, retrograd.Tensor), type(g)
            assert tuple(g.shape) == tuple(w.shape), (g.shape, w.shape)
            assert str(g.dtype) == str(w.dtype)
            np.testing.assert_allclose(
                g.detach().numpy(), w.detach().numpy(), rtol=1e-10, atol=1e-12
            )
        else:
            assert g == w
    gc.collect()
    graphs = any(getattr(g, "requires_grad", False) for g in got_leaves)  # hold batched values
    assert not live_check or graphs or not batching._state.live, "a batched array outlived vmap"
    return got


# Each case: (name, function of (lib, *args), arrays, in_dims).
CASES = [
    ("sin_mul", lambda m, a, b: a.sin() * b + 1, (A, B), 0),
    ("exp_log_div", lambda m, a, p: (a.exp() / p).log1p() - m.sqrt(p), (A, P), 0),
    ("broadcast_unbatched", lambda m, a, b: a * b, (A, B[0]), (0, None)),
    ("broadcast_lower_rank", lambda m, a, c: c * a.unsqueeze(-1), (A, C), 0),
    ("in_dim_1", lambda m, a, b: a - b, (A, B.T.copy()), (0, 1)),
    ("negative_in_dim", lambda m, a: a.cos(), (A,), -1),
    ("sum_all", lambda m, a: a.sum(), (A,), 0),
    ("sum_dim", lambda m, c: c.sum(-1, keepdim=True) + c.mean(0), (C,), 0),
    (
        "reductions",
        lambda m, c: (
            c.amax(1),
            c.prod(0),
            c.var(1),
            c.std(0, keepdim=True),
            c.logsumexp(1),
            c.norm(dim=0),
            c.min(),
        ),
        (C,),
        0,
    ),
    ("argmax", lambda m, a: (a.argmax(), a.argmax(0), a.argmin(0, keepdim=True)), (A,), 0),
    ("matmul_vec_mat", lambda m, a, w: a @ w, (A, M), (0, None)),
    ("matmul_mat_vec", lambda m, w, a: w.T @ a[:3].sin(), (M, A), (None, 0)),
    ("matmul_batched_both", lambda m, a, c: a @ c, (A, C), 0),
    ("matmul_mat_mat", lambda m, c, w: c.T @ c @ w.T, (C, M), (0, None)),
    ("dot", lambda m, a, b: m.dot(a, b), (A, B), 0),
    (
        "shape_ops",
        lambda m, c: (
            c.reshape(5, 3),
            c.view(-1),
            c.t(),
            c.permute(1, 0),
            c.unsqueeze(0),
            c.flatten(),
            c.transpose(0, 1).contiguous(),
            c.expand(2, 3, 5),
            c[None, :, 1],
        ),
        (C,),
        0,
    ),
    ("basic_index", lambda m, c: (c[1], c[:, 2:4], c[..., 0], c[-1, ::2], c[None]), (C,), 0),
    ("index_unbatched", lambda m, c, i: (c[i], c[:, i], c[i, i]), (C, np.array([2, 0])), (0, None)),
    ("index_batched", lambda m, a, i: (a[i], a[i].sum()), (A, IDX), 0),
    ("gather_batched", lambda m, a, i: a.gather(0, i), (A, IDX), 0),
    ("mask_unbatched", lambda m, a: a[m.tensor([True, False, True])], (A,), 0),
    ("softmax", lambda m, a: (a.softmax(0), a.log_softmax(-1)), (A,), 0),
    ("scans", lambda m, c: (c.cumsum(1), c.cumprod(0), c.flip(0), c.roll(1, 0)), (C,), 0),
    (
        "cat_stack",
        lambda m, a, b: (m.cat([a, b]), m.stack([a, b], 1), m.stack([a, a])),
        (A, B[0]),
        (0, None),
    ),
    (
        "where_clamp",
        lambda m, a, b: (m.where(a > b, a, b), a.clamp(-0.5, 0.5), m.maximum(a, b)),
        (A, B),
        0,
    ),
    (
        "activations",
        lambda m, a: (
            a.relu(),
            a.tanh(),
            a.sigmoid(),
            m.nn.functional.gelu(a),
            m.nn.functional.softplus(a),
            m.nn.functional.leaky_relu(a, 0.1),
            m.nn.functional.elu(a),
        ),
        (A,),
        0,
    ),
    (
        "cross_entropy",
        lambda m, a, t: m.nn.functional.cross_entropy(a.unsqueeze(0), t.unsqueeze(0)),
        (A, T),
        0,
    ),
    ("mse", lambda m, a, b: m.nn.functional.mse_loss(a, b), (A, B[0]), (0, None)),
    ("tril", lambda m, c: (c.tril(), c.triu(1)), (C,), 0),
    ("zeros_like", lambda m, a: m.zeros_like(a) + m.ones_like(a) * 2 + m.zeros(3), (A,), 0),
    ("comparisons", lambda m, a, b: ((a > b).float(), (a == a).long()), (A, B), 0),
    ("scalar_tensor_ops", lambda m, a: 2**a + a**2 - 1 / (a * a + 1), (A,), 0),
]


def _inplace(m, a):
    a = a.clone()
    a.add_(1)
    a.mul_(a)
    a[0] = 5.0
    a[1:] = a[1:] * 2
    return a


_LINEAR: dict = {}


def _linear(m, a):
    """An nn.Linear made outside vmap (its random initialisation would be refused)."""
    return _LINEAR[m.__name__](a)


def _make_linear(m):
    lin = m.nn.Linear(3, 2).double()
    with m.no_grad():
        lin.weight.copy_(_t(m, M[:, :2].T.copy()))
        lin.bias.copy_(_t(m, M[0, :2].copy()))
    return lin


_LINEAR.update(retrograd=_make_linear(retrograd), torch=_make_linear(torch))


CASES += [
    ("inplace_and_setitem", _inplace, (A,), 0),
    (
        "setitem_unbatched_value",
        lambda m, a, b: _setitem(a.clone(), slice(0, 2), b[:2]),
        (A, B[0]),
        (0, None),
    ),
    ("batched_int_index", lambda m, a: a.reshape(-1)[a.argmax()] + a[a.argmin()], (A,), 0),
    ("unbind_split", lambda m, a: a.unbind(0)[1] * a.split(1)[0].sum(), (A,), 0),
    ("einsum", lambda m, a, c: m.einsum("i,ij->j", a, c), (A, C), 0),
    ("linear_layer_norm", lambda m, a: m.nn.functional.layer_norm(_linear(m, a), (2,)), (A,), 0),
    (
        "scatter_masked_fill",
        lambda m, a: (
            a.scatter(0, m.tensor([1, 0, 2]), a * 2),
            a.masked_fill(a > 0, 0.0),
            a.index_select(0, m.tensor([2, 0])),
        ),
        (A,),
        0,
    ),
    ("max_dim", lambda m, c: (c.max(0)[0], c.max(1)[1], c.min(-1).values), (C,), 0),
]


def _setitem(a, key, value):
    a[key] = value
    return a


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_vmap_matches_torch(case):
    _, fn, arrays, in_dims = case

    def make(m):
        args = [_t(m, a) for a in arrays]
        return m.func.vmap(lambda *xs: fn(m, *xs), in_dims=in_dims)(*args)

    _both(make)


@pytest.mark.parametrize("out_dims", [0, 1, -1, (1, 0)])
def test_out_dims(out_dims):
    _both(lambda m: m.func.vmap(lambda a: (a.sin(), a * 2), out_dims=out_dims)(_t(m, A)))


def test_unbatched_output_is_repeated():
    _both(lambda m: m.func.vmap(lambda a: (m.ones(2), a), out_dims=(0, 1))(_t(m, A)))


def test_nested_trees_and_kwargs():
    def make(m):
        def f(d, scale=1.0):
            return {"s": d["x"] * d["y"][0] * scale, "t": [d["y"][1]]}

        tree = {"x": _t(m, A), "y": (_t(m, B), _t(m, M))}
        return m.func.vmap(f, in_dims=({"x": 0, "y": (0, None)},))(tree, scale=3.0)

    _both(make)


def test_nested_vmap():
    _both(
        lambda m: m.func.vmap(m.func.vmap(lambda x, y: x * y.sum() + x.exp()))(_t(m, C), _t(m, C))
    )
    _both(
        lambda m: m.func.vmap(
            m.func.vmap(lambda x, w: x @ w, in_dims=(0, None)), in_dims=(1, None)
        )(_t(m, C), _t(m, M.T.copy()))
    )


def test_chunk_size():
    _both(lambda m: m.func.vmap(lambda a: a.sin().sum(), chunk_size=3)(_t(m, A)))
    _both(lambda m: m.func.vmap(lambda a: (a * 2, a[0]), out_dims=(1, 0), chunk_size=1)(_t(m, A)))


# -- gradients ---------------------------------------------------------------------------
def test_per_sample_gradients():
    """vmap(grad(loss)) over samples, the weights shared (in_dims None)."""

    def make(m):
        w = _t(m, M)

        def loss(w, x, t):
            return m.nn.functional.cross_entropy((x @ w).unsqueeze(0), t.unsqueeze(0))

        return m.func.vmap(m.func.grad(loss), in_dims=(None, 0, 0))(w, _t(m, A), _t(m, T))

    _both(make)


def test_vmap_of_grad_and_jacrev():
    def f(m):
        return lambda x: (x.sin() * x).sum() + (x @ _t(m, M)).pow(2).sum()

    _both(lambda m: m.func.vmap(m.func.grad(f(m)))(_t(m, A)))
    _both(lambda m: m.func.vmap(m.func.jacrev(lambda x: x.sin() * x.sum()))(_t(m, A)))
    _both(lambda m: m.func.vmap(m.func.hessian(lambda x: x.pow(3).sum()))(_t(m, A)))


def test_grad_through_vmap():
    """Reverse mode over vmap: the batched graph is differentiated from outside."""

    def make(m):
        x, w = _t(m, A, True), _t(m, M, True)
        y = m.func.vmap(lambda a: (a @ w).tanh().sum(), in_dims=0)(x)
        gx, gw = m.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        (ggx,) = m.autograd.grad(gx.sum(), x)
        return y, gx, gw, ggx

    _both(make, live_check=False)  # the results' graphs hold batched values
    gc.collect()
    assert not batching._state.live


def test_backward_through_indexing_in_vmap():
    def make(m):
        x = _t(m, A, True)
        y = m.func.vmap(lambda a: a[[0, 2]].sum() + a[1] * a[0])(x)
        y.sum().backward()
        return x.grad

    _both(make)


def test_backward_accumulates_through_vmap():
    def make(m):
        x = _t(m, A, True)
        m.func.vmap(lambda a: a.exp() * 2, in_dims=1, out_dims=1)(x).sum().backward()
        return x.grad

    _both(make)


# -- no loop over the batch ----------------------------------------------------------------
def _counting(calls, name, fn):
    def kernel(*args, **kwargs):
        calls.append(name)
        return fn(*args, **kwargs)

    return kernel


def _kernel_calls(size):
    """The kernels one per-sample-gradient call runs, in order, at batch ``size``."""
    calls = []
    backend = get_backend()
    counting = {name: _counting(calls, name, fn) for name, fn in backend.base_kernels.items()}
    saved = backend.kernels
    backend.kernels = type(saved)(counting)
    try:
        w = retrograd.tensor(M)
        x = retrograd.tensor(RNG.standard_normal((size, 3)))
        t = retrograd.tensor(RNG.integers(0, 3, size))

        def loss(w, x, t):
            return retrograd.nn.functional.cross_entropy((x @ w).unsqueeze(0), t.unsqueeze(0))

        retrograd.func.vmap(retrograd.func.grad(loss), in_dims=(None, 0, 0))(w, x, t)
    finally:
        backend.kernels = saved
    return calls


def test_kernel_calls_do_not_depend_on_batch_size():
    assert _kernel_calls(2) == _kernel_calls(64)


def test_kernels_are_restored_after_vmap():
    backend = get_backend()
    before = backend.kernels
    retrograd.func.vmap(lambda a: a * 2)(retrograd.tensor(A))
    assert backend.kernels is before


# -- errors ----------------------------------------------------------------------------------
def _same_error(make):
    with pytest.raises(Exception) as want:
        make(torch)
    with pytest.raises(type(want.value)) as got:
        make(retrograd)
    assert str(got.value) == str(want.value)


def _backward_inside(m, f):
    """``.backward()`` inside vmap: refused (PyTorch's error), no ``.grad`` left behind."""
    w = _t(m, B[0], requires_grad=True)
    try:
        m.func.vmap(lambda a: f(a, w).backward())(_t(m, A))
    finally:
        assert w.grad is None


ERRORS = {
    "sizes": lambda m: m.func.vmap(m.add)(_t(m, A), _t(m, M)),
    "in_dims_structure": lambda m: m.func.vmap(m.add, in_dims=(0,))(_t(m, A), _t(m, B)),
    "in_dim_range": lambda m: m.func.vmap(m.add, in_dims=(0, 5))(_t(m, A), _t(m, B)),
    "in_dim_type": lambda m: m.func.vmap(m.add, in_dims=(0, "a"))(_t(m, A), _t(m, B)),
    "in_dims_list": lambda m: m.func.vmap(m.add, in_dims=[0, 0])(_t(m, A), _t(m, B)),
    "in_dims_float": lambda m: m.func.vmap(m.add, in_dims=0.5)(_t(m, A), _t(m, B)),
    "non_tensor": lambda m: m.func.vmap(m.sin)(5),
    "zero_dim": lambda m: m.func.vmap(m.sin)(m.tensor(1.0)),
    "no_inputs": lambda m: m.func.vmap(m.sin)(),
    "dict_structure": lambda m: m.func.vmap(lambda d: d["a"], in_dims=({"b": 0},))({"a": _t(m, A)}),
    "out_dims_type": lambda m: m.func.vmap(m.sin, out_dims="a")(_t(m, A)),
    "out_dims_structure": lambda m: m.func.vmap(m.sin, out_dims=(0, 1))(_t(m, A)),
    "out_dim_range": lambda m: m.func.vmap(m.sin, out_dims=3)(_t(m, A)),
    "non_tensor_output": lambda m: m.func.vmap(lambda a: 3)(_t(m, A)),
    "item": lambda m: m.func.vmap(lambda a: a.sum().item())(_t(m, A)),
    "control_flow": lambda m: m.func.vmap(lambda a: a * 2 if a.sum() > 0 else a)(_t(m, A)),
    "random": lambda m: m.func.vmap(lambda a: a + m.rand(3))(_t(m, A)),
    "random_like": lambda m: m.func.vmap(lambda a: m.randn_like(a))(_t(m, A)),
    "nonzero": lambda m: m.func.vmap(lambda a: a.nonzero())(_t(m, A)),
    "randomness": lambda m: m.func.vmap(m.sin, randomness="foo")(_t(m, A)),
    "chunk_size": lambda m: m.func.vmap(m.sin, chunk_size=0)(_t(m, A)),
    "all_in_dims_none": lambda m: m.func.vmap(m.add, in_dims=(None, None))(_t(m, A), _t(m, A)),
    "batched_output_out_dim_none": lambda m: m.func.vmap(lambda a: a, out_dims=None)(_t(m, A)),
    "numpy": lambda m: m.func.vmap(lambda a: a.numpy())(_t(m, A)),
    "backward_of_unbatched_leaf": lambda m: _backward_inside(m, lambda a, w: (w * 2).sum()),
    "backward_of_batched": lambda m: _backward_inside(m, lambda a, w: (w * a).sum()),
    "mul_into_unbatched": lambda m: m.func.vmap(lambda a: m.ones(3).mul_(a))(_t(m, A)),
    "div_into_unbatched": lambda m: m.func.vmap(lambda a: m.ones(3).div_(a))(_t(m, A)),
    "pow_into_unbatched": lambda m: m.func.vmap(lambda a: m.ones(3).pow_(a))(_t(m, A)),
    "setitem_into_unbatched": lambda m: m.func.vmap(
        lambda a, b: _setitem(b.clone(), 0, a[1]), in_dims=(0, None)
    )(_t(m, A), _t(m, B[0])),
}


def test_inplace_into_unbatched_is_refused():
    for m in (retrograd, torch):
        with pytest.raises(RuntimeError, match=r"match the broadcast shape \[4, 3\]"):
            m.func.vmap(lambda a, b: b.add_(a), in_dims=(0, None))(_t(m, A), _t(m, B[0]))


def test_inplace_of_an_unbatched_operand_into_a_batched_tensor():
    """An in-place op whose operand is the same for every sample (checked before the op
    runs, from per-sample shapes) writes into the batched tensor."""
    _both(
        lambda m: m.func.vmap(lambda a, b: (a.abs() * 1).pow_(b).lerp_(b, 0.5), in_dims=(0, None))(
            _t(m, A), _t(m, P[0])
        )
    )


def test_backend_transfer_inside_vmap_moves_the_batch():
    """``.to(other backend)`` inside vmap (PyTorch's ``.to(device)``): the batch moves
    once and stays batched; values and the way back unchanged."""
    pytest.importorskip("jax")
    x = retrograd.tensor(A)
    other = "numpy" if x.backend.name == "jax" else "jax"
    out = retrograd.func.vmap(lambda a: (a.to(other) * 2).to(x.backend.name))(x)
    np.testing.assert_array_equal(out.numpy(), (x * 2).numpy())
    moved = retrograd.func.vmap(lambda a: a.to(other).to(retrograd.float64))(x)
    assert moved.backend.name == other and tuple(moved.shape) == A.shape


def test_inplace_on_an_input_writes_through():
    def make(m):
        x = _t(m, A)
        m.func.vmap(lambda a: a.mul_(2), in_dims=1)(x)
        return x

    _both(make)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    _same_error(ERRORS[name])


def test_printing_inside_vmap_matches_torch():
    def shown(m):
        seen = []
        m.func.vmap(m.func.vmap(lambda a: seen.append(repr(a)) or a))(_t(m, C[:2, :2, :1]))
        return seen

    assert shown(retrograd) == shown(torch)


def test_non_tensor_output_with_out_dim_none():
    assert retrograd.func.vmap(lambda a: (a, 3), out_dims=(0, None))(_t(retrograd, A))[1] == 3


def test_randomness_same_shares_one_draw():
    retrograd.manual_seed(0)
    out = retrograd.func.vmap(lambda a: a * 0 + retrograd.rand(3), randomness="same")(
        retrograd.tensor(A)
    )
    assert (out == out[0]).all()


def test_an_op_without_batching_rule_is_named():
    batching.RULES_BACKUP = batching.RULES.pop("cumulative_sum")
    try:
        with pytest.raises(RuntimeError, match="cumsum.*cannot be batched"):
            retrograd.func.vmap(lambda a: a.cumsum(0))(retrograd.tensor(A))
    finally:
        batching.RULES["cumulative_sum"] = batching.RULES_BACKUP


# -- where PyTorch uses vmap -----------------------------------------------------------------
def test_jacobian_vectorize_matches_torch():
    def make(m, create_graph):
        def f(a, b):
            return a.sin() * b.sum(), (a.exp().sum() * b).tanh(), b.sum() * 0 + 1

        args = (_t(m, A[0]), _t(m, M[:2, :2].copy()))
        return m.autograd.functional.jacobian(f, args, vectorize=True, create_graph=create_graph)

    _both(lambda m: make(m, False))
    _both(lambda m: make(m, True), live_check=False)
    _both(
        lambda m: m.autograd.functional.hessian(
            lambda a: (a.sin() * a).sum() ** 2, _t(m, A[0]), vectorize=True
        )
    )


@pytest.mark.parametrize("chunk_size", [None, 1, 2])
def test_jacrev_chunk_size(chunk_size):
    _both(
        lambda m: m.func.jacrev(lambda a, w: (a @ w).tanh(), argnums=(0, 1), chunk_size=chunk_size)(
            _t(m, A[0]), _t(m, M)
        )
    )


def test_is_grads_batched_is_one_batched_pass():
    def calls(size):
        counted = []
        backend = get_backend()
        saved = backend.kernels
        backend.kernels = type(saved)(
            {n: _counting(counted, n, fn) for n, fn in backend.base_kernels.items()}
        )
        try:
            x = retrograd.tensor(A[0], requires_grad=True)
            y = (x.sin() * x).exp()
            v = retrograd.tensor(RNG.standard_normal((size, 3)))
            retrograd.autograd.grad(y, x, v, is_grads_batched=True)
        finally:
            backend.kernels = saved
        return counted

    assert calls(2) == calls(50)


def test_is_grads_batched_mismatched_sizes():
    def make(m):
        x = _t(m, A[0], True)
        y = x * 2
        return m.autograd.grad((y, y), x, (_t(m, A[:2]), _t(m, A)), is_grads_batched=True)

    _same_error(make)


def test_gradcheck_check_batched_grad():
    for m in (retrograd, torch):
        x, w = _t(m, A[0], True), _t(m, M.T[:2].copy(), True)

        def f(x, w, m=m):
            return (w @ x.sin()).tanh(), (x * x).sum()

        assert m.autograd.gradcheck(f, (x, w), check_batched_grad=True)
        assert m.autograd.gradgradcheck(f, (x, w), check_batched_grad=True)


def test_gradcheck_check_batched_grad_reports_an_unbatchable_backward():
    class ItemInBackward(retrograd.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2 + g.sum().item() * 0

    x = _t(retrograd, A[0], True)
    assert retrograd.autograd.gradcheck(ItemInBackward.apply, (x,))
    with pytest.raises(retrograd.autograd.GradcheckError, match="While computing batched"):
        retrograd.autograd.gradcheck(ItemInBackward.apply, (x,), check_batched_grad=True)
    assert not retrograd.autograd.gradcheck(
        ItemInBackward.apply, (x,), check_batched_grad=True, raise_exception=False
    )


# -- composition with the other transforms -----------------------------------------------
R = RNG.standard_normal((2, 3, 4))
COMPOSED = {
    "vmap_vmap_grad": lambda m: m.func.vmap(m.func.vmap(m.func.grad(
        lambda x: (x.sin() * x).sum())))(_t(m, R)),
    "grad_vmap_vmap": lambda m: m.func.grad(lambda x: m.func.vmap(m.func.vmap(
        lambda y: y.exp().sum()))(x).sum())(_t(m, R)),
    "vmap_hessian": lambda m: m.func.vmap(m.func.hessian(
        lambda x: (x.sin() * x.sum()).sum()))(_t(m, A)),
    "vmap_jacfwd": lambda m: m.func.vmap(m.func.jacfwd(lambda x: x.sin() * x.sum()))(_t(m, A)),
    "vmap_jvp": lambda m: m.func.vmap(lambda x, v: m.func.jvp(
        lambda z: z.sin() * z.sum(), (x,), (v,)))(_t(m, A), _t(m, B)),
    "jvp_vmap": lambda m: m.func.jvp(m.func.vmap(lambda z: z.sin() * z.sum()),
                                     (_t(m, A),), (_t(m, B),)),
    "empty_batch": lambda m: m.func.vmap(lambda a: a @ _t(m, M))(_t(m, np.zeros((0, 3)))),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMPOSED))
def test_composition_matches_torch(name):
    _both(COMPOSED[name])


def test_restoring_a_snapshot_of_the_batching_table_keeps_the_backends_own_kernels():
    """``saved = dict(table); ...; table.update(saved)`` while vmap's layer is over the
    table (as it stays while a batched array is alive) must not write the layer's kernels
    into the backend's own table, where each would call itself."""
    from retrograd import batching

    backend = retrograd.get_backend("numpy")
    installed_here = type(backend.kernels) is not batching.BatchingKernels
    if installed_here:
        batching.install()
    try:
        table, own = backend.kernels, batching.own_table(backend.kernels)
        before = dict(own)
        table["multiply"], table["add"]  # kernels the layer has made, cached
        table.update(dict(table))
        assert dict(own) == before
        x = retrograd.ones(3, backend="numpy")
        assert (x * 2 + 1).tolist() == [3.0, 3.0, 3.0]
    finally:
        if installed_here:
            batching.uninstall()
