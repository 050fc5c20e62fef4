"""What ``retrograd.linalg``'s ops check, in PyTorch's words: the shape and dtype of a
matrix argument, and (``LinAlgError``) the singular or non-positive-definite matrices
LAPACK reports through its ``info``.

A kernel returns ``info`` per matrix instead of raising (see
``retrograd_backends.linalg_kernels``); :func:`raise_on_info` hands the first nonzero one
to the backend's ``checked`` kernel, so an eager backend raises now and a lazy one (Dask)
when the result is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .helpers import check_tensor


class LinAlgError(RuntimeError):
    """PyTorch's ``torch.linalg.LinAlgError``: a matrix LAPACK cannot factor (singular,
    not positive-definite). A RuntimeError, as PyTorch's."""


LinAlgError.__module__ = "torch.linalg"


def check_matrix(op: str, a: Any, square: bool = True, name: str = "A") -> Tensor:
    """``a`` as a (batch of) floating matrices, square where ``square``; else PyTorch's
    RuntimeError naming ``op``."""
    check_tensor(op.rpartition(".")[2], a, name if name != "A" else "input")
    if a.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{op}: {name} must be batches of square matrices, but they are "
            f"{a.shape[-2]} by {a.shape[-1]} matrices"
        )
    check_floating(op, a)
    return a


def check_floating(op: str, a: Tensor) -> None:
    if not a.dtype.is_floating_point:
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got "
            f"{dtypes.kind_name(a.dtype)}"
        )


def check_right_side(A: Tensor, B: Tensor, name: str) -> None:  # noqa: N803
    """PyTorch's error when ``B``'s rows do not match the square matrices ``A``;
    ``name`` is the op's name as the message gives it."""
    if B.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for {name}: each A matrix is {A.shape[-2]} by "
            f"{A.shape[-1]} but each b matrix is {B.shape[-2]} by {B.shape[-1]}"
        )


def check_pivots_shape(op: str, factor: Tensor, pivots: Tensor, factor_name: str) -> None:
    """PyTorch's error when ``pivots`` is not one row index per row of ``factor``'s
    matrices (``factor_name``: LU or LD, as the message says)."""
    if tuple(pivots.shape) != tuple(factor.shape[:-1]):
        raise RuntimeError(
            f"{op}: Expected {factor_name}.shape[:-1] and pivots.shape to be the same, but "
            f"got pivots with shape {list(pivots.shape)} instead"
        )


def singular_message(op: str) -> Callable[[str, int], str]:
    """The message of ``op`` (``linalg.inv``) for a zero pivot ``info``."""
    return lambda prefix, info: (
        f"{op}: {prefix}The diagonal element {info} is zero, the inversion could not be "
        "completed because the input matrix is singular."
    )


def not_positive_definite_message(op: str) -> Callable[[str, int], str]:
    """The message of ``op`` (``linalg.cholesky``) for a bad leading minor ``info``."""
    return lambda prefix, info: (
        f"{op}: {prefix}The factorization could not be completed because the input is not "
        f"positive-definite (the leading minor of order {info} is not positive-definite)."
    )


def solver_message(op: str) -> Callable[[str, int], str]:
    """The message of ``op`` (``torch.linalg.solve``) for a singular matrix."""
    return lambda prefix, info: f"{op}: The solver failed because the input matrix is singular."


def raise_on_info(
    result: Any,
    info: Any,
    backend: Any,
    batched: bool,
    message: Callable[[str, int], str],
    error: type[Exception] = LinAlgError,
) -> Any:
    """``result`` (a backend array) once the first nonzero ``info`` has raised
    ``error(message(prefix, info))`` (LinAlgError unless the op raises another);
    ``prefix`` names the batch element where the input is a batch (``batched``), as
    PyTorch's does."""
    k = backend.kernels
    flat = k["reshape"](info, (-1,))
    if flat.shape[0] == 0:
        return result
    bad = k["not_equal"](flat, 0)
    first = k["argmax"](bad)
    positions = k["arange"](0, flat.shape[0], 1, backend.native_dtype(dtypes.int64))
    value = k["sum"](k["where"](k["equal"](positions, first), flat, k["zeros_like"](flat)))

    per_sample = flat.shape[0]

    def check(index: int, code: int, sample: int | None = None) -> None:
        if code != 0:
            if sample is not None:  # under vmap: the samples are the batch's elements
                index, batched_here = sample * per_sample + index, True
            else:
                batched_here = batched
            prefix = f"(Batch element {index}): " if batched_here else ""
            raise error(message(prefix, code))

    return k["checked"](result, check, first, value)
