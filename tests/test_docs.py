"""The docs' examples are executed: a page whose shown output drifts fails here."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if ">>>" in p.read_text(encoding="utf-8"))


def test_docs_have_executed_examples():
    assert {p.name for p in PAGES} >= {"quickstart.md", "plugins.md"}


def _skip_without_required_backends(page: Path) -> None:
    """A page whose first line is ``<!-- requires-backends: jax -->`` runs only where
    those backends are usable (a session without JAX installed skips it, saying so)."""
    first = page.read_text(encoding="utf-8").splitlines()[0]
    if first.startswith("<!-- requires-backends:"):
        import retrograd

        usable = {b.name for b in retrograd.backends() if b.usable}
        names = first.split(":", 1)[1].removesuffix("-->").replace(",", " ").split()
        missing = sorted(set(names) - usable)
        if missing:
            pytest.skip(f"{page.name} needs backends {missing}, unusable here")


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run_as_shown(page: Path):
    _skip_without_required_backends(page)
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in {page.name} drifted (see above)"
