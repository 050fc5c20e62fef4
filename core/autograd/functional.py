"""``retrograd.autograd.functional``: PyTorch's higher-level autograd API.

``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``hvp`` and ``vhp`` take a function and its
inputs (a Tensor or a tuple of Tensors) and return what ``torch.autograd.functional``
returns, with its errors. Each runs the function on fresh tensors that require grad and
calls :func:`retrograd.autograd.grad`: reverse mode only. ``jvp`` and ``hvp`` use the
double-backward trick, as PyTorch's do: the vector-Jacobian product is linear in its
vector ``u``, so differentiating ``J^T u`` w.r.t. ``u`` gives ``J v``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import dual, grad_mode
from ..creation import zeros_like
from ..engine import grad as _grad
from ..ops.joining import stack
from ..tensor import Tensor
from .batched_grad import jacobian_rows
from .forward_jacobian import forward_jacobian

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

Inputs = Tensor | tuple[Tensor, ...]

_STRICT_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
    "outputs must be computed in a differentiable manner from the input when running in "
    "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of "
    "the user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not allowed in "
    "strict mode. You should ensure that your function is twice differentiable and that the "
    "jacobian depends on the inputs (this would be violated by a linear function for "
    "example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
    "independent of the input. This is not allowed in strict mode. You should ensure that "
    "your function is thrice differentiable and that the hessian depends on the inputs.",
}
_ZERO_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
    "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}


# -- argument handling (PyTorch's checks and messages) -----------------------------------
def _as_tuple(value: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """``(was_tuple, value as a tuple of Tensors)``; TypeError for anything else."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, el in enumerate(values):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the {where} has type {_torch_type(el)}."
            )
    return is_tuple, values


def _torch_type(value: Any) -> Any:
    """``type(value)`` as PyTorch prints it."""
    return type(value)


def _outputs(value: Any, fn_name: str) -> tuple[bool, tuple]:
    return _as_tuple(value, "outputs of the user-provided function", fn_name)


