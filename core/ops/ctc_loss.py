"""``ctc_loss``'s one node (PyTorch's ``CtcLossBackward0``): the negative log-likelihood
of each sample's target under the connectionist temporal classification of its
``log_probs``, by the forward (alpha) and backward (beta) recursions over the target
extended with blanks (``l' = blank, l1, blank, l2, ..., blank``), in log space.

Its gradient is PyTorch's: ``exp(log_probs) - gamma`` per time step within the sample's
input length (0 after it), ``gamma[t, c]`` being the posterior occupancy of class ``c``
at ``t``. That is the gradient through a ``log_softmax`` before the loss, which PyTorch's
kernel folds in; it equals ``-gamma`` plus a term constant over the classes. A sample
whose target cannot be aligned has an infinite loss and a NaN gradient; with
``zero_infinity`` both are 0. The gradient is ATen's ``_ctc_loss_backward``, which PyTorch records
without a derivative: a ``NotImplemented`` node here too.
"""

from __future__ import annotations

import math

from .. import dtypes
from ..creation import arange, full, tensor, zeros
from ..grad_mode import no_grad
from ..tensor import Tensor
from .dispatch import finish
from .joining import cat, stack
from .record import LOSS, OpRecord

_NEG_INF = -math.inf


class Alignment:
    """One batch's extended targets and lengths: ``labels`` ``(N, 2 S + 1)`` (int64, the
    blank between and around each target's labels, blank past its end), ``valid`` (the
    positions within each sample's extended target), ``skip`` (where the recursion may
    jump two positions: a label unlike the one two before), and the lengths."""

    def __init__(self, targets: list[list[int]], input_lengths: list[int], blank: int,
                 backend: object) -> None:  # fmt: skip
        longest = max([0, *(len(t) for t in targets)])
        width = 2 * longest + 1
        labels, skip = [], []
        for t in targets:
            row = [blank] * width
            row[1 : 2 * len(t) : 2] = t
            labels.append(row)
            skip.append([s >= 2 and row[s] != blank and row[s] != row[s - 2]
                         for s in range(width)])  # fmt: skip
        self.input_lengths = input_lengths
        self.target_lengths = [len(t) for t in targets]
        self.labels = tensor(labels, dtype=dtypes.int64, backend=backend).reshape(-1, width)
        self.skip = tensor(skip, backend=backend).reshape(-1, width)
        ends = tensor([2 * len(t) for t in targets], dtype=dtypes.int64, backend=backend)
        positions = tensor(list(range(width)), dtype=dtypes.int64, backend=backend)
        self.valid = positions <= ends.unsqueeze(1)
        self.ends = ends


def _shifted(a: Tensor, by: int) -> Tensor:
    """``a`` moved ``by`` positions right along its last dim, ``-inf`` coming in."""
    by = min(by, a.shape[-1])
    pad = full((*a.shape[:-1], by), _NEG_INF, dtype=a.dtype, backend=a.backend)
    return cat([pad, a[..., : a.shape[-1] - by]], -1)


def _unshifted(a: Tensor, by: int) -> Tensor:
    """``a`` moved ``by`` positions left along its last dim, ``-inf`` coming in."""
    by = min(by, a.shape[-1])
    pad = full((*a.shape[:-1], by), _NEG_INF, dtype=a.dtype, backend=a.backend)
    return cat([a[..., by:], pad], -1)


def _unshifted_mask(a: Tensor, by: int) -> Tensor:
    """A bool ``a`` moved ``by`` positions left along its last dim, False coming in."""
    by = min(by, a.shape[-1])
    pad = zeros(*a.shape[:-1], by, dtype=dtypes.bool, backend=a.backend)
    return cat([a[..., by:], pad], -1)


def _positions(al: Alignment) -> Tensor:
    """``(N, S')``: each extended position's number."""
    return arange(al.labels.shape[1], backend=al.labels.backend).expand(*al.labels.shape)


