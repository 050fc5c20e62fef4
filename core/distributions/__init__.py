"""``retrograd.distributions``: PyTorch's ``torch.distributions``, written in retrograd's
own ops, so densities, samples and KL divergences run and differentiate on every backend.

Sampling that needs a dedicated sampler (Poisson, binomial, gamma, Dirichlet, and the
distributions built on them) calls it by PyTorch's name at call time
(``retrograd.poisson``, ``retrograd._standard_gamma``, ...).
"""

from __future__ import annotations

from . import constraints, transforms
from .binary import Bernoulli, Binomial, Geometric
from .categorical import Categorical, OneHotCategorical
from .dirichlet import Beta, Dirichlet
from .distribution import Distribution
from .gamma import Chi2, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import HalfNormal, LogNormal, Normal
from .poisson import Poisson
from .studentt import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import (
    AbsTransform,
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    PowerTransform,
    SigmoidTransform,
    TanhTransform,
    Transform,
)
from .univariate import Cauchy, Exponential, Gumbel, Laplace, Uniform
from .weibull_pareto import Pareto, Weibull

__all__ = [
    "AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy",
    "Chi2", "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform", "Exponential",
    "Gamma", "Geometric", "Gumbel", "HalfNormal", "Independent", "Laplace", "LogNormal",
    "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial", "Normal",
    "OneHotCategorical", "Pareto", "Poisson", "PowerTransform", "SigmoidTransform", "StudentT",
    "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "Weibull", "constraints",
    "kl_divergence", "register_kl", "transforms",
]  # fmt: skip
