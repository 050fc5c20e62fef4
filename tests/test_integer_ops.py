"""Integer and bool arithmetic against PyTorch (the oracle): rounding division and
remainder by zero, and the bitwise ops, on the default backend (run with
``RETROGRAD_BACKEND=jax`` for JAX).

Each case is ``code(lib)``, run with ``lib=retrograd`` and ``lib=torch``: both return
equal values of the same dtype (never differentiable), or both raise the same exception
type with PyTorch's message contained in retrograd's.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import retrograd
from retrograd.ops import RECORDS
from retrograd.ops.bitwise import BITWISE

torch = pytest.importorskip("torch")

# NumPy warns where PyTorch silently returns inf or nan (floating division by zero).
SILENT_INF = pytest.mark.filterwarnings("ignore::RuntimeWarning")
# The integer path raises before any kernel runs: no "divide by zero" warning on the way.
NO_WARNING = pytest.mark.filterwarnings("error::RuntimeWarning")


def outcome(code, lib):
    """What ``code(lib)`` gives: ``("ok", values, dtype name, requires_grad, has grad_fn)``
    or ``(exception type, message)``."""
    try:
        out = code(lib)
    except Exception as error:  # noqa: BLE001 - the exception is the outcome
        return type(error), str(error)
    values = np.asarray(out.tolist())
    return "ok", values, str(out.dtype), out.requires_grad, out.grad_fn is not None


def check(code, messages: bool = True):
    """retrograd and PyTorch agree on ``code`` (see the module docstring); with
    ``messages`` False only the exception types are compared (PyTorch's overload lists)."""
    ours, theirs = outcome(code, retrograd), outcome(code, torch)
    if theirs[0] == "ok":
        assert ours[0] == "ok", f"retrograd raised {ours}"
        assert ours[2:] == theirs[2:], f"dtype, requires_grad, grad_fn: {ours[2:]} {theirs[2:]}"
        np.testing.assert_array_equal(ours[1], theirs[1])  # nan equals nan here
        return ours
    assert ours[0] is theirs[0], f"retrograd {ours}, PyTorch {theirs}"
    if messages:
        expected = on_device(theirs[1], retrograd.get_default_device().type)
        assert expected in ours[1], f"retrograd says {ours[1]!r}, PyTorch {expected!r}"
    return ours


def on_device(message: str, device_type: str) -> str:
    """PyTorch CPU's message as PyTorch words it on ``device_type`` (where retrograd ran):
    a kernel refusal names the device (``"bitwise_and_cpu"``; ``"bitwise_and_cuda"`` on a
    GPU backend such as CuPy), and the oracle runs on the CPU."""
    if device_type != "cuda":
        return message
    return re.sub(r'"(\w+)_cpu"', r'"\1_cuda"', message)


def test_a_kernel_refusal_names_the_device_retrograd_ran_on():
    message = "\"bitwise_and_cpu\" not implemented for 'Float'"
    assert on_device(message, "cuda") == "\"bitwise_and_cuda\" not implemented for 'Float'"
    assert on_device(message, "cpu") == message


def ints(m, *values, dtype="int64"):
    return m.tensor(list(values), dtype=getattr(m, dtype))


def bools(m, *values):
    return m.tensor(list(values), dtype=m.bool)


# -- rounding division and remainder by zero ---------------------------------------------
# Each takes (lib, dividend, divisor): every way of spelling //, % and their in-place forms.
DIVISIONS = {
    "//": lambda m, a, b: a // b,
    "%": lambda m, a, b: a % b,
    "floor_divide": lambda m, a, b: m.floor_divide(a, b),
    "remainder": lambda m, a, b: m.remainder(a, b),
    "div-floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    "div-trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "divide-trunc": lambda m, a, b: m.divide(a, b, rounding_mode="trunc"),
    "Tensor.floor_divide": lambda m, a, b: a.floor_divide(b),
    "Tensor.remainder": lambda m, a, b: a.remainder(b),
    "Tensor.div-trunc": lambda m, a, b: a.div(b, rounding_mode="trunc"),
    "floor_divide_": lambda m, a, b: a.clone().floor_divide_(b),
    "remainder_": lambda m, a, b: a.clone().remainder_(b),
    "div_-floor": lambda m, a, b: a.clone().div_(b, rounding_mode="floor"),
    "div_-trunc": lambda m, a, b: a.clone().div_(b, rounding_mode="trunc"),
    "//=": lambda m, a, b: a.clone().__ifloordiv__(b),
    "%=": lambda m, a, b: a.clone().__imod__(b),
}
# The forms that write into the dividend: PyTorch first checks that the result fits it
# (shape, dtype), so those refusals come before ZeroDivisionError.
IN_PLACE_DIVISIONS = {op for op in DIVISIONS if op.endswith("=") or "_-" in op or op[-1] == "_"}
INTEGER_DTYPES = ["int64", "int32", "int16", "int8", "uint8"]
# (dividend, divisor) builders of lib and dtype; each divisor holds a zero.
BY_ZERO = {
    "tensor": lambda m, d: (ints(m, 5, 7, 9, dtype=d), ints(m, 2, 0, 3, dtype=d)),
    "0-d": lambda m, d: (m.tensor(4, dtype=getattr(m, d)), m.tensor(0, dtype=getattr(m, d))),
    "broadcast": lambda m, d: (ints(m, 5, 7, 1, 2, dtype=d).reshape(2, 2), ints(m, 0, 3, dtype=d)),
    "all-zero": lambda m, d: (ints(m, 5, 7, dtype=d), m.zeros(2, dtype=getattr(m, d))),
    "0": lambda m, d: (ints(m, 5, 7, dtype=d), 0),
    "False": lambda m, d: (ints(m, 5, 7, dtype=d), False),
    "bool-tensor": lambda m, d: (ints(m, 5, 7, dtype=d), bools(m, True, False)),
}


@NO_WARNING
@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
@pytest.mark.parametrize("divisor", BY_ZERO, ids=str)
@pytest.mark.parametrize("op", DIVISIONS, ids=str)
def test_integer_division_by_zero_raises_zero_division_error(op, divisor, dtype):
    def code(m):
        return DIVISIONS[op](m, *BY_ZERO[divisor](m, dtype))

    kind, message = check(code)
    assert (kind, message) == (RuntimeError, "ZeroDivisionError")  # PyTorch's exact text


@NO_WARNING
@pytest.mark.parametrize("op", ["//", "%", "floor_divide", "remainder", "div-trunc"])
def test_python_number_divided_by_a_tensor_holding_zero(op):
    """The reflected forms (``5 // t``, ``5 % t``) and a number as the dividend."""
    kind, message = check(lambda m: DIVISIONS[op](m, 5, ints(m, 2, 0)))
    assert (kind, message) == (RuntimeError, "ZeroDivisionError")


@NO_WARNING
@pytest.mark.parametrize("op", DIVISIONS, ids=str)
def test_bool_tensor_divided_by_zero(op):
    """A bool dividend with an integer zero computes in int64: ZeroDivisionError (in
    place: the int64 result cannot be written into a bool tensor, which comes first)."""
    kind, message = check(lambda m: DIVISIONS[op](m, bools(m, True, False), 0))
    if op not in IN_PLACE_DIVISIONS:
        assert (kind, message) == (RuntimeError, "ZeroDivisionError")
    else:
        assert "can't be cast to the desired output type Bool" in message


@NO_WARNING
@pytest.mark.parametrize("op", sorted(IN_PLACE_DIVISIONS))
def test_in_place_result_of_another_shape_is_refused_before_division_by_zero(op):
    check(lambda m: DIVISIONS[op](m, ints(m, 5, 7).reshape(2, 1), ints(m, 0, 3)))


@NO_WARNING
@pytest.mark.parametrize("divisor", ["tensor", "True", "False"])
@pytest.mark.parametrize("op", DIVISIONS, ids=str)
def test_bool_by_bool_is_not_implemented(op, divisor):
    """PyTorch has no bool kernel for these: NotImplementedError naming it, zero or not."""
    other = {"tensor": lambda m: bools(m, True, True), "True": lambda m: True,
             "False": lambda m: False}[divisor]  # fmt: skip
    kind, message = check(lambda m: DIVISIONS[op](m, bools(m, True, False), other(m)))
    assert kind is NotImplementedError and "not implemented for 'Bool'" in message


@NO_WARNING
@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
@pytest.mark.parametrize("op", DIVISIONS, ids=str)
def test_integer_division_without_zero_is_unchanged(op, dtype):
    signed = dtype != "uint8"
    a = (7, -7, 9, 0, -1) if signed else (7, 8, 9, 0, 1)
    b = (2, 2, -4, 3, 5) if signed else (2, 3, 4, 3, 5)
    check(lambda m: DIVISIONS[op](m, ints(m, *a, dtype=dtype), ints(m, *b, dtype=dtype)))
    check(lambda m: DIVISIONS[op](m, ints(m, *a, dtype=dtype), 3))
    check(lambda m: DIVISIONS[op](m, bools(m, True, False), 2))


@NO_WARNING
@pytest.mark.parametrize("op", DIVISIONS, ids=str)
def test_empty_result_divides_nothing(op):
    """PyTorch does not raise where the result has no elements, a zero divisor or not."""
    check(lambda m: DIVISIONS[op](m, m.zeros(0, dtype=m.int64), 0))
    check(lambda m: DIVISIONS[op](m, m.zeros(0, 2, dtype=m.int64), ints(m, 0, 1)))


@SILENT_INF
@pytest.mark.parametrize("op", DIVISIONS, ids=str)
def test_floating_division_by_zero_stays_ieee(op):
    """inf and nan, as PyTorch, for float tensors and for integers promoted to float."""
    for a, b in [
        (lambda m: m.tensor([5.0, -7.0, 0.0]), lambda m: 0),
        (lambda m: m.tensor([5.0, -7.0, 0.0], dtype=m.float64), lambda m: m.zeros(3)),
        (lambda m: ints(m, 5, -7, 0), lambda m: 0.0),
        (lambda m: ints(m, 5, -7, 0), lambda m: m.tensor([0.0, 1.0, 0.0])),
    ]:
        ours = check(lambda m, a=a, b=b: DIVISIONS[op](m, a(m), b(m)))
        # (in place, a float result cannot be written into an integer tensor)
        assert ours[0] == "ok" or op in IN_PLACE_DIVISIONS


@pytest.mark.parametrize("op", ["floor_divide_", "remainder_", "div_-trunc", "//=", "%="])
def test_a_refused_in_place_division_leaves_the_tensor_unchanged(op):
    """Stricter than PyTorch, whose ``remainder_`` may have written the elements before
    the zero when it raises."""
    a = ints(retrograd, 5, -7, 9)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        _in_place(op)(a, ints(retrograd, 1, 0, 1))
    assert a.tolist() == [5, -7, 9] and a._version == 0


def _in_place(op):
    """``op`` applied to the tensor itself (not to a clone, as in :data:`DIVISIONS`)."""
    return {
        "floor_divide_": lambda a, b: a.floor_divide_(b),
        "remainder_": lambda a, b: a.remainder_(b),
        "div_-trunc": lambda a, b: a.div_(b, rounding_mode="trunc"),
        "//=": lambda a, b: a.__ifloordiv__(b),
        "%=": lambda a, b: a.__imod__(b),
    }[op]


# -- bitwise ops, generated from their records -------------------------------------------
BINARY_BITWISE = [r for r in RECORDS if r.kind == BITWISE and len(r.inputs) == 2]
# (self, other) builders of lib: PyTorch's promotion across dtypes, numbers and 0-d tensors.
OPERANDS = {
    "int64": lambda m: (ints(m, 5, -7, 12, 0), ints(m, 3, 1, -6, 9)),
    "int32&int64": lambda m: (ints(m, 5, -7, 12, dtype="int32"), ints(m, 3, 1, 6)),
    "int32&number": lambda m: (ints(m, 5, -7, 12, dtype="int32"), 6),
    "int32&0d-int64": lambda m: (ints(m, 5, -7, 12, dtype="int32"), m.tensor(6)),
    "uint8&int8": lambda m: (ints(m, 5, 200, dtype="uint8"), ints(m, 3, -1, dtype="int8")),
    "int64&number": lambda m: (ints(m, 5, -7, 12), 3),
    "number&int64": lambda m: (3, ints(m, 5, -7, 12)),
    "int64&True": lambda m: (ints(m, 5, -7, 12), True),
    "bool&bool": lambda m: (bools(m, True, False, True, False), bools(m, True, True, False, False)),
    "bool&True": lambda m: (bools(m, True, False), True),
    "bool&number": lambda m: (bools(m, True, False), 1),
    "bool&int64": lambda m: (bools(m, True, False), ints(m, 5, -7)),
    "broadcast": lambda m: (ints(m, 1, 2).reshape(2, 1), ints(m, 3, 4, 6)),
    "0-d": lambda m: (m.tensor(6), m.tensor(3)),
    "bad-shapes": lambda m: (ints(m, 1, 2, 3), ints(m, 1, 2)),
    # PyTorch refuses floating operands, whichever side they are on.
    "float32": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0])),
    "float&number": lambda m: (m.tensor([1.0, 2.0]), 1),
    "int64&float": lambda m: (ints(m, 1, 2), 1.5),
    "float&int64": lambda m: (1.5, ints(m, 1, 2)),
    "int64&float64": lambda m: (ints(m, 1, 2), m.tensor([1.0, 2.0], dtype=m.float64)),
}
# The ways to call a binary bitwise op, ``name`` being its record's (``bitwise_and``).
SYMBOLS = {"bitwise_and": "and", "bitwise_or": "or", "bitwise_xor": "xor"}
FORMS = {
    "function": lambda m, name, a, b: getattr(m, name)(a, b),
    "method": lambda m, name, a, b: getattr(a, name)(b),
    "operator": lambda m, name, a, b: getattr(a, f"__{SYMBOLS[name]}__")(b),
    "reflected": lambda m, name, a, b: getattr(b, f"__r{SYMBOLS[name]}__")(a),
}


