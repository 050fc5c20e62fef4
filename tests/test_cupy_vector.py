"""The vectorized CuPy kernels (``retrograd_backends.cupy_vector``), checked without a GPU.

- which calls take the vector path (:func:`plan`), on a small stand-in array exposing
  exactly the attributes the decision reads (dtype, shape, size, flags, data.ptr,
  strides): a test of our decision, not of CuPy;
- the generated CUDA source compiles (with nvcc, where installed: no GPU is needed to
  compile), and, compiled for the CPU by g++ with CUDA's few built-ins defined in plain
  C++ (a thread is one call, the grid a loop), computes each formula's results for every
  kind of operand, tails included, as NumPy evaluates the same formula;
- the kernel table entries (:func:`vector_kernels`) run end to end on NumPy arrays with
  those CPU-compiled kernels in place of ``cupy.RawKernel``: the arguments passed match
  the kernel's C signature, and the calls the vector path leaves reach the fallback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import itertools
import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from retrograd_backends import cupy_fused, cupy_vector
from retrograd_backends.cupy_vector import (
    ARRAY,
    DEVICE_SCALAR,
    FILL,
    MAX_SIZE,
    MIN_SIZE,
    SCALAR,
    grid_size,
    kernel_name,
    kernel_source,
    plan,
    vector_kernels,
    writes_over_operand,
)

FORMULAS = cupy_fused.FORMULAS
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.25, 2.0, 1e-30, 3e38, np.inf, -np.inf, np.nan]
VALUES = np.array(SPECIAL + list(np.random.default_rng(1).standard_normal(7)))


# -- the decision ------------------------------------------------------------------------
class Fake:
    """An array as the decision sees it (the attributes CuPy's ndarray has)."""

    def __init__(self, shape, dtype="float32", ptr=0, strides=None, contiguous=True):
        self.shape, self.dtype, self.ndim = shape, np.dtype(dtype), len(shape)
        self.size = math.prod(shape)
        self.itemsize = self.dtype.itemsize
        self.nbytes = self.size * self.itemsize
        self.strides = strides if strides is not None else np.empty(shape, dtype).strides
        self.flags = SimpleNamespace(c_contiguous=contiguous)
        self.data = SimpleNamespace(ptr=ptr)


def kinds(*operands):
    p = plan(operands, Fake, min_size=1)
    return None if p is None else p.kinds


def test_contiguous_aligned_arrays_and_python_numbers_take_the_vector_path():
    a, b = Fake((3, 5)), Fake((3, 5), ptr=4096)
    assert kinds(a, b) == (ARRAY, ARRAY)
    assert kinds(a) == (ARRAY,)
    assert kinds(a, 2.5) == (ARRAY, SCALAR) and kinds(2, a) == (SCALAR, ARRAY)
    assert kinds(a, math.inf) == kinds(a, math.nan) == kinds(a, -0.0) == (ARRAY, SCALAR)
    assert kinds(Fake((7,), "float64"), 1e300) == (ARRAY, SCALAR)
    assert plan((a, b), Fake, 1).ref is a and plan((2, a), Fake, 1).char == "f"


def test_device_scalars_are_read_once():
    a = Fake((4, 6))
    expanded = Fake((4, 6), strides=(0, 0), contiguous=False)  # e.g. the gradient of sum
    zero_d = Fake(())
    assert kinds(a, expanded) == (ARRAY, DEVICE_SCALAR)
    assert kinds(zero_d, a) == (DEVICE_SCALAR, ARRAY)
    assert plan((zero_d, a), Fake, 1).ref is a  # the output takes the array's shape
    assert kinds(zero_d, Fake((), ptr=512)) == (ARRAY, ARRAY)  # 0-d with 0-d


@pytest.mark.parametrize(
    "operands",
    [
        (Fake((8,), ptr=4), Fake((8,))),  # misaligned data pointer
        (Fake((8,)), Fake((8,), ptr=8)),
        (Fake((4, 3), strides=(4, 16), contiguous=False), Fake((4, 3))),  # transposed
        (Fake((4, 3)), Fake((4, 1))),  # broadcasting
        (Fake((4, 3)), Fake((3,))),
        (Fake((4, 3)), Fake((4, 3), strides=(0, 4), contiguous=False)),  # partly expanded
        (Fake((8,), "float16"), Fake((8,), "float16")),  # other dtypes
        (Fake((8,), "int64"), 2),
        (Fake((8,), "bool"),),
        (Fake((8,)), Fake((8,), "float64")),  # promotion
        (Fake((8,)), Fake((), "float64")),
        (Fake((8,)), True),  # bool and NumPy scalars: the fallback's promotion rules
        (Fake((8,)), np.float32(2)),
        (Fake((8,)), 1e39),  # would overflow float32 in the cast
        (Fake((8,)), 10**40),
        (Fake((8,), "float64"), 10**400),
        (Fake((0, 3)), 1.0),  # nothing to compute
        (2.0, 3.0),  # no array at all
        (Fake((8,)), "2"),
    ],
)
def test_everything_else_falls_back(operands):
    assert kinds(*operands) is None


def test_small_arrays_fall_back_to_cupys_cheaper_call():
    small, large = Fake((MIN_SIZE - 1,)), Fake((MIN_SIZE,))
    assert plan((small, 2.0), Fake) is None
    assert plan((large, 2.0), Fake).kinds == (ARRAY, SCALAR)


def test_huge_arrays_fall_back():
    big = Fake((1,))
    big.size = MAX_SIZE
    assert kinds(big) is None
    big.size = MAX_SIZE - 1
    assert kinds(big) == (ARRAY,)


def test_an_in_place_kernel_never_writes_over_an_operand_it_has_still_to_read():
    a = Fake((100,), ptr=1024)  # 400 bytes from 1024
    reads = lambda b, kind: writes_over_operand((a, b), (ARRAY, kind))
    assert not reads(a, ARRAY)  # x += x: each thread reads its own elements first
    assert not reads(Fake((100,), ptr=1424), ARRAY) and not reads(Fake((100,), ptr=624), ARRAY)
    assert reads(Fake((100,), ptr=1040), ARRAY)  # x[4:] += x[:-4] shifted
    assert reads(Fake((), ptr=1100), DEVICE_SCALAR)  # x += x[19]
    assert not reads(Fake((), ptr=1424), DEVICE_SCALAR)
    assert not reads(2.0, SCALAR)


# -- the generated source -----------------------------------------------------------------
def combinations(arity):
    """Every kind of each operand, at least one of them an array in memory."""
    return [k for k in itertools.product((ARRAY, DEVICE_SCALAR, SCALAR), repeat=arity)
            if set(k) != {SCALAR}]  # fmt: skip


CASES = [
    (name, formula, char, k)
    for name, formula in [*FORMULAS.items(), ("fill", FILL)]
    for char in "fd"
    for k in ([(SCALAR,)] if formula is FILL else combinations(len(formula.inputs)))
]


def test_every_kernel_has_its_own_name_and_the_signature_of_its_operands():
    names = [kernel_name(name, char, k) for name, _, char, k in CASES]
    assert len(set(names)) == len(names)
    for name, formula, char, k in CASES:
        source = kernel_source(name, formula, char, k)
        head = re.search(rf"void {kernel_name(name, char, k)}\((.*)\) {{", source).group(1)
        params = head.split(", ")
        assert params[0] == "T* rg_y" and params[-1] == "const int rg_n"
        for i, kind in enumerate(k):
            assert params[i + 1] == (f"const T rg_p{i}" if kind == SCALAR else f"const T* rg_p{i}")
        assert f"typedef {cupy_vector.VECTOR[char].c_type} T;" in source


def test_the_grid_has_a_thread_per_vector():
    assert grid_size(1, "f") == 1 and grid_size(1024, "f") == 1 and grid_size(1025, "f") == 2
    assert grid_size(512, "d") == 1 and grid_size(513, "d") == 2
    last_thread = grid_size(MAX_SIZE - 1, "d") * cupy_vector.BLOCK - 1
    assert last_thread * 2 + 2 < 2**31  # rg_start + width fits a 32-bit int


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc is not installed")
def test_every_kernel_compiles_with_nvcc(tmp_path):
    """CuPy compiles with NVRTC at the first call; nvcc's device compiler is the same.
    Turing (sm_75): the oldest architecture every CUDA from 10 to 13 targets."""
    source = "\n".join(f"namespace k{i} {{\n{kernel_source(*c)}}}" for i, c in enumerate(CASES))
    (tmp_path / "all.cu").write_text(source)
    run = subprocess.run(
        ["nvcc", "-cubin", "-arch=sm_75", "-o", "all.cubin", "all.cu"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]


def _nvrtc():
    """NVRTC, the compiler CuPy runs (``$RETROGRAD_NVRTC`` names the library where the
    loader does not find it), or None."""
    path = os.environ.get("RETROGRAD_NVRTC") or ctypes.util.find_library("nvrtc")
    try:
        return ctypes.CDLL(path) if path else None
    except OSError:
        return None


def test_every_kernel_compiles_with_nvrtc_as_cupy_compiles_it():
    nvrtc = _nvrtc()
    if nvrtc is None:
        pytest.skip("NVRTC is not installed (set RETROGRAD_NVRTC to libnvrtc.so)")
    failures = []
    for case in CASES:
        program, options = ctypes.c_void_p(), (ctypes.c_char_p * 1)(b"-arch=compute_75")
        source = kernel_source(*case).encode()
        assert nvrtc.nvrtcCreateProgram(ctypes.byref(program), source, b"k.cu", 0, None, None) == 0
        status = nvrtc.nvrtcCompileProgram(program, 1, options)
        size = ctypes.c_size_t()
        nvrtc.nvrtcGetProgramLogSize(program, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value)
        nvrtc.nvrtcGetProgramLog(program, log)
        nvrtc.nvrtcDestroyProgram(ctypes.byref(program))
        if status != 0 or log.value.strip():  # an error, or a warning
            failures.append(f"{kernel_name(case[0], case[2], case[3])}: {log.value.decode()}")
    assert not failures, failures[:3]


# -- the kernels, compiled for the CPU ---------------------------------------------------
# CUDA's built-ins in plain C++: each kernel becomes a C function run once per thread.
CPU_SHIM = """
#include <cmath>
using std::exp; using std::log; using std::sqrt; using std::tanh; using std::fabs;
#define __global__
#define __device__
#define __forceinline__ inline
struct float4 { float x, y, z, w; };
struct double2 { double x, y; };
struct rg_index { unsigned int x; };
extern "C" { rg_index blockIdx, threadIdx, blockDim; }
"""


def compile_for_cpu(sources, directory: Path):
    """A shared library of ``sources`` (each in its own namespace) built in ``directory``."""
    text = CPU_SHIM + "\n".join(f"namespace k{i} {{\n{s}}}" for i, s in enumerate(sources))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    library = directory / f"k{digest}.so"
    if not library.exists():
        (directory / f"k{digest}.cpp").write_text(text)
        flags = ["-O1", "-shared", "-fPIC", "-fno-strict-aliasing", "-ffp-contract=off"]
        subprocess.run(["g++", *flags, "-o", str(library), f"k{digest}.cpp"], cwd=directory,
                       check=True, capture_output=True, timeout=300)  # fmt: skip
    return ctypes.CDLL(str(library))


C_TYPES = {"float": (ctypes.c_float, np.float32), "double": (ctypes.c_double, np.float64)}


class CpuKernel:
    """``cupy.RawKernel(source, name)`` on the CPU: called as CuPy calls it, with NumPy
    arrays for device arrays; every argument must have the type of its C parameter."""

    def __init__(self, source, name, library):
        self.library = library
        self.function = getattr(self.library, name)
        c_type = re.search(r"typedef (\w+) T;", source).group(1)
        params = re.search(rf"void {name}\((.*)\) {{", source).group(1).split(", ")
        self.params = [
            ("int", ctypes.c_int) if p.startswith("const int")
            else ("pointer", ctypes.c_void_p) if "*" in p
            else ("scalar", C_TYPES[c_type][0])
            for p in params
        ]  # fmt: skip
        self.scalar_type = C_TYPES[c_type][1]

    def _c_args(self, args):
        assert len(args) == len(self.params)
        converted = []
        for arg, (kind, c_type) in zip(args, self.params):
            if kind == "pointer":
                assert isinstance(arg, np.ndarray)
                converted.append(c_type(arg.ctypes.data))
            else:
                assert type(arg) is (np.int32 if kind == "int" else self.scalar_type), arg
                converted.append(c_type(arg.item()))
        return converted

    def __call__(self, grid, block, args):
        c_args = self._c_args(args)
        index = {n: ctypes.c_uint.in_dll(self.library, n) for n in ("blockIdx", "threadIdx")}
        ctypes.c_uint.in_dll(self.library, "blockDim").value = block[0]
        for b, t in itertools.product(range(grid[0]), range(block[0])):
            index["blockIdx"].value, index["threadIdx"].value = b, t
            self.function(*c_args)


needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed")


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cpu_kernels")


@pytest.fixture(scope="module")
def cpu_library(build_dir):
    return compile_for_cpu([kernel_source(*c) for c in CASES], build_dir)


def _operands(formula, char, kinds, n):
    dtype = np.dtype(char)
    mesh = np.meshgrid(*[VALUES] * len(formula.inputs), indexing="ij")
    columns = [m.ravel()[:n].astype(dtype) for m in mesh]
    operands, full = [], []
    for column, kind in zip(columns, kinds):
        value = column[len(column) // 3]  # some special value, or a random one
        if kind == ARRAY:
            operands.append(column)
        elif kind == DEVICE_SCALAR:
            operands.append(np.array([value]))
        else:
            operands.append(dtype.type(value))
        full.append(column if kind == ARRAY else np.full(n, value, dtype))
    return operands, full


def assert_same_values(actual, expected):
    """nan where NumPy has nan, the sign of every zero, values to a few ulps (the C library's
    exp/log/tanh and NumPy's may round differently)."""
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(actual), nan)
    np.testing.assert_array_max_ulp(actual[~nan], expected[~nan], maxulp=4)
    np.testing.assert_array_equal(np.signbit(actual[~nan]), np.signbit(expected[~nan]))


@needs_gxx
@pytest.mark.parametrize("case", CASES, ids=lambda c: kernel_name(c[0], c[2], c[3]))
def test_each_kernel_computes_its_formula_tail_included(case, cpu_library):
    name, formula, char, k = case
    n = 1 if formula is FILL else len(VALUES) ** len(formula.inputs) - 1  # a tail
    n = 23 if formula is FILL else n
    source = kernel_source(*case)
    kernel = CpuKernel(source, kernel_name(name, char, k), cpu_library)
    operands, full = _operands(formula, char, k, n)
    out = np.full(n + 3, 7.0, dtype=char)  # 3 guard elements the kernel must not touch
    kernel((grid_size(n, char),), (cupy_vector.BLOCK,), (out, *operands, np.int32(n)))
    with np.errstate(all="ignore"):
        expected = full[0] if formula is FILL else cupy_fused.evaluate(name, np, *full)
    assert_same_values(out[:n], expected.astype(char))
    assert (out[n:] == 7.0).all()


# -- the kernel table entries, end to end -------------------------------------------------
class Device(np.ndarray):
    """A NumPy array that, like CuPy's, tells its data pointer as ``data.ptr``."""

    @property
    def data(self):
        return SimpleNamespace(ptr=self.ctypes.data)


@pytest.fixture(scope="module")
def table(build_dir):
    """:func:`vector_kernels` over NumPy arrays, with the CPU-compiled kernels as
    ``RawKernel``; the fallbacks (NumPy's generic table) log the calls they get."""
    from retrograd_backends.kernels import generic_kernels, strided_kernels

    fallbacks, log = {**generic_kernels(np), **strided_kernels(np)}, []

    def logged(name):
        def kernel(*args):
            log.append(name)
            return fallbacks[name](*args)

        return kernel

    lib = SimpleNamespace(
        ndarray=Device,
        empty=lambda shape, dtype: np.empty(shape, dtype).view(Device),
        RawKernel=lambda source, name: CpuKernel(
            source, name, compile_for_cpu([source], build_dir)
        ),
    )
    entries = vector_kernels(lib, np, {name: logged(name) for name in fallbacks}, min_size=1)
    return entries, log


def _aligned(*arrays):
    """Fresh copies of ``arrays``: NumPy aligns its allocations to 16 bytes (CuPy's pool
    to 256), which the vector path needs."""
    copies = [a.copy().view(Device) for a in arrays]
    assert all(a.ctypes.data % 16 == 0 for a in copies)
    return copies


@needs_gxx
def test_the_table_runs_the_vector_path_and_falls_back_for_the_rest(table):
    k, log = table
    rng = np.random.default_rng(2)
    x, y = _aligned(*rng.standard_normal((2, 3, 5), dtype=np.float32))  # 15: a tail
    assert_same_values(k["add"](x, y), x + y)
    assert_same_values(k["multiply"](x, 2), x * 2)
    assert_same_values(k["subtract"](2.0, x), 2.0 - x)
    expanded = np.broadcast_to(np.float32(0.5), x.shape).view(Device)  # a sum's gradient
    assert_same_values(k["tanh_backward"](expanded, y), 0.5 * (1 - y * y))
    assert k["add"](x, y).dtype == np.float32 and log == []
    half = x.astype(np.float16)
    assert k["add"](half, half).dtype == np.float16 and log == ["add"]
    assert_same_values(k["multiply"](x[:, ::2], 3.0), x[:, ::2] * 3)
    assert log == ["add", "multiply"]


@needs_gxx
def test_in_place_kernels_write_into_the_target(table):
    k, log = table
    log.clear()
    a, b = _aligned(np.arange(20, dtype=np.float32), np.ones(20, dtype=np.float32))
    assert k["add_into"](a, b) is a and (a == np.arange(20) + 1).all() and log == []
    shifted = a.copy()
    np.add(shifted[:16], shifted[4:], out=shifted[:16])  # NumPy handles the overlap
    assert k["add_into"](a[:16], a[4:]) is not None and log == ["add_into"]
    assert (a == shifted).all()


@needs_gxx
def test_full_and_ones(table):
    k, log = table
    log.clear()
    zeros = k["full"]((2, 3), -0.0, np.dtype("float32"))
    assert zeros.shape == (2, 3) and zeros.dtype == np.float32 and np.signbit(zeros).all()
    ones = k["ones"]((5,), np.dtype("float64"))
    assert ones.dtype == np.float64 and (ones == 1).all() and log == []
    assert k["full"]((0, 3), 2.0, np.dtype("float32")).shape == (0, 3) and log == []
    assert (k["full"]((4,), 3, np.dtype("int64")) == 3).all() and log == ["full"]


def test_the_vector_path_can_be_switched_off(monkeypatch):
    lib = SimpleNamespace(ndarray=Device, empty=np.empty, RawKernel=None)
    table = {n: None for n in (*FORMULAS, "full", *(f"{n}_into" for n in cupy_vector.INTO))}
    assert "add_into" in vector_kernels(lib, np, table)
    monkeypatch.setenv(cupy_vector.SWITCH, "0")
    assert vector_kernels(lib, np, table) == {}
