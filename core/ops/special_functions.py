"""PyTorch's special functions: ``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma``,
``erfinv`` and ``i0`` (torch-level, with Tensor methods and in-place forms), and
``torch.special``'s ``i0e``, ``i1``, ``i1e``, ``ndtri``, ``log_ndtr``, ``erfcx``,
``xlog1py``, ``entr`` and ``zeta`` (whose derivative in x PyTorch does not implement: a
backward to x raises its error).

Each is one record with PyTorch's node name and derivative formula, written in retrograd's
ops so that higher orders work: lgamma' = digamma, digamma' = polygamma(1, .),
polygamma(n, .)' = polygamma(n + 1, .), erfinv' = sqrt(pi) / 2 exp(erfinv^2), i0' = i1,
and so on. The kernels are :mod:`retrograd_backends.special_kernels`'. Integer and bool
inputs compute in the default float dtype, as PyTorch's do.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..arguments import parsed
from ..tensor import Tensor
from .dispatch import array_of, finish
from .elementwise import _binary, _unary, binary_op, tensor_or_number_op, unary_op, where
from .inplace import inplace
from .pointwise_extra import _unary_dtype
from .record import UNARY, AtKinks, OpRecord, derivative_refusal

HALF_SQRT_PI = math.sqrt(math.pi) / 2
SQRT_2PI = math.sqrt(2 * math.pi)
TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
POSITIVE = (0.25, 8.0)  # away from the poles of the gamma family


def _safe(d: Tensor) -> Tensor:
    """``d`` with zeros replaced by 1: a denominator a ``where`` masks at 0 anyway."""
    return where(d == 0, 1.0, d)


# -- the gamma family ------------------------------------------------------------------------
LGAMMA = _unary(
    "lgamma", "LgammaBackward0", ("self",), lambda g, a: g * digamma(a), int_to_float=True,
    domain=POSITIVE, doc="log|Gamma(x)|, inf at the poles; d/dx = digamma(x)",
)  # fmt: skip
DIGAMMA = _unary(
    "digamma", "DigammaBackward0", ("self",), lambda g, a: g * polygamma(1, a),
    int_to_float=True, domain=POSITIVE, doc="Gamma'(x) / Gamma(x); d/dx = polygamma(1, x)",
)  # fmt: skip
POLYGAMMA = OpRecord(
    "polygamma", UNARY, "PolygammaBackward0", "polygamma", save=("n", "self"),
    grads=(lambda g, n, a: g * polygamma(n + 1, a),), int_to_float=True, domain=POSITIVE,
    method=False, doc="the n-th derivative of digamma; d/dx = polygamma(n + 1, x)",
)  # fmt: skip


def _mvlgamma_grad(g: Tensor, a: Tensor, p: int) -> Tensor:
    # PyTorch's: grad * sum_j digamma(x - j / 2), the offsets as one trailing dim.
    offsets = a.new_tensor([(j - p + 1) / 2 for j in range(p)])
    return g * digamma(a.unsqueeze(-1) + offsets).sum(-1)


MVLGAMMA = OpRecord(
    "mvlgamma", UNARY, "MvlgammaBackward0", "lgamma", save=("self", "p"),
    grads=(_mvlgamma_grad,), int_to_float=True, domain=(2.5, 8.0), inplace=True,
    doc="the multivariate log-gamma, sum_j lgamma(x - j / 2) + p (p - 1) / 4 log(pi)",
)  # fmt: skip


@parsed("polygamma")
def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of digamma (``n = 0``: digamma itself) at ``input``."""
    if not isinstance(n, int) or isinstance(n, bool) or not isinstance(input, Tensor):
        raise TypeError("polygamma(): expected an int and a tensor")  # reworded by @parsed
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    backend, dtype = input._backend, _unary_dtype(POLYGAMMA, input)
    out = backend.kernels["polygamma"](n, array_of(input, dtype, backend))
    return finish(POLYGAMMA, out, dtype, backend, (input,), {"n": n})


