"""Batched arrays: how ``retrograd.func.vmap`` runs a function once over a whole batch.

A :class:`BatchedArray` is what a tensor holds inside ``vmap``: the backend array with
the batch dimension in front (``value``), and the ``level`` of the ``vmap`` call that
added it. To the core it looks like one sample: its ``shape``, ``ndim`` and ``dtype`` are
the per-sample ones, so every op checks shapes and records graphs as if there were no
batch. Nested ``vmap`` calls nest the wrappers: the ``value`` of a level-2 array may be a
level-1 array.

The batch is handled one level down, at the kernel table every op calls: while a
batched array exists, each backend's ``kernels`` is a :class:`BatchingKernels` table
whose kernels, given batched arrays, apply a *batching rule*
(:mod:`retrograd.batching_rules`): the same kernel once on the whole batch, with its
arguments rewritten (a reduction's axis shifted by one, a reshape's shape given the batch
size in front, operands of a broadcast aligned). No kernel is called once per sample.
The table is put back when the last batched array is gone, so the ordinary hot path
never pays for it. A kernel with no rule raises an error naming the op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .plugins.registry import loaded_backends

ITEM_MESSAGE = (
    "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over "
    "calling .item() on a Tensor, please try to rewrite what you're doing with other "
    "operations. If error is occurring somewhere inside PyTorch internals, please file a "
    "bug report."
)
CONTROL_FLOW_MESSAGE = (
    "vmap: It looks like you're attempting to use a Tensor in some data-dependent control "
    "flow. We don't support that yet, please file an issue at "
    "https://github.com/pytorch/pytorch/issues ."
)

# PyTorch's refusal of an in-place op on a tensor that is the same for every sample, with
# an operand that is not; "{0}" is "inplace arithmetic" or "inplace OP".
INPLACE_BATCHED_OTHER = (
    "vmap: {0}(self, *extra_args) is not possible because there exists a Tensor `other` in "
    "extra_args that has more elements than `self`. This happened due to `other` being "
    "vmapped over but `self` not being vmapped over in a vmap. Please try to use "
    "out-of-place operators instead of {0}. If said operator is being "
    "called inside the PyTorch framework, please file a bug report instead."
)


class BatchedArray:
    """A backend array carrying a batch dimension (its first) that the core does not see.

    ``value`` is the array (or, under nested ``vmap``, a batched array of an outer level)
    with the batch in front; ``level`` identifies the ``vmap`` call. ``shape``/``ndim``/
    ``dtype``/``size`` describe one sample, as the core expects of an array.
    """

    __slots__ = ("value", "level")

    def __init__(self, value: Any, level: int) -> None:
        _state.live += 1
        if _state.live == 1:
            install()
        self.value = value
        self.level = level

    def __del__(self) -> None:
        try:
            _state.live -= 1
            if _state.live == 0 and not _state.active:
                uninstall()
        except (AttributeError, TypeError):  # interpreter shutdown
            pass

    @property
    def shape(self) -> tuple:
        return BatchedShape(self.value.shape[1:], self)

    @property
    def batch_size(self) -> int:
        return self.value.shape[0]

    @property
    def ndim(self) -> int:
        return self.value.ndim - 1

    @property
    def dtype(self) -> Any:
        return self.value.dtype

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def __bool__(self) -> bool:
        raise RuntimeError(CONTROL_FLOW_MESSAGE)

    def __int__(self) -> int:
        raise RuntimeError(ITEM_MESSAGE)

    __float__ = __index__ = __int__

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(ITEM_MESSAGE)

    def __repr__(self) -> str:
        return f"BatchedArray(lvl={self.level}, bdim=0, value={self.value!r})"


class BatchedShape(tuple):
    """A batched array's per-sample shape, remembering the array's batch levels: equal
    to another shape only if the dims and the levels are. So the engine, which compares
    each gradient's shape with the shape its input had, sees where a gradient batched
    at a level reaches a tensor that was not (see ``retrograd.vmap.leave_levels``)."""

    def __new__(cls, dims: Any, array: BatchedArray) -> BatchedShape:
        shape = super().__new__(cls, dims)
        shape.levels = levels_of(array)
        sizes = []
        while type(array) is BatchedArray:
            sizes.append(array.batch_size)
            array = array.value
        shape.batch_sizes = tuple(reversed(sizes))  # outermost level first, as in memory
        return shape

    def __eq__(self, other: object) -> bool:
        same = tuple.__eq__(self, other)
        if same is NotImplemented or not same:
            return same
        return getattr(other, "levels", ()) == self.levels

    def __ne__(self, other: object) -> bool:
        same = self.__eq__(other)
        return same if same is NotImplemented else not same

    __hash__ = tuple.__hash__


def levels_of(array: Any) -> tuple:
    """The batch levels of ``array``, innermost (highest) first; () if not batched."""
    levels = []
    while type(array) is BatchedArray:
        levels.append(array.level)
        array = array.value
    return tuple(levels)


def depth(level: int) -> int:
    """How many ``vmap`` calls are running at ``level`` and around it (PyTorch's ``lvl``);
    the level itself for one that is over."""
    for i, (active, _, _) in enumerate(_state.modes):
        if active == level:
            return i + 1
    return level


def is_active(level: int) -> bool:
    """Whether the ``vmap`` call of ``level`` is running."""
    return any(m[0] == level for m in _state.modes)


class _State:
    """How many batched arrays live, how many ``vmap`` calls are running, and each
    batching backend's own kernel table (to put back)."""

    def __init__(self) -> None:
        self.live = 0
        self.active = 0
        self.modes: list[tuple[int, str, int]] = []  # (level, randomness, batch size)
        self.originals: dict[int, Any] = {}  # id -> a backend given a batching table


_state = _State()


def physical(array: Any) -> Any:
    """``array`` with every batch level unwrapped (the whole batch, batch dims first)."""
    while type(array) is BatchedArray:
        array = array.value
    return array


def enter(level: int, randomness: str, size: int) -> None:
    """A ``vmap`` call of ``size`` samples starts: batching kernels stay installed until
    it ends."""
    _state.active += 1
    _state.modes.append((level, randomness, size))
    install()


def exit(level: int) -> None:
    """A ``vmap`` call ends: the kernels go back once no batched array is left."""
    _state.active -= 1
    _state.modes.remove(next(m for m in _state.modes if m[0] == level))
    if _state.active == 0 and _state.live == 0:
        uninstall()


def active_modes() -> tuple[tuple[int, str, int], ...]:
    """The running ``vmap`` calls, outermost first: ``(level, randomness, batch size)``."""
    return tuple(_state.modes)


def install() -> None:
    """Give every loaded backend a :class:`BatchingKernels` table over its current one
    (idempotent; a table someone swapped in meanwhile gets wrapped too)."""
    for backend in loaded_backends():
        if type(backend.kernels) is not BatchingKernels:
            _state.originals[id(backend)] = backend
            backend.kernels = BatchingKernels(backend.kernels)


def uninstall() -> None:
    """Put each backend's own kernel table back."""
    for backend in _state.originals.values():
        if type(backend.kernels) is BatchingKernels:
            backend.kernels = backend.kernels.original
    _state.originals.clear()


class BatchingKernels(dict):
    """A backend's kernel table while batched arrays exist: each kernel, built on first
    lookup, calls the backend's own kernel when no argument is batched, and the kernel's
    batching rule (:data:`RULES`) when one is."""

    def __init__(self, original: Any) -> None:
        super().__init__()
        self.original = original

    def __missing__(self, name: str) -> Callable[..., Any]:
        self.original[name]  # KeyError for a kernel the backend lacks, as before
        kernel = _batching_kernel(self, name)
        self[name] = kernel
        return kernel

    def __contains__(self, name: object) -> bool:
        return name in self.original

    # The plugin registry rebuilds a table in place (clear, then update): that is the
    # backend's own table. The kernels made here look it up on every call.
    def clear(self) -> None:
        self.original.clear()
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Write into the backend's own table, except kernels made here: restoring a
        snapshot of this table (``table.update(saved)`` after ``saved = dict(table)``,
        as a kernel-call counter does) leaves the backend's kernels its own."""
        entries = dict(*args, **kwargs)
        self.original.update({n: k for n, k in entries.items() if not _is_batching(k)})

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self.original else default


def _batching_kernel(table: BatchingKernels, name: str) -> Callable[..., Any]:
    """The kernel ``name`` of ``table``: the backend's own (looked up at each call, so a
    kernel replaced in the own table takes effect) when no argument is batched, else the
    batching rule. Never to be written into the own table: it would call itself."""
    original = table.original

    def kernel(*args: Any, **kwargs: Any) -> Any:
        level = top_level(args, kwargs)
        if level is None:
            return original[name](*args, **kwargs)
        rule = RULES.get(name)
        if rule is None:
            raise no_rule_error(name)
        return rule(table, name, level, args, kwargs)

    kernel.__name__ = name
    kernel.made_by_batching = True  # type: ignore[attr-defined]
    return kernel


def _is_batching(kernel: Any) -> bool:
    return getattr(kernel, "made_by_batching", False)


def own_table(kernels: Any) -> Any:
    """A backend's own kernel table, given its current one (which is a
    :class:`BatchingKernels` over the own table while batched arrays exist)."""
    return kernels.original if type(kernels) is BatchingKernels else kernels


def top_level(args: tuple, kwargs: dict) -> int | None:
    """The highest batch level among the arguments (one level of lists and tuples
    searched: ``concat``'s arrays, ``getitem``'s key), or None if none is batched."""
    level = None
    for a in (*args, *kwargs.values()):
        if type(a) is BatchedArray:
            if level is None or a.level > level:
                level = a.level
        elif type(a) in (tuple, list):
            for b in a:
                if type(b) is BatchedArray and (level is None or b.level > level):
                    level = b.level
    return level


# Filled by retrograd.batching_rules (kernel name -> rule(table, name, level, args, kwargs)).
RULES: dict[str, Callable[..., Any]] = {}
# Kernel name -> the public op names that call it (filled where the op records are known).
OP_NAMES: dict[str, str] = {}


def no_rule_error(kernel: str) -> RuntimeError:
    """The error for a kernel that has no batching rule, naming the op that called it."""
    op = OP_NAMES.get(kernel, kernel)
    return RuntimeError(
        f"vmap: {op} (kernel '{kernel}') cannot be batched: it has no batching rule. "
        "Call it outside vmap, or loop over the batch in Python."
    )
