"""PyTorch 2.13's Python signatures of the public functions, in PyTorch's own notation
(the text its "expected one of" messages print), for :mod:`retrograd.arguments` to word
argument errors as PyTorch does. A leading ``!`` marks a hidden (deprecated) signature:
PyTorch still accepts it, and it makes the function one with several signatures, but
its messages never show it. A method's signatures are these without ``input``.

Only the argument errors of the functions listed here are PyTorch's word for word; add a
function's signatures when its errors are checked against PyTorch
(``tests/test_misuse.py``).
"""

from __future__ import annotations

_UNARY = "(Tensor input, *, Tensor out = None)"
_BINARY = "(Tensor input, Tensor other, *, Tensor out = None)"
_COMPARISON = (_BINARY, "(Tensor input, Number other, *, Tensor out = None)")
_BITWISE = (
    _BINARY,
    "(Number self, Tensor other)",
    "(Tensor input, Number other, *, Tensor out = None)",
)
_TRUE_DIVIDE = (_BINARY, "(Tensor input, Number other)")
_ANY = (
    _UNARY,
    "(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)",
    "(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)",
)
_SUM = (
    "(Tensor input, *, torch.dtype dtype = None)",
    "(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, "
    "Tensor out = None)",
)
_STD = (
    "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, "
    "Tensor out = None)",
    "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = "
    "False, Tensor out = None)",
    "(Tensor input, bool unbiased = True)",
)
_EXTREMUM = (
    _UNARY,
    _BINARY,
    "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
)
_ALPHA = (
    "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
    "!(Tensor input, Number alpha, Tensor other, *, Tensor out = None)",
)
_DIV = (
    _BINARY,
    "(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)",
    "(Tensor input, Number other, *, str rounding_mode)",
)

SIGNATURES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
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
        ),
        (_UNARY,),
    ),  # fmt: skip
    "clone": ("(Tensor input, *, torch.memory_format memory_format = None)",),
    "round": (_UNARY, "(Tensor input, *, int decimals, Tensor out = None)"),
    **dict.fromkeys(
        (
            "atan2",
            "arctan2",
            "logaddexp",
            "maximum",
            "minimum",
            "mul",
            "logical_and",
            "logical_or",
            "logical_xor",
        ),
        (_BINARY,),
    ),  # fmt: skip
    "add": _ALPHA,
    "sub": _ALPHA,
    "subtract": (
        "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
        "(Tensor input, Number other, Number alpha = 1)",
    ),
    "rsub": (
        "(Tensor input, Tensor other, *, Number alpha = 1)",
        "(Tensor input, Number other, Number alpha = 1)",
    ),
    "multiply": _TRUE_DIVIDE,
    "true_divide": _TRUE_DIVIDE,
    "floor_divide": _TRUE_DIVIDE,
    "div": _DIV,
    "divide": (*_DIV[:2], "(Tensor input, Number other)", _DIV[2]),
    "remainder": _BITWISE,
    "pow": (
        "(Tensor input, Tensor exponent, *, Tensor out = None)",
        "(Number self, Tensor exponent, *, Tensor out = None)",
        "(Tensor input, Number exponent, *, Tensor out = None)",
    ),
    **dict.fromkeys(
        (
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
        ),
        _COMPARISON,
    ),  # fmt: skip
    **dict.fromkeys(("bitwise_and", "bitwise_or", "bitwise_xor"), _BITWISE),
    # reductions
    "sum": _SUM,
    "mean": _SUM,
    "prod": (
        "(Tensor input, *, torch.dtype dtype = None)",
        "(Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, "
        "Tensor out = None)",
    ),
    "all": _ANY,
    "any": _ANY,
    "std": _STD,
    "var": _STD,
    "max": _EXTREMUM,
    "min": _EXTREMUM,
    **dict.fromkeys(
        ("amax", "amin"),
        ("(Tensor input, tuple of ints dim = (), bool keepdim = False, *, Tensor out = None)",),
    ),
    **dict.fromkeys(
        ("argmax", "argmin"),
        ("(Tensor input, int dim = None, bool keepdim = False, *, Tensor out = None)",),
    ),
    "logsumexp": ("(Tensor input, tuple of ints dim, bool keepdim = False, *, Tensor out = None)",),
    **dict.fromkeys(
        ("cumsum", "cumprod"),
        ("(Tensor input, int dim, *, torch.dtype dtype = None, Tensor out = None)",),
    ),
    **dict.fromkeys(
        ("softmax", "log_softmax"), ("(Tensor input, int dim, torch.dtype dtype = None)",)
    ),
}
