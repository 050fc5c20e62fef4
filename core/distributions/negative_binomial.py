"""The negative binomial distribution: failures before ``total_count`` successes of
Bernoulli trials with success probability ``1 - probs`` (PyTorch's convention)."""

from __future__ import annotations

from typing import Any

import retrograd

from . import constraints
from .binary import _one_parametrization, _SuccessProbability
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all, lazy_property


class NegativeBinomial(_SuccessProbability):
    """Counts of successes (probability ``probs``) before ``total_count`` failures; a
    Poisson count whose rate is Gamma(``total_count``, ``exp(-logits)``)."""

    arg_constraints = {
        "total_count": constraints.greater_than_eq(0),
        "probs": constraints.half_open_interval(0.0, 1.0),
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer

    def __init__(
        self,
        total_count: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        _one_parametrization(probs, logits)
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self.total_count = self.total_count.type_as(self.probs)
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self.total_count = self.total_count.type_as(self.logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        new = self._get_checked_instance(NegativeBinomial, _instance)
        batch_shape = retrograd.Size(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        self._expand_parameters(new, batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Any:
        return self.total_count * retrograd.exp(self.logits)

    @property
    def mode(self) -> Any:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Any:
        return self.mean / retrograd.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self) -> Gamma:
        return Gamma(self.total_count, retrograd.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape: Any = ()) -> Any:
        with retrograd.no_grad():
            return retrograd.poisson(self._gamma.sample(sample_shape))

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        logsigmoid = retrograd.nn.functional.logsigmoid
        n, lgamma = self.total_count, retrograd.lgamma
        unnormalized = n * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        normalization = -lgamma(n + value) + lgamma(1.0 + value) + lgamma(n)
        # no trials and no count: probability one
        normalization = retrograd.where(n + value == 0.0, 0.0, normalization)
        return unnormalized - normalization
