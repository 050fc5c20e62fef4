"""Elementwise ops: unary math, binary arithmetic with broadcasting, comparisons.

Each op is one record; the function, method and operator forms are built from it by
:func:`unary_op`, :func:`binary_op` and :func:`comparison_op`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import dtypes
from ..arguments import MISSING, error, parsed, public_signature, raise_error, typename
from ..creation import tensor
from ..dtypes import FLOATING
from ..tensor import Tensor
from .backward_ops import sigmoid_backward, tanh_backward, threshold_backward
from .dispatch import (
    array_of,
    backend_of,
    broadcast_all,
    broadcast_shapes,
    check_operand,
    common_dtype,
    finish,
    host_operand,
    promote,
)
from .helpers import full_on, not_implemented
from .kernel_names import refusal
from .record import BINARY, COMPARISON, TERNARY, UNARY, AtKinks, Convention, OpRecord

POSITIVE = (0.0, math.inf)
_NEG_BOOL = (
    "Negation, the `-` operator, on a bool tensor is not supported. If you are "
    "trying to invert a mask, use the `~` or `logical_not()` operator instead. (in neg())"
)


def _unary(name: str, grad_fn: str, save: tuple, grad: Callable, **kw: Any) -> OpRecord:
    """A unary math record; like every one of PyTorch's, the op has an in-place form."""
    kw.setdefault("inplace", True)
    return OpRecord(name, UNARY, grad_fn, kw.pop("kernel", name), save=save, grads=(grad,), **kw)


UNARY_RECORDS = (
    _unary("neg", "NegBackward0", (), lambda g: -g, kernel="negative", accepts_bool=False,
           bool_error=_NEG_BOOL),
    _unary("abs", "AbsBackward0", ("self",), lambda g, a: g * a.sign(), kinks=(0.0,), smooth=False,
           doc="abs'(0) = 0 (sign(0)); abs'(nan) = 0 (sign(nan))",
           accepts_bool=False,
           conventions=(AtKinks(0.0), Convention(([math.nan, -0.0],), ([0.0, 0.0],)))),
    # The kernel gives sign(nan) = 0, as PyTorch's does.
    _unary("sign", "SignBackward0", (), lambda g: g * 0, kinks=(0.0,), smooth=False,
           doc="gradient 0 everywhere; sign(nan) = 0", conventions=(AtKinks(0.0),)),
    _unary("exp", "ExpBackward0", ("result",), lambda g, r: g * r, int_to_float=True),
    _unary("log", "LogBackward0", ("self",), lambda g, a: g / a,
           int_to_float=True, domain=POSITIVE),
    _unary(
        "sqrt", "SqrtBackward0", ("result",), lambda g, r: g / (2 * r),
        int_to_float=True, domain=POSITIVE,
    ),
    _unary("sin", "SinBackward0", ("self",), lambda g, a: g * a.cos(), int_to_float=True),
    _unary("cos", "CosBackward0", ("self",), lambda g, a: g * -a.sin(), int_to_float=True),
    _unary("tanh", "TanhBackward0", ("result",), lambda g, r: tanh_backward(g, r),
           int_to_float=True),
    _unary(
        "sigmoid", "SigmoidBackward0", ("result",), lambda g, r: sigmoid_backward(g, r),
        int_to_float=True,
    ),
    # PyTorch's convention: relu'(0) = 0.
    _unary(
        "relu", "ReluBackward0", ("result",), lambda g, r: threshold_backward(g, r),
        doc="relu'(0) = 0", kinks=(0.0,), smooth=False, accepts_bool=False,
        bool_error="Boolean inputs not supported for relu (convert with .float() first)",
        conventions=(AtKinks(0.0),),
    ),
    _unary("reciprocal", "ReciprocalBackward0", ("result",), lambda g, r: -g * (r * r),
           int_to_float=True, domain=POSITIVE),
)  # fmt: skip


def _binary(name: str, grad_fn: str, save: tuple, grads: tuple, **kw: Any) -> OpRecord:
    kw.setdefault("inputs", ("self", "other"))
    return OpRecord(name, BINARY, grad_fn, kw.pop("kernel", name), save=save, grads=grads, **kw)


def _scaled(g: Tensor, alpha: Any) -> Tensor:
    return g if alpha == 1 else g * alpha


def _pow_self_grad(g: Tensor, a: Tensor, exponent: Any) -> Tensor:
    # PyTorch's convention: where the exponent is 0 the gradient is 0, even at a = 0
    # (not nan from 0 * 0 ** -1).
    if not isinstance(exponent, Tensor):
        return g * 0 if exponent == 0 else g * (exponent * a ** (exponent - 1))
    return g * where(exponent == 0, 0.0, exponent * a ** (exponent - 1))