def _form_applies(form: str, a, b) -> bool:
    """Methods and operators need a tensor where they are looked up."""
    first = b if form == "reflected" else a
    return form == "function" or not isinstance(first, (int, float))


@NO_WARNING
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("operands", OPERANDS, ids=str)
@pytest.mark.parametrize("record", BINARY_BITWISE, ids=lambda r: r.name)
def test_binary_bitwise_ops(record, operands, form):
    if not _form_applies(form, *OPERANDS[operands](torch)):
        pytest.skip("no tensor to call a method on")
    check(lambda m: FORMS[form](m, record.name, *OPERANDS[operands](m)))


OPERATOR_SYMBOLS = {
    "bitwise_and": "&", "bitwise_or": "|", "bitwise_xor": "^",
    "bitwise_left_shift": "<<", "bitwise_right_shift": ">>",
}  # fmt: skip


@pytest.mark.parametrize(
    "record", [r for r in BINARY_BITWISE if r.name in OPERATOR_SYMBOLS], ids=lambda r: r.name
)
def test_python_operators_with_numbers_on_either_side(record):
    """``5 & t`` goes through ``Tensor.__rand__``; ``t & "a"`` is Python's TypeError."""
    symbol = OPERATOR_SYMBOLS[record.name]
    for left, right in [("5", "t"), ("t", "5"), ("True", "t"), ("t", "-3")]:
        check(lambda m, e=f"{left} {symbol} {right}": eval(e, {"t": ints(m, 5, -7, 12)}))
    for bad in ('"a"', "None"):
        check(lambda m, e=f"t {symbol} {bad}": eval(e, {"t": ints(m, 5, -7, 12)}))


