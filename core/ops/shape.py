"""Shape ops: views (reshape, transpose, permute, expand, unsqueeze) and sum_to_size.

A view's result shares its input's data and version counter on every backend (see
``retrograd.storage.view_storage``), and records the base tensor in ``_base``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..arguments import method_form, parsed
from ..legacy import type_name
from ..size import sizes_arg
from ..storage import view_storage
from ..tensor import Tensor, _wrap_dim
from .conversion import clone
from .dispatch import finish
from .record import SHAPE, OpRecord


def _shape_record(
    name: str, grad_fn: str, save: tuple, grad: Any, kernel: str, jvp: Any = None
) -> OpRecord:
    return OpRecord(name, SHAPE, grad_fn, kernel, save=save, grads=(grad,), jvp=jvp)


# Forward mode: a view's tangent is the same view of the input's tangent.
def _reshaped(us: tuple, out: Tensor, *saved: Any) -> Tensor:
    return us[0].reshape(out.shape)


VIEW = _shape_record("view", "ViewBackward0", ("self.shape",),
                     lambda g, shape: g.reshape(shape), "view", _reshaped)  # fmt: skip
UNSAFE_VIEW = _shape_record("_unsafe_view", "UnsafeViewBackward0", ("self.shape",),
                            lambda g, shape: g.reshape(shape), "reshape", _reshaped)  # fmt: skip
T = _shape_record("t", "TBackward0", (), lambda g: g.t(), "permute_dims",
                  lambda us, out: us[0].t())  # fmt: skip
TRANSPOSE = _shape_record("transpose", "TransposeBackward0", ("dim0", "dim1"),
                          lambda g, d0, d1: g.transpose(d0, d1), "permute_dims",
                          lambda us, out, d0, d1: us[0].transpose(d0, d1))  # fmt: skip
PERMUTE = _shape_record("permute", "PermuteBackward0", ("dims",),
                        lambda g, dims: g.permute(_inverse(dims)), "permute_dims",
                        lambda us, out, dims: us[0].permute(dims))  # fmt: skip
EXPAND = _shape_record("expand", "ExpandBackward0", ("self.shape",),
                       lambda g, shape: g.sum_to_size(shape), "broadcast_to",
                       lambda us, out, shape: us[0].expand(out.shape))  # fmt: skip
UNSQUEEZE = _shape_record("unsqueeze", "UnsqueezeBackward0", ("dim",),
                          lambda g, dim: g.squeeze(dim), "expand_dims",
                          lambda us, out, dim: us[0].unsqueeze(dim))  # fmt: skip
# PyTorch's overloads: squeeze() -> 0, squeeze(int) -> 1, squeeze(tuple) -> 2, and the
# in-place squeeze_(int) that matmul of a vector by a matrix ends with -> 4.
SQUEEZE, SQUEEZE_DIM, SQUEEZE_DIMS, SQUEEZE_DIM_ = (
    _shape_record(name, f"SqueezeBackward{n}", ("self.shape",),
                  lambda g, shape: g.reshape(shape), "reshape", _reshaped)
    for name, n in (("squeeze", 0), ("squeeze_dim", 1), ("squeeze_dims", 2), ("squeeze_dim_", 4))
)  # fmt: skip
SUM_TO_SIZE = OpRecord("sum_to_size", "reduction", "SumBackward1", "sum_to_shape",
                       save=("self.shape",), grads=(lambda g, shape: g.expand(shape),),
                       jvp=lambda us, out, shape: us[0].sum_to_size(out.shape))  # fmt: skip

RECORDS = (
    VIEW, UNSAFE_VIEW, T, TRANSPOSE, PERMUTE, EXPAND, UNSQUEEZE,
    SQUEEZE, SQUEEZE_DIM, SQUEEZE_DIMS, SQUEEZE_DIM_, SUM_TO_SIZE,
)  # fmt: skip


def _inverse(dims: Sequence[int]) -> tuple[int, ...]:
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return tuple(inv)


def infer_shape(op: str, shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Resolve one ``-1`` in ``shape`` and check it holds ``numel`` elements."""
    known = 1
    unknown = [i for i, s in enumerate(shape) if s == -1]
    for s in shape:
        if s != -1:
            known *= s
    if len(unknown) > 1:
        raise RuntimeError(f"only one dimension can be inferred (in {op}())")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if unknown and known and numel % known == 0:
        shape = shape[: unknown[0]] + (numel // known,) + shape[unknown[0] + 1 :]
        known = numel
    if known != numel or any(s < 0 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _view_result(
    record: OpRecord, input: Tensor, kernel: str, args: tuple, params: dict | None = None
) -> Tensor:
    """Run view kernel ``kernel`` on ``input`` and finish the op: the result aliases the
    input's data and shares its version counter, and remembers the base."""
    storage = view_storage(input._storage, input._backend, kernel, args)
    array = storage.array
    out = finish(record, array, input._dtype, input._backend, (input,), params, storage)
    out._base = input if input._base is None else input._base
    out._view_fn = _view_step(record, kernel, args, params, input._view_fn)
    out._view_version = storage.version
    return out


def _view_step(record: OpRecord, kernel: str, args: tuple, params: Any, parent: Any) -> Any:
    """``base -> view``: this view op replayed on a base (after ``parent``'s, if any), so
    an in-place write through the view can rebase the base's history."""

    def replay(base: Tensor) -> Tensor:
        source = base if parent is None else parent(base)
        return _view_result(record, source, kernel, args, params)

    return replay


def view(input: Tensor, *shape: Any) -> Tensor:
    """The same data with another shape; RuntimeError if that needs a copy."""
    shape = infer_shape("view", sizes_arg("view", shape), input.numel())
    try:
        return _view_result(VIEW, input, "view", (shape,))
    except (ValueError, AttributeError):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same data with another shape: a view when possible, else a copy."""
    shape = infer_shape("reshape", sizes_arg("reshape", shape), input.numel())
    try:
        return _view_result(VIEW, input, "view", (shape,))
    except (ValueError, AttributeError):  # PyTorch copies first, then views the copy
        copy = clone(input)
        array = input._backend.kernels["reshape"](copy._storage.array, shape)
        return finish(UNSAFE_VIEW, array, input._dtype, input._backend, (copy,))


def _permuted(record: OpRecord, input: Tensor, axes: tuple, params: dict | None) -> Tensor:
    return _view_result(record, input, "permute_dims", (axes,), params)


def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dimensions."""
    return t_with(T, input)


def t_with(record: OpRecord, input: Tensor) -> Tensor:
    """:func:`t` recorded as ``record`` (``t_`` records another node)."""
    if input.dim() > 2:
        raise RuntimeError(
            f"{record.name}() expects a tensor with <= 2 dimensions, but self is {input.dim()}D"
        )
    return _permuted(record, input, tuple(reversed(range(input.dim()))), None)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap dimensions ``dim0`` and ``dim1``."""
    return transpose_with(TRANSPOSE, input, dim0, dim1)


def transpose_with(record: OpRecord, input: Tensor, dim0: int, dim1: int) -> Tensor:
    """:func:`transpose` recorded as ``record``."""
    n = input.dim()
    d0, d1 = _wrap_dim(dim0, n, "transpose"), _wrap_dim(dim1, n, "transpose")
    axes = list(range(n))
    if n:  # a 0-d tensor's dims 0 and -1 name no axis: nothing to swap
        axes[d0], axes[d1] = axes[d1], axes[d0]
    return _permuted(record, input, tuple(axes), {"dim0": d0, "dim1": d1})


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dimensions: output dim i is input dim ``dims[i]``."""
    n = input.dim()
    dims = tuple(_wrap_dim(d, n, "permute") for d in sizes_arg("permute", dims, "dims"))
    if sorted(dims) != list(range(n)):
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {n} is not "
            f"equal to len(dims) = {len(dims)}"
            if len(dims) != n
            else "permute(): duplicate dims are not allowed."
        )
    return _permuted(PERMUTE, input, dims, {"dims": dims})


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """A broadcast view with ``sizes`` (-1 keeps a dimension)."""
    sizes = sizes_arg("expand", sizes)
    shape = input.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({type_name(input)}{{{list(shape)}}}, size={list(sizes)}): the number of "
            f"sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    target = expanded_shape(tuple(shape), tuple(sizes))
    return _view_result(EXPAND, input, "broadcast_to", (target,))


def expanded_shape(shape: tuple, sizes: tuple) -> tuple:
    """``shape`` expanded to ``sizes`` (-1 keeps a dimension), or PyTorch's error."""
    lead = len(sizes) - len(shape)
    target = list(sizes)
    for i, want in enumerate(sizes[:lead]):
        if want < 0:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) isn't allowed in a leading, "
                f"non-existing dimension {i}"
            )
    for i, n in enumerate(shape):
        want = sizes[lead + i]
        if want == -1:
            target[lead + i] = n
        elif n != 1 and want != n:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({n}) "
                f"at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
    return tuple(target)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``."""
    return unsqueeze_with(UNSQUEEZE, input, dim)


def unsqueeze_with(record: OpRecord, input: Tensor, dim: int) -> Tensor:
    """:func:`unsqueeze` recorded as ``record``."""
    dim = _wrap_dim(dim, input.dim() + 1, "unsqueeze")
    return _view_result(record, input, "expand_dims", (dim,), {"dim": dim})


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Drop dimensions of size 1 (all of them, or those named by ``dim``)."""
    return squeeze_with((SQUEEZE, SQUEEZE_DIM, SQUEEZE_DIMS), input, dim)


