"""Pickle and ``copy.deepcopy`` of tensors, compared with PyTorch."""

import copy
import pickle

import pytest
import retrograd

torch = pytest.importorskip("torch")


def _facts(t):
    return (tuple(t.shape), str(t.dtype).split(".")[-1], t.requires_grad, t.is_leaf, t.tolist())


@pytest.mark.parametrize("shape", [(0, 3), (2, 0, 4), (0,), (), (2, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "bool"])
@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_round_trip_keeps_shape_and_dtype(shape, dtype, how):
    def run(lib):
        t = lib.ones(shape, dtype=getattr(lib, dtype))
        return t, (copy.deepcopy(t) if how == "deepcopy" else pickle.loads(pickle.dumps(t)))

    t, got = run(retrograd)
    assert _facts(got) == _facts(run(torch)[1])
    assert got.backend is t.backend


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_leaf_keeps_requires_grad_and_grad_as_torch(how):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.grad = lib.tensor([5.0, 6.0])
        c = copy.deepcopy(x) if how == "deepcopy" else pickle.loads(pickle.dumps(x))
        grad = None if c.grad is None else (c.grad.tolist(), c.grad is x.grad)
        x.grad.add_(1)  # the copy's grad must not follow the original's
        grad2 = None if c.grad is None else c.grad.tolist()
        return _facts(c), grad, grad2

    assert run(retrograd) == run(torch)


def test_pickled_non_leaf_as_torch():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        return _facts(pickle.loads(pickle.dumps(x * 2)))

    assert run(retrograd) == run(torch)


def test_deepcopy_of_non_leaf_raises_as_torch():
    def run(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        with pytest.raises(Exception) as info:
            copy.deepcopy(y)
        return info

    mine, theirs = run(retrograd), run(torch)
    assert mine.type is theirs.type is RuntimeError
    assert str(mine.value) == str(theirs.value)


def test_deepcopy_keeps_views_of_one_storage_shared():
    def run(lib):
        base = lib.arange(6.0)
        view = base[1:3]
        alias = base.detach()
        b2, v2, a2 = copy.deepcopy([base, view, alias])
        v2[0] = 100.0
        a2[5] = -1.0
        lone = copy.deepcopy(view)
        lone[1] = 7.0
        return b2.tolist(), base.tolist(), lone.tolist(), view.tolist()

    assert run(retrograd) == run(torch)


def test_pickle_does_not_share_views():
    def run(lib):
        base = lib.arange(4.0)
        b2, v2 = pickle.loads(pickle.dumps([base, base[1:]]))
        v2[0] = 9.0
        return b2.tolist(), v2.tolist()

    assert run(retrograd) == run(torch)
