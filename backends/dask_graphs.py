"""Computing Dask graphs without Dask's renaming of fused task chains.

Dask's low-level optimization fuses each linear chain of tasks into one task and renames
it after the chain. A name longer than 115 characters is cut there and suffixed with
four hex digits of Python's (per-process randomized) ``hash`` of the full name, so two
different chains whose names agree in their first 115 characters get the same key about
once in 4,096 to 65,536 pairs, and the graph keeps only one of them: the other chain's
consumers silently read its values (dask/dask#9964 and #12164, open in Dask 2026.8).
The graphs retrograd builds are long chains of ``getitem``/``rechunk``/``reshape``
steps whose names share such prefixes, tens of thousands of tasks for one convolution's
backward: a wrong sum, different from run to run, was seen in the conformance suite.

Every compute retrograd starts, and every graph it builds through ``dask.delayed`` (which
optimizes its inputs when it is called), runs inside :func:`unfused`. Blockwise fusion,
which keeps the output layer's name, stays on.
"""

from __future__ import annotations

from typing import Any


def unfused() -> Any:
    """A context in which Dask optimizes graphs without low-level (linear) fusion."""
    import dask

    return dask.config.set({"optimization.fuse.active": False})