def _pow_exponent_grad(g: Tensor, a: Tensor, exponent: Tensor, result: Tensor) -> Tensor:
    # PyTorch's convention: where the base is 0 and the exponent >= 0 the gradient is 0,
    # not nan from 0 * log(0).
    zero_base = (a == 0).logical_and(exponent >= 0)
    safe_base = where(zero_base, 1.0, a)  # no log(0) computed only to be masked away
    return g * where(zero_base, 0.0, result * safe_base.log())


_Z3 = [0.0, 0.0, 0.0]

BINARY_RECORDS = (
    _binary("add", "AddBackward0", ("alpha",),
            (lambda g, alpha: g, _scaled), kernel="add", inplace=True),
    _binary("sub", "SubBackward0", ("alpha",),
            (lambda g, alpha: g, lambda g, alpha: _scaled(-g, alpha)), kernel="subtract",
            inplace=True),
    # other - alpha * self, with ``other`` a Python scalar: ``2 - x``.
    _binary("rsub", "RsubBackward1", ("alpha",), (lambda g, alpha: _scaled(-g, alpha),),
            kernel="subtract", inputs=("self",), method=False),
    # other - alpha * self, both tensors: ``torch.rsub(x, y)``; ``other`` gets ``g``.
    _binary("rsub_tensor", "RsubBackward0", ("alpha",),
            (lambda g, alpha: _scaled(-g, alpha), lambda g, alpha: g),
            kernel="subtract", public="rsub"),
    _binary("mul", "MulBackward0", ("self", "other"),
            (lambda g, a, b: g * b, lambda g, a, b: g * a), kernel="multiply", inplace=True),
    _binary("div", "DivBackward0", ("self", "other"),
            (lambda g, a, b: g / b, lambda g, a, b: -g * a / (b * b)),
            kernel="divide", int_to_float=True, domain=(0.5, 2.0), inplace=True,
            refuses_integral=True),
    _binary("pow", "PowBackward0", ("self", "exponent"), (_pow_self_grad,),
            doc="x ** 0 has gradient 0, at x = 0 too; x ** ±0.5 is sqrt/rsqrt (signed at -0.0)",
            inputs=("self",), domain=(0.5, 2.0), inplace=True,
            conventions=(Convention((_Z3,), (_Z3,), (("exponent", 0),)),
                         Convention(([-0.0, 0.0, 4.0],), ([-math.inf, math.inf, 0.25],),
                                    (("exponent", 0.5),)))),
    _binary("pow_tensor", "PowBackward1", ("self", "exponent", "result"),
            (lambda g, a, e, r: _pow_self_grad(g, a, e), _pow_exponent_grad),
            kernel="pow", inputs=("self", "exponent"), domain=(0.5, 2.0),
            doc="0 ** e with e >= 0: d/de = 0 (not nan)", public="pow",
            conventions=(Convention((_Z3, [2.0, 2.0, 2.0]), (_Z3, _Z3)),)),
    # base ** self, with ``base`` a Python scalar: ``2 ** x``.
    _binary("pow_scalar_base", "PowBackward2", ("base", "result"),
            (lambda g, base, r: g * (r * math.log(base)),),
            kernel="pow", inputs=("self",), domain=(0.5, 2.0), public="pow"),
)  # fmt: skip

# The condition is a parameter, not an input: it gets no edge (as in PyTorch).
WHERE = OpRecord(
    "where",
    TERNARY,
    "WhereBackward0",
    "where",
    inputs=("self", "other"),
    save=("condition",),
    grads=(lambda g, c: where(c, g, 0.0), lambda g, c: where(c, 0.0, g)),
    method=False,
)

COMPARISON_RECORDS = tuple(
    OpRecord(name, COMPARISON, None, kernel, inputs=("self", "other"), inplace=True)
    for name, kernel in (
        ("eq", "equal"),
        ("ne", "not_equal"),
        ("lt", "less"),
        ("le", "less_equal"),
        ("gt", "greater"),
        ("ge", "greater_equal"),
        ("logical_and", "logical_and"),
    )
)


