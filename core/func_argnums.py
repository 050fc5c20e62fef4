"""``argnums`` of the ``retrograd.func`` transforms: checked and normalized once, with
``torch.func``'s errors (the reverse and forward transforms share it)."""

from __future__ import annotations

from typing import Any


def argnums_tuple(argnums: Any, nargs: int) -> tuple[int, ...]:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in nums):
        raise RuntimeError(
            f"argnums must be int or Tuple[int, ...], got: {type(argnums)}"
            if not isinstance(argnums, tuple)
            else f"argnums must be int or Tuple[int, ...], got: {argnums}"
        )
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    if len(set(nums)) != len(nums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    for n in nums:
        if not -nargs <= n < nargs:
            raise RuntimeError(f"Got argnum={n}, but only {nargs} positional inputs")
    return tuple(n % nargs for n in nums)
