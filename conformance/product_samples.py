"""Samples of ``retrograd/ops/products_more.py``'s ``beta * self + alpha * product`` ops and
of ``dist`` (``retrograd/ops/statistics_more.py``)."""

from __future__ import annotations

from typing import Any

from retrograd.ops.record import OpRecord

from .samples import Builder, Sample, values_for


def add_product(signature: str) -> Builder:
    """A builder for ``op(self, x, y, beta=, alpha=)`` whose operands have the shapes of
    ``signature`` (``"self,x,y"``, one letter a side: the same letter, the same size)."""

    def build(record: OpRecord, draw: Any, dtype: str) -> Sample:
        sides: dict[str, int] = {}
        shapes = [
            tuple(sides.setdefault(c, draw.integer(1, 4)) for c in part)
            for part in signature.split(",")
        ]
        arrays = tuple(values_for(record, draw, shape, dtype) for shape in shapes)
        params = {"beta": draw.choice((1, 0.5, -2.0)), "alpha": draw.choice((1, 2.0, -0.5))}
        return Sample(arrays, params)

    return build


def dist(record: OpRecord, draw: Any, dtype: str) -> Sample:
    """``dist(a, b, p)``: two broadcastable tensors and a p (> 1: smooth where a != b)."""
    shape_a, shape_b = draw.broadcast(2)
    arrays = (values_for(record, draw, shape_a, dtype), values_for(record, draw, shape_b, dtype))
    return Sample(arrays, {"p": draw.choice((2, 3, 1.5))})
