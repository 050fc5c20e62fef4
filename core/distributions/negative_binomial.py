"""The negative binomial distribution: failures before ``total_count`` successes of
Bernoulli trials with success probability ``1 - probs`` (PyTorch's convention)."""

from __future__ import annotations

from typing import Any

import retrograd

from . import constraints
from .binary import _CountsOfTrials
from .gamma import Gamma
from .utils import lazy_property


class NegativeBinomial(_CountsOfTrials):
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
        batch_shape = self._set_counts(total_count, probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        return self._expand_counts(NegativeBinomial, batch_shape, _instance)

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
