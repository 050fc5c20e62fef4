"""Kernels of ``retrograd.linalg`` (``retrograd/ops/linalg_solvers.py`` and
``linalg_spectral.py``): factorizations, inverses, determinants.

Same contract as :mod:`retrograd_backends.op_kernels` (whose ``GROUPS`` merges this one
into every backend's table): written once against the array API's linear-algebra
extension ``xp.linalg``, over batches of matrices ``(*, m, n)``.

Libraries disagree on a singular or non-positive-definite matrix: NumPy raises (losing
the whole batch), JAX and CuPy return nan or inf. The kernels agree on LAPACK's answer
instead: the inverse, solution or factor, plus ``info`` per matrix (0: done; k > 0:
LAPACK's ``info``, the 1-based index of the first zero pivot of the LU factorization with
partial pivoting, or of the first leading minor that is not positive-definite). ``info``
is recomputed (an unblocked factorization, ``n`` batched steps) only where a result is not
finite, so the common case costs one reduction.

Symmetric kernels (``linalg_cholesky``, ``linalg_eigh``) read the lower triangle only, as
LAPACK (and PyTorch) do: JAX would otherwise average the two triangles.

A lazy library (Dask) cannot branch on values: :func:`per_matrix` runs the NumPy kernels
on one chunk per batch of whole matrices instead (``dask_backend``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _lower_symmetric(xp: Any, a: Any) -> Any:
    """The symmetric matrix whose lower triangle is ``a``'s."""
    lower = xp.tril(a)
    return lower + xp.matrix_transpose(xp.tril(a, k=-1))


def _batch_of_matrices(a: Any) -> Any:
    return a.reshape((-1, *a.shape[-2:]))


def _failing_matrices_as_nan(xp: Any, fn: Callable[..., Any], a: Any, columns: int) -> Any:
    """``fn(a)`` (matrices of ``columns`` columns); where the library raises for some
    matrix of the batch (NumPy's LinAlgError), ``fn`` of each matrix, nan for those it
    refuses."""
    try:
        return fn(a)
    except Exception as error:  # the library's LinAlgError, whichever library
        if type(error).__name__ != "LinAlgError":
            raise
    results = []
    for matrix in _batch_of_matrices(a):
        try:
            results.append(fn(matrix))
        except Exception:
            results.append(xp.full((matrix.shape[0], columns), float("nan"), dtype=a.dtype))
    return xp.reshape(xp.stack(results), (*a.shape[:-1], columns))


def _all_finite(xp: Any, a: Any) -> bool:
    return bool(xp.all(xp.isfinite(a)))


def first_zero_pivot(xp: Any, a: Any) -> Any:
    """LAPACK ``getrf``'s ``info`` per matrix of ``a`` (*, n, n), as int64: the 1-based
    index of the first exactly zero pivot of the LU factorization with partial pivoting
    (the largest magnitude of the column, the first such row on ties), 0 if none."""
    n = a.shape[-1]
    rows = xp.arange(n)
    info = xp.zeros(a.shape[:-2], dtype=xp.int64)
    for j in range(n):
        candidates = xp.where(rows >= j, xp.abs(a[..., :, j]), -1.0)
        chosen = rows == xp.expand_dims(xp.argmax(candidates, axis=-1), -1)  # (*, n)
        pivot_row = xp.sum(xp.where(chosen[..., :, None], a, 0.0), axis=-2)
        row_j = a[..., j, :]
        swapped = xp.where(chosen[..., :, None], row_j[..., None, :], a)
        a = xp.where((rows == j)[:, None], pivot_row[..., None, :], swapped)
        pivot = pivot_row[..., j]
        zero = pivot == 0
        info = xp.where(xp.logical_and(info == 0, zero), j + 1, info)
        safe = xp.where(zero, 1.0, pivot)
        factor = xp.where(rows > j, a[..., :, j] / safe[..., None], 0.0)
        factor = xp.where(zero[..., None], 0.0, factor)
        a = a - factor[..., :, None] * pivot_row[..., None, :]
    return info


def first_bad_minor(xp: Any, a: Any) -> Any:
    """LAPACK ``potrf``'s ``info`` per matrix of ``a`` (*, n, n) (lower triangle read),
    as int64: the order of the first leading minor that is not positive-definite (a
    non-positive or nan pivot), 0 if none."""
    n = a.shape[-1]
    info = xp.zeros(a.shape[:-2], dtype=xp.int64)
    columns: list[Any] = []  # the factor's columns, each (*, n)
    for j in range(n):
        column = a[..., :, j]
        for previous in columns:
            column = column - previous * previous[..., j : j + 1]
        d = column[..., j]
        bad = xp.logical_not(d > 0)
        info = xp.where(xp.logical_and(info == 0, bad), j + 1, info)
        root = xp.sqrt(xp.where(bad, 1.0, d))
        columns.append(xp.where(xp.arange(n) >= j, column / root[..., None], 0.0))
    return info


def _with_info(
    xp: Any, fn: Callable[..., Any], info_of: Callable[..., Any], a: Any, columns: int
) -> tuple[Any, Any]:
    """``fn(a)`` and LAPACK's ``info`` per matrix (``info_of``, where not all finite)."""
    out = _failing_matrices_as_nan(xp, fn, a, columns)
    if _all_finite(xp, out):
        return out, xp.zeros(a.shape[:-2], dtype=xp.int64)
    return out, info_of(xp, a)