def _emissions(log_probs: Tensor, labels: Tensor) -> Tensor:
    """``(T, N, S')``: each time step's log-probability of each extended label."""
    index = labels.unsqueeze(0).expand(log_probs.shape[0], *labels.shape)
    return log_probs.gather(2, index)


def _log_add(*terms: Tensor) -> Tensor:
    return stack(list(terms)).logsumexp(0)


def _alphas(emit: Tensor, al: Alignment) -> Tensor:
    """``(T, N, S')``: the forward variables (log), ``-inf`` outside each target."""
    first = al.valid & (_positions(al) <= 1)
    alpha = emit[0].masked_fill(first.logical_not(), _NEG_INF)
    steps = [alpha]
    for t in range(1, emit.shape[0]):
        jump = _shifted(alpha, 2).masked_fill(al.skip.logical_not(), _NEG_INF)
        alpha = (_log_add(alpha, _shifted(alpha, 1), jump) + emit[t]).masked_fill(
            al.valid.logical_not(), _NEG_INF
        )
        steps.append(alpha)
    return stack(steps)


def _betas(emit: Tensor, al: Alignment) -> Tensor:
    """``(T, N, S')``: the backward variables (log), each sample's starting at its last
    input step from the last two positions of its extended target."""
    n, width = al.labels.shape
    positions = _positions(al)
    last = (positions == al.ends.unsqueeze(1)) | (positions == al.ends.unsqueeze(1) - 1)
    skip_next = _unshifted_mask(al.skip, 2)  # may position s jump to s + 2
    beta = full((n, width), _NEG_INF, dtype=emit.dtype, backend=emit.backend)
    steps = []
    lengths = tensor(al.input_lengths, dtype=dtypes.int64, backend=emit.backend).unsqueeze(1)
    for t in range(emit.shape[0] - 1, -1, -1):
        start = emit[t].masked_fill(last.logical_not(), _NEG_INF)
        jump = _unshifted(beta, 2).masked_fill(skip_next.logical_not(), _NEG_INF)
        inner = (_log_add(beta, _unshifted(beta, 1), jump) + emit[t]).masked_fill(
            al.valid.logical_not(), _NEG_INF
        )
        beta = inner.where(lengths - 1 > t, start.where(lengths - 1 == t, _NEG_INF))
        steps.append(beta)
    return stack(steps[::-1])


def _nll(alpha: Tensor, al: Alignment) -> Tensor:
    """``(N,)``: minus the log-likelihood: the last two alphas at each last input step."""
    n = al.labels.shape[0]
    steps = tensor([max(t - 1, 0) for t in al.input_lengths], dtype=dtypes.int64,
                   backend=alpha.backend)  # fmt: skip
    rows = tensor(list(range(n)), dtype=dtypes.int64, backend=alpha.backend)
    at_end = alpha[steps, rows]  # (N, S')
    end = at_end.gather(1, al.ends.unsqueeze(1)).squeeze(1)
    before = at_end.gather(1, (al.ends - 1).clamp(min=0).unsqueeze(1)).squeeze(1)
    before = before.masked_fill(al.ends == 0, _NEG_INF)
    return -_log_add(end, before)


def _derivative(log_probs: Tensor, alpha: Tensor, beta: Tensor, nll: Tensor, labels: Tensor,
                input_lengths: Tensor, zero_infinity: bool) -> Tensor:  # fmt: skip
    """``(T, N, C)``: PyTorch's derivative of each sample's loss w.r.t. ``log_probs``."""
    with no_grad():
        emit = _emissions(log_probs, labels)
        occupancy = (alpha + beta - emit + nll.unsqueeze(1)).exp().nan_to_num(0.0)
        index = labels.unsqueeze(0).expand(*occupancy.shape)
        gamma = log_probs.new_zeros(tuple(log_probs.shape)).scatter_add(2, index, occupancy)
        grad = log_probs.exp() - gamma
        # An infinite loss: its gradient is 0 with zero_infinity, else NaN within its
        # input length (PyTorch's).
        finite = nll.isinf().logical_not().reshape(1, -1, 1)
        grad = grad.where(finite, 0.0 if zero_infinity else math.nan)
        steps = tensor(list(range(log_probs.shape[0])), dtype=dtypes.int64,
                       backend=log_probs.backend)  # fmt: skip
        inside = (steps.unsqueeze(1) < input_lengths.unsqueeze(0)).unsqueeze(2)
        return grad.where(inside, 0.0).to(log_probs.dtype)


