"""``retrograd.func.functionalize``.

PyTorch's ``functionalize(func)`` returns a function with ``func``'s semantics whose
traced program has its in-place and ``out=`` ops (and, with
``remove='mutations_and_views'``, its views) replaced by out-of-place ones; mutations of
the inputs are still applied to them at the end, so a caller sees the same results and the
same changes to its arguments. That rewriting serves compilers that cannot express
mutation. retrograd runs eagerly and its in-place ops are correct under every transform
(``grad``, ``vjp``, ``jvp``, ``vmap``) and on every backend (an in-place op on JAX rebinds
the storage's array), so the function returned here runs ``func`` as it is: same outputs,
same changes to the inputs, same gradients. ``remove`` is checked as PyTorch checks it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["functionalize"]

_REMOVE_OPTIONS = (
    " Valid options are:\n"
    "     remove='mutations': all inplace and out= operators will be removed from the "
    "program, and replaced with their out-of-place equivalents.\n"
    "     remove='mutations_and_views': In addition to the above, all aliasing operators "
    "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n"
)


def functionalize(func: Callable, *, remove: str = "mutations") -> Callable:
    """A function with ``func``'s semantics (outputs, input mutations, gradients): it
    calls ``func``. ``remove`` must be ``'mutations'`` or ``'mutations_and_views'``."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for "
            f"remove={remove}." + _REMOVE_OPTIONS
        )

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapped
