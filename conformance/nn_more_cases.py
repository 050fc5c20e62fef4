"""Samples, calls and references for ``embedding_bag``, ``multilabel_margin_loss`` and
``ctc_loss`` (``retrograd/ops/embedding_bag.py``, ``multilabel_margin.py``,
``ctc_loss.py``) and for their gradients' records, which PyTorch cannot differentiate:
the table's entries for them are :data:`retrograd_conformance.table.NN_MORE`.

The references take the bags, targets and alignments on the host (NumPy; the indices are
constants) and compute in ``xp``: NumPy in float64, ``jax.numpy`` for the ``jax.vjp``
check. ``ctc_loss`` is sampled behind a ``log_softmax``, as it is used: PyTorch's
gradient of the loss is the derivative of the loss of normalized log-probabilities (it
folds the softmax's Jacobian in), so only there does it equal finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import retrograd
from retrograd.nn.fractional_pooling import window_starts
from retrograd.ops import ctc_loss as ctc_ops
from retrograd.ops import embedding_bag as bag_ops
from retrograd.ops import embedding_lookup as embedding_ops
from retrograd.ops import multilabel_margin as mlm_ops
from retrograd.ops.record import OpRecord

from .samples import Sample, values_for

REDUCTIONS = ("none", "mean", "sum")
F = retrograd.nn.functional

# -- embedding ---------------------------------------------------------------------------


def embedding(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A weight ``(R, D)`` and 0-2-d indices. PyTorch's gradient is not the derivative
    where the indices name the padding row or, with ``scale_grad_by_freq``, a row twice;
    finite differences cannot check those, so ``padding_idx`` names a row the indices
    leave out, and the frequency scaling gets distinct indices (tests/test_nn_layers.py
    compares those gradients with PyTorch's)."""
    rows, features = draw.integer(2, 4), draw.integer(1, 3)
    weight = draw.values((rows, features), (-2.0, 2.0)).astype(dtype)
    shape = tuple(draw.integer(1, 2) for _ in range(draw.integer(0, 2)))
    scale = draw.choice((False, True))
    count = int(np.prod(shape))
    if scale:
        indices = draw.rng.permutation(rows)[:count] if count <= rows else None
    else:
        indices = draw.rng.integers(0, rows - 1, size=count)
    if indices is None:  # more positions than rows: no distinct indices
        scale, indices = False, draw.rng.integers(0, rows - 1, size=count)
    padding = rows - 1 if not scale and draw.choice((False, True)) else None
    params = {"indices": indices.reshape(shape).astype(np.int64), "padding_idx": padding,
              "scale_grad_by_freq": scale}  # fmt: skip
    return Sample((weight,), params)


def embedding_call(weight: Any, indices: Any, padding_idx: Any, scale_grad_by_freq: bool) -> Any:
    return F.embedding(indices, weight, padding_idx, scale_grad_by_freq=scale_grad_by_freq)


def embedding_ref(xp: Any, weight: Any, indices: Any, padding_idx: Any,
                  scale_grad_by_freq: bool) -> Any:  # fmt: skip
    return weight[np.asarray(indices)]


