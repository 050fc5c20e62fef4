"""The ops added beyond the first surface, against PyTorch (the oracle): values, dtypes,
gradients (first and second order, at 0, -0.0, inf, nan and ties), ``grad_fn`` names,
in-place forms and errors' types and messages.

Each case is ``f(lib, *tensors)`` run by tests/torch_oracle.py's ``run_both`` with
``lib=retrograd`` and ``lib=torch`` on the same values (float inputs require grad).
"""

from __future__ import annotations

import math

import pytest
import retrograd
from torch_oracle import arr, assert_same_error, rand, run_both

torch = pytest.importorskip("torch")
SILENT = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")
NAN, INF = math.nan, math.inf


X, Y, V = rand(3, 4), rand(3, 4, seed=1), rand(4, seed=2)
POS, POS2 = rand(3, 4, seed=3, low=0.5, high=2.0), rand(4, seed=4, low=0.5, high=2.0)
UNIT = rand(3, 4, seed=5, low=0.05, high=0.95)
SPECIAL = arr(0.0, -0.0, 1.5, -2.0, INF, -INF, NAN, 0.0)
SPECIAL2 = arr(0.0, 0.0, -0.0, 3.0, 1.0, -INF, 2.0, NAN)
INTS, INTS2 = arr(-3, 0, 2, 5, dtype="int64"), arr(2, 0, -1, 3, dtype="int64")
BOOLS = arr(True, False, True, False, dtype="bool")

# (fn, values[, second_order])
POINTWISE = {
    # hypot: tensors only, floating only; nan gradient at the origin (self / result).
    "hypot": (lambda m, a, b: m.hypot(a, b), [X, V], True),
    "hypot-method": (lambda m, a, b: a.hypot(b), [X, Y]),
    "hypot-special": (lambda m, a, b: m.hypot(a, b), [SPECIAL, SPECIAL2]),
    "hypot-float32": (lambda m, a, b: m.hypot(a, b), [X.astype("float32"), V.astype("float32")]),
    "hypot-mixed": (lambda m, a, b: m.hypot(a, b), [X.astype("float32"), V]),
    "hypot-int": (lambda m, a, b: m.hypot(a, b), [INTS, INTS2]),
    "hypot-number": (lambda m, a: m.hypot(a, 2.0), [X]),
    # copysign: -0.0 and nan signs, zeros of self (gradient 0), a number (Backward1).
    "copysign": (lambda m, a, b: m.copysign(a, b), [X, V]),
    "copysign-special": (lambda m, a, b: m.copysign(a, b), [SPECIAL, SPECIAL2]),
    "copysign-reversed": (lambda m, a, b: m.copysign(a, b), [SPECIAL2, SPECIAL]),
    "copysign-number": (lambda m, a: m.copysign(a, -0.0), [SPECIAL]),
    "copysign-number-pos": (lambda m, a: a.copysign(2), [SPECIAL]),
    "copysign-int": (lambda m, a, b: m.copysign(a, b), [INTS, INTS2]),
    "copysign-bool": (lambda m, a, b: m.copysign(a, b), [BOOLS, BOOLS]),
    "copysign-int-number": (lambda m, a: m.copysign(a, -1), [INTS]),
    "copysign-number-self": (lambda m, b: m.copysign(2.0, b), [X]),
    # xlogy: 0 * log(0) = 0, nan in other wins, three overloads, second order.
    "xlogy": (lambda m, a, b: m.xlogy(a, b), [X, POS2], True),
    "xlogy-special": (lambda m, a, b: m.xlogy(a, b), [SPECIAL, SPECIAL2]),
    "xlogy-zeros": (
        lambda m, a, b: m.xlogy(a, b),
        [arr(0.0, 0.0, -0.0, 1.0, 0.0), arr(0.0, -1.0, 2.0, 0.0, NAN)],
    ),
    "xlogy-number-self": (lambda m, b: m.xlogy(2.5, b), [POS], True),
    "xlogy-number-self-zero": (lambda m, b: m.xlogy(0, b), [SPECIAL2]),
    "xlogy-number-other": (lambda m, a: m.xlogy(a, 3.0), [SPECIAL]),
    "xlogy-number-other-zero": (lambda m, a: a.xlogy(0.0), [X]),
    "xlogy-int": (lambda m, a, b: m.xlogy(a, b), [INTS, INTS2]),
    "xlogy-numbers": (lambda m: m.xlogy(2, 3), []),
    # heaviside: values where input is 0; one dtype; no derivative.
    "heaviside": (lambda m, a, b: m.heaviside(a, b), [SPECIAL, SPECIAL2]),
    "heaviside-int": (lambda m, a, b: m.heaviside(a, b), [INTS, INTS2]),
    "heaviside-bool": (lambda m, a, b: a.heaviside(b), [BOOLS, BOOLS[::-1].copy()]),
    "heaviside-dtypes": (lambda m, a, b: m.heaviside(a, b), [X.astype("float32"), V]),
    "heaviside-number": (lambda m, a: m.heaviside(a, 0.5), [X]),
    "heaviside-broadcast": (lambda m, a, b: m.heaviside(a, b), [arr(0.0, 1.0, -1.0), arr(0.5)]),
}

