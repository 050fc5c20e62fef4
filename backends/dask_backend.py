"""The Dask backend: the generic kernels over ``dask.array``, lazy and chunked.

Registered through the entry point ``dask = "retrograd_backends.dask_backend"`` in the
``retrograd`` group; ``pip install 'retrograd[dask]'`` installs Dask and
``dask.distributed``. Importing retrograd does not import Dask: :func:`load` does.

A Dask array is a recipe (a task graph over chunks), so the backend declares itself
``lazy``: recording ops and running backward build graphs and compute nothing. Values
are computed where PyTorch's API hands them to Python (``item``, ``tolist``, ``numpy``,
printing, ``bool(t)``), by ``retrograd.materialize`` (which computes many tensors in one
pass and cuts their graphs, with ``dask.persist``), and where an op's result shape
depends on values (``nonzero``, ``masked_select``, indexing with a mask: the count is
computed when the op is called). Computations run on Dask's current scheduler: the
threads of this process, or a ``dask.distributed`` cluster once a ``Client`` exists.

What differs from the generic layer, and why:

- immutability: ``assign`` returns a new array (the core rebinds it), ``setitem`` and
  ``index_add`` build new arrays (:mod:`retrograd_backends.dask_indexing`), views alias
  through ``retrograd.storage.DerivedStorage`` (``mutable=False``);
- ``checked`` attaches value checks (index bounds, integer division by zero, ...) to its
  array: they run, and raise PyTorch's error, when that array is computed;
- ``to_numpy``/``tolist`` compute, without NumPy's IEEE warnings (PyTorch gives none);
- every compute runs without Dask's low-level fusion, whose renamed keys can collide and
  silently swap two chains' values (:mod:`retrograd_backends.dask_graphs`);
- ``rechunk`` (factories' ``chunks=``), ``materialize`` and ``count_computes`` are the
  kernels of a lazy backend (see ``retrograd_backends.kernel_contract``);
- the linear-algebra kernels (``linalg_inv``, ``linalg_svd``, ...) are NumPy's, mapped
  over chunks holding whole matrices (``retrograd_backends.linalg_kernels.per_matrix``):
  Dask's own ``linalg`` lacks most of them and cannot report a singular matrix;
- the special functions (``lgamma``, ``zeta``, ``erfinv``, ``i0``...) are NumPy's,
  mapped over the chunks (one task per chunk, where the generic series would be dozens):
  ``retrograd_backends.special_kernels.chunked_kernels``;
- ``eye`` compares a row and a column ``arange`` instead of calling ``da.eye``, which
  declares its first row block's size as the block size of both dims: a non-square eye
  ((2, 3)) then names blocks it never builds and fails with "Missing dependency" when
  computed, and an eye with 0 rows divides by zero.
"""

from __future__ import annotations

import contextlib
import importlib.util
import warnings
from collections.abc import Iterator
from typing import Any

from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl

from .dask_graphs import unfused

ARRAY_TYPE = "dask.array.core.Array"


def probe() -> str | None:
    """Why the backend cannot run here, or None; never imports Dask."""
    if importlib.util.find_spec("dask") is None:
        return "Dask is not installed (pip install 'retrograd[dask]')"
    return None


def _computing(dask: Any, np: Any) -> dict[str, Any]:
    """The kernels that compute: values for the host, and many arrays in one pass."""

    def to_numpy(a: Any) -> Any:
        with warnings.catch_warnings():  # NumPy's IEEE warnings, from Dask's threads
            warnings.simplefilter("ignore", RuntimeWarning)
            if not hasattr(a, "compute"):
                return np.asarray(a)
            with unfused():
                return np.asarray(a.compute())

    @contextlib.contextmanager
    def count_computes() -> Iterator[list[int]]:
        """A list whose length is the number of computes started inside the block."""
        from dask.callbacks import Callback

        started: list[int] = []
        with Callback(start=lambda dsk: started.append(1)):
            yield started

    def materialize(arrays: list[Any]) -> list[Any]:
        """The arrays computed (in one pass) and held in memory, where they live: this
        process, or a cluster's workers. On a cluster, waits for them, and raises a task's
        error (a killed worker's ``KilledWorker`` included) as the scheduler gives it."""
        with unfused():
            done = dask.persist(*arrays)
        futures = _futures_of(done)
        if futures:
            from distributed import wait

            wait(futures)
            for future in futures:
                if future.status == "error":
                    future.result()  # raises the task's error, unchanged
        return list(done)

    return {
        "to_numpy": to_numpy,
        "tolist": lambda a: to_numpy(a).tolist(),
        "materialize": materialize,
        "count_computes": count_computes,
    }


