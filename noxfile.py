"""Cross-backend test sessions (uv-backed virtual environments).

``nox -s tests`` runs the project's test suite once per backend; ``nox -s lint`` runs
ruff. More backends join ``BACKENDS`` as their issues land.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]

BACKENDS = ["numpy"]


@nox.session
@nox.parametrize("backend", BACKENDS)
def tests(session: nox.Session, backend: str) -> None:
    """The pytest suite with ``backend`` as the default backend."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs, env={"RETROGRAD_BACKEND": backend})


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
