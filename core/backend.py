"""The backend contract: what an array library must provide to retrograd.

A plugin hands retrograd :class:`BackendSpec` objects (cheap: a name and a loader); the
array library is imported only when the backend is first used, so importing retrograd
never imports jax or cupy. Loading gives a :class:`Backend`, whose ``kernels`` table is
the only way the core touches arrays: the core never imports an array library.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import dtypes


@dataclass(frozen=True)
class BackendSpec:
    """A backend as a plugin announces it, before its array library is imported.

    ``load`` imports the library and returns the :class:`Backend`. ``probe`` returns
    ``None`` when the backend can run on this machine, else the reason it cannot (e.g.
    "no CUDA device"); it must be cheap and must not raise. ``array_types`` names
    (``module.QualName``) the library's array types that ``retrograd.tensor(array)``
    wraps on this backend when no backend or device is asked for (a lazy library's
    arrays then stay lazy: ``tensor(dask_array)`` computes nothing).
    """

    name: str
    load: Callable[[], Backend]
    device_type: str = "cpu"
    probe: Callable[[], str | None] = field(default=lambda: None)
    array_types: tuple[str, ...] = ()


class Backend:
    """One array library: its kernels and how its arrays map to retrograd's dtypes.

    ``kernels`` is a plain dict from kernel name to function, resolved once from the
    generic layer and any plugin overrides; the hot path only indexes it.
    ``native_dtypes`` maps each supported retrograd dtype to the library's dtype.
    ``mutable`` says whether the library's arrays can be written in place and its view
    kernels return arrays sharing memory (NumPy, CuPy); when False (JAX), in-place
    kernels return new arrays that the core rebinds, and views alias through
    ``retrograd.storage.DerivedStorage``. ``device_type`` is the hardware the arrays
    live on (``"cpu"``, ``"cuda"``); see ``retrograd.device`` for the device it shows.
    ``lazy`` says that the library's arrays are recipes, not values (Dask): the core
    then never reads a value while recording or in backward; checks that depend on values
    go through the ``checked`` kernel, which such a backend defers to compute time, and
    ``retrograd.materialize`` computes tensors together.
    """

    def __init__(
        self,
        name: str,
        kernels: Mapping[str, Callable[..., Any]],
        native_dtypes: Mapping[dtypes.dtype, Any],
        device_type: str = "cpu",
        namespace: Any = None,
        mutable: bool = True,
        lazy: bool = False,
    ) -> None:
        self.name = name
        self.device_type = device_type
        self.namespace = namespace
        self.mutable = mutable
        self.lazy = lazy
        self.base_kernels = dict(kernels)
        self.kernels: dict[str, Callable[..., Any]] = dict(kernels)
        self.native = dict(native_dtypes)
        self._from_native = {native: d for d, native in self.native.items()}

    def native_dtype(self, d: dtypes.dtype) -> Any:
        """The library's dtype for ``d``; TypeError naming the backend if unsupported."""
        try:
            return self.native[d]
        except KeyError:
            raise TypeError(f"backend '{self.name}' does not support dtype {d}") from None

    def dtype_of(self, array: Any) -> dtypes.dtype:
        """The retrograd dtype of one of this backend's arrays."""
        try:
            return self._from_native[array.dtype]
        except KeyError:
            raise TypeError(
                f"backend '{self.name}' produced an array of unsupported dtype {array.dtype}"
            ) from None

    def __repr__(self) -> str:
        return f"<retrograd backend '{self.name}' ({self.device_type})>"


# DLPack refuses an exchange with one of these (different device, unsupported dtype, a
# library or array type that does not speak it); the host path then does the move.
_NO_DLPACK = (BufferError, TypeError, ValueError, RuntimeError, AttributeError, NotImplementedError)


def transfer(array: Any, source: Any, target: Any) -> Any:
    """A copy of ``array`` (an array of backend ``source``) as an array of ``target``:
    through DLPack where both libraries allow it, else through host (NumPy) memory."""
    try:
        return target.kernels["from_dlpack"](array)
    except _NO_DLPACK:
        host = source.kernels["to_numpy"](array)
        # from_numpy may share the host array, which may be the source's own memory.
        return target.kernels["copy"](target.kernels["from_numpy"](host))
