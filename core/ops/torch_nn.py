"""The torch-level names of ``nn.functional``'s further activations and losses:
``torch.selu``, ``torch.celu``, ``torch.threshold``, ``torch.hardshrink`` (also a Tensor
method), the in-place ``torch.selu_``/``celu_``/``threshold_``, ``torch.kl_div``,
``torch.cosine_similarity``, ``torch.pairwise_distance`` and the margin and distance
losses. (``torch.rrelu``/``rrelu_`` draw random numbers: :mod:`retrograd.random`.)

The torch-level losses take ``reduction`` as PyTorch's C++ enum (an int): 1 is mean, 2
sum, anything else none. Their default is ``Mean`` in PyTorch's schema, but its argument
parser reads that default as 0, so ``torch.kl_div(x, t)`` is not reduced; we keep that
behaviour (a default of 0), which is PyTorch's.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Any

from ..arguments import raise_error
from ..tensor import Tensor
from .distance_losses import cosine_embedding_loss as _cosine_embedding_loss
from .distance_losses import pairwise_distance, triplet_margin
from .distance_losses import poisson_nll_loss as _poisson_nll_loss
from .losses import apply_reduction
from .margin_losses import hinge_embedding_loss as _hinge_embedding_loss
from .margin_losses import margin_ranking_loss as _margin_ranking_loss
from .piecewise_activations import hardshrink
from .piecewise_activations import threshold as _threshold
from .record import composite
from .regression_losses import cosine_similarity
from .regression_losses import kl_div as _kl_div
from .smooth_activations import celu, selu


@composite(method=False)
def selu_(input: Tensor) -> Tensor:
    """``selu`` written into ``input`` (PyTorch records ``EluBackward1``)."""
    return selu(input, inplace=True)


@composite(method=False)
def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``celu`` written into ``input`` (``CeluBackward1``)."""
    return celu(input, alpha, inplace=True)


@composite(method=False)
def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``threshold`` written into ``input`` (``ThresholdBackward1``)."""
    return _threshold(input, threshold, value, inplace=True)


@composite(method=False)
def torch_selu(input: Tensor) -> Tensor:
    """``torch.selu``: ``scale * elu(x, alpha)`` with SELU's constants."""
    return selu(input)


@composite(method=False)
def torch_celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``torch.celu``: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return celu(input, alpha)


@composite(method=False)
def torch_threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """``torch.threshold``: ``value`` where ``x <= threshold``, else ``x``."""
    return _threshold(input, threshold, value)


def _reduction(reduction: Any) -> str:
    """PyTorch's reduction enum as ``nn.functional``'s name: 1 mean, 2 sum, else none
    (PyTorch's kernels reduce only for those two values)."""
    if isinstance(reduction, bool) or not isinstance(reduction, numbers.Integral):
        raise TypeError("reduction must be int")  # reworded as PyTorch's parser words it
    return {1: "mean", 2: "sum"}.get(int(reduction), "none")


@composite(method=False)
def torch_kl_div(input: Tensor, target: Tensor, reduction: int = 0, *, log_target: bool = False):
    """``torch.kl_div``: the pointwise KL divergence, reduced by the enum ``reduction``
    (no ``'batchmean'`` here, and no warning for the mean)."""
    how = _reduction(reduction)
    return apply_reduction(_kl_div(input, target, reduction="none", log_target=log_target), how)


@composite(method=False)
def torch_margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 0
) -> Tensor:
    """``torch.margin_ranking_loss`` (``reduction`` an enum)."""
    how = _reduction(reduction)
    return _margin_ranking_loss(input1, input2, target, margin, reduction=how)


@composite(method=False)
def torch_hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 0
) -> Tensor:
    """``torch.hinge_embedding_loss`` (``reduction`` an enum)."""
    return _hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


@composite(method=False)
def torch_cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 0
) -> Tensor:
    """``torch.cosine_embedding_loss`` (``reduction`` an enum)."""
    how = _reduction(reduction)
    return _cosine_embedding_loss(input1, input2, target, margin, reduction=how)


@composite(method=False)
def torch_poisson_nll_loss(
    input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: int
) -> Tensor:
    """``torch.poisson_nll_loss``: every argument required, ``reduction`` an enum."""
    how = _reduction(reduction)
    return _poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=how)


@composite(method=False)
def torch_triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: int = 0,
) -> Tensor:
    """``torch.triplet_margin_loss`` (``reduction`` an enum; unlike
    ``F.triplet_margin_loss``, PyTorch accepts any margin here)."""
    how = _reduction(reduction)
    return triplet_margin(anchor, positive, negative, margin, p, eps, swap, how)


FUNCTIONS = {
    "selu": torch_selu,
    "celu": torch_celu,
    "threshold": torch_threshold,
    "hardshrink": hardshrink,
    "selu_": selu_,
    "celu_": celu_,
    "threshold_": threshold_,
    "kl_div": torch_kl_div,
    "cosine_similarity": composite(method=False)(cosine_similarity),
    "pairwise_distance": composite(method=False)(pairwise_distance),
    "margin_ranking_loss": torch_margin_ranking_loss,
    "hinge_embedding_loss": torch_hinge_embedding_loss,
    "cosine_embedding_loss": torch_cosine_embedding_loss,
    "poisson_nll_loss": torch_poisson_nll_loss,
    "triplet_margin_loss": torch_triplet_margin_loss,
}


def _checked(fn: Any, name: str) -> Any:
    """``fn`` as ``torch.<name>``: its arguments checked against PyTorch's signature
    first (``retrograd.signatures``), so a bad one is PyTorch's TypeError, whatever
    ``fn`` would have made of it."""

    def op(*args: Any, **kwargs: Any) -> Any:
        raise_error(name, args, kwargs)
        return fn(*args, **kwargs)

    op.__name__ = op.__qualname__ = name
    op.__doc__, op.__module__ = fn.__doc__, fn.__module__
    op.__dict__.update(fn.__dict__)
    op.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
    return op


FUNCTIONS = {name: _checked(fn, name) for name, fn in FUNCTIONS.items()}
