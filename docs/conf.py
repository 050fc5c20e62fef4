"""Sphinx configuration: MyST markdown pages, built with warnings as errors (``nox -s docs``).

``_ext/retrograd_sphinx.py`` executes every page's examples while building (a failing
example fails the build) and generates the tutorial, API and "From PyTorch" pages.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "retrograd"
extensions = ["myst_parser", "retrograd_sphinx"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_ext", "_generated"]
html_theme = "alabaster"
