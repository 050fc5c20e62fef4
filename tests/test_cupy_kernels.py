"""The CuPy backend's kernels that can be checked without a GPU.

- the fused formulas of ``retrograd_backends.cupy_fused``: the CUDA source is generated
  from one expression per kernel, and the same expression, evaluated by NumPy, must give
  PyTorch's results bit for bit (nan, inf, -0.0 included); the generic kernels that the
  other backends run must agree with PyTorch too;
- the signed-zero kernels (``asarray``, ``full``, ``assign``), written against any array
  namespace, run here on NumPy: they keep -0.0 and refuse writes into expanded arrays.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from retrograd.storage import OVERLAP_MESSAGE
from retrograd_backends import cupy_fused
from retrograd_backends.cupy_backend import is_negative_zero, signed_zero_kernels
from retrograd_backends.kernels import generic_kernels, has_internal_overlap

torch = pytest.importorskip("torch")

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.25, 2.0, 1e-30, 3e38, np.inf, -np.inf, np.nan]
# torch's op for each fused formula, called with (g, r) or (a,).
TORCH = {
    "add": torch.add,
    "subtract": torch.sub,
    "multiply": torch.mul,
    "divide": torch.div,
    "negative": torch.neg,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "tanh_backward": torch.ops.aten.tanh_backward,
    "sigmoid_backward": torch.ops.aten.sigmoid_backward,
    "threshold_backward": lambda g, r: torch.ops.aten.threshold_backward(g, r, 0),
    "relu": torch.relu,
}


def _grid(arity: int, dtype: str) -> list[np.ndarray]:
    """Every combination of the special values (and some random ones) for ``arity``
    inputs, as arrays of ``dtype``."""
    values = np.array(SPECIAL + list(np.random.default_rng(0).standard_normal(8)))
    mesh = np.meshgrid(*[values] * arity, indexing="ij")
    return [m.ravel().astype(dtype) for m in mesh]


def _same_bits(actual: np.ndarray, expected: np.ndarray) -> None:
    """Equal to a few roundings, with nan, inf and the sign of every zero exactly
    PyTorch's. Not bit for bit: PyTorch's CPU kernel (and CUDA's compiler, for PyTorch's
    kernel and the generated one alike) fuses ``1 - r * r`` into one multiply-add, which
    NumPy rounds twice; near ``|r| = 1`` the subtraction magnifies that to a few ulps."""
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(actual), nan)
    np.testing.assert_array_max_ulp(actual[~nan], expected[~nan], maxulp=4)
    np.testing.assert_array_equal(np.signbit(actual[~nan]), np.signbit(expected[~nan]))


def test_every_formula_has_a_pytorch_oracle_and_a_generic_kernel():
    assert set(TORCH) == set(cupy_fused.FORMULAS)
    assert set(cupy_fused.FORMULAS) <= set(generic_kernels(np))


@pytest.mark.parametrize("name", sorted(cupy_fused.FORMULAS))
def test_generated_kernel_arguments(name):
    args = cupy_fused.kernel_arguments(name)
    inputs = cupy_fused.FORMULAS[name].inputs
    assert args.in_params == ", ".join(f"T {n}" for n in inputs)
    assert args.out_params == "T y"
    assert args.operation == f"y = {cupy_fused.FORMULAS[name].expression}"
    assert re.fullmatch(r"retrograd_\w+", args.name)
    assert "rg_where(bool c, T a, T b)" in args.preamble
    # Only the names the preamble and CUDA define: a typo would fail to compile.
    used = set(re.findall(r"[A-Za-z_]\w*", cupy_fused.FORMULAS[name].expression))
    assert used <= {*inputs, "rg_where", "T", *cupy_fused.FUNCTIONS}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(cupy_fused.FORMULAS))
def test_formula_gives_pytorchs_bits(name, dtype):
    arrays = _grid(len(cupy_fused.FORMULAS[name].inputs), dtype)
    with np.errstate(all="ignore"):
        actual = cupy_fused.evaluate(name, np, *arrays)
    expected = TORCH[name](*map(torch.from_numpy, arrays)).numpy()
    assert actual.dtype == expected.dtype
    _same_bits(actual, expected)


@pytest.mark.parametrize("name", sorted(cupy_fused.FORMULAS))
def test_generic_kernel_gives_pytorchs_bits(name):
    """The kernel every other backend runs for the same entry (NumPy's table)."""
    arrays = _grid(len(cupy_fused.FORMULAS[name].inputs), "float32")
    with np.errstate(all="ignore"):
        actual = generic_kernels(np)[name](*arrays)
    _same_bits(np.asarray(actual), TORCH[name](*map(torch.from_numpy, arrays)).numpy())


def test_is_negative_zero():
    assert is_negative_zero(-0.0) and not is_negative_zero(0.0)
    assert not is_negative_zero(0) and not is_negative_zero(-1.0)


def test_signed_zero_kernels_keep_negative_zero():
    k = signed_zero_kernels(np, np)
    scalar = k["asarray"](-0.0, np.float32)
    assert scalar.shape == () and scalar.dtype == np.float32 and np.signbit(scalar)
    assert np.signbit(k["asarray"](np.float64(-0.0), None))
    assert k["asarray"]([[1.0, -0.0]], np.float64).tolist() == [[1.0, -0.0]]
    filled = k["full"]((2, 3), -0.0, np.float32)
    assert filled.shape == (2, 3) and filled.dtype == np.float32 and np.signbit(filled).all()
    filled[0, 0] = 5.0  # a real, writable array (not a broadcast view)
    assert filled[1, 1] == 0.0 and filled.flags.c_contiguous
    target = np.ones(3, np.float64)
    assert k["assign"](target, -0.0) is target and np.signbit(target).all()


def test_assign_refuses_an_expanded_target():
    """CuPy's broadcast arrays are writable; the write must still be refused."""
    k = signed_zero_kernels(np, np)
    expanded = np.broadcast_to(np.ones((1, 3)), (2, 3))
    with pytest.raises(RuntimeError, match=re.escape(OVERLAP_MESSAGE[:40])):
        k["assign"](expanded, 1.0)


@pytest.mark.parametrize("shape", [(0, 2), (3, 0), (0,), (2, 0, 4)])
def test_an_empty_array_never_overlaps_whatever_its_strides(shape):
    """CuPy may give an empty array zero strides; PyTorch writes into an empty expanded
    tensor (``ones(1, 1).expand(0, 2).add_(1)``), so the write is not refused."""
    zero_strided = np.lib.stride_tricks.as_strided(np.zeros(1), shape, (0,) * len(shape))
    assert not has_internal_overlap(zero_strided)
    k = signed_zero_kernels(np, np)
    assert k["assign"](zero_strided, 5) is zero_strided  # not refused
    assert torch.ones(1).expand(*shape).stride() == (0,) * len(shape)  # PyTorch's own view
    torch.ones(1).expand(*shape).add_(1)  # and PyTorch allows the write


def test_a_longer_zero_stride_axis_still_overlaps():
    assert has_internal_overlap(np.broadcast_to(np.ones((1, 3)), (2, 3)))
    assert not has_internal_overlap(np.broadcast_to(np.ones((1, 3)), (1, 3)))
