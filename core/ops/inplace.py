"""In-place ops: ``add_``, ``mul_``, ``zero_``, ``copy_``, ``+=``, ...

An in-place op computes its out-of-place twin (recording the twin's node with edges to
the tensor's previous history), writes the result into the tensor's storage, bumps the
version counter and, when a graph is being recorded, makes the twin's node the tensor's
``grad_fn`` (PyTorch's "rebase history"). A rule that needs the tensor's value from
before the write gets a snapshot of it, as PyTorch's in-place formulas do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dtypes, dual
from ..arguments import has_cells, origin, public_signature, twin
from ..batching import INPLACE_BATCHED_OTHER, BatchedArray, depth
from ..batching_rules import writable_copy
from ..dtypes import FLOATING
from ..grad_mode import state as _grad_state
from ..tensor import Tensor
from .dispatch import array_of, backend_of, broadcast_all, broadcast_shapes, finish, promote
from .elementwise import BINARY_RECORDS, _operands, add
from .helpers import tangent_or_zeros
from .record import BINARY, CONVERSION, Composite, OpRecord, attach_node, resave_output
from .tangent_writes import write_tangents

# Forward mode: overwritten values have tangent 0; a copied or filled-in tensor's passes.
ZERO = OpRecord(
    "zero", CONVERSION, "ZeroBackward0", "zeros_like", grads=(lambda g: g * 0,),
    jvp=lambda us, out: tangent_or_zeros(None, out),
)  # fmt: skip
FILL = OpRecord(
    "fill", CONVERSION, "FillBackward2", "full", grads=(lambda g: g * 0,),
    jvp=lambda us, out: tangent_or_zeros(None, out),
)  # fmt: skip
# fill_ with a 0-d tensor: the value gets the gradient (the engine sums it to its shape).
FILL_TENSOR = OpRecord(
    "fill_tensor", CONVERSION, "FillBackward3", "full", inputs=("self", "value"), public="fill",
    grads=(lambda g: g * 0, lambda g: g),
    jvp=lambda us, out: tangent_or_zeros(us[1], out).expand(out.shape),
)  # fmt: skip
COPY = OpRecord(
    "copy", CONVERSION, "CopyBackwards", "assign", inputs=("self", "src"),
    grads=(lambda g: g * 0, lambda g: g),
    jvp=lambda us, out: tangent_or_zeros(us[1], out).expand(out.shape),
)  # fmt: skip

RECORDS = (ZERO, FILL, FILL_TENSOR, COPY)


def _zero(input: Tensor, *extra: Any) -> Tensor:
    if extra:  # PyTorch's zero_ is a C method without parameters
        raise TypeError(f"TensorBase.zero_() takes no arguments ({len(extra)} given)")
    k = input._backend.kernels
    return finish(
        ZERO, k["zeros_like"](input._storage.array), input._dtype, input._backend, (input,)
    )


def _fill(input: Tensor, value: Any) -> Tensor:
    if not isinstance(value, (Tensor, int, float, complex)) and type(value).__module__ != "numpy":
        raise TypeError(
            f"fill_() received an invalid combination of arguments - got "
            f"({type(value).__name__}), but expected one of:\n * (Tensor value)\n"
            " * (Number value)"
        )
    return filled(input, value, FILL, FILL_TENSOR)


def filled(input: Tensor, value: Any, record: OpRecord, tensor_record: OpRecord) -> Tensor:
    """``input``'s shape and dtype filled with ``value`` (a number or a 0-d tensor), as
    ``record``'s node (``tensor_record``'s for a tensor value, which gets the gradient):
    the value of ``fill_`` and of the functional ``torch.fill``."""
    inputs = (input,)
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.dim()} dimensions."
            )
        record, inputs = tensor_record, (input, value)
        if value._backend.lazy:  # the value stays unread: broadcast, not item()
            return finish(
                record, _broadcast_fill(input, value), input._dtype, input._backend, inputs
            )
        value = value.item()
    backend = input._backend
    array = backend.kernels["full"](input.shape, value, backend.native_dtype(input._dtype))
    return finish(record, _batched_like(input, array), input._dtype, backend, inputs)


def _batched_like(input: Tensor, array: Any) -> Any:
    """``array`` (a value for ``input``, written in place) batched as ``input`` is inside
    ``vmap``: a per-sample tensor filled or copied into from outside takes the same value
    in every sample (``fill_``/``copy_`` of a batched tangent in ``jacfwd``)."""
    target = input._storage.array
    if type(target) is not BatchedArray:
        return array
    return writable_copy(input._backend.kernels, array, target)


def _broadcast_fill(input: Tensor, value: Tensor) -> Any:
    k, native = input._backend.kernels, input._backend.native_dtype(input._dtype)
    filled = k["broadcast_to"](k["astype"](value._storage.array, native), tuple(input.shape))
    return k["copy"](filled)


def _copy(input: Tensor, src: Any) -> Tensor:
    if not isinstance(src, Tensor):
        raise TypeError(
            f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}"
        )
    backend = backend_of("copy_", input, src)
    shape = broadcast_all("copy_", input, src)
    if shape != tuple(input.shape):
        raise RuntimeError(
            f"output with shape {list(input.shape)} doesn't match the broadcast shape {list(shape)}"
        )
    k = backend.kernels
    array = k["broadcast_to"](array_of(src, input._dtype, backend), tuple(input.shape))
    array = _batched_like(input, k["copy"](array))
    return finish(COPY, array, input._dtype, backend, (input, src))


def check_inplace(t: Tensor, op: str) -> None:
    """PyTorch's refusals of an in-place write that would corrupt autograd."""
    if _grad_state.enabled:
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place "
                f"operation. (in {op}())"
            )
        # A node whose outputs stand for its inputs (a module's backward-hook views)
        # refuses in-place writes to them, with its own message, as in PyTorch.
        refusal = getattr(t._grad_fn, "inplace_refusal", None)
        if refusal is not None:
            raise RuntimeError(refusal(t._output_nr))
        base = t._base
        if base is not None and base.requires_grad:
            if base._grad_fn is None:
                raise RuntimeError(
                    "a view of a leaf Variable that requires grad is being used in "
                    f"an in-place operation. (in {op}())"
                )
            raise RuntimeError(
                f"{op}(): this view is one of several outputs of one function (split, "
                "chunk, unbind); as in PyTorch, such views cannot be modified in place. "
                "clone() it first."
            )
    check_inplace_allowed_for_inference(t, op)


