"""Vectorized elementwise kernels for CuPy: the formulas of :mod:`.cupy_fused` as raw CUDA
kernels that load and store four float32 (``float4``) or two float64 (``double2``) at once.

Why (measured on an H200, CuPy 14.2, 64M float32, 256 MB read and 256 MB written): CuPy's
own elementwise kernels (ufuncs, ``ElementwiseKernel``) take 0.33 ms for ``x * 2``; a raw
kernel with one ``float4`` per thread and 32-bit indices takes 0.137 ms, as PyTorch's own
kernel does. Launching a raw kernel from Python also costs less than a ufunc's dispatch.

The vector path takes a call only when every operand is one of (:func:`plan`):

- ``"a"``: a C-contiguous array of the output's shape and dtype (float32 or float64) whose
  data pointer is 16-byte aligned;
- ``"d"``: a device scalar: a 0-d array of that dtype, or an array of the output's shape
  whose strides are all 0 (an expanded scalar, e.g. the gradient of ``sum``), read once;
- ``"s"``: a Python ``int`` or ``float`` that the dtype can hold, passed by value.

At least one operand is an array; its shape is the output's; fewer than :data:`MAX_SIZE`
elements. Everything else (broadcasting, other dtypes, strided or misaligned views, mixed
dtypes, huge arrays) goes to the kernel the table had before, unchanged. Results are the
fallback's: the same dtype, the same IEEE arithmetic (nan, inf, -0.0), per element.

The CUDA source is built by plain Python (:func:`kernel_source`), so tests compile it
(with NVRTC, CuPy's compiler, or nvcc, where installed) and run it on the CPU (g++). This
module never imports CuPy: :func:`vector_kernels` receives it from the backend's ``load``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any, NamedTuple

from .cupy_fused import FORMULAS, Formula

SWITCH = "RETROGRAD_CUPY_VECTOR"  # "0" in the environment: the backend loads without it
BLOCK = 256  # threads per block
# Element indices are 32-bit ints: the last thread's first index plus a block of vectors
# must stay below 2**31.
MAX_SIZE = 2**31 - 4096
# Below this many elements CuPy's own kernel wins. Measured on an H200 (CuPy 14.2): a call
# through this path costs about 28 us of Python (plan, argument casts, RawKernel launch)
# against about 15 us for CuPy's ufunc, while the float4 kernel moves memory at ~4 TB/s
# against CuPy's ~1.5 TB/s. A step of small arrays is bound by the Python time (the G2 512
# MLP step took 2.5 ms on this path, 1.96 ms without it), a large one by the GPU's; a
# binary op's GPU time saved overtakes the Python time lost from about 3.5M elements.
MIN_SIZE = 2**22
ARRAY, DEVICE_SCALAR, SCALAR = "a", "d", "s"


class Vector(NamedTuple):
    """How one dtype is vectorized: its C type, the vector type, lanes per vector, and the
    largest finite value (a Python scalar beyond it falls back: no overflowing cast)."""

    c_type: str
    vector_type: str
    width: int
    largest: float


VECTOR = {
    "f": Vector("float", "float4", 4, 3.4028234663852886e38),
    "d": Vector("double", "double2", 2, 1.7976931348623157e308),
}
LANES = ("x", "y", "z", "w")
# The identity of one scalar: the fill kernel of ``ones`` and ``full``.
FILL = Formula(("v",), "v", "torch.full")

PREAMBLE = """
template <typename U>
__device__ __forceinline__ U rg_where(bool c, U a, U b) { return c ? a : b; }
"""


def kernel_name(name: str, char: str, kinds: tuple[str, ...]) -> str:
    """The unique C name of formula ``name``'s kernel for dtype ``char`` and ``kinds``."""
    return f"retrograd_vec_{name}_{VECTOR[char].c_type}_{''.join(kinds)}"


def _parameters(kinds: tuple[str, ...]) -> str:
    """The kernel's C parameters: the output, one per operand, the element count."""
    params = ["T* rg_y"]
    for i, kind in enumerate(kinds):
        params.append(f"const T rg_p{i}" if kind == SCALAR else f"const T* rg_p{i}")
    return ", ".join([*params, "const int rg_n"])


def _operand(i: int, kind: str, lane: str | None) -> str:
    """Operand ``i``'s value in one lane of the vector (``lane``) or the tail loop."""
    if kind != ARRAY:
        return f"rg_s{i}"
    return f"rg_v{i}.{lane}" if lane else f"rg_p{i}[rg_k]"


