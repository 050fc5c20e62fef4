"""Tensor printing: ``repr(t)`` is exactly what ``torch._tensor_str`` prints.

The algorithm is PyTorch's: one formatter per tensor chooses integer mode (``1.``), fixed
point (``.4f``) or scientific notation (``.4e``) and a common width from the values that
will be shown; tensors with more than ``threshold`` elements show ``edgeitems`` items at
each end of every long dimension with ``...`` between; rows wrap at ``linewidth``; and
suffixes (device, ``dtype=``, ``grad_fn=``/``requires_grad=``) follow the values, wrapped
onto a new line when they would pass the line width.

Values are read with one ``tolist()`` per shown block and formatted as Python numbers:
``tolist()`` of a float32 or float16 element is the exact double PyTorch's ``item()``
gives, so Python's ``format`` produces PyTorch's digits. Only the Tensor accessors
``dim``, ``shape``, ``numel``, ``dtype``, ``tolist``, basic indexing, ``requires_grad``,
``grad_fn``, ``backend`` and ``device`` are used, so printing works on every backend.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

from . import dtypes, dual
from .grad_mode import no_grad
from .plugins.registry import default_backend_name

__all__ = ["get_printoptions", "printoptions", "set_printoptions", "tensor_repr"]

# A block of at most this many elements is read with one tolist() and summarized in
# Python (fast); larger ones are sliced first so a huge tensor is never read whole.
_TOLIST_LIMIT = 4096


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth), as in PyTorch
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the print options, with ``torch.set_printoptions``'s semantics.

    ``profile`` ("default", "short" or "full"; any other name is ignored, as in PyTorch)
    is applied first, then each option that is not None. ``sci_mode`` is always set: None
    means "choose from the values", so omitting it turns a forced mode off.
    """
    if profile in _PROFILES:
        values = _PROFILES[profile]
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems = values[:3]
        PRINT_OPTS.linewidth = values[3]
    for name, value in (
        ("precision", precision),
        ("threshold", threshold),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for :func:`set_printoptions`."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Set print options (as :func:`set_printoptions`) for the ``with`` block only."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Formats every element of one tensor to one width, in one mode.

    ``values`` are the (summarized) elements that will be shown. Integral and bool
    tensors print ``str(v)``. Floating tensors print in integer mode when every nonzero
    finite value is integral, and in scientific mode when the largest over the smallest
    nonzero finite magnitude exceeds 1000, the largest exceeds 1e8 or the smallest is
    below 1e-4 (unless ``sci_mode`` is forced). Zeros, nan and inf do not count towards
    the mode or the width; with no nonzero finite value the defaults stand.
    """

    def __init__(self, values: list, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.precision = PRINT_OPTS.precision
        self.max_width = 1
        if not floating:
            self.max_width = max([1, *(len(str(v)) for v in values)])
            return
        finite = [v for v in values if v != 0 and math.isfinite(v)]
        if finite:
            self._choose_mode(finite)
            self.max_width = max([1, *(len(self._plain(v)) for v in finite)])

    def _choose_mode(self, finite: list) -> None:
        magnitudes = [abs(float(v)) for v in finite]
        low, high = min(magnitudes), max(magnitudes)
        self.int_mode = all(float(v).is_integer() for v in finite)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        else:
            # division by a subnormal may overflow to inf: still "> 1000", as in torch
            self.sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4

    def _plain(self, value: Any) -> str:
        """``value`` in this formatter's mode, without padding."""
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{self.precision}e}"
        if self.int_mode:
            # the trailing "." says "floating point"; nan and inf already say so
            return f"{value:.0f}" + ("." if math.isfinite(value) else "")
        return f"{value:.{self.precision}f}"

    def format(self, value: Any) -> str:
        """``value`` right-aligned to the common width."""
        return self._plain(value).rjust(self.max_width)


def _trim(values: Any, edge: int) -> Any:
    """Nested lists with only ``edge`` items kept at each end of every list longer
    than ``2 * edge``, and ``...`` (Ellipsis) where items were dropped."""
    if not isinstance(values, list):
        return values
    if len(values) > 2 * edge:
        values = [*values[:edge], ..., *values[len(values) - edge :]]
    return [v if v is ... else _trim(v, edge) for v in values]


def _summarized(t: Any, edge: int, read: Any = None) -> Any:
    """The values of tensor ``t`` as :func:`_trim` would give them, reading only the
    shown blocks of a large tensor (``edge`` >= 1) with ``read`` (default ``tolist``)."""
    read = read or (lambda block: block.tolist())
    n = t.shape[0] if t.dim() else 0
    if t.numel() <= _TOLIST_LIMIT or (t.dim() == 1 and n <= 2 * edge):
        return _trim(read(t), edge)
    if n <= 2 * edge:
        return [_summarized(t[i], edge, read) for i in range(n)]
    if t.dim() == 1:
        return [*read(t[:edge]), ..., *read(t[n - edge :])]
    head = [_summarized(t[i], edge, read) for i in range(edge)]
    return [*head, ..., *(_summarized(t[i], edge, read) for i in range(n - edge, n))]


