"""``nn.utils.parametrizations.orthogonal`` against PyTorch: the three maps on square,
tall, wide and batched weights, with and without the trivialization; the weight after
registration and after a few optimizer steps, its orthogonality, assignment and errors.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd as rg
from torch_oracle import rand

torch = pytest.importorskip("torch")


def _pair(shape, seed=0):
    """A Linear-like module holding ``weight`` of ``shape`` (float64) in each library."""
    value = rand(*shape, seed=seed)
    modules = []
    for lib in (rg, torch):
        module = lib.nn.Module()
        module.weight = lib.nn.Parameter(lib.tensor(value.tolist(), dtype=lib.float64))
        modules.append(module)
    return modules


def _close(got, want, tol=1e-10):
    np.testing.assert_allclose(np.asarray(got.detach().tolist()),
                               np.asarray(want.detach().tolist()), rtol=tol, atol=tol)  # fmt: skip


def _orthogonalize(mine, theirs, **kw):
    for lib, module in ((rg, mine), (torch, theirs)):
        lib.manual_seed(0)  # a non-square base draws its completion from the stream
        lib.nn.utils.parametrizations.orthogonal(module, **kw)


def _train(module, lib, steps=3):
    opt = lib.optim.SGD(module.parameters(), lr=0.1)
    target = lib.tensor(rand(*module.weight.shape, seed=9).tolist(), dtype=lib.float64)
    for _ in range(steps):
        opt.zero_grad()
        (module.weight * target).sum().backward()
        opt.step()
    return module.weight


CASES = [((4, 4), None), ((4, 4), "cayley"), ((4, 4), "householder"), ((5, 3), None),
         ((3, 5), "matrix_exp"), ((2, 4, 3), "cayley"), ((2, 3, 3), "householder")]  # fmt: skip


@pytest.mark.parametrize("shape,kind", CASES, ids=str)
@pytest.mark.parametrize("trivial", [True, False])
def test_weight_and_training_as_pytorch(shape, kind, trivial):
    if not trivial and kind != "householder" and (kind or shape[-1] == shape[-2]):
        pytest.skip("PyTorch cannot assign to these maps without the trivialization")
    mine, theirs = _pair(shape)
    _orthogonalize(mine, theirs, orthogonal_map=kind, use_trivialization=trivial)
    _close(mine.weight, theirs.weight)
    _close(mine.parametrizations.weight.original, theirs.parametrizations.weight.original)
    _close(_train(mine, rg), _train(theirs, torch), tol=1e-9)
    w = mine.weight.detach()
    small = w.mT @ w if shape[-2] >= shape[-1] else w @ w.mT
    _close(small, rg.eye(min(shape[-2:]), dtype=rg.float64).expand(small.shape))


def test_assigning_an_orthogonal_matrix():
    mine, theirs = _pair((3, 3))
    _orthogonalize(mine, theirs)
    q = rand(3, 3, seed=4)
    q = np.linalg.qr(q)[0]
    mine.weight = rg.tensor(q.tolist(), dtype=rg.float64)
    theirs.weight = torch.tensor(q.tolist(), dtype=torch.float64)
    _close(mine.weight, theirs.weight)
    _close(mine.parametrizations.weight[0].base, theirs.parametrizations.weight[0].base)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, m: lib.nn.utils.parametrizations.orthogonal(m, "nothing"),
        lambda lib, m: lib.nn.utils.parametrizations.orthogonal(m, orthogonal_map="qr"),
        lambda lib, m: setattr(lib.nn.utils.parametrizations.orthogonal(
            m, orthogonal_map="cayley", use_trivialization=False), "weight", lib.eye(3)),
        lambda lib, m: lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(3, 3), "bias"),
    ],
)  # fmt: skip
def test_errors_as_pytorch(call):
    mine, theirs = _pair((3, 3))
    with pytest.raises(Exception) as want:
        call(torch, theirs)
    with pytest.raises(type(want.value)) as got:
        call(rg, mine)
    assert str(got.value) == str(want.value)
