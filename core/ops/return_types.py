"""``retrograd.return_types``: the named tuples ops like ``max(dim)`` return, printed as
PyTorch's ``torch.return_types.max(values=..., indices=...)``."""

from __future__ import annotations

from operator import itemgetter
from typing import Any


def _structseq(name: str, fields: tuple[str, ...]) -> type:
    """A tuple subclass with named fields, like PyTorch's structseq types."""

    def __new__(cls: type, *values: Any) -> Any:  # noqa: N807
        if len(values) == 1 and isinstance(values[0], (tuple, list)):
            values = tuple(values[0])
        if len(values) != len(fields):
            raise TypeError(f"torch.return_types.{name} takes a {len(fields)}-sequence")
        return tuple.__new__(cls, values)

    def __repr__(self: Any) -> str:
        shown = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{shown})"

    namespace = {
        "__slots__": (),
        "__new__": __new__,
        "__repr__": __repr__,
        "n_fields": len(fields),
        "_fields": fields,
    }
    namespace.update({f: property(itemgetter(i)) for i, f in enumerate(fields)})
    cls = type(name, (tuple,), namespace)
    cls.__module__ = "torch.return_types"
    return cls


max = _structseq("max", ("values", "indices"))  # noqa: A001 - PyTorch's names
min = _structseq("min", ("values", "indices"))  # noqa: A001
cummax = _structseq("cummax", ("values", "indices"))
cummin = _structseq("cummin", ("values", "indices"))
aminmax = _structseq("aminmax", ("min", "max"))
# retrograd.linalg (retrograd/ops/linalg_solvers.py, linalg_spectral.py)
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
linalg_slogdet = _structseq("linalg_slogdet", ("sign", "logabsdet"))
linalg_inv_ex = _structseq("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex = _structseq("linalg_solve_ex", ("result", "info"))
linalg_cholesky_ex = _structseq("linalg_cholesky_ex", ("L", "info"))
qr = _structseq("qr", ("Q", "R"))
linalg_qr = _structseq("linalg_qr", ("Q", "R"))
svd = _structseq("svd", ("U", "S", "V"))
linalg_svd = _structseq("linalg_svd", ("U", "S", "Vh"))
linalg_eigh = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
# retrograd/ops/linalg_lu.py, linalg_lstsq.py
linalg_lu_factor = _structseq("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _structseq("linalg_lu", ("P", "L", "U"))
lu_unpack = _structseq("lu_unpack", ("P", "L", "U"))
linalg_ldl_factor = _structseq("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _structseq("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
linalg_lstsq = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
triangular_solve = _structseq("triangular_solve", ("solution", "cloned_coefficient"))
geqrf = _structseq("geqrf", ("a", "tau"))

# retrograd/ops/sorting.py and retrograd/ops/selection.py
sort = _structseq("sort", ("values", "indices"))
topk = _structseq("topk", ("values", "indices"))
kthvalue = _structseq("kthvalue", ("values", "indices"))
median = _structseq("median", ("values", "indices"))
nanmedian = _structseq("nanmedian", ("values", "indices"))
mode = _structseq("mode", ("values", "indices"))
frexp = _structseq("frexp", ("mantissa", "exponent"))
# retrograd/ops/histograms.py
histogram = _structseq("histogram", ("hist", "bin_edges"))
histogramdd = _structseq("histogramdd", ("hist", "bin_edges"))
