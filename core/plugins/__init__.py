"""Plugins: how backends and kernel overrides reach retrograd (see ``hookspecs``)."""

from .hookspecs import hookspec
from .registry import (
    UnknownBackendError,
    backends,
    default_backend_name,
    get_backend,
    hookimpl,
    plugin_manager,
    register,
    set_default_backend,
    unregister,
    use_backend,
)

__all__ = [
    "UnknownBackendError",
    "backends",
    "default_backend_name",
    "get_backend",
    "hookimpl",
    "hookspec",
    "plugin_manager",
    "register",
    "set_default_backend",
    "unregister",
    "use_backend",
]
