"""``retrograd.func.vmap``: run a function once over a batch, as ``torch.func.vmap``.

``vmap(func, in_dims, out_dims, randomness, chunk_size=...)(*args)`` moves each mapped
argument's batch dimension (``in_dims``) to the front and hands ``func`` tensors whose
data is a :class:`~retrograd.batching.BatchedArray`: to ``func`` (and to every op, the
autograd engine included) they look like one sample. Each kernel then runs once on the
whole batch through its batching rule (:mod:`retrograd.batching_rules`), never once per
sample. The results' batch dimensions go where ``out_dims`` says.

Entering and leaving a level are autograd ops of their own (nodes ``VmapWrapBackward``
and ``VmapUnwrapBackward``), so gradients flow through ``vmap`` both ways:
``grad(lambda x: vmap(f)(x).sum())`` and ``vmap(grad(f))`` (per-sample gradients) both
work, nested to any depth.

``randomness``: ``"error"`` (PyTorch's default) refuses a random op inside the function;
``"same"`` draws one sample's worth of numbers shared by the whole batch;
``"different"`` draws independent numbers for each sample (the whole batch's in one draw,
as PyTorch does): see :mod:`retrograd.batching_random`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

from . import batching, batching_indexing, batching_rules, dual, grad_mode
from .graph import Node, input_fields
from .ops import RECORDS
from .ops.joining import cat
from .pytree import tree_flatten, tree_unflatten
from .random import default_generator
from .storage import Storage
from .tensor import Tensor

__all__ = ["vmap"]

del batching_rules, batching_indexing  # imported for their rules
_levels = itertools.count(1)
RANDOMNESS = ("error", "different", "same")


def _fill_op_names() -> None:
    names: dict[str, list[str]] = {}
    for record in RECORDS:
        names.setdefault(record.kernel, [])
        if record.public not in names[record.kernel]:
            names[record.kernel].append(record.public)
    batching.OP_NAMES.update({k: "/".join(v) for k, v in names.items()})


_fill_op_names()


# -- entering and leaving a level (autograd ops) --------------------------------------------
class _LevelNode(Node):
    __slots__ = ("level", "size")

    def __init__(self, source: Tensor, level: int, size: int) -> None:
        super().__init__()
        self._inputs = input_fields(source)
        self.level, self.size = level, size


class VmapWrapBackward(_LevelNode):
    """Backward of entering a level: the batched gradient, batch dim in front."""

    __slots__ = ()

    def apply(self, grad_outputs: tuple) -> list:
        g = grad_outputs[0]
        return [None if g is None else unwrap(g, self.level, self.size)]


class VmapUnwrapBackward(_LevelNode):
    """Backward of leaving a level: the gradient of the whole batch, batched again."""

    __slots__ = ()

    def apply(self, grad_outputs: tuple) -> list:
        g = grad_outputs[0]
        return [None if g is None else wrap(g, self.level, self.size)]


def _recorded(out: Tensor, source: Tensor, node_class: type, level: int, size: int) -> Tensor:
    if grad_mode.is_grad_enabled() and source.requires_grad:
        out._grad_fn = node_class(source, level, size)
    return out


class BatchedStorage(Storage):
    """The storage of a tensor entering a level: ``source``'s array, batched. It reads
    the source's current array and writes back into it, so an in-place op on a mapped
    argument changes the caller's tensor on every backend (JAX rebinds arrays)."""

    __slots__ = ("source", "level", "_seen", "_cached")

    def __init__(self, source: Storage, level: int) -> None:
        self.source, self.level = source, level
        self._version, self._counter = 0, source.counter
        self._seen = self._cached = None

    @property  # type: ignore[override]
    def array(self) -> Any:
        current = self.source.array
        if current is not self._seen:
            self._cached, self._seen = batching.BatchedArray(current, self.level), current
        return self._cached

    @array.setter
    def array(self, value: Any) -> None:
        self.source.array = value.value  # in-place kernels keep the level (or refuse)


def wrap(t: Tensor, level: int, size: int) -> Tensor:
    """``t`` (batch dim in front) as a batched tensor of ``level``; shares its memory
    and version counter."""
    storage = BatchedStorage(t._storage, level)
    out = Tensor._make(storage.array, t._dtype, t._backend, storage)
    _carry_tangents(t, out, lambda tangent: wrap(tangent, level, size))
    return _recorded(out, t, VmapWrapBackward, level, size)


def unwrap(t: Tensor, level: int, size: int) -> Tensor:
    """The whole batch of ``t`` at ``level``, batch dim in front (a tensor not batched
    at ``level`` is the same for every sample: repeated ``size`` times)."""
    array = t._storage.array
    if type(array) is batching.BatchedArray and array.level == level:
        value = array.value
    else:
        value = t._backend.kernels["broadcast_to"](array, (size, *array.shape))
    out = Tensor._make(value, t._dtype, t._backend)
    _carry_tangents(t, out, lambda tangent: unwrap(tangent, level, size))
    return _recorded(out, t, VmapUnwrapBackward, level, size)


