"""Known failures as data: per backend, a TOML file of test ids, each with its reason.

A file looks like this (ids are ``<module file>::<test name>``, as pytest prints them
without the directory, so they are the same wherever the suite is installed)::

    backend = "numpy"

    [failures]
    "test_ops.py::test_forward[numpy-exp-float32]" = "why it fails, and the issue"

The bundled file of backend NAME is ``retrograd_conformance/known_failures/NAME.toml``;
a third party passes its own with ``--retrograd-known-failures PATH`` (which replaces
the bundled one for that backend). Every listed test is marked
``xfail(strict=True, reason=...)``: it must fail, and when it is fixed the run fails
until the entry is removed. An id that names no collected test fails the run too (see
``test_meta.py``), so the file cannot rot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PACKAGE = "retrograd_conformance"


@dataclass
class KnownFailures:
    """One backend's known failures: test id -> reason, read from ``source``."""

    backend: str
    source: str
    failures: dict[str, str] = field(default_factory=dict)


def conformance_id(item: Any) -> str:
    """The id a known-failures file uses for ``item``: ``test_ops.py::test_x[params]``."""
    return f"{item.path.name}::{item.name}"


def suite_modules() -> set[str]:
    """The file names of the suite's test modules."""
    root = resources.files(PACKAGE)
    return {p.name for p in root.iterdir() if p.name.startswith("test_") and p.name.endswith(".py")}


def parse(text: str, source: str) -> KnownFailures:
    """A known-failures file's content; ``pytest.UsageError`` naming ``source`` if malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise pytest.UsageError(f"known-failures file {source}: not valid TOML ({exc})") from None
    backend, failures = data.get("backend"), data.get("failures", {})
    extra = set(data) - {"backend", "failures"}
    if not isinstance(backend, str) or not isinstance(failures, dict) or extra:
        raise pytest.UsageError(
            f"known-failures file {source}: expected a string 'backend' and a table "
            f"'[failures]' mapping test ids to reasons, and nothing else (found {sorted(data)})"
        )
    empty = [k for k, v in failures.items() if not isinstance(v, str) or not v.strip()]
    if empty:
        raise pytest.UsageError(f"known-failures file {source}: no reason given for {empty}")
    return KnownFailures(backend, source, dict(failures))


def bundled(backend: str) -> KnownFailures | None:
    """The known failures shipped with the suite for ``backend``, if any."""
    path = resources.files(PACKAGE).joinpath("known_failures", f"{backend}.toml")
    if not path.is_file():
        return None
    return parse(path.read_text(encoding="utf-8"), str(path))


def load(backends: list[str], paths: list[str]) -> dict[str, KnownFailures]:
    """The known failures of each backend under test: explicit files first, else the
    bundled ones. A file for a backend not under test is a usage error (a typo)."""
    explicit: dict[str, KnownFailures] = {}
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise pytest.UsageError(f"--retrograd-known-failures {path}: {exc}") from None
        known = parse(text, path)
        if known.backend not in backends:
            raise pytest.UsageError(
                f"known-failures file {path} is for backend '{known.backend}', which is not "
                f"under test (--retrograd-backend: {', '.join(backends)})"
            )
        explicit[known.backend] = known
    found = {name: explicit.get(name) or bundled(name) for name in backends}
    return {name: known for name, known in found.items() if known is not None}


def apply(items: list[Any], known: dict[str, KnownFailures]) -> list[str]:
    """Mark the listed tests xfail(strict) with their reason; return one message per id
    that names no collected test (ids of suite modules not collected in this run, e.g.
    with a single module selected, are left alone)."""
    by_id = {conformance_id(item): item for item in items}
    collected_modules = {item.path.name for item in items}
    modules = suite_modules()
    unknown = []
    for entry in known.values():
        for test_id, reason in entry.failures.items():
            item = by_id.get(test_id)
            if item is not None:
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
                continue
            module = test_id.partition("::")[0]
            if module in collected_modules or module not in modules:
                unknown.append(f"{entry.source}: '{test_id}' matches no test of the suite")
    return unknown
