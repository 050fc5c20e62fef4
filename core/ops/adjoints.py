"""Conjugate transposes: ``adjoint`` (function and method) and the properties ``mH`` and
``H``. retrograd has no complex dtypes, so each is a transpose of the last two dims (a
view, ``TransposeBackward0``), with PyTorch's checks of the number of dims.
"""

from __future__ import annotations

import warnings

from ..tensor import Tensor
from .helpers import check_tensor
from .shape import transpose

_BATCHES = "is only supported on matrices or batches of matrices. Got {n}-D tensor."


def _zero_d(what: str) -> None:
    warnings.warn(f"{what} is deprecated on 0-D tensors. Consider using x.conj().", stacklevel=3)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of a matrix or a batch of matrices (a view); a 0-d tensor
    is returned as it is, with PyTorch's deprecation warning."""
    check_tensor("adjoint", input)
    if input.dim() == 0:
        _zero_d("adjoint()")
        return input
    if input.dim() < 2:
        raise RuntimeError("tensor.adjoint() " + _BATCHES.format(n=input.dim()))
    return transpose(input, -2, -1)


def _matrix_adjoint(self: Tensor) -> Tensor:
    if self.dim() < 2:
        raise RuntimeError("tensor.mH " + _BATCHES.format(n=self.dim()))
    return transpose(self, -2, -1)


def _hermitian(self: Tensor) -> Tensor:
    n = self.dim()
    if n == 0:
        _zero_d("Tensor.H")
        return self
    if n != 2:
        hint = " For batches of matrices, consider using tensor.mH" if n > 2 else ""
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor.{hint}"
        )
    return transpose(self, 0, 1)


FUNCTIONS = {"adjoint": adjoint}
METHODS = {"mH": property(_matrix_adjoint), "H": property(_hermitian)}
