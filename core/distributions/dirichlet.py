"""The Dirichlet distribution over the probability simplex, and the beta distribution (its
two-category case). ``sample`` calls ``retrograd._sample_dirichlet`` and ``rsample``
``retrograd._standard_gamma`` (PyTorch's names, looked up when called)."""

from __future__ import annotations

from numbers import Number
from typing import Any

import retrograd

from . import constraints
from .distribution import Distribution
from .gamma import standard_gamma
from .utils import broadcast_all


class Dirichlet(Distribution):
    """The Dirichlet distribution with concentration vector ``concentration`` (the last
    dimension indexes the categories)."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Dirichlet:
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = retrograd.Size(batch_shape)
        new.concentration = self.concentration.expand(tuple(batch_shape) + tuple(self.event_shape))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape: Any = ()) -> Any:
        shape = self._extended_shape(sample_shape)
        with retrograd.no_grad():
            return retrograd._sample_dirichlet(self.concentration.expand(shape))

    def rsample(self, sample_shape: Any = ()) -> Any:
        # ``_sample_dirichlet`` has no gradient (PyTorch adds one with a dedicated kernel);
        # normalized gamma draws are Dirichlet too, and differentiate through
        # ``_standard_gamma``'s implicit reparameterization gradient
        shape = self._extended_shape(sample_shape)
        gammas = standard_gamma(self.concentration.expand(shape))
        return gammas / gammas.sum(-1, keepdim=True)

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (
            retrograd.xlogy(c - 1.0, value).sum(-1)
            + retrograd.lgamma(c.sum(-1))
            - retrograd.lgamma(c).sum(-1)
        )

    @property
    def mean(self) -> Any:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Any:
        shifted = (self.concentration - 1).clamp(min=0.0)
        mode = shifted / shifted.sum(-1, keepdim=True)
        # with a concentration below one the density peaks at a vertex
        below_one = (self.concentration < 1).all(dim=-1)
        vertex = retrograd.nn.functional.one_hot(
            self.concentration.argmax(-1), shifted.shape[-1]
        ).to(mode.dtype)
        return retrograd.where(below_one.unsqueeze(-1), vertex, mode)

    @property
    def variance(self) -> Any:
        total = self.concentration.sum(-1, keepdim=True)
        c = self.concentration
        return c * (total - c) / (total.pow(2) * (total + 1))

    def entropy(self) -> Any:
        c = self.concentration
        k = c.size(-1)
        total = c.sum(-1)
        return (
            retrograd.lgamma(c).sum(-1)
            - retrograd.lgamma(total)
            - (k - total) * retrograd.digamma(total)
            - ((c - 1.0) * retrograd.digamma(c)).sum(-1)
        )


class Beta(Distribution):
    """The beta distribution on ``[0, 1]`` with shapes ``concentration1`` (alpha) and
    ``concentration0`` (beta)."""

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True

    def __init__(
        self, concentration1: Any, concentration0: Any, validate_args: bool | None = None
    ) -> None:
        if isinstance(concentration1, Number) and isinstance(concentration0, Number):
            pair = retrograd.tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            pair = retrograd.stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(pair, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Beta:
        return self._expanded(Beta, batch_shape, _instance, ("_dirichlet",))

    @property
    def concentration1(self) -> Any:
        """The first shape parameter (alpha)."""
        result = self._dirichlet.concentration[..., 0]
        return result

    @property
    def concentration0(self) -> Any:
        """The second shape parameter (beta)."""
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Any:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Any:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Any:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Any:
        return self._dirichlet.sample(sample_shape).select(-1, 0)

    def rsample(self, sample_shape: Any = ()) -> Any:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Any) -> Any:
        if self._validate_args:
            self._validate_sample(value)
        pair = retrograd.stack([value, 1.0 - value], -1)
        return self._dirichlet.log_prob(pair)

    def entropy(self) -> Any:
        return self._dirichlet.entropy()
