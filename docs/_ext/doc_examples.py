"""The docs' examples, executed: the one mechanism both the Sphinx build and the tests use.

A page's ``>>>`` examples run as a doctest (``ELLIPSIS``, ``NORMALIZE_WHITESPACE``) in
one fresh namespace, top to bottom, so the output shown is the output you get. The
Sphinx extension (``retrograd_sphinx.py``) reports a failing example as a warning (an
error under ``-W``: the build fails); ``tests/test_docs.py`` runs the same function.

A page whose first line is ``<!-- requires-backends: jax -->`` runs only where those
backends are usable: elsewhere the tests skip it, saying why, and the docs build warns
(so fails: the ``docs`` extra installs what every page needs).
"""

from __future__ import annotations

import doctest
import io
from dataclasses import dataclass

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_MARK = "<!-- requires-backends:"


@dataclass(frozen=True)
class Outcome:
    """What running a page's examples gave: counts and doctest's report of failures."""

    attempted: int
    failed: int
    report: str


def has_examples(text: str) -> bool:
    """Whether the page has a ``>>>`` example (a line that starts with one)."""
    return any(line.lstrip().startswith(">>> ") for line in text.splitlines())


def missing_backends(text: str) -> list[str]:
    """The backends the page's first line requires that are not usable here."""
    first = text.splitlines()[0] if text else ""
    if not first.startswith(_MARK):
        return []
    import retrograd  # only pages that ask need it

    usable = {b.name for b in retrograd.backends() if b.usable}
    names = first[len(_MARK) :].removesuffix("-->").replace(",", " ").split()
    return sorted(set(names) - usable)


def run(text: str, name: str) -> Outcome:
    """Run the ``>>>`` examples of ``text`` (a page called ``name``), as a fresh session
    would: ``retrograd.compile``'s counters start at zero (a page prints them)."""
    from retrograd.compiler import reset_counters

    reset_counters()
    test = doctest.DocTestParser().get_doctest(text, {"__name__": "__main__"}, name, name, 0)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    runner.run(test, out=out.write)
    test.globs.clear()  # break the cycles the examples' names make
    return Outcome(runner.tries, runner.failures, out.getvalue())
