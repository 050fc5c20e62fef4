"""The kernel contract: every kernel a backend provides, its signature and meaning.

A backend's table starts from :func:`retrograd_backends.kernels.generic_kernels`, so a
library that implements the array API gets every :data:`REQUIRED` kernel for free and
overrides only where it deviates. :data:`OPTIONAL` kernels are looked up with
``"name" in backend.kernels``: the core takes a general path without them.
``tests/test_kernel_contract.py`` checks that :data:`REQUIRED` is exactly the generic
table and that every built-in backend's extra kernel is in :data:`OPTIONAL`;
``docs/kernels.md`` is :func:`render`'s output (``python -m
retrograd_backends.kernel_contract > docs/kernels.md``; the same test keeps it current).

Conventions: ``a``, ``b``, ``w`` are arrays of the backend (or Python numbers where an
op takes one); ``axis`` is an int, a tuple of ints or None; ``dtype`` is the library's
dtype; kernels never see retrograd tensors and never record graphs.
"""

from __future__ import annotations

_ELEMENTWISE = "(a) -> array: elementwise, as the array API function of that name (PyTorch's "
_BINARY = "(a, b) -> array: elementwise with broadcasting, as the array API's (PyTorch's "


def _family(names: str, text: str) -> dict[str, str]:
    return {n: f"{text}``{n}``)" for n in names.split()}


