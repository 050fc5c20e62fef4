"""retrograd's conformance suite: a pytest plugin that any backend runs on itself.

Opt-in: ``pytest -p retrograd_conformance --pyargs retrograd_conformance
--retrograd-backend NAME``. The cases are derived from the op records in
``retrograd.ops``; they are built in the conformance issue that follows the core.
"""
