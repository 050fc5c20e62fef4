"""``retrograd.finfo`` and ``retrograd.iinfo``: the numerical limits of a dtype.

The limits follow from each format's layout (IEEE 754 binary16/32/64 for the floating
dtypes, two's complement for the integers), so they are computed here in Python from the
bit counts: no array library is asked. The printed form and the errors are PyTorch's.
"""

from __future__ import annotations

import math

from . import dtypes

_UNSET = object()  # tells "no argument" from an explicit None, which PyTorch rejects

# Floating formats: dtype name -> (explicit mantissa bits, exponent bits).
_FLOAT_LAYOUTS = {"float16": (10, 5), "float32": (23, 8), "float64": (52, 11)}


def _expect_dtype(cls: str, value: object) -> dtypes.dtype:
    """``value`` if it is a dtype, else PyTorch's argument-parsing TypeError."""
    if not isinstance(value, dtypes.dtype):
        raise TypeError(
            f"{cls}(): argument 'type' (position 1) must be torch.dtype, not {type(value).__name__}"
        )
    return value


class _Info:
    """Read-only attributes set once, compared by dtype (PyTorch's finfo/iinfo are
    immutable and equal when they describe the same dtype)."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # PyTorch's are unhashable too

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(
            f"attribute '{name}' of 'torch.{type(self).__name__}' objects is not writable"
        )

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.dtype == self.dtype  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __str__(self) -> str:
        return repr(self)


class finfo(_Info):  # noqa: N801 - PyTorch's spelling
    """The numerical properties of a floating dtype (the default dtype if none given).

    Attributes: ``bits`` (storage size), ``eps`` (the gap between 1 and the next
    representable number), ``max``/``min`` (the largest/most negative finite values),
    ``tiny`` and its alias ``smallest_normal`` (the smallest positive normal number),
    ``resolution`` (``10 ** -precision``, with ``precision = floor(-log10(eps))``) and
    ``dtype`` (the dtype's name, a ``str``). A non-dtype raises ``TypeError``, as does a
    non-floating dtype.
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type: dtypes.dtype = _UNSET) -> None:  # type: ignore[assignment]  # noqa: A002
        d = dtypes.get_default_dtype() if type is _UNSET else _expect_dtype("finfo", type)
        if d.name not in _FLOAT_LAYOUTS:
            raise TypeError(
                "torch.finfo() requires a floating point input type. "
                "Use torch.iinfo to handle 'torch.finfo'"
            )
        mantissa, exponent = _FLOAT_LAYOUTS[d.name]
        bias = 2 ** (exponent - 1) - 1
        eps = 2.0**-mantissa
        largest = (2.0 - eps) * 2.0**bias
        tiny = 2.0 ** (1 - bias)
        self._set(
            bits=d.itemsize * 8, eps=eps, max=largest, min=-largest, tiny=tiny,
            smallest_normal=tiny, resolution=10.0 ** -math.floor(-math.log10(eps)),
            dtype=d.name,
        )  # fmt: skip

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
            f"tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo(_Info):  # noqa: N801 - PyTorch's spelling
    """The numerical properties of an integer dtype: ``bits``, ``max``, ``min`` (Python
    ints) and ``dtype`` (the dtype's name, a ``str``). ``bool`` and floating dtypes raise
    ``TypeError``, as in PyTorch."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type: dtypes.dtype = _UNSET) -> None:  # type: ignore[assignment]  # noqa: A002
        if type is _UNSET:
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        d = _expect_dtype("iinfo", type)
        if d is dtypes.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.category != dtypes.INTEGER:
            raise TypeError(
                "torch.iinfo() requires an integer input type. "
                "Use torch.finfo to handle 'torch.iinfo'"
            )
        bits = d.itemsize * 8
        low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if d.is_signed else (0, 2**bits - 1)
        self._set(bits=bits, max=high, min=low, dtype=d.name)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
