"""Batching rules: each kernel run once over a whole batch (see :mod:`retrograd.batching`).

A rule is ``rule(table, name, level, args, kwargs)``: ``args`` hold at least one
:class:`~retrograd.batching.BatchedArray` of ``level`` (the highest level present). It
unwraps that level (batch dimension in front), rewrites the per-sample arguments for the
whole batch, calls ``table[name]`` (which handles any outer level the same way) and wraps
the result at ``level``. Rules never loop over the batch: the kernel calls they make do
not depend on its size.
"""

from __future__ import annotations

import inspect
from typing import Any

from .batching import ITEM_MESSAGE, RULES, BatchedArray

INPLACE_MESSAGE = (
    "vmap: inplace arithmetic(self, *extra_args) is not possible because there exists a "
    "Tensor `other` in extra_args that has more elements than `self`. This happened due to "
    "`other` being vmapped over but `self` not being vmapped over in a vmap. Please try to "
    "use out-of-place operators instead of inplace arithmetic. If said operator is being "
    "called inside the PyTorch framework, please file a bug report instead."
)
DYNAMIC_MESSAGE = (
    "vmap: We do not support batching operators that can output dynamic shape. Attempted "
    "to vmap over aten::{}. Please file an issue at https://github.com/pytorch/pytorch/issues "
    "if you need this feature."
)


# -- helpers -------------------------------------------------------------------------------
def _at(a: Any, level: int) -> bool:
    return type(a) is BatchedArray and a.level == level


def _is_array(a: Any) -> bool:
    return type(a) is BatchedArray or (hasattr(a, "__array__") and hasattr(a, "ndim"))


def _batch_size(level: int, *values: Any) -> int:
    for a in values:
        if _at(a, level):
            return a.batch_size
        if type(a) in (tuple, list):
            for b in a:
                if _at(b, level):
                    return b.batch_size
    raise AssertionError("no array of this level")  # top_level found one


def _align(k: Any, a: Any, level: int, ndim: int) -> Any:
    """The whole-batch array of operand ``a`` for a broadcast over ``ndim`` per-sample
    dims: a batched one gets size-1 dims after its batch dim; others are unchanged."""
    if not _at(a, level):
        return a
    v = a.value
    if a.ndim < ndim:
        v = k["reshape"](v, (a.batch_size,) + (1,) * (ndim - a.ndim) + a.shape)
    return v


def _materialized(k: Any, a: Any, level: int, size: int) -> Any:
    """``a``'s whole-batch array: its value if batched at ``level``, else ``a`` repeated
    ``size`` times (a broadcast view, no copy)."""
    if _at(a, level):
        return a.value
    return k["broadcast_to"](a, (size, *a.shape))


def _arg(args: list, kwargs: dict, pos: int, name: str, default: Any) -> Any:
    return args[pos] if len(args) > pos else kwargs.get(name, default)


def _put(args: list, kwargs: dict, pos: int, name: str, value: Any) -> None:
    if len(args) > pos:
        args[pos] = value
    else:
        kwargs[name] = value


def _axis(axis: Any, ndim: int) -> Any:
    """A per-sample axis (an int or a tuple) as the whole batch's: shifted past the batch."""
    if isinstance(axis, tuple):
        return tuple(_axis(a, ndim) for a in axis)
    return axis % ndim + 1 if ndim else 1