def _carry_tangents(source: Tensor, out: Tensor, convert: Callable) -> None:
    """Give ``out`` the forward-mode tangents of ``source``, batched or unbatched as
    ``out`` is (``jacfwd(jacrev(f))``: tangents cross ``vmap``)."""
    if not dual.STATE.active:
        return
    grads = getattr(source, "_fw_grads", None)
    for index in dual.active_indices() if grads else ():
        if index in grads:
            dual.set_tangent(out, convert(grads[index]), index)


def leave_levels(g: Tensor, shape: tuple) -> Tensor:
    """Gradient ``g`` for an input of ``shape``, summed over each batch level ``g`` has
    and the input had not, where that ``vmap`` call is over: a tensor used by every
    sample (a weight closed over) gets the sum of their gradients, as PyTorch gives it.
    Inside the call, the per-sample gradients stay (``vmap(grad(f))``)."""
    wanted = getattr(shape, "levels", ())
    levels = batching.levels_of(g._storage.array)
    while levels and levels[0] not in wanted and not batching.is_active(levels[0]):
        size = g._storage.array.batch_size
        g = unwrap(g, levels[0], size).sum(0)
        levels = levels[1:]
    return g


# -- the transform ---------------------------------------------------------------------------
def vmap(
    func: Callable,
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """``func`` mapped over dimension ``in_dims`` of its arguments (an int for all, or a
    tuple matching ``args``, None for an argument not mapped); results are stacked along
    ``out_dims``. ``chunk_size`` maps that many samples at a time."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if randomness not in RANDOMNESS:
            raise RuntimeError(
                "Only allowed values for randomness are 'error', 'different', or 'same'. "
                f"Got {randomness}"
            )
        if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
            raise ValueError(
                f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})"
            )
        call = _Call(func, in_dims, out_dims, randomness)
        flat, spec, dims, size = call.check(args)
        if chunk_size is None or chunk_size >= size:
            return call.run(flat, spec, dims, size, kwargs)
        return call.chunked(flat, spec, dims, size, kwargs, chunk_size)

    return wrapper


def _name(func: Callable) -> str:
    return getattr(func, "__name__", repr(func))


class _Call:
    """One ``vmap(func, ...)(*args)`` call: checks, levels and results."""

    def __init__(self, func: Callable, in_dims: Any, out_dims: Any, randomness: str) -> None:
        self.func, self.in_dims, self.out_dims = func, in_dims, out_dims
        self.randomness = randomness
        self.name = _name(func)

    def _where(self) -> str:
        return f"vmap({self.name}, in_dims={self.in_dims!r}, ...)(<inputs>)"

    def check(self, args: tuple) -> tuple[list, Any, list, int]:
        """The flat arguments, their structure, each one's in_dim and the batch size."""
        if not args:
            raise ValueError(
                f"vmap({self.name})(<inputs>): got no inputs. Maybe you forgot to add inputs, "
                "or you are trying to vmap over a function with no inputs. The latter is "
                "unsupported."
            )
        if not (isinstance(self.in_dims, (int, tuple)) and not isinstance(self.in_dims, bool)):
            raise ValueError(
                f"{self._where()}: expected `in_dims` to be int or a (potentially nested) "
                "tuple matching the structure of inputs, got: "
                f"{type(self.in_dims)}."
            )
        flat, spec = tree_flatten(args)
        dims = _broadcast(self.in_dims, args)
        if dims is None:
            raise ValueError(
                f"{self._where()}: in_dims is not compatible with the structure of `inputs`. "
                f"in_dims has structure {treespec_repr(self.in_dims)} but inputs has "
                f"structure {treespec_repr(args)}."
            )
        sizes = [self._size(a, d) for a, d in zip(flat, dims, strict=True) if d is not None]
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) != 1:
            raise ValueError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, "
                f"got sizes {sizes} for the mapped dimension"
            )
        dims = [None if d is None else d % max(a.dim(), 1) for a, d in zip(flat, dims)]
        return flat, spec, dims, sizes[0]

    def _size(self, arg: Any, dim: Any) -> int:
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError(
                f"{self._where()}: Got in_dim={dim} for an input but in_dim must be either "
                "an integer dimension or None."
            )
        if not isinstance(arg, Tensor):
            raise ValueError(
                f"{self._where()}: Got in_dim={dim} for an input but the input is of type "
                f"{type(arg)}. We cannot vmap over non-Tensor arguments, please use None as "
                "the respective in_dim"
            )
        n = arg.dim()
        if not -n <= dim < n:
            raise ValueError(
                f"{self._where()}: Got in_dim={dim} for some input, but that input is a "
                f"Tensor of dimensionality {n} so expected in_dim to satisfy -{n} <= in_dim "
                f"< {n}."
            )
        return arg.shape[dim]

    def run(self, flat: list, spec: Any, dims: list, size: int, kwargs: dict) -> Any:
        """Call ``func`` once on the batched arguments; the results unbatched."""
        level = next(_levels)
        batching.enter(level, self.randomness, size)
        try:
            batched = [
                a if d is None else wrap(a.movedim(d, 0) if d else a, level, size)
                for a, d in zip(flat, dims, strict=True)
            ]
            output = self.func(*tree_unflatten(batched, spec), **kwargs)
            return self._outputs(output, level, size)
        finally:
            batching.exit(level)

    def chunked(self, flat: list, spec: Any, dims: list, size: int, kwargs: dict, chunk: int):
        """``run`` on ``chunk`` samples at a time; results concatenated."""
        results = []
        # "same": every chunk draws the numbers the first drew (PyTorch resets the state).
        state = default_generator.get_state() if self.randomness == "same" else None
        for start in range(0, size, chunk):
            n = min(chunk, size - start)
            part = [a if d is None else a.narrow(d, start, n) for a, d in zip(flat, dims)]
            if state is not None:
                default_generator.set_state(state)
            results.append(self.run(part, spec, dims, n, kwargs))
        leaves = [tree_flatten(r)[0] for r in results]
        first, out_spec = tree_flatten(results[0])
        out_dims = _broadcast(self.out_dims, results[0]) or [None] * len(first)
        joined = [
            cat([row[i] for row in leaves], d)
            if isinstance(first[i], Tensor) and d is not None
            else first[i]
            for i, d in enumerate(out_dims)
        ]
        return tree_unflatten(joined, out_spec)

    def _outputs(self, output: Any, level: int, size: int) -> Any:
        out_dims = self.out_dims
        if not _is_dims(out_dims):
            raise ValueError(
                f"vmap({self.name}, ..., out_dims={out_dims}): `out_dims` must be an int, None "
                "or a python collection of ints representing where in the outputs the "
                "vmapped dimension should appear."
            )
        leaves, spec = tree_flatten(output)
        dims = _broadcast(out_dims, output)
        if dims is None:
            raise ValueError(
                f"vmap({self.name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                "compatible with the structure of `outputs`. out_dims has structure "
                f"{treespec_repr(out_dims)} but outputs has structure {treespec_repr(output)}."
            )
        return tree_unflatten([self._output(t, d, level, size) for t, d in zip(leaves, dims)], spec)

    def _output(self, t: Any, dim: Any, level: int, size: int) -> Any:
        if dim is None:
            if isinstance(t, Tensor) and _batched_at(t, level):
                raise ValueError(
                    f"vmap({self.name}, ...): `{self.name}` can not return a BatchedTensor "
                    "when out_dim is None"
                )
            return t
        if not isinstance(t, Tensor):
            raise ValueError(
                f"vmap({self.name}, ...): `{self.name}` must only return Tensors, got type "
                f"{type(t)}. Did you mean to set out_dims= to None for output?"
            )
        out = unwrap(t, level, size)
        n = out.dim()
        if not -n <= dim < n:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got "
                f"{dim})"
            )
        return out.movedim(0, dim) if dim % n else out


