"""PyTorch 2.13's Python signatures of the public functions, in PyTorch's own notation
(the text its "expected one of" messages print), for :mod:`retrograd.arguments` to word
argument errors as PyTorch does. A leading ``!`` marks a hidden (deprecated) signature:
PyTorch still accepts it, and it makes the function one with several signatures, but
its messages never show it. A method's signatures are these without ``input``.

Only the argument errors of the functions listed here are PyTorch's word for word; add a
function's signatures when its errors are checked against PyTorch
(``tests/test_misuse.py``). A ``Tensor.<name>`` entry gives a method signatures other
than its function's.
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
    # PyTorch's mean also has a named-dims overload, so a bad keepdim fits two signatures
    "mean": (
        *_SUM,
        "(Tensor input, tuple of names dim, bool keepdim = False, *, torch.dtype dtype = None, "
        "Tensor out = None)",
    ),
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
    # linalg
    "mm": (
        "(Tensor input, Tensor mat2, *, Tensor out = None)",
        "(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)",
    ),
    "bmm": (
        "(Tensor input, Tensor mat2, *, Tensor out = None)",
        "(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)",
    ),
    "addmm": (
        "(Tensor input, Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1, "
        "Tensor out = None)",
        "(Tensor input, Tensor mat1, Tensor mat2, torch.dtype out_dtype, *, Number beta = 1, "
        "Number alpha = 1, Tensor out = None)",
    ),
    "dot": ("(Tensor input, Tensor tensor, *, Tensor out = None)",),
    "mv": ("(Tensor input, Tensor vec, *, Tensor out = None)",),
    "outer": ("(Tensor input, Tensor vec2, *, Tensor out = None)",),
    "ger": ("(Tensor input, Tensor vec2, *, Tensor out = None)",),
    "matmul": (_BINARY,),
    # shapes and indexing
    **dict.fromkeys(
        ("cat", "concat", "concatenate", "stack"),
        ("(tuple of Tensors tensors, int dim = 0, *, Tensor out = None)",),
    ),
    "chunk": ("(Tensor input, int chunks, int dim = 0)",),
    "flatten": ("(Tensor input, int start_dim = 0, int end_dim = -1)",),
    "flip": ("(Tensor input, tuple of ints dims)",),
    "permute": ("(Tensor input, tuple of ints dims)",),
    "reshape": ("(Tensor input, tuple of ints shape)",),
    "repeat": ("(Tensor input, tuple of ints repeats)",),  # a method only: no torch.repeat
    "view": ("(Tensor input, torch.dtype dtype)", "(Tensor input, tuple of ints size)"),
    "roll": ("(Tensor input, tuple of ints shifts, tuple of ints dims = None)",),
    "transpose": ("(Tensor input, int dim0, int dim1)",),
    "swapdims": ("(Tensor input, int dim0, int dim1)",),
    "swapaxes": ("(Tensor input, int axis0, int axis1)",),
    **dict.fromkeys(
        ("movedim", "moveaxis"),
        (
            "(Tensor input, int source, int destination)",
            "(Tensor input, tuple of ints source, tuple of ints destination)",
        ),
    ),
    "narrow": (
        "(Tensor input, int dim, Tensor start, int length)",
        "(Tensor input, int dim, int start, int length)",
    ),
    "select": ("(Tensor input, int dim, int index)",),
    "squeeze": ("(Tensor input)", "(Tensor input, int dim)", "(Tensor input, tuple of ints dim)"),
    "unsqueeze": ("(Tensor input, int dim)",),
    "unbind": ("(Tensor input, int dim = 0)",),
    "unflatten": ("(Tensor input, int dim, tuple of ints sizes)",),
    "tril": ("(Tensor input, int diagonal = 0, *, Tensor out = None)",),
    "triu": ("(Tensor input, int diagonal = 0, *, Tensor out = None)",),
    "gather": (
        "(Tensor input, int dim, Tensor index, *, bool sparse_grad = False, Tensor out = None)",
    ),
    "index_select": ("(Tensor input, int dim, Tensor index, *, Tensor out = None)",),
    "index_put": (
        "(Tensor input, tuple of Tensors indices, Tensor values, bool accumulate = False)",
    ),
    "take": ("(Tensor input, Tensor index, *, Tensor out = None)",),
    "masked_select": ("(Tensor input, Tensor mask, *, Tensor out = None)",),
    "nonzero": ("(Tensor input, *, bool as_tuple = False, Tensor out = None)",),
    # PyTorch parses the method with signatures of its own (hence "takes from 1 to 0
    # positional arguments" for ``x.nonzero(1)``)
    "Tensor.nonzero": ("()", "(*, bool as_tuple)"),
    "masked_fill": (
        "(Tensor input, Tensor mask, Tensor value)",
        "(Tensor input, Tensor mask, Number value)",
    ),
    "scatter": (
        "(Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)",
        "(Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)",
        "(Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)",
        "(Tensor input, int dim, Tensor index, Number value, *, str reduce, Tensor out = None)",
    ),
    "scatter_add": ("(Tensor input, int dim, Tensor index, Tensor src)",),
    "where": (
        "(Tensor condition)",
        "(Tensor condition, Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor condition, Number self, Tensor other)",
        "(Tensor condition, Tensor input, Number other)",
        "(Tensor condition, Number self, Number other)",
    ),
    **dict.fromkeys(
        ("clamp", "clip"),
        (
            "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
            "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)",
        ),
    ),
    "clamp_min": (
        "(Tensor input, Tensor min, *, Tensor out = None)",
        "(Tensor input, Number min, *, Tensor out = None)",
    ),
    "clamp_max": (
        "(Tensor input, Tensor max, *, Tensor out = None)",
        "(Tensor input, Number max, *, Tensor out = None)",
    ),
    "lerp": (
        "(Tensor input, Tensor end, Tensor weight, *, Tensor out = None)",
        "(Tensor input, Tensor end, Number weight, *, Tensor out = None)",
    ),
    # retrograd/ops/pointwise_extra.py
    "hypot": (_BINARY,),
    "sinc": (_UNARY,),
    "signbit": (_UNARY,),
    "copysign": (_BINARY, "(Tensor input, Number other, *, Tensor out = None)"),
    "xlogy": (
        _BINARY,
        "(Number self, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "heaviside": ("(Tensor input, Tensor values, *, Tensor out = None)",),
    "logit": ("(Tensor input, float eps = None, *, Tensor out = None)",),
    "nan_to_num": (
        "(Tensor input, float nan = None, float posinf = None, float neginf = None, *, "
        "Tensor out = None)",
    ),
    "float_power": (
        "(Tensor input, Tensor exponent, *, Tensor out = None)",
        "(Number self, Tensor exponent, *, Tensor out = None)",
        "(Tensor input, Number exponent, *, Tensor out = None)",
    ),
    **dict.fromkeys(
        ("addcmul", "addcdiv"),
        ("(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value = 1, Tensor out = None)",),
    ),
    # torch-level nn functions (retrograd/ops/torch_nn.py): PyTorch's losses take the
    # reduction as an int enum
    "selu": ("(Tensor input)",),
    "celu": ("(Tensor input, Number alpha = 1.0)",),
    "threshold": ("(Tensor input, Number threshold, Number value, *, Tensor out = None)",),
    "hardshrink": ("(Tensor input, Number lambd = 0.5, *, Tensor out = None)",),
    "kl_div": ("(Tensor input, Tensor target, int reduction = Mean, *, bool log_target = False)",),
    "cosine_similarity": ("(Tensor x1, Tensor x2, int dim = 1, float eps = 1e-08)",),
    "pairwise_distance": (
        "(Tensor x1, Tensor x2, float p = 2, float eps = 1e-06, bool keepdim = False)",
    ),
    "margin_ranking_loss": (
        "(Tensor input1, Tensor input2, Tensor target, float margin = 0.0, int reduction = Mean)",
    ),
    "hinge_embedding_loss": (
        "(Tensor input, Tensor target, float margin = 1.0, int reduction = Mean)",
    ),
    "cosine_embedding_loss": (
        "(Tensor input1, Tensor input2, Tensor target, float margin = 0.0, int reduction = Mean)",
    ),
    "poisson_nll_loss": (
        "(Tensor input, Tensor target, bool log_input, bool full, float eps, int reduction)",
    ),
    "triplet_margin_loss": (
        "(Tensor anchor, Tensor positive, Tensor negative, float margin = 1.0, float p = 2, "
        "float eps = 1e-06, bool swap = False, int reduction = Mean)",
    ),
    # the special functions (retrograd/ops/special_functions.py)
    **dict.fromkeys(("lgamma", "digamma", "erfinv", "i0"), (_UNARY,)),
    **dict.fromkeys(("igamma", "igammac"), (_BINARY,)),
    "polygamma": ("(int n, Tensor input, *, Tensor out = None)",),
    "mvlgamma": ("(Tensor input, int p, *, Tensor out = None)",),
    **dict.fromkeys(
        ("special_xlog1py", "special_zeta"),
        (
            _BINARY,
            "(Number self, Tensor other, *, Tensor out = None)",
            "(Tensor input, Number other, *, Tensor out = None)",
        ),
    ),
}
