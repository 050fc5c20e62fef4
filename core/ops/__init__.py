"""All ops: their records, and the functions and Tensor methods built from them.

``RECORDS`` lists every op record (the conformance suite and the docs read it).
``FUNCTIONS`` maps the public ``retrograd.<name>`` functions to their implementation;
:func:`install` attaches the methods and operators to ``Tensor``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ..arguments import expect_tensor, method_form, named, typename
from ..creation import tensor_new
from ..interop import as_tensor, is_ndarray, is_numpy_scalar
from ..tensor import Tensor
from . import (  # in-place activations' nodes; torch-level nn names  # misc
    activations,
    adjoints,
    advanced_indexing,
    affine_grid,
    aten_overloads,
    attention,
    bitwise,
    broadcasting,
    clamp,
    closeness,
    conversion,
    convolution,
    ctc_loss,
    diagonal_fill,
    diagonals,
    distance_losses,
    einsum,
    elementwise,
    embedding_bag,
    embedding_lookup,
    extrema,
    flat_writes,
    float_bits,
    fractional_pooling,
    functional_fill,
    gather_scatter,
    grid_sampler,
    grids,
    histograms,
    im2col,
    index_ops,
    indexing,
    inplace,
    inplace_views,
    integer_bits,
    joining,
    linalg,
    linalg_exp,
    linalg_householder,
    linalg_ldl,
    linalg_ldl_solve,
    linalg_lstsq,
    linalg_lu,
    linalg_lu_solve,
    linalg_more,
    linalg_solvers,
    linalg_spectral,
    linalg_triangular,
    linalg_triangular_solve,
    losses,
    margin_losses,
    multilabel_margin,
    new_tensors,
    norm_layers,
    numeric_more,
    numerical_gradient,
    padding,
    pdist,
    piecewise_activations,
    pixel_ops,
    pointwise_binary,
    pointwise_extra,
    pointwise_math,
    pointwise_misc,
    pooling,
    predicates,
    prelu,
    products_more,
    quantiles,
    rearrange,
    reductions,
    reductions_more,
    regression_losses,
    renorm,
    result_activations,
    scans,
    scans_more,
    scatter_reductions,
    searching,
    selection,
    sequence_packing,
    shape,
    shape_more,
    smooth_activations,
    sorting,
    special_functions,
    stacking,
    statistics,
    statistics_more,
    torch_inplace,
    torch_nn,
    torch_nn_aliases,
    unfolding,
    uniques,
    unsafe_splits,
    upsample,
)
from .record import OpRecord

# The op modules, by kind; a later module's function of the same name wins (``div`` with
# its rounding mode over the plain true division).
MODULES = (
    elementwise,
    pointwise_math,
    pointwise_binary,
    pointwise_extra,
    clamp,
    predicates,
    bitwise,
    reductions,
    scans,
    extrema,
    statistics,
    linalg,
    einsum,
    shape,
    joining,
    rearrange,
    indexing,
    advanced_indexing,
    gather_scatter,
    conversion,
    inplace,
    inplace_views,
    new_tensors,
    activations,
    losses,
    # nn.functional's further activations and losses (records only; F exports them)
    piecewise_activations,
    smooth_activations,
    regression_losses,
    # the ATen overloads C++ compositions record, and the margin and distance losses
    aten_overloads,
    margin_losses,
    distance_losses,
    # more shape, linear-algebra, reduction and scan ops (records and composites)
    reductions_more,
    scans_more,
    shape_more,
    linalg_more,
    # normalization layers and rearrangements PyTorch records as one node
    norm_layers,
    pixel_ops,
    # in-place activations' result nodes (EluBackward1, ...) and nn's torch-level names
    result_activations,
    torch_nn,
    # searching and counting (searchsorted, bucketize, histc, tril/triu_indices), and
    # cdist, vander and the trapezoidal rules
    searching,
    numeric_more,
    # the packing of padded sequences under nn.utils.rnn (PackPaddedSequenceBackward0)
    sequence_packing,
    # attention, transformer layers and small layers
    attention,
    prelu,
    pdist,
    # retrograd.linalg's records and torch-level names (det, inverse, cholesky, qr, svd...)
    linalg_solvers,
    linalg_spectral,
    linalg_triangular,
    linalg_exp,
    linalg_ldl,
    linalg_lstsq,
    linalg_lu,
    linalg_lu_solve,
    linalg_triangular_solve,
    linalg_householder,
    linalg_ldl_solve,
    # convolution (ConvolutionBackward0) and sliding blocks (Im2ColBackward0, Col2ImBackward0)
    im2col,
    convolution,
    # interpolation's resampling ops (F.interpolate's nodes) and sampling grids
    upsample,
    affine_grid,
    grid_sampler,
    # sorting and order statistics (sort, topk, kthvalue, median, mode)
    sorting,
    selection,
    quantiles,
    uniques,
    # pooling and padding PyTorch records as one node
    pooling,
    padding,
    # misc: broadcasting and NumPy-style joins/splits, closeness and dtype predicates
    broadcasting,
    stacking,
    closeness,
    pointwise_misc,
    index_ops,
    diagonals,
    products_more,
    statistics_more,
    unfolding,
    torch_inplace,
    # the torch-level names of nn.functional's layers (torch.conv2d, torch.batch_norm...)
    torch_nn_aliases,
    # embedding's one node (EmbeddingBackward0)
    embedding_lookup,
    # embedding_bag's, multilabel_margin_loss's and ctc_loss's one-node records
    embedding_bag,
    multilabel_margin,
    ctc_loss,
    # fractional max pooling's nodes
    fractional_pooling,
    # tensorfns: reducing writes (scatter_reduce, index_reduce); coordinate grids
    scatter_reductions,
    grids,
    unsafe_splits,
    adjoints,
    flat_writes,
    integer_bits,
    float_bits,
    diagonal_fill,
    renorm,
    # tensorfns (2): numerical gradient, histograms, functional fill
    numerical_gradient,
    histograms,
    functional_fill,
    # the special functions (lgamma, digamma, polygamma, erfinv, i0... and torch.special's)
    special_functions,
)
RECORDS: tuple[OpRecord, ...] = tuple(r for m in MODULES for r in getattr(m, "RECORDS", ()))
FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: fn for m in MODULES for name, fn in getattr(m, "FUNCTIONS", {}).items()
}

FUNCTIONS = {name: named(fn, name) for name, fn in FUNCTIONS.items()}

# Methods that are not ``retrograd.<name>`` functions (``Tensor.repeat``, ``Tensor.float``).
METHODS: dict[str, Callable[..., Any]] = {
    name: fn for m in MODULES for name, fn in getattr(m, "METHODS", {}).items()
}


def _declines(other: Any) -> bool:
    """Whether an operator declines ``other`` (NotImplemented), so that Python raises its
    own "unsupported operand type(s)" TypeError, as with PyTorch: neither a tensor nor a
    number. A NumPy array is declined too: NumPy then computes (see :func:`_forward`)."""
    return not isinstance(other, (Tensor, int, float, complex)) and not is_numpy_scalar(other)


def _reflected(fn: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Tensor]:
    def method(self: Tensor, other: Any) -> Tensor:
        if _declines(other):
            return NotImplemented  # ``ndarray + t`` is NumPy's TypeError, as in PyTorch
        return fn(other, self)

    return method


def _forward(fn: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Tensor]:
    """``t <op> other``; with a NumPy array PyTorch's operator declines, so NumPy
    computes on ``t.__array__()`` and wraps the result (``t + ndarray`` promotes as
    NumPy does, and raises for a tensor that requires grad), as with PyTorch."""

    def method(self: Tensor, other: Any) -> Tensor:
        try:
            return fn(self, other)
        except TypeError:
            if _declines(other):
                return NotImplemented
            raise

    return method


def _reflected_same(fn: Callable[[Any, Any], Tensor]) -> Callable[[Tensor, Any], Tensor]:
    """``other <op> t`` of a commutative op, computed as ``t <op> other``."""

    def method(self: Tensor, other: Any) -> Tensor:
        if _declines(other):
            return NotImplemented
        return fn(self, other)

    return method


def _comparison_dunder(fn: Callable[[Any, Any], Tensor], name: str) -> Callable[[Tensor, Any], Any]:
    def method(self: Tensor, other: Any) -> Any:
        if isinstance(other, (Tensor, int, float, bool)):
            return fn(self, other)
        if is_numpy_scalar(other):
            return fn(self, other.item())
        if is_ndarray(other) and name == "eq":  # PyTorch compares ``==``, not ``<``
            return fn(self, as_tensor(other, backend=self._backend))
        return NotImplemented  # ``t == None`` is False, as in PyTorch

    return method


def _operators(f: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    return {
        "__add__": _forward(f["add"]),
        "__radd__": _reflected_same(f["add"]),
        "__sub__": _forward(f["sub"]),
        "__rsub__": _reflected_same(f["rsub"]),
        "__mul__": _forward(f["mul"]),
        "__rmul__": _reflected_same(f["mul"]),
        "__truediv__": _forward(f["true_divide"]),
        "__rtruediv__": _reflected_same(lambda self, other: f["reciprocal"](self) * other),
        "__floordiv__": _forward(f["floor_divide"]),
        "__rfloordiv__": _reflected(f["floor_divide"]),
        "__mod__": _forward(f["remainder"]),
        "__rmod__": _reflected(f["remainder"]),
        "__pow__": _forward(f["pow"]),
        "__rpow__": _reflected(f["pow"]),
        "__neg__": f["neg"],
        "__abs__": f["abs"],
        "__matmul__": _forward(f["matmul"]),
        "__rmatmul__": _reflected(f["matmul"]),
        "__getitem__": advanced_indexing.getitem,
        "__setitem__": advanced_indexing.setitem,
        **bitwise.OPERATORS,
        **integer_bits.OPERATORS,
        **{
            f"__{name}__": _comparison_dunder(f[name], name)
            for name in ("eq", "ne", "lt", "le", "gt", "ge")
        },
    }


def _matrix_transpose(f: dict[str, Callable[..., Any]]) -> Callable[[Tensor], Tensor]:
    def mT(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
        if self.dim() < 2:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got "
                f"{self.dim()}-D tensor."
            )
        return f["transpose"](self, -2, -1)

    return mT


def _expand_as(f: dict[str, Callable[..., Any]]) -> Callable[[Tensor, Tensor], Tensor]:
    def expand_as(self: Tensor, other: Tensor) -> Tensor:
        expect_tensor("expand_as", other, "other")
        return shape.expand(self, other.shape)

    return expand_as


_T_DEPRECATED = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
    "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor."
)


def _reversed_dims(f: dict[str, Callable[..., Any]]) -> Callable[[Tensor], Tensor]:
    def T(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
        n = self.dim()
        if n != 2:  # PyTorch's deprecation warnings
            message = (
                "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                "cases."
                if n == 0
                else _T_DEPRECATED
            )
            warnings.warn(message, UserWarning, stacklevel=2)
        return f["permute"](self, tuple(reversed(range(n))))

    return T


def _where_method(f: dict[str, Callable[..., Any]]) -> Callable[..., Tensor]:
    def where(self: Tensor, condition: Any, other: Any) -> Tensor:
        if not isinstance(condition, Tensor):  # PyTorch's parser refuses it first
            raise TypeError(
                "where() received an invalid combination of arguments - got "
                f"({type(condition).__name__}, {typename(other)}), but expected one of:"
            )
        return f["where"](condition, self, other)

    return where


def _derived_methods(f: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    return {
        "view_as": lambda self, other: shape.view(self, other.shape),
        "expand_as": _expand_as(f),
        "reshape_as": lambda self, other: f["reshape"](self, other.shape),
        "T": property(_reversed_dims(f)),
        "mT": property(_matrix_transpose(f)),
        "where": _where_method(f),
    }


def is_method(name: str) -> bool:
    """Whether public function ``name`` is also a Tensor method (its facts say; a
    function without a record or declaration is one)."""
    facts = inplace.surface_facts(name, FUNCTIONS, RECORDS)
    return facts is None or facts.method


def install(cls: type = Tensor) -> None:
    """Attach every op method and operator to ``cls``."""
    methods = {name: method_form(fn) for name, fn in FUNCTIONS.items() if is_method(name)}
    methods.update(METHODS)
    methods.update(_operators(FUNCTIONS))
    methods.update(_derived_methods(FUNCTIONS))
    methods.update(inplace.in_place_methods(FUNCTIONS, RECORDS))
    for name, fn in methods.items():
        setattr(cls, name, fn)
    cls.__new__ = staticmethod(tensor_new)  # PyTorch's legacy constructor Tensor(data)
