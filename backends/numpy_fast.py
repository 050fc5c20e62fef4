"""NumPy kernels rewritten where NumPy's Python wrapper costs more than the work.

Each override returns exactly what the generic kernel returns (the same values, bit for
bit, the same dtype, a view where the generic one gives a view) and exists because a
measurement asked for it (``retrograd.compile``'s replays call nothing but kernels, so a
kernel's Python wrapper is most of their time on small arrays):

- ``expand_dims``: ``np.expand_dims`` normalises its axis in Python (about 2.4 µs); an
  index with ``None`` at the new axes is the same view (0.15 µs). W5's backward calls it
  four times per time step (the outer products of ``mv``'s gradient).
- ``permute_dims``: ``np.permute_dims`` goes through ``np.transpose``'s dispatcher (0.6 µs);
  the method is 0.2 µs.
- ``mean``: ``np.mean`` counts items and dispatches in Python (4.6 µs on a 2x2 array);
  ``add.reduce`` then one division is 1 µs. The same sum (NumPy's ``mean`` calls
  ``add.reduce`` too), and the same quotient: ``np.mean`` divides in float64 and rounds
  to float32, which for a quotient equals rounding once (float64 has more than twice
  float32's precision), so float32 and float64 means are identical; other dtypes (float16
  accumulates in float32) and empty arrays keep ``np.mean``.
- ``sum`` and ``sum_to_shape`` (the engine's, for broadcast gradients such as a bias's):
  ``np.sum`` is ``add.reduce`` behind a Python dispatcher (about 3 µs); floating arrays
  call ``add.reduce`` itself (the same reduction), other dtypes keep ``np.sum`` (which
  widens small integers); ``sum_to_shape`` names its dtype, so it never widens.
- ``threshold_backward`` (relu's backward, ``0 where r <= 0, else g``, a NaN gradient
  zeroed too): ``np.where`` with a zeros array is about 35 µs on 64x256 float32; clearing
  the gradient's bits with an integer mask is 12 µs and gives the same bits (+0.0 where
  zeroed, ``g``'s own bits, NaN payloads included, where kept).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

# The integer type of each float's width: masks clear a float's bits through it.
_BITS = {2: "int16", 4: "int32", 8: "int64"}


def fast_kernels(np: Any) -> dict[str, Callable[..., Any]]:
    """The overrides, for ``numpy`` module ``np``."""
    return {
        "expand_dims": _expand_dims(np),
        "permute_dims": _permute_dims(np),
        "mean": _mean(np),
        "sum": _sum(np),
        "sum_to_shape": _sum_to_shape(np),
        "threshold_backward": _threshold_backward(np),
    }


def _expand_dims(np: Any) -> Callable[..., Any]:
    keys: dict[tuple, tuple] = {}  # (ndim, axis) -> the index that inserts the axes

    def key_for(ndim: int, axis: Any) -> tuple:
        axes = axis if isinstance(axis, tuple) else (axis,)
        # Raises NumPy's AxisError for a bad axis, as np.expand_dims does.
        new = np.lib.array_utils.normalize_axis_tuple(axes, ndim + len(axes))
        return tuple(None if i in new else slice(None) for i in range(ndim + len(axes)))

    def expand_dims(a: Any, axis: Any) -> Any:
        if type(a) is not np.ndarray:
            return np.expand_dims(a, axis)
        try:
            key = keys[a.ndim, axis]
        except KeyError:
            key = keys[a.ndim, axis] = key_for(a.ndim, axis)
        except TypeError:  # an unhashable axis (a list)
            return np.expand_dims(a, axis)
        return a[key]

    return expand_dims


def _permute_dims(np: Any) -> Callable[..., Any]:
    def permute_dims(a: Any, axes: Any) -> Any:
        return a.transpose(axes) if type(a) is np.ndarray else np.permute_dims(a, axes)

    return permute_dims


def _mean(np: Any) -> Callable[..., Any]:
    exact = (np.dtype(np.float32), np.dtype(np.float64))
    add_reduce = np.add.reduce

    def mean(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        if type(a) is not np.ndarray or a.dtype not in exact or a.size == 0:
            with warnings.catch_warnings():
                # An empty mean is nan, silently in PyTorch; NumPy warns "Mean of empty
                # slice" (and "invalid value" from the division).
                warnings.simplefilter("ignore", RuntimeWarning)
                return np.mean(a, axis=axis, keepdims=keepdims)
        total = add_reduce(a, axis=axis, keepdims=keepdims)
        return total / (a.size // np.size(total))  # a Python int: the dtype stays a's

    return mean


def _sum(np: Any) -> Callable[..., Any]:
    add_reduce = np.add.reduce

    def sum(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        if type(a) is np.ndarray and a.dtype.kind == "f":
            return add_reduce(a, axis=axis, keepdims=keepdims)
        return np.sum(a, axis=axis, keepdims=keepdims)

    return sum


def _sum_to_shape(np: Any) -> Callable[..., Any]:
    add_reduce = np.add.reduce

    def sum_to_shape(a: Any, shape: tuple[int, ...]) -> Any:
        # The generic kernel's steps, with its np.sum(..., dtype=a.dtype) calls as the
        # add.reduce they are (any dtype: the dtype is given, nothing widens).
        lead = a.ndim - len(shape)
        if lead:
            a = add_reduce(a, axis=tuple(range(lead)), dtype=a.dtype)
        kept = tuple(i for i, n in enumerate(shape) if n == 1 and a.shape[i] != 1)
        if kept:
            a = add_reduce(a, axis=kept, keepdims=True, dtype=a.dtype)
        return a

    return sum_to_shape


def _threshold_backward(np: Any) -> Callable[..., Any]:
    def threshold_backward(g: Any, r: Any) -> Any:
        bits = _BITS.get(g.dtype.itemsize) if type(g) is type(r) is np.ndarray else None
        # 0-d: a ufunc would return a scalar where np.where returns an array.
        if bits is None or g.dtype.kind != "f" or r.shape != g.shape or not g.ndim:
            return np.where(r <= 0, np.zeros_like(g), g)
        # 1 where zeroed -> mask 0; 0 where kept -> mask -1 (every bit set). A plain
        # bool-to-int cast and an in-place subtract are cheaper than one mixed-type
        # subtract; the mask's memory then takes the result.
        mask = np.less_equal(r, 0).astype(bits)
        np.subtract(mask, 1, out=mask)
        np.bitwise_and(g.view(bits), mask, out=mask)
        return mask.view(g.dtype)

    return threshold_backward
