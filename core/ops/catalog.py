"""The op catalog: ``docs/ops.md``, rendered from the op records and public functions.

Run ``python -m retrograd.ops.catalog > docs/ops.md`` after adding or changing an op;
``tests/test_ops_surface.py`` fails while the page is stale.
"""

from __future__ import annotations

import math
import sys

from ..nn import functional
from . import FUNCTIONS, METHODS, RECORDS
from .record import OpRecord

HEADER = """# Ops

Every op retrograd records, one row per op record (one PyTorch overload each), grouped by
kind. Generated from the records by `python -m retrograd.ops.catalog > docs/ops.md`; do
not edit by hand (a test fails when this page is stale). The conformance suite checks
each record on every backend: forward values, gradients, second order where marked, and
the gradient at each listed kink.
"""


def _interval(domain: tuple[float, float]) -> str:
    lo, hi = domain
    if math.isinf(lo) and math.isinf(hi):
        return "all reals"
    return f"({'-inf' if math.isinf(lo) else f'{lo:g}'}, {'inf' if math.isinf(hi) else f'{hi:g}'})"


def _row(r: OpRecord) -> str:
    kinks = ", ".join(f"{k:g}" for k in r.kinks) or "-"
    second = "yes" if r.grad_fn and r.smooth else "-"
    cells = [f"`{r.name}`", f"`{r.grad_fn}`" if r.grad_fn else "not differentiable",
             f"`{r.kernel}`", ", ".join(r.inputs), _interval(r.domain), kinks, second,
             r.doc.replace("|", "\\|") or "-"]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def _records_section() -> list[str]:
    lines = []
    kinds = sorted({r.kind for r in RECORDS})
    for kind in kinds:
        lines += ["", f"## {kind}", ""]
        lines.append("| record | grad_fn | kernel | inputs | domain | kinks | 2nd order | "
                     "convention |")  # fmt: skip
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        lines += [_row(r) for r in sorted(RECORDS, key=lambda r: r.name) if r.kind == kind]
    return lines


def _names(title: str, names: list[str], prefix: str) -> list[str]:
    shown = ", ".join(f"`{prefix}{n}`" for n in sorted(names))
    return ["", f"## {title}", "", shown]


def render() -> str:
    """The markdown of ``docs/ops.md``."""
    lines = HEADER.rstrip("\n").split("\n")
    lines += _records_section()
    lines += _names("Functions", list(FUNCTIONS), "retrograd.")
    lines += _names("Methods that are not functions", list(METHODS), "Tensor.")
    lines += _names("retrograd.nn.functional", list(functional.__all__), "F.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