UNARY = {
    # logit: nan outside [0, 1] and +-inf at the ends without eps; clamped, 0 outside, with.
    "logit": (lambda m, a: m.logit(a), [UNIT], True),
    "logit-ends": (lambda m, a: m.logit(a), [arr(0.0, 1.0, -0.5, 1.5, 0.5, NAN)]),
    "logit-eps": (lambda m, a: m.logit(a, 0.1), [arr(0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 2.0)]),
    "logit-eps-kw": (lambda m, a: a.logit(eps=1e-6), [UNIT]),
    "logit-eps-negative": (lambda m, a: m.logit(a, -1.0), [arr(0.0, 0.5, 2.0)]),
    "logit-eps-zero": (lambda m, a: m.logit(a, 0.0), [arr(0.0, 0.5, 1.0)]),
    "logit-float32": (lambda m, a: m.logit(a, 1e-3), [UNIT.astype("float32")]),
    "logit-int": (lambda m, a: m.logit(a), [INTS]),
    "logit-bad-eps": (lambda m, a: m.logit(a, "x"), [UNIT]),
    # sinc: 1 at 0 with gradient 0; underflowing squares; inf and nan.
    "sinc": (lambda m, a: m.sinc(a), [X], True),
    "sinc-special": (lambda m, a: m.sinc(a), [SPECIAL]),
    "sinc-tiny": (lambda m, a: m.sinc(a), [arr(1e-170, -1e-200, 1e-150, 1e-8)]),
    "sinc-tiny32": (lambda m, a: m.sinc(a), [arr(1e-30, 1e-20, -1e-45, 0.5, dtype="float32")]),
    "sinc-integers": (lambda m, a: m.sinc(a), [arr(1.0, -2.0, 3.0)]),
    "sinc-int": (lambda m, a: m.sinc(a), [INTS]),
    "sinc-bool": (lambda m, a: a.sinc(), [BOOLS]),
    # nan_to_num: the dtype's extremes by default; gradient only where finite.
    "nan_to_num": (lambda m, a: m.nan_to_num(a), [SPECIAL]),
    "nan_to_num-args": (lambda m, a: m.nan_to_num(a, 1.5, 7.0, -8.0), [SPECIAL]),
    "nan_to_num-kw": (lambda m, a: a.nan_to_num(posinf=3.0), [SPECIAL]),
    "nan_to_num-float32": (lambda m, a: m.nan_to_num(a), [SPECIAL.astype("float32")]),
    "nan_to_num-float16": (lambda m, a: m.nan_to_num(a), [SPECIAL.astype("float16")]),
    "nan_to_num-int": (lambda m, a: m.nan_to_num(a), [INTS]),
    "nan_to_num-bool": (lambda m, a: m.nan_to_num(a), [BOOLS]),
    # signbit: -0.0 and -nan set; integers and bools.
    "signbit": (lambda m, a: m.signbit(a), [SPECIAL]),
    "signbit-negative-nan": (lambda m, a: a.signbit(), [arr(-NAN, NAN, -0.0)]),
    "signbit-int": (lambda m, a: m.signbit(a), [INTS]),
    "signbit-bool": (lambda m, a: m.signbit(a), [BOOLS]),
    # float_power: float64 through a cast, as PyTorch composes it.
    "float_power": (lambda m, a: m.float_power(a, 2), [X.astype("float32")]),
    "float_power-tensor": (lambda m, a, b: m.float_power(a, b), [POS.astype("float32"), V]),
    "float_power-base": (lambda m, b: m.float_power(2, b), [X.astype("float32")]),
    "float_power-method": (lambda m, a: a.float_power(0.5), [POS]),
    "float_power-int": (lambda m, a: m.float_power(a, 2), [INTS]),
    "float_power-int-tensor": (lambda m, a, b: m.float_power(a, b), [INTS, INTS2]),
    "float_power-numbers": (lambda m: m.float_power(2, 3), []),
}

