"""The deprecated ``torch.triangular_solve(b, A)``, with PyTorch's node
(``TriangularSolveBackward0``) and warning: ``(solution, cloned_coefficient)`` for
``op(A) X = b``, ``op(A)`` being ``A``'s upper or lower triangle (its diagonal taken as
ones where ``unitriangular``), transposed where ``transpose``; the coefficient is ``A``
copied to the batch shape. The forward and the rules are ``linalg.solve_triangular``'s
(see ``linalg_triangular``) on ``op(A)``; the copy passes its gradient to ``A``.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import dtypes
from ..grad_mode import no_grad
from ..grad_mode import state as _grad_state
from ..tensor import Tensor
from . import return_types
from .dispatch import broadcast_shapes
from .helpers import check_tensor, not_implemented
from .linalg_checks import check_right_side
from .linalg_triangular import _on_triangle, solve_triangular
from .nodes import MultiOutputRecord, finish_outputs
from .record import LINALG


def _grads(grads: tuple, b: Tensor, a: Tensor, x: Tensor, upper: bool, transpose: bool,
           unitriangular: bool) -> tuple:  # fmt: skip
    gx, gm = (tuple(grads) + (None, None))[:2]
    ga = gb = None
    if gx is not None:
        op_a, op_upper = (a.mT, not upper) if transpose else (a, upper)
        if _grad_state.enabled:  # create_graph: the solution with its graph
            x = solve_triangular(op_a, b, upper=op_upper, unitriangular=unitriangular)
        gb = solve_triangular(op_a.mT, gx, upper=not op_upper, unitriangular=unitriangular)
        ga = _on_triangle(-(gb @ x.mT), op_upper, unitriangular)
        ga = ga.mT if transpose else ga
    if gm is not None:
        ga = gm if ga is None else ga + gm
    return gb, ga


TRIANGULAR_SOLVE = MultiOutputRecord(
    "triangular_solve", LINALG, "TriangularSolveBackward0", "linalg_solve", inputs=("self", "A"),
    save=("self", "A", "solution", "upper", "transpose", "unitriangular"), grads=(_grads,),
    float_only=True, doc="(X, A copied) for op(A) X = b; linalg.solve_triangular's rules",
)  # fmt: skip
RECORDS = (TRIANGULAR_SOLVE,)

_DEPRECATED = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be "
    "removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
    "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
    "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B)."
)


def _check(b: Any, A: Any) -> None:  # noqa: N803 - PyTorch's name
    check_tensor("triangular_solve", b, "input")
    check_tensor("triangular_solve", A, "A")
    for name, t in (("b", b), ("A", A)):
        if t.dim() < 2:
            raise RuntimeError(
                f"torch.triangular_solve: Expected {name} to have at least 2 dimensions, but it "
                f"has {t.dim()} dimensions instead"
            )
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"A must be batches of square matrices, but they are {A.shape[-2]} by "
            f"{A.shape[-1]} matrices"
        )
    check_right_side(A, b, "triangular_solve")
    if b.dtype is not A.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type "
            f"{dtypes.kind_name(b.dtype)} and A of type {dtypes.kind_name(A.dtype)} instead."
        )
    if A.dtype not in (dtypes.float32, dtypes.float64):
        raise not_implemented("triangular_solve", A._backend, A.dtype)


def triangular_solve(
    input: Tensor,
    A: Tensor,  # noqa: N803 - PyTorch's name
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
) -> Any:
    """``(solution, cloned_coefficient)`` of ``op(A) X = input`` (deprecated, with
    PyTorch's warning; see the module)."""
    warnings.warn(_DEPRECATED, UserWarning, stacklevel=2)
    _check(input, A)
    batch = broadcast_shapes("triangular_solve", tuple(input.shape[:-2]), tuple(A.shape[:-2]))
    with no_grad():
        a, b = A.detach(), input.detach()
        op_a, op_upper = (a.mT, not upper) if transpose else (a, upper)
        x = solve_triangular(op_a, b, upper=op_upper, unitriangular=unitriangular)
        x = x.expand(*batch, *x.shape[-2:]).contiguous()
        copy = a.expand(*batch, *a.shape[-2:]).clone()
    params = {"solution": x, "upper": upper, "transpose": transpose,
              "unitriangular": unitriangular}  # fmt: skip
    outs = finish_outputs(TRIANGULAR_SOLVE, [x.clone(), copy], (input, A), params)
    return return_types.triangular_solve(*outs)


FUNCTIONS = {"triangular_solve": triangular_solve}
