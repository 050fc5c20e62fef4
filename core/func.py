"""``retrograd.func``: PyTorch's function transforms.

``grad``, ``grad_and_value``, ``vjp``, ``jacrev``, ``hessian`` and ``functional_call``
with ``torch.func``'s signatures, results and errors. A transform runs the function on
fresh tensors that require grad and calls :func:`retrograd.autograd.grad` with
``create_graph`` while grad mode is on, so transforms compose (``grad(grad(f))``) and
results stay differentiable w.r.t. tensors outside the transform (a closed-over weight
that requires grad, or arguments that do). A result that depends on nothing outside is
returned without history, as ``torch.func`` returns it.

Arguments and outputs may be nested tuples, lists and dicts of tensors ("pytrees").
The forward-mode transforms ``jvp``, ``jacfwd`` and ``linearize`` live in
:mod:`retrograd.func_forward`, ``functionalize`` in :mod:`retrograd.func_functionalize`,
``stack_module_state`` and ``replace_all_batch_norm_modules_`` in
:mod:`retrograd.func_modules`;
``hessian`` is forward over reverse (``jacfwd(jacrev(f))``), as in PyTorch. A tensor
lifted or lowered here keeps its forward-mode tangents, so the two modes compose.
``vmap`` (:mod:`retrograd.vmap`) batches any of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import dual, grad_mode
from .creation import eye, zeros_like
from .engine import grad as _autograd_grad
from .func_argnums import argnums_tuple as _argnums_tuple
from .func_forward import jacfwd, jvp, linearize
from .func_functionalize import functionalize
from .func_modules import replace_all_batch_norm_modules_, stack_module_state
from .graph import AccumulateGrad, walk
from .pytree import spec_text, tree_flatten, tree_unflatten
from .tensor import Tensor
from .vmap import vmap

__all__ = [
    "functional_call",
    "functionalize",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "replace_all_batch_norm_modules_",
    "stack_module_state",
    "vjp",
    "vmap",
]

ArgNums = int | tuple[int, ...]


# -- lifting inputs and lowering results -------------------------------------------------
def _lift(value: Any, outside_grad_mode: bool) -> Tensor:
    """A fresh tensor for one differentiated argument, connected to ``value``'s own
    history where it has one (so an enclosing transform or backward sees through)."""
    if not isinstance(value, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(value)}")
    if not value.dtype.is_floating_point:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    if value.requires_grad and outside_grad_mode:
        return value.view_as(value)
    return _with_tangents(value, value.detach().requires_grad_(True))


def _with_tangents(
    source: Tensor, target: Tensor, lower: Callable[[Any], Any] | None = None
) -> Tensor:
    """``target`` (``source`` detached) with ``source``'s forward-mode tangents (passed
    through ``lower`` first, where given)."""
    if dual.STATE.active:
        for index in dual.active_indices():
            tangent = dual.get_tangent(source, index)
            if tangent is not None:
                dual.set_tangent(target, tangent if lower is None else lower(tangent), index)
    return target


class _Level:
    """One transform call: its fresh inputs, and whether results keep history."""

    def __init__(self, fresh: list[Tensor], create_graph: bool) -> None:
        self.fresh_ids = {id(t) for t in fresh}
        self.create_graph = create_graph  # grad mode outside the transform

    def lower(self, value: Any) -> Any:
        """``value`` (a tree) without the history this level added, unless it depends on
        a tensor outside the level (then the history is needed by whoever tracks that)."""
        leaves, spec = tree_flatten(value)
        return tree_unflatten([self._lower_one(t) for t in leaves], spec)

    def _lower_one(self, t: Any) -> Any:
        if not isinstance(t, Tensor) or t.grad_fn is None and not t.requires_grad:
            return t
        if id(t) in self.fresh_ids or not self._reaches_outside(t):
            return _with_tangents(t, t.detach(), self._lower_one)
        return t

    def _reaches_outside(self, t: Tensor) -> bool:
        if t.grad_fn is None:
            return True  # a leaf made by the function itself that requires grad
        for node in walk(t.grad_fn):
            if type(node) is AccumulateGrad and id(node.variable) not in self.fresh_ids:
                return True
        return False


@contextmanager
def _lifted(args: tuple, argnums: Any) -> Iterator[tuple]:
    """``(new_args, diff_trees, level)``: ``args`` with the differentiated ones (trees of
    tensors) replaced by fresh tensors that require grad, under grad mode."""
    nums = _argnums_tuple(argnums, len(args))
    new_args, diff = list(args), []
    fresh: list[Tensor] = []
    outside = grad_mode.is_grad_enabled()
    with grad_mode.enable_grad():
        for n in nums:
            leaves, spec = tree_flatten(args[n])
            lifted = [_lift(v, outside) for v in leaves]
            fresh += lifted
            new_args[n] = tree_unflatten(lifted, spec)
            diff.append(new_args[n])
        level = _Level(fresh, outside)
        yield tuple(new_args), diff[0] if isinstance(argnums, int) else tuple(diff), level


def _split_aux(output: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return output


def _gradients(outputs: list, inputs: list, cotangents: list | None, level: _Level) -> list:
    """``autograd.grad`` w.r.t. ``inputs``, zeros for the unused ones (as torch.func)."""
    live = [i for i, o in enumerate(outputs) if o.requires_grad]
    if not live or not inputs:
        return [zeros_like(t) for t in inputs]
    grads = _autograd_grad(
        [outputs[i] for i in live],
        inputs,
        None if cotangents is None else [cotangents[i] for i in live],
        retain_graph=True,
        create_graph=level.create_graph,
        allow_unused=True,
    )
    return [zeros_like(t) if g is None else g for g, t in zip(grads, inputs, strict=True)]


# -- the transforms ----------------------------------------------------------------------
def grad_and_value(func: Callable, argnums: ArgNums = 0, has_aux: bool = False) -> Callable:
    """A function returning ``(gradient, value)`` of scalar ``func`` w.r.t. the arguments
    ``argnums`` names (``((gradient, (value, aux))`` with ``has_aux``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        api = "grad_and_value(f)(*args)"
        with _lifted(args, argnums) as (new_args, diff, level):
            output, aux = _split_aux(func(*new_args, **kwargs), has_aux, api)
            _check_scalar(output, api)
            leaves, spec = tree_flatten(diff)
            grads = tree_unflatten(_gradients([output], leaves, None, level), spec)
        grads, output = level.lower(grads), level.lower(output)
        return (grads, (output, level.lower(aux))) if has_aux else (grads, output)

    return wrapper


def _check_scalar(output: Any, api: str) -> None:
    if not isinstance(output, Tensor):
        raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(output)}")
    if output.dim() != 0:
        raise RuntimeError(
            f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
            f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?"
        )


def grad(func: Callable, argnums: ArgNums = 0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of scalar ``func`` w.r.t. argument ``argnums``
    (a tuple of gradients for a tuple of argnums; ``(gradient, aux)`` with ``has_aux``)."""
    both = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        grads, value = both(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapper


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)`` (and ``aux``): ``vjp_fn(cotangents)`` returns one
    gradient tree per primal, and may be called many times."""
    api = "vjp(f, *primals)"
    with _lifted(primals, tuple(range(len(primals)))) as (new_args, diff, level):
        output, aux = _split_aux(func(*new_args), has_aux, api)
        out_leaves, out_spec = tree_flatten(output)
        for leaf in out_leaves:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(
                    f"{api}: expected f(*primals) to return only tensors, got unsupported "
                    f"type {type(leaf)}"
                )
    in_leaves, in_spec = tree_flatten(diff)

    def vjp_fn(cotangents: Any) -> tuple:
        cot_leaves, cot_spec = tree_flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {spec_text(cot_spec)}, primal "
                f"output: {spec_text(out_spec)}"
            )
        with grad_mode.set_grad_enabled(level.create_graph):
            grads = _gradients(out_leaves, in_leaves, cot_leaves, level)
        return level.lower(tree_unflatten(grads, in_spec))

    lowered = level.lower(output)
    return (lowered, vjp_fn, level.lower(aux)) if has_aux else (lowered, vjp_fn)


def jacrev(
    func: Callable,
    argnums: ArgNums = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable:
    """A function returning the Jacobian of ``func`` w.r.t. argument ``argnums``: one
    reverse pass batched by :func:`vmap` over the output's elements (``chunk_size`` of
    them at a time, all at once by default). Each Jacobian block has shape
    ``output.shape + input.shape``; trees of outputs give the same tree of Jacobians."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _lifted(args, argnums) as (new_args, diff, level):
            output, aux = _split_aux(func(*new_args, **kwargs), has_aux, "vjp(f, *primals)")
            out_leaves, out_spec = tree_flatten(output)
            in_leaves, in_spec = tree_flatten(diff)
            blocks = [_jacobian_rows(out, in_leaves, level, chunk_size) for out in out_leaves]
        per_output = [tree_unflatten(b, in_spec) for b in blocks]
        jac = level.lower(tree_unflatten(per_output, out_spec))
        return (jac, level.lower(aux)) if has_aux else jac

    return wrapper


def _jacobian_rows(out: Any, inputs: list, level: _Level, chunk_size: int | None) -> list:
    """The Jacobian of ``out`` w.r.t. each input: one backward pass under ``vmap`` over
    the rows of the identity (as torch.func), ``chunk_size`` rows at a time."""
    if not isinstance(out, Tensor):
        raise RuntimeError(
            "vjp(f, *primals): expected f(*primals) to return only tensors, got "
            f"unsupported type {type(out)}"
        )
    n = out.numel()
    if not n:
        return [zeros_like(t).reshape(tuple(out.shape) + tuple(t.shape)) for t in inputs]
    basis = eye(n, dtype=out.dtype, backend=out.backend)

    def row(v: Tensor) -> tuple:
        return tuple(_gradients([out], inputs, [v.view(out.shape)], level))

    rows = vmap(row, chunk_size=chunk_size)(basis)
    return [r.view(tuple(out.shape) + tuple(t.shape)) for r, t in zip(rows, inputs, strict=True)]


def hessian(func: Callable, argnums: ArgNums = 0) -> Callable:
    """The Hessian of scalar ``func`` w.r.t. argument ``argnums``: forward over reverse,
    ``jacfwd(jacrev(func, argnums), argnums)``, as in PyTorch."""
    return jacfwd(jacrev(func, argnums), argnums)


# -- calling a module with other parameters ----------------------------------------------
def functional_call(
    module: Any,
    parameter_and_buffer_dicts: dict | tuple | list,
    args: Any = None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced by the
    tensors in ``parameter_and_buffer_dicts`` (keys as ``named_parameters()`` names them),
    then put the originals back. ``strict=True`` requires every parameter and buffer."""
    mapping = _merged(parameter_and_buffer_dicts)
    if strict:
        _check_all_given(module, mapping)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _swapped(module, _with_tied(module, mapping) if tie_weights else mapping):
        return module(*args, **(kwargs or {}))


def _merged(dicts: dict | tuple | list) -> dict:
    if isinstance(dicts, dict):
        return dict(dicts)
    merged: dict = {}
    for d in dicts:
        for key in d:
            if key in merged:
                raise ValueError(
                    f"{key} appeared in multiple dictionaries; behavior of functional call "
                    "is ambiguous"
                )
        merged.update(d)
    return merged


def _named_state(module: Any) -> dict:
    """Every parameter and buffer by name, tied ones under each of their names."""
    state: dict = {}
    for method in ("named_parameters", "named_buffers"):
        fn = getattr(module, method, None)
        if fn is not None:
            state.update(fn(remove_duplicate=False))
    return state


def _check_all_given(module: Any, mapping: dict) -> None:
    names = set(_named_state(module))
    missing, unexpected = sorted(names - set(mapping)), sorted(set(mapping) - names)
    if missing or unexpected:
        raise RuntimeError(
            "Error(s) in reparametrizing for {}:\n\tMissing key(s): {}.\n\tUnexpected "
            "key(s): {}.".format(
                type(module).__name__,
                ", ".join(f"'{k}'" for k in missing),
                ", ".join(f"'{k}'" for k in unexpected),
            )
        )


def _with_tied(module: Any, mapping: dict) -> dict:
    """Give every name of a tied (shared) tensor the replacement given for any of them."""
    by_id: dict[int, list[str]] = {}
    for name, t in _named_state(module).items():
        by_id.setdefault(id(t), []).append(name)
    result = dict(mapping)
    for names in by_id.values():
        given = [n for n in names if n in mapping]
        for n in names:
            if given and n not in mapping:
                result[n] = mapping[given[0]]
    return result


@contextmanager
def _swapped(module: Any, mapping: dict) -> Iterator[None]:
    """Replace each named attribute for the duration (in ``_parameters``/``_buffers``
    where the owner registers it there, as a plain attribute otherwise)."""
    undo = []
    try:
        for name, value in mapping.items():
            owner, attr = _owner(module, name)
            undo.append(_put(owner, attr, value))
        yield
    finally:
        for restore in reversed(undo):
            restore()


def _owner(module: Any, name: str) -> tuple[Any, str]:
    *path, attr = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, attr


def _put(owner: Any, attr: str, value: Any) -> Callable[[], None]:
    for registry_name in ("_parameters", "_buffers"):
        registry = getattr(owner, registry_name, None)
        if isinstance(registry, dict) and attr in registry:
            old = registry[attr]
            registry[attr] = value
            return lambda: registry.__setitem__(attr, old)
    missing = object()
    old = owner.__dict__.get(attr, missing)
    object.__setattr__(owner, attr, value)
    if old is missing:
        return lambda: object.__delattr__(owner, attr)
    return lambda: object.__setattr__(owner, attr, old)
