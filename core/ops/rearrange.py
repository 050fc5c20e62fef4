"""Ops that move or mask elements into a new tensor: ``flip``, ``roll``, ``repeat``,
``tril``, ``triu``. Each result is a copy (not a view), as in PyTorch."""

from __future__ import annotations

import inspect
import operator
from typing import Any

from ..arguments import MISSING, raise_error, typename
from ..tensor import Tensor, _wrap_dim
from .dispatch import finish
from .helpers import check_tensor
from .record import SHAPE, OpRecord


def _repeat_grad(g: Tensor, shape: tuple, repeats: tuple) -> Tensor:
    """Sum the gradient over the tiles: split each side into (repeat, size) and sum."""
    padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    interleaved = [n for pair in zip(repeats, padded) for n in pair]
    summed = g.reshape(interleaved).sum(tuple(range(0, len(interleaved), 2)))
    return summed.reshape(shape)


FLIP = OpRecord(
    "flip",
    SHAPE,
    "FlipBackward0",
    "flip",
    save=("dims",),
    grads=(lambda g, dims: g.flip(dims),),
    jvp=lambda us, out, dims: us[0].flip(dims),  # forward mode: the same op on the tangent
)
ROLL = OpRecord(
    "roll",
    SHAPE,
    "RollBackward0",
    "roll",
    save=("shifts", "dims"),
    grads=(lambda g, shifts, dims: g.roll(tuple(-s for s in shifts), dims),),
    jvp=lambda us, out, shifts, dims: us[0].roll(shifts, dims),
)
REPEAT = OpRecord(
    "repeat",
    SHAPE,
    "RepeatBackward0",
    "tile",
    save=("self.shape", "repeats"),
    grads=(_repeat_grad,),
    jvp=lambda us, out, shape, repeats: us[0].repeat(repeats),
)
TRIL = OpRecord(
    "tril",
    SHAPE,
    "TrilBackward0",
    "tril",
    save=("diagonal",),
    grads=(lambda g, k: g.tril(k),),
    jvp=lambda us, out, k: us[0].tril(k),
    inplace=True,
)
TRIU = OpRecord(
    "triu",
    SHAPE,
    "TriuBackward0",
    "triu",
    save=("diagonal",),
    grads=(lambda g, k: g.triu(k),),
    jvp=lambda us, out, k: us[0].triu(k),
    inplace=True,
)
RECORDS = (FLIP, ROLL, REPEAT, TRIL, TRIU)


def _ints(values: Any) -> tuple[int, ...] | None:
    """``values`` as ints (NumPy integers and 0-d integer tensors too), or None."""
    try:
        if any(isinstance(v, bool) for v in values):
            return None
        return tuple(operator.index(v) for v in values)
    except TypeError:
        return None


def int_list(
    op: str, name: str, input: Any, values: tuple, kwargs: dict, as_method: bool
) -> tuple[int, ...]:
    """Parameter ``name`` of ``op``, an unsized list of ints (PyTorch's ``int[]``), from
    the positionals after ``input`` (``values``) or ``kwargs``, as PyTorch's parser takes
    it: the method also takes the ints spread out (``x.flip(0, 1)``), the function only
    one sequence (``flip(x, 0)`` is its TypeError); PyTorch's TypeErrors otherwise."""
    if values and not kwargs:
        if len(values) == 1 and isinstance(values[0], (tuple, list)):
            ints = _ints(values[0])
        else:
            ints = _ints(values) if as_method else None
        if ints is not None:
            return ints
    raise_error(op, values if as_method else (input, *values), kwargs, as_method)
    if not values and kwargs.keys() == {name}:
        value, where = kwargs[name], ""
    elif values:
        value, where = values[0], f" (position {1 if as_method else 2})"
    else:
        raise TypeError(f'{op}() missing 1 required positional arguments: "{name}"')
    if isinstance(value, (tuple, list)) and (ints := _ints(value)) is not None:
        return ints
    raise TypeError(
        f"{op}(): argument '{name}'{where} must be tuple of ints, not {typename(value)}"
    )