def kernel_source(name: str, formula: Formula, char: str, kinds: tuple[str, ...]) -> str:
    """The CUDA C++ of one kernel: ``y[k] = formula(operands[k])`` for ``k < n``. Thread
    ``i`` computes elements ``width * i`` to ``width * i + width - 1`` with one vector load
    per array and one vector store; where those run past ``n`` (the tail), it computes the
    elements left one by one. ``y`` may be operand 0's own memory (the ``*_into`` kernels):
    each thread reads its elements before writing them."""
    c_type, vector, width, _ = VECTOR[char]
    args = ", ".join(f"const T {n}" for n in formula.inputs)
    scalars = [
        f"  const T rg_s{i} = rg_p{i}{'[0]' if kind == DEVICE_SCALAR else ''};"
        for i, kind in enumerate(kinds)
        if kind != ARRAY
    ]
    loads = [
        f"    const V rg_v{i} = reinterpret_cast<const V*>(rg_p{i})[rg_i];"
        for i, kind in enumerate(kinds)
        if kind == ARRAY
    ]
    call = lambda lane: ", ".join(_operand(i, k, lane) for i, k in enumerate(kinds))
    lanes = [f"    rg_out.{lane} = rg_f({call(lane)});" for lane in LANES[:width]]
    return "\n".join([
        f"typedef {c_type} T;",
        f"typedef {vector} V;",
        PREAMBLE,
        f"__device__ __forceinline__ T rg_f({args}) {{ return ({formula.expression}); }}",
        "",
        f'extern "C" __global__ void {kernel_name(name, char, kinds)}({_parameters(kinds)}) {{',
        "  const int rg_i = blockIdx.x * blockDim.x + threadIdx.x;",
        f"  const int rg_start = rg_i * {width};",
        *scalars,
        f"  if (rg_start + {width} <= rg_n) {{",
        *loads,
        "    V rg_out;",
        *lanes,
        "    reinterpret_cast<V*>(rg_y)[rg_i] = rg_out;",
        "  } else {",
        "    for (int rg_k = rg_start; rg_k < rg_n; ++rg_k) {",
        f"      rg_y[rg_k] = rg_f({call(None)});",
        "    }",
        "  }",
        "}",
        "",
    ])  # fmt: skip


