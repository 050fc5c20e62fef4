"""One table of elementwise formulas for CuPy, and the fused kernels built from it.

On a GPU a memory-bound formula such as ``tanh``'s derivative ``g * (1 - r * r)`` costs
one pass over memory per elementary op when it is written as three kernels (two
temporaries written and read back); as one kernel it reads ``g`` and ``r`` once and writes
the result once, as PyTorch's CUDA kernels do.

:data:`FORMULAS` is the single table: kernel name -> input names and one expression, in
the small language both CUDA C++ and Python read the same way: ``+ - * /``, comparisons,
numeric literals, ``T(0)`` (a zero of the element type), ``rg_where(cond, a, b)``
(``cond ? a : b``) and the math functions of :data:`FUNCTIONS`. Two kinds of kernels are
generated from it: :mod:`retrograd_backends.cupy_vector` builds every formula as a raw
vectorized kernel (float4/double2 loads) for contiguous float32/float64 operands, and the
formulas marked ``fuse`` are also built here as a ``cupy.ElementwiseKernel``
(:func:`kernel_arguments`), which takes the operands the vector path leaves (broadcast,
strided, float16), where the generic kernel would take several passes. Tests evaluate the
very same strings with NumPy (:func:`evaluate`) against PyTorch, so the formulas are
checked without a GPU. Generating source never imports CuPy; :func:`fused_kernels` does,
and builds each kernel once per process (CuPy compiles it on first call for each dtype,
and caches the binary).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any, NamedTuple


class Formula(NamedTuple):
    """An elementwise kernel: its inputs (all of one floating dtype ``T``), the value of
    its one output, what PyTorch computes that it must match, and whether a
    ``cupy.ElementwiseKernel`` of it replaces the generic kernel for the operands the
    vector path does not take (else the generic kernel, CuPy's ufunc, takes them)."""

    inputs: tuple[str, ...]
    expression: str
    matches: str
    fuse: bool = False


FORMULAS: dict[str, Formula] = {
    # The forward ops on every training step's hot path, as PyTorch computes them.
    "add": Formula(("a", "b"), "a + b", "torch.add"),
    "subtract": Formula(("a", "b"), "a - b", "torch.sub"),
    "multiply": Formula(("a", "b"), "a * b", "torch.mul"),
    "divide": Formula(("a", "b"), "a / b", "torch.div"),
    "negative": Formula(("a",), "-a", "torch.neg"),
    "abs": Formula(("a",), "fabs(a)", "torch.abs"),
    "exp": Formula(("a",), "exp(a)", "torch.exp"),
    "log": Formula(("a",), "log(a)", "torch.log"),
    "sqrt": Formula(("a",), "sqrt(a)", "torch.sqrt"),
    "tanh": Formula(("a",), "tanh(a)", "torch.tanh"),
    # PyTorch's CUDA (and CPU) form: 0 where exp(-a) overflows, nan for nan.
    "sigmoid": Formula(("a",), "1 / (1 + exp(-a))", "torch.sigmoid"),
    # relu keeps nan and -0.0 (CUDA's fmax may turn max(0, -0.0) into +0.0).
    "relu": Formula(("a",), "rg_where(a < 0, T(0), a)", "torch.relu", fuse=True),
    # PyTorch's tanh_backward: grad * (1 - out * out).
    "tanh_backward": Formula(("g", "r"), "g * (1 - r * r)", "aten.tanh_backward", fuse=True),
    # PyTorch's sigmoid_backward, in its order: grad * (1 - out) * out.
    "sigmoid_backward": Formula(("g", "r"), "g * (1 - r) * r", "aten.sigmoid_backward", fuse=True),
    # PyTorch's threshold_backward(grad, out, 0): 0 where out <= 0 (a nan or inf gradient
    # there too), else the gradient; a nan output passes the gradient.
    "threshold_backward": Formula(
        ("g", "r"), "rg_where(r <= 0, T(0), g)", "aten.threshold_backward(g, r, 0)", fuse=True
    ),
}

# The math functions an expression may call: CUDA's overloads for float and double, and
# the NumPy function a test evaluates in their place.
FUNCTIONS = {"exp": "exp", "log": "log", "sqrt": "sqrt", "tanh": "tanh", "fabs": "abs"}

# CUDA C++ for the two names the expressions use beyond the operators.
PREAMBLE = """
template <typename T>
__device__ __forceinline__ T rg_where(bool c, T a, T b) { return c ? a : b; }
"""


# ``T t0 = <expression>`` or ``y = <expression>`` (``=`` not the first of ``==``).
_ASSIGNMENT = re.compile(r"^(?:T\s+)?([A-Za-z_]\w*)\s*=(?!=)\s*(.*)$", re.DOTALL)


class KernelArguments(NamedTuple):
    """The positional arguments of ``cupy.ElementwiseKernel`` and its ``preamble``."""

    in_params: str
    out_params: str
    operation: str
    name: str
    preamble: str


def kernel_arguments(name: str) -> KernelArguments:
    """``cupy.ElementwiseKernel``'s arguments for :data:`FORMULAS` entry ``name``."""
    formula = FORMULAS[name]
    return expression_arguments(formula.inputs, formula.expression, f"retrograd_{name}")


def expression_arguments(params: tuple[str, ...], operation: str, name: str) -> KernelArguments:
    """``cupy.ElementwiseKernel``'s arguments for an ``operation`` of the language: one
    ``y = <expression>`` or statements ``T t0 = <expression>; ... y = <expression>;``,
    every parameter, temporary and the result of the one element type ``T``."""
    in_params = ", ".join(f"T {n}" for n in params)
    if not operation.startswith("T "):
        operation = f"y = {operation}"
    return KernelArguments(in_params, "T y", operation, name, PREAMBLE)


def evaluate(name: str, np: Any, *arrays: Any) -> Any:
    """The formula ``name`` evaluated by NumPy on ``arrays`` (the same expression string
    the CUDA kernel compiles): how tests check the formulas on a machine without a GPU."""
    formula = FORMULAS[name]
    return evaluate_expression(formula.inputs, formula.expression, np, arrays)


def evaluate_expression(params: tuple[str, ...], operation: str, np: Any, arrays: Any) -> Any:
    """An expression, or statements ``T t0 = ...; y = ...;``, of the language evaluated by
    NumPy, ``params`` bound to ``arrays`` (``T(v)`` is the Python number ``v``, which
    NumPy casts to the arrays' dtype as CUDA casts the literal to ``T``)."""
    names = {"rg_where": np.where, "T": lambda v: v, **dict(zip(params, arrays))}
    names.update({f: getattr(np, numpy_name) for f, numpy_name in FUNCTIONS.items()})
    result = None
    for statement in filter(None, (part.strip() for part in operation.split(";"))):
        assignment = _ASSIGNMENT.match(statement)
        expression = assignment[2] if assignment else statement
        result = eval(expression, {"__builtins__": {}}, names)  # noqa: S307 (our own language)
        if assignment:
            names[assignment[1]] = result
    return np.asarray(result, dtype=arrays[0].dtype)


def formula_table() -> dict[str, tuple[tuple[str, ...], str]]:
    """Every formula as ``name -> (inputs, expression)``: what ``retrograd.compile``'s
    elementwise fusion composes (:class:`retrograd.compiler.fusion.ElementwiseFusion`)."""
    return {name: (f.inputs, f.expression) for name, f in FORMULAS.items()}


@functools.cache
def elementwise_kernel(name: str) -> Any:
    """The ``cupy.ElementwiseKernel`` of formula ``name``, built once per process."""
    return _build(kernel_arguments(name))


@functools.cache
def expression_kernel(params: tuple[str, ...], operation: str) -> Any:
    """A ``cupy.ElementwiseKernel`` of composed formulas (:func:`expression_arguments`),
    built once per process (named after a hash of the operation)."""
    digest = hashlib.sha1(operation.encode()).hexdigest()[:16]
    return _build(expression_arguments(params, operation, f"retrograd_fused_{digest}"))


def _build(arguments: KernelArguments) -> Any:
    import cupy  # lazy: only the CuPy backend calls this

    in_params, out_params, operation, kernel_name, preamble = arguments
    return cupy.ElementwiseKernel(in_params, out_params, operation, kernel_name, preamble=preamble)


def fused_kernels(generic: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Kernel table entries for the CuPy backend: each ``fuse`` formula as one generated
    kernel, except for float16 arrays, which take ``generic[name]`` (CUDA's ``__half``
    lacks the mixed int/half arithmetic the expressions use)."""

    def entry(name: str) -> Callable[..., Any]:
        kernel, fallback = elementwise_kernel(name), generic[name]

        def run(*arrays: Any) -> Any:
            if arrays[0].dtype.char == "e":
                return fallback(*arrays)
            return kernel(*arrays)

        run.__name__ = name
        return run

    return {name: entry(name) for name, formula in FORMULAS.items() if formula.fuse}
