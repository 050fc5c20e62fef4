"""The PyTorch oracle for layers: build a module in both libraries under one seed,
copy PyTorch's parameters into ours, run both on the same inputs and compare outputs,
``grad_fn`` names, and the gradients of the inputs and of every parameter.

A case is ``build(lib) -> module`` and ``call(lib, module, *tensors)``; values are NumPy
arrays (floating ones become leaves that require grad), anything else is passed as is.
Comparison: tests/torch_oracle.py's ``assert_same`` (its tolerance policy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, grad_fn_name, make

torch = pytest.importorskip("torch")


def built_in_both(build: Callable[[Any], Any], seed: int = 0) -> tuple[Any, Any]:
    """``(ours, theirs)``, each built right after ``manual_seed(seed)`` in float64, with
    ours holding PyTorch's parameter values; their names, order and state-dict keys
    are asserted equal first."""
    torch.manual_seed(seed)
    theirs = build(torch).double()
    retrograd.manual_seed(seed)
    ours = build(retrograd).double()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_parameters(theirs, ours)
    return ours, theirs


def copy_parameters(theirs: Any, ours: Any) -> None:
    """Write each of PyTorch's parameters into ours of the same name."""
    mine = dict(ours.named_parameters())
    with retrograd.no_grad():
        for name, p in theirs.named_parameters():
            mine[name].copy_(retrograd.tensor(p.detach().numpy()))


def _outputs(result: Any) -> list:
    items = result if isinstance(result, tuple) else (result,)
    return [t for t in items if t is not None]


def compare_modules(ours: Any, theirs: Any, call: Callable[..., Any], values: list,
                    check_name: bool = True) -> None:  # fmt: skip
    """``call(lib, module, *inputs)`` in both: outputs (each, None where PyTorch's is),
    top ``grad_fn`` names, and the gradients of the floating inputs and the parameters
    for one random upstream gradient per output."""
    ours_in = [make(retrograd, v) for v in values]
    theirs_in = [make(torch, v) for v in values]
    theirs_out = call(torch, theirs, *theirs_in)
    ours_out = call(retrograd, ours, *ours_in)
    if isinstance(theirs_out, tuple):
        assert [o is None for o in ours_out] == [t is None for t in theirs_out]
    mine, theirs_list = _outputs(ours_out), _outputs(theirs_out)
    for o, t in zip(mine, theirs_list):
        assert_same(o, t)
        if check_name:
            assert grad_fn_name(o) == grad_fn_name(t)
    rng = np.random.default_rng(1)
    ups = [rng.standard_normal(tuple(t.shape)) for t in theirs_list]
    sum(((o * retrograd.tensor(u)).sum() for o, u in zip(mine, ups))).backward()
    sum(((t * torch.tensor(u)).sum() for t, u in zip(theirs_list, ups))).backward()
    for i, (o, t) in enumerate(zip(ours_in, theirs_in)):
        if getattr(t, "requires_grad", False):
            assert_same(o.grad, t.grad, f"gradient of input {i}")
    for (name, o), (_, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        if t.grad is None:
            assert o.grad is None or not o.grad.abs().sum().item(), name
        else:
            assert_same(o.grad, t.grad, f"gradient of {name}")
