"""``gradcheck`` and ``gradgradcheck``: compare a function's gradients with finite differences.

This is how to test a custom :class:`~retrograd.autograd.Function`: ``gradcheck(fn,
inputs)`` computes the Jacobian of ``fn`` twice, once by its backward (row by row, one
``autograd.grad`` call per output element) and once by central differences
(``(f(x + eps) - f(x - eps)) / (2 eps)`` per input element), and raises
:class:`GradcheckError` with both matrices where they differ by more than ``atol + rtol *
|numerical|``. ``fast_mode=True`` compares one random projection ``v^T J u`` instead of
the whole matrix. Arguments, defaults, warnings and messages are PyTorch's.

``check_forward_ad=True`` compares the Jacobian computed by forward mode (a custom
Function's ``jvp``) the same way (:mod:`retrograd.autograd.gradcheck_forward`);
``gradgradcheck(check_fwd_over_rev=True)`` does it for the gradient.

Perturbed inputs are new tensors (the caller's inputs are never written to).
``check_batched_grad`` batches the backward with ``vmap``, and
``check_batched_forward_grad`` the forward-mode tangents (:mod:`.batched_gradcheck`).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from typing import Any

from .. import dtypes, grad_mode
from ..creation import tensor as _tensor
from ..creation import zeros, zeros_like
from ..engine import grad as _grad
from ..ops.joining import stack
from ..tensor import Tensor
from .batched_gradcheck import batched_forward_failure, batched_grad_failure
from .finite_differences import central_difference, numerical_jacobian, unit_vector
from .function import BackwardCFunction
from .gradcheck_forward import forward_jacobian_rows, forward_projection

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()

_NONDET_HINT = (
    "\n\nNOTE: If your op relies on non-deterministic operations i.e., it is listed here:\n"
    "https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html\n"
    "this failure might be expected.\n"
)


# -- shapes of the arguments -------------------------------------------------------------
def _as_tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _differentiable(outputs: Any) -> tuple:
    return tuple(o for o in _as_tuple(outputs) if isinstance(o, Tensor) and o.requires_grad)


def _diff_indices(inputs: tuple) -> list[int]:
    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _check_inputs(inputs: tuple) -> None:
    for idx in _diff_indices(inputs):
        if inputs[idx].dtype is not dtypes.float64:
            warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=4,
            )
    if not _diff_indices(inputs):
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )


# -- analytical derivatives --------------------------------------------------------------
def _vjp(output: Tensor, diff_inputs: list, grad_output: Tensor) -> tuple:
    return _grad(output, diff_inputs, grad_output, retain_graph=True, allow_unused=True)


def _analytical_jacobian(output: Tensor, diff_inputs: list, check_dtypes: bool) -> list:
    """One ``(input.numel(), output.numel())`` matrix per input, from ``output``'s backward
    (None gradients count as zeros); checks the gradients' sizes and dtypes."""
    columns: list[list[Tensor]] = [[] for _ in diff_inputs]
    for j in range(output.numel()):
        basis = zeros(output.numel(), dtype=output.dtype, backend=output.backend)
        basis[j] = 1.0
        grads = _vjp(output, diff_inputs, basis.view(output.shape))
        for cols, g, x in zip(columns, grads, diff_inputs, strict=True):
            cols.append(_column(g, x, check_dtypes))
    return [
        stack(cols, 1) if cols else zeros((x.numel(), 0), dtype=x.dtype, backend=x.backend)
        for cols, x in zip(columns, diff_inputs, strict=True)
    ]


def _column(g: Tensor | None, x: Tensor, check_dtypes: bool) -> Tensor:
    if g is None:
        return zeros(x.numel(), dtype=x.dtype, backend=x.backend)
    if g.shape != x.shape:
        raise GradcheckError("Analytical gradient has incorrect size")
    if check_dtypes and g.dtype is not x.dtype:
        raise GradcheckError("Gradient has dtype mismatch")
    return g.detach().reshape(-1).to(x.dtype)


def _check_reentrant(first: list, second: list, nondet_tol: float) -> None:
    for a, b in zip(first, second, strict=True):
        if a.numel() and float((a - b).abs().max()) > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                f"{nondet_tol}." + _NONDET_HINT
            )


def _allclose(a: Tensor, n: Tensor, rtol: float, atol: float) -> bool:
    """``torch.allclose(a, n, rtol, atol)``: ``|a - n| <= atol + rtol * |n|``, no NaN."""
    return bool(((a - n).abs() <= atol + rtol * n.abs()).all())


