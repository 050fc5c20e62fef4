"""``retrograd.nn``: neural-network pieces; ``retrograd.nn.functional`` holds the functions.

Importing it is cheap: the records its functions use are part of ``retrograd.ops.RECORDS``
(so the conformance suite covers them), and nothing here changes global state.
"""

from __future__ import annotations

from . import functional
