"""Univariate continuous distributions with closed-form densities, CDFs and inverse CDFs:
uniform, exponential, Laplace, Cauchy and Gumbel. Each samples by reparameterization
(an inverse CDF applied to uniform draws, or a scaled exponential draw)."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import retrograd

from . import constraints
from .distribution import Distribution
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .utils import EULER_GAMMA, broadcast_all, eps, tiny


def _batch_shape(first: Any, second: Any, tensor: Any) -> Any:
    if isinstance(first, Number) and isinstance(second, Number):
        return retrograd.Size()
    return tensor.size()


def _uniform_like(param: Any, shape: Any, low: float = 0.0, high: float = 1.0) -> Any:
    """Uniform draws on ``[low, high)`` of ``shape`` with ``param``'s dtype and backend."""
    return retrograd.empty_like(param.detach().expand(shape)).uniform_(low, high)


class _LocScale(Distribution):
    """A distribution of a ``loc`` and a ``scale``; shared construction and ``expand``."""

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(_batch_shape(loc, scale, self.loc), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        new = self._get_checked_instance(type(self), _instance)
        batch_shape = retrograd.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _checked(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        return value


class Uniform(Distribution):
    """The continuous uniform distribution on ``[low, high)``."""

    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:  # type: ignore[override]
        # each bound is checked against the other, which reports low >= high
        return {
            "low": constraints.less_than(self.high),
            "high": constraints.greater_than(self.low),
        }

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(_batch_shape(low, high, self.low), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Uniform:
        return self._expanded(Uniform, batch_shape, _instance, ("low", "high"))

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Any:
        return constraints.interval(self.low, self.high)

    @property
    def mean(self) -> Any:
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Any:
        return math.nan * self.high

    @property
    def stddev(self) -> Any:
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> Any:
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        return self.low + _uniform_like(self.low, shape) * (self.high - self.low)

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        inside_low = self.low.le(value).type_as(self.low)
        inside_high = self.high.gt(value).type_as(self.low)
        return retrograd.log(inside_low * inside_high) - retrograd.log(self.high - self.low)

    def cdf(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Any) -> Any:
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Any:
        return retrograd.log(self.high - self.low)


class Exponential(Distribution):
    """The exponential distribution with rate ``rate`` (mean ``1 / rate``)."""

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = retrograd.Size() if isinstance(rate, Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Exponential:
        return self._expanded(Exponential, batch_shape, _instance, ("rate",))

    @property
    def mean(self) -> Any:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Any:
        return retrograd.zeros_like(self.rate)

    @property
    def stddev(self) -> Any:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Any:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        draws = retrograd.empty_like(self.rate.detach().expand(shape)).exponential_()
        return draws / self.rate

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        return 1 - retrograd.exp(-self.rate * value)

    def icdf(self, value: Any) -> Any:
        return -retrograd.log1p(-value) / self.rate

    def entropy(self) -> Any:
        return 1.0 - retrograd.log(self.rate)


class Laplace(_LocScale):
    """The Laplace (double exponential) distribution around ``loc`` with scale ``scale``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self) -> Any:
        return self.loc

    @property
    def mode(self) -> Any:
        return self.loc

    @property
    def variance(self) -> Any:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Any:
        return (2**0.5) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        # open at -1 so log1p(-|u|) stays finite
        u = _uniform_like(self.loc, shape, eps(self.loc.dtype) - 1, 1)
        return self.loc - self.scale * u.sign() * retrograd.log1p(-u.abs())

    def log_prob(self, value: Any) -> Any:
        value = self._checked(value)
        return -retrograd.log(2 * self.scale) - retrograd.abs(value - self.loc) / self.scale

    def cdf(self, value: Any) -> Any:
        value = self._checked(value)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * retrograd.expm1(-z.abs() / self.scale)

    def icdf(self, value: Any) -> Any:
        term = value - 0.5
        return self.loc - self.scale * term.sign() * retrograd.log1p(-2 * term.abs())

    def entropy(self) -> Any:
        return 1 + retrograd.log(2 * self.scale)


class Cauchy(_LocScale):
    """The Cauchy (Lorentz) distribution: median ``loc``, half width ``scale``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self) -> Any:
        return retrograd.full_like(self.loc, math.nan)

    @property
    def mode(self) -> Any:
        return self.loc

    @property
    def variance(self) -> Any:
        return retrograd.full_like(self.loc, math.inf)

    def rsample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        like = retrograd.empty_like(self.loc.detach().expand(shape))
        if hasattr(like, "cauchy_"):  # PyTorch's sampler, hence PyTorch's numbers
            return self.loc + like.cauchy_() * self.scale
        u = like.uniform_()
        return self.loc + self.scale * retrograd.tan(math.pi * (u - 0.5))

    def log_prob(self, value: Any) -> Any:
        value = self._checked(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - z.pow(2).log1p()

    def cdf(self, value: Any) -> Any:
        value = self._checked(value)
        return retrograd.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value: Any) -> Any:
        return retrograd.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self) -> Any:
        return math.log(4 * math.pi) + self.scale.log()


class Gumbel(TransformedDistribution):
    """The Gumbel (type-I extreme value) distribution with location ``loc`` and scale
    ``scale``: ``loc - scale * log(-log(U))`` for ``U`` uniform, as PyTorch builds it."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        low, high = tiny(self.loc.dtype), 1 - eps(self.loc.dtype)
        if isinstance(loc, Number) and isinstance(scale, Number):
            base_dist = Uniform(low, high, validate_args=validate_args)
        else:
            base_dist = Uniform(
                retrograd.full_like(self.loc, low),
                retrograd.full_like(self.loc, high),
                validate_args=validate_args,
            )
        transforms = [
            ExpTransform().inv,
            AffineTransform(loc=0, scale=-retrograd.ones_like(self.scale)),
            ExpTransform().inv,
            AffineTransform(loc=loc, scale=-self.scale),
        ]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gumbel:
        new = self._get_checked_instance(Gumbel, _instance)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    def log_prob(self, value: Any) -> Any:
        # directly, not through the transforms: more accurate in the tails
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    @property
    def mean(self) -> Any:
        return self.loc + self.scale * EULER_GAMMA

    @property
    def mode(self) -> Any:
        return self.loc

    @property
    def stddev(self) -> Any:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Any:
        return self.stddev.pow(2)

    def entropy(self) -> Any:
        return self.scale.log() + (1 + EULER_GAMMA)