def squeeze_with(records: tuple, input: Tensor, dim: Any = None) -> Tensor:
    """:func:`squeeze` recorded as one of ``records``: (no dim, one dim, several dims)."""
    shape = input.shape
    whole, one, several = records
    if dim is None:
        dims, record = set(range(len(shape))), whole
    elif isinstance(dim, int):
        dims, record = {_wrap_dim(dim, len(shape), "squeeze")}, one
    else:
        dims, record = {_wrap_dim(d, len(shape), "squeeze") for d in dim}, several
    new = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    return _view_result(record, input, "reshape", (new,))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` to ``end_dim`` into one (a view when possible)."""
    n = max(input.dim(), 1)
    start, end = _wrap_dim(start_dim, n, "flatten"), _wrap_dim(end_dim, n, "flatten")
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if input.dim() == 0:
        return reshape(input, 1)
    if start == end:
        return input
    shape = tuple(input.shape)
    return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one of them may be -1)."""
    dim = _wrap_dim(dim, input.dim(), "unflatten")
    sizes = sizes_arg("unflatten", (sizes,))
    n = input.shape[dim]
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if (-1 not in sizes and known != n) or (-1 in sizes and (known == 0 or n % known)):
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
            f"{dim} ({n}) in the input tensor"
        )
    shape = tuple(input.shape)
    return reshape(input, shape[:dim] + tuple(sizes) + shape[dim + 1 :])


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dimension(s) ``source`` to position(s) ``destination`` (a permute)."""
    n = input.dim()
    src = [_wrap_dim(d, n, "movedim") for d in ((source,) if isinstance(source, int) else source)]
    dst = [_wrap_dim(d, n, "movedim") for d in
           ((destination,) if isinstance(destination, int) else destination)]  # fmt: skip
    for what, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{what}` ({dims})")
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
            f"the same number of dims as destination ({dst} dims)"
        )
    rest = iter(d for d in range(n) if d not in src)
    order = dict(zip(dst, src))
    return permute(input, tuple(order[i] if i in order else next(rest) for i in range(n)))


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sum broadcast dimensions away so the result has ``size``."""
    size = sizes_arg("sum_to_size", size)
    shape = tuple(input.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(n not in (1, shape[lead + i]) for i, n in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if tuple(input.shape) == size:
        return input
    array = input._backend.kernels["sum_to_shape"](input._storage.array, size)
    return finish(SUM_TO_SIZE, array, input._dtype, input._backend, (input,))


FUNCTIONS = {
    "reshape": reshape,
    "t": t,
    "transpose": transpose,
    "swapaxes": transpose,
    "permute": permute,
    "unsqueeze": unsqueeze,
    "squeeze": squeeze,
    "flatten": flatten,
    "unflatten": unflatten,
    "movedim": movedim,
    "moveaxis": movedim,
    "swapdims": transpose,
}
# Tensor methods only: PyTorch has no ``torch.view``, ``torch.expand``, ``torch.sum_to_size``.
METHODS = {
    "view": method_form(parsed("view")(view)),
    "expand": expand,
    "sum_to_size": sum_to_size,
}