# -- elementwise: broadcast the operands ---------------------------------------------------
def elementwise(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """Operands broadcast against each other (math, comparisons, ``where``, casts)."""
    ndim = max((a.ndim for a in (*args, *kwargs.values()) if _is_array(a)), default=0)
    new = [_align(k, a, level, ndim) for a in args]
    kw = {key: _align(k, a, level, ndim) for key, a in kwargs.items()}
    return BatchedArray(k[name](*new, **kw), level)


def inplace(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """A write into the first argument (``assign``, ``add_into``): it must be batched."""
    target = args[0]
    if not _at(target, level):
        raise RuntimeError(INPLACE_MESSAGE)
    ndim = target.ndim
    new = [target.value, *(_align(k, a, level, ndim) for a in args[1:])]
    return BatchedArray(k[name](*new, **kwargs), level)


# -- reductions and axis arguments ---------------------------------------------------------
_AXIS_AT = {"vector_norm": 2}
_KEEPDIMS_AT = {"var": 3, "std": 3, "vector_norm": 3}


def reduction(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """A reduction over per-sample axes (None: all of them)."""
    args, kwargs = list(args), dict(kwargs)
    a = args[0]
    pos = _AXIS_AT.get(name, 1)
    axis = _arg(args, kwargs, pos, "axis", None)
    if axis is None and name in ("argmax", "argmin"):
        return _flat_arg_reduction(k, name, level, args, kwargs)
    axis = tuple(range(1, a.ndim + 1)) if axis is None else _axis(axis, a.ndim)
    _put(args, kwargs, pos, "axis", axis)
    args[0] = a.value
    return BatchedArray(k[name](*args, **kwargs), level)


def _flat_arg_reduction(k: Any, name: str, level: int, args: list, kwargs: dict) -> Any:
    """``argmax``/``argmin`` over all elements: of each sample flattened."""
    a = args[0]
    keep = _arg(args, kwargs, _KEEPDIMS_AT.get(name, 2), "keepdims", False)
    _put(args, kwargs, 1, "axis", 1)
    _put(args, kwargs, 2, "keepdims", False)
    args[0] = k["reshape"](a.value, (a.batch_size, a.size))
    out = k[name](*args, **kwargs)
    if keep:
        out = k["reshape"](out, (a.batch_size,) + (1,) * a.ndim)
    return BatchedArray(out, level)


def along_axis(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """A kernel with one ``axis`` (softmax, scans, flip): the axis shifted."""
    args, kwargs = list(args), dict(kwargs)
    a = args[0]
    pos = 2 if name == "roll" else 1
    axis = _arg(args, kwargs, pos, "axis", None)
    if axis is None and name == "roll":
        flat = k["reshape"](a.value, (a.batch_size, a.size))
        _put(args, kwargs, pos, "axis", 1)
        args[0] = flat
        return BatchedArray(k["reshape"](k[name](*args, **kwargs), a.value.shape), level)
    axis = tuple(range(1, a.ndim + 1)) if axis is None else _axis(axis, a.ndim)
    _put(args, kwargs, pos, "axis", axis)
    args[0] = a.value
    return BatchedArray(k[name](*args, **kwargs), level)


def expand_dims(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    a, axis = args[0], _arg(list(args), kwargs, 1, "axis", 0)
    ndim = a.ndim + (len(axis) if isinstance(axis, tuple) else 1)
    return BatchedArray(k[name](a.value, axis=_axis(axis, ndim)), level)


def joining(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """``concat``/``stack`` of a list where some arrays are batched."""
    arrays = args[0]
    axis = _arg(list(args), kwargs, 1, "axis", 0)
    size = _batch_size(level, arrays)
    values = [_materialized(k, a, level, size) for a in arrays]
    ndim = arrays[0].ndim + (name == "stack")
    return BatchedArray(k[name](values, axis=_axis(axis, ndim)), level)


# -- shapes --------------------------------------------------------------------------------
def diagonal(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """The diagonal view between two per-sample axes (shifted past the batch axis, which
    stays first: the diagonal is appended last)."""
    a, offset, axis1, axis2 = args
    return BatchedArray(k[name](a.value, offset, _axis(axis1, a.ndim), _axis(axis2, a.ndim)), level)


def reshape(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    a, shape = args
    return BatchedArray(k[name](a.value, (a.batch_size, *shape)), level)


def permute_dims(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    a, axes = args[0], _arg(list(args), kwargs, 1, "axes", None)
    return BatchedArray(k[name](a.value, (0, *(_axis(x, a.ndim) for x in axes))), level)


def broadcast_to(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    a, shape = args
    v = _align(k, a, level, len(shape))
    return BatchedArray(k[name](v, (a.batch_size, *shape)), level)


def last_dims(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """Kernels acting on the last one or two dims (``tril``, ``matrix_transpose``)."""
    a = args[0]
    return BatchedArray(k[name](a.value, *args[1:], **kwargs), level)


def tile(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    a, reps = args
    reps = tuple(reps)
    ndim = max(a.ndim, len(reps))
    reps = (1,) * (ndim - len(reps)) + reps
    return BatchedArray(k[name](_align(k, a, level, ndim), (1, *reps)), level)


def sum_to_shape(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    a, shape = args
    v, lead = a.value, a.ndim - len(shape)
    if lead:
        v = k["sum"](v, axis=tuple(range(1, lead + 1)))
    return BatchedArray(k[name](v, (a.batch_size, *shape)), level)


def matmul(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """``a @ b`` where either is batched: vectors made matrices (and their dims removed
    after), batched operands given size-1 dims so the batch broadcasts in front."""
    a, b = args
    squeeze = []
    if a.ndim == 1:
        a = k["reshape"](a, (1, *a.shape))
        squeeze.append(-2)
    if b.ndim == 1:
        b = k["reshape"](b, (*b.shape, 1))
        squeeze.append(-1)
    ndim = max(a.ndim, b.ndim)
    out = k[name](_align(k, a, level, ndim), _align(k, b, level, ndim))
    if squeeze:
        shape = list(out.shape)
        for axis in sorted(squeeze):
            del shape[axis]
        out = k["reshape"](out, tuple(shape))
    return BatchedArray(out, level)


def layout(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """A question about memory (``is_contiguous``): asked of the whole batch."""
    return k[name](args[0].value, *args[1:], **kwargs)


def checked(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """A value check (``checked``) on a batched value: where the check's operands are the
    core's reductions over every sample (unbatched), it is attached to the whole batch.
    Where they are per sample (a check computed inside the vmapped function, such as
    ``linalg.inv``'s singularity check), each sample's operands are read and checked now,
    as an eager backend reads them."""
    value, check, *operands = args
    batched_value = _at(value, level)
    inner = value.value if batched_value else value
    if any(_at(o, level) for o in operands):
        size = _batch_size(level, *operands)
        columns = [
            k["tolist"](o.value) if _at(o, level) else [k["tolist"](o)] * size for o in operands
        ]
        # A check with a ``sample`` keyword names the sample in its error (PyTorch's
        # "(Batch element i)" counts vmap's samples as batch elements).
        names_sample = "sample" in inspect.signature(check).parameters
        for i, sample in enumerate(zip(*columns)):
            check(*sample, sample=i) if names_sample else check(*sample)
        return value
    return BatchedArray(k[name](inner, check, *operands, **kwargs), level)


# -- refusals --------------------------------------------------------------------------------
def dynamic_shape(op: str) -> Any:
    def rule(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
        raise RuntimeError(DYNAMIC_MESSAGE.format(op))

    return rule


def item(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    raise RuntimeError(ITEM_MESSAGE)


# -- the table -------------------------------------------------------------------------------
ELEMENTWISE = (
    "add", "subtract", "multiply", "divide", "pow", "negative", "abs", "sign", "exp", "log",
    "sqrt", "sin", "cos", "tanh", "sigmoid", "reciprocal", "relu", "equal", "not_equal",
    "less", "less_equal", "greater", "greater_equal", "where", "logical_and", "tanh_backward",
    "sigmoid_backward", "threshold_backward", "astype", "copy", "contiguous", "asarray",
    "zeros_like", "ones_like", "exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "tan",
    "asin", "acos", "atan", "atan2", "sinh", "cosh", "erf", "floor", "ceil", "trunc", "round",
    "round_decimals", "frac", "floor_divide", "trunc_divide", "remainder", "maximum",
    "minimum", "logaddexp", "clamp", "lerp", "logical_or", "logical_xor", "logical_not",
    "isnan", "isfinite", "isinf", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_invert", "leaky_relu", "gelu", "silu", "softplus", "elu",
    # retrograd/ops/pointwise_extra.py
    "hypot", "copysign", "signbit", "xlogy", "logit", "sinc", "nan_to_num", "heaviside",
    "addcmul", "addcdiv",
    # retrograd/ops/pointwise_misc.py
    "acosh", "asinh", "atanh", "deg2rad", "rad2deg", "fmod", "fmax", "fmin", "logaddexp2",
    "erfc",
    # retrograd/ops/{integer_bits,float_bits}.py
    "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm", "nextafter",
    # retrograd/ops/special_functions.py (polygamma's order n is an argument, not an array)
    "lgamma", "digamma", "trigamma", "zeta", "polygamma", "erfinv", "i0", "i0e", "i1", "i1e",
    "xlog1py", "entr", "ndtri", "log_ndtr", "erfcx", "igamma", "igammac",
)  # fmt: skip
INPLACE = (
    "assign", "add_into", "subtract_into", "multiply_into", "divide_into", "add_out",
    "subtract_out", "multiply_out", "divide_out", "maximum_out", "sqrt_out",
)  # fmt: skip
REDUCTIONS = (
    "sum", "mean", "max", "min", "prod", "argmax", "argmin", "all", "any", "var", "std",
    "logsumexp", "vector_norm",
)  # fmt: skip
ALONG_AXIS = ("softmax", "log_softmax", "cumulative_sum", "cumulative_prod", "flip", "roll")


def _register() -> None:
    RULES.update(dict.fromkeys(ELEMENTWISE, elementwise))
    RULES.update(dict.fromkeys(INPLACE, inplace))
    RULES.update(dict.fromkeys(REDUCTIONS, reduction))
    RULES.update(dict.fromkeys(ALONG_AXIS, along_axis))
    RULES.update(dict.fromkeys(("reshape", "view"), reshape))
    RULES.update(dict.fromkeys(("concat", "stack"), joining))
    RULES.update(dict.fromkeys(("matrix_transpose", "tril", "triu"), last_dims))
    RULES.update(dict.fromkeys(("is_contiguous", "has_internal_overlap"), layout))
    RULES.update(dict.fromkeys(("tolist", "to_numpy", "to_bytes", "byte_address"), item))
    RULES.update(
        expand_dims=expand_dims,
        permute_dims=permute_dims,
        broadcast_to=broadcast_to,
        tile=tile,
        sum_to_shape=sum_to_shape,
        matmul=matmul,
        nonzero=dynamic_shape("nonzero"),
        checked=checked,
        diagonal=diagonal,
    )


_register()


def materialize(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> list:
    """``retrograd.materialize`` inside ``vmap``: compute (or wait for) the whole-batch
    arrays; each result keeps the batching of its array."""
    arrays = args[0]
    done = k[name]([a.value if _at(a, level) else a for a in arrays])
    return [BatchedArray(d, level) if _at(a, level) else d for a, d in zip(arrays, done)]


RULES["materialize"] = materialize


# -- for the core: out-of-place ops that write into a fresh array ---------------------------
def _levels(value: Any, found: dict) -> None:
    if type(value) in (tuple, list):
        for v in value:
            _levels(v, found)
    while type(value) is BatchedArray:
        found.setdefault(value.level, value.batch_size)
        value = value.value


def writable_copy(k: Any, array: Any, *others: Any) -> Any:
    """A copy of ``array`` that can take writes of ``others`` (values, keys): batched at
    every level they are (the same for each sample), so a write of per-sample values
    into a fresh array (an out-of-place ``index_put``, a ``select`` backward) works
    inside ``vmap``. Outside it, just ``k["copy"](array)``."""
    wanted: dict = {}
    _levels(others, wanted)
    have: dict = {}
    _levels(array, have)
    missing = sorted(level for level in wanted if level not in have)
    if missing and (not have or missing[0] > max(have)):
        for level in missing:
            size = wanted[level]
            array = BatchedArray(k["broadcast_to"](array, (size, *array.shape)), level)
    elif missing:  # a level below the array's own: broadcast by adding batched zeros
        for other in others:
            if top_level_of(other) is not None:
                zeros = k["zeros_like"](k["sum"](other))
                array = k["add"](array, k["astype"](zeros, array.dtype))
    return k["copy"](array)


def top_level_of(value: Any) -> int | None:
    found: dict = {}
    _levels(value, found)
    return max(found) if found else None


# -- transfers: moving a whole batch between backends, reading it out --------------------------
STORAGE_MESSAGE = "Cannot access data pointer of Tensor that doesn't have storage"


def from_dlpack(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """``tensor.to(backend)`` inside ``vmap``: the whole batch moves (one exchange), still
    batched at ``level`` on the target backend (PyTorch's ``.to(device)`` under vmap)."""
    return BatchedArray(k[name](args[0].value, *args[1:], **kwargs), level)


def no_storage(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """``.numpy()`` of a sample: PyTorch's error (a batched tensor has no storage of its
    own to read). ``tolist`` keeps the ``.item()`` error: ``item()`` reads through it."""
    raise RuntimeError(STORAGE_MESSAGE)


RULES.update(from_dlpack=from_dlpack, to_numpy=no_storage)


# -- the scans of ops/scans_more.py ------------------------------------------------------------
def scan_pair(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """A scan with two outputs along one ``axis`` (``cummax``/``cummin``: the running
    values and their int64 indices): the axis shifted past the batch, both outputs
    batched (an index counts along the sample's axis, which the batch does not move)."""
    a = args[0]
    axis = _arg(list(args), kwargs, 1, "axis", 0)
    values, indices = k[name](a.value, _axis(axis, a.ndim))
    return BatchedArray(values, level), BatchedArray(indices, level)


RULES.update(logcumsumexp=along_axis, cummax=scan_pair, cummin=scan_pair)


# -- the sort of ops/sorting.py --------------------------------------------------------------
def sort_pair(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """``sort`` (values and int64 indices along one ``axis``, then ``descending``): the
    axis shifted past the batch, both outputs batched (an index counts along the sample's
    axis, which the batch does not move)."""
    a, axis, *rest = args
    values, indices = k[name](a.value, _axis(axis, a.ndim), *rest, **kwargs)
    return BatchedArray(values, level), BatchedArray(indices, level)


RULES["sort"] = sort_pair


def elementwise_pair(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """An elementwise kernel with two outputs (``frexp``): both batched like the input."""
    mantissa, exponent = k[name](args[0].value)
    return BatchedArray(mantissa, level), BatchedArray(exponent, level)


RULES["frexp"] = elementwise_pair


# -- the matrix kernels of retrograd.linalg (retrograd_backends.linalg_kernels) -------------
def _batched_outputs(result: Any, level: int) -> Any:
    if type(result) is tuple:
        return tuple(BatchedArray(r, level) for r in result)
    return BatchedArray(result, level)


def per_matrix(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """A kernel over batches of matrices ``(*, m, n)`` (``linalg_inv``, ``linalg_qr``...):
    the vmapped dim is one more batch dim in front, and so is it in every output (factors,
    values, LAPACK's ``info``)."""
    a, *rest = args
    return _batched_outputs(k[name](a.value, *rest, **kwargs), level)


def solve_rule(k: Any, name: str, level: int, args: tuple, kwargs: dict) -> Any:
    """``linalg_solve(a, b)``: the kernel broadcasts the matrices' batch dims, so each
    operand gets the vmapped dim in front (repeated where it is not batched) and size-1
    dims after it up to the other's rank."""
    a, b = args
    size, ndim = _batch_size(level, a, b), max(a.ndim, b.ndim)
    whole = []
    for x in (a, b):
        v = _materialized(k, x, level, size)
        whole.append(k["reshape"](v, (size,) + (1,) * (ndim - x.ndim) + tuple(x.shape)))
    return _batched_outputs(k[name](*whole, **kwargs), level)


RULES.update(
    dict.fromkeys(
        (
            "linalg_inv",
            "linalg_cholesky",
            "linalg_det",
            "linalg_slogdet",
            "linalg_qr",
            "linalg_svd",
            "linalg_eigh",
        ),
        per_matrix,
    ),
    linalg_solve=solve_rule,
)
