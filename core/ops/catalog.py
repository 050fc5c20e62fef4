"""The op catalog: ``docs/ops.md``, rendered from the op records and public functions.

Run ``python -m retrograd.ops.catalog > docs/ops.md`` after adding or changing an op;
``tests/test_ops_surface.py`` fails while the page is stale.
"""

from __future__ import annotations

import math
import sys

from ..nn import functional
from ..tensor import Tensor
from . import FUNCTIONS, METHODS, MODULES, RECORDS
from .record import OpRecord

HEADER = """# Ops

Every op retrograd records, one row per op record (one PyTorch overload each), grouped by
kind. Generated from the records by `python -m retrograd.ops.catalog > docs/ops.md`; do
not edit by hand (a test fails when this page is stale). The conformance suite checks
each record on every backend: forward values, gradients, second order where marked, and
the gradient at each listed kink. The module column names the file that defines the
record (under `core/`, the package `retrograd`); the surface column, the public forms of
its PyTorch name (`retrograd.<name>` unprefixed, `F.` for `retrograd.nn.functional`).
"""


def _interval(domain: tuple[float, float]) -> str:
    lo, hi = domain
    if math.isinf(lo) and math.isinf(hi):
        return "all reals"
    return f"({'-inf' if math.isinf(lo) else f'{lo:g}'}, {'inf' if math.isinf(hi) else f'{hi:g}'})"


def _defining_modules() -> dict[int, str]:
    """Each record's defining file, by record identity: ``ops/elementwise.py``."""
    return {
        id(r): "ops/" + m.__name__.rpartition(".")[2] + ".py"
        for m in MODULES
        for r in getattr(m, "RECORDS", ())
    }


def _surface(r: OpRecord) -> str:
    """Where the record's public name appears: function, method, in-place method."""
    found = [f"{prefix}{name}" for prefix, name, present in (
        ("", r.public, r.public in FUNCTIONS),
        ("F.", r.public, r.public in functional.__all__ and r.public not in FUNCTIONS),
        ("Tensor.", r.public, hasattr(Tensor, r.public)),
        ("Tensor.", r.public + "_", hasattr(Tensor, r.public + "_")),
    ) if present]  # fmt: skip
    return ", ".join(f"`{name}`" for name in found) or "-"


def _row(r: OpRecord, module: str) -> str:
    kinks = ", ".join(f"{k:g}" for k in r.kinks) or "-"
    second = "yes" if r.grad_fn and r.smooth else "-"
    node = f"`{r.grad_fn}`" if r.grad_fn else "not differentiable"
    cells = [f"`{r.name}`", f"`{module}`", _surface(r), node, f"`{r.kernel}`",
             ", ".join(r.inputs), _interval(r.domain), kinks, second,
             r.doc.replace("|", "\\|") or "-"]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def _records_section() -> list[str]:
    lines = []
    modules = _defining_modules()
    kinds = sorted({r.kind for r in RECORDS})
    for kind in kinds:
        lines += ["", f"## {kind}", ""]
        lines.append("| record | module | surface | grad_fn | kernel | inputs | domain | kinks | "
                     "2nd order | convention |")  # fmt: skip
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        ordered = sorted(RECORDS, key=lambda r: r.name)
        lines += [_row(r, modules[id(r)]) for r in ordered if r.kind == kind]
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