@pytest.mark.parametrize("record", BINARY_BITWISE, ids=lambda r: r.name)
def test_bitwise_functions_refuse_non_tensor_arguments(record):
    check(lambda m: getattr(m, record.name)(3, 5), messages=False)
    check(lambda m: getattr(m, record.name)(ints(m, 3), "a"), messages=False)


NOT_CASES = {
    "int64": lambda m: ints(m, 5, -7, 0),
    "int32": lambda m: ints(m, 5, -7, 0, dtype="int32"),
    "uint8": lambda m: ints(m, 3, 0, 255, dtype="uint8"),
    "bool": lambda m: bools(m, True, False),
    "0-d": lambda m: m.tensor(6),
    "float32": lambda m: m.tensor([1.0]),
    "float64": lambda m: m.tensor([1.0], dtype=m.float64),
}
NOT_FORMS = {
    "function": lambda m, t: m.bitwise_not(t),
    "method": lambda m, t: t.bitwise_not(),
    "~": lambda m, t: ~t,
    "bitwise_not_": lambda m, t: t.clone().bitwise_not_(),
}


@pytest.mark.parametrize("form", NOT_FORMS)
@pytest.mark.parametrize("case", NOT_CASES)
def test_bitwise_not(case, form):
    """``~`` of a float tensor is PyTorch's TypeError, ``bitwise_not`` its
    NotImplementedError."""
    check(lambda m: NOT_FORMS[form](m, NOT_CASES[case](m)))


