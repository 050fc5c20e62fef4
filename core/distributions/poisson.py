"""The Poisson distribution: counts of events that occur at rate ``rate``."""

from __future__ import annotations

from numbers import Number
from typing import Any

import retrograd

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all


class Poisson(Distribution):
    """The number of events in a unit interval of a process of rate ``rate``."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = retrograd.Size() if isinstance(rate, Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Poisson:
        return self._expanded(Poisson, batch_shape, _instance, ("rate",))

    @property
    def mean(self) -> Any:
        return self.rate

    @property
    def mode(self) -> Any:
        return self.rate.floor()

    @property
    def variance(self) -> Any:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        with retrograd.no_grad():
            return retrograd.poisson(self.rate.expand(shape))

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = retrograd.broadcast_tensors(self.rate, value)
        return retrograd.xlogy(value, rate) - rate - retrograd.lgamma(value + 1)
