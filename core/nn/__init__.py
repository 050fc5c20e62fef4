"""``retrograd.nn``: neural-network pieces; ``retrograd.nn.functional`` holds the functions.

Importing it is cheap and changes no global state: the records of its activations and
losses are part of ``retrograd.ops.RECORDS`` (so the conformance suite covers them), and
everything else (``functional``, ``Module``, the layers, ``init``, ``utils``) loads on
first access, because ``retrograd.ops`` imports this package's records while
``retrograd.creation``, which the layers need, is still being imported.
"""

from __future__ import annotations

import importlib
from typing import Any

# The lazily loaded names: the classes (``Module``, the layers) and these submodules.
# Anything else is not looked up, so ``from retrograd.nn import losses`` imports the
# submodule without loading the rest.
_LAZY_MODULES = ("functional", "init", "utils")


def __getattr__(name: str) -> Any:
    if name == "__all__":  # ``from retrograd.nn import *``
        return importlib.import_module(".api", __name__).__all__
    if not (name[:1].isupper() or name in _LAZY_MODULES):
        raise AttributeError(f"module 'retrograd.nn' has no attribute '{name}'")
    if name in _LAZY_MODULES:
        value = importlib.import_module("." + name, __name__)
    else:
        api = importlib.import_module(".api", __name__)
        try:
            value = getattr(api, name)
        except AttributeError:
            raise AttributeError(f"module 'retrograd.nn' has no attribute '{name}'") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    api = importlib.import_module(".api", __name__)
    return sorted({*globals(), "functional", *api.__all__})
