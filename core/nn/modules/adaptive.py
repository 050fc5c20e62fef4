"""``AdaptiveLogSoftmaxWithLoss``: PyTorch's adaptive softmax (Grave et al., "Efficient
softmax approximation for GPUs"), with its parameters, ``state_dict`` keys, results and
errors.

The classes are split by ``cutoffs`` into a shortlist, scored by the ``head`` together
with one logit per cluster, and clusters, each scored by a two-layer projection in
``tail`` whose hidden size shrinks by ``div_value`` per cluster. A class's log
probability is its head log probability (shortlist) or its cluster's head log probability
plus its log probability within the cluster.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from ...tensor import Tensor
from .. import functional as F
from ..module import Module
from .container import ModuleList, Sequential
from .linear import Linear

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])

_CUTOFFS = (
    "cutoffs should be a sequence of unique, positive integers sorted in an increasing "
    "order, where each value is between 1 and n_classes-1"
)


def _checked_cutoffs(cutoffs: Sequence[int], n_classes: int) -> list[int]:
    """``cutoffs`` as a list, or PyTorch's ValueError for it."""
    cutoffs = list(cutoffs)
    if len(cutoffs) == 0:
        raise ValueError("cutoffs should be a sequence of length larger than 0")
    if (
        cutoffs != sorted(cutoffs)
        or min(cutoffs) <= 0
        or max(cutoffs) > n_classes - 1
        or len(set(cutoffs)) != len(cutoffs)
        or any(int(c) != c for c in cutoffs)
    ):
        raise ValueError(_CUTOFFS)
    return cutoffs


def _check_shapes(input: Tensor, target: Tensor) -> None:
    """PyTorch's RuntimeErrors for an input and a target that do not go together."""
    if target.dim() == 1:
        if input.size(0) != target.size(0):
            raise RuntimeError("Input and target should have the same size in the batch dimension.")
        if input.dim() != 2:
            raise RuntimeError(
                f"1D target tensor expects 2D input tensors, but found inputs with size "
                f"{input.size()}"
            )
    elif target.dim() == 0:
        if input.dim() != 1:
            raise RuntimeError(
                f"0D target tensor expects 1D input tensors, but found inputs with size "
                f"{input.size()}"
            )
    else:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax: ``forward(input, target)`` returns the named tuple ``(output,
    loss)`` (each target's log probability, and their negated mean); ``log_prob`` gives
    every class's log probability and ``predict`` the most likely class.

    Parameters: ``head`` (``Linear(in_features, cutoffs[0] + n_clusters)``, bias if
    ``head_bias``) and ``tail`` (per cluster ``Sequential(Linear(in_features, hsz,
    bias=False), Linear(hsz, cluster size, bias=False))`` with ``hsz = in_features //
    div_value ** (i + 1)``), so PyTorch's ``state_dict`` loads as is."""

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs: Sequence[int],
        div_value: float = 4.0,
        head_bias: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        cutoffs = _checked_cutoffs(cutoffs, n_classes)
        kw = {"device": device, "dtype": dtype}
        self.in_features, self.n_classes = in_features, n_classes
        self.cutoffs = [*cutoffs, n_classes]
        self.div_value, self.head_bias = div_value, head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(
                Sequential(
                    Linear(in_features, hsz, bias=False, **kw), Linear(hsz, osz, bias=False, **kw)
                )  # fmt: skip
            )

    def reset_parameters(self) -> None:
        """Re-initialize every layer as ``__init__`` did."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        """``(output, loss)``: each target's log probability (shape ``(N)``, or ``()``
        for an unbatched ``(in_features)`` input and ``()`` target), and
        ``(-output).mean()``. A target outside ``[0, n_classes - 1]`` is a
        RuntimeError."""
        _check_shapes(input_, target_)
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        output, gather_inds = self._cluster_log_probs(input, target)
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output += head_logprob.gather(1, gather_inds.unsqueeze(1)).squeeze()
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _cluster_log_probs(self, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
        """``(within-cluster log probabilities (0 for shortlist targets), the head column
        of each target)``, PyTorch's loop over the clusters that have targets."""
        batch_size = target.size(0)
        output, gather_inds = input.new_zeros(batch_size), target.new_empty(batch_size)
        bounds, used_rows = [0, *self.cutoffs], 0
        for i, (low, high) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            mask = (target >= low) & (target < high)
            rows = mask.nonzero().squeeze()
            if rows.numel() == 0:
                continue
            if i == 0:
                gather_inds.index_copy_(0, rows, target[mask])
            else:
                logprob = F.log_softmax(self.tail[i - 1](input.index_select(0, rows)), dim=1)
                gather_inds.index_fill_(0, rows, self.shortlist_size + i - 1)
                local = logprob.gather(1, (target[mask] - low).unsqueeze(1))
                output.index_copy_(0, rows, local.squeeze(1))
            used_rows += rows.numel()
        if used_rows != batch_size:
            raise RuntimeError(
                f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                f"[{target.min().item()}, {target.max().item()}] were found. "
            )
        return output, gather_inds

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        """Every class's log probability, given ``head_output = self.head(input)``."""
        out = input.new_empty((head_output.size(0), self.n_classes))
        head_logprob = F.log_softmax(head_output, dim=1)
        out[:, : self.shortlist_size] = head_logprob[:, : self.shortlist_size]
        for i, (start, stop) in enumerate(zip(self.cutoffs[:-1], self.cutoffs[1:], strict=True)):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            out[:, start:stop] = cluster_logprob + head_logprob[
                :, self.shortlist_size + i
            ].unsqueeze(1)
        return out

    def log_prob(self, input: Tensor) -> Tensor:
        """The log probabilities of all ``n_classes`` classes: ``(N, n_classes)``."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class of each example, ``log_prob(input).argmax(dim=1)``,
        computing the clusters only for the rows whose head picks a cluster."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        not_in_shortlist = output >= self.shortlist_size
        if not not_in_shortlist.any():
            return output
        if not_in_shortlist.all():
            return self._get_full_log_prob(input, head_output).argmax(dim=1)
        log_prob = self._get_full_log_prob(input[not_in_shortlist], head_output[not_in_shortlist])
        output[not_in_shortlist] = log_prob.argmax(dim=1)
        return output
