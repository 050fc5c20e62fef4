"""Dtypes and PyTorch's type-promotion rules.

A :class:`dtype` is backend-neutral: each backend maps it to its own native dtype. The
promotion here is PyTorch's (``torch.result_type``), not NumPy's: dimensioned tensors
outrank zero-dimensional tensors, which outrank Python scalars, unless a lower-priority
operand belongs to a higher category (bool < integer < floating point).
"""

from __future__ import annotations

BOOL, INTEGER, FLOATING = 0, 1, 2
_pybool = bool  # the module rebinds ``bool`` to the dtype below, as PyTorch does


class dtype:  # noqa: N801 - PyTorch's spelling
    """A tensor element type, printed as PyTorch prints it (``torch.float32``)."""

    __slots__ = ("name", "itemsize", "category", "is_signed")

    def __init__(self, name: str, itemsize: int, category: int, is_signed: bool) -> None:
        self.name = name
        self.itemsize = itemsize
        self.category = category
        self.is_signed = is_signed

    @property
    def is_floating_point(self) -> bool:
        return self.category == FLOATING

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickles as the module attribute of that name


bool = dtype("bool", 1, BOOL, False)  # noqa: A001 - PyTorch's public name
uint8 = dtype("uint8", 1, INTEGER, False)
int8 = dtype("int8", 1, INTEGER, True)
int16 = dtype("int16", 2, INTEGER, True)
int32 = dtype("int32", 4, INTEGER, True)
int64 = dtype("int64", 8, INTEGER, True)
float16 = dtype("float16", 2, FLOATING, True)
float32 = dtype("float32", 4, FLOATING, True)
float64 = dtype("float64", 8, FLOATING, True)

ALL_DTYPES = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
# PyTorch's scalar-type names, which its error messages use ("Float", "Long", ...).
_KIND_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
}  # fmt: skip
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
}


class _DefaultDtype:
    """The default floating dtype: one per process, as in PyTorch (grad mode, by
    contrast, is per thread)."""

    value = float32


_default = _DefaultDtype()


# C++'s names of the scalar types, as some PyTorch messages print them (``long int``).
_CPP_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
    "uint8": "unsigned char", "bool": "bool",
}  # fmt: skip


def cpp_name(d: dtype) -> str:
    """C++'s name of ``d``'s scalar type (``long int`` for int64), as some PyTorch errors say."""
    return _CPP_NAMES[d.name]


def kind_name(d: dtype) -> str:
    """PyTorch's scalar-type name of ``d`` (``Float`` for float32), as its errors say."""
    return _KIND_NAMES[d.name]


def get_default_dtype() -> dtype:
    """The floating dtype that factories and Python floats use (``float32`` unless set)."""
    return _default.value


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype; only ``float32`` and ``float64`` are allowed."""
    if d not in (float32, float64, float16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default.value = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to without losing their category."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == INTEGER and a.is_signed != b.is_signed:
        unsigned, signed = (a, b) if b.is_signed else (b, a)
        if signed.itemsize > unsigned.itemsize:
            return signed
        return int16 if unsigned.itemsize == 1 else int64
    return a if a.itemsize >= b.itemsize else b


def scalar_dtype(value: object) -> dtype:
    """The dtype PyTorch gives a Python scalar: bool, int64, or the default float."""
    if isinstance(value, _pybool):
        return bool
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return get_default_dtype()
    raise TypeError(f"expected a tensor or a Python number, got {type(value).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """PyTorch's ``combine_categories``: a lower-priority operand wins only by category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == FLOATING:
        return higher
    if higher is bool or lower.category == FLOATING:
        return promote_types(higher, lower)
    return higher


def result_type(dim_dtypes: list, zero_dim_dtypes: list, scalar_dtypes: list) -> dtype:
    """``torch.result_type`` over operands grouped by priority.

    ``dim_dtypes`` are the dtypes of tensors with at least one dimension,
    ``zero_dim_dtypes`` those of 0-d tensors and ``scalar_dtypes`` those of Python scalars.
    """
    groups = []
    for group in (dim_dtypes, zero_dim_dtypes, scalar_dtypes):
        promoted = None
        for d in group:
            promoted = d if promoted is None else promote_types(promoted, d)
        groups.append(promoted)
    return _combine(groups[0], _combine(groups[1], groups[2]))


def resolve(spec: object) -> dtype:
    """Accept a retrograd dtype, a PyTorch-style alias name, or a Python type."""
    if isinstance(spec, dtype):
        return spec
    if spec is float:  # PyTorch: Python's float is double, whatever the default dtype
        return float64
    if spec is int:
        return int64
    if spec is _pybool:
        return bool
    if isinstance(spec, str):
        name = spec.removeprefix("torch.")
        found = ALIASES.get(name) or next((d for d in ALL_DTYPES if d.name == name), None)
        if found is not None:
            return found
    raise TypeError(f"{spec!r} is not a retrograd dtype (expected e.g. retrograd.float32)")