def embedding_dense_backward(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """The gradient ``(*indices.shape, D)`` of an :func:`embedding` sample's output."""
    base = embedding(record, draw, dtype)
    (weight,), params = base.arrays, dict(base.params)
    g = draw.values((*params["indices"].shape, weight.shape[1]), (-2.0, 2.0)).astype(dtype)
    return Sample((g,), {**params, "num_weights": weight.shape[0]})


def embedding_dense_backward_call(g: Any, indices: Any, num_weights: int, padding_idx: Any,
                                  scale_grad_by_freq: bool) -> Any:  # fmt: skip
    return embedding_ops._weight_grad(g, indices, num_weights, padding_idx, scale_grad_by_freq)


def embedding_dense_backward_ref(xp: Any, g: Any, indices: Any, num_weights: int,
                                 padding_idx: Any, scale_grad_by_freq: bool) -> Any:  # fmt: skip
    """``onehot^T @ rows``: each row's gradients summed, the padding row's left out and,
    with frequency scaling, each divided by its row's count."""
    flat = np.asarray(indices).reshape(-1)
    onehot = np.zeros((flat.shape[0], num_weights))
    onehot[np.arange(flat.shape[0]), flat] = 1.0
    if padding_idx is not None:
        onehot[flat == padding_idx] = 0.0
    if scale_grad_by_freq:
        onehot = onehot / np.bincount(flat, minlength=num_weights)[flat][:, None]
    rows = xp.reshape(g, (flat.shape[0], g.shape[-1]))
    return xp.asarray(onehot.T, dtype=g.dtype) @ rows


# -- embedding_bag -----------------------------------------------------------------------


def _bags(draw: Any, length: int) -> np.ndarray:
    """Offsets cutting ``length`` entries into bags (some may be empty)."""
    cuts = sorted(draw.integer(0, length) for _ in range(draw.integer(0, 2)))
    return np.array([0, *cuts], dtype=np.int64)


def embedding_bag(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """A weight ``(R, D)``, 1-d indices cut at offsets, a mode and maybe a padding row;
    per-sample weights in sum mode. The weight's values are distinct by a margin, so no
    max is near a tie."""
    rows, features, length = draw.integer(2, 4), draw.integer(1, 3), draw.integer(1, 6)
    grid = draw.rng.permutation(rows * features).reshape(rows, features) * 0.4 - 1.0
    weight = (grid + draw.values((rows, features), (-0.05, 0.05))).astype(dtype)
    indices = draw.rng.integers(0, rows, size=(length,)).astype(np.int64)
    mode = draw.choice(("sum", "mean", "max"))
    params = {"indices": indices, "offsets": _bags(draw, length), "mode": mode,
              "padding_idx": draw.choice((None, 0))}  # fmt: skip
    if mode != "sum":
        return Sample((weight,), params)
    return Sample((weight, values_for(record, draw, (length,), dtype)), params)


def embedding_bag_call(weight: Any, *psw: Any, indices: Any, offsets: Any, mode: str,
                       padding_idx: Any) -> Any:  # fmt: skip
    return F.embedding_bag(indices, weight, offsets, mode=mode, padding_idx=padding_idx,
                           per_sample_weights=psw[0] if psw else None)  # fmt: skip


def _members(indices: np.ndarray, offsets: np.ndarray, padding_idx: Any) -> list[list[int]]:
    """Each bag's entries (positions), padding entries left out."""
    ends = [*offsets[1:], len(indices)]
    return [[j for j in range(s, e) if padding_idx is None or indices[j] != padding_idx]
            for s, e in zip(offsets, ends)]  # fmt: skip


def embedding_bag_ref(xp: Any, weight: Any, *psw: Any, indices: Any, offsets: Any, mode: str,
                      padding_idx: Any) -> Any:  # fmt: skip
    indices, offsets = np.asarray(indices), np.asarray(offsets)
    out = []
    for mine in _members(indices, offsets, padding_idx):
        if not mine:
            out.append(xp.zeros((weight.shape[1],), dtype=weight.dtype))
            continue
        rows = weight[indices[mine]]
        if mode == "max":
            out.append(xp.max(rows, axis=0))
            continue
        if psw:
            rows = rows * psw[0][np.array(mine)][:, None]
        total = xp.sum(rows, axis=0)
        out.append(total / len(mine) if mode == "mean" else total)
    return xp.stack(out)


def _layout(draw: Any, dtype: str) -> tuple:
    """A sum-mode layout for the gradient records: weight, indices, bags, scale."""
    rows, features, length = draw.integer(2, 4), draw.integer(1, 3), draw.integer(1, 5)
    weight = draw.values((rows, features), (-2.0, 2.0)).astype(dtype)
    indices = draw.rng.integers(0, rows, size=(length,)).astype(np.int64)
    count = draw.integer(1, 3)
    bags = np.sort(draw.rng.integers(0, count, size=(length,))).astype(np.int64)
    scale = draw.values((length,), (0.5, 1.5)).astype(dtype)
    return weight, indices, bags, scale, count


def embedding_bag_backward(record: OpRecord, draw: Any, dtype: str) -> Sample:
    weight, indices, bags, scale, count = _layout(draw, dtype)
    g = draw.values((count, weight.shape[1]), (-2.0, 2.0)).astype(dtype)
    return Sample((g,), {"weight": weight, "indices": indices, "bags": bags, "scale": scale})


def embedding_bag_backward_call(g: Any, weight: Any, indices: Any, bags: Any, scale: Any) -> Any:
    return bag_ops._weight_grad(g, weight, None, indices, bags, scale, None, None, "sum")


def embedding_bag_backward_ref(xp: Any, g: Any, weight: Any, indices: Any, bags: Any,
                               scale: Any) -> Any:  # fmt: skip
    out = np.zeros(np.shape(weight))
    np.add.at(
        out, np.asarray(indices), np.asarray(g)[np.asarray(bags)] * np.asarray(scale)[:, None]
    )
    return xp.asarray(out, dtype=g.dtype)


def per_sample_weights_backward(record: OpRecord, draw: Any, dtype: str) -> Sample:
    weight, indices, bags, scale, count = _layout(draw, dtype)
    g = draw.values((count, weight.shape[1]), (-2.0, 2.0)).astype(dtype)
    return Sample((g, weight), {"indices": indices, "bags": bags, "scale": scale})


def per_sample_weights_backward_call(g: Any, weight: Any, indices: Any, bags: Any,
                                     scale: Any) -> Any:  # fmt: skip
    return bag_ops._per_sample_weights_grad(g, weight, None, indices, bags, scale, None, None,
                                            "sum")  # fmt: skip


def per_sample_weights_backward_ref(xp: Any, g: Any, weight: Any, indices: Any, bags: Any,
                                    scale: Any) -> Any:  # fmt: skip
    rows = weight[np.asarray(indices)] * g[np.asarray(bags)]
    return xp.sum(rows, axis=1) * scale


# -- multilabel_margin_loss --------------------------------------------------------------


def _labels(draw: Any, n: int, c: int) -> np.ndarray:
    """Per sample: a few classes (maybe repeated), then -1 and anything after it."""
    out = np.full((n, c), -1, dtype=np.int64)
    for i in range(n):
        k = draw.integer(0, c)
        out[i, :k] = draw.rng.integers(0, c, size=(k,))
        if k + 1 < c:
            out[i, k + 1 :] = draw.rng.integers(0, c, size=(c - k - 1,))
    return out


def multilabel_margin(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Scores on a grid of step 0.4 (plus noise under 0.05), so no ``1 - x[j] + x[i]`` is
    within 0.1 of the hinge's kink; (N, C) or (C,)."""
    n, c = draw.integer(1, 3), draw.integer(1, 4)
    grid = draw.rng.permutation(n * c).reshape(n, c) * 0.4 - 0.2 * n * c
    scores = (grid + draw.values((n, c), (-0.05, 0.05))).astype(dtype)
    target = _labels(draw, n, c)
    if draw.choice((False, True)):
        scores, target = scores[0], target[0]
    return Sample((scores,), {"target": target, "reduction": draw.choice(REDUCTIONS)})


def _counts(target: np.ndarray, c: int) -> np.ndarray:
    rows = np.asarray(target).reshape(-1, c)
    counts = np.zeros(rows.shape)
    for i, row in enumerate(rows):
        for v in row:
            if v == -1:
                break
            counts[i, v] += 1
    return counts


def multilabel_margin_ref(xp: Any, a: Any, target: Any, reduction: str) -> Any:
    c = a.shape[-1]
    counts = xp.asarray(_counts(target, c), dtype=a.dtype)
    x = xp.reshape(a, (-1, c))
    z = 1 - x[:, :, None] + x[:, None, :]
    others = xp.asarray(counts == 0, dtype=a.dtype)[:, None, :]
    losses = xp.sum(xp.maximum(z, 0) * counts[:, :, None] * others, axis=(1, 2)) / c
    if a.ndim < 2:
        losses = xp.reshape(losses, ())
    if reduction == "none":
        return losses
    return xp.mean(losses) if reduction == "mean" else xp.sum(losses)


def multilabel_margin_backward(record: OpRecord, draw: Any, dtype: str) -> Sample:
    sample = multilabel_margin(record, draw, dtype)
    (scores,) = sample.arrays
    target, reduction = sample.params["target"], sample.params["reduction"]
    shape = (scores.shape[0],) if reduction == "none" and scores.ndim == 2 else ()
    g = draw.values(shape, (-2.0, 2.0)).astype(dtype)
    return Sample((g, scores), {"target": target, "reduction": reduction})


def multilabel_margin_backward_call(g: Any, a: Any, target: Any, reduction: str) -> Any:
    c = a.shape[-1]
    counts = retrograd.tensor(_counts(target.numpy(), c), dtype=a.dtype, backend=a.backend)
    return mlm_ops.multilabel_margin_loss_backward(g, a, counts, reduction)


def multilabel_margin_backward_ref(xp: Any, g: Any, a: Any, target: Any, reduction: str) -> Any:
    c = a.shape[-1]
    counts = _counts(target, c)
    x = np.asarray(a).reshape(-1, c)
    z = 1 - x[:, :, None] + x[:, None, :]
    active = (z > 0) * counts[:, :, None] * (counts == 0)[:, None, :] / c
    n = x.shape[0]
    rows = np.reshape(g, (n, 1)) if reduction == "none" else np.full((n, 1), float(g))
    if reduction == "mean":
        rows = rows / n
    out = (active.sum(1) - active.sum(2)) * rows
    return xp.asarray(out.reshape(np.shape(a)), dtype=a.dtype)


# -- ctc_loss ----------------------------------------------------------------------------


def _needed(labels: list[int]) -> int:
    """The fewest steps that align ``labels``: one each, plus a blank between repeats."""
    return len(labels) + sum(a == b for a, b in zip(labels, labels[1:]))


def ctc(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """Scores ``(T, N, C)`` (log-softmaxed by the call), targets padded ``(N, S)`` that
    fit their input lengths, and a blank."""
    steps, n, c = draw.integer(2, 5), draw.integer(1, 2), draw.integer(3, 4)
    blank = draw.choice((0, c - 1))
    labels_of = [k for k in range(c) if k != blank]
    inputs, targets = [], []
    for _ in range(n):
        length = draw.integer(1, steps)
        size = draw.integer(0, max(0, (length + 1) // 2))
        labels = [labels_of[int(v)] for v in draw.rng.integers(0, len(labels_of), size=(size,))]
        while _needed(labels) > length:
            labels = labels[:-1]
        inputs.append(length)
        targets.append(labels)
    width = max(1, *(len(t) for t in targets))
    padded = np.full((n, width), labels_of[0], dtype=np.int64)
    for i, t in enumerate(targets):
        padded[i, : len(t)] = t
    scores = values_for(record, draw, (steps, n, c), dtype)
    lengths = np.array([len(t) for t in targets], dtype=np.int64)
    params = {"targets": padded, "input_lengths": tuple(inputs),
              "target_lengths": tuple(int(v) for v in lengths), "blank": blank}  # fmt: skip
    return Sample((scores,), params)


def ctc_call(x: Any, targets: Any, input_lengths: tuple, target_lengths: tuple,
             blank: int) -> Any:  # fmt: skip
    return F.ctc_loss(x.log_softmax(2), targets, input_lengths, target_lengths, blank,
                      reduction="none")  # fmt: skip


def _extended(labels: list[int], blank: int) -> list[int]:
    out = [blank]
    for v in labels:
        out += [v, blank]
    return out


def _alphas(xp: Any, y: Any, ext: list[int]) -> list:
    """The forward variables (probabilities) of one sample, per step: ``y`` ``(T, C)``."""
    width = len(ext)
    skip = np.array([s >= 2 and ext[s] != ext[s - 2] for s in range(width)])
    emit = y[:, np.array(ext)]
    start = np.zeros(width)
    start[: min(2, width)] = 1.0
    alpha = emit[0] * xp.asarray(start, dtype=y.dtype)
    out = [alpha]
    for t in range(1, y.shape[0]):
        zero = xp.zeros((1,), dtype=y.dtype)
        one = xp.concatenate([zero, alpha[:-1]])
        two = xp.concatenate([zero, zero, alpha[:-2]])[:width] * xp.asarray(skip, dtype=y.dtype)
        alpha = (alpha + one + two) * emit[t]
        out.append(alpha)
    return out


def ctc_ref(xp: Any, x: Any, targets: Any, input_lengths: tuple, target_lengths: tuple,
            blank: int) -> Any:  # fmt: skip
    targets = np.asarray(targets)
    lp = x - xp.log(xp.sum(xp.exp(x), axis=2, keepdims=True))
    losses = []
    for i, (steps, size) in enumerate(zip(input_lengths, target_lengths)):
        ext = _extended([int(v) for v in targets[i, :size]], blank)
        alpha = _alphas(xp, xp.exp(lp[:steps, i]), ext)[-1]
        tail = alpha[-1] + (alpha[-2] if len(ext) > 1 else 0.0)
        losses.append(-xp.log(tail))
    return xp.stack(losses)


def ctc_backward(record: OpRecord, draw: Any, dtype: str) -> Sample:
    sample = ctc(record, draw, dtype)
    (scores,) = sample.arrays
    lp = scores - np.log(np.exp(scores).sum(2, keepdims=True))
    g = draw.values((scores.shape[1],), (-2.0, 2.0)).astype(dtype)
    return Sample((g, lp.astype(dtype)), sample.params)


def ctc_backward_call(g: Any, lp: Any, targets: Any, input_lengths: tuple,
                      target_lengths: tuple, blank: int) -> Any:  # fmt: skip
    """The gradient record on the values the loss's node saves for it."""
    labels = [[int(v) for v in row[:n]] for row, n in zip(targets.tolist(), target_lengths)]
    leaf = lp.detach().requires_grad_()
    loss = ctc_ops.ctc_loss_op(leaf, labels, list(input_lengths), blank, False)
    _, alpha, beta, nll, ext, lengths, zero_infinity = loss.grad_fn._unpack()
    return ctc_ops.ctc_loss_backward(g, lp, alpha, beta, nll, ext, lengths, zero_infinity)


def ctc_backward_ref(xp: Any, g: Any, lp: Any, targets: Any, input_lengths: tuple,
                     target_lengths: tuple, blank: int) -> Any:  # fmt: skip
    """PyTorch's gradient: ``exp(lp) - gamma`` within each input length, times ``g``."""
    dtype = lp.dtype
    lp, g, targets = np.asarray(lp, dtype=np.float64), np.asarray(g), np.asarray(targets)
    out = np.zeros(lp.shape)
    for i, (steps, size) in enumerate(zip(input_lengths, target_lengths)):
        ext = _extended([int(v) for v in targets[i, :size]], blank)
        y = np.exp(lp[:steps, i])
        alphas = np.stack(_alphas(np, y, ext))
        betas = np.stack(_alphas(np, y[::-1], ext[::-1])[::-1])[:, ::-1]
        p = alphas[-1, -1] + (alphas[-1, -2] if len(ext) > 1 else 0.0)
        gamma = np.zeros((steps, lp.shape[2]))
        for s, label in enumerate(ext):
            gamma[:, label] += alphas[:, s] * betas[:, s] / y[:, label] / p
        out[:steps, i] = (y - gamma) * g[i]
    return xp.asarray(out, dtype=dtype)


# -- fractional max pooling --------------------------------------------------------------


def fractional(dims: int) -> Any:
    """Sample builder of ``fractional_max_pool{dims}d``: distinct values (a shuffled grid
    plus small noise, so no window's maximum is near a tie), a kernel, output sizes that
    fit, and the samples that fix the windows."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        lead = draw.choice(((1, 2), (2, 1)))
        kernel = tuple(draw.integer(1, 2) for _ in range(dims))
        # PyTorch's 3-d kernel wants out + k - 1 < n, its 2-d one out + k - 1 <= n
        strict = dims == 3
        spatial = tuple(k + draw.integer(int(strict), 3) for k in kernel)
        out = tuple(draw.integer(1, n - k + 1 - strict) for n, k in zip(spatial, kernel))
        shape = (*lead, *spatial)
        n = int(np.prod(shape))
        grid = draw.rng.permutation(n).reshape(shape) * 0.1
        x = (grid + draw.rng.uniform(-0.02, 0.02, size=shape)).astype(dtype)
        samples = draw.rng.uniform(0.0, 1.0, size=(*lead, dims)).astype(dtype)
        params = {"kernel_size": kernel, "output_size": out, "samples": samples}
        return Sample((x,), params)

    return build


def fractional_call(dims: int) -> Any:
    pool = F.fractional_max_pool2d if dims == 2 else F.fractional_max_pool3d

    def call(x: Any, kernel_size: tuple, output_size: tuple, samples: Any) -> Any:
        return pool(x, kernel_size, output_size, _random_samples=samples)

    return call


def fractional_ref(xp: Any, x: Any, kernel_size: tuple, output_size: tuple,
                   samples: Any) -> Any:  # fmt: skip
    """Each window's maximum, by slicing, the windows' starts computed on the host."""
    dims = len(kernel_size)
    dtype = retrograd.float32 if np.dtype(str(x.dtype).split(".")[-1]) == np.float32 else None
    samples = np.asarray(samples)
    order = [1, 0] if dims == 2 else [0, 1, 2]
    planes = []
    for b in range(x.shape[0]):
        rows = []
        for c in range(x.shape[1]):
            starts = [window_starts(float(samples[b, c, order[a]]), x.shape[2 + a],
                                    output_size[a], kernel_size[a], dtype)
                      for a in range(dims)]  # fmt: skip
            values = []
            for corner in np.ndindex(*output_size):
                key = tuple(slice(starts[a][i], starts[a][i] + kernel_size[a])
                            for a, i in enumerate(corner))  # fmt: skip
                values.append(xp.max(x[(b, c, *key)]))
            rows.append(xp.reshape(xp.stack(values), output_size))
        planes.append(xp.stack(rows))
    return xp.stack(planes)
