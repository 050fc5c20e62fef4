"""``$RETROGRAD_BACKEND``, checked once, when retrograd is imported.

A name that is not installed, or a backend that cannot run here (CuPy without a GPU), is
said at import by one ``UserWarning``: its first line names the variable's value and the
backend used instead, the installed backends follow on their own lines. The process then
runs on the built-in default (NumPy), so nothing fails later, cell after cell.

Why a warning and not an error at import: the variable is a preference of the machine's
environment, not of the program, and a program can make its own choice afterwards
(``set_default_backend``, ``use_backend``, ``backend=``/``device=`` on factories). An
error would stop every program that merely imports retrograd (a test collection, a
library built on it), and ``retrograd backends``, the command that shows which names are
valid, could not run to help fix it. Python treats a bad locale variable the same way:
it warns and falls back to the C locale. The command line, which a person runs on the
default backend on purpose, refuses instead (exit status 2, see ``retrograd.__main__``).

The check costs nothing when the variable is unset or names the built-in default; only
then does importing retrograd discover the plugins (to know what is installed).
"""

from __future__ import annotations

import os
import sys
import warnings

from . import registry

_problem: list[str] = []  # the message, once the check found one


def _trouble(name: str) -> str | None:
    """Why ``name`` cannot be the default backend, as the message's first line (None: it
    can)."""
    rows = {row.name: row for row in registry.backends()}
    fallback = f"retrograd uses '{registry.DEFAULT_BACKEND}' instead"
    if name not in rows:
        return f"{registry.ENV_VAR}='{name}' names no installed retrograd backend; {fallback}"
    if not rows[name].usable:
        return f"{registry.ENV_VAR}='{name}' cannot run here ({rows[name].reason}); {fallback}"
    return None


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points the warning at the line that imported retrograd:
    the first frame outside retrograd (``warnings`` skips importlib's frames itself)."""
    level, frame = 1, sys._getframe(1)
    package = os.path.dirname(os.path.dirname(__file__))
    while frame is not None:
        name = frame.f_code.co_filename
        if "importlib" in name and "_bootstrap" in name:
            frame = frame.f_back
            continue
        if not name.startswith(package):
            break
        level, frame = level + 1, frame.f_back
    return level


def check() -> None:
    """Warn once if ``$RETROGRAD_BACKEND`` cannot be the default; fall back to NumPy."""
    name = os.environ.get(registry.ENV_VAR)
    if not name or name == registry.DEFAULT_BACKEND or _problem:
        return
    head = _trouble(name)
    if head is None:
        return
    registry._process_default[:] = [registry.DEFAULT_BACKEND]
    # The table without its footnote; its '*' now marks the backend used instead.
    listing = "\n".join(f"  {line}" for line in repr(registry.backends()).splitlines()[:-1])
    message = f"{head}. Installed backends:\n{listing}"
    _problem.append(message)
    warnings.warn(message, UserWarning, stacklevel=_caller_stacklevel())


def problem() -> str | None:
    """The message :func:`check` warned with, or None if the variable was fine."""
    return _problem[0] if _problem else None