def check_inplace_allowed_for_inference(t: Tensor, op: str) -> None:
    if t._is_inference and not _grad_state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed."
            "You can make a clone to get a normal tensor before doing inplace update. "
            f"(in {op}())"
        )


def _snapshot(t: Tensor) -> Tensor:
    """A copy of ``t``'s current value with ``t``'s place in the graph (same edge)."""
    copy = Tensor._make(t._backend.kernels["copy"](t._storage.array), t._dtype, t._backend)
    copy._grad_fn, copy._output_nr, copy._requires_grad = t._grad_fn, t._output_nr, False
    if dual.STATE.active:
        dual.copy_tangents(t, copy)
    return copy


def _check_result(t: Tensor, result: Tensor, op: str) -> None:
    _check_fits(t, result._storage.array.shape, result._dtype, op)


def _check_fits(t: Tensor, shape: tuple, dtype: dtypes.dtype, op: str) -> None:
    """PyTorch's refusal of an in-place result of another shape than ``t``'s, or of a
    dtype of a higher category (float into integer, integer into bool)."""
    own = t._storage.array.shape
    # A shape computed from per-sample shapes (broadcast_shapes) has no vmap levels: its
    # dims alone are compared; a result's own shape is compared with its levels too.
    if shape != own if hasattr(shape, "levels") else tuple(shape) != tuple(own):
        _check_vmap_levels(t, shape, op)
        raise RuntimeError(
            f"output with shape {list(t.shape)} doesn't match the broadcast shape "
            f"{[*getattr(shape, 'batch_sizes', ()), *shape]} (in {op}())"  # a vmap batch included
        )
    if dtype.category > t._dtype.category:
        raise RuntimeError(
            f"result type {dtypes.kind_name(dtype)} can't be cast to the desired output "
            f"type {dtypes.kind_name(t._dtype)} (in {op}())"
        )