@parsed("mvlgamma")
def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension ``p`` (>= 1), elementwise."""
    if not isinstance(p, int) or isinstance(p, bool) or not isinstance(input, Tensor):
        raise TypeError("mvlgamma(): expected a tensor and an int")  # reworded by @parsed
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    backend, dtype = input._backend, _unary_dtype(MVLGAMMA, input)
    a, k = array_of(input, dtype, backend), backend.kernels
    out = k["lgamma"](a)
    for j in range(1, p):
        out = k["add"](out, k["lgamma"](k["subtract"](a, j / 2)))
    out = k["add"](out, p * (p - 1) / 4 * math.log(math.pi))
    return finish(MVLGAMMA, out, dtype, backend, (input,), {"p": p})


def _mvlgamma_integral_check(input: Tensor, args: tuple, kwargs: dict, name: str) -> None:
    """``mvlgamma_`` on an integer or bool tensor: PyTorch's refusal, worded as its is."""
    raise RuntimeError(
        f"mvlgamma: result type {dtypes.kind_name(input.dtype)} can't be cast to the desired "
        f"output type {dtypes.kind_name(dtypes.get_default_dtype())}"
    )


mvlgamma.integral_check = _mvlgamma_integral_check  # type: ignore[attr-defined] # ops.inplace


# -- the error function's inverse and the modified Bessel functions --------------------------
ERFINV = _unary(
    "erfinv", "ErfinvBackward0", ("self",),
    lambda g, a: HALF_SQRT_PI * (erfinv(a) ** 2).exp() * g,
    int_to_float=True, domain=(-0.9, 0.9),
    doc="the inverse of erf; d/dx = sqrt(pi)/2 exp(erfinv(x)^2)",
)  # fmt: skip
I0 = _unary(
    "i0", "I0Backward0", ("self",), lambda g, a: g * i1(a), int_to_float=True,
    domain=(-6.0, 6.0), doc="the modified Bessel function I0; d/dx = i1(x)",
)  # fmt: skip
I0E = _unary(
    "i0e", "SpecialI0EBackward0", ("self", "result"),
    lambda g, a, r: g * (i1e(a) - a.sgn() * r), int_to_float=True, method=False,
    inplace=False, domain=(-6.0, 6.0), kinks=(0.0,), conventions=(AtKinks(0.0),),
    doc="exp(-|x|) i0(x); d/dx = i1e(x) - sgn(x) i0e(x) (0 at 0)",
)  # fmt: skip
I1 = _unary(
    "i1", "SpecialI1Backward0", ("self", "result"),
    lambda g, a, r: g * where(a == 0, 0.5, i0(a) - r / _safe(a)), int_to_float=True,
    method=False, inplace=False, domain=(-6.0, 6.0),
    doc="the modified Bessel function I1; d/dx = i0(x) - i1(x) / x (1/2 at 0)",
)  # fmt: skip
I1E = _unary(
    "i1e", "SpecialI1EBackward0", ("self", "result"),
    lambda g, a, r: g * where(a == 0, 0.5, i0e(a) - r * (a.sgn() + 1 / _safe(a))),
    int_to_float=True, method=False, inplace=False, domain=(-6.0, 6.0), kinks=(0.0,),
    conventions=(AtKinks(0.5),),
    doc="exp(-|x|) i1(x); d/dx = i0e(x) - i1e(x) (sgn(x) + 1/x) (1/2 at 0)",
)  # fmt: skip

# -- the normal distribution ------------------------------------------------------------------
NDTRI = _unary(
    "ndtri", "SpecialNdtriBackward0", ("result",),
    lambda g, r: g * SQRT_2PI * (r.square() / 2).exp(), int_to_float=True, method=False,
    inplace=False, domain=(0.05, 0.95),
    doc="the inverse of the standard normal CDF; d/dp = sqrt(2 pi) exp(ndtri(p)^2 / 2)",
)  # fmt: skip
LOG_NDTR = _unary(
    "log_ndtr", "SpecialLogNdtrBackward0", ("self", "result"),
    lambda g, a, r: g / SQRT_2PI * (-(r + a.pow(2) / 2)).exp(), int_to_float=True,
    method=False, inplace=False,
    doc="log of the standard normal CDF, accurate in both tails; d/dx = pdf(x) / ndtr(x)",
)  # fmt: skip
ERFCX = _unary(
    "erfcx", "SpecialErfcxBackward0", ("self", "result"),
    lambda g, a, r: (2.0 * a * r - TWO_OVER_SQRT_PI) * g, int_to_float=True, method=False,
    inplace=False, doc="exp(x^2) erfc(x); d/dx = 2 x erfcx(x) - 2 / sqrt(pi)",
)  # fmt: skip

