"""``retrograd.func``'s forward-mode transforms: ``jvp``, ``jacfwd`` and ``linearize``.

``jvp(func, primals, tangents)`` runs ``func`` once inside a dual level of its own
(:mod:`retrograd.dual`; levels nest, so ``jacfwd(jacfwd(f))`` works) and returns the
output and its tangent. ``jacfwd`` builds the whole Jacobian in one ``jvp`` batched by
``vmap`` over the columns of the identity
(:mod:`retrograd.autograd.forward_jacobian`), each block of shape ``output.shape +
input.shape`` as ``torch.func.jacfwd`` returns it (``func.hessian`` is
``jacfwd(jacrev(func))``).

Results keep their history w.r.t. tensors outside the transform (the primals are
viewed, not detached), so reverse mode can differentiate through a ``jvp``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from . import dual
from .autograd.forward_ad import NESTED, make_dual
from .autograd.forward_jacobian import jacobian_blocks, standard_basis
from .creation import zeros_like
from .func_argnums import argnums_tuple
from .pytree import tree_flatten, tree_unflatten
from .tensor import Tensor
from .vmap import vmap

__all__ = ["jacfwd", "jvp", "linearize"]

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
    for leaf in tree_flatten(output[1])[0]:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return output


def jvp(
    func: Callable, primals: Any, tangents: Any, *, strict: bool = False, has_aux: bool = False
) -> tuple:
    """``(func(*primals), J @ tangents)`` (and ``aux`` with ``has_aux``): the output and
    the Jacobian-vector product, trees shaped like ``func``'s output. ``strict`` is
    accepted, as in PyTorch."""
    p_leaves, t_leaves, spec = _check_inputs(primals, tangents)
    if dual.in_public_level():  # PyTorch's jvp runs in a dual level of the public API's
        raise RuntimeError(NESTED)
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
    names, by forward mode: one ``jvp`` batched by :func:`vmap` (``randomness`` passed to
    it) over the columns of the identity, as ``torch.func.jacfwd``. Each block has shape
    ``output.shape + input.shape``; trees of outputs and of inputs give the same nesting
    as PyTorch's (outputs outside, inputs inside)."""

    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        nums = argnums_tuple(argnums, len(args))
        diff = tuple(args[n] for n in nums)
        in_leaves, in_spec = tree_flatten(diff)

        def call(*primals: Any) -> Any:
            full = list(args)
            for n, value in zip(nums, primals, strict=True):
                full[n] = value
            return func(*full)

        def push(*basis: Tensor) -> Any:
            result = jvp(call, diff, tree_unflatten(list(basis), in_spec), has_aux=has_aux)
            return (result[1], result[2]) if has_aux else result[1]

        results = vmap(push, randomness=randomness)(*standard_basis(in_leaves))
        tangents, aux = results if has_aux else (results, None)
        out_leaves, out_spec = tree_flatten(tangents)
        blocks = []
        for batched in out_leaves:
            tree = tree_unflatten(
                jacobian_blocks(batched, tuple(batched.shape[1:]), in_leaves), in_spec
            )
            blocks.append(tree[0] if isinstance(argnums, int) else tree)
        jac = tree_unflatten(blocks, out_spec)
        return (jac, _first_sample(aux)) if has_aux else jac

    return wrapper


def _first_sample(aux: Any) -> Any:
    """``aux`` as ``func`` returned it: every sample of the batch holds the same."""
    leaves, spec = tree_flatten(aux)
    return tree_unflatten([leaf[0] for leaf in leaves], spec)


def linearize(func: Callable, *primals: Any) -> tuple[Any, Callable]:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is ``J @ tangents`` at
    ``primals`` (trees shaped like ``func``'s output), tangents checked against the
    primals' structure, shapes, devices and dtypes with PyTorch's errors. PyTorch traces
    the tangent computation once into a graph; here ``jvp_fn`` runs ``func`` again in
    forward mode (:func:`jvp`) at each call, so ``func`` must be deterministic."""
    output = func(*primals)
    flat_primals, spec = tree_flatten(primals)
    meta = [(p.shape, p.device, p.dtype) for p in flat_primals]

    def jvp_fn(*tangents: Any) -> Any:
        flat_tangents, tangent_spec = tree_flatten(tangents)
        if tangent_spec != spec:
            raise RuntimeError(
                f"Expected the tangents {_treespec(tangent_spec)} to have the same argspec "
                f"as the primals {_treespec(spec)}"
            )
        for idx, (t, expected) in enumerate(zip(flat_tangents, meta, strict=True)):
            for what, got, want in zip(("shape", "device", "dtype"), _meta(t), expected):
                if got != want:
                    raise RuntimeError(
                        f"tangent:{idx} with {what} {got} in flattened pytree doesn't match "
                        f"the {what} {want} of the corresponding primal."
                    )
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn


def _meta(t: Any) -> tuple:
    return t.shape, t.device, t.dtype