# Inside vmap, PyTorch's in-place ops refuse an operand batched where self is not with
# a message of their own (the others, add_ among them, report the shapes).
_VMAP_ARITHMETIC = frozenset({"mul_", "multiply_", "div_", "divide_", "true_divide_", "sub_"})
_VMAP_ATEN = frozenset({"pow_", "subtract_", "remainder_", "lerp_", "clamp_"})


def _check_vmap_levels(t: Tensor, shape: tuple, op: str) -> None:
    own = getattr(t._storage.array.shape, "levels", ())
    if not set(getattr(shape, "levels", ())) - set(own):
        return
    if op in _VMAP_ARITHMETIC:
        raise RuntimeError(INPLACE_BATCHED_OTHER.format("inplace arithmetic"))
    if op in _VMAP_ATEN:  # PyTorch's fallback for ops without a batching rule
        level = depth(min(set(shape.levels) - set(own)))
        raise RuntimeError(
            f"vmap: aten::{op}(self, *extra_args) is not possible because there exists a "
            "Tensor `other` in extra_args that has more elements than `self`. This happened "
            "due to `other` being vmapped over but `self` not being vmapped over at level "
            f"{level}. Please try to use out-of-place operators instead of aten::{op}. If "
            "said operator is being called inside the PyTorch framework, please file a bug "
            "report instead."
        )


# In-place ops whose out-of-place twin checks broadcasting in another order than PyTorch's
# in-place kernel (``masked_fill`` names the mask tensor a, ``masked_fill_`` names self).
_SELF_FIRST_BROADCAST = frozenset({"masked_fill_"})
# In-place ops PyTorch has no derivative formula for (unlike ``eq_``, whose is zeros): no
# autograd refusal (a leaf that requires grad takes them) and no new history.
_NOT_DIFFERENTIABLE = frozenset({"logical_not_", "logical_and_", "logical_or_", "logical_xor_"})


def _check_shape_first(t: Tensor, other: Tensor, op: str) -> None:
    """PyTorch's refusal of an operand that broadcasts ``t`` to a larger shape, before
    the op's own checks of the operands' dtypes (``x.bitwise_and_(y)`` of a float ``x``);
    operands that do not broadcast at all are the op's to report."""
    array, other_array = t._storage.array, other._storage.array
    if BatchedArray in (type(array), type(other_array)):
        return  # inside vmap: the op's batching rule checks per-sample shapes
    shape, other_shape = array.shape, other_array.shape
    if other_shape == shape:
        return
    try:
        _check_fits(t, broadcast_shapes(op, shape, other_shape), t._dtype, op)
    except RuntimeError as error:
        if str(error).startswith("output with shape"):
            raise


def _check_fits_first(t: Tensor, args: tuple, kwargs: dict, op: str) -> None:
    """:func:`_check_fits` on the result's shape and dtype as the operands promise them
    (``t`` and ``args[0]``), before the op runs; the op itself reports operands it
    cannot take at all."""
    other = args[0] if args else None
    if not isinstance(other, (Tensor, int, float)):
        return
    shape = t._storage.array.shape
    if isinstance(other, Tensor):
        try:
            shape = broadcast_shapes(op, shape, other._storage.array.shape)
        except RuntimeError:
            return
    _check_fits(t, shape, promote((t, other)), op)


def write_result(t: Tensor, result: Tensor, op: str) -> Tensor:
    """Store ``result`` into ``t`` in place, bump its version, rebase its history."""
    _check_result(t, result, op)
    storage = t._storage
    storage.array = t._backend.kernels["assign"](storage.array, result._storage.array)
    storage.bump_version()
    if result._grad_fn is not None:
        t._grad_fn, t._output_nr = result._grad_fn, 0
        resave_output(result._grad_fn, result, t)
    if dual.STATE.active:
        write_tangents(t, result)
    return t