REQUIRED: dict[str, str] = {
    **_family(
        "abs negative exp log sqrt sin cos tanh tan asin acos atan sinh cosh expm1 log2 "
        "log10 log1p exp2 isnan isfinite isinf logical_not bitwise_invert",
        _ELEMENTWISE,
    ),
    **_family(
        "add subtract multiply divide equal not_equal less less_equal greater "
        "greater_equal logical_and logical_or logical_xor maximum minimum atan2 logaddexp "
        "remainder floor_divide bitwise_and bitwise_or bitwise_xor",
        _BINARY,
    ),
    "pow": "(a, b) -> array: a ** b; ValueError 'Integers to negative integer powers are "
    "not allowed.' for integers (a lazy backend may raise it when computed)",
    "sign": "(a) -> array: PyTorch's sign: 0 for nan and -0.0, a bool array is its own sign",
    "sigmoid": "(a) -> array: 1 / (1 + exp(-a)), never overflowing",
    "reciprocal": "(a) -> array: 1 / a",
    "relu": "(a) -> array: max(a, 0), keeping nan and -0.0",
    "erf": "(a) -> array: the error function (the array API has none)",
    "floor": "(a) -> array: floor; integer arrays copied unchanged",
    "ceil": "(a) -> array: ceil; integer arrays copied unchanged",
    "trunc": "(a) -> array: trunc; integer arrays copied unchanged",
    "round": "(a) -> array: round half to even; integer arrays copied unchanged",
    "round_decimals": "(a, decimals) -> array: round half to even at ``decimals`` places",
    "frac": "(a) -> array: a - trunc(a)",
    "rsqrt": "(a) -> array: 1 / sqrt(a)",
    "trunc_divide": "(a, b) -> array: a / b rounded toward zero (C division for integers)",
    "clamp": "(a, low, high) -> array: min(max(a, low), high); a bound may be None",
    "lerp": "(a, b, w) -> array: a + w * (b - a), from the nearer end",
    "where": "(condition, a, b) -> array: a where condition, else b",
    "tanh_backward": "(g, r) -> array: g * (1 - r * r), r = tanh's output",
    "sigmoid_backward": "(g, r) -> array: g * (1 - r) * r, r = sigmoid's output",
    "threshold_backward": "(g, r) -> array: 0 where r <= 0, else g (relu's gradient)",
    "sum_to_shape": "(a, shape) -> array: broadcast dimensions summed away (a new array)",
    "sum": "(a, axis=None, keepdims=False) -> array",
    "mean": "(a, axis=None, keepdims=False) -> array",
    "max": "(a, axis=None, keepdims=False) -> array",
    "min": "(a, axis=None, keepdims=False) -> array",
    "prod": "(a, axis=None, keepdims=False) -> array",
    "argmax": "(a, axis=None, keepdims=False) -> array of indices",
    "argmin": "(a, axis=None, keepdims=False) -> array of indices",
    "all": "(a, axis=None, keepdims=False) -> bool array",
    "any": "(a, axis=None, keepdims=False) -> bool array",
    "var": "(a, axis, correction, keepdims) -> array",
    "std": "(a, axis, correction, keepdims) -> array",
    "logsumexp": "(a, axis=None, keepdims=False) -> array: log(sum(exp(a))), shifted by the max; "
    "-inf over an empty axis",
    "vector_norm": "(a, ord=2, axis=None, keepdims=False) -> array",
    "cumulative_sum": "(a, axis) -> array",
    "cumulative_prod": "(a, axis) -> array",
    "matmul": "(a, b) -> array: the array API's matmul (batched, broadcasting)",
    "matrix_transpose": "(a) -> array: the last two axes swapped",
    "concat": "(arrays, axis=0) -> array",
    "stack": "(arrays, axis=0) -> array",
    "flip": "(a, axis) -> array: a copy, reversed along axis",
    "roll": "(a, shift, axis) -> array",
    "tile": "(a, reps) -> array",
    "tril": "(a, k) -> array: zero above diagonal k",
    "triu": "(a, k) -> array: zero below diagonal k",
    "leaky_relu": "(a, slope) -> array",
    "gelu": "(a, approximate) -> array: exact ('none', through erf) or 'tanh'",
    "silu": "(a) -> array: a * sigmoid(a)",
    "softplus": "(a, beta, threshold) -> array",
    "elu": "(a, alpha, scale, input_scale) -> array",
    "softmax": "(a, axis) -> array",
    "log_softmax": "(a, axis) -> array",
    "reshape": "(a, shape) -> array: may copy",
    "view": "(a, shape) -> array: a reshape that never copies; ValueError where it would",
    "permute_dims": "(a, axes) -> array: a view where the library has views",
    "expand_dims": "(a, axis) -> array: a view",
    "broadcast_to": "(a, shape) -> array: a view (read-only where the library has views)",
    "getitem": "(a, key) -> array: a[key]; basic keys give views; index arrays (integer "
    "or bool, several broadcast together) give copies, NumPy's rules",
    "setitem": "(target, key, value) -> array: target[key] = value; returns the written "
    "array (target itself, or a new one that the core rebinds)",
    "index_add": "(target, key, values) -> array: target[key] += values, repeated "
    "positions accumulating; returns the written array",
    "index_prod": "(target, key, values) -> array: target[key] *= values, repeated "
    "positions all multiplying in; returns the written array",
    "index_amax": "(target, key, values) -> array: target[key] = max(target[key], values), "
    "repeated positions all taking part, nan propagating; returns the written array",
    "index_amin": "(target, key, values) -> array: target[key] = min(target[key], values), "
    "repeated positions all taking part, nan propagating; returns the written array",
    "nonzero": "(a) -> array: (count, ndim) indices of the nonzero elements, row-major",
    "is_contiguous": "(a) -> bool: row-major layout (True where the library has no strides)",
    "has_internal_overlap": "(a) -> bool: two elements share memory (a zero stride)",
    "asarray": "(data, dtype) -> array: from Python data or another array; dtype may be None",
    "astype": "(a, dtype) -> array",
    "copy": "(a) -> array: a copy no write to ``a`` can reach (an immutable array may "
    "return itself)",
    "contiguous": "(a) -> array: a row-major copy",
    "assign": "(target, value) -> array: target[...] = value (broadcast, cast); returns "
    "the written array",
    "tolist": "(a) -> list or number: the values as Python objects (computes, if lazy)",
    "to_numpy": "(a) -> numpy.ndarray: on the host (may share memory; computes, if lazy)",
    "from_numpy": "(numpy_array) -> array: onto the backend (may share memory)",
    "frombuffer": "(buffer, dtype, count, offset) -> numpy.ndarray: ``count`` items of "
    "``dtype`` from byte ``offset`` of a Python buffer, on the host, sharing its memory",
    "from_dlpack": "(other) -> array: a copy of another library's array; BufferError, "
    "TypeError, ValueError or RuntimeError where it cannot (the core then goes through "
    "the host)",
    "zeros": "(shape, dtype) -> array",
    "ones": "(shape, dtype) -> array",
    "empty": "(shape, dtype) -> array",
    "full": "(shape, value, dtype) -> array",
    "arange": "(start, stop, step, dtype) -> array",
    "eye": "(n, m, dtype) -> array",
    "zeros_like": "(a) -> array",
    "ones_like": "(a) -> array",
    "pi": "() -> float: pi",
    "checked": "(value, check, *operands) -> array: ``value`` once ``check(*numbers)`` has "
    "passed, the operands (0-d arrays) read as Python numbers; ``check`` raises "
    "PyTorch's error. Eager: checks now. Lazy: attaches the check, run when ``value`` "
    "is computed. Under ``vmap`` a check with a ``sample`` keyword is told which "
    "sample's numbers it reads",
    # retrograd/ops/pointwise_extra.py (retrograd_backends.pointwise_kernels)
    "hypot": _BINARY + "``hypot``)",
    "bitwise_left_shift": "(a, b) -> array: a << b for integers; 0 where b < 0 or b >= "
    "the bit width (PyTorch's)",
    "bitwise_right_shift": "(a, b) -> array: a >> b for integers; the sign fill where b < 0 "
    "or b >= the bit width (PyTorch's)",
    "gcd": "(a, b) -> array: the greatest common divisor of integers (non-negative)",
    "lcm": "(a, b) -> array: the least common multiple of integers (non-negative)",
    "nextafter": "(a, b) -> array: the next float after a towards b",
    "frexp": "(a) -> (array, array): mantissa (a's dtype) and int32 exponent, "
    "a = mantissa * 2 ** exponent",
    "copysign": "(a, b) -> array: |a| with b's sign bit; b may be a number",
    "signbit": "(a) -> bool array: the sign bit (-0.0 and -nan set); integers: a < 0",
    "xlogy": "(a, b) -> array: a * log(b), 0 where a is 0 unless b is nan; either may be a number",
    "logit": "(a, eps) -> array: log(a / (1 - a)), a clamped to [eps, 1 - eps] unless eps is None",
    "sinc": "(a) -> array: sin(pi a) / (pi a), 1 at 0",
    "nan_to_num": "(a, nan, posinf, neginf) -> array: nan and infinities replaced (floating a)",
    "heaviside": "(a, b) -> array: b where a is 0, else 1 where a > 0, else 0",
    "addcmul": "(a, b, c, value) -> array: a + value * b * c",
    "addcdiv": "(a, b, c, value) -> array: a + value * b / c",
    # retrograd/ops/pointwise_misc.py (retrograd_backends.misc_kernels)
    **_family("acosh asinh atanh", _ELEMENTWISE),
    "deg2rad": "(a) -> array: a * (pi / 180)",
    "rad2deg": "(a) -> array: a * (180 / pi)",
    "fmod": "(a, b) -> array: C's fmod (the sign of a; C division for integers, b nonzero); "
    "b may be a number",
    "fmax": "(a, b) -> array: the maximum, ignoring a nan operand (nan only where both are)",
    "fmin": "(a, b) -> array: the minimum, ignoring a nan operand (nan only where both are)",
    "logaddexp2": "(a, b) -> array: log2(2**a + 2**b) without overflow (floating a and b)",
    "erfc": "(a) -> array: 1 - erf(a), to the relative precision of the dtype in the tails",
    # retrograd/ops/special_functions.py (retrograd_backends.special_kernels, gamma_kernels):
    # floating a (and b); PyTorch's values at nan, infinities, -0.0 and poles
    "lgamma": "(a) -> array: log|Gamma(a)|, inf at 0, the negative integers and +-inf",
    "digamma": "(a) -> array: Gamma'(a) / Gamma(a); -inf at 0.0, inf at -0.0, nan at the "
    "negative integers",
    "trigamma": "(a) -> array: polygamma(1, a), reflected below 1/2 with sin(pi a) rounded",
    "zeta": "(a, b) -> array: the Hurwitz zeta sum_k (b + k)^-a; inf at a = 1 or b a "
    "non-positive integer, nan for a < 1 or (b < 0 and a not an integer)",
    "polygamma": "(n, a) -> array: the n-th derivative of digamma (n >= 0, a Python int)",
    "erfinv": "(a) -> array: the inverse of erf; +-inf at +-1, nan outside [-1, 1]",
    "i0": "(a) -> array: the modified Bessel function I0 (nan at +-inf)",
    "i0e": "(a) -> array: exp(-|a|) I0(a)",
    "i1": "(a) -> array: the modified Bessel function I1 (0.0 at -0.0, nan at +-inf)",
    "i1e": "(a) -> array: exp(-|a|) I1(a) (0.0 at -0.0)",
    "xlog1py": "(a, b) -> array: a * log1p(b), 0 where a is 0 unless b is nan",
    "entr": "(a) -> array: -a log(a), 0 at 0, -inf below 0",
    "ndtri": "(a) -> array: the inverse of the standard normal CDF; -inf at 0, inf at 1, nan "
    "outside [0, 1]",
    "log_ndtr": "(a) -> array: log of the standard normal CDF, without underflow in either tail",
    "erfcx": "(a) -> array: exp(a^2) erfc(a), without underflow for large a",
    "igamma": "(a, x) -> array: the regularized lower incomplete gamma P(a, x); PyTorch's "
    "values at a = 0, x = 0, infinities, nan for a < 0 or x < 0",
    "igammac": "(a, x) -> array: the regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), "
    "accurate where Q is tiny; PyTorch's values at the edges",
    "diagonal": "(a, offset, axis1, axis2) -> array: a view of the diagonal, the two axes "
    "removed and the diagonal last (NumPy's ``diagonal``); writable where ``a`` is",
    # retrograd/ops/scans_more.py (retrograd_backends.scan_kernels)
    "cummax": "(a, axis) -> (values, int64 indices): the running maximum; a tie takes the later "
    "index, a nan is taken and kept until the next nan",
    "cummin": "(a, axis) -> (values, int64 indices): the running minimum, as ``cummax``",
    "logcumsumexp": "(a, axis) -> array: log(cumsum(exp(a))) without overflow",
    # retrograd.linalg (retrograd_backends.linalg_kernels): batches of matrices (*, m, n);
    # ``info`` is LAPACK's, per matrix, as int64 (0: done), never an exception
    "linalg_inv": "(a) -> (inverse, info): info k > 0: the LU's pivot k is exactly zero",
    "linalg_solve": "(a, b) -> (x, info): a x = b for b (*, n, k), the batches broadcast; "
    "info as ``linalg_inv``'s",
    "linalg_cholesky": "(a) -> (lower factor, info): the lower triangle read; info k > 0: the "
    "leading minor of order k is not positive-definite",
    "linalg_det": "(a) -> array: the determinant",
    "linalg_slogdet": "(a) -> (sign, log|det|)",
    "linalg_qr": "(a, mode) -> (q, r): mode 'reduced' or 'complete'",
    "linalg_svd": "(a, full_matrices) -> (u, s, vh): s descending",
    "linalg_eigh": "(a) -> (eigenvalues ascending, eigenvectors): the lower triangle read",
    # retrograd/ops/sorting.py (retrograd_backends.sort_kernels)
    "sort": "(a, axis, descending) -> (values, int64 indices): a stable sort along ``axis`` "
    "(equal elements keep their order, descending too); NaN sorts as the largest value",
}

