"""``einsum``: Einstein summation, composed of recorded ops (no record of its own).

Each operand's repeated labels become diagonals, labels no later step needs are summed
away, then operands are contracted pairwise, left to right, as one batched ``matmul``
each (batch labels, kept labels, contracted labels), and the result is permuted into the
output's order. ``...`` stands for the broadcast dimensions, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from ..creation import arange
from ..tensor import Tensor
from .helpers import check_tensor
from .record import composite

_ELLIPSIS_LABELS = [chr(0x2460 + i) for i in range(32)]  # private labels for ``...`` sides
_ELLIPSIS_SET = frozenset(_ELLIPSIS_LABELS)


def _split_equation(equation: str, count: int) -> tuple[list[str], str | None]:
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != count:
        more = "more" if count > len(inputs) else "fewer"
        raise RuntimeError(
            f"einsum(): {more} operands were provided than specified in the equation"
        )
    return inputs, (rhs if arrow else None)


def _labels(term: str, ndim: int, index: int) -> list[str]:
    """A term's labels, ``...`` expanded to one private label per broadcast side."""
    letters = term.replace("...", "")
    if not all(c.isalpha() for c in letters):
        raise RuntimeError(f"einsum(): invalid subscript given at index {index} in the equation")
    if "..." not in term:
        if len(letters) != ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(letters)}) does not "
                f"match the number of dimensions ({ndim}) for operand {index} and no ellipsis "
                "was given"
            )
        return list(term)
    before, _, after = term.partition("...")
    extra = ndim - len(letters)
    return list(before) + _ELLIPSIS_LABELS[32 - extra :] + list(after)


def _output(rhs: str | None, inputs: list[list[str]]) -> list[str]:
    counts: dict[str, int] = {}
    for labels in inputs:
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
    dots = sorted((lb for lb in counts if lb in _ELLIPSIS_LABELS), key=_ELLIPSIS_LABELS.index)
    if rhs is None:  # implicit: the broadcast sides, then the labels seen once, sorted
        return dots + sorted(lb for lb, n in counts.items() if n == 1 and lb.isalpha())
    out = rhs.replace("...", "".join(dots)) if "..." in rhs else rhs
    for label in out:
        if label not in counts:
            raise RuntimeError(
                f"einsum(): output subscript {label} does not appear in the "
                "equation for any input operand"
            )
    return list(out)


def _label_sizes(tensors: list[Tensor], labels: list[list[str]]) -> dict[str, int]:
    """Each label's size, checked operand by operand as PyTorch checks it: a label
    repeated in one operand has one size there; across operands a size broadcasts with 1
    (the dims ``...`` covers too, aligned to the right)."""
    sizes: dict[str, int] = {}
    for i, (t, lbs) in enumerate(zip(tensors, labels, strict=True)):
        seen: dict[str, int] = {}
        for label, n in zip(lbs, t.shape, strict=True):
            if label in seen:
                if n != seen[label]:
                    raise RuntimeError(
                        f"einsum(): subscript {label} is repeated for operand {i} but the "
                        f"sizes don't match, {n} != {seen[label]}"
                    )
                continue
            seen[label] = before = sizes.setdefault(label, n)
            if before == 1:
                sizes[label] = n
            elif n not in (1, before):
                raise RuntimeError(_no_broadcast(label, n, i, before, lbs))
    return sizes


def _no_broadcast(label: str, n: int, i: int, before: int, labels: list[str]) -> str:
    if label in _ELLIPSIS_SET:  # sic: PyTorch's message has no space before "has"
        dim = labels.index(label)  # the operand's dim
        return (
            f"einsum(): dimension {dim} covered by ellipsis in operand {i}has size {n} which "
            f"does not broadcast with previously seen ellipsis with size {before} for the "
            "respective dimension"
        )
    return (
        f"einsum(): subscript {label} has size {n} for operand {i} which does not broadcast "
        f"with previously seen size {before}"
    )


