"""``MultiLabelMarginLoss``, ``TripletMarginWithDistanceLoss`` and ``CTCLoss`` as modules."""

from __future__ import annotations

from typing import Any

from ...ops.multilabel_margin import multilabel_margin_loss
from ...tensor import Tensor
from ..ctc import ctc_loss
from ..triplet_distance_loss import Distance, triplet_margin_with_distance_loss
from .distance import PairwiseDistance
from .loss import _Loss


class MultiLabelMarginLoss(_Loss):
    """:func:`~retrograd.nn.functional.multilabel_margin_loss` with the module's
    ``reduction``."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """:func:`~retrograd.nn.functional.triplet_margin_with_distance_loss`; the default
    distance is a :class:`PairwiseDistance` child module, as in PyTorch (so it shows in
    the repr)."""

    def __init__(
        self,
        *,
        distance_function: Distance | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(
                "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                f"{margin} instead"
            )
        self.distance_function = (
            distance_function if distance_function is not None else PairwiseDistance()
        )
        self.margin, self.swap = margin, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )


class CTCLoss(_Loss):
    """:func:`~retrograd.nn.functional.ctc_loss` with the module's ``blank``,
    ``reduction`` and ``zero_infinity``."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Any,
                target_lengths: Any) -> Tensor:  # fmt: skip
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                        self.reduction, self.zero_infinity)  # fmt: skip