# -- entropy terms ---------------------------------------------------------------------------
ENTR = _unary(
    "entr", "SpecialEntrBackward0", ("self",), lambda g, a: g * -(1 + a.log()),
    int_to_float=True, method=False, inplace=False, domain=(0.1, 4.0),
    doc="-x log(x) (0 at 0, -inf below); d/dx = -(1 + log(x))",
)  # fmt: skip


def _xlog1py_self(g: Tensor, a: Tensor, b: Any) -> Tensor:
    """PyTorch's formula: xlog1py(grad, other), 0 where self is 0 and other <= -1."""
    out = xlog1py(g, b)
    zero = a == 0
    if isinstance(b, Tensor):
        return where(zero.logical_and(b <= -1), 0.0, out)
    return where(zero, 0.0, out) if b <= -1 else out


XLOG1PY = _binary(
    "xlog1py", "SpecialXlog1PyBackward0", ("self", "other"),
    (_xlog1py_self, lambda g, a, b: g * a / (b + 1)),
    int_to_float=True, method=False, domain=(0.25, 2.0),
    doc="x * log1p(y), 0 where x = 0 (nan where y is nan); d/dy = x / (1 + y)",
)  # fmt: skip
XLOG1PY_SCALAR_SELF = _binary(
    "xlog1py_scalar_self", "SpecialXlog1PyBackward1", ("scalar", "other"),
    (lambda g, s, b: g * s / (b + 1),), kernel="xlog1py", inputs=("other",),
    int_to_float=True, domain=(0.25, 2.0), public="xlog1py", method=False,
)  # fmt: skip
XLOG1PY_SCALAR_OTHER = _binary(
    "xlog1py_scalar_other", "SpecialXlog1PyBackward2", ("self", "other"), (_xlog1py_self,),
    kernel="xlog1py", inputs=("self",), int_to_float=True, domain=(0.25, 2.0),
    public="xlog1py", method=False,
)  # fmt: skip


