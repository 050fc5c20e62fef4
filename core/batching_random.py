"""Random draws inside ``vmap``: ``torch.func.vmap``'s ``randomness`` modes, per level.

Each running ``vmap`` call (a *level*, see :mod:`retrograd.batching`) has a mode:

- ``"error"`` (PyTorch's default): any random op raises PyTorch's error.
- ``"same"``: one sample's worth of numbers, shared by the whole batch of that level.
  A random op whose *input* tensor (``bernoulli(p)``, ``normal(mean, std)``) differs
  per sample of such a level raises PyTorch's error (it cannot share one draw).
- ``"different"``: independent numbers per sample: the draw covers the whole batch (the
  level's batch size in front, outer levels first, as PyTorch draws ``rand(B, *shape)``)
  and comes out batched at that level. An in-place fill (``normal_``) of a tensor that is
  the same for every sample of such a level raises PyTorch's error.

The random layer (:mod:`retrograd.random`) asks :func:`draw_levels` before each draw,
draws ``count(levels)`` times a sample's numbers on the host, and :func:`batched` wraps
the result. Arrays only here; nothing in this module knows tensors.
"""

from __future__ import annotations

from typing import Any

from .batching import INPLACE_BATCHED_OTHER, BatchedArray, active_modes, levels_of, physical

RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the "
    "'same' or 'different' randomness flags on vmap or perform the randomness operation "
    "out of vmap"
)
SAME_BATCHED_ERROR = (
    "Vmap does not currently support same randomness with a batched tensor input. "
    "Please file an issue with functorch"
)
INPLACE_UNBATCHED_ERROR = (
    "vmap: Cannot ask for different inplace randomness on an unbatched tensor. This will "
    "appear like same randomness. If this is necessary for your usage, please file an "
    "issue with functorch."
)
Levels = tuple[tuple[int, int], ...]  # ((level, batch size), ...), outermost first


def draw_levels() -> Levels:
    """The levels a random draw must cover (those in ``"different"`` mode), outermost
    first; PyTorch's error if any running ``vmap`` is in ``"error"`` mode. Outside
    ``vmap``: ``()``."""
    modes = active_modes()
    if any(mode == "error" for _, mode, _ in modes):
        raise RuntimeError(RANDOM_ERROR)
    return tuple((level, size) for level, mode, size in modes if mode == "different")


def count(levels: Levels) -> int:
    """How many samples' worth of numbers a draw over ``levels`` takes."""
    n = 1
    for _, size in levels:
        n *= size
    return n


def sizes(levels: Levels) -> tuple[int, ...]:
    return tuple(size for _, size in levels)


def batched(array: Any, levels: Levels) -> Any:
    """``array`` (the levels' batch sizes in front, outermost first) batched at them."""
    for level, _ in levels:
        array = BatchedArray(array, level)
    return array


def check_input(array: Any) -> None:
    """A random op's input tensor (probabilities, means): refused if it differs per sample
    of a ``"same"`` level (PyTorch's error)."""
    same = {level for level, mode, _ in active_modes() if mode == "same"}
    if same.intersection(levels_of(array)):
        raise RuntimeError(SAME_BATCHED_ERROR)


def check_inplace(array: Any, levels: Levels, other: Any = None, op: str = "") -> None:
    """An in-place fill of ``array`` drawing over ``levels``: each of them must batch it
    (else PyTorch's error), and ``other`` (a probability tensor) may not be batched where
    ``array`` is not."""
    have = set(levels_of(array))
    if other is not None:
        check_input(other)
        if set(levels_of(other)) - have:
            raise RuntimeError(INPLACE_BATCHED_OTHER.format(f"inplace {op}"))
    if any(level not in have for level, _ in levels):
        raise RuntimeError(INPLACE_UNBATCHED_ERROR)
    # PyTorch fills a fresh tensor for a "same" level that batches ``array``, and that
    # tensor is the same for each sample of an outer "different" level: refused too.
    different = False
    for level, mode, _ in active_modes():
        different = different or mode == "different"
        if different and mode == "same" and level in have:
            raise RuntimeError(INPLACE_UNBATCHED_ERROR)


def spread(k: Any, array: Any, levels: Levels) -> Any:
    """The plain array of ``array``'s values for every sample of ``levels``: their batch
    sizes in front (outermost first), repeated where ``array`` is the same for each
    sample. ``array`` may be batched only at levels among ``levels``."""
    own = levels_of(array)
    return _repeat(k, physical(array), tuple(reversed(own)), levels)


def batched_like(k: Any, array: Any, levels: Levels, target: Any) -> Any:
    """Plain ``array`` (drawn over ``levels``, their sizes in front) batched at each
    level ``target`` is, repeated over those it was not drawn over: the new value of
    ``target`` (an in-place fill under ``"same"`` is one draw for the whole batch)."""
    want = []
    while type(target) is BatchedArray:
        want.append((target.level, target.batch_size))
        target = target.value
    want.reverse()
    if len(want) == len(levels):
        return batched(array, levels)
    return batched(_repeat(k, array, tuple(level for level, _ in levels), tuple(want)), want)


def _repeat(k: Any, value: Any, have: tuple, levels: Levels) -> Any:
    """Plain ``value`` with the batch dims of the ``have`` levels in front (a subset of
    ``levels``, in their order), as the batch dims of all of ``levels``."""
    sample = tuple(value.shape[len(have) :])
    shape = tuple(size if level in have else 1 for level, size in levels)
    value = k["reshape"](value, shape + sample)
    return k["broadcast_to"](value, sizes(levels) + sample)
