"""Resident memory, read from /proc, and the fresh processes that measure it.

tracemalloc neither sees PyTorch's or XLA's allocations nor survives a million-op chain,
so memory is RSS: :class:`Meter` takes the current RSS as its baseline and resets the
kernel's high-water mark (``/proc/self/clear_refs``), so its peak is this workload's
alone. Each measurement runs in a fresh ``python -m bench.child`` process, so nothing
earlier in the run (other libraries, their caches) is counted.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

from .env import CHILD_MALLOC

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1 << 20


def current_rss() -> int:
    """Resident bytes now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def _peak_rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Meter:
    """RSS growth from the moment it is made: now, and at the peak since."""

    def __init__(self) -> None:
        self.exact = _reset_peak()  # else the peak may predate the baseline
        self.base = current_rss()

    def now_bytes(self) -> int:
        return current_rss() - self.base

    def peak_bytes(self) -> int:
        return max(0, _peak_rss() - self.base)


def run_child(key: str, impl: str, mode: str, timeout: float = 240) -> dict[str, Any]:
    """Run ``python -m bench.child KEY IMPL MODE`` in a fresh process; its JSON result."""
    env = {**os.environ, **CHILD_MALLOC}
    cmd = [sys.executable, "-m", "bench.child", key, impl, mode]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}
    return json.loads(proc.stdout.strip().splitlines()[-1])