def _solvers(xp: Any) -> dict[str, Callable[..., Any]]:
    la = xp.linalg

    def inv(a: Any) -> tuple[Any, Any]:
        return _with_info(xp, lambda m: la.inv(m), first_zero_pivot, a, a.shape[-1])

    def solve(a: Any, b: Any) -> tuple[Any, Any]:
        batch = _broadcast_batch(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, (*batch, *a.shape[-2:]))
        b = xp.broadcast_to(b, (*batch, *b.shape[-2:]))
        stacked = xp.concat([a, b], axis=-1)  # one array, so a failure is per matrix
        n = a.shape[-1]
        return _with_info(
            xp, lambda ab: la.solve(ab[..., :n], ab[..., n:]),
            lambda xp_, ab: first_zero_pivot(xp_, ab[..., :n]), stacked, b.shape[-1],
        )  # fmt: skip

    def cholesky(a: Any) -> tuple[Any, Any]:
        return _with_info(
            xp, lambda m: la.cholesky(_lower_symmetric(xp, m)), first_bad_minor, a, a.shape[-1]
        )

    def slogdet(a: Any) -> tuple[Any, Any]:
        sign, logabsdet = la.slogdet(a)
        return sign, logabsdet

    return {
        "linalg_inv": inv,
        "linalg_solve": solve,
        "linalg_cholesky": cholesky,
        "linalg_det": lambda a: la.det(a),
        "linalg_slogdet": slogdet,
    }


def _broadcast_batch(first: tuple, second: tuple) -> tuple:
    n = max(len(first), len(second))
    first, second = (1,) * (n - len(first)) + tuple(first), (1,) * (n - len(second)) + tuple(second)
    return tuple(max(x, y) for x, y in zip(first, second))


def _spectral(xp: Any) -> dict[str, Callable[..., Any]]:
    la = xp.linalg

    def qr(a: Any, mode: str) -> tuple[Any, Any]:
        q, r = la.qr(a, mode=mode)
        return q, r

    def svd(a: Any, full_matrices: bool) -> tuple[Any, Any, Any]:
        u, s, vh = la.svd(a, full_matrices=full_matrices)
        return u, s, vh

    def eigh(a: Any) -> tuple[Any, Any]:
        w, v = la.eigh(_lower_symmetric(xp, a))
        return w, v

    return {"linalg_qr": qr, "linalg_svd": svd, "linalg_eigh": eigh}


def linalg(xp: Any) -> dict[str, Callable[..., Any]]:
    return {**_solvers(xp), **_spectral(xp)}


# The gufunc signature of each kernel, for libraries that map it over whole matrices.
SIGNATURES = {
    "linalg_inv": "(n,n)->(n,n),()",
    "linalg_solve": "(n,n),(n,k)->(n,k),()",
    "linalg_cholesky": "(n,n)->(n,n),()",
    "linalg_det": "(n,n)->()",
    "linalg_slogdet": "(n,n)->(),()",
    "linalg_eigh": "(n,n)->(n),(n,n)",
}


def per_matrix(da: Any, numpy_kernels: dict[str, Callable[..., Any]]) -> dict[str, Callable]:
    """The linear-algebra kernels of a chunked library (Dask): NumPy's, mapped over chunks
    that each hold whole matrices (``apply_gufunc`` rechunks the matrix dims)."""

    def mapped(name: str) -> Callable[..., Any]:
        signature = SIGNATURES[name]
        outputs = signature.split("->")[1].count("(")

        def kernel(*arrays: Any) -> Any:
            dtype = arrays[0].dtype
            types = [dtype] * outputs
            if name in ("linalg_inv", "linalg_solve", "linalg_cholesky"):
                types[-1] = "int64"
            return da.apply_gufunc(
                numpy_kernels[name], signature, *arrays, output_dtypes=types if outputs > 1
                else dtype, allow_rechunk=True, vectorize=False,
            )  # fmt: skip

        return kernel

    def qr(a: Any, mode: str) -> tuple[Any, Any]:
        m, n = a.shape[-2:]
        k = min(m, n) if mode == "reduced" else m
        return da.apply_gufunc(
            lambda x: numpy_kernels["linalg_qr"](x, mode), "(m,n)->(m,k),(k,n)", a,
            output_dtypes=[a.dtype, a.dtype], output_sizes={"k": k}, allow_rechunk=True,
        )  # fmt: skip

    def svd(a: Any, full_matrices: bool) -> tuple[Any, Any, Any]:
        m, n = a.shape[-2:]
        k = min(m, n)
        rows, cols = (m, n) if full_matrices else (k, k)
        return da.apply_gufunc(
            lambda x: numpy_kernels["linalg_svd"](x, full_matrices), "(m,n)->(m,p),(k),(q,n)",
            a, output_dtypes=[a.dtype] * 3, output_sizes={"p": rows, "k": k, "q": cols},
            allow_rechunk=True,
        )  # fmt: skip

    return {
        **{name: mapped(name) for name in SIGNATURES},
        "linalg_qr": qr,
        "linalg_svd": svd,
    }