# -- builders ----------------------------------------------------------------------------
def _integral_dtype(record: OpRecord, dtype: dtypes.dtype, backend: Any) -> dtypes.dtype:
    """The dtype a unary op computes an integer or bool input in, or PyTorch's refusal
    (the record's ``bool_error``, ``accepts_bool`` and ``float_only`` say which)."""
    if record.int_to_float:
        return dtypes.get_default_dtype()
    if dtype is dtypes.bool and record.bool_error:
        raise RuntimeError(record.bool_error)
    if (dtype is dtypes.bool and not record.accepts_bool) or record.float_only:
        raise refusal(record.name, backend, dtype)
    return dtype


def unary_op(record: OpRecord) -> Callable[[Tensor], Tensor]:
    """The public function of a unary ``record``: ``op(input)`` checks that ``input`` is a
    Tensor, computes integer and bool inputs in the dtype :func:`_integral_dtype` picks
    (or refuses them as PyTorch does), calls the record's kernel once and records the
    record's node when autograd must. The function's ``record`` attribute names it."""
    kernel = record.kernel
    call_name, as_method = record.name, False  # closure cells: see arguments.twin

    def op(input: Tensor = MISSING, *extra: Any) -> Tensor:
        if extra or not isinstance(input, Tensor):
            raise_error(call_name, extra if as_method else (input, *extra), method=as_method)
            raise TypeError(
                f"{call_name}(): argument 'input' must be Tensor, not {typename(input)}"
            )
        backend, dtype = input._backend, input._dtype
        if dtype.category < FLOATING:
            dtype = _integral_dtype(record, dtype, backend)
        out = backend.kernels[kernel](array_of(input, dtype, backend))
        return finish(record, out, dtype, backend, (input,))

    op.__name__ = op.__qualname__ = record.name
    op.record = record  # type: ignore[attr-defined]
    return public_signature(op)


def _operands(record: OpRecord, input: Any, other: Any) -> tuple:
    """Backend, dtype and kernel arrays for a binary op, after PyTorch's checks."""
    # Fast path, most calls: a tensor with a tensor of its dtype and backend, or with a
    # Python float (int) where the tensor is floating (integral): nothing to promote.
    if type(input) is Tensor and not (record.int_to_float and input._dtype.category < FLOATING):
        dtype, a = input._dtype, input._storage.array
        kind = type(other)
        if kind is Tensor and other._dtype is dtype and other._backend is input._backend:
            b = other._storage.array
            if a.shape != b.shape:
                broadcast_shapes(record.name, a.shape, b.shape)
            return input._backend, dtype, a, b
        if (kind is float and dtype.category == FLOATING) or (kind is int and dtype.category):
            return input._backend, dtype, a, other
    return _promoted_operands(record, input, other)


def tensor_or_number_op(name: str, kernel: str, records: tuple, input: Any, other: Any) -> Tensor:
    """A binary op whose either operand (not both) may be a Python number, with one record
    per form: ``records`` is ``(tensor and tensor, number and tensor, tensor and
    number)`` (``xlogy``'s three nodes, PyTorch's ``Backward0/1/2``); ``name`` is the op's
    name in the error for two numbers."""
    both, number_self, number_other = records
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"{name}(): expected a tensor operand")
    if not isinstance(input, Tensor):
        record, inputs, params = number_self, (other,), {"scalar": input}
    elif isinstance(other, Tensor):
        record, inputs, params = both, (input, other), None
    else:
        record, inputs, params = number_other, (input,), {"other": other}
    backend, dtype, a, b = _operands(record, input, other)
    return finish(record, backend.kernels[kernel](a, b), dtype, backend, inputs, params)


# Ops PyTorch also computes on two Python numbers (``torch.add(3, 5)`` is ``tensor(8)``).
_NUMBERS_ACCEPTED = {"add", "sub", "mul", "div"}


