"""A retrograd backend over ``array_api_strict``: the whole plugin.

retrograd's generic kernel layer is written against the array API, so a library that
implements the standard needs no kernel of its own: the backend is its namespace, its
dtypes, and a probe. (A library that deviates would add overrides to the kernel table
here, each saying why.) ``array_api_strict`` is imported only in :func:`load`, when
the backend is first used, so installing this package costs nothing to anyone who does
not ask for it.
"""

from __future__ import annotations

import importlib.util

from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl
from retrograd_backends.kernels import generic_kernels, native_dtypes

NAME = "array_api_strict"


def probe() -> str | None:
    """Why the backend cannot run here, or None. Cheap: never imports the library."""
    if importlib.util.find_spec("array_api_strict") is None:
        return "array-api-strict is not installed (pip install array-api-strict)"
    return None


def load() -> Backend:
    """Import the library and build the backend (called once, on first use)."""
    import array_api_strict as xp

    return Backend(NAME, generic_kernels(xp), native_dtypes(xp), device_type="cpu", namespace=xp)


@hookimpl
def retrograd_register_backends() -> list[BackendSpec]:
    return [BackendSpec(name=NAME, load=load, device_type="cpu", probe=probe)]
