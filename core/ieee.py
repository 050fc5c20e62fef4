"""IEEE results without NumPy's ``RuntimeWarning``s, as PyTorch computes them.

PyTorch computes ``1 / 0``, ``log(-1)``, ``asin(2)`` and overflows as IEEE says (inf,
nan) and prints nothing; NumPy computes the same values and warns. retrograd's answer is
a ``warnings`` filter that ignores ``RuntimeWarning``s raised by calls made in
retrograd's own modules (NumPy called from your code warns as before), kept FIRST in
``warnings.filters``:

- :func:`install` puts it there when retrograd is imported;
- a kernel table that NumPy's warnings could escape from is a :class:`QuietKernels`, and
  every kernel lookup checks that the filter is still first, putting it back if not.

Why the check: the filter list is replaced by every ``warnings.catch_warnings()`` block
and restored when the block ends, and pytest runs both test collection and each test in
one. Imported during collection, retrograd's filter was gone by the time the tests ran,
so an op's warnings (``invalid value encountered in arcsin``) reached the test summary.
And a later ``simplefilter("error")`` puts its filter ahead of retrograd's. The check
is one identity comparison per kernel lookup; the filter is re-added only after the
filters changed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

MODULES = r"retrograd(_backends)?(\.|$)"
_front: list[Any] = [None]  # the filter's entry in warnings.filters, once installed


def install() -> None:
    """Put the filter first in ``warnings.filters`` (moving it there if present)."""
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=MODULES)
    _front[0] = warnings.filters[0]


class QuietKernels(dict):
    """A backend's kernel table (name -> kernel) that keeps the filter first whenever a
    kernel is looked up; a backend whose library warns on IEEE results uses it."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Callable[..., Any]:
        filters = warnings.filters
        if not filters or filters[0] is not _front[0]:
            install()
        return dict.__getitem__(self, name)
