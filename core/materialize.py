"""``retrograd.materialize``: compute several tensors in one pass and cut their graphs.

On a lazy backend (Dask) a tensor is a recipe; every read (``item()``, ``numpy()``,
printing) computes its recipe from the start, and a parameter updated step after step
under ``no_grad`` holds a recipe that grows with every step. :func:`materialize` computes
the given tensors together (shared parts once: the loss and all gradients of a step are
one pass) and rebinds each tensor's storage to the computed result, so later reads and
later steps start from there. It does not touch autograd graphs: ``grad_fn``, saved
tensors and version counters are unchanged (the values are the same).

On an eager backend (NumPy, CuPy) the values are already there: a no-op. On JAX it waits
until the arrays are ready (``block_until_ready``).
"""

from __future__ import annotations

from typing import Any

from .tensor import Tensor


def _owner(storage: Any) -> Any:
    """The storage that holds the memory: a view's root (an immutable backend's view
    re-derives from its root), else the storage itself."""
    return getattr(storage, "root", storage)


def materialize(*tensors: Tensor) -> None:
    """Compute ``tensors`` in one pass per backend and cut their recipes (see the
    module's docstring); tensors of several backends are grouped by backend."""
    groups: dict[int, tuple[Any, dict[int, Any]]] = {}
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"materialize(): expected Tensors, got {type(t).__name__}")
        backend, owner = t._backend, _owner(t._storage)
        groups.setdefault(id(backend), (backend, {}))[1].setdefault(id(owner), owner)
    for backend, owners in groups.values():
        kernel = backend.kernels.get("materialize")
        if kernel is None:
            continue  # an eager backend: nothing to compute
        storages = list(owners.values())
        for storage, array in zip(storages, kernel([s.array for s in storages])):
            if array is not storage.array:
                storage.array = array


FUNCTIONS = {"materialize": materialize}
