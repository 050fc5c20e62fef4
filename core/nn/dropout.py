"""The dropouts of ``nn.functional``: ``dropout`` (per element), ``dropout1d/2d/3d`` (whole
channels), ``alpha_dropout`` and ``feature_alpha_dropout`` (SELU's self-normalizing form).

Each is ATen's one dropout scheme composed from retrograd's ops, as PyTorch composes it
(so the graph is PyTorch's: ``MulBackward0``, and ``AddBackward0`` over it for the alpha
forms): a Bernoulli(1 - p) keep mask drawn from the default generator, per element or
per ``(sample, channel)`` (shape ``(N, C, 1, ...)``, shared by a channel's features),
then a multiply. Plain dropout scales kept values by ``1 / (1 - p)``; alpha dropout sets
dropped values to SELU's negative saturation and rescales with ``a`` and ``b`` chosen so
that zero mean and unit variance are kept. The masks are drawn with retrograd's
generator: their statistics are PyTorch's, not its exact bits.
"""

from __future__ import annotations

import math
import warnings

from ..random import draw_target
from ..tensor import Tensor

# SELU's ``scale * alpha``: alpha dropout's dropped value is its negative.
_SELU_SATURATION = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input: Tensor, p: float, feature: bool, alpha: bool, inplace: bool) -> Tensor:
    """ATen's dropout of ``input`` in training, ``0 < p``."""
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape)
    if feature:
        shape = (*shape[:2], *([1] * (len(shape) - 2)))
    # Inside vmap(..., randomness="different") the mask starts batched: one per sample.
    keep = draw_target(shape, input._dtype, input._backend).bernoulli_(1 - p)
    if not alpha:
        keep = keep.div_(1 - p)
        return input.mul_(keep) if inplace else input * keep
    a = 1.0 / math.sqrt((_SELU_SATURATION**2 * p + 1) * (1 - p))
    shift = (keep - 1).mul_(_SELU_SATURATION * a).add_(_SELU_SATURATION * a * p)
    keep = keep.mul_(a)
    return input.mul_(keep).add_(shift) if inplace else (input * keep).add_(shift)


def dropout_like(input: Tensor, p: float, training: bool, inplace: bool, feature: bool,
                 alpha: bool) -> Tensor:  # fmt: skip
    """ATen's four dropouts in one: of elements or (``feature``) of whole channels of
    ``(N, C, *)``, plain or (``alpha``) keeping SELU's statistics; ``torch.dropout`` and
    its kin, and the functional forms, all come here."""
    _check_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return _apply(input, p, feature, alpha, inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``
    (identity when not ``training``). The mask is ``bernoulli_(1 - p)`` of a zero tensor
    like ``input``, drawn from the default generator, as PyTorch draws it."""
    return dropout_like(input, p, training, inplace, feature=False, alpha=False)


def _unbatched(input: Tensor, p: float, training: bool, inplace: bool, batched: bool) -> Tensor:
    """Channel dropout of a batch, or of one sample seen as a batch of one (reshaped in
    place when ``inplace``, as PyTorch does, so the result is ``input``)."""
    if batched:
        return dropout_like(input, p, training, inplace, feature=True, alpha=False)
    if inplace:
        out = dropout_like(input.unsqueeze_(0), p, training, True, feature=True, alpha=False)
        return out.squeeze_(0)
    out = dropout_like(input.unsqueeze(0), p, training, False, feature=True, alpha=False)
    return out.squeeze(0)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` with probability ``p``."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    return _unbatched(input, p, training, inplace, input.dim() == 3)


def _warn_dims(name: str, input: Tensor, dims: tuple[int, int], spatial: int) -> None:
    if input.dim() not in dims:
        warnings.warn(
            f"{name}: Received a {input.dim()}-D input to {name}, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            f"and silence this warning, please use dropout instead. Note that {name} "
            f"exists to provide channel-wise dropout on inputs with {spatial} spatial "
            "dimensions, a channel dimension, and an optional batch dimension "
            f"(i.e. {dims[0]}D or {dims[1]}D inputs).",
            stacklevel=3,
        )


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of ``(N, C, H, W)`` with probability ``p``. A 3-d input is
    taken as ``(N, C, L)``, with PyTorch's warning."""
    _check_p(p)
    _warn_dims("dropout2d", input, (3, 4), 2)
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return dropout_like(input, p, training, inplace, feature=True, alpha=False)


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` with probability ``p``."""
    _check_p(p)
    _warn_dims("dropout3d", input, (4, 5), 3)
    return _unbatched(input, p, training, inplace, input.dim() == 5)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:  # fmt: skip
    """Dropout that keeps SELU's zero mean and unit variance: dropped elements take SELU's
    negative saturation, then all are scaled and shifted back."""
    return dropout_like(input, p, training, inplace, feature=False, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:  # fmt: skip
    """:func:`alpha_dropout` of whole channels of ``(N, C, *)``."""
    return dropout_like(input, p, training, inplace, feature=True, alpha=True)
