"""The small PyTorch names gathered for the public namespace: ``finfo``/``iinfo``, the
``testing`` module, ``asarray``, ``nn.utils.parametrize``/``parametrizations``, and the
tensor queries and helpers of :mod:`retrograd.tensor_queries`.

``retrograd/__init__.py`` binds :data:`NAMES` and calls :func:`install` (the Tensor
methods), so the namespace gains these names in one place.
"""

from __future__ import annotations

from . import tensor_queries, testing
from .asarray import asarray
from .dtypes_info import finfo, iinfo

# Binds ``retrograd.nn.utils.parametrize`` and ``.parametrizations`` (see nn/utils/__init__).
from .nn.utils import parametrizations, parametrize  # noqa: F401

# Public name -> object, as ``import retrograd as torch`` users call them.
NAMES: dict[str, object] = {
    "finfo": finfo,
    "iinfo": iinfo,
    "testing": testing,
    "asarray": asarray,
    **tensor_queries.FUNCTIONS,
}
install = tensor_queries.install
