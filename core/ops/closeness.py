"""Closeness, membership and facts about tensors and dtypes: ``isclose``, ``allclose``,
``equal``, ``isin``, ``isposinf``/``isneginf``, ``isreal``, ``argwhere``, the
``is_*`` predicates and the dtype questions ``promote_types``, ``result_type`` and
``can_cast``.

None is differentiable: the tensor results are bool (or index) tensors without a
``grad_fn``, and the others are Python values, as in PyTorch. They are composed from
retrograd's comparisons on detached operands, so no graph is recorded on the way.
"""

from __future__ import annotations

import math
from typing import Any

from .. import dtypes
from ..dtypes import FLOATING
from ..tensor import Tensor
from .dispatch import promote
from .gather_scatter import nonzero
from .helpers import check_tensor
from .record import composite


def _same_dtype(input: Tensor, other: Tensor) -> None:
    if input.dtype is not other.dtype:
        raise RuntimeError(
            f"{dtypes.kind_name(input.dtype)} did not match {dtypes.kind_name(other.dtype)}"
        )


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (equal infinities close;
    nan close to nan only with ``equal_nan``); both of one dtype, shapes broadcast."""
    check_tensor("isclose", input)
    check_tensor("isclose", other, "other")
    _same_dtype(input, other)
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a, b = input.detach(), other.detach()
    close = a == b
    if equal_nan and a.dtype.is_floating_point:
        close = close.logical_or(a.isnan().logical_and(b.isnan()))
    if rtol == 0 and atol == 0:
        return close
    if not a.dtype.is_floating_point:  # PyTorch measures integers in the default float
        a, b = a.to(dtypes.get_default_dtype()), b.to(dtypes.get_default_dtype())
    allowed, actual = atol + (rtol * b).abs(), (a - b).abs()
    return close.logical_or(actual.isfinite().logical_and(actual <= allowed))


@composite(method=True)
def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether :func:`isclose` holds everywhere (a Python bool)."""
    check_tensor("allclose", input)
    return bool(isclose(input, other, rtol, atol, equal_nan).all().item())


@composite(method=True)
def equal(input: Tensor, other: Tensor) -> bool:
    """Whether both have one shape and equal values (after promotion; nan is unequal)."""
    check_tensor("equal", input)
    check_tensor("equal", other, "other")
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool((input.detach() == other.detach()).all().item())


def _as_tensor_like(value: Any, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return like.new_tensor(value, dtype=promote((value,)))


@composite(method=False)
def isin(
    elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False
) -> Tensor:
    """For each of ``elements``, whether it is among ``test_elements`` (either may be a
    number; nan is in nothing); ``invert`` negates. ``assume_unique`` is accepted and,
    as a mere speed hint, changes nothing here."""
    del assume_unique
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments")
    like = elements if isinstance(elements, Tensor) else test_elements
    e, t = _as_tensor_like(elements, like).detach(), _as_tensor_like(test_elements, like).detach()
    if dtypes.bool in (e.dtype, t.dtype):
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    found = (e.reshape(-1, 1) == t.reshape(1, -1)).any(-1).reshape(e.shape)
    return found.logical_not() if invert else found


def _infinity_test(name: str, sign: float) -> Any:
    def test(input: Tensor) -> Tensor:
        check_tensor(name, input)
        if input.dtype.category < FLOATING:  # an integer is never infinite
            return input.detach() != input.detach()
        return input.detach() == sign * math.inf

    test.__name__ = test.__qualname__ = name
    test.__doc__ = f"Where ``input`` is {'+' if sign > 0 else '-'}inf (a bool tensor)."
    return test


def isreal(input: Tensor) -> Tensor:
    """Where ``input`` has no imaginary part: everywhere, for the real dtypes."""
    check_tensor("isreal", input)
    return input.new_ones(input.shape, dtype=dtypes.bool)


def argwhere(input: Tensor) -> Tensor:
    """The indices of the nonzero elements, one row each (``nonzero``)."""
    check_tensor("argwhere", input)
    return nonzero(input)


def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor; PyTorch's RuntimeError for any other size."""
    check_tensor("is_nonzero", input)
    n = input.numel()
    if n != 1:
        which = "no values" if n == 0 else "more than one value"
        raise RuntimeError(f"Boolean value of Tensor with {which} is ambiguous")
    return bool(input.item() != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether both have the same shape."""
    check_tensor("is_same_size", input)
    check_tensor("is_same_size", other, "other")
    return tuple(input.shape) == tuple(other.shape)


def _dtype_fact(name: str, fact: Any) -> Any:
    def predicate(input: Tensor) -> bool:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        return fact(input.dtype)

    predicate.__name__ = predicate.__qualname__ = name
    predicate.__doc__ = f"Whether ``input``'s dtype is {name.removeprefix('is_')}."
    return predicate


@composite(method=False)
def promote_types(type1: dtypes.dtype, type2: dtypes.dtype) -> dtypes.dtype:
    """The smallest dtype both convert to without losing their category."""
    return dtypes.promote_types(type1, type2)


@composite(method=False)
def result_type(tensor: Any, other: Any) -> dtypes.dtype:
    """The dtype an arithmetic op on ``tensor`` and ``other`` (tensors or numbers) gives."""
    return promote((tensor, other))


@composite(method=False)
def can_cast(from_: dtypes.dtype, to: dtypes.dtype) -> bool:
    """Whether PyTorch's casting rule allows ``from_`` to ``to``: never to a lower
    category (floating to integer, anything but bool to bool)."""
    return to.category >= from_.category


METHODS = {"ndimension": lambda self: self.dim()}  # there is no torch.ndimension

FUNCTIONS = {
    "isclose": isclose,
    "allclose": allclose,
    "equal": equal,
    "isin": isin,
    "isposinf": _infinity_test("isposinf", 1.0),
    "isneginf": _infinity_test("isneginf", -1.0),
    "isreal": isreal,
    "argwhere": argwhere,
    "is_nonzero": is_nonzero,
    "is_same_size": is_same_size,
    # Tensor.is_floating_point is the tensor's own property-like method; this is torch's
    "is_floating_point": composite(method=False)(
        _dtype_fact("is_floating_point", lambda d: d.is_floating_point)
    ),
    "is_complex": _dtype_fact("is_complex", lambda d: False),  # no complex dtypes yet
    "is_signed": _dtype_fact("is_signed", lambda d: d.is_signed),
    "promote_types": promote_types,
    "result_type": result_type,
    "can_cast": can_cast,
}
