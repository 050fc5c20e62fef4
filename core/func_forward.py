"""``retrograd.func``'s forward-mode transforms: ``jvp`` and ``jacfwd``.

``jvp(func, primals, tangents)`` runs ``func`` once inside a dual level of its own
(:mod:`retrograd.dual`; levels nest, so ``jacfwd(jacfwd(f))`` works) and returns the
output and its tangent. ``jacfwd`` builds the Jacobian one column per input element
(one ``jvp`` each: retrograd batches no basis vectors), each block of shape
``output.shape + input.shape`` as ``torch.func.jacfwd`` returns it (``func.hessian``
is ``jacfwd(jacrev(func))``).

Results keep their history w.r.t. tensors outside the transform (the primals are
viewed, not detached), so reverse mode can differentiate through a ``jvp``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import dual
from .autograd.forward_ad import make_dual
from .creation import zeros_like
from .func_argnums import argnums_tuple
from .ops.joining import stack
from .pytree import tree_flatten, tree_unflatten
from .tensor import Tensor

__all__ = ["jacfwd", "jvp"]

_API = "jvp(f, primals, tangents)"


def _treespec(spec: Any, indent: int = 0) -> str:
    """A tree structure as PyTorch's ``TreeSpec`` repr prints it (errors quote it)."""
    if spec is None:
        return "*"
    kind, inner = spec
    if kind is dict:
        keys, (_, specs) = inner
        context, children = repr(keys), [s for _, s in specs]
    else:
        context, children = "None", [s for _, s in inner]
    indent += 2
    parts = [_treespec(c, indent) for c in children]
    text = ("," + "".join(f"\n{' ' * indent}{p}," for p in parts[1:]))[:-1] if parts[1:] else ""
    return f"TreeSpec({kind.__name__}, {context}, [{parts[0] if parts else ''}{text}])"


def _check_inputs(primals: Any, tangents: Any) -> tuple[list, list, Any]:
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_API}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    p_leaves, p_spec = tree_flatten(primals)
    t_leaves, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{_API}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {_treespec(p_spec)} and tangents with structure {_treespec(t_spec)}"
        )
    if not p_leaves:
        raise RuntimeError(f"{_API}: Expected primals to contain at least one Tensor.")
    for leaf in (*p_leaves, *t_leaves):
        if not isinstance(leaf, Tensor):
            raise RuntimeError(
                f"{_API}: Expected primals and tangents to only contain Tensors, got {type(leaf)}"
            )
    return p_leaves, t_leaves, p_spec


def _split_aux(output: Any, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{_API}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return output


def jvp(
    func: Callable, primals: Any, tangents: Any, *, strict: bool = False, has_aux: bool = False
) -> tuple:
    """``(func(*primals), J @ tangents)`` (and ``aux`` with ``has_aux``): the output and
    the Jacobian-vector product, trees shaped like ``func``'s output. ``strict`` is
    accepted, as in PyTorch."""
    p_leaves, t_leaves, spec = _check_inputs(primals, tangents)
    level = dual.enter_level()
    try:
        duals = [make_dual(p, t, level=level) for p, t in zip(p_leaves, t_leaves, strict=True)]
        output, aux = _split_aux(func(*tree_unflatten(duals, spec)), has_aux)
        out_leaves, out_spec = tree_flatten(output)
        pairs = [_unpack(o, level) for o in out_leaves]
    finally:
        dual.exit_level(level)
    primal_out = tree_unflatten([p for p, _ in pairs], out_spec)
    tangent_out = tree_unflatten([t for _, t in pairs], out_spec)
    return (primal_out, tangent_out, aux) if has_aux else (primal_out, tangent_out)


def _unpack(out: Any, level: int) -> tuple[Tensor, Tensor]:
    """An output's primal (its tangents at outer levels kept) and tangent at ``level``
    (zeros where it does not depend on the primals)."""
    if not isinstance(out, Tensor):
        raise RuntimeError(
            f"{_API}: expected f(*primals) to return only tensors, got unsupported type {type(out)}"
        )
    tangent = dual.get_tangent(out, level)
    with dual.below(level):
        primal = out.view_as(out) if tangent is not None else out
        return primal, zeros_like(out) if tangent is None else tangent


def jacfwd(
    func: Callable, argnums: Any = 0, has_aux: bool = False, *, randomness: str = "error"
) -> Callable:
    """A function returning the Jacobian of ``func`` w.r.t. the arguments ``argnums``
    names, by forward mode: one ``jvp`` per element of the differentiated inputs. Each
    block has shape ``output.shape + input.shape``; trees of outputs and of inputs give
    the same nesting as ``torch.func.jacfwd`` (outputs outside, inputs inside).
    ``randomness`` is accepted."""

    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        nums = argnums_tuple(argnums, len(args))
        diff = [args[n] for n in nums]
        in_leaves, in_spec = tree_flatten(tuple(diff))
        columns: list[list] = []
        output = aux = None

        def call(*primals: Any) -> Any:
            full = list(args)
            for n, value in zip(nums, primals, strict=True):
                full[n] = value
            return func(*full)

        for i, leaf in enumerate(in_leaves):
            for k in range(leaf.numel()):
                basis = [zeros_like(t) for t in in_leaves]
                basis[i] = _one_hot(leaf, k)
                result = jvp(call, tuple(diff), tree_unflatten(basis, in_spec), has_aux=has_aux)
                output, tangent = result[0], result[1]
                aux = result[2] if has_aux else None
                columns.append(tree_flatten(tangent)[0])
        jac = _assemble(output, columns, in_leaves, in_spec, argnums)
        return (jac, aux) if has_aux else jac

    return wrapper


def _one_hot(like: Tensor, k: int) -> Tensor:
    basis = zeros_like(like).reshape(-1)
    basis[k] = 1
    return basis.reshape(like.shape)


def _assemble(output: Any, columns: list, in_leaves: list, in_spec: Any, argnums: Any) -> Any:
    """The Jacobian tree from the per-element tangents (``columns[j]``: every output's
    tangent for the ``j``-th input element)."""
    out_leaves, out_spec = tree_flatten(output)
    blocks = []
    for o, out in enumerate(out_leaves):
        per_input, start = [], 0
        for leaf in in_leaves:
            cols = [columns[j][o] for j in range(start, start + leaf.numel())]
            start += leaf.numel()
            shape = tuple(out.shape) + tuple(leaf.shape)
            block = stack(cols, -1).reshape(shape) if cols else out.new_zeros(shape)
            per_input.append(block)
        tree = tree_unflatten(per_input, in_spec)
        blocks.append(tree[0] if isinstance(argnums, int) else tree)
    return tree_unflatten(blocks, out_spec)
