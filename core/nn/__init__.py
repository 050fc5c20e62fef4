"""``retrograd.nn``: neural-network pieces; ``retrograd.nn.functional`` holds the functions.

Importing it is cheap: the records its functions use are part of ``retrograd.ops.RECORDS``
(so the conformance suite covers them), and nothing here changes global state. The
training stack (``Module``, the layers, ``init``, ``utils``) loads on first access:
``retrograd.ops`` imports this package's activation and loss records while
``retrograd.creation``, which the layers need, is still being imported.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import functional


def __getattr__(name: str) -> Any:
    if name.startswith("__") or name == "api":
        raise AttributeError(f"module 'retrograd.nn' has no attribute '{name}'")
    api = importlib.import_module(".api", __name__)  # lazily: see the module docstring
    try:
        value = getattr(api, name)
    except AttributeError:
        raise AttributeError(f"module 'retrograd.nn' has no attribute '{name}'") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    api = importlib.import_module(".api", __name__)
    return sorted({*globals(), *api.__all__})
