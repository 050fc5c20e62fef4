"""``retrograd.compile.explain(fn, *args)``: what compiling ``fn`` records, and why not.

It compiles ``fn`` afresh, calls it once with ``args`` (so the step runs once, eagerly,
exactly as a first compiled call would) and reports the guards, the graph break if any,
and how many of each kernel a replay calls, like ``torch._dynamo.explain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .api import CompiledFunction
from .capture import capture, flatten_call


@dataclass
class ExplainOutput:
    """``graph_count`` recordings (0 or 1), ``graph_break_count`` and its
    ``break_reasons``, ``guards`` (one line each), ``kernel_counts``, ``ops_per_graph``
    (kernel calls per replay), ``hoisted_counts`` (calls made once, at capture: constant
    buffers a replay reads) and the generated replay ``source``."""

    graph_count: int
    graph_break_count: int
    break_reasons: list[str] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)
    kernel_counts: dict[str, int] = field(default_factory=dict)
    source: str = ""
    hoisted_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ops_per_graph(self) -> int:
        return sum(self.kernel_counts.values())

    def __str__(self) -> str:
        lines = [f"Graph Count: {self.graph_count}",
                 f"Graph Break Count: {self.graph_break_count}",
                 f"Kernel calls per replay: {self.ops_per_graph}", "Break Reasons:"]  # fmt: skip
        lines += [f"  {r}" for r in self.break_reasons] or ["  (none)"]
        lines += ["Kernels:"] + [f"  {k}: {n}" for k, n in sorted(self.kernel_counts.items())]
        if self.hoisted_counts:
            lines += ["Hoisted (run once, at capture):"]
            lines += [f"  {k}: {n}" for k, n in sorted(self.hoisted_counts.items())]
        lines += ["Guards:"] + [f"  {g}" for g in self.guards]
        return "\n".join(lines)


def explain(fn: Any, *args: Any, **kwargs: Any) -> ExplainOutput:
    """Capture ``fn(*args, **kwargs)`` once (it runs) and report what was recorded."""
    target = fn.fn if isinstance(fn, CompiledFunction) else fn
    flat, _ = flatten_call(args, kwargs)
    _, entry = capture(target, args, kwargs, flat, fullgraph=False)
    breaks = [entry.reason] if entry.reason is not None and entry.keep else []
    if not entry.keep:
        breaks = [f"not replayable as recorded: {entry.reason}; a second call records again"]
    return ExplainOutput(
        graph_count=0 if breaks else 1,
        graph_break_count=len(breaks),
        break_reasons=breaks,
        guards=entry.guard_lines,
        kernel_counts=entry.kernel_counts,
        source=entry.source,
        hoisted_counts=entry.hoisted,
    )
