"""Advanced indexing on Dask arrays: ``getitem``, ``setitem`` and ``index_add`` kernels.

Dask indexes natively with basic keys (ints, slices, None, ...). The core also hands
these kernels index arrays, which Dask takes only in part (one vector along one
dimension; and Dask 2026.8 returns the wrong shape for an index array of one element),
several index arrays broadcast together (as ``gather`` builds them), masks, and repeated
positions that add up. All of these run lazily as one task applying NumPy's own indexing to the
whole operand (one ``blockwise`` task over single-chunk inputs), so results follow NumPy's
rules exactly; the result is rechunked like its input. Nothing is computed when the kernel
is called, except where the result's shape depends on values (a mask's count of True): Dask
cannot hold an array of unknown size through every op retrograd records, so that count is
computed then.

Recording costs the same whatever the inputs' history: the task is named from the kernel,
the key's fixed parts and the inputs' names (a ``dask.delayed`` call instead builds its
inputs' whole graphs and pickles the closure to name it, so recording a loop of indexing
steps, as an LU factorization is, grew quadratically: 18 s for 50 steps, 79 s for 100).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from .dask_graphs import unfused


def _items(key: Any) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _is_array(item: Any) -> bool:
    return hasattr(item, "ndim") or isinstance(item, list)


def _is_basic(key: tuple) -> bool:
    return not any(_is_array(item) for item in key)


def _result_shape(np: Any, shape: tuple, key: tuple, counts: list[int]) -> tuple:
    """The shape NumPy gives ``array[key]`` for an array of ``shape``, found on a
    zero-stride dummy (no memory): index arrays become zeros of their shape, a mask the
    zeros of its ``count`` positions."""
    dummy = np.broadcast_to(np.zeros((), np.int8), shape)
    fake, masks = [], iter(counts)
    for item in key:
        if not _is_array(item):
            fake.append(item)
        elif item.dtype == bool and item.ndim == 0:
            fake.append(np.bool_(next(masks) > 0))  # a 0-d mask adds a dimension
        elif item.dtype == bool:
            fake.extend([np.zeros(next(masks), np.intp)] * item.ndim)
        else:
            fake.append(np.zeros(item.shape, np.intp))
    return dummy[tuple(fake)].shape


def _fixed(key: tuple) -> tuple:
    """The key with its arrays left out: what, with the arrays' names, identifies it."""
    return tuple("<array>" if _is_array(item) else item for item in key)


def _split(key: tuple) -> tuple[list, Callable[[tuple], tuple]]:
    """The key's arrays, and how to put a key back together from their computed values."""
    positions = [i for i, item in enumerate(key) if _is_array(item)]

    def rebuild(values: tuple) -> tuple:
        out = list(key)
        for i, value in zip(positions, values):
            out[i] = value
        return tuple(out)

    return [key[i] for i in positions], rebuild


def indexing_kernels(da: Any, np: Any) -> dict[str, Callable[..., Any]]:
    """``getitem``, ``setitem`` and ``index_add`` for ``dask.array``."""
    import dask
    from dask.base import tokenize

    def whole(
        f: Callable[..., Any], name: tuple, shape: tuple, dtype: Any, chunks: Any, *args: Any
    ) -> Any:
        """``f`` applied to the whole of each argument (Dask arrays as single chunks,
        anything else as it is), lazily, as an array of ``shape``; ``name`` says what ``f``
        computes apart from its arguments (it and their names name the task)."""
        # Every axis gets its own index, so blockwise aligns none of them: the inputs'
        # axes are contracted (each is one chunk, passed whole) and the output's are new.
        axis_ids = itertools.count()
        pairs: list[Any] = []
        for arg in args:
            if isinstance(arg, da.Array):
                single = arg.rechunk(arg.shape) if arg.npartitions > 1 else arg
                pairs += [single, tuple(itertools.islice(axis_ids, arg.ndim))]
            else:
                pairs += [arg, None]
        axes = tuple(itertools.islice(axis_ids, len(shape)))
        out = da.blockwise(
            f, axes, *pairs, new_axes=dict(zip(axes, shape)), concatenate=True,
            dtype=dtype, meta=np.empty((0,) * len(shape), dtype),
            name=f"{name[0]}-{tokenize(name, *args)}",
        )  # fmt: skip
        return out.rechunk(chunks) if chunks is not None else out

    def getitem(a: Any, key: Any) -> Any:
        key = _items(key)
        if _is_basic(key):
            return a[key]
        arrays, rebuild = _split(key)
        masks = [m for m in arrays if hasattr(m, "dtype") and m.dtype == bool]
        # The result's size depends on the masks' values: count them now (one compute).
        with unfused():
            counts = [int(c) for c in dask.compute(*(m.sum() for m in masks))]
        shape = _result_shape(np, tuple(a.shape), key, counts)
        f = lambda x, *values: np.asarray(x)[rebuild(values)]
        return whole(f, ("getitem", _fixed(key)), shape, a.dtype, None, a, *arrays)

    def setitem(target: Any, key: Any, value: Any) -> Any:
        key = _items(key)
        if _is_basic(key):
            out = target.copy()
            out[key] = value
            return out
        arrays, rebuild = _split(key)

        def write(x: Any, v: Any, *values: Any) -> Any:
            x = np.array(x, copy=True)
            x[rebuild(values)] = v
            return x

        named = ("setitem", _fixed(key))
        return whole(
            write, named, target.shape, target.dtype, target.chunks, target, value, *arrays
        )

    def index_add(target: Any, key: Any, values: Any) -> Any:
        arrays, rebuild = _split(_items(key))

        def add(x: Any, v: Any, *found: Any) -> Any:
            x = np.array(x, copy=True)
            np.add.at(x, rebuild(found), v)
            return x

        named = ("index_add", _fixed(_items(key)))
        return whole(add, named, target.shape, target.dtype, target.chunks, target, values, *arrays)

    def reducing(ufunc: Any) -> Any:
        def index_reduce(target: Any, key: Any, values: Any) -> Any:
            arrays, rebuild = _split(_items(key))

            def write(x: Any, v: Any, *found: Any) -> Any:
                x = np.array(x, copy=True)
                ufunc.at(x, rebuild(found), v)
                return x

            named = ("index_reduce", ufunc.__name__, _fixed(_items(key)))
            return whole(
                write, named, target.shape, target.dtype, target.chunks, target, values, *arrays
            )

        return index_reduce

    def nonzero(a: Any) -> Any:
        """(count, ndim) indices of the nonzero elements; the count is computed (the
        result's shape depends on values)."""
        found = da.argwhere(a)
        with unfused():
            found.compute_chunk_sizes()
        return found

    return {
        "getitem": getitem,
        "setitem": setitem,
        "index_add": index_add,
        "index_prod": reducing(np.multiply),
        "index_amax": reducing(np.maximum),
        "index_amin": reducing(np.minimum),
        "nonzero": nonzero,
    }