TERNARY = {
    "addcmul": (lambda m, a, b, c: m.addcmul(a, b, c), [X, Y, V], True),
    "addcmul-value": (lambda m, a, b, c: m.addcmul(a, b, c, value=-0.5), [V, X, Y], True),
    "addcmul-method": (lambda m, a, b, c: a.addcmul(b, c, value=2), [X, V, Y]),
    "addcmul-special": (lambda m, a, b, c: m.addcmul(a, b, c), [SPECIAL, SPECIAL2, SPECIAL]),
    "addcmul-mixed": (lambda m, a, b, c: m.addcmul(a, b, c), [X.astype("float32"), INTS2, V]),
    "addcmul-int": (lambda m, a, b, c: m.addcmul(a, b, c, value=3), [INTS, INTS2, INTS]),
    "addcmul-int-float-value": (lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), [INTS] * 3),
    "addcmul-number": (lambda m, a, b: m.addcmul(a, b, 2.0), [X, Y]),
    "addcmul-shapes": (lambda m, a, b, c: m.addcmul(a, b, c), [X, rand(2), V]),
    "addcdiv": (lambda m, a, b, c: m.addcdiv(a, b, c), [X, Y, POS2], True),
    "addcdiv-value": (lambda m, a, b, c: m.addcdiv(a, b, c, value=0.25), [V, X, POS], True),
    "addcdiv-zero": (lambda m, a, b, c: m.addcdiv(a, b, c), [V, V, arr(0.0, -0.0, 1.0, 2.0)]),
    "addcdiv-method": (lambda m, a, b, c: a.addcdiv(b, c, value=-1), [X, V, POS]),
    "addcdiv-int": (lambda m, a, b, c: m.addcdiv(a, b, c), [INTS, INTS2, INTS]),
    "addcdiv-int-float-self": (lambda m, a, b, c: m.addcdiv(a, b, c), [X, INTS2, INTS2]),
    "addcdiv-mixed": (lambda m, a, b, c: m.addcdiv(a, b, c), [INTS, X, INTS2]),
    "addcdiv-int-divisor": (lambda m, a, b, c: m.addcdiv(a, b, c), [X, X, INTS2]),
    "addcdiv-int-divisor-self": (lambda m, a, b, c: m.addcdiv(a, b, c), [V, INTS, X]),
}

