"""Misuse cases of the elementwise and reduction ops (see tests/misuse_cases.py)."""

from __future__ import annotations

from misuse_cases import BAD_VALUES, DTYPES, Case, special, tensor

UNARY = [
    "abs",
    "acos",
    "arccos",
    "arcsin",
    "arctan",
    "asin",
    "atan",
    "ceil",
    "cos",
    "cosh",
    "erf",
    "exp",
    "exp2",
    "expm1",
    "fix",
    "floor",
    "frac",
    "log",
    "log10",
    "log1p",
    "log2",
    "neg",
    "negative",
    "reciprocal",
    "relu",
    "round",
    "rsqrt",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "tan",
    "tanh",
    "trunc",
    "isfinite",
    "isinf",
    "isnan",
    "logical_not",
    "bitwise_not",
    "clone",
    # retrograd/ops/pointwise_extra.py
    "sinc",
]
BINARY = [
    "add",
    "sub",
    "subtract",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "floor_divide",
    "remainder",
    "pow",
    "atan2",
    "arctan2",
    "rsub",
    "logaddexp",
    "maximum",
    "minimum",
    "eq",
    "ne",
    "not_equal",
    "lt",
    "less",
    "le",
    "less_equal",
    "gt",
    "greater",
    "ge",
    "greater_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    # retrograd/ops/pointwise_extra.py
    "hypot",
    "copysign",
    "xlogy",
]
# reductions taking an optional dim (first) and keepdim
REDUCTIONS = [
    "sum",
    "mean",
    "prod",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "all",
    "any",
    "std",
    "var",
    "max",
    "min",
    "norm",
    "logsumexp",
    "cumsum",
    "cumprod",
    "softmax",
    "log_softmax",
]
DIM_REQUIRED = {"logsumexp", "cumsum", "cumprod", "softmax", "log_softmax"}
NO_KEEPDIM = {"cumsum", "cumprod", "softmax", "log_softmax"}


def unary_cases() -> list[Case]:
    cases = []
    for name in UNARY:
        fn = lambda L, *a, _n=name, **k: getattr(L, _n)(*a, **k)  # noqa: E731
        for label, value in BAD_VALUES.items():
            cases.append(Case(f"{name}({label})", lambda L, v=value: (v,), fn))
        cases += [
            Case(f"{name}()", lambda L: (), fn),
            Case(f"{name}(x, 1)", lambda L: (tensor(L, 3), 1), fn),
            Case(
                f"{name}(x, foo=1)",
                lambda L: (tensor(L, 3),),
                lambda L, x, _n=name: getattr(L, _n)(x, foo=1),
            ),
            Case(
                f"x.{name}(1)", lambda L: (tensor(L, 3),), lambda L, x, _n=name: getattr(x, _n)(1)
            ),
            Case(f"{name}(empty)", lambda L: (tensor(L, 0, 3),), fn),
            Case(f"{name}(0-d)", lambda L: (L.tensor(0.5),), fn),
            Case(f"{name}(nan/inf)", lambda L: (special(L),), fn),
        ]
        for dt in DTYPES:
            cases.append(Case(f"{name}({dt})", lambda L, d=dt: (tensor(L, 2, 3, dtype=d),), fn))
            cases.append(
                Case(
                    f"x.{name}_() {dt}",
                    lambda L, d=dt: (tensor(L, 2, 3, dtype=d),),
                    lambda L, x, _n=name: getattr(x, _n + "_")(),
                    inplace=True,
                )
            )
        cases.append(
            Case(
                f"leaf.{name}_()",
                lambda L: (tensor(L, 3).requires_grad_(),),
                lambda L, x, _n=name: getattr(x, _n + "_")(),
                inplace=True,
            )
        )
    return cases


