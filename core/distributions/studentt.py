"""Student's t distribution: ``loc + scale * T`` with ``T`` a standard t variable of ``df``
degrees of freedom."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import retrograd

from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .normal import standard_normal_like
from .utils import broadcast_all


class StudentT(Distribution):
    """Student's t distribution with ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``."""

    arg_constraints = {
        "df": constraints.positive,
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True

    def __init__(
        self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: bool | None = None
    ) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        if all(isinstance(v, Number) for v in (df, loc, scale)):
            batch_shape = retrograd.Size()
        else:
            batch_shape = self.df.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> StudentT:
        return self._expanded(StudentT, batch_shape, _instance, ("df", "loc", "scale", "_chi2"))

    @property
    def mean(self) -> Any:
        # undefined (NaN) for df <= 1
        return retrograd.where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self) -> Any:
        return self.loc

    @property
    def variance(self) -> Any:
        df = self.df
        finite = self.scale.pow(2) * df / (df - 2)
        # infinite for 1 < df <= 2, undefined for df <= 1
        m = retrograd.where(df <= 2, math.inf, finite)
        return retrograd.where(df <= 1, math.nan, m)

    def rsample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        x = standard_normal_like(self.df, shape)
        z = self._chi2.rsample(sample_shape)
        y = x * retrograd.rsqrt(z / self.df)
        return self.loc + self.scale * y

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        normalizer = (
            self.scale.log()
            + 0.5 * self.df.log()
            + 0.5 * math.log(math.pi)
            + retrograd.lgamma(0.5 * self.df)
            - retrograd.lgamma(0.5 * (self.df + 1.0))
        )
        return -0.5 * (self.df + 1.0) * retrograd.log1p(y**2.0 / self.df) - normalizer

    def entropy(self) -> Any:
        half_df = 0.5 * self.df
        half_df1 = 0.5 * (self.df + 1)
        log_beta = retrograd.lgamma(half_df) + math.lgamma(0.5) - retrograd.lgamma(half_df1)
        return (
            self.scale.log()
            + half_df1 * (retrograd.digamma(half_df1) - retrograd.digamma(half_df))
            + 0.5 * self.df.log()
            + log_beta
        )