def _promoted_operands(record: OpRecord, input: Any, other: Any) -> tuple:
    input, other = host_operand(input), host_operand(other)
    check_operand(record.name, input, "input")
    check_operand(record.name, other, "other")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        if record.name not in _NUMBERS_ACCEPTED:
            raise TypeError(
                f"{record.public}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        input = tensor(input)  # a 0-d tensor on the default backend, as PyTorch wraps it
    backend = backend_of(record.name, input, other)
    dtype = common_dtype((input, other), record.int_to_float)
    a, b = array_of(input, dtype, backend), array_of(other, dtype, backend)
    if isinstance(input, Tensor) and isinstance(other, Tensor) and a.shape != b.shape:
        broadcast_shapes(record.name, a.shape, b.shape)
    return backend, dtype, a, b


def _floating_operands(record: OpRecord, input: Any, other: Any) -> tuple:
    """:func:`_operands`, refusing integer and bool operands as PyTorch's kernel does."""
    backend, dtype, a, b = _operands(record, input, other)
    if dtype.category < FLOATING:
        raise not_implemented(record.name, backend, dtype)
    return backend, dtype, a, b


def binary_op(record: OpRecord) -> Callable[..., Tensor]:
    """The public function of a binary ``record``: ``op(input, other, *, alpha=1)``
    promotes the operands as PyTorch does (:func:`_operands`: either may be a Python
    number; shapes broadcast), scales ``other`` by ``alpha`` where the record saves it,
    calls the record's kernel once and records its node when autograd must. A
    ``float_only`` record refuses integer and bool operands as PyTorch's kernel does."""
    kernel = record.kernel
    has_alpha = "alpha" in record.save
    operands = _floating_operands if record.float_only else _operands  # no cost to others

    call_name, as_method = record.name, False  # closure cells: see arguments.twin

    def op(input: Any = MISSING, other: Any = MISSING, *extra: Any, alpha: Any = 1) -> Tensor:
        try:
            if extra:
                raise TypeError(f"{call_name}() takes 2 positional arguments")
            backend, dtype, a, b = operands(record, input, other)
        except TypeError as e:
            given = (other, *extra) if as_method else (input, other, *extra)
            kwargs = {} if alpha == 1 else {"alpha": alpha}
            raise (error(call_name, given, kwargs, as_method) or e) from None
        k = backend.kernels
        if has_alpha and alpha != 1:
            b = k["multiply"](b, alpha)
        out = k[kernel](a, b)
        params = {"alpha": alpha} if has_alpha else None
        return finish(record, out, dtype, backend, (input, other), params)

    op.__name__ = op.__qualname__ = record.name
    op.record = record  # type: ignore[attr-defined]
    return public_signature(op)


def comparison_op(record: OpRecord) -> Callable[[Any, Any], Tensor]:
    """The public function of a comparison ``record``: ``op(input, other)`` promotes the
    operands as a binary op does, calls the record's kernel and returns a bool tensor
    (never differentiable, so no node)."""
    kernel = record.kernel

    call_name, as_method = record.name, False  # closure cells: see arguments.twin

    tensors_only = record.name.startswith("logical_")  # PyTorch takes no number there

    def op(input: Any = MISSING, other: Any = MISSING, *extra: Any) -> Tensor:
        try:
            if extra or (tensors_only and type(other) is not Tensor):
                raise TypeError(f"{call_name}() takes 2 tensors")
            backend, _, a, b = _operands(record, input, other)
        except TypeError as e:
            given = (other, *extra) if as_method else (input, other, *extra)
            raise (error(call_name, given, None, as_method) or e) from None
        return Tensor._make(backend.kernels[kernel](a, b), dtypes.bool, backend)

    op.__name__ = op.__qualname__ = record.name
    op.record = record  # type: ignore[attr-defined]
    return public_signature(op)


# -- the ops whose argument handling is not a plain unary/binary call --------------------
_add, _sub, _rsub, _rsub1, _mul, _div, _pow0, _pow1, _pow2 = BINARY_RECORDS
add, _subtract, mul, div = (binary_op(r) for r in (_add, _sub, _mul, _div))


def _is_bool(value: Any) -> bool:
    return type(value) is bool or (isinstance(value, Tensor) and value._dtype is dtypes.bool)


def _check_no_bool_subtraction(input: Any, other: Any) -> None:
    """PyTorch refuses ``-`` with a bool operand (a bool tensor or a Python bool)."""
    bools = _is_bool(input) + _is_bool(other)
    if bools == 2:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if bools:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


@parsed("sub")
def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``."""
    _check_no_bool_subtraction(input, other)
    return _subtract(input, other, alpha=alpha)


@parsed("rsub")
def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``other - alpha * input`` (what ``2 - x`` computes)."""
    _check_no_bool_subtraction(input, other)
    if isinstance(other, Tensor) and isinstance(input, Tensor):  # PyTorch: other - input
        broadcast_all("rsub", other, input)
    backend, dtype, a, b = _operands(_rsub, input, other)
    k = backend.kernels
    out = k["subtract"](b, a if alpha == 1 else k["multiply"](a, alpha))
    if isinstance(other, Tensor):
        return finish(_rsub1, out, dtype, backend, (input, other), {"alpha": alpha})
    return finish(_rsub, out, dtype, backend, (input,), {"alpha": alpha})


@parsed("pow")
def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    """``input ** exponent``; either side may be a Python number."""
    if not isinstance(input, Tensor):
        backend, dtype, a, b = _operands(_pow2, input, exponent)
        if dtype is dtypes.bool:
            raise refusal("pow", backend, dtype)
        out = _pow_kernel(backend, a, b)
        return finish(_pow2, out, dtype, backend, (exponent,), {"base": input})
    backend, dtype, a, b = _operands(_pow0, input, exponent)
    if dtype is dtypes.bool:
        a = _bool_pow(backend, a, b, exponent)
        return finish(_pow0, a, dtype, backend, (input,), {"exponent": exponent})
    # PyTorch computes x ** 0.5 and x ** -0.5 as sqrt and rsqrt: -0.0 ** 0.5 is -0.0 and
    # -0.0 ** -0.5 is -inf (so x ** 0.5 has gradient -inf at -0.0), where IEEE pow
    # (JAX's) gives +0.0 and +inf.
    root = _ROOTS.get(b) if type(b) is float and dtype.is_floating_point else None
    out = backend.kernels[root](a) if root is not None else _pow_kernel(backend, a, b)
    if isinstance(exponent, Tensor):
        return finish(_pow1, out, dtype, backend, (input, exponent))
    return finish(_pow0, out, dtype, backend, (input,), {"exponent": exponent})


_ROOTS = {0.5: "sqrt", -0.5: "rsqrt"}


def _bool_pow(backend: Any, a: Any, b: Any, exponent: Any) -> Any:
    """A bool tensor to a bool power: PyTorch's pow has no bool kernel, but a Python
    ``True`` or ``False`` exponent is its shortcut (a copy, or ones) and needs none."""
    if isinstance(exponent, Tensor):
        raise refusal("pow", backend, dtypes.bool)
    k = backend.kernels
    return k["copy"](a) if b else k["ones_like"](a)


def _pow_kernel(backend: Any, a: Any, b: Any) -> Any:
    try:
        return backend.kernels["pow"](a, b)
    except ValueError as error:  # the kernel refuses integers to negative integer powers
        if isinstance(b, int):  # a Python exponent: PyTorch refuses it too
            raise RuntimeError(f"{error} Use a floating point base or exponent.") from None
        return _integer_pow(backend.kernels, a, b)


def _integer_pow(k: Any, a: Any, b: Any) -> Any:
    """Integer ``a ** b`` with a tensor exponent, negative ones included, as PyTorch's
    integer kernel computes it: 1 ** -n is 1, (-1) ** -n is -1 for odd n (else 1), any
    other base gives 0."""
    result = k["pow"](a, k["maximum"](b, 0))
    odd = k["equal"](k["bitwise_and"](b, 1), 1)
    minus_one = k["where"](odd, -1, 1)
    negative = k["where"](k["equal"](a, 1), 1, k["where"](k["equal"](a, -1), minus_one, 0))
    out = k["where"](k["less"](b, 0), negative, result)
    return k["astype"](out, result.dtype)


def check_condition(condition: Any) -> None:
    """PyTorch's refusal of a ``where`` condition that is not a bool tensor."""
    if not isinstance(condition, Tensor) or condition.dtype is not dtypes.bool:
        got = dtypes.kind_name(condition.dtype) if isinstance(condition, Tensor) else "no tensor"
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {got}"
        )


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (all three
    broadcast; either value may be a Python number). The public ``where`` also takes
    ``where(condition)`` alone (:func:`.gather_scatter.where`)."""
    check_condition(condition)
    broadcast_all("where", condition, input, other)  # before the kernel's own error
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = full_on(condition, (), input, promote((input, other)))
    backend, dtype, a, b = _operands(WHERE, input, other)
    backend_of("where", condition, input, other)
    out = backend.kernels["where"](condition._storage.array, a, b)
    return finish(WHERE, out, dtype, backend, (input, other), {"condition": condition})


UNARY_FUNCTIONS = {r.name: unary_op(r) for r in UNARY_RECORDS}
COMPARISON_FUNCTIONS = {r.name: comparison_op(r) for r in COMPARISON_RECORDS}
RECORDS = (*UNARY_RECORDS, *BINARY_RECORDS, WHERE, *COMPARISON_RECORDS)
FUNCTIONS = {
    **UNARY_FUNCTIONS,
    **COMPARISON_FUNCTIONS,
    "add": add,
    "sub": sub,
    "subtract": sub,
    "mul": mul,
    "multiply": mul,
    "div": div,
    "divide": div,
    "true_divide": div,
    "rsub": rsub,
    "pow": pow,
    "where": where,
    "negative": UNARY_FUNCTIONS["neg"],
}
