"""The backend registry: discovers plugins, resolves kernel tables, picks the default.

Discovery is lazy (on first use, not at import) and goes through a
``pluggy.PluginManager`` fed from the ``retrograd`` entry-point group, so the built-in
backends register exactly as a third party's would. Kernel tables are resolved once per
backend and again only when plugins change: an op call never calls into pluggy.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import pluggy

from ..backend import Backend, BackendSpec
from ..constants import DEFAULT_BACKEND, ENV_VAR
from . import hookspecs

hookimpl = pluggy.HookimplMarker("retrograd")


class UnknownBackendError(RuntimeError):
    """Asked for a backend that is not installed, or not usable on this machine."""


@dataclass(frozen=True)
class BackendInfo:
    """One row of ``retrograd.backends()``."""

    name: str
    package: str
    device_type: str
    usable: bool
    reason: str | None

    def __str__(self) -> str:
        return f"{self.name} ({self.package}; {self.state})"

    @property
    def state(self) -> str:
        """``"usable"``, or ``"unusable: <why>"``."""
        return "usable" if self.usable else f"unusable: {self.reason}"


class BackendTable(list):
    """``retrograd.backends()``: a list of :class:`BackendInfo` that prints as a table
    (name, package, device, usable or why not; the default backend marked ``*``)."""

    def __repr__(self) -> str:
        default = default_backend_name()
        header = ("backend", "package", "device", "state")
        rows = [(f"{i.name}{' *' if i.name == default else ''}", i.package, i.device_type,
                 i.state) for i in self]  # fmt: skip
        widths = [max(len(r[c]) for r in (header, *rows)) for c in range(3)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)) + f"  {r[3]}"
                 for r in (header, *rows)]  # fmt: skip
        installed = any(i.name == default for i in self)
        note = (
            "* the default backend" if installed else f"the default, '{default}', is not installed"
        )
        return "\n".join([*lines, f"({note})"])

    __str__ = __repr__


class _Registry:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.pm: pluggy.PluginManager | None = None
        self.packages: dict[str, str] = {}  # plugin name -> distribution
        self.specs: dict[str, tuple[BackendSpec, str]] = {}  # backend -> (spec, plugin)
        self.loaded: dict[str, Backend] = {}

    def manager(self) -> pluggy.PluginManager:
        with self._lock:
            if self.pm is None:
                self._discover()
            return self.pm

    def _discover(self) -> None:
        """Load every entry point of the group; the manager is kept only if all is well,
        so a broken or clashing installation fails every time, with the same error."""
        pm = pluggy.PluginManager("retrograd")
        pm.add_hookspecs(hookspecs)
        for ep in entry_points(group="retrograd"):
            dist = ep.dist.name if ep.dist is not None else "?"
            name = f"{dist}:{ep.name}"
            self.packages[name] = dist
            pm.register(_load_entry_point(ep, dist), name=name)
        pm.check_pending()
        self.specs = _collect_specs(pm)
        self.pm = pm

    def package_of(self, plugin_name: str) -> str:
        return self.packages.get(plugin_name, plugin_name)

    def resolve_kernels(self, backend: Backend) -> None:
        """Rebuild ``backend.kernels`` in place: base kernels, then plugin overrides."""
        results = self.manager().hook.retrograd_kernels(backend=backend)
        table = merge_kernels(backend.base_kernels, results)
        backend.kernels.clear()
        backend.kernels.update(table)

    def plugins_changed(self) -> None:
        with self._lock:
            self.specs = _collect_specs(self.pm)
            for name in list(self.loaded):
                if name not in self.specs:
                    del self.loaded[name]
                else:
                    self.resolve_kernels(self.loaded[name])


def merge_kernels(base: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """``base`` updated by the ``retrograd_kernels`` results in the order pluggy returns
    them (last registered first): applied oldest first, so the last registered wins."""
    table = dict(base)
    for overrides in reversed(results):
        table.update(overrides)
    return table


def _load_entry_point(ep: Any, dist: str) -> Any:
    try:
        return ep.load()
    except Exception as exc:
        raise RuntimeError(
            f"retrograd plugin '{ep.name}' of package '{dist}' failed to import "
            f"({ep.value}): {exc!r}; fix or uninstall that package"
        ) from exc


def _collect_specs(pm: pluggy.PluginManager) -> dict[str, tuple[BackendSpec, str]]:
    """Backend name -> (spec, plugin name); RuntimeError naming both packages on a clash."""
    specs: dict[str, tuple[BackendSpec, str]] = {}
    hook = pm.hook.retrograd_register_backends
    # Called implementation by implementation so a clash can name both packages.
    for impl in reversed(hook.get_hookimpls()):
        for spec in impl.function() or ():
            if spec.name in specs:
                raise RuntimeError(_clash_message(spec.name, specs[spec.name][1], impl))
            specs[spec.name] = (spec, impl.plugin_name)
    return specs


def _clash_message(name: str, first_plugin: str, impl: Any) -> str:
    first = _registry.package_of(first_plugin)
    second = _registry.package_of(impl.plugin_name)
    return (
        f"backend '{name}' is provided by two plugins: package '{first}' "
        f"({first_plugin}) and package '{second}' ({impl.plugin_name}); "
        "uninstall one of them or rename its backend"
    )


_registry = _Registry()


def plugin_manager() -> pluggy.PluginManager:
    """The ``pluggy.PluginManager`` holding every retrograd plugin (discovered lazily)."""
    return _registry.manager()


def register(plugin: Any, name: str | None = None) -> str:
    """Register a plugin object at run time; its backends and kernels take effect now."""
    pm = plugin_manager()
    plugin_name = pm.register(plugin, name=name)
    try:
        pm.check_pending()
        _registry.plugins_changed()
    except Exception:
        pm.unregister(plugin)
        _registry.plugins_changed()
        raise
    return plugin_name


def unregister(plugin: Any) -> None:
    """Remove a plugin registered with :func:`register`; its overrides are undone."""
    plugin_manager().unregister(plugin)
    _registry.plugins_changed()


def _availability(spec: BackendSpec) -> str | None:
    try:
        return spec.probe()
    except Exception as exc:  # a probe must not take retrograd down with it
        return f"probe failed: {exc!r}"


def backends() -> BackendTable:
    """Every installed backend, whether it is usable here, and why not: a list of
    :class:`BackendInfo` that prints as a table, the default backend marked."""
    plugin_manager()
    rows = BackendTable()
    for name, (spec, plugin) in sorted(_registry.specs.items()):
        reason = _availability(spec)
        rows.append(
            BackendInfo(
                name, _registry.package_of(plugin), spec.device_type, reason is None, reason
            )
        )
    return rows


def _unknown(name: str) -> UnknownBackendError:
    listing = ", ".join(str(info) for info in backends()) or "none"
    return UnknownBackendError(
        f"unknown retrograd backend '{name}'; installed backends: {listing}. "
        "Install the package that provides it, or pick one of these."
    )


def get_backend(name: str | None = None) -> Backend:
    """The loaded backend called ``name`` (default: the current default backend)."""
    if name is None:
        name = default_backend_name()
    backend = _registry.loaded.get(name)
    if backend is not None:
        return backend
    with _registry._lock:
        plugin_manager()
        if name not in _registry.specs:
            raise _unknown(name)
        spec = _registry.specs[name][0]
        reason = _availability(spec)
        if reason is not None:
            usable = ", ".join(i.name for i in backends() if i.usable) or "none"
            raise UnknownBackendError(
                f"retrograd backend '{name}' is not usable here: {reason}. "
                f"Usable backends here: {usable}."
            )
        backend = spec.load()
        _registry.resolve_kernels(backend)
        _registry.loaded[name] = backend
        return backend


def backend_claiming(array: Any) -> str | None:
    """The backend whose spec lists ``array``'s type in ``array_types`` (see
    :class:`retrograd.backend.BackendSpec`), or None."""
    kind = type(array)
    name = f"{kind.__module__}.{kind.__qualname__}"
    plugin_manager()
    for backend, (spec, _) in _registry.specs.items():
        if name in spec.array_types:
            return backend
    return None


class _Selection(threading.local):
    stack: tuple[str, ...] = ()


_process_default: list[str] = []  # empty until first asked; then one name
_selection = _Selection()


def loaded_backends() -> list[Backend]:
    """The backends loaded so far (their array libraries imported)."""
    return list(_registry.loaded.values())


def default_backend_name() -> str:
    """The backend factories use: innermost ``use_backend``, else the process default
    (``set_default_backend``, else ``$RETROGRAD_BACKEND``, else numpy)."""
    if _selection.stack:
        return _selection.stack[-1]
    if not _process_default:
        _process_default.append(os.environ.get(ENV_VAR) or DEFAULT_BACKEND)
    return _process_default[0]


def set_default_backend(name: str) -> None:
    """Make ``name`` the process-wide default backend (checked: it must be usable)."""
    get_backend(name)
    _process_default[:] = [name]


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[Backend]:
    """Within the block (this thread), factories create tensors on backend ``name``."""
    backend = get_backend(name)
    _selection.stack = (*_selection.stack, name)
    try:
        yield backend
    finally:
        _selection.stack = _selection.stack[:-1]
