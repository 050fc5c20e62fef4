"""nn.AdaptiveLogSoftmaxWithLoss, nn.Buffer, nn.CrossMapLRN2d, nn.Container and
torch.func's linearize, stack_module_state, functionalize and
replace_all_batch_norm_modules_, against PyTorch: values, gradients, reprs,
state_dict keys and errors. Harness: tests/torch_oracle.py and tests/module_oracle.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import retrograd
from module_oracle import built_in_both, compare_modules
from torch_oracle import assert_same, assert_same_error, make, rand

torch = pytest.importorskip("torch")

BOTH = (retrograd, torch)


def ints(*values):
    return np.array(values, dtype="int64")


# -- AdaptiveLogSoftmaxWithLoss ----------------------------------------------------------


def asm(lib, head_bias=False):
    return lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=head_bias)


def test_adaptive_repr_and_state_dict_keys():
    ours, theirs = built_in_both(lambda lib: asm(lib, head_bias=True))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("target", [ints(0, 4, 9, 7, 2), ints(4, 1, 1, 1, 1), ints(9, 9, 9, 9, 9)])
@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_forward_and_gradients(target, head_bias):
    ours, theirs = built_in_both(lambda lib: asm(lib, head_bias))
    compare_modules(ours, theirs, lambda lib, m, x, t: tuple(m(x, t)), [rand(5, 8), target])


def test_adaptive_unbatched_and_named_tuple():
    ours, theirs = built_in_both(asm)
    x = rand(8)
    compare_modules(ours, theirs, lambda lib, m, x, t: tuple(m(x, t)), [x, ints(7).reshape(())])
    result = ours(make(retrograd, x), retrograd.tensor(7))
    assert result._fields == ("output", "loss") and result.output.dim() == 0


def test_adaptive_loads_torchs_state_dict():
    torch.manual_seed(3)
    theirs = asm(torch).double()
    ours = asm(retrograd).double()
    state = {k: retrograd.tensor(v.numpy()) for k, v in theirs.state_dict().items()}
    assert repr(ours.load_state_dict(state)) == "<All keys matched successfully>"
    x = rand(6, 8, seed=2)
    compare_modules(ours, theirs, lambda lib, m, x: m.log_prob(x), [x])
    assert_same(ours(make(retrograd, x), retrograd.tensor([1, 5, 9, 0, 3, 8])).loss,
                theirs(make(torch, x), torch.tensor([1, 5, 9, 0, 3, 8])).loss)  # fmt: skip


@pytest.mark.parametrize("scale", [0.0, 1.0, 30.0])
def test_adaptive_predict(scale):
    """The head's bias decides which rows go to the clusters: none, some, all."""
    ours, theirs = built_in_both(lambda lib: asm(lib, head_bias=True))
    bias = np.array([0, 0, 0, 1, 1]) * scale + np.arange(5) * 0.1
    with retrograd.no_grad(), torch.no_grad():
        ours.head.bias.copy_(retrograd.tensor(bias))
        theirs.head.bias.copy_(torch.tensor(bias))
    x = rand(7, 8, seed=4)
    assert_same(ours.predict(make(retrograd, x)), theirs.predict(make(torch, x)))


@pytest.mark.parametrize(
    "cutoffs", [[], [3, 3], [5, 3], [0, 4], [4, 10], [2.5]], ids=lambda c: str(c)
)
def test_adaptive_cutoff_errors(cutoffs):
    assert_same_error(lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs))


@pytest.mark.parametrize(
    "x, t",
    [(rand(5, 8), ints(0, 4, 10, 2, 1)), (rand(5, 8), ints(0, -1, 3, 2, 1)),
     (rand(4, 8), ints(0, 1, 2, 3, 4)), (rand(8), ints(1, 2)), (rand(5, 8), ints(1, 2)[0]),
     (rand(8), ints(1, 2).reshape(1, 2)), (rand(2, 2, 8), ints(1, 2))],
)  # fmt: skip
def test_adaptive_target_errors(x, t):
    ours, theirs = built_in_both(asm)
    with pytest.raises(Exception) as expected:
        theirs(make(torch, x), torch.tensor(t))
    with pytest.raises(type(expected.value)) as got:
        ours(make(retrograd, x), retrograd.tensor(t))
    assert str(got.value) == str(expected.value)


# -- Buffer and Container ----------------------------------------------------------------