def inplace(
    name: str,
    op: Callable[..., Tensor],
    needs_old_self: bool,
    record: OpRecord | None = None,
    check_first: bool = False,
) -> Callable[..., Tensor]:
    """The in-place method ``name`` (e.g. ``mul_``) of the out-of-place ``op``; with the
    ``record`` of a binary arithmetic op, it writes straight into the tensor's memory
    when nothing is recorded (:func:`_write_into`). With ``check_first``, an integer or
    bool tensor's result must fit it before ``op`` runs (:func:`_check_fits_first`);
    a floating tensor's is checked after, as always. An ``op`` with an ``integral_check``
    attribute (``check(t, args, kwargs, name)``) gets that check there instead."""
    into = f"{record.kernel}_into" if record is not None and record.kind == BINARY else None
    first = _check_fits_first if check_first else getattr(op, "integral_check", None)

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if into is not None and _write_into(self, record, into, args, kwargs, name):
            return self
        if name in _NOT_DIFFERENTIABLE:
            check_inplace_allowed_for_inference(self, name)
            return write_result(self, op(self, *args, **kwargs), name)
        if rebases_base(self, args):
            return write_through_view(self, op, args, kwargs, name)
        check_inplace(self, name)
        if name in _SELF_FIRST_BROADCAST and args and isinstance(args[0], Tensor):
            broadcast_all(name, self, args[0])
        if first is not None and self._dtype.category < FLOATING:
            first(self, args, kwargs, name)
        elif args and isinstance(args[0], Tensor):
            _check_shape_first(self, args[0], name)
        source = self
        if needs_old_self and _grad_state.enabled and _any_requires_grad(self, args):
            source = _snapshot(self)
        return write_result(self, op(source, *args, **kwargs), name)

    method.__name__ = name
    method.__wrapped__ = op  # type: ignore[attr-defined] # its signature is the op's
    return method


def _write_into(
    t: Tensor, record: OpRecord, into: str, args: tuple, kwargs: dict, name: str
) -> bool:
    """``t.<name>(other, alpha=...)`` computed into ``t``'s own memory by the backend's
    ``<kernel>_into`` kernel, where the backend has one and no graph (nor, inside a dual
    level, tangent) is being recorded:
    no temporary, no copy back (the SGD update ``p -= lr * p.grad`` under ``no_grad``).
    Returns False, having changed nothing, where the general path must run: a graph
    to record, a result of another dtype or shape than ``t``, memory that cannot be
    written element by element."""
    kernels = t._backend.kernels
    if t._dtype.category != dtypes.FLOATING or dual.STATE.active:
        return False  # integer and bool tensors: the general path's dtype rules and refusals
    if into not in kernels or len(args) != 1 or kwargs.keys() - {"alpha"}:
        return False
    other = args[0]
    if _grad_state.enabled and (t.requires_grad or getattr(other, "requires_grad", False)):
        return False
    if type(other) is bool or getattr(other, "_dtype", None) is dtypes.bool:
        return False  # the general path refuses ``x.sub_(mask)`` as PyTorch does
    try:
        _, dtype, a, b = _operands(record, t, other)
    except (TypeError, RuntimeError):
        return False  # the general path raises PyTorch's error
    if dtype is not t._dtype or getattr(b, "shape", a.shape) != a.shape or not a.ndim:
        return False
    if kernels["has_internal_overlap"](a):
        return False
    check_inplace(t, name)
    alpha = kwargs.get("alpha", 1)
    if alpha != 1:
        b = kernels["multiply"](b, alpha)
    kernels[into](a, b)
    t._storage.bump_version()
    return True


def _zero_region(g: Tensor, view_fn: Callable[[Tensor], Tensor]) -> Tensor:
    """``g`` with the view's region zeroed: that part of the base was overwritten."""
    out = g.clone()
    view_fn(out).zero_()
    return out


# An in-place write through a view of a tensor in a graph: the base's new history. Like
# AccumulateGrad it is engine machinery, not an op a user calls, so it is not in RECORDS;
# tests/test_view_inplace.py checks its gradients against PyTorch.
VIEW_COPY_SLICES = OpRecord(
    "view_copy_slices", CONVERSION, "CopySlices", "assign", inputs=("self", "src"),
    save=("view_fn",), grads=(_zero_region, lambda g, view_fn: view_fn(g)),
)  # fmt: skip


