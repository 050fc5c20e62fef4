"""The PyTorch oracle harness the op tests share: one way to build the same inputs in both
libraries, one comparison, one tolerance policy.

A case is ``fn(lib, *tensors)``, run once with ``lib=retrograd`` and once with
``lib=torch`` on tensors made from the same NumPy arrays (floating ones require grad).
:func:`run_both` compares what PyTorch defines: the exception type when PyTorch raises,
else the output (shape, dtype, values), ``requires_grad``, the ``grad_fn`` class name,
the gradient of every input for one random upstream gradient and, if asked, the second
derivatives.

Tolerance policy (:data:`TOL`), the same for every case: per dtype, ``(rtol, atol)``
wide enough for a few roundings in another order of summation, amplified where an op is
ill-conditioned (float64's rtol of 1e-8 covers binary cross-entropy's gradient at its
1e-12 floor, which amplifies rounding a million times), and no wider. NaNs must sit at
the same places. On a GPU backend float64's rtol is 1e-7: cuBLAS sums a matrix product in
another order than the CPU oracle (2.2e-8 seen on an H200 in the attention classifier).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import retrograd
from numpy.testing import assert_allclose
from retrograd.ops import RECORDS
from retrograd.ops.record import BINARY, UNARY

torch = pytest.importorskip("torch")


def rand(*shape: int, seed: int = 0, low: float = -2.0, high: float = 2.0,
         dtype: str = "float64") -> np.ndarray:  # fmt: skip
    """Uniform values in ``[low, high)`` of ``shape``, the same for a given ``seed``."""
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def arr(*values: float, dtype: str = "float64") -> np.ndarray:
    """A vector of ``values``."""
    return np.array(values, dtype=dtype)


def assert_same_error(fn: Callable[..., Any], *values: Any, whole: bool = True) -> None:
    """``fn(torch, *tensors)`` raises, and ``fn(retrograd, *tensors)`` raises the same type
    with a message that starts with PyTorch's (its first line only, where ``whole`` is
    False: some of PyTorch's messages go on with C++ context). ``values`` are made tensors
    in each library (none: ``fn(lib)``)."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *(torch.tensor(v) for v in values))
    with pytest.raises(type(theirs.value)) as ours:
        fn(retrograd, *(retrograd.tensor(v) for v in values))
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    expected = str(theirs.value) if whole else str(theirs.value).splitlines()[0]
    assert str(ours.value).startswith(expected), (str(ours.value), str(theirs.value))


TOL = {"float16": (1e-3, 1e-3), "float32": (1e-5, 1e-6), "float64": (1e-8, 1e-12)}
GPU_TOL = {**TOL, "float64": (1e-7, 1e-12)}
# The oracle's version: a few cases need PyTorch 2.13's behaviour (the GPU machine's
# PyTorch is older).
TORCH_VERSION = tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])


# The records whose cases are generated (in test_ops_vs_torch.py) rather than written:
# unary math, and binary ops of two tensors without other parameters.
# (a unary overload under another public name, acosh_'s result form, is not PyTorch's name)
# Only ops called as ``retrograd.<name>(tensors)`` and ``t.<name>(...)`` are generated:
# torch.special's (``special.i0e``) and those with a required parameter (``polygamma``'s
# n) are written as cases (tests/test_ops_special.py and tests/test_ops_surface.py).
def _plain_surface(record: Any) -> bool:
    fn = getattr(retrograd, record.public, None)
    if fn is None or not hasattr(retrograd.Tensor, record.public):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [
        p for p in inspect.signature(fn).parameters.values()
        if p.default is p.empty and p.kind in positional
    ]  # fmt: skip
    return len(required) == len(record.inputs)


UNARY_RECORDS = [
    r for r in RECORDS if r.kind == UNARY and r.name == r.public and _plain_surface(r)
]  # fmt: skip
BINARY_PAIR_RECORDS = [
    r for r in RECORDS
    if r.kind == BINARY and len(r.inputs) == 2 and r.name == r.public
    and set(r.save) <= {*r.inputs, "result", "alpha"} and _plain_surface(r)
]  # fmt: skip
GENERATED = {r.name for r in (*UNARY_RECORDS, *BINARY_PAIR_RECORDS)}


def make(lib: Any, value: Any, requires_grad: bool | None = None) -> Any:
    """A leaf of ``lib`` holding ``value`` (a NumPy array; anything else is passed as
    is); by default floating leaves require grad."""
    if not isinstance(value, np.ndarray):
        return value
    t = lib.tensor(value.tolist(), dtype=getattr(lib, value.dtype.name))
    if value.size == 0:  # nested lists lose an empty array's shape
        t = t.reshape(value.shape)
    return t.requires_grad_(value.dtype.kind == "f" if requires_grad is None else requires_grad)


def host(t: Any) -> np.ndarray:
    """``t``'s values as a NumPy array (``clone()`` materializes PyTorch's lazy zeros)."""
    t = t.detach().clone()
    return np.asarray(t.tolist() if t.dim() else t.item())