def _futures_of(collections: Any) -> list[Any]:
    """The distributed futures behind persisted collections (none without a cluster)."""
    if importlib.util.find_spec("distributed") is None:
        return []
    from distributed import futures_of

    return futures_of(collections)


def _checked(da: Any, np: Any) -> Any:
    def checked(value: Any, check: Any, *operands: Any) -> Any:
        """``value`` with ``check(*operands)`` run when it is computed (one task per
        chunk depends on the 0-d operands, so the check runs before any chunk is used)."""

        def guard(block: Any, *values: Any) -> Any:
            check(*(np.asarray(v).tolist() for v in values))
            return block

        index = tuple(range(value.ndim))
        pairs = [x for o in operands for x in (da.asarray(o), ())]
        return da.blockwise(guard, index, value, index, *pairs, dtype=value.dtype, meta=value._meta)

    return checked


def _checked_pow(xp: Any, checked: Any) -> Any:
    def integral(v: Any) -> bool:
        if isinstance(v, (bool, float, complex)):
            return False
        return isinstance(v, int) or xp.isdtype(v.dtype, "integral")

    def pow(a: Any, b: Any) -> Any:
        """``a ** b``; NumPy's ValueError for integers to negative integer powers (for an
        array exponent, raised when the result is computed)."""
        if not (integral(a) and integral(b)):
            return xp.pow(a, b)
        if not hasattr(b, "dtype"):
            _negative_power(b < 0)
            return xp.pow(a, b)
        return checked(xp.pow(a, b), _negative_power, xp.any(b < 0))

    return pow


def _negative_power(negative: bool) -> None:
    if negative:
        raise ValueError("Integers to negative integer powers are not allowed.")


def _overrides(da: Any, xp: Any, np: Any) -> dict[str, Any]:
    import array_api_compat.numpy
    import dask

    from .dask_indexing import indexing_kernels
    from .linalg_kernels import linalg, per_matrix
    from .sort_kernels import dask_sorting
    from .special_kernels import chunked_kernels, special

    def assign(target: Any, value: Any) -> Any:
        value = da.broadcast_to(xp.asarray(value, dtype=target.dtype), target.shape)
        return value.rechunk(target.chunks)

    def reshape(a: Any, shape: Any) -> Any:
        """Dask's reshape; where Dask cannot map the chunks ((2, 3) -> (3, 2) in
        chunks of 2), the array is first merged into one chunk."""
        try:
            return da.reshape(a, shape)
        except NotImplementedError:
            return da.reshape(a.rechunk(-1), shape)

    def eye(n: int, m: int, dtype: Any) -> Any:
        # Row index == column index, blockwise over Dask's "auto" chunks of each dim: the
        # blocks are whatever the chunks say, at any shape (da.eye's are not, above).
        rows, cols = da.core.normalize_chunks("auto", shape=(n, m), dtype=np.dtype(dtype))
        i = da.arange(n, chunks=rows)[:, None]
        j = da.arange(m, chunks=cols)[None, :]
        return (i == j).astype(dtype)

    checked = _checked(da, np)
    return {
        **per_matrix(da, linalg(array_api_compat.numpy)),
        **chunked_kernels(da, special(array_api_compat.numpy)),
        "assign": assign,
        "eye": eye,
        "copy": lambda a: a,  # an immutable recipe needs no defensive copy
        "contiguous": lambda a: a,
        # Dask's reshape never copies anyone's memory: it is always a view's recipe.
        "view": reshape,
        "reshape": reshape,
        "from_numpy": lambda a: da.from_array(np.asarray(a)),
        "from_dlpack": lambda a: da.from_array(np.from_dlpack(a).copy()),
        "rechunk": lambda a, chunks: a.rechunk(chunks),
        "checked": checked,
        "pow": _checked_pow(xp, checked),
        # not in Dask's namespace: NumPy's ufuncs, broadcast blockwise by Dask's wrapper
        "gcd": da.ufunc.ufunc(np.gcd),
        "lcm": da.ufunc.ufunc(np.lcm),
        **_computing(dask, np),
        **indexing_kernels(da, np),
        **dask_sorting(da, np),
    }


def load() -> Backend:
    import array_api_compat.dask.array as xp
    import dask.array as da
    import numpy as np

    from .kernels import generic_kernels, native_dtypes

    kernels = generic_kernels(xp)
    kernels.update(_overrides(da, xp, np))
    return Backend("dask", kernels, native_dtypes(xp), "cpu", xp, mutable=False, lazy=True)


@hookimpl
def retrograd_register_backends() -> list[BackendSpec]:
    return [
        BackendSpec(
            name="dask", load=load, device_type="cpu", probe=probe, array_types=(ARRAY_TYPE,)
        )
    ]
