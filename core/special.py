"""``retrograd.special``: the names of PyTorch's ``torch.special`` that are retrograd ops.

Most are the torch-level op under another name (``expit`` is ``sigmoid``, recorded as
``SigmoidBackward0`` as in PyTorch); ``ndtr`` is composed as PyTorch composes it, so its
nodes come out (``MulBackward1``, ``ErfBackward0``, ``AddBackward1``, ``MulBackward1``).
The special functions with kernels of their own (``gammaln``, ``digamma``/``psi``,
``polygamma``, ``multigammaln``, ``erfinv``, ``i0``, ``i0e``, ``i1``, ``i1e``, ``entr``,
``xlog1py``, ``zeta``, ``ndtri``, ``log_ndtr``, ``erfcx``, ``gammainc``/``gammaincc``,
which are ``igamma``/``igammac``) are the records of
``retrograd/ops/special_functions.py``, with PyTorch's nodes (``gammaln`` is
``LgammaBackward0``, ``multigammaln`` ``MvlgammaBackward0``, as in PyTorch).
"""

from __future__ import annotations

import math

from .ops import FUNCTIONS as _OPS
from .ops import special_functions as _special
from .ops.aten_overloads import add_scalar, mul_scalar
from .ops.helpers import check_tensor
from .tensor import Tensor

expit = _OPS["sigmoid"]
logit = _OPS["logit"]
erf = _OPS["erf"]
erfc = _OPS["erfc"]
xlogy = _OPS["xlogy"]
sinc = _OPS["sinc"]
round = _OPS["round"]  # noqa: A001 - PyTorch's name
exp2 = _OPS["exp2"]
expm1 = _OPS["expm1"]
log1p = _OPS["log1p"]
logsumexp = _OPS["logsumexp"]
softmax = _OPS["softmax"]
log_softmax = _OPS["log_softmax"]
gammaln = _OPS["lgamma"]
digamma = psi = _OPS["digamma"]
polygamma = _OPS["polygamma"]
multigammaln = _OPS["mvlgamma"]
erfinv = _OPS["erfinv"]
i0 = _OPS["i0"]
i0e = _special.i0e
i1 = _special.i1
i1e = _special.i1e
entr = _special.entr
xlog1py = _special.xlog1py
zeta = _special.zeta
ndtri = _special.ndtri
log_ndtr = _special.log_ndtr
erfcx = _special.erfcx
gammainc = _OPS["igamma"]
gammaincc = _OPS["igammac"]


def ndtr(input: Tensor) -> Tensor:
    """The standard normal distribution's CDF, ``(1 + erf(x / sqrt(2))) / 2``."""
    check_tensor("special_ndtr", input, "self")
    return mul_scalar(add_scalar(erf(mul_scalar(input, math.sqrt(0.5))), 1), 0.5)


__all__ = [
    "erf", "erfc", "exp2", "expit", "expm1", "log1p", "log_softmax", "logit", "logsumexp", "ndtr",
    "round", "sinc", "softmax", "xlogy",
    # with kernels of their own (retrograd/ops/special_functions.py)
    "digamma", "entr", "erfinv", "gammaln", "i0", "i0e", "i1", "i1e", "multigammaln",
    "polygamma", "psi", "xlog1py", "zeta", "ndtri", "log_ndtr", "erfcx", "gammainc", "gammaincc",
]  # fmt: skip