def _unique_dims(op: str, input: Tensor, dims: tuple) -> tuple[int, ...]:
    wrapped = tuple(_wrap_dim(d, max(input.dim(), 1), op) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def _made(record: OpRecord, input: Tensor, array: Any, params: dict) -> Tensor:
    return finish(record, array, input._dtype, input._backend, (input,), params)


def _flip() -> Any:
    call_name, as_method = "flip", False  # closure cells: see arguments.twin

    def flip(input: Tensor = MISSING, *dims: Any, **kwargs: Any) -> Tensor:
        """Reverse the order of elements along ``dims``."""
        if not isinstance(input, Tensor):  # PyTorch's parser names the position
            raise_error(call_name, (input, *dims), kwargs, as_method)
        dims = int_list(call_name, "dims", input, dims, kwargs, as_method)
        check_tensor(call_name, input)
        dims = _unique_dims(call_name, input, dims)
        if input.dim() == 0:
            return _made(
                FLIP, input, input._backend.kernels["copy"](input._storage.array), {"dims": ()}
            )
        array = input._backend.kernels["flip"](input._storage.array, dims)
        return _made(FLIP, input, array, {"dims": dims})

    # the signature users see: ``input`` required (MISSING only lets the parser word it)
    sig = inspect.signature(flip)
    first = sig.parameters["input"].replace(default=inspect.Parameter.empty)
    flip.__signature__ = sig.replace(parameters=[first, *list(sig.parameters.values())[1:]])
    return flip


flip = _flip()


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Rotate elements by ``shifts`` along ``dims`` (without ``dims``: over the flattened
    tensor, keeping its shape)."""
    check_tensor("roll", input)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        array = input._backend.kernels["roll"](input._storage.array, shifts[0], None)
        return _made(ROLL, input, array, {"shifts": shifts, "dims": None})
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    dims = tuple(_wrap_dim(d, max(input.dim(), 1), "roll") for d in dims)
    array = input._backend.kernels["roll"](input._storage.array, shifts, dims)
    return _made(ROLL, input, array, {"shifts": shifts, "dims": dims})


def repeat(input: Tensor, *repeats: Any, **kwargs: Any) -> Tensor:
    """Tile ``input``: ``repeats[i]`` copies along side ``i`` (extra leading sides new)."""
    check_tensor("repeat", input)
    repeats = int_list("repeat", "repeats", input, repeats, kwargs, True)
    if len(repeats) < input.dim():
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    if any(r < 0 for r in repeats):
        padded = (1,) * (len(repeats) - input.dim()) + tuple(input.shape)
        target = [r * n for r, n in zip(repeats, padded, strict=True)]
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(target)}: {target}"
        )
    array = input._backend.kernels["tile"](input._storage.array, repeats)
    return _made(REPEAT, input, array, {"repeats": repeats})


def _triangle(record: OpRecord) -> Any:
    def op(input: Tensor, diagonal: int = 0) -> Tensor:
        check_tensor(record.name, input)
        if not isinstance(diagonal, int) or isinstance(diagonal, bool):
            raise TypeError(f"{record.name}(): argument 'diagonal' must be int")  # reworded
        if input.dim() < 2:
            raise RuntimeError(f"{record.name}: input tensor must have at least 2 dimensions")
        array = input._backend.kernels[record.kernel](input._storage.array, diagonal)
        return _made(record, input, array, {"diagonal": diagonal})

    op.__name__ = record.name
    op.__doc__ = f"Zero the elements {'above' if record is TRIL else 'below'} ``diagonal``."
    return op


FUNCTIONS = {"flip": flip, "roll": roll, "tril": _triangle(TRIL), "triu": _triangle(TRIU)}
METHODS = {"repeat": repeat}  # there is no ``torch.repeat``
