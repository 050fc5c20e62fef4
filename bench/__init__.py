"""retrograd's benchmark suite: W1-W6 against the NumPy limit, PyTorch and jax.vjp.

Run ``python -m bench`` (or ``python bench/run.py``); see ``docs/performance.md``.
Importing this package pins every BLAS/OpenMP/XLA pool to one thread, so it must be
imported before NumPy (the entry points do).
"""

from .env import pin_threads

pin_threads()
