"""The multinomial distribution: the counts of each of ``K`` categories in ``total_count``
independent Categorical draws."""

from __future__ import annotations

import math
from typing import Any

import retrograd

from . import constraints
from .binary import Binomial
from .categorical import Categorical, _OverCategorical


class _Multinomial(constraints.Constraint):
    """Nonnegative integer vectors summing to at most ``upper_bound``."""

    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: int) -> None:
        self.upper_bound = upper_bound

    def check(self, x: Any) -> Any:
        return (x >= 0).all(dim=-1) & (x.sum(dim=-1) <= self.upper_bound)


class Multinomial(_OverCategorical):
    """Counts of ``total_count`` draws from Categorical(``probs`` or ``logits``)."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(
        self,
        total_count: int = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=categorical.probs)
        self._init_over(categorical, validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        new = self._expand_over(Multinomial, batch_shape, _instance)
        new.total_count = self.total_count
        new._binomial = Binomial(total_count=self.total_count, probs=new.probs)
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> Any:
        return _Multinomial(self.total_count)

    @property
    def mean(self) -> Any:
        return self.probs * self.total_count

    @property
    def variance(self) -> Any:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        # the counts of total_count Categorical draws
        sample_shape = tuple(retrograd.Size(sample_shape))
        with retrograd.no_grad():
            draws = self._categorical.sample((self.total_count,) + sample_shape)
            k = self._categorical._num_events
            counts = retrograd.nn.functional.one_hot(draws, k).sum(0)
            return counts.to(self.probs.dtype)

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = retrograd.broadcast_tensors(self.logits, value)
        log_factorial_n = retrograd.lgamma(value.sum(-1) + 1)
        log_factorial_xs = retrograd.lgamma(value + 1).sum(-1)
        # a category of probability zero that never occurs contributes 0 * -inf := 0
        logits = retrograd.where((value == 0) & (logits == -math.inf), 0.0, logits)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)

    def entropy(self) -> Any:
        # H = -log n! - n sum_i p_i log p_i + sum_i E[log X_i!], X_i ~ Binomial(n, p_i)
        n = retrograd.tensor(float(self.total_count), dtype=self.probs.dtype)
        counts = self._binomial.enumerate_support(expand=False)
        log_factorials = retrograd.lgamma(counts + 1)
        weights = self._binomial.log_prob(counts).exp()
        expected = (weights * log_factorials).sum((0, -1))
        return -retrograd.lgamma(n + 1) - n * (self.probs * self.logits).sum(-1) + expected