def _batched_at(t: Tensor, level: int) -> bool:
    array = t._storage.array
    return type(array) is batching.BatchedArray and array.level == level


def _is_dims(dims: Any) -> bool:
    if dims is None or (isinstance(dims, int) and not isinstance(dims, bool)):
        return True
    if isinstance(dims, (tuple, list)):
        return all(_is_dims(d) for d in dims)
    if isinstance(dims, dict):
        return all(_is_dims(d) for d in dims.values())
    return False


def _broadcast(dims: Any, tree: Any) -> list | None:
    """One dim per leaf of ``tree``: ``dims`` is a prefix of its structure (an int or
    None covers a whole subtree); None when the structures do not match."""
    if dims is None or not isinstance(dims, (tuple, list, dict)):
        return [dims] * len(tree_flatten(tree)[0])
    if isinstance(dims, dict):
        if not isinstance(tree, dict) or list(dims) != list(tree):
            return None
        dims, tree = list(dims.values()), list(tree.values())
    elif type(dims) is not type(tree) or len(dims) != len(tree):
        return None
    out: list = []
    for d, t in zip(dims, tree, strict=True):
        sub = _broadcast(d, t)
        if sub is None:
            return None
        out += sub
    return out


def treespec_repr(tree: Any, indent: int = 0) -> str:
    """A tree's structure as PyTorch's ``TreeSpec`` prints it (``*`` for a leaf)."""
    if isinstance(tree, dict):
        kind, context, children = "dict", repr(list(tree)), list(tree.values())
    elif isinstance(tree, (tuple, list)):
        kind, context, children = type(tree).__name__, "None", list(tree)
    else:
        return "*"
    inner = ""
    if children:
        indent += 2
        parts = [treespec_repr(c, indent) for c in children]
        inner = parts[0] + ("," if len(parts) > 1 else "")
        inner += ",".join("\n" + " " * indent + p for p in parts[1:])
    return f"TreeSpec({kind}, {context}, [{inner}])"
