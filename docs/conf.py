"""Sphinx configuration: MyST markdown pages. Examples are executed by tests/test_docs.py."""

project = "retrograd"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