def rebases_base(view: Tensor, args: tuple) -> bool:
    """True for an in-place op on a (single-output) view whose base is, or is about to
    become, part of a graph that is not a leaf's: PyTorch rebases the base's history."""
    base = view._base
    if base is None or view._view_fn is None or not _grad_state.enabled:
        return False
    if base._grad_fn is None and base._requires_grad:
        return False  # a view of a leaf that requires grad: check_inplace refuses it
    return base.requires_grad or _any_requires_grad(view, args)


def write_through_view(view: Tensor, op: Callable, args: tuple, kwargs: dict, name: str):
    """``view.<name>(*args)`` where ``view`` aliases part of ``base``: compute the new
    value out of place, write it through the view, make ``CopySlices(base, value)``
    the base's ``grad_fn`` and re-derive the view's ``grad_fn`` from the new base."""
    check_inplace_allowed_for_inference(view, name)
    base = view._base
    value = op(_snapshot(view), *args, **kwargs)
    _check_result(view, value, name)
    storage = view._storage
    storage.array = view._backend.kernels["assign"](storage.array, value._storage.array)
    storage.bump_version()
    attach_node(VIEW_COPY_SLICES, base, (base, value), {"view_fn": view._view_fn})
    fresh = view._view_fn(base)
    view._grad_fn, view._output_nr = fresh._grad_fn, fresh._output_nr
    view._view_version = storage.version
    if dual.STATE.active:
        write_tangents(view, value)
    return view


def _any_requires_grad(self: Tensor, args: tuple) -> bool:
    return self.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)


AUGMENTED = {
    "__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_",
    "__ifloordiv__": "floor_divide_", "__imod__": "remainder_", "__ipow__": "pow_",
    "__iand__": "bitwise_and_", "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_",
    "__ilshift__": "bitwise_left_shift_", "__irshift__": "bitwise_right_shift_",
}  # fmt: skip


def in_place_methods(functions: dict[str, Callable], records: tuple) -> dict[str, Callable]:
    """The in-place methods and the augmented assignment operators.

    ``<name>_`` for each function ``name`` whose facts (:func:`surface_facts`) say it
    has an in-place form, plus ``zero_``, ``fill_`` and ``copy_``. An op any of whose
    records saves ``self`` gets a snapshot of the value before the write (a composed
    function, to be safe, too); a binary record's op may write straight into memory."""
    saves_self: dict[str, bool] = {}
    for r in records:
        saves_self[r.public] = saves_self.get(r.public, False) or "self" in r.save
    methods = {}
    for name, fn in functions.items():
        facts = surface_facts(name, functions, records)
        if facts is None or not facts.inplace:
            continue
        record = facts if isinstance(facts, OpRecord) else None
        public = record.public if record is not None else name
        op = twin(fn, call_name=f"{name}_", as_method=True) if has_cells(fn, "call_name") else fn
        methods[f"{name}_"] = inplace(
            f"{name}_", op, saves_self.get(public, True), record, facts.refuses_integral
        )
    methods["zero_"] = inplace("zero_", public_signature(_zero), False)
    methods["fill_"] = inplace("fill_", _fill, False)
    methods["copy_"] = inplace("copy_", _copy, False)
    for dunder, name in AUGMENTED.items():
        methods[dunder] = methods[name]
    return methods


def surface_facts(
    name: str, functions: dict[str, Callable], records: tuple
) -> OpRecord | Composite | None:
    """The facts behind public function ``name``: the record built into its function,
    else the function's :func:`~.record.composite` declaration, else the record of that
    public name, else (an alias: ``divide`` for ``div``) the record of a public name
    bound to the same function. For a record, that of its public name: the surface
    facts live there."""
    fn = functions[name]
    primary = {r.public: r for r in records if r.name == r.public}
    record = getattr(fn, "record", None)
    if isinstance(record, OpRecord):
        return primary.get(record.public, record)
    declared = getattr(fn, "composite", None)
    if isinstance(declared, Composite):
        return declared
    if name in primary:
        return primary[name]
    return next((r for p, r in primary.items() if origin(functions.get(p)) is origin(fn)), None)


# The engine's in-place accumulation into a leaf's ``.grad`` (the engine sits above the
# ops, so it calls this function, not the method).
add_ = inplace("add_", add, False, next(r for r in BINARY_RECORDS if r.name == "add"))