@parsed("special_xlog1py")
def xlog1py(input: Any, other: Any) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0 unless ``other`` is nan; either
    side (not both) may be a Python number."""
    records = (XLOG1PY, XLOG1PY_SCALAR_SELF, XLOG1PY_SCALAR_OTHER)
    return tensor_or_number_op("special_xlog1py", "xlog1py", records, input, other)


# -- the Hurwitz zeta function ---------------------------------------------------------------
def _zeta_x_grad(g: Tensor, *saved: Any) -> Tensor:
    raise derivative_refusal("zeta", "SpecialZetaBackward0")  # PyTorch has none for x


def _zeta_q_grad(g: Tensor, x: Any, q: Tensor) -> Tensor:
    return g * -x * zeta(x + 1, q)


ZETA = _binary(
    "zeta", "SpecialZetaBackward0", ("self", "other"), (_zeta_x_grad, _zeta_q_grad),
    int_to_float=True, method=False, domain=(1.5, 4.0),
    doc="the Hurwitz zeta sum_k (q + k)^-x; d/dq = -x zeta(x + 1, q), none for x (as PyTorch)",
)  # fmt: skip
ZETA_SCALAR_SELF = _binary(
    "zeta_scalar_self", "SpecialZetaBackward1", ("scalar", "other"),
    (lambda g, s, q: g * -s * zeta(s + 1, q),), kernel="zeta", inputs=("other",),
    int_to_float=True, domain=(0.5, 4.0), public="zeta", method=False,
)  # fmt: skip
ZETA_SCALAR_OTHER = _binary(
    "zeta_scalar_other", "SpecialZetaBackward2", (), (), kernel="zeta",
    inputs=("self",), int_to_float=True, domain=(1.5, 4.0), public="zeta", method=False,
    no_derivative="zeta",
)  # fmt: skip


@parsed("special_zeta")
def zeta(input: Any, other: Any) -> Tensor:
    """The Hurwitz zeta function of ``input`` (x) and ``other`` (q); either side (not
    both) may be a Python number."""
    records = (ZETA, ZETA_SCALAR_SELF, ZETA_SCALAR_OTHER)
    return tensor_or_number_op("special_zeta", "zeta", records, input, other)


# -- the regularized incomplete gamma functions ----------------------------------------------
def _igamma_x_grad(g: Tensor, a: Tensor, x: Tensor) -> Tensor:
    """d/dx P(a, x) = x^(a-1) e^-x / Gamma(a) (PyTorch's formula, in logs)."""
    return g * ((a - 1) * x.log() - x - lgamma(a)).exp()


def _igamma_refusal(name: str, grad_fn: str) -> Any:
    def refuse(g: Tensor, *saved: Any) -> Tensor:
        raise derivative_refusal(f"{name}: input", grad_fn)  # PyTorch has none for a

    return refuse


IGAMMA = _binary(
    "igamma", "IgammaBackward0", ("self", "other"),
    (_igamma_refusal("igamma", "IgammaBackward0"), _igamma_x_grad), float_only=True,
    inplace=True, domain=(0.5, 4.0),
    doc="the regularized lower incomplete gamma P(a, x); d/dx = x^(a-1) e^-x / Gamma(a), "
    "none for a (as PyTorch)",
)  # fmt: skip
IGAMMAC = _binary(
    "igammac", "IgammacBackward0", ("self", "other"),
    (_igamma_refusal("igammac", "IgammacBackward0"), lambda g, a, x: -_igamma_x_grad(g, a, x)),
    float_only=True, inplace=True, domain=(0.5, 4.0),
    doc="the regularized upper incomplete gamma Q(a, x) = 1 - P(a, x); d/dx = -x^(a-1) e^-x "
    "/ Gamma(a), none for a (as PyTorch)",
)  # fmt: skip


def _tensors_only(name: str, op: Any) -> Any:
    @parsed(name)
    def function(input: Tensor, other: Tensor) -> Tensor:
        if not isinstance(input, Tensor) or not isinstance(other, Tensor):
            raise TypeError(f"{name}(): expected two tensors")  # reworded by @parsed
        return op(input, other)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = op.__doc__
    return function


igamma = _tensors_only("igamma", binary_op(IGAMMA))
igammac = _tensors_only("igammac", binary_op(IGAMMAC))

RECORDS = (
    IGAMMA, IGAMMAC,
    LGAMMA, DIGAMMA, POLYGAMMA, MVLGAMMA, ERFINV, I0, I0E, I1, I1E, ENTR, XLOG1PY,
    XLOG1PY_SCALAR_SELF, XLOG1PY_SCALAR_OTHER, ZETA, ZETA_SCALAR_SELF, ZETA_SCALAR_OTHER,
    NDTRI, LOG_NDTR, ERFCX,
)  # fmt: skip

lgamma, digamma, erfinv, i0, i0e, i1, i1e, entr, ndtri, log_ndtr, erfcx = (
    unary_op(r) for r in (LGAMMA, DIGAMMA, ERFINV, I0, I0E, I1, I1E, ENTR, NDTRI, LOG_NDTR, ERFCX)
)

FUNCTIONS = {
    "lgamma": lgamma,
    "digamma": digamma,
    "polygamma": polygamma,
    "mvlgamma": mvlgamma,
    "erfinv": erfinv,
    "i0": i0,
    "igamma": igamma,
    "igammac": igammac,
}


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


METHODS = {
    "polygamma": _polygamma_method,
    "polygamma_": inplace("polygamma_", _polygamma_method, True),
}