def binary_cases() -> list[Case]:
    cases = []
    for name in BINARY:
        fn = lambda L, *a, _n=name: getattr(L, _n)(*a)  # noqa: E731
        method = lambda L, x, *a, _n=name: getattr(x, _n)(*a)  # noqa: E731
        inplace = lambda L, x, *a, _n=name: getattr(x, _n + "_")(*a)  # noqa: E731
        for label, value in BAD_VALUES.items():
            cases.append(Case(f"{name}(x, {label})", lambda L, v=value: (tensor(L, 3), v), fn))
            cases.append(Case(f"{name}({label}, x)", lambda L, v=value: (v, tensor(L, 3)), fn))
            cases.append(Case(f"x.{name}({label})", lambda L, v=value: (tensor(L, 3), v), method))
            cases.append(
                Case(
                    f"x.{name}_({label})",
                    lambda L, v=value: (tensor(L, 3), v),
                    inplace,
                    inplace=True,
                )
            )
        cases += [
            Case(f"{name}(x)", lambda L: (tensor(L, 3),), fn),
            Case(f"{name}(x, y, z)", lambda L: (tensor(L, 3), tensor(L, 3), tensor(L, 3)), fn),
            Case(f"{name}(2x3, 4)", lambda L: (tensor(L, 2, 3), tensor(L, 4)), fn),
            Case(f"{name}(2x3, 2)", lambda L: (tensor(L, 2, 3), tensor(L, 2)), fn),
            Case(f"x.{name}(4) 2x3", lambda L: (tensor(L, 2, 3), tensor(L, 4)), method),
            Case(
                f"x.{name}_(2x3) 3",
                lambda L: (tensor(L, 3), tensor(L, 2, 3)),
                inplace,
                inplace=True,
            ),
            Case(
                f"x.{name}_(4) 2x3",
                lambda L: (tensor(L, 2, 3), tensor(L, 4)),
                inplace,
                inplace=True,
            ),
            Case(
                f"x.{name}_(1.5) int64",
                lambda L: (tensor(L, 3, dtype="int64"), 1.5),
                inplace,
                inplace=True,
            ),
            Case(
                f"x.{name}_(float) int64",
                lambda L: (tensor(L, 3, dtype="int64"), tensor(L, 3)),
                inplace,
                inplace=True,
            ),
            Case(
                f"leaf.{name}_(y)",
                lambda L: (tensor(L, 3).requires_grad_(), tensor(L, 3)),
                inplace,
                inplace=True,
            ),
            Case(f"{name}(empty, x)", lambda L: (tensor(L, 0), tensor(L, 3)), fn),
            Case(f"{name}(0-d, 0-d)", lambda L: (L.tensor(2.0), L.tensor(3.0)), fn),
            Case(f"{name}(nan/inf, nan/inf)", lambda L: (special(L), special(L).flip(0)), fn),
        ]
        for dt in DTYPES:
            pair = lambda L, d=dt: (tensor(L, 2, 3, dtype=d), tensor(L, 3, dtype=d))  # noqa: E731
            cases.append(Case(f"{name}({dt}, {dt})", pair, fn))
            cases.append(
                Case(
                    f"{name}(float32, {dt})",
                    lambda L, d=dt: (tensor(L, 3), tensor(L, 3, dtype=d)),
                    fn,
                )
            )
            cases.append(
                Case(
                    f"x.{name}_({dt}) float32",
                    lambda L, d=dt: (tensor(L, 3), tensor(L, 3, dtype=d)),
                    inplace,
                    inplace=True,
                )
            )
            cases.append(
                Case(
                    f"x.{name}_(float32) {dt}",
                    lambda L, d=dt: (tensor(L, 3, dtype=d), tensor(L, 3)),
                    inplace,
                    inplace=True,
                )
            )
    return cases


def reduction_cases() -> list[Case]:
    cases = []
    for name in REDUCTIONS:
        fn = lambda L, *a, _n=name, **k: getattr(L, _n)(*a, **k)  # noqa: E731
        dim = lambda d, _n=name: (  # noqa: E731
            lambda L, x, _n=_n: getattr(L, _n)(x, d) if _n not in {"norm"} else L.norm(x, dim=d)
        )
        for d in (2, -3, 1.5, "a", None, (0, 0), (0, 5)):
            cases.append(Case(f"{name}(2x3, dim={d!r})", lambda L: (tensor(L, 2, 3),), dim(d)))
        for d in (1, -2, 0):
            cases.append(Case(f"{name}(0-d, dim={d})", lambda L: (L.tensor(2.0),), dim(d)))
        cases += [
            Case(f"{name}()", lambda L: (), fn),
            Case(f"{name}('a')", lambda L: ("a",), fn),
            Case(f"{name}(list)", lambda L: ([1.0, 2.0],), fn),
            Case(f"{name}(empty)", lambda L: (tensor(L, 0),), fn),
            Case(f"{name}(0x3, dim=0)", lambda L: (tensor(L, 0, 3),), dim(0)),
            Case(f"{name}(0x3, dim=1)", lambda L: (tensor(L, 0, 3),), dim(1)),
            Case(f"{name}(0-d)", lambda L: (L.tensor(2.0),), fn),
            Case(f"{name}(nan/inf)", lambda L: (special(L),), fn),
            Case(
                f"{name}(x, 0, keepdim='yes')",
                lambda L: (tensor(L, 2, 3),),
                lambda L, x, _n=name: getattr(L, _n)(x, 0, keepdim="yes"),
            ),
            Case(
                f"x.{name}(dim=2)",
                lambda L: (tensor(L, 2, 3),),
                lambda L, x, _n=name: getattr(x, _n)(dim=2),
            ),
            Case(
                f"x.{name}(foo=1)",
                lambda L: (tensor(L, 2, 3),),
                lambda L, x, _n=name: getattr(x, _n)(foo=1),
            ),
        ]
        for dt in DTYPES:
            cases.append(Case(f"{name}({dt})", lambda L, d=dt: (tensor(L, 2, 3, dtype=d),), fn))
            cases.append(
                Case(f"{name}({dt}, dim=1)", lambda L, d=dt: (tensor(L, 2, 3, dtype=d),), dim(1))
            )
    return cases