def _summarized_lazy(t: Any, edge: int) -> Any:
    """:func:`_summarized` for a lazy backend's tensor: the shown blocks are computed
    together (one ``materialize`` pass), then read."""
    blocks: list = []
    _summarized(t, edge, lambda block: blocks.append(block) or [])
    arrays = t._backend.kernels["materialize"]([b._storage.array for b in blocks])
    found = iter(t._backend.kernels["tolist"](a) for a in arrays)
    return _summarized(t, edge, lambda block: next(found))


def _flatten(values: Any) -> Iterator[Any]:
    """The leaf values of nested lists, skipping ``...``."""
    if not isinstance(values, list):
        yield values
        return
    for v in values:
        if isinstance(v, list):
            yield from _flatten(v)
        elif v is not ...:
            yield v


def _vector_str(values: list, indent: int, fmt: _Formatter) -> str:
    """One row: as many elements per line as fit in ``linewidth - indent``."""
    element_length = fmt.max_width + 2  # ", " between elements
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    items = [" ..." if v is ... else fmt.format(v) for v in values]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _render(values: Any, ndim: int, indent: int, fmt: _Formatter) -> str:
    """Nested lists of ``ndim`` levels as PyTorch lays them out: rows of a matrix on
    their own lines, blocks of higher dimensions separated by ``ndim - 1`` newlines."""
    if ndim == 0:
        return fmt.format(values)
    if ndim == 1:
        return _vector_str(values, indent, fmt)
    inner = ["..." if v is ... else _render(v, ndim - 1, indent + 1, fmt) for v in values]
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(inner) + "]"


def _tensor_str(t: Any, indent: int) -> str:
    """The bracketed values of ``t`` (no prefix or suffixes), continuation lines
    indented by ``indent + 1`` spaces."""
    if t.numel() == 0:
        return "[]"
    summarize = t.numel() > PRINT_OPTS.threshold
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge and t.dim():
        return "[...]"  # no edge items: torch shows nothing but the ellipsis
    backend = getattr(t, "_backend", None)
    lazy = getattr(backend, "lazy", False) and "materialize" in backend.kernels
    values = t.tolist() if not summarize else (_summarized_lazy if lazy else _summarized)(t, edge)
    fmt = _Formatter(list(_flatten(values)), t.dtype.is_floating_point)
    return _render(values, t.dim(), indent, fmt)


def _device_suffix(t: Any) -> str | None:
    """THE place that decides the device/backend suffix: ``device='...'`` only when
    ``t``'s backend is not the default one, so output is the same on every backend."""
    backend = getattr(t, "backend", None)
    if backend is None or getattr(backend, "name", backend) == default_backend_name():
        return None
    return f"device='{t.device}'"


def _suffixes(t: Any, tensor_cls: type) -> list[str]:
    """The suffixes after the values, in PyTorch's order."""
    suffixes = [s for s in (_device_suffix(t),) if s]
    dtype, default = t.dtype, dtypes.get_default_dtype()
    if t.numel() == 0:
        if t.dim() != 1:  # NumPy style: a shape other than (0,) is spelled out
            suffixes.append(f"size={tuple(t.shape)}")
        if dtype != default:  # no elements to tell an int64 tensor from a float one
            suffixes.append(f"dtype={dtype!r}")
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(t.shape)}")
        if dtype not in (default, dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    tangent = dual.get_tangent(t) if dual.STATE.active else None
    if tangent is not None:  # forward mode: the tangent at the current dual level
        suffixes.append(f"tangent={tensor_repr(tangent, tensor_cls)}")
    return suffixes


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items and the closing parenthesis, starting a new line
    (indented by ``indent``) for a suffix that would pass ``linewidth``."""
    parts = [text]
    # PyTorch's measure of the last line, kept as is (it counts two extra characters)
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _prefix(t: Any, tensor_cls: type) -> tuple[str, bool]:
    """The opening of ``t``'s repr, and whether to wrap it in ``Parameter(...)``.

    As in PyTorch: Tensor, Parameter and Buffer print ``tensor(``, any other subclass its class
    name, and a subclass of Parameter is also wrapped in ``Parameter(...)``. Parameter is
    found by name among ``t``'s classes: ``retrograd.nn`` sits above this module.
    """
    parameter_cls = next((c for c in type(t).__mro__ if _is_parameter_class(c)), None)
    if type(t) in (tensor_cls, parameter_cls) or _is_buffer_class(type(t)):
        return "tensor(", False
    return f"{type(t).__name__}(", parameter_cls is not None


def _is_parameter_class(cls: type) -> bool:
    return cls.__name__ == "Parameter" and cls.__module__.startswith("retrograd.nn")


def _is_buffer_class(cls: type) -> bool:
    """``retrograd.nn.Buffer``: PyTorch's Buffer is a plain ``torch.Tensor``, so it
    prints as a tensor."""
    return cls.__name__ == "Buffer" and cls.__module__.startswith("retrograd.nn")


def tensor_repr(t: Any, tensor_cls: type) -> str:
    """What ``repr(t)`` and ``str(t)`` return: ``tensor([...], suffixes)`` exactly as
    PyTorch prints it; a subclass of ``tensor_cls`` (retrograd's Tensor) prints its own
    class name instead of ``tensor``.

    Runs with grad recording off, so printing never adds to a graph.
    """
    prefix, wrap = _prefix(t, tensor_cls)
    indent = len(prefix)
    with no_grad():
        text = _add_suffixes(prefix + _tensor_str(t, indent), _suffixes(t, tensor_cls), indent)
    return f"Parameter({text})" if wrap else text
