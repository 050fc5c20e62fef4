"""The implementations a workload runs on, found without importing what is not used.

Three kinds: ``numpy`` (the limit: forward and hand-derived backward in plain NumPy),
``autograd`` (retrograd on each usable backend, and PyTorch: one code path, since
``import retrograd as torch`` is the promise) and ``jax`` (``jax.vjp``, eager).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass, field
from typing import Any

from .env import limit_loaded_pools

NUMPY = "numpy (limit)"
TORCH = "torch"
JAX = "jax.vjp"


@dataclass
class Impl:
    """One row of the table: a library (and a retrograd backend) to run a workload on."""

    name: str
    kind: str  # "numpy" | "autograd" | "jax"
    module: str
    backend: str | None = None
    lib: Any = field(default=None, repr=False)

    def load(self) -> Impl:
        """Import the library (once), pin its threads, select the retrograd backend."""
        if self.lib is None:
            self.lib = importlib.import_module(self.module)
            limit_loaded_pools()
        self.activate()
        return self

    def activate(self) -> None:
        """Make this row's backend the default (retrograd factories follow it)."""
        if self.backend is not None:
            self.lib.set_default_backend(self.backend)

    def to_numpy(self, value: Any) -> Any:
        import numpy as np

        if self.kind in ("autograd", "compiled") and hasattr(value, "detach"):
            return np.asarray(value.detach().numpy(), dtype=np.float64)
        return np.asarray(value, dtype=np.float64)

    def block(self, outputs: dict[str, Any]) -> dict[str, Any]:
        """Wait until an asynchronous backend has computed ``outputs``; return them.

        JAX (and CuPy) dispatch asynchronously: a step timed without this would time
        the dispatch, not the work. retrograd has no public ``synchronize`` yet, so its
        tensors are waited on through their storage's array.
        """
        if self.kind == "jax":
            return self.lib.block_until_ready(outputs)
        if self.backend not in (None, "numpy"):
            for value in outputs.values():
                _wait(getattr(getattr(value, "_storage", None), "array", None))
        return outputs


def _wait(array: Any) -> None:
    if hasattr(array, "block_until_ready"):
        array.block_until_ready()
    elif type(array).__module__.startswith("cupy"):
        sys.modules["cupy"].cuda.get_current_stream().synchronize()


def _retrograd_rows(notes: list[str]) -> list[Impl]:
    import retrograd

    rows = []
    for info in retrograd.backends():
        if info.usable:
            rows.append(Impl(f"retrograd[{info.name}]", "autograd", "retrograd", info.name))
        else:
            notes.append(f"retrograd[{info.name}] installed but unusable here: {info.reason}")
    return rows


def discover(notes: list[str]) -> list[Impl]:
    """Every implementation installed here, the NumPy limit first; skips go to ``notes``."""
    from .compiled import rows as compiled_rows  # the workloads' compiled builders too

    rows = [Impl(NUMPY, "numpy", "numpy"), *_retrograd_rows(notes), *compiled_rows(notes)]
    for name, kind, module in ((TORCH, "autograd", "torch"), (JAX, "jax", "jax")):
        if importlib.util.find_spec(module) is not None:
            rows.append(Impl(name, kind, module))
        else:
            notes.append(f"{name}: not installed (pip install {module}); its rows are skipped")
    return rows


def find(name: str) -> Impl:
    """The implementation called ``name`` (used by the memory children)."""
    for impl in discover([]):
        if impl.name == name:
            return impl
    raise SystemExit(f"bench: no implementation named {name!r} is installed here")