def assert_same(ours: Any, theirs: Any, what: str = "output") -> None:
    """Same shape, dtype and values (to :data:`TOL`; NaNs in the same places)."""
    assert isinstance(ours, retrograd.Tensor), f"{what}: got {type(ours).__name__}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {ours.shape}"
    assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} {theirs.dtype}"
    policy = GPU_TOL if ours.device.type == "cuda" else TOL
    rtol, atol = policy.get(str(theirs.dtype).removeprefix("torch."), (0, 0))
    ours_v, theirs_v = host(ours).astype(np.float64), host(theirs).astype(np.float64)
    assert_allclose(ours_v, theirs_v, rtol, atol, err_msg=what, equal_nan=True)


def graph_names(t: Any) -> list[str]:
    """The names of every node reachable from ``t.grad_fn``, breadth first (PyTorch's
    ``torch::autograd::`` prefix dropped), to compare a composed op's whole graph."""
    names, queue = [], [t.grad_fn]
    while queue:
        node = queue.pop(0)
        if node is not None:
            names.append(node.name().replace("torch::autograd::", ""))
            queue += [child for child, _ in node.next_functions]
    return names


def graph_tree(node: Any, depth: int) -> Any:
    """``(name, [child names], [child trees])`` of ``node``'s graph to ``depth`` levels,
    depth first, ``None`` for a missing edge: two graphs compare equal where PyTorch's
    and ours record the same nodes in the same order."""
    if node is None or depth == 0:
        return None
    names = [n if n is None else n.name().removeprefix("torch::autograd::") for n, _ in
             node.next_functions]  # fmt: skip
    return (node.name(), names, [graph_tree(n, depth - 1) for n, _ in node.next_functions])


def grad_fn_name(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _upstream(lib: Any, like: Any, seed: int) -> Any:
    values = np.random.default_rng(seed).standard_normal(tuple(like.shape))
    return make(lib, values.astype(str(like.dtype).removeprefix("torch.")), False)


def run_both(
    fn: Callable[..., Any],
    values: list,
    *,
    second_order: bool = False,
    check_name: bool = True,
    seed: int = 1,
) -> None:
    """Run ``fn`` on ``values`` in both libraries and compare (see the module docstring).
    ``check_name=False`` skips the ``grad_fn`` name (a composite op records other nodes)."""
    ours_in = [make(retrograd, v) for v in values]
    theirs_in = [make(torch, v) for v in values]
    try:
        theirs = fn(torch, *theirs_in)
    except (RuntimeError, TypeError, IndexError, ValueError, NotImplementedError) as error:
        with pytest.raises(type(error)):
            fn(retrograd, *ours_in)
        return
    ours = fn(retrograd, *ours_in)
    assert_same(ours, theirs)
    assert ours.requires_grad == theirs.requires_grad
    if check_name:
        assert grad_fn_name(ours) == grad_fn_name(theirs)
    if not theirs.requires_grad:
        return
    leaves = [(o, t) for o, t in zip(ours_in, theirs_in) if getattr(t, "requires_grad", False)]
    ours_in, theirs_in = [o for o, _ in leaves], [t for _, t in leaves]
    try:
        tg = torch.autograd.grad(theirs, theirs_in, _upstream(torch, theirs, seed),
                                 create_graph=second_order, allow_unused=True)  # fmt: skip
    except RuntimeError as error:  # an op PyTorch has no derivative for (``//``)
        with pytest.raises(RuntimeError, match=re.escape(str(error))):
            retrograd.autograd.grad(ours, ours_in, _upstream(retrograd, theirs, seed))
        return
    og = retrograd.autograd.grad(ours, ours_in, _upstream(retrograd, theirs, seed),
                                 create_graph=second_order, allow_unused=True)  # fmt: skip
    for i, (a, b) in enumerate(zip(og, tg)):
        if b is None:
            assert a is None or not host(a).any(), f"gradient {i}"
        else:
            assert_same(a, b, f"gradient of input {i}")
    if second_order:
        _second_order(ours_in, theirs_in, og, tg, seed)


def _second_order(ours_in: list, theirs_in: list, og: tuple, tg: tuple, seed: int) -> None:
    """Differentiate the first-order gradients again (all at once) and compare. Where
    ours knows a gradient is constant (no graph), PyTorch's second derivative must be 0."""
    keep = [i for i, g in enumerate(tg) if g is not None and g.requires_grad]
    linear = [i for i in keep if og[i] is None or not og[i].requires_grad]
    for i in linear:
        t2 = torch.autograd.grad(tg[i].sum(), theirs_in, allow_unused=True, retain_graph=True)
        assert all(g is None or not g.any() for g in t2), "second derivative is not zero"
    keep = [i for i in keep if i not in linear]
    if not keep:
        return
    o2 = retrograd.autograd.grad([og[i] for i in keep], ours_in,
                                 [_upstream(retrograd, tg[i], seed + 1 + i) for i in keep],
                                 allow_unused=True)  # fmt: skip
    t2 = torch.autograd.grad([tg[i] for i in keep], theirs_in,
                             [_upstream(torch, tg[i], seed + 1 + i) for i in keep],
                             allow_unused=True)  # fmt: skip
    for a, b in zip(o2, t2):
        if b is not None:
            assert a is not None, "second derivative missing"
            assert_same(a, b, "second derivative")
