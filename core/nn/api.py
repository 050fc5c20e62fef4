"""The public names of ``retrograd.nn`` beyond ``functional`` (see ``retrograd.nn``)."""

from __future__ import annotations

from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F403 - the layers are the public API
from .modules import __all__ as _layers
from .parameter import Parameter

__all__ = ["Module", "Parameter", "functional", "init", "utils", *_layers]
