"""``retrograd.compile``: capture a step's kernel calls once, replay them without Python
objects per op.

One concept per module: :mod:`.api` (the ``torch.compile`` signature and the cache),
:mod:`.capture` (one recording and its effects), :mod:`.recorder` (the kernel-table
plugin), :mod:`.program` (what is recorded), :mod:`.values` (scalars computed from data),
:mod:`.sources` (what the step reaches from outside), :mod:`.guards`, :mod:`.optimize`
(repeated calls and constant buffers), :mod:`.codegen`
(the generated replay), :mod:`.outputs` (the result rebuilt), :mod:`.breaks` (graph
breaks and counters) and :mod:`.explain`. ``docs/compile.md`` is the user's guide.
"""

from __future__ import annotations

from .api import CompiledFunction, InvalidBackend, compile
from .breaks import Unsupported, counters, reset_counters
from .explain import ExplainOutput, explain

# ``retrograd.compile.explain(fn, *args)`` as the issue spells it; the counters too.
compile.explain = explain  # type: ignore[attr-defined]
compile.counters = counters
compile.reset_counters = reset_counters

__all__ = [
    "CompiledFunction",
    "ExplainOutput",
    "InvalidBackend",
    "Unsupported",
    "compile",
    "counters",
    "explain",
    "reset_counters",
]
