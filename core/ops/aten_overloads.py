"""The ATen overloads that PyTorch's C++ compositions record and Python code never
reaches: ``add.Scalar`` (``AddBackward1``), ``sub.Scalar`` (``SubBackward1``),
``mul.Scalar`` (``MulBackward1``) and ``norm.ScalarOpt_dim`` (``NormBackward1``).

``x + 1.0`` in Python records ``AddBackward0`` (the number wrapped as a tensor), and
``torch.norm(x, 2, 1)`` goes to ``linalg_vector_norm``; but ``pairwise_distance``,
``triplet_margin_loss``, ``cosine_embedding_loss`` and ``margin_ranking_loss`` are C++
compositions (and ``poisson_nll_loss``'s Stirling term) whose graphs hold these
overloads' nodes. The loss modules call these
functions so that their printed graphs are PyTorch's. They are internal: retrograd has no
public name for them (PyTorch's only is ``torch.ops.aten``).
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .dispatch import finish
from .elementwise import _operands
from .helpers import check_tensor, reduction_dims
from .record import BINARY, REDUCTION, Convention, OpRecord
from .statistics import _norm_grad

ADD_SCALAR = OpRecord(
    "add_scalar", BINARY, "AddBackward1", "add", inputs=("self",),
    grads=(lambda g: g,), public="add", method=False,
    doc="tensor + number, as ATen's add.Scalar records it (C++ compositions)",
)  # fmt: skip
SUB_SCALAR = OpRecord(
    "sub_scalar", BINARY, "SubBackward1", "subtract", inputs=("self",),
    grads=(lambda g: g,), public="sub", method=False,
    doc="tensor - number, as ATen's sub.Scalar records it (C++ compositions)",
)  # fmt: skip
MUL_SCALAR = OpRecord(
    "mul_scalar", BINARY, "MulBackward1", "multiply", inputs=("self",), save=("other",),
    grads=(lambda g, other: g * other,), public="mul", method=False,
    doc="tensor * number, as ATen's mul.Scalar records it (C++ compositions)",
)  # fmt: skip
NORM_DIM = OpRecord(
    "norm_scalaropt_dim",
    REDUCTION,
    "NormBackward1",
    "vector_norm",
    save=("self", "result", "p", "dims", "keepdim"),
    grads=(_norm_grad,),
    public="norm",
    method=False,
    doc="ATen's norm.ScalarOpt_dim (pairwise_distance); the gradient is linalg's",
    conventions=(
        Convention(
            ([0.0, 0.0, 0.0],), ([0.0, 0.0, 0.0],), (("p", 2), ("dim", None), ("keepdim", False))
        ),
    ),
)
RECORDS = (ADD_SCALAR, SUB_SCALAR, MUL_SCALAR, NORM_DIM)


def add_scalar(input: Tensor, other: float) -> Tensor:
    """``input + other`` for a Python number ``other``, recorded as ``AddBackward1``."""
    backend, dtype, a, b = _operands(ADD_SCALAR, input, other)
    return finish(ADD_SCALAR, backend.kernels["add"](a, b), dtype, backend, (input,))


def sub_scalar(input: Tensor, other: float) -> Tensor:
    """``input - other`` for a Python number ``other``, recorded as ``SubBackward1``."""
    backend, dtype, a, b = _operands(SUB_SCALAR, input, other)
    return finish(SUB_SCALAR, backend.kernels["subtract"](a, b), dtype, backend, (input,))


def mul_scalar(input: Tensor, other: float) -> Tensor:
    """``input * other`` for a Python number ``other``, recorded as ``MulBackward1``."""
    backend, dtype, a, b = _operands(MUL_SCALAR, input, other)
    out = backend.kernels["multiply"](a, b)
    return finish(MUL_SCALAR, out, dtype, backend, (input,), {"other": other})


def norm_scalaropt_dim(input: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The vector ``p``-norm over ``dim`` (all dims for None; ``"fro"`` is 2), recorded as
    ``NormBackward1``; ``p`` >= 0 or inf, as :func:`retrograd.norm` allows."""
    check_tensor("norm", input)
    p = 2 if p == "fro" else p
    if p < 0:
        raise RuntimeError(f"norm(): retrograd supports p >= 0 and inf, got p={p!r}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. "
            f"Got {str(input.dtype).removeprefix('torch.').capitalize()} instead."
        )
    dims = reduction_dims("norm", input, dim)
    backend = input._backend
    out = backend.kernels["vector_norm"](input._storage.array, p, dims, keepdim)
    params = {"p": p, "dims": dims, "keepdim": keepdim}
    return finish(NORM_DIM, out, input.dtype, backend, (input,), params)