def _mismatch(a: Any, n: Any, output_idx: int, input_idx: int, how: str = "") -> str:
    return (
        f"Jacobian{how} mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
        f"numerical:{n}\nanalytical:{a}\n"
    )


# -- the two modes -----------------------------------------------------------------------
def _slow_check(fn, inputs, outputs, eps, rtol, atol, nondet_tol, check_dtypes) -> None:
    idx = _diff_indices(inputs)
    diff_inputs = [inputs[i] for i in idx]
    if not outputs:
        _expect_zero_numerical(fn, inputs, idx, eps)
        return
    out_positions = _output_positions(fn, inputs)
    numerical = [numerical_jacobian(fn, inputs, i, eps) for i in idx]
    for o, out in enumerate(outputs):
        analytical = _analytical_jacobian(out, diff_inputs, check_dtypes)
        _check_reentrant(
            analytical, _analytical_jacobian(out, diff_inputs, check_dtypes), nondet_tol
        )
        for j, a in enumerate(analytical):
            n = numerical[j][out_positions[o]]
            if not _allclose(a, n.to(a.dtype), rtol, atol):
                raise GradcheckError(_mismatch(a, n, o, j))


def _output_positions(fn: Callable, inputs: tuple) -> list[int]:
    """Where each differentiable output sits among the tensor outputs (the numerical
    Jacobians are computed for all of them)."""
    tensors = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]
    return [k for k, o in enumerate(tensors) if o.requires_grad]


def _expect_zero_numerical(fn: Callable, inputs: tuple, idx: list[int], eps: float) -> None:
    for i in idx:
        for jac in numerical_jacobian(fn, inputs, i, eps):
            if bool((jac != 0).any()):
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _fast_check(fn, inputs, outputs, eps, rtol, atol, nondet_tol, check_dtypes) -> None:
    """Compare ``v^T J u`` both ways for random unit ``u`` (per input), ``v`` (per output)."""
    idx = _diff_indices(inputs)
    rng = random.Random(0)  # a private stream: the caller's random state is untouched
    all_u = [unit_vector(inputs[i].numel(), inputs[i], rng) for i in idx]
    all_v = [unit_vector(o.numel(), o, rng) for o in outputs]
    positions = _output_positions(fn, inputs)
    numerical = []
    for i, u in zip(idx, all_u, strict=True):
        ju = central_difference(fn, inputs, i, u.view(inputs[i].shape) * eps, eps)
        if not outputs and any(bool((j.abs() > nondet_tol).any()) for j in ju if j.numel()):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        numerical.append([(v * ju[p]).sum() for v, p in zip(all_v, positions, strict=True)])
    diff_inputs = [inputs[i] for i in idx]
    for o, (out, v) in enumerate(zip(outputs, all_v, strict=True)):
        vj = _projected_rows(out, diff_inputs, v, check_dtypes, nondet_tol)
        for j, (row, u) in enumerate(zip(vj, all_u, strict=True)):
            a, n = (row * u).sum(), numerical[j][o]
            adjusted = atol * float(u.sum()) * float(v.sum())
            if not _allclose(a, n, rtol, adjusted):
                slow = _slow_report(fn, inputs, out, idx[j], j, positions[o], rtol, atol, eps)
                raise GradcheckError(_mismatch(a, n, o, j) + slow)


def _projected_rows(out, diff_inputs, v, check_dtypes, nondet_tol) -> list[Tensor]:
    """``v^T J`` for each input (flattened), computed twice to check reentrancy."""
    first, second = (
        [
            _column(g, x, check_dtypes)
            for g, x in zip(_vjp(out, diff_inputs, v.view(out.shape)), diff_inputs, strict=True)
        ]
        for _ in range(2)
    )
    _check_reentrant(first, second, nondet_tol)
    return first


def _slow_report(fn, inputs, out, input_pos, j, out_pos, rtol, atol, eps, forward=None) -> str:
    """The slow-mode Jacobians after a fast-mode failure (by ``forward(input_pos)``, one
    matrix per output, where given: the forward-mode check)."""
    numerical = numerical_jacobian(fn, inputs, input_pos, eps)[out_pos]
    if forward is not None:
        analytical = forward(input_pos)
    else:
        diff_inputs = [inputs[i] for i in _diff_indices(inputs)]
        analytical = _analytical_jacobian(out, diff_inputs, False)[j]
    max_diff = (numerical - analytical).abs().max()
    text = (
        "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
        "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more "
        "background \nabout fast mode. Below, we recompute numerical and analytical jacobians "
        f"in slow mode:\n\nNumerical:\n {numerical}\nAnalytical:\n{analytical}\n\n"
        f"The max per-element difference (slow mode) is: {max_diff}.\n"
    )
    return text + FAST_FAIL_SLOW_OK_MSG if _allclose(analytical, numerical, rtol, atol) else text


