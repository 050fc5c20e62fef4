"""The run's environment: threads pinned to one, and the header that says so.

:func:`pin_threads` must run before NumPy, PyTorch or JAX is imported (``bench/__init__``
calls it first thing); :func:`header` describes what the run actually got, read back
from the loaded libraries with threadpoolctl where it is installed.
"""

from __future__ import annotations

import datetime
import gc
import os
import platform
import sys

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Read and printed, never changed: the machine sets them for old OpenBLAS builds.
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
# Memory children use a fixed mmap threshold so freed arrays go back to the OS at once
# (glibc's dynamic threshold would keep freed activations in the heap and blur "after").
CHILD_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "131072"}


def pin_threads() -> None:
    """One thread for every BLAS/OpenMP/XLA pool; call before importing array libraries."""
    for var in THREAD_VARS:
        os.environ[var] = "1"
    flags = os.environ.get("XLA_FLAGS", "")
    if "intra_op_parallelism_threads" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {XLA_ONE_THREAD}".strip()


def limit_loaded_pools() -> None:
    """Pin pools of libraries already loaded (PyTorch's own, and any threadpoolctl sees)."""
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1)


def freeze_heap() -> None:
    """Move every object alive now out of the cycle collector's sight (``gc.freeze``).

    Without it, each full collection rescans the loaded libraries' objects (PyTorch and
    JAX bring ~200,000), so the per-op cost of a library that allocates Python objects
    per op, as retrograd does, would depend on which other libraries this run imported
    (measured: 5 -> 14 µs/op). The workloads' own objects are still collected as usual.
    """
    gc.collect()
    gc.freeze()


def _pools() -> list[str]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed: BLAS pools not read back (pip install threadpoolctl)"]
    return [
        f"{p.get('internal_api')} {p.get('version') or ''} ({p.get('prefix')}, "
        f"{p.get('architecture') or p.get('threading_layer') or '-'}): "
        f"{p.get('num_threads')} thread(s)"
        for p in threadpool_info()
    ]


def _versions() -> str:
    names = ("retrograd", "numpy", "torch", "jax")
    found = [f"{n} {sys.modules[n].__version__}" for n in names if n in sys.modules]
    return ", ".join(found)


def header(command: str) -> list[str]:
    """Markdown lines: date, machine, versions, thread settings, BLAS pools."""
    torch = sys.modules.get("torch")
    lines = [
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- command: `{command}`",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"- python {platform.python_version()}; {_versions()}",
        "- threads: "
        + ", ".join(f"{v}={os.environ.get(v)}" for v in THREAD_VARS)
        + (f", torch.get_num_threads()={torch.get_num_threads()}" if torch else ""),
        f"- XLA_FLAGS={os.environ.get('XLA_FLAGS')!r}",
        "- "
        + ", ".join(f"{v}={os.environ.get(v, '(unset)')}" for v in OPENBLAS_VARS)
        + " (not changed by the benchmark)",
        "- gc.freeze() once libraries are loaded (see bench/env.py: freeze_heap)",
        "- memory children: " + " ".join(f"{k}={v}" for k, v in CHILD_MALLOC.items()),
    ]
    lines += [f"- pool: {p}" for p in _pools()]
    return lines
