"""Distributions over ``K`` categories given as ``probs`` (normalized over the last
dimension) or ``logits`` (unnormalized log-probabilities): Categorical returns the index,
OneHotCategorical the one-hot vector."""

from __future__ import annotations

import math
from typing import Any

import retrograd

from . import constraints
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, lowest, probs_to_logits


class Categorical(Distribution):
    """An index in ``0 .. K-1`` drawn with probabilities ``probs`` (or
    ``softmax(logits)``) along the last dimension."""

    arg_constraints = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.size()[-1]
        batch_shape = self._param.size()[:-1] if self._param.dim() > 1 else retrograd.Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        new = self._get_checked_instance(Categorical, _instance)
        batch_shape = retrograd.Size(batch_shape)
        param_shape = tuple(batch_shape) + (self._num_events,)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(param_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(param_shape)
            new._param = new.logits
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Any:
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Any:
        """Normalized log-probabilities."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Any:
        """Normalized probabilities."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Any:
        return self._param.size()

    @property
    def mean(self) -> Any:
        return retrograd.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Any:
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Any:
        return retrograd.full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape: Any = ()) -> Any:
        # inverse-CDF sampling: the index is how many cumulative probabilities lie below a
        # uniform draw (no multinomial kernel needed)
        shape = self._extended_shape(sample_shape)
        with retrograd.no_grad():
            multinomial = getattr(retrograd, "multinomial", None)
            if multinomial is not None:  # PyTorch's sampler, hence PyTorch's numbers
                probs_2d = self.probs.reshape(-1, self._num_events)
                n = retrograd.Size(sample_shape).numel()
                return multinomial(probs_2d, n, True).T.reshape(shape)
            cdf = self.probs.cumsum(-1)
            cdf = cdf / cdf[..., -1:]
            u = retrograd.rand_like(cdf[..., :1].expand(tuple(shape) + (1,)))
            index = (u >= cdf).sum(-1)
            return index.clamp(max=self._num_events - 1)

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = retrograd.broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self) -> Any:
        logits = self.logits.clamp(min=lowest(self.logits.dtype))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Any:
        values = retrograd.arange(self._num_events, dtype=retrograd.int64)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


class _OverCategorical(Distribution):
    """Shared parts of the distributions that wrap one Categorical over the last dim
    (OneHotCategorical, Multinomial): their shapes, ``expand`` and parameters."""

    def _init_over(self, categorical: Categorical, validate_args: bool | None) -> None:
        """Wrap ``categorical``: its batch shape, one event dim of its categories."""
        self._categorical = categorical
        event_shape = categorical.param_shape[-1:]
        Distribution.__init__(self, categorical.batch_shape, event_shape, validate_args)

    def _expand_over(self, cls: type, batch_shape: Any, _instance: Any) -> Any:
        """``expand`` for ``cls`` (PyTorch's check that a subclass passes ``_instance``)."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = retrograd.Size(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self) -> Any:
        return self._categorical._param

    @property
    def probs(self) -> Any:
        """Normalized category probabilities."""
        return self._categorical.probs

    @property
    def logits(self) -> Any:
        """Normalized log-probabilities of the categories."""
        return self._categorical.logits

    @property
    def param_shape(self) -> Any:
        return self._categorical.param_shape


class OneHotCategorical(_OverCategorical):
    """A one-hot vector of length ``K`` whose hot index is Categorical(``probs``)."""

    arg_constraints = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        self._init_over(Categorical(probs, logits), validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        return self._expand_over(OneHotCategorical, batch_shape, _instance)

    @property
    def mean(self) -> Any:
        return self._categorical.probs

    @property
    def mode(self) -> Any:
        probs = self._categorical.probs
        mode = probs.argmax(dim=-1)
        return retrograd.nn.functional.one_hot(mode, num_classes=probs.shape[-1]).to(probs.dtype)

    @property
    def variance(self) -> Any:
        return self._categorical.probs * (1 - self._categorical.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        probs = self._categorical.probs
        num_events = self._categorical._num_events
        indices = self._categorical.sample(sample_shape)
        return retrograd.nn.functional.one_hot(indices, num_events).to(probs.dtype)

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        indices = value.max(-1)[1]
        return self._categorical.log_prob(indices)

    def entropy(self) -> Any:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Any:
        n = self.event_shape[0]
        values = retrograd.eye(n, dtype=self._param.dtype)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values