IN_PLACE = {
    "hypot_": (lambda m, a, b: (a * 1).hypot_(b), [X, V]),
    "copysign_": (lambda m, a, b: (a * 1).copysign_(b), [X, V]),
    "copysign_-number": (lambda m, a: (a * 1).copysign_(-1.0), [X]),
    "xlogy_": (lambda m, a, b: (a * 1).xlogy_(b), [X, POS2]),
    "xlogy_-number": (lambda m, a: (a * 1).xlogy_(2.0), [X]),
    "logit_": (lambda m, a: (a * 1).logit_(0.2), [UNIT]),
    "sinc_": (lambda m, a: (a * 1).sinc_(), [X]),
    "nan_to_num_": (lambda m, a: (a * 1).nan_to_num_(nan=2.0), [SPECIAL]),
    # (not differentiated: PyTorch's in-place refusal names aten::heaviside_, ours the op)
    "heaviside_": (lambda m, a, b: a.detach().clone().heaviside_(b.detach()), [SPECIAL, SPECIAL2]),
    "addcmul_": (lambda m, a, b, c: (a * 1).addcmul_(b, c, value=2), [X, Y, V]),
    "addcdiv_": (lambda m, a, b, c: (a * 1).addcdiv_(b, c), [X, V, POS]),
    "addcmul_-broadcast-self": (lambda m, a, b, c: (a * 1).addcmul_(b, c), [V, X, Y]),
    "float_power_": (lambda m, a: (a * 1).float_power_(2), [X]),
    "float_power_-float32": (lambda m, a: (a * 1).float_power_(2), [X.astype("float32")]),
    "copysign_-int": (lambda m, a, b: a.clone().copysign_(b), [INTS, INTS2]),
    "logit_-int": (lambda m, a: a.clone().logit_(), [INTS]),
}


def _cases(*tables):
    return [pytest.param(key, case, id=key) for table in tables for key, case in table.items()]


@SILENT
@pytest.mark.parametrize("key, case", _cases(POINTWISE, UNARY, TERNARY, IN_PLACE))
def test_against_torch(key, case):
    fn, values, *rest = case
    run_both(fn, values, second_order=bool(rest and rest[0]))


# -- errors: PyTorch's type and message --------------------------------------------------
ERRORS = {
    "hypot-int": lambda m: m.hypot(m.tensor([1, 2]), m.tensor([1, 2])),
    "hypot-number": lambda m: m.hypot(m.ones(2), 2.0),
    "heaviside-dtypes": lambda m: m.heaviside(m.ones(2), m.ones(2, dtype=m.float64)),
    "heaviside-number": lambda m: m.heaviside(m.ones(2), 0.5),
    "heaviside-backward": lambda m: (
        m.heaviside(m.ones(2, requires_grad=True), m.ones(2)).sum().backward()
    ),
    "addcdiv-int": lambda m: m.addcdiv(m.ones(2), m.tensor([1, 2]), m.tensor([1, 2])),
    "addcmul-number": lambda m: m.addcmul(m.ones(2), m.ones(2), 2.0),
    "addcmul-shapes": lambda m: m.addcmul(m.ones(2), m.ones(3), m.ones(2)),
    "float_power_-float32": lambda m: m.ones(2).float_power_(2),
    "float_power-numbers": lambda m: m.float_power(2, 3),
    "xlogy-numbers": lambda m: m.xlogy(2, 3),
    "copysign-number-self": lambda m: m.copysign(2.0, m.ones(2)),
    "logit-eps-str": lambda m: m.logit(m.ones(2), "x"),
    "nan_to_num-str": lambda m: m.nan_to_num(m.ones(2), "x"),
    "signbit-extra": lambda m: m.signbit(m.ones(2), m.ones(2)),
    "sinc-extra": lambda m: m.sinc(m.ones(2), 1),
    "addcmul_-shape": lambda m: m.ones(2).addcmul_(m.ones(3, 2), m.ones(2)),
    "hypot_-shape": lambda m: m.ones(2).hypot_(m.ones(3, 2)),
}


@pytest.mark.parametrize("key", list(ERRORS))
def test_errors_are_pytorchs(key):
    assert_same_error(ERRORS[key], whole=False)


def test_printed_grad_fn_names_are_pytorchs():
    def printed(m):
        x = m.tensor([0.25, 0.5], requires_grad=True)
        return [
            repr(t)
            for t in (
                m.hypot(x, x), m.copysign(x, -1.0), m.xlogy(2.0, x), m.logit(x, 0.1),
                m.sinc(x), m.nan_to_num(x), m.addcmul(x, x, x), m.addcdiv(x, x, x),
                m.float_power(x, 2),
            )
        ]  # fmt: skip

    assert printed(retrograd) == printed(torch)
