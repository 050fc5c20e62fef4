"""The pytest plugin: options, backend parametrization, known failures, the report.

Loaded by ``pytest -p retrograd_conformance`` (the package names this module in its
``pytest_plugins``); never by an entry point, so installing retrograd changes no one
else's test runs. Every test of the suite that takes a ``backend`` argument runs once
per ``--retrograd-backend``; an installed backend that cannot run here is skipped with
the reason ``retrograd.backends()`` gives, and an unknown name is a usage error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import retrograd

from . import harness, known_failures, report

SUITE_DIR = Path(__file__).resolve().parent
_ACTIVE: list[Any] = []  # the configs this plugin is configured in (see require_plugin)


@dataclass(eq=False)  # hashable: it is registered as a plugin
class State:
    """What the plugin knows during a run (kept in ``config.stash``)."""

    backends: list[Any]  # retrograd.plugins.registry.BackendInfo, in option order
    known: dict[str, known_failures.KnownFailures]
    unknown_ids: list[str] = field(default_factory=list)
    results: report.Results = field(default_factory=report.Results)
    written: tuple = ()  # the report's paths, once written

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Registered as a plugin of its own config: collects that run's results."""
        self.results.add(report)


STATE = pytest.StashKey[State]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("retrograd", "retrograd conformance suite")
    group.addoption(
        "--retrograd-backend",
        action="append",
        default=[],
        metavar="NAME",
        help="backend to check (repeatable; default: retrograd's default backend)",
    )
    group.addoption(
        "--retrograd-known-failures",
        action="append",
        default=[],
        metavar="PATH",
        help="TOML file of a backend's known failures (replaces the bundled one)",
    )
    group.addoption(
        "--retrograd-report",
        metavar="PATH",
        help="write the results as JSON to PATH and as a markdown table beside it",
    )
    group.addoption("--retrograd-examples", type=int, default=15, metavar="N",
                    help="hypothesis examples per op and property (default 15)")  # fmt: skip
    group.addoption("--retrograd-chunks", type=int, default=None, metavar="N",
                    help="split every input into chunks of N elements per dimension "
                         "(backends with chunks, e.g. dask)")  # fmt: skip


def require_plugin() -> None:
    """Called by the suite's modules: a clear error when collected without the plugin."""
    if not _ACTIVE:
        raise pytest.UsageError(
            "the retrograd conformance suite runs as a plugin: pytest -p retrograd_conformance "
            "--pyargs retrograd_conformance --retrograd-backend NAME"
        )


def _backends(config: pytest.Config) -> list[Any]:
    names = list(dict.fromkeys(config.getoption("retrograd_backend")))
    names = names or [retrograd.plugins.default_backend_name()]
    installed = {info.name: info for info in retrograd.backends()}
    unknown = [n for n in names if n not in installed]
    if unknown:
        listing = "; ".join(str(info) for info in installed.values()) or "none"
        raise pytest.UsageError(
            f"--retrograd-backend: unknown backend {', '.join(map(repr, unknown))}; installed "
            f"backends: {listing}. Install the package that provides it, or pick one of these."
        )
    return [installed[n] for n in names]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "retrograd_check(name): the conformance check a test belongs to"
    )
    backends = _backends(config)
    names = [b.name for b in backends]
    known = known_failures.load(names, config.getoption("retrograd_known_failures"))
    config.stash[STATE] = State(backends, known)
    harness.CHUNKS[:] = [config.getoption("retrograd_chunks")]
    config.pluginmanager.register(config.stash[STATE], "retrograd-conformance-results")
    _ACTIVE.append(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    if config in _ACTIVE:
        _ACTIVE.remove(config)
        config.pluginmanager.unregister(config.stash[STATE])


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash[STATE]
    lines = [f"retrograd {retrograd.__version__} conformance, backends: "
             + ", ".join(str(b) for b in state.backends)]  # fmt: skip
    for name, known in state.known.items():
        lines.append(f"known failures of {name}: {known.source} ({len(known.failures)})")
    return lines


def state_of(config: pytest.Config) -> State:
    """The plugin's run state (for the suite's own tests, e.g. ``test_meta.py``)."""
    return config.stash[STATE]


def _in_suite(path: Any) -> bool:
    """Whether ``path`` is one of this package's modules (only they get a backend)."""
    return Path(path).resolve().parent == SUITE_DIR


@pytest.hookimpl(tryfirst=True)  # first, so the backend leads each test id
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    wanted = "backend" in metafunc.fixturenames and _in_suite(metafunc.module.__file__)
    if not wanted or STATE not in metafunc.config.stash:
        return
    params = []
    for info in metafunc.config.stash[STATE].backends:
        reason = f"backend '{info.name}' is installed but not usable here: {info.reason}"
        marks = () if info.usable else (pytest.mark.skip(reason=reason),)
        params.append(pytest.param(info.name, id=info.name, marks=marks))
    metafunc.parametrize("backend", params)


def _properties(item: pytest.Item) -> dict[str, Any] | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None or "backend" not in callspec.params or not _in_suite(item.path):
        return None
    marker = item.get_closest_marker("retrograd_check")
    group = item.path.stem.removeprefix("test_")
    props = {"backend": callspec.params["backend"], "group": group}
    if marker is not None and "op" in callspec.params:
        props.update(op=callspec.params["op"], check=marker.args[0])
    return props


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselect, so ids are checked against all
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if STATE not in config.stash:
        return
    state = config.stash[STATE]
    ours = [item for item in items if _properties(item) is not None]
    for item in ours:
        item.user_properties.append((report.PROPERTY, _properties(item)))
    state.unknown_ids = known_failures.apply(ours, state.known)


def _op_kinds() -> dict[str, str]:
    return {r.name: r.kind for r in retrograd.ops.RECORDS}


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config):
    if STATE not in config.stash or hasattr(config, "workerinput"):
        return
    state = config.stash[STATE]
    tr = terminalreporter
    tr.section("retrograd conformance")
    for info in state.backends:
        counts = state.results.counts(info.name)
        shown = ", ".join(f"{counts[k]} {k}" for k in report.DISPLAY if counts[k]) or "no tests"
        tr.write_line(f"backend '{info.name}': {shown}")
        failing = state.results.failing(info.name)
        if failing:
            tr.write_line(f"  failing: {', '.join(failing)}", red=True)
    for message in state.unknown_ids:
        tr.write_line(f"unknown known-failure id: {message}", red=True)
    if state.written:
        tr.write_line(f"report written: {state.written[0]} and {state.written[1]}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the report (on the controller: xdist workers send it their results)."""
    config = session.config
    path = config.getoption("retrograd_report")
    if path and STATE in config.stash and not hasattr(config, "workerinput"):
        state = config.stash[STATE]
        state.written = report.write(state.results, _op_kinds(), path)
