"""The gamma distribution and its chi-squared special case. Samples come from
``retrograd._standard_gamma`` (PyTorch's name), whose gradient makes ``rsample``
differentiable in the concentration."""

from __future__ import annotations

from numbers import Number
from typing import Any

import retrograd

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, tiny


def standard_gamma(concentration: Any) -> Any:
    """Gamma(``concentration``, 1) draws, kept above the dtype's smallest normal number
    (the clamp does not touch the gradient)."""
    value = retrograd._standard_gamma(concentration)
    return value + (value.detach().clamp(min=tiny(value.dtype)) - value.detach())


class Gamma(Distribution):
    """The gamma distribution with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, Number) and isinstance(rate, Number):
            batch_shape = retrograd.Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gamma:
        return self._expanded(Gamma, batch_shape, _instance, ("concentration", "rate"))

    @property
    def mean(self) -> Any:
        return self.concentration / self.rate

    @property
    def mode(self) -> Any:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Any:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        return standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        c, rate = self.concentration, self.rate
        return (
            retrograd.xlogy(c, rate)
            + retrograd.xlogy(c - 1, value)
            - rate * value
            - retrograd.lgamma(c)
        )

    def cdf(self, value: Any) -> Any:
        """P(concentration, rate * value), the regularized lower incomplete gamma (as
        PyTorch: differentiable in ``rate`` and ``value``, not in ``concentration``)."""
        if self._validate_args:
            self._validate_sample(value)
        return retrograd.special.gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Any:
        c = self.concentration
        return c - retrograd.log(self.rate) + retrograd.lgamma(c) + (1.0 - c) * retrograd.digamma(c)


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom:
    ``Gamma(df / 2, 1 / 2)``."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        if isinstance(df, Number):
            df = retrograd.tensor(float(df))
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Chi2:
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self) -> Any:
        """Degrees of freedom."""
        return self.concentration * 2