IN_PLACE = {
    "bitwise_and_": lambda a, b: a.bitwise_and_(b),
    "bitwise_or_": lambda a, b: a.bitwise_or_(b),
    "bitwise_xor_": lambda a, b: a.bitwise_xor_(b),
    "&=": lambda a, b: a.__iand__(b),
    "|=": lambda a, b: a.__ior__(b),
    "^=": lambda a, b: a.__ixor__(b),
}


@pytest.mark.parametrize("operands", OPERANDS, ids=str)
@pytest.mark.parametrize("op", IN_PLACE)
def test_in_place_bitwise_ops_write_into_the_tensor(op, operands):
    """The result is the tensor itself, in its own dtype (``int32 &= int64`` stays
    int32); a result its dtype cannot hold (``bool &= 1``) is refused."""
    if isinstance(OPERANDS[operands](torch)[0], (int, float)):
        pytest.skip("no tensor to write into")

    def code(m):
        a, b = OPERANDS[operands](m)
        a = a.clone()
        out = IN_PLACE[op](a, b)
        assert out is a and a._version == 1
        return a

    check(code)


def test_bitwise_results_are_never_differentiable():
    for m in (retrograd, torch):
        x = m.tensor([1.5, -2.0], requires_grad=True)
        for out in (
            (x > 0) & (x < 1),
            (x > 0) | (x < 1),
            (x > 0) ^ (x < 1),
            ~(x > 0),
            x.long() & 3,
            m.bitwise_not(x.long()),
            (x.detach() > 0).clone() ^ True,
        ):
            assert out.grad_fn is None and not out.requires_grad, m.__name__


def test_bitwise_ops_stay_on_the_tensors_backend():
    t = ints(retrograd, 5, -7)
    for out in (t & 3, 3 | t, t ^ t, ~t, t.clone().bitwise_and_(1)):
        assert out.backend is t.backend
