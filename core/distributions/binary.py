"""Distributions of one success probability, given as ``probs`` or ``logits``: Bernoulli,
geometric and binomial. The other parametrization is computed on first use."""

from __future__ import annotations

from numbers import Number
from typing import Any

import retrograd

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits, tiny


def _one_parametrization(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _bce_with_logits(logits: Any, target: Any) -> Any:
    return retrograd.nn.functional.binary_cross_entropy_with_logits(
        logits, target, reduction="none"
    )


class _SuccessProbability(Distribution):
    """Shared ``probs``/``logits`` handling of the binary-outcome distributions."""

    def _set_parameter(self, probs: Any, logits: Any) -> Any:
        _one_parametrization(probs, logits)
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = broadcast_all(probs)
            return retrograd.Size() if is_scalar else self.probs.size()
        is_scalar = isinstance(logits, Number)
        (self.logits,) = broadcast_all(logits)
        return retrograd.Size() if is_scalar else self.logits.size()

    @lazy_property
    def logits(self) -> Any:
        """Log-odds of success."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Any:
        """Probability of success."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Any:
        return self._param.size()

    @property
    def _param(self) -> Any:
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.__dict__["logits"]

    def _expand_parameters(self, new: Any, batch_shape: Any) -> None:
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)


class _CountsOfTrials(_SuccessProbability):
    """Shared parts of Binomial and NegativeBinomial: a ``total_count`` broadcast with (and
    of the dtype of) one of ``probs``/``logits``, expanded with it."""

    def _set_counts(self, total_count: Any, probs: Any, logits: Any) -> Any:
        """Set ``total_count`` and the one given parameter; return the batch shape."""
        _one_parametrization(probs, logits)
        name, param = ("probs", probs) if probs is not None else ("logits", logits)
        total_count, param = broadcast_all(total_count, param)
        setattr(self, name, param)
        self.total_count = total_count.type_as(param)
        return self._param.size()

    def _expand_counts(self, cls: type, batch_shape: Any, _instance: Any) -> Any:
        """``expand`` for ``cls`` (PyTorch's check that a subclass passes ``_instance``)."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = retrograd.Size(batch_shape)
        new.total_count = self.total_count.expand(batch_shape)
        self._expand_parameters(new, batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new


class Bernoulli(_SuccessProbability):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        batch_shape = self._set_parameter(probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = retrograd.Size(batch_shape)
        self._expand_parameters(new, batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Any:
        return self.probs

    @property
    def mode(self) -> Any:
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return retrograd.where(self.probs == 0.5, float("nan"), mode)

    @property
    def variance(self) -> Any:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        with retrograd.no_grad():
            return retrograd.bernoulli(self.probs.expand(shape))

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = retrograd.broadcast_tensors(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self) -> Any:
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand: bool = True) -> Any:
        values = retrograd.arange(2, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


class Geometric(_SuccessProbability):
    """The number of failures before the first success of Bernoulli(``probs``) trials."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        batch_shape = self._set_parameter(probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            # a success probability of 0 never stops: beyond the unit interval, probs > 0
            value = self.probs
            valid = value > 0
            if not bool(valid.all()):
                raise ValueError(
                    "Expected parameter probs "
                    f"({type(value).__name__} of shape {tuple(value.shape)}) "
                    f"of distribution {self!r} "
                    f"to be positive but found invalid values:\n{value.detach()[~valid]}"
                )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Geometric:
        new = self._get_checked_instance(Geometric, _instance)
        batch_shape = retrograd.Size(batch_shape)
        self._expand_parameters(new, batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Any:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Any:
        return retrograd.zeros_like(self.probs)

    @property
    def variance(self) -> Any:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        with retrograd.no_grad():
            probs = self.probs.expand(shape)
            u = retrograd.rand_like(probs).clamp(min=tiny(probs.dtype))
            return (u.log() / (-probs).log1p()).floor()

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        value, probs = retrograd.broadcast_tensors(value, self.probs)
        # a certain success has probability 1 at 0 failures: 0 * log(0) counts as 0
        probs = retrograd.where((probs == 1) & (value == 0), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Any:
        return _bce_with_logits(self.logits, self.probs) / self.probs


class Binomial(_CountsOfTrials):
    """The number of successes in ``total_count`` Bernoulli(``probs``) trials."""

    arg_constraints = {
        "total_count": constraints.nonnegative_integer,
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    has_enumerate_support = True

    def __init__(
        self,
        total_count: Any = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        batch_shape = self._set_counts(total_count, probs, logits)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Binomial:
        return self._expand_counts(Binomial, batch_shape, _instance)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Any:
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Any:
        return self.total_count * self.probs

    @property
    def mode(self) -> Any:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Any:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        with retrograd.no_grad():
            return retrograd.binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_factorial_n = retrograd.lgamma(n + 1)
        log_factorial_k = retrograd.lgamma(value + 1)
        log_factorial_nmk = retrograd.lgamma(n - value + 1)
        # n * log(1 + exp(logits)), written to stay finite for large |logits|
        positive_part = (logits.clamp(min=0) + logits - logits.clamp(max=0)) / 2
        normalize = n * positive_part + n * retrograd.log1p(retrograd.exp(-logits.abs()))
        return value * logits - log_factorial_k - log_factorial_nmk - normalize + log_factorial_n

    def entropy(self) -> Any:
        total_count = int(self.total_count.max().item())
        if not bool((self.total_count == total_count).all()):
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(retrograd.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand: bool = True) -> Any:
        total_count = int(self.total_count.max().item())
        if not bool((self.total_count == total_count).all()):
            raise NotImplementedError(
                "Inhomogeneous total count not supported by `enumerate_support`."
            )
        values = retrograd.arange(1 + total_count, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