def _unpack(values: tuple, was_tuple: bool | tuple[bool, bool]) -> Any:
    """Undo :func:`_as_tuple` (for nested results: one flag per level, outer first)."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            values = tuple(v[0] for v in values)
        return values if outer else values[0]
    return values if was_tuple else values[0]


def _fresh(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """New tensor objects for ``inputs``: differentiable aliases under ``create_graph``
    (so gradients flow back to the caller's tensors), detached ones otherwise (so the
    function's use of the caller's tensors by closure is not mistaken for the input).
    Forward-mode tangents are kept (a forward-over-reverse Hessian needs them)."""
    return tuple(
        t.view_as(t) if create_graph and t.requires_grad else _detached(t, need_graph)
        for t in inputs
    )


def _detached(t: Tensor, need_graph: bool) -> Tensor:
    fresh = t.detach().requires_grad_(need_graph)
    if dual.STATE.active:
        dual.copy_tangents(t, fresh)
    return fresh


def _finish(values: tuple, create_graph: bool) -> tuple:
    """Results without history unless ``create_graph`` (nested tuples too)."""
    if values and isinstance(values[0], Tensor):
        return values if create_graph else tuple(v.detach() for v in values)
    return tuple(_finish(v, create_graph) for v in values)


def _check_v(v: tuple, other: tuple, other_is_tuple: bool) -> None:
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other, strict=True)):
        if a.size() != b.size():
            where = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(
                f"{where}v has invalid size: should be {b.size()} but got {a.size()}."
            )


def _vector(v: Any, refs: tuple, refs_tuple: bool, create_graph: bool, fn: str, what: str):
    """The ``v`` argument as a tuple, checked against ``refs``; None -> error unless the
    single reference has one element (then the gradient defaults to ones)."""
    if v is not None:
        _, v = _as_tuple(v, "v", fn)
        v = _fresh(v, create_graph, need_graph=False)
        _check_v(v, refs, refs_tuple)
        return v
    if len(refs) != 1 or refs[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if {what}")
    return None


def _check_requires_grad(values: tuple, kind: str, strict: bool) -> None:
    if not strict:
        return
    for i, t in enumerate(values):
        if t is None or not t.requires_grad:
            raise RuntimeError(_STRICT_MESSAGES[kind].format(i=i))


def _autograd_grad(
    outputs: tuple, inputs: tuple, grad_outputs=None, create_graph=False, retain_graph=None
) -> tuple:
    """``autograd.grad`` that skips outputs without history (None for every input when
    no output has any) and allows unused inputs."""
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    kept = [
        (o, g)
        for o, g in zip(outputs, grad_outputs, strict=True)
        if o is not None and o.requires_grad
    ]
    if not kept:
        return (None,) * len(inputs)
    outs, grads = zip(*kept, strict=True)
    return _grad(
        outs, inputs, grads, retain_graph=retain_graph, create_graph=create_graph, allow_unused=True
    )


def _fill_zeros(grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str):
    """None gradients -> zeros shaped like ``refs`` (strict mode: PyTorch's errors)."""
    result = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MESSAGES[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        result.append(g)
    return tuple(result)


def _fresh_inputs(inputs: Inputs, create_graph: bool, fn: str) -> tuple[bool, tuple]:
    """``(was a tuple, the inputs as fresh leaves that require grad)`` for ``fn``."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", fn)
    return in_tuple, _fresh(inputs, create_graph, need_graph=True)


def _last_pass(
    ys: tuple, xs: tuple, v: Any, refs: tuple, strict: bool, create_graph: bool, stage: str
) -> tuple:
    """The products' final reverse pass, ``v^T dys/dxs``: recorded only with
    ``create_graph`` (else under the caller's grad mode), missing gradients as zeros
    shaped like ``refs`` (errors of ``stage`` in strict mode), detached unless
    ``create_graph``."""
    with grad_mode.set_grad_enabled(True if create_graph else grad_mode.is_grad_enabled()):
        grads = _autograd_grad(ys, xs, v, create_graph=create_graph)
        result = _fill_zeros(grads, refs, strict, create_graph, stage)
    return _finish(result, create_graph)


# -- the products ------------------------------------------------------------------------
def vjp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    ``v`` has the shape of ``func``'s output (optional when it has one element).
    ``strict=True`` raises where an input does not influence the output, instead of
    returning zeros for it.
    """
    with grad_mode.enable_grad():
        in_tuple, inputs = _fresh_inputs(inputs, create_graph, "vjp")
        out_tuple, outputs = _outputs(func(*inputs), "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        what = "the user-provided function returns a single Tensor with a single element."
        v = _vector(v, outputs, out_tuple, create_graph, "vjp", what)
    result = _last_pass(outputs, inputs, v, inputs, strict, create_graph, "back")
    outputs = _finish(outputs, create_graph)
    return _unpack(outputs, out_tuple), _unpack(result, in_tuple)


_SINGLE_INPUT = "the input to the user-provided function is a single Tensor with a single element."


def jvp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick.

    ``v`` has the shape of the inputs (optional when the input has one element).
    """
    with grad_mode.enable_grad():
        in_tuple, inputs = _fresh_inputs(inputs, create_graph, "jvp")
        v = _vector(v, inputs, in_tuple, create_graph, "jvp", _SINGLE_INPUT)
        out_tuple, outputs = _outputs(func(*inputs), "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # J^T u is linear in u: any finite u will do, its value leaves no trace in J v.
        u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, u, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    result = _last_pass(grad_inputs, u, v, outputs, strict, create_graph, "back_trick")
    outputs = _finish(outputs, create_graph)
    return _unpack(outputs, out_tuple), _unpack(result, out_tuple)


def _scalar_function(func: Callable, inputs: tuple, fn: str, strict: bool) -> tuple:
    out_tuple, outputs = _outputs(func(*inputs), fn)
    _check_requires_grad(outputs, "outputs", strict)
    if out_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn} should contain a single element"
        )
    return outputs


def _scalar_and_gradient(
    func: Callable, inputs: Inputs, v: Any, create_graph: bool, strict: bool, fn: str
) -> tuple:
    """The first reverse pass of ``vhp``/``hvp`` (call with grad mode on):
    ``(in_tuple, inputs as fresh leaves, v checked against them, func's scalar output,
    its gradient recorded for the next pass)``."""
    in_tuple, inputs = _fresh_inputs(inputs, create_graph, fn)
    v = _vector(v, inputs, in_tuple, create_graph, fn, _SINGLE_INPUT)
    outputs = _scalar_function(func, inputs, fn, strict)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return in_tuple, inputs, v, outputs, jac


def vhp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), v^T H)`` for a scalar ``func``: two reverse passes."""
    with grad_mode.enable_grad():
        in_tuple, inputs, v, outputs, jac = _scalar_and_gradient(
            func, inputs, v, create_graph, strict, "vhp"
        )
    result = _last_pass(jac, inputs, v, inputs, strict, create_graph, "double_back")
    outputs = _finish(outputs, create_graph)
    return _unpack(outputs, False), _unpack(result, in_tuple)


def hvp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), H v)`` for a scalar ``func``, by the double-backward trick (three
    reverse passes; slower than :func:`vhp`, equal to it since H is symmetric)."""
    with grad_mode.enable_grad():
        in_tuple, inputs, v, outputs, jac = _scalar_and_gradient(
            func, inputs, v, create_graph, strict, "hvp"
        )
        u = tuple(zeros_like(t, requires_grad=True) for t in inputs)
        double_back = _autograd_grad(jac, inputs, u, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    result = _last_pass(double_back, u, v, inputs, strict, create_graph, "double_back_trick")
    outputs = _finish(outputs, create_graph)
    return _unpack(outputs, False), _unpack(result, in_tuple)


# -- full matrices -----------------------------------------------------------------------
def jacobian(
    func: Callable,
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: ``J[i][j]`` has shape
    ``outputs[i].shape + inputs[j].shape`` (a single Tensor where ``func`` has one input
    and one output).

    Reverse mode, one ``autograd.grad`` call per output element (a row of J);
    ``vectorize=True``: one batched call (``is_grads_batched``, under ``vmap``) per
    output. ``strategy="forward-mode"`` (with ``vectorize=True``, as PyTorch requires)
    computes J by forward-mode AD: one forward pass with every column of the identity as
    a tangent, batched by ``vmap`` (:mod:`retrograd.autograd.forward_jacobian`).
    """
    _check_strategy(strategy, strict, create_graph, vectorize)
    if strategy == "forward-mode":
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        out_tuple = []

        def outputs_of(*args: Tensor) -> tuple:
            # PyTorch's message names no function here ("The outputs given to None")
            was_tuple, outs = _as_tuple(func(*args), "outputs", "None")
            out_tuple[:] = [was_tuple]
            return outs

        result = forward_jacobian(outputs_of, inputs)
        return _unpack(result, (out_tuple[0], in_tuple))
    if vectorize and strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
            "supported together. Please either set `strict=False` or `vectorize=False`."
        )
    with grad_mode.enable_grad():
        in_tuple, inputs = _fresh_inputs(inputs, create_graph, "jacobian")
        out_tuple, outputs = _outputs(func(*inputs), "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        rows = tuple(
            jacobian_rows(out, inputs, create_graph)
            if vectorize
            else _jacobian_of(i, out, inputs, create_graph, strict)
            for i, out in enumerate(outputs)
        )
    return _unpack(_finish(rows, create_graph), (out_tuple, in_tuple))


def _check_strategy(strategy: str, strict: bool, create_graph: bool, vectorize: bool) -> None:
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "reverse-mode":
        return
    if create_graph:
        raise NotImplementedError(
            "torch.autograd.functional.jacobian: `create_graph=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`create_graph=False` or `strategy="reverse-mode"`.'
        )
    if strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`strict=False` or `strategy="reverse-mode"`.'
        )
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly "
            "implemented for `vectorize=True`."
        )


def _jacobian_of(i: int, out: Tensor, inputs: tuple, create_graph: bool, strict: bool):
    """The Jacobian of output ``i`` w.r.t. each input, one gradient call per element."""
    rows: list[list[Tensor]] = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.numel()):
        grads = _autograd_grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, inp) in enumerate(zip(grads, inputs, strict=True)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input "
                        f"{j}. This is not allowed in strict mode."
                    )
                g = zeros_like(inp)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode when create_graph=True."
                )
            rows[j].append(g)
    return tuple(_stack(r, out.shape + inp.shape) for r, inp in zip(rows, inputs, strict=True))


def _stack(rows: list[Tensor], shape: tuple) -> Tensor:
    return stack(rows, 0).view(shape)


def hessian(
    func: Callable,
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar ``func``: the Jacobian of its gradient (``H[i][j]`` has shape
    ``inputs[i].shape + inputs[j].shape``; one Tensor for a single input)."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single(*args: Tensor) -> Tensor:
        return _scalar_function(func, args, "hessian", strict)[0].squeeze()

    def gradient(*args: Tensor) -> tuple:
        jac = jacobian(single, args, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _unpack(result, (in_tuple, in_tuple))
