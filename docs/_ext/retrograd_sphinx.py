"""The Sphinx extension of retrograd's docs: executed examples and generated pages.

- Every page's ``>>>`` examples run while the page is read (``doc_examples.run``); a
  failing one is a warning, so ``sphinx-build -W`` fails.
- ``{retrograd-tutorial} LANG`` renders the seed tutorial with each cell's output from
  running it now; a cell that raises, or prints other than the recorded output, is a
  warning.
- ``{retrograd-tutorial-graphs}`` draws the backward graph each tutorial cell builds, as
  SVG pictures rendered by Graphviz while the page is read (a missing ``dot`` program is a
  warning: the docs set-up installs it).
- ``{retrograd-api}`` and ``{retrograd-from-pytorch}`` render ``generated_pages.py``'s pages,
  computed from the op records, the namespaces and the docstrings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import doc_examples
import generated_pages
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)
GRAPHS = "_generated/graphs"  # under the docs source folder; git ignores it


def run_examples(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: execute the page's examples; warn on each failing page."""
    text = source[0]
    if not doc_examples.has_examples(text):
        return
    missing = doc_examples.missing_backends(text)
    if missing:
        # Every example runs when the docs build: the docs extra installs what they need.
        logger.warning(f"examples not run: backends {missing} are unusable here", location=docname)
        return
    outcome = doc_examples.run(text, docname)
    if outcome.failed:
        logger.warning(
            f"{outcome.failed} of {outcome.attempted} example(s) drifted:\n{outcome.report}",
            location=docname,
        )


class _Markdown(SphinxDirective):
    """A directive whose content is markdown computed at build time."""

    def markdown(self) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        lines = StringList(self.markdown().splitlines(), source=self.env.docname)
        self.state.nested_parse(lines, self.content_offset, container)
        return container.children


class Tutorial(_Markdown):
    required_arguments = 1

    def markdown(self) -> str:
        text, problems = generated_pages.tutorial(self.arguments[0])
        for problem in problems:
            logger.warning(f"tutorial: {problem}", location=self.env.docname)
        return text


class TutorialGraphs(_Markdown):
    """The seed tutorial's backward graphs, rendered to SVG while the page is read."""

    def markdown(self) -> str:
        directory = Path(self.env.srcdir) / GRAPHS
        depth = self.env.docname.count("/")
        text, problems = generated_pages.tutorial_graphs(directory, "../" * depth + GRAPHS)
        for problem in problems:
            logger.warning(f"tutorial graphs: {problem}", location=self.env.docname)
        return text


class Api(_Markdown):
    def markdown(self) -> str:
        return generated_pages.api_reference()


class FromPyTorch(_Markdown):
    def markdown(self) -> str:
        return generated_pages.from_pytorch()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", run_examples)
    app.add_directive("retrograd-tutorial", Tutorial)
    app.add_directive("retrograd-tutorial-graphs", TutorialGraphs)
    app.add_directive("retrograd-api", Api)
    app.add_directive("retrograd-from-pytorch", FromPyTorch)
    return {"parallel_read_safe": True, "env_version": 1}
