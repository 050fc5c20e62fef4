"""The extrema: ``amax``/``amin``, ``max``/``min`` (of all elements, along a ``dim`` with
their indices, or of two tensors), ``argmax``/``argmin``.

PyTorch's conventions at ties, kept here: ``amax``/``amin`` and the whole-tensor
``max()``/``min()`` share the gradient evenly among the tied elements; ``max(dim)``/
``min(dim)`` give it all to the element whose index they return (the first).
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..arguments import MISSING
from ..tensor import Tensor
from . import return_types
from .dispatch import finish
from .helpers import check_keepdim, check_tensor, one_dim, reduction_dims, zeros_on
from .pointwise_binary import FUNCTIONS as _BINARY
from .record import REDUCTION, Convention, OpRecord
from .reductions import expand_back


def _even_split(g: Tensor, a: Tensor, result: Tensor, dims: Any, keepdim: bool) -> Tensor:
    shape = a.shape
    # A NaN result equals nothing, so its gradient is NaN everywhere (PyTorch's amax too).
    ties = a == expand_back(result, shape, dims, keepdim)
    share = expand_back(g, shape, dims, keepdim) / ties.sum(dims, keepdim=True)
    return share * ties


def _nan_split(g: Tensor, a: Tensor, result: Tensor) -> Tensor:
    """The whole-tensor ``max()``/``min()`` gradient: shared evenly by the elements equal
    to the result, where a NaN result counts the NaNs as equal (PyTorch: ``[1, nan, 3]``
    gives ``[0, 1, 0]``; ``amax`` gives NaN everywhere)."""
    ties = (a == result).logical_or(a.isnan().logical_and(result.isnan()))
    return (g / ties.sum()) * ties


def _selected(g: Tensor, shape: tuple, dim: int, indices: Tensor, keepdim: bool) -> Tensor:
    if not shape:
        return g
    if not keepdim:
        g, indices = g.unsqueeze(dim), indices.unsqueeze(dim)
    return zeros_on(g, shape).scatter(dim, indices, g)


_EVEN = "ties share the gradient evenly"
_FIRST = "ties: all of it to the returned (first) index"


def _extremum(name: str, grad_fn: str, kernel: str, save: tuple, grad: Any, doc: str, **kw):
    return OpRecord(name, REDUCTION, grad_fn, kernel, save=save, grads=(grad,), smooth=False,
                    doc=doc, **kw)  # fmt: skip


_SAVE_SPLIT = ("self", "result", "dims", "keepdim")
# Ties: a maximum taken twice (negated: a minimum), split evenly by full reductions.
_TIES, _NEG_TIES, _SPLIT = [1.0, 3.0, 3.0, 2.0], [-1.0, -3.0, -3.0, -2.0], [0.0, 0.5, 0.5, 0.0]
_DIM0 = (("dim", 0), ("keepdim", False))
_NANS, _NAN_SPLIT = [1.0, math.nan, 3.0, math.nan], [0.0, 0.5, 0.0, 0.5]
AMAX = _extremum(
    "amax",
    "AmaxBackward0",
    "max",
    _SAVE_SPLIT,
    _even_split,
    _EVEN,
    conventions=(Convention((_TIES,), (_SPLIT,), _DIM0),),
)
AMIN = _extremum(
    "amin",
    "AminBackward0",
    "min",
    _SAVE_SPLIT,
    _even_split,
    _EVEN,
    conventions=(Convention((_NEG_TIES,), (_SPLIT,), _DIM0),),
)
MAX = _extremum(
    "max",
    "MaxBackward1",
    "max",
    ("self", "result"),
    _nan_split,
    _EVEN + "; a NaN result: the NaNs share it",
    conventions=(Convention((_TIES,), (_SPLIT,)), Convention((_NANS,), (_NAN_SPLIT,))),
)
MIN = _extremum(
    "min",
    "MinBackward1",
    "min",
    ("self", "result"),
    _nan_split,
    _EVEN + "; a NaN result: the NaNs share it",
    conventions=(Convention((_NEG_TIES,), (_SPLIT,)), Convention((_NANS,), (_NAN_SPLIT,))),
)
_SAVE_SELECTED = ("self.shape", "dim", "indices", "keepdim")
MAX_DIM = _extremum(
    "max_dim",
    "MaxBackward0",
    "max",
    _SAVE_SELECTED,
    _selected,
    _FIRST,
    public="max",
    conventions=(Convention((_TIES,), ([0.0, 1.0, 0.0, 0.0],), _DIM0),),
)
MIN_DIM = _extremum(
    "min_dim",
    "MinBackward0",
    "min",
    _SAVE_SELECTED,
    _selected,
    _FIRST,
    public="min",
    conventions=(Convention((_NEG_TIES,), ([0.0, 1.0, 0.0, 0.0],), _DIM0),),
)
ARGMAX = OpRecord("argmax", REDUCTION, None, "argmax")
ARGMIN = OpRecord("argmin", REDUCTION, None, "argmin")
RECORDS = (AMAX, AMIN, MAX, MIN, MAX_DIM, MIN_DIM, ARGMAX, ARGMIN)


def _check_nonempty(op: str, input: Tensor, dims: tuple | None) -> None:
    if dims is None and input.numel() == 0:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    for d in dims or ():
        if input.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _reduced(record: OpRecord, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    check_tensor(record.name, input)
    check_keepdim(record.name, keepdim)
    dims = None if dim == () else reduction_dims(record.name, input, dim)
    _check_nonempty(record.name, input, dims)
    backend = input._backend
    out = backend.kernels[record.kernel](input._storage.array, axis=dims, keepdims=keepdim)
    params = {"dims": dims, "keepdim": keepdim}
    return finish(record, out, input._dtype, backend, (input,), params)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The largest elements over ``dim`` (all dims by default)."""
    return _reduced(AMAX, input, dim, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The smallest elements over ``dim`` (all dims by default)."""
    return _reduced(AMIN, input, dim, keepdim)


def _with_indices(record: OpRecord, index_kernel: str, input: Tensor, dim: Any, keepdim: bool):
    check_tensor(record.name[:3], input)
    check_keepdim(record.name[:3], keepdim)
    dim = one_dim(record.name[:3], input, dim)
    _check_nonempty(record.name[:3], input, (dim,) if input.dim() else ())
    backend, array = input._backend, input._storage.array
    axis = dim if input.dim() else None
    indices = backend.kernels[index_kernel](array, axis=axis, keepdims=keepdim)
    indices = Tensor._make(
        backend.kernels["astype"](indices, backend.native_dtype(dtypes.int64)),
        dtypes.int64,
        backend,
    )
    values = backend.kernels[record.kernel](array, axis=axis, keepdims=keepdim)
    params = {"dim": dim, "indices": indices, "keepdim": keepdim}
    return finish(record, values, input._dtype, backend, (input,), params), indices


def _extreme(whole: OpRecord, along: OpRecord, index_kernel: str, result: type, pair: str):
    def op(input: Tensor, dim: Any = MISSING, keepdim: bool = MISSING) -> Any:
        if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
            if keepdim is not MISSING:  # max(a, b, 0): PyTorch's parser refuses it
                raise TypeError(f"{whole.name}(): argument 'dim' must be int, not Tensor")
            return _BINARY[pair](input, dim)
        if dim is None:  # PyTorch takes no dim or an int, not None
            raise TypeError(f"{whole.name}(): argument 'dim' must be int, not NoneType")
        if dim is MISSING:
            return _reduced(whole, input, None, False)
        keepdim = False if keepdim is MISSING else keepdim
        return result(*_with_indices(along, index_kernel, input, dim, keepdim))

    op.__name__ = whole.name
    op.__doc__ = (
        f"``{whole.name}(input)``: the {whole.name}imum element; ``{whole.name}"
        f"(input, dim, keepdim=False)``: values and indices along ``dim``; "
        f"``{whole.name}(input, other)``: ``{pair}``."
    )
    return op


def _arg(record: OpRecord) -> Any:
    def op(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
        check_tensor(record.name, input)
        if not isinstance(keepdim, bool):
            raise TypeError(f"{record.name}(): argument 'keepdim' must be bool")  # reworded
        if input.dtype is dtypes.bool:
            raise RuntimeError(f"{record.name}(): does not support bool input")
        axis = None if dim is None else one_dim(record.name, input, dim)
        axis = None if input.dim() == 0 else axis
        if axis is None and input.numel() == 0:
            raise IndexError(
                f"{record.name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        _check_nonempty(record.name, input, None if axis is None else (axis,))
        backend = input._backend
        out = backend.kernels[record.kernel](input._storage.array, axis=axis, keepdims=keepdim)
        out = backend.kernels["astype"](out, backend.native_dtype(dtypes.int64))
        return Tensor._make(out, dtypes.int64, backend)

    op.__name__ = record.name
    op.__doc__ = f"The index of the {record.name[3:]}imum (of the flattened input, or along dim)."
    return op


FUNCTIONS = {
    "amax": amax,
    "amin": amin,
    "max": _extreme(MAX, MAX_DIM, "argmax", return_types.max, "maximum"),
    "min": _extreme(MIN, MIN_DIM, "argmin", return_types.min, "minimum"),
    "argmax": _arg(ARGMAX),
    "argmin": _arg(ARGMIN),
}