_FORWARD = " computed with forward mode"


def _slow_forward_check(fn, inputs, outputs, eps, rtol, atol) -> None:
    """The slow check, the analytical Jacobian computed by forward mode."""
    idx = _diff_indices(inputs)
    if not outputs:
        _expect_zero_numerical(fn, inputs, idx, eps)
        return
    positions = _output_positions(fn, inputs)
    for j, i in enumerate(idx):
        numerical = numerical_jacobian(fn, inputs, i, eps)
        for o, a in enumerate(forward_jacobian_rows(fn, inputs, idx, positions, i)):
            n = numerical[positions[o]]
            if not _allclose(a, n.to(a.dtype), rtol, atol):
                raise GradcheckError(_mismatch(a, n, o, j, _FORWARD))


def _fast_forward_check(fn, inputs, outputs, eps, rtol, atol) -> None:
    """Fast mode by forward mode: ``J u`` both ways for a random unit ``u`` per input."""
    idx = _diff_indices(inputs)
    if not outputs:
        _expect_zero_numerical(fn, inputs, idx, eps)
        return
    rng = random.Random(0)
    positions = _output_positions(fn, inputs)
    for j, i in enumerate(idx):
        u = unit_vector(inputs[i].numel(), inputs[i], rng).view(inputs[i].shape)
        numerical = central_difference(fn, inputs, i, u * eps, eps)
        for o, a in enumerate(forward_projection(fn, inputs, idx, positions, i, u)):
            n = numerical[positions[o]]
            if not _allclose(a, n.to(a.dtype), rtol, atol):

                def rows(pos: int, o: int = o) -> Tensor:
                    return forward_jacobian_rows(fn, inputs, idx, positions, pos)[o]

                slow = _slow_report(
                    fn, inputs, None, i, j, positions[o], rtol, atol, eps, forward=rows
                )
                raise GradcheckError(_mismatch(a, n, o, j, _FORWARD) + slow)


# -- the extra checks --------------------------------------------------------------------
def _check_mul_by_grad_output(outputs: tuple, inputs: tuple, masked: bool) -> None:
    """A zero gradient of the outputs must give zero input gradients."""
    diff_inputs = [inputs[i] for i in _diff_indices(inputs)]
    grads = _grad(outputs, diff_inputs, [zeros_like(o) for o in outputs], allow_unused=True)
    for g, x in zip(grads, diff_inputs, strict=True):
        if g is None:
            continue
        if bool((g.abs() > (1e-8 if masked else 0)).any()):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.backend is not x.backend:
            raise GradcheckError("grad is incorrect device")
        if g.shape != x.shape:
            raise GradcheckError("grad is incorrect size")


_UNDEFINED_BC = (
    "Backwards compatibility: New undefined gradient support checking feature is enabled by "
    "default, but it may break existing callers of this function. If this is true for you, "
    'you can call this function with "check_undefined_grad=False" to disable the feature'
)


def _check_undefined_grad(outputs: tuple) -> None:
    """A custom Function's backward must accept undefined (None) output gradients: all
    of them, then each one alone. (Built-in nodes never receive them: the engine runs a
    node only when some gradient arrived.)"""
    nodes = {id(o.grad_fn): o.grad_fn for o in outputs if isinstance(o.grad_fn, BackwardCFunction)}
    for node in nodes.values():
        n = len(node._output_meta)
        patterns = [(None,) * n] + ([] if n < 2 else [_one_undefined(node, k) for k in range(n)])
        for grads in patterns:
            _call_with_undefined(node, grads)


def _one_undefined(node: BackwardCFunction, k: int) -> tuple:
    meta = node._output_meta
    return tuple(
        None if i == k or m is None else zeros(m[0], dtype=m[1], backend=m[2])
        for i, m in enumerate(meta)
    )