def with_buffers(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = lib.nn.Buffer(lib.zeros(2))
            self.b = lib.nn.Buffer(lib.ones(1), persistent=False)
            self.c = lib.ones(3)  # a plain tensor: no buffer

    return M()


def test_buffer_assignment_registers():
    ours, theirs = with_buffers(retrograd), with_buffers(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["a"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    for m in (ours, theirs):
        m.a = m.a.new_ones(3)  # a tensor assigned to a buffer's name stays a buffer
    assert_same(ours.state_dict()["a"], theirs.state_dict()["a"])
    for lib, m in ((retrograd, ours), (torch, theirs)):
        m.b = lib.nn.Buffer(lib.ones(2))  # a persistent Buffer makes "b" persistent
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["a", "b"]


def test_buffer_tensor_semantics():
    for lib in BOTH:
        data = lib.ones(2, requires_grad=True)
        b = lib.nn.Buffer(data, persistent=False)
        assert isinstance(b, lib.nn.Buffer) and isinstance(b, lib.Tensor)
        assert isinstance(b, lib.nn.parameter.Buffer)
        assert b.persistent is False and b.requires_grad and b.is_leaf
        assert not isinstance(lib.ones(1), lib.nn.Buffer)
        b.data.add_(1)
        assert data.tolist() == [2.0, 2.0]  # shares data's memory
    assert repr(retrograd.nn.Buffer(retrograd.ones(2))) == repr(torch.nn.Buffer(torch.ones(2)))
    assert repr(retrograd.nn.Buffer()) == repr(torch.nn.Buffer())


def test_buffer_errors():
    def assign_over_attribute(lib):
        m = lib.nn.Module()
        m.c = 3
        m.c = lib.nn.Buffer(lib.ones(1))

    def assign_int_to_buffer(lib):
        m = lib.nn.Module()
        m.a = lib.nn.Buffer(lib.ones(1))
        m.a = 3

    assert_same_error(assign_over_attribute)
    assert_same_error(assign_int_to_buffer)
    assert_same_error(lambda lib: lib.nn.Buffer([1.0]))


def test_container_is_deprecated():
    for lib in BOTH:
        with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
            c = lib.nn.Container(a=lib.nn.Linear(1, 1))
        assert list(c.state_dict()) == ["a.weight", "a.bias"]
        with pytest.warns(FutureWarning):

            class Sub(lib.nn.Container):
                pass

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            Sub()  # making an instance of a subclass does not warn
    with pytest.warns(FutureWarning):
        assert repr(retrograd.nn.Container(a=retrograd.nn.ReLU())) == repr(
            torch.nn.Container(a=torch.nn.ReLU())
        )
    with pytest.warns(FutureWarning):
        assert_same_error(lambda lib: lib.nn.Container(a=3))


# -- CrossMapLRN2d -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 3, 4, 5])
@pytest.mark.parametrize("channels", [1, 3, 7])
def test_cross_map_lrn2d(size, channels):
    """PyTorch's legacy backward is not the derivative of its forward: both are matched."""
    ours, theirs = built_in_both(lambda lib: lib.nn.CrossMapLRN2d(size, 0.5, 0.75, 1.5))
    assert repr(ours) == repr(theirs)
    compare_modules(ours, theirs, lambda lib, m, x: m(x), [rand(2, channels, 3, 2)])


def test_cross_map_lrn2d_errors():
    assert_same_error(lambda lib: lib.nn.CrossMapLRN2d(3)(lib.ones(2, 3, 4)))

    def size_one_backward(lib):
        x = lib.ones(1, 3, 2, 2, requires_grad=True)
        lib.nn.CrossMapLRN2d(1)(x).sum().backward()

    assert_same_error(size_one_backward)


# -- torch.func ----------------------------------------------------------------------------


def test_linearize_values_and_tangents():
    x, y = rand(4), rand(4, seed=1)
    dx, dy = rand(4, seed=2), rand(4, seed=3)
    results = []
    for lib in BOTH:
        out, jvp_fn = lib.func.linearize(
            lambda a, b, lib=lib: {"p": a.sin() * b, "c": lib.ones(2, dtype=lib.float64)},
            make(lib, x, False), make(lib, y, False),
        )  # fmt: skip
        results.append((out, jvp_fn(make(lib, dx, False), make(lib, dy, False))))
    (o_out, o_t), (t_out, t_t) = results
    for key in ("p", "c"):
        assert_same(o_out[key], t_out[key])
        assert_same(o_t[key], t_t[key])


def test_linearize_output_keeps_history():
    for lib in BOTH:
        x = make(lib, rand(3), True)
        out, jvp_fn = lib.func.linearize(lambda a: a * 2, x)
        assert type(out.grad_fn).__name__ == "MulBackward0"
        assert jvp_fn(lib.ones(3, dtype=lib.float64)).tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize(
    "tangents", [lambda lib: (lib.ones(3, dtype=lib.float64),),
                 lambda lib: (lib.ones(2, dtype=lib.float64),) * 2,
                 lambda lib: (lib.ones(3),) * 2]
)  # fmt: skip
def test_linearize_errors(tangents):
    def call(lib):
        x = lib.ones(3, dtype=lib.float64)
        _, jvp_fn = lib.func.linearize(lambda a, b: a * b, x, x)
        jvp_fn(*tangents(lib))

    assert_same_error(call)


def test_stack_module_state_and_vmap_ensemble():
    models = {}
    for lib in BOTH:
        lib.manual_seed(0)
        models[lib] = [lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4)).double()
                       for _ in range(3)]  # fmt: skip
    with retrograd.no_grad():
        for mine, theirs in zip(models[retrograd], models[torch]):
            for (_, p), (_, q) in zip(mine.named_parameters(), theirs.named_parameters()):
                p.copy_(retrograd.tensor(q.detach().numpy()))
    data = rand(5, 3)
    outs = []
    for lib in BOTH:
        params, buffers = lib.func.stack_module_state(models[lib])
        assert all(p.is_leaf and p.requires_grad for p in params.values())
        assert not any(b.requires_grad for b in buffers.values())
        base = models[lib][0]
        out = lib.func.vmap(
            lambda p, b, x, base=base, lib=lib: lib.func.functional_call(base, (p, b), (x,)),
            (0, 0, None),
        )(params, buffers, make(lib, data, False))
        out.sum().backward()
        outs.append((list(params), list(buffers), out, params["0.weight"].grad))
    (po, bo, oo, go), (pt, bt, ot, gt) = outs
    assert (po, bo) == (pt, bt)
    assert_same(oo, ot)
    assert_same(go, gt)


def test_stack_module_state_errors():
    assert_same_error(lambda lib: lib.func.stack_module_state([]))
    assert_same_error(
        lambda lib: lib.func.stack_module_state([lib.nn.Linear(1, 1), lib.nn.Linear(1, 1).eval()])
    )
    assert_same_error(lambda lib: lib.func.stack_module_state([lib.nn.Linear(1, 1), lib.nn.ReLU()]))

    def mixed_requires_grad(lib):
        a, b = lib.nn.Linear(1, 1), lib.nn.Linear(1, 1)
        b.weight.requires_grad_(False)
        lib.func.stack_module_state([a, b])

    assert_same_error(mixed_requires_grad)


def test_replace_all_batch_norm_modules_():
    for lib in BOTH:
        net = lib.nn.Sequential(
            lib.nn.BatchNorm1d(3), lib.nn.Sequential(lib.nn.BatchNorm2d(2)),
            lib.nn.InstanceNorm1d(3, track_running_stats=True),
        )  # fmt: skip
        assert lib.func.replace_all_batch_norm_modules_(net) is net
        for bn in (net[0], net[1][0]):
            assert bn.running_mean is None and bn.running_var is None
            assert bn.num_batches_tracked is None and bn.track_running_stats is False
        assert net[2].track_running_stats and net[2].running_mean is not None
        keys = [k for k in net.state_dict() if "running" in k or "batches" in k]
        assert keys == ["2.running_mean", "2.running_var", "2.num_batches_tracked"]
    x = rand(4, 3, seed=5)
    outs = [lib.func.replace_all_batch_norm_modules_(lib.nn.BatchNorm1d(3).double().eval())(
        make(lib, x, False)) for lib in BOTH]  # fmt: skip
    assert_same(*outs)  # eval without running stats normalizes with the batch's


def mutating(a):
    b = a.clone()
    b.add_(1)
    b.view(-1).mul_(2)
    a.add_(1)
    return b * a


def test_functionalize_keeps_semantics():
    x = rand(2, 3)
    results = []
    for lib in BOTH:
        inp = make(lib, x, False)
        out = lib.func.functionalize(mutating)(inp)
        grads = lib.func.grad(lambda t, lib=lib: lib.func.functionalize(mutating)(t.clone()).sum())(
            make(lib, x, False)
        )
        results.append((inp, out, grads))
    for ours, theirs in zip(*results):
        assert_same(ours, theirs)
    assert retrograd.func.functionalize(mutating).__name__ == "mutating"


def test_functionalize_remove_argument():
    for remove in ("mutations", "mutations_and_views"):
        assert retrograd.func.functionalize(mutating, remove=remove)(retrograd.ones(2)) is not None
    assert_same_error(lambda lib: lib.func.functionalize(mutating, remove="views"))
