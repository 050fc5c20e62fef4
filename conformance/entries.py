"""The types of the conformance data, and the helpers its entries are written with.

An :class:`Entry` says how one op record is sampled, called and computed by a reference
(see :mod:`retrograd_conformance.resolution`); a :class:`Convention` pins PyTorch's
gradient at a non-differentiable point.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import retrograd
from retrograd.ops import FUNCTIONS
from retrograd.ops.record import OpRecord

from .samples import Builder

Call = Callable[..., Any]  # call(*tensors, **params) -> Tensor or tuple of Tensors
Ref = Callable[..., Any]  # ref(xp, *arrays, **params) -> array or tuple of arrays


@dataclass(frozen=True)
class Entry:
    """An exception to the defaults; a field left None keeps the default."""

    sample: Builder | None = None
    call: Call | None = None
    ref: Ref | None = None


@dataclass(frozen=True)
class Resolved:
    """A record with its sample builder, retrograd call and reference, all resolved."""

    record: OpRecord
    sample: Builder
    call: Call
    ref: Ref


@dataclass(frozen=True)
class Convention:
    """PyTorch's gradient at a non-differentiable point: the op at ``arrays`` (with
    ``params``), back-propagating ones, gives exactly ``grads``."""

    arrays: tuple[np.ndarray, ...]
    grads: tuple[np.ndarray, ...]
    params: tuple[tuple[str, Any], ...] = ()


def public(name: str) -> Callable[..., Any] | None:
    """retrograd's public function ``name``: ``retrograd.<name>`` (from the op records'
    ``FUNCTIONS``) or ``retrograd.nn.functional.<name>``."""
    found = FUNCTIONS.get(name)
    return found if found is not None else getattr(retrograd.nn.functional, name, None)


def function(name: str) -> Call:
    """A call of the public function ``name`` (looked up per call, never cached)."""
    return lambda *tensors, **params: public(name)(*tensors, **params)


def kernel_in(xp: Any, name: str) -> Callable[..., Any] | None:
    """The array-API function ``name`` of namespace ``xp`` (or of ``xp.linalg``)."""
    found = getattr(xp, name, None)
    return found if found is not None else getattr(getattr(xp, "linalg", None), name, None)


def special(name: str) -> Ref:
    """A function the array API lacks: ``math.<name>`` elementwise for NumPy, else the
    namespace's library's ``scipy.special.<name>`` (``jax.scipy.special``)."""

    def ref(xp: Any, a: Any) -> Any:
        if xp is np:
            return np.vectorize(getattr(math, name), otypes=[np.float64])(a)
        library = xp.__name__.partition(".")[0]
        return getattr(importlib.import_module(f"{library}.scipy.special"), name)(a)

    return ref


def scipy_special(name: str) -> Ref:
    """A function of ``scipy.special`` (SciPy for NumPy, ``jax.scipy.special`` for JAX),
    called with the op's arrays and then its parameters (``polygamma``'s order first:
    ``ref(xp, a, n)`` calls ``polygamma(n, a)``)."""

    def ref(xp: Any, a: Any, *params: Any) -> Any:
        library = "scipy.special" if xp is np else f"{xp.__name__.partition('.')[0]}.scipy.special"
        try:
            module = importlib.import_module(library)
        except ImportError:  # SciPy is the test extra's, not retrograd's, dependency
            pytest.skip(f"{library} is not installed: no reference for {name}")
        return getattr(module, name)(*params, a)

    return ref


def put(xp: Any, a: Any, key: Any, values: Any, add: bool = False) -> Any:
    """``a`` with ``values`` written (or added, duplicates accumulating) at ``key``,
    functionally: a copy for NumPy, ``.at[]`` for immutable arrays (JAX)."""
    if hasattr(a, "at"):
        return a.at[key].add(values) if add else a.at[key].set(values)
    out = np.array(a, copy=True)
    if add:
        np.add.at(out, key, values)
    else:
        out[key] = values
    return out


def along(index: np.ndarray, dim: int) -> tuple:
    """The advanced-indexing key that picks, for each position of ``index``, the element
    at ``index`` along ``dim`` (what ``gather``/``scatter`` address)."""
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(grid)