def _broadcast(t: Tensor, labels: list[str], sizes: dict[str, int]) -> Tensor:
    """``t`` with its dims of size 1 expanded to their label's size (a view)."""
    shape = tuple(sizes[lb] for lb in labels)
    return t if shape == tuple(t.shape) else t.expand(shape)


def _diagonal(t: Tensor, labels: list[str]) -> tuple[Tensor, list[str]]:
    """Take the diagonal over each repeated label, which then appears once (last)."""
    for label in dict.fromkeys(labels):
        while labels.count(label) > 1:
            first = labels.index(label)
            second = labels.index(label, first + 1)
            moved = t.movedim((first, second), (-2, -1))
            n = moved.shape[-1]
            ar = arange(n, backend=t.backend)
            t = moved[..., ar, ar]
            labels = [lb for i, lb in enumerate(labels) if i not in (first, second)] + [label]
    return t, labels


def _sum_unneeded(t: Tensor, labels: list[str], needed: set) -> tuple[Tensor, list[str]]:
    dims = tuple(i for i, lb in enumerate(labels) if lb not in needed)
    if not dims:
        return t, labels
    return t.sum(dims), [lb for lb in labels if lb in needed]


def _sizes(t: Tensor, labels: list[str], wanted: list[str]) -> list[int]:
    return [t.shape[labels.index(lb)] for lb in wanted]


def _product(n: list[int]) -> int:
    out = 1
    for s in n:
        out *= s
    return out


def _contract(a: Tensor, la: list[str], b: Tensor, lb: list[str], keep: set):
    """The product of ``a`` and ``b`` summed over their shared labels not in ``keep``."""
    batch = [x for x in la if x in lb and x in keep]
    summed = [x for x in la if x in lb and x not in keep]
    left = [x for x in la if x not in lb]
    right = [x for x in lb if x not in la]
    a3 = a.permute([la.index(x) for x in batch + left + summed])
    b3 = b.permute([lb.index(x) for x in batch + summed + right])
    ka = _sizes(a, la, summed)  # b's are the same: see _label_sizes and _broadcast
    nb = len(batch)
    a3 = a3.reshape(*a3.shape[:nb], _product(_sizes(a, la, left)), _product(ka))
    b3 = b3.reshape(*b3.shape[:nb], _product(ka), _product(_sizes(b, lb, right)))
    out = a3 @ b3
    shape = (*out.shape[:nb], *_sizes(a, la, left), *_sizes(b, lb, right))
    return out.reshape(shape), batch + left + right


@composite(method=False)  # no Tensor.einsum in PyTorch
def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation over ``operands`` as ``equation`` says (``"ij,jk->ik"``)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [check_tensor("einsum", t, f"operands[{i}]") for i, t in enumerate(operands)]
    terms, rhs = _split_equation(equation, len(tensors))
    labels = [_labels(term, t.dim(), i) for i, (term, t) in enumerate(zip(terms, tensors))]
    output = _output(rhs, labels)
    sizes = _label_sizes(tensors, labels)
    tensors = [_broadcast(t, lbs, sizes) for t, lbs in zip(tensors, labels, strict=True)]
    steps = [_diagonal(t, lbs) for t, lbs in zip(tensors, labels)]
    t, lbs = steps[0]
    for i, (u, lu) in enumerate(steps[1:]):
        keep = set(output).union(*(set(later) for _, later in steps[i + 2 :]))
        t, lbs = _sum_unneeded(t, lbs, keep | set(lu))
        u, lu = _sum_unneeded(u, lu, keep | set(lbs))
        t, lbs = _contract(t, lbs, u, lu, keep)
    t, lbs = _sum_unneeded(t, lbs, set(output))
    order = [lbs.index(x) for x in output]
    unchanged = order == list(range(len(order))) and all(t is not x for x in tensors)
    return t if unchanged else t.permute(order)  # a view, never an operand itself


FUNCTIONS = {"einsum": einsum}