def _tangent(us: tuple, out: Tensor, log_probs: Tensor, alpha: Tensor, beta: Tensor,
             nll: Tensor, labels: Tensor, input_lengths: Tensor,
             zero_infinity: bool) -> Tensor:  # fmt: skip
    """Forward mode: the tangent against PyTorch's derivative (PyTorch has no forward
    rule here)."""
    (u,) = us
    derivative = _derivative(log_probs, alpha, beta, nll, labels, input_lengths, zero_infinity)
    return (u * derivative).sum((0, 2))


def ctc_loss_backward(g: Tensor, log_probs: Tensor, alpha: Tensor, beta: Tensor,
                      nll: Tensor, labels: Tensor, input_lengths: Tensor,
                      zero_infinity: bool) -> Tensor:  # fmt: skip
    """The gradient w.r.t. ``log_probs`` for the per-sample output gradient ``g`` (one
    ``NotImplemented`` node, as PyTorch's ``_ctc_loss_backward``)."""
    derivative = _derivative(log_probs, alpha, beta, nll, labels, input_lengths, zero_infinity)
    with no_grad():
        grad = derivative * g.reshape(1, -1, 1)
    array = grad.contiguous()._storage.array
    return finish(CTC_LOSS_BACKWARD, array, log_probs.dtype, log_probs._backend,
                  (g, log_probs))  # fmt: skip


CTC_LOSS_BACKWARD = OpRecord(
    "_ctc_loss_backward",
    LOSS,
    "NotImplemented",
    "exp",
    inputs=("grad", "log_probs"),
    method=False,
    smooth=False,
    no_derivative="_ctc_loss_backward",
    doc="ctc_loss's gradient (no derivative in PyTorch)",
)
CTC_LOSS = OpRecord(
    "_ctc_loss",
    LOSS,
    "CtcLossBackward0",
    "logaddexp",
    inputs=("log_probs",),
    save=("log_probs", "alpha", "beta", "nll", "labels", "input_lengths", "zero_infinity"),
    grads=(
        lambda g, lp, alpha, beta, nll, labels, lengths, zero_infinity: ctc_loss_backward(
            g, lp, alpha, beta, nll, labels, lengths, zero_infinity
        ),
    ),  # fmt: skip
    jvp=_tangent,
    method=False,
    smooth=False,
    doc="per sample: -log p(target | log_probs) under CTC, by the alpha recursion",
)
RECORDS = (CTC_LOSS, CTC_LOSS_BACKWARD)


def ctc_loss_op(log_probs: Tensor, targets: list[list[int]], input_lengths: list[int],
                blank: int, zero_infinity: bool) -> Tensor:  # fmt: skip
    """``(N,)``: each sample's CTC loss of ``log_probs`` ``(T, N, C)`` against its
    target (a list of labels), one ``CtcLossBackward0`` node; an infinite loss stays
    infinite (the caller zeroes it for ``zero_infinity``, as ATen does, after the node),
    but ``zero_infinity`` already zeroes its gradient."""
    al = Alignment(targets, input_lengths, blank, log_probs.backend)
    with no_grad():
        emit = _emissions(log_probs, al.labels)
        alpha, beta = _alphas(emit, al), _betas(emit, al)
        nll = _nll(alpha, al)
        out = nll.to(log_probs.dtype)
    lengths = tensor(input_lengths, dtype=dtypes.int64, backend=log_probs.backend)
    params = {"alpha": alpha, "beta": beta, "nll": nll, "labels": al.labels,
              "input_lengths": lengths, "zero_infinity": zero_infinity}  # fmt: skip
    array = out.contiguous()._storage.array
    return finish(CTC_LOSS, array, log_probs.dtype, log_probs._backend, (log_probs,), params)