OPTIONAL: dict[str, str] = {
    **{
        f"{op}_into": f"(a, b) -> array: a {sign}= b into a's memory (b of a's dtype and "
        "shape, or a number): in-place arithmetic without a temporary"
        for op, sign in (("add", "+"), ("subtract", "-"), ("multiply", "*"), ("divide", "/"))
    },
    **{
        f"{op}_out": f"(out, a, b) -> array: out[...] = {op}(a, b) without a temporary "
        "(optimizers' fused updates; out may be a or b)"
        for op in ("add", "subtract", "multiply", "divide", "maximum")
    },
    "sqrt_out": "(out, a) -> array: out[...] = sqrt(a)",
    "to_bytes": "(a) -> bytes: little-endian raw bytes (retrograd.save)",
    "from_bytes": "(data, dtype, big_endian=False) -> array (retrograd.load)",
    "as_strided": "(a, shape, strides, offset) -> array: a strided view, strides in elements",
    "byte_address": "(a) -> int: where a's memory starts (tensors sharing a storage)",
    "device_count": "() -> int: devices of this kind (CuPy)",
    "rechunk": "(a, chunks) -> array: split into chunks (factories' ``chunks=``; lazy, "
    "chunked libraries)",
    "materialize": "(arrays) -> list: the arrays computed in one pass and held "
    "(``retrograd.materialize``; raises a task's error unchanged). Absent: eager",
    "count_computes": "() -> context manager yielding a list whose length counts the "
    "computes started inside (the conformance suite's laziness check)",
}

# Generic kernels that compute another kernel's function themselves when the table is
# built: overriding the one on the right does not change the one on the left.
CAPTURES: dict[str, str] = {
    "gelu": "erf (override both with retrograd_backends.op_kernels.erf_kernels(xp, erf))",
    "silu": "sigmoid (its own stable sigmoid)",
}


def render() -> str:
    """``docs/kernels.md``: the contract as a page."""
    lines = [
        "# The kernel contract",
        "",
        "Generated from `retrograd_backends/kernel_contract.py` (`python -m "
        "retrograd_backends.kernel_contract > docs/kernels.md`); a test keeps it complete "
        "against the kernel table. Writing a backend: [plugins](plugins.md).",
        "",
        "## Required kernels (the generic layer provides them all)",
        "",
    ]
    lines += [f"- `{name}` {REQUIRED[name]}" for name in sorted(REQUIRED)]
    lines += ["", "## Optional kernels (the core takes a general path without them)", ""]
    lines += [f"- `{name}` {OPTIONAL[name]}" for name in sorted(OPTIONAL)]
    lines += ["", "## Generic kernels that capture others when the table is built", ""]
    lines += [f"- `{name}` computes {CAPTURES[name]}" for name in sorted(CAPTURES)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
