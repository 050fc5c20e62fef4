"""``python -m bench.child KEY IMPL MODE``: one memory measurement in a fresh process.

Prints one JSON line. Mode ``peak`` (every timed workload) runs two warm-up steps, then
reports the peak RSS growth of one more step; other modes are the workload's children.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import impls
from .env import freeze_heap
from .memory import MB, Meter
from .timing import WARM_UP_STEPS
from .workload import Workload
from .workloads import BY_KEY


def peak_child(workload: Workload, impl: Any) -> dict[str, Any]:
    step = workload.builders[impl.kind](impl, workload.setup(False))
    for _ in range(WARM_UP_STEPS):  # lazy imports, kernel caches, first-call allocations
        step()
    meter = Meter()
    step()
    return {"peak_mb": meter.peak_bytes() / MB, "exact": meter.exact}


def main(argv: list[str]) -> None:
    key, name, mode = argv
    workload = BY_KEY[key]
    impl = impls.find(name).load()
    freeze_heap()
    child = workload.children.get(mode) or (lambda impl: peak_child(workload, impl))
    print(json.dumps(child(impl)))


if __name__ == "__main__":
    main(sys.argv[1:])