def _call_with_undefined(node: BackwardCFunction, grads: tuple) -> None:
    try:
        with grad_mode.no_grad():
            result = node.apply(grads)
    except RuntimeError as exc:
        warnings.warn(_UNDEFINED_BC, UserWarning, stacklevel=5)
        raise GradcheckError(
            "Expected backward function to handle undefined output grads. Please look at "
            '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
        ) from exc
    for g in result:
        if isinstance(g, Tensor) and bool((g != 0).any()):
            warnings.warn(_UNDEFINED_BC, UserWarning, stacklevel=5)
            raise GradcheckError(
                "Expected all input grads to be undefined or zero when all output grads are "
                'undefined or zero. Please look at "Notes about undefined output gradients" '
                'in "tools/autograd/derivatives.yaml"'
            )


# -- public API --------------------------------------------------------------------------
def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """True if ``func``'s backward agrees with finite differences at ``inputs`` (the
    tensors among them that require grad; use float64). On disagreement: raises
    :class:`GradcheckError` with both Jacobians, or returns False if not
    ``raise_exception``. See the module docstring."""
    _check_flags(
        check_forward_ad, check_backward_ad, check_batched_grad, check_batched_forward_grad
    )
    try:
        inputs = _as_tuple(inputs)
        if check_backward_ad:
            _gradcheck(
                func,
                inputs,
                eps,
                atol,
                rtol,
                nondet_tol,
                check_undefined_grad,
                check_grad_dtypes,
                fast_mode,
                bool(masked),
                check_batched_grad,
            )
        if check_forward_ad:
            if not check_backward_ad:
                _check_inputs(inputs)
            check = _fast_forward_check if fast_mode else _slow_forward_check
            check(func, inputs, _differentiable(func(*inputs)), eps, rtol, atol)
        failure = batched_forward_failure(func, inputs) if check_batched_forward_grad else None
        if failure:
            raise GradcheckError(failure)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _check_flags(forward_ad: bool, backward_ad: bool, batched: bool, batched_fwd: bool) -> None:
    if not (forward_ad or backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    if batched and not backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True"
        )
    if batched_fwd and not forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True"
        )


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, undefined, dtypes_, fast, masked,
               batched=False):  # fmt: skip
    _check_inputs(inputs)
    outputs = _differentiable(func(*inputs))
    check = _fast_check if fast else _slow_check
    check(func, inputs, outputs, eps, rtol, atol, nondet_tol, dtypes_)
    if not outputs:
        return
    for i, o in enumerate(outputs if batched else ()):
        failure = batched_grad_failure(inputs, o, i)
        if failure:
            raise GradcheckError(failure)
    _check_mul_by_grad_output(outputs, inputs, masked)
    if undefined:
        _check_undefined_grad(_differentiable(func(*inputs)))  # a fresh graph, as PyTorch


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """:func:`gradcheck` of the gradient of ``func``: checks second derivatives, w.r.t.
    ``inputs`` and the ``grad_outputs`` (random in [-1, 1) when not given)."""
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True"
        )
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True"
        )
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = tuple(_random_like(o) for o in _differentiable(func(*inputs)))
    grad_outputs = _as_tuple(grad_outputs)
    first_order = _gradient_function(func, inputs, grad_outputs)
    return gradcheck(
        first_order,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad,
        check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev,
        fast_mode=fast_mode,
        masked=masked,
    )


def _random_like(out: Tensor) -> Tensor:
    """Uniform in [-1, 1), out's shape, requiring grad (as ``torch.testing.make_tensor``)."""
    rng = random.Random(1)
    dtype = out.dtype if out.dtype.is_floating_point else dtypes.float64
    values = [rng.uniform(-1, 1) for _ in range(out.numel())]
    t = _tensor(values, dtype=dtype, backend=out.backend).reshape(out.shape)
    return t.requires_grad_(True)


def _gradient_function(func: Callable, inputs: tuple, grad_outputs: tuple) -> Callable:
    """``(*inputs, *grad_outputs) -> gradients of func w.r.t. its differentiable inputs``."""
    n = len(grad_outputs)
    diff_args = set(_diff_indices(inputs))
    diff_grads = set(_diff_indices(grad_outputs))

    def first_order(*args: Any) -> tuple:
        in_args = tuple(
            x.requires_grad_() if i in diff_args else x for i, x in enumerate(args[:-n])
        )
        outputs = _differentiable(func(*in_args))
        grads = tuple(x.requires_grad_() if i in diff_grads else x for i, x in enumerate(args[-n:]))
        wrt = tuple(x for i, x in enumerate(in_args) if i in diff_args)
        result = _grad(outputs, wrt, grads, create_graph=True, allow_unused=True)
        return tuple(g for g in result if g is not None)

    return first_order