def grid_size(n: int, char: str) -> int:
    """Blocks of :data:`BLOCK` threads for ``n`` elements: one thread per vector."""
    vectors = -(-n // VECTOR[char].width)
    return -(-vectors // BLOCK)


def _scalar_fits(value: Any, largest: float) -> bool:
    """A Python number the dtype holds without an overflowing cast (inf and nan do)."""
    kind = type(value)
    if kind is not float and kind is not int:
        return False  # bool, NumPy scalars, anything else: the fallback's promotion rules
    return not abs(value) > largest or abs(value) == math.inf


def _kind(x: Any, ref: Any, ndarray: type) -> str | None:
    """Operand ``x``'s kind for an output like ``ref`` (see the module docstring), or None
    where the vector path cannot take it."""
    if type(x) is not ndarray:
        return SCALAR if _scalar_fits(x, VECTOR[ref.dtype.char].largest) else None
    if x.dtype != ref.dtype:
        return None
    if x.shape == ref.shape:
        if x.flags.c_contiguous:
            return ARRAY if x.data.ptr % 16 == 0 else None
        return DEVICE_SCALAR if not any(x.strides) else None
    return DEVICE_SCALAR if not x.shape else None


class Plan(NamedTuple):
    """A call the vector path takes: the operand giving the output's shape and dtype, the
    dtype's character code, each operand's kind."""

    ref: Any
    char: str
    kinds: tuple[str, ...]


def plan(operands: tuple, ndarray: type, min_size: int = MIN_SIZE) -> Plan | None:
    """How the vector path runs a call on ``operands``, or None to fall back. ``ndarray``
    is the library's array type (``cupy.ndarray``); a few attribute reads per operand.
    Outputs of fewer than ``min_size`` elements fall back (see :data:`MIN_SIZE`)."""
    ref = None
    for x in operands:
        if type(x) is ndarray:
            if x.shape:
                ref = x
                break
            ref = x if ref is None else ref
    if ref is None or ref.dtype.char not in VECTOR or not min_size <= ref.size < MAX_SIZE:
        return None
    kinds = tuple(_kind(x, ref, ndarray) for x in operands)
    return None if None in kinds else Plan(ref, ref.dtype.char, kinds)


def _extent(x: Any, kind: str) -> tuple[int, int]:
    start = x.data.ptr
    return start, start + (x.nbytes if kind == ARRAY else x.itemsize)


def writes_over_operand(operands: tuple, kinds: tuple[str, ...]) -> bool:
    """Whether writing into operand 0 (an ``"a"`` array) could change another operand
    before a thread reads it: its memory overlaps operand 0's and is not exactly it (a
    thread reads its own elements before writing them, so ``x += x`` is safe)."""
    lo, hi = _extent(operands[0], ARRAY)
    for x, kind in zip(operands[1:], kinds[1:]):
        if kind == SCALAR:
            continue
        start, end = _extent(x, kind)
        if start < hi and lo < end and not (kind == ARRAY and start == lo):
            return True
    return False


# -- the kernel table entries (CuPy) ------------------------------------------------------
class Launcher:
    """Builds each raw kernel once per (formula, dtype, kinds) and launches it. ``lib`` is
    CuPy (``RawKernel``, ``empty``, ``ndarray``); ``np`` is NumPy, whose scalar types pass
    the element type and the count by value (CuPy passes a Python float as a double)."""

    def __init__(self, lib: Any, np: Any, min_size: int) -> None:
        self.lib, self.ndarray, self.min_size = lib, lib.ndarray, min_size
        self.cast = {"f": np.float32, "d": np.float64}
        self.int32 = np.int32
        self.kernels: dict[tuple, Any] = {}

    def kernel(self, name: str, formula: Formula, char: str, kinds: tuple[str, ...]) -> Any:
        key = (name, char, kinds)
        found = self.kernels.get(key)
        if found is None:
            source = kernel_source(name, formula, char, kinds)
            found = self.kernels[key] = self.lib.RawKernel(source, kernel_name(*key))
        return found

    def launch(self, name: str, formula: Formula, out: Any, operands: tuple, kinds: tuple) -> Any:
        """``out[...] = formula(*operands)``; returns ``out``."""
        char, n = out.dtype.char, out.size
        cast = self.cast[char]
        args = [cast(x) if k == SCALAR else x for x, k in zip(operands, kinds)]
        kernel = self.kernel(name, formula, char, kinds)
        kernel((grid_size(n, char),), (BLOCK,), (out, *args, self.int32(n)))
        return out


def _out_of_place(run: Launcher, name: str, fallback: Callable[..., Any]) -> Callable:
    formula, ndarray, empty, min_size = FORMULAS[name], run.ndarray, run.lib.empty, run.min_size

    def kernel(*operands: Any) -> Any:
        p = plan(operands, ndarray, min_size)
        if p is None:
            return fallback(*operands)
        out = empty(p.ref.shape, p.ref.dtype)
        return run.launch(name, formula, out, operands, p.kinds)

    kernel.__name__ = name
    return kernel


def _into(run: Launcher, name: str, fallback: Callable[..., Any]) -> Callable:
    formula, ndarray, min_size = FORMULAS[name], run.ndarray, run.min_size

    def kernel(a: Any, b: Any) -> Any:
        p = plan((a, b), ndarray, min_size)
        if p is None or p.kinds[0] != ARRAY or writes_over_operand((a, b), p.kinds):
            return fallback(a, b)
        return run.launch(name, formula, a, (a, b), p.kinds)

    kernel.__name__ = f"{name}_into"
    return kernel


def _fill(run: Launcher, fallback: Callable[..., Any]) -> Callable:
    empty = run.lib.empty

    def full(shape: Any, value: Any, dtype: Any) -> Any:
        """A new array of ``shape`` filled with ``value`` (-0.0 and nan bit for bit)."""
        vector = VECTOR.get(getattr(dtype, "char", None))
        if vector is None or not _scalar_fits(value, vector.largest):
            return fallback(shape, value, dtype)  # other dtypes; bool and NumPy values
        out = empty(shape, dtype)
        if not 0 < out.size < MAX_SIZE:
            return out if out.size == 0 else fallback(shape, value, dtype)
        return run.launch("fill", FILL, out, (value,), (SCALAR,))

    return full


INTO = ("add", "subtract", "multiply", "divide")


def vector_kernels(
    lib: Any, np: Any, table: dict[str, Callable[..., Any]], min_size: int = MIN_SIZE
) -> dict:
    """Kernel table entries for CuPy (``lib``): each formula of :data:`FORMULAS`, the
    ``*_into`` kernels of :data:`INTO`, ``full`` and ``ones`` on the vector path, each
    falling back to ``table``'s entry of the same name for the calls it does not take
    (among them, outputs of fewer than ``min_size`` elements).
    None at all where ``$RETROGRAD_CUPY_VECTOR`` is ``0`` (to rule the path out)."""
    if os.environ.get(SWITCH) == "0":
        return {}
    run = Launcher(lib, np, min_size)
    entries = {name: _out_of_place(run, name, table[name]) for name in FORMULAS}
    entries.update({f"{n}_into": _into(run, n, table[f"{n}_into"]) for n in INTO})
    full = entries["full"] = _fill(run, table["full"])
    entries["ones"] = lambda shape, dtype: full(shape, 1, dtype)
    return entries
