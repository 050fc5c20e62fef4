"""PyTorch's argument errors: the TypeError its argument parser raises for a bad call,
worded as PyTorch words it.

An op checks its arguments the cheap way on the hot path (``isinstance``; a sentinel
default :data:`MISSING` for a required argument; ``*extra`` for surplus positionals) and
only when that check fails asks :func:`error` for the exception. :func:`error` replays
PyTorch's parser on the public name's signatures (:mod:`retrograd.signatures`, in
PyTorch's own notation): a function with one signature reports the first argument that
does not fit it (``argument 'other' (position 2) must be Tensor, not str``, ``takes 1
positional argument but 2 were given``, ``missing 1 required positional arguments``); a
function with several reports the one signature whose argument count fits, or else
"received an invalid combination of arguments". A method's signatures are the
function's without ``input``.

Whether a function object is a method or which alias it was called by is a closure
variable (``as_method``, ``call_name``) of the op's function; :func:`twin` copies a
function with other values for them, so the method and the aliases cost nothing more
per call than the function.
"""

from __future__ import annotations

import functools
import inspect
import types
from dataclasses import dataclass
from typing import Any

from .dtypes import dtype
from .layouts import memory_format
from .signatures import SIGNATURES
from .tensor import Tensor


class _Missing:
    """The default of a required argument, so that a call without it reaches the op's
    own (PyTorch-worded) error instead of Python's."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def typename(value: Any) -> str:
    """The type name PyTorch's messages use: ``Tensor``, ``torch.dtype``, else Python's."""
    if isinstance(value, Tensor):
        return "Tensor"
    if isinstance(value, dtype):
        return "torch.dtype"
    return type(value).__name__


def expect_tensor(fn: str, value: Any, param: str = "input", position: int = 1) -> None:
    """PyTorch's TypeError where argument ``param`` of ``fn`` is not a Tensor (a function
    that is not an op record reads ``value._backend`` otherwise: an AttributeError)."""
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{fn}(): argument '{param}' (position {position}) must be Tensor, not "
            f"{typename(value)}"
        )


def expect_number(fn: str, value: Any, param: str, position: int) -> None:
    """PyTorch's TypeError where argument ``param`` of ``fn`` is not a Number."""
    if not _fits("Number", value):
        raise TypeError(
            f"{fn}(): argument '{param}' (position {position}) must be Number, not "
            f"{typename(value)}"
        )


@dataclass(frozen=True)
class Param:
    kind: str  # PyTorch's type name: "Tensor", "Number", "int", "tuple of ints", ...
    name: str
    default: str  # as written; "" for a required parameter
    keyword_only: bool

    @property
    def optional(self) -> bool:
        return bool(self.default)

    @property
    def allow_none(self) -> bool:
        return self.default == "None"

    def __str__(self) -> str:
        return f"{self.kind} {self.name}" + (f" = {self.default}" if self.default else "")


@dataclass(frozen=True)
class Signature:
    params: tuple[Param, ...]
    hidden: bool = False

    @property
    def min_args(self) -> int:
        return sum(not p.optional for p in self.params)

    @property
    def max_args(self) -> int:
        return len(self.params)

    @property
    def max_pos_args(self) -> int:
        return sum(not p.keyword_only for p in self.params)

    def __str__(self) -> str:
        parts, star = [], False
        for p in self.params:
            if p.keyword_only and not star:
                parts.append("*")
                star = True
            parts.append(str(p))
        return "(" + ", ".join(parts) + ")"


def parse_signature(text: str, method: bool = False) -> Signature:
    """``"(Tensor input, *, Tensor out = None)"`` (PyTorch's notation; a leading ``!``
    marks a hidden, deprecated signature); ``method``: without its ``input``."""
    hidden = text.startswith("!")
    body = text.lstrip("!").strip().removeprefix("(").removesuffix(")")
    params, keyword_only = [], False
    for part in (p.strip() for p in body.split(",") if p.strip()):
        if part == "*":
            keyword_only = True
            continue
        decl, _, default = (s.strip() for s in part.partition("="))
        kind, _, name = decl.rpartition(" ")
        params.append(Param(kind, name, default, keyword_only))
    if method:  # a method takes no ``out``, and its ``self`` is not counted
        params = [p for p in params if p.name != "out"]
        if params and params[0].kind == "Tensor" and params[0].name == "input":
            params = params[1:]
    return Signature(tuple(params), hidden)


def _texts(name: str, method: bool) -> tuple[str, ...]:
    if method and f"Tensor.{name}" in SIGNATURES:  # a method parsed other than its function
        return SIGNATURES[f"Tensor.{name}"]
    # an in-place method (``add_``) has its function's signatures
    found = SIGNATURES.get(name) or SIGNATURES.get(name[:-1], ()) if name.endswith("_") else ()
    found = found or SIGNATURES.get(name, ())
    # ``(Number self, Tensor other)`` has no method form
    return tuple(t for t in found if not (method and "Number self" in t))


@functools.cache
def signatures(name: str, method: bool) -> tuple[Signature, ...]:
    """``name``'s signatures (as a method: without ``input``), parsed once."""
    return tuple(parse_signature(t, method) for t in _texts(name, method))


def _is_int(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value.dim() == 0 and not value.dtype.is_floating_point
    return isinstance(value, int) and not isinstance(value, bool) or _numpy_int(value)


def _numpy_int(value: Any) -> bool:
    return (
        type(value).__module__ == "numpy" and hasattr(value, "dtype") and value.dtype.kind in "iu"
    )


def _fits(kind: str, value: Any) -> bool:
    """PyTorch's check of ``value`` against a parameter type."""
    if kind == "Tensor":
        return isinstance(value, Tensor)
    if kind == "Number":
        if isinstance(value, Tensor):
            return value.dim() == 0 and not value.requires_grad
        return isinstance(value, (int, float, complex)) or type(value).__module__ == "numpy"
    if kind == "int":
        return _is_int(value)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "torch.dtype":
        return isinstance(value, dtype)
    if kind == "torch.memory_format":
        return isinstance(value, memory_format)
    if kind == "tuple of ints":
        return _is_int(value) or (
            isinstance(value, (tuple, list)) and all(_is_int(v) for v in value)
        )
    if kind == "tuple of names":  # a bare str is no tuple of names to PyTorch's parser
        return isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value)
    if kind == "tuple of Tensors":
        return isinstance(value, (tuple, list)) and all(isinstance(v, Tensor) for v in value)
    return True


def _type_error(fn: str, param: Param, value: Any, position: int | None) -> TypeError:
    if param.kind == "tuple of Tensors" and isinstance(value, (tuple, list)) and position:
        at = next(i for i, v in enumerate(value) if not isinstance(v, Tensor))
        return TypeError(
            f"expected Tensor as element {at} in argument {position - 1}, but got "
            f"{typename(value[at])}"
        )
    if param.kind == "tuple of ints" and isinstance(value, (tuple, list)):
        at = next(i for i, v in enumerate(value) if not _is_int(v))
        return TypeError(
            f"{fn}(): argument '{param.name}' failed to unpack the object at pos {at + 1} "
            f'with error "type must be tuple of ints,but got {typename(value[at])}"'
        )
    where = "" if position is None else f" (position {position})"
    return TypeError(
        f"{fn}(): argument '{param.name}'{where} must be {param.kind}, not {typename(value)}"
    )


def _extra_args(fn: str, sig: Signature, given: int) -> TypeError:
    lo, hi = sig.min_args, sig.max_pos_args
    if lo != hi:
        return TypeError(
            f"{fn}() takes from {lo} to {hi} positional arguments but {given} were given"
        )
    s, verb = ("" if hi == 1 else "s"), ("was" if given == 1 else "were")
    return TypeError(f"{fn}() takes {hi} positional argument{s} but {given} {verb} given")


def _missing(fn: str, params: tuple[Param, ...]) -> TypeError:
    names = [p.name for p in params if not p.optional]
    s = "s" if len(names) == 1 else ""  # sic: PyTorch's plural
    quoted = ", ".join(f'"{n}"' for n in names)
    return TypeError(f"{fn}() missing {len(names)} required positional argument{s}: {quoted}")


def _parse(fn: str, sig: Signature, args: tuple, kwargs: dict) -> TypeError | None:
    """PyTorch's parse of one signature: the error it raises, or None if the call fits."""
    if (
        len(args) > 1
        and sig.max_pos_args == 1
        and sig.params[0].kind == "tuple of ints"
        and _is_int(args[0])
    ):  # a method's sizes as separate ints: ``x.reshape(2, 3)``
        args = (args,)
    if len(args) > sig.max_pos_args:
        return _extra_args(fn, sig, len(args))
    used = 0
    for i, param in enumerate(sig.params):
        if i < len(args):
            value, keyword = args[i], False
            if param.keyword_only:
                return _extra_args(fn, sig, len(args))
        elif param.name in kwargs:
            value, keyword = kwargs[param.name], True
            used += 1
        else:
            value, keyword = MISSING, True
        if value is MISSING:
            if not param.optional:
                return _missing(fn, sig.params[i:])
            continue
        if value is None and param.allow_none:
            continue
        if not _fits(param.kind, value):
            return _type_error(fn, param, value, None if keyword else i + 1)
    if used < len(kwargs):
        names = {p.name for p in sig.params}
        for key in kwargs:
            index = next((i for i, p in enumerate(sig.params) if p.name == key), None)
            if key not in names:
                return TypeError(f"{fn}() got an unexpected keyword argument '{key}'")
            if index is not None and index < len(args):
                return TypeError(f"{fn}() got multiple values for argument '{key}'")
    return None


def _invalid_combination(fn: str, sigs: tuple, args: tuple, kwargs: dict) -> TypeError:
    got = ", ".join(typename(a) for a in args)
    if kwargs:
        got += (", " if args else "") + "".join(f"{k}={typename(v)}, " for k, v in kwargs.items())
        got = got.removesuffix(", ") if args else got
    shown = [str(s) for s in sigs if not s.hidden]
    expected = shown[0] if len(shown) == 1 else "one of:\n" + "".join(f" * {t}\n" for t in shown)
    return TypeError(
        f"{fn}() received an invalid combination of arguments - got ({got}), but expected "
        f"{expected}"
    )


def error(
    name: str, args: tuple, kwargs: dict | None = None, method: bool = False
) -> TypeError | None:
    """PyTorch's TypeError for ``name(*args, **kwargs)`` (``args`` without ``self`` for a
    method; :data:`MISSING` values are left out), or None where PyTorch's parser would
    accept the call (or ``name`` has no signatures here)."""
    args = tuple(a for a in args if a is not MISSING)
    while args and args[-1] is MISSING:
        args = args[:-1]
    kwargs = {k: v for k, v in (kwargs or {}).items() if v is not MISSING}
    sigs = signatures(name, method)
    if not sigs:
        return None
    if method and len(sigs) == 1 and not sigs[0].params and (args or kwargs):
        return TypeError(f"Tensor.{name}() takes no arguments ({len(args) + len(kwargs)} given)")
    if len(sigs) == 1:
        return _parse(name, sigs[0], args, kwargs)
    if all(_parse(name, s, args, kwargs) is not None for s in sigs):
        count = len(args) + len(kwargs)
        plausible = [s for s in sigs if not s.hidden and s.min_args <= count <= s.max_args]
        if len(plausible) == 1:
            return _parse(name, plausible[0], args, kwargs)
        return _invalid_combination(name, sigs, args, kwargs)
    return None


def raise_error(name: str, args: tuple, kwargs: dict | None = None, method: bool = False) -> None:
    """Raise :func:`error`'s TypeError if PyTorch's parser refuses the call."""
    found = error(name, args, kwargs, method)
    if found is not None:
        raise found


def parsed(name: str) -> Any:
    """Decorator: a function whose TypeErrors (Python's own for a bad argument count, or
    its checks') are reworded as PyTorch's parser words them for ``name``. One extra call
    per op: for the ops with hand-written argument handling, not the record-built ones."""

    def decorate(fn: Any) -> Any:
        call_name, as_method = name, False

        def op(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except TypeError as original:
                given = args[1:] if as_method else args
                raise (error(call_name, given, kwargs, as_method) or original) from None

        op.__name__ = op.__qualname__ = name
        op.__doc__, op.__module__ = fn.__doc__, fn.__module__
        op.__dict__.update(fn.__dict__)
        op.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
        op.__wrapped__ = fn  # type: ignore[attr-defined]
        return op

    return decorate


def twin(fn: Any, **cells: Any) -> Any:
    """A copy of function ``fn`` whose closure variables named in ``cells`` hold other
    values (``as_method=True``, ``call_name="arccos"``); same code, so no extra call."""
    names = fn.__code__.co_freevars
    closure = tuple(
        types.CellType(cells[n]) if n in cells else c
        for n, c in zip(names, fn.__closure__ or (), strict=True)
    )
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__dict__.update(fn.__dict__)
    copy.__wrapped__ = origin(fn)
    copy.__doc__, copy.__module__ = fn.__doc__, fn.__module__
    name = cells.get("call_name", fn.__name__)
    copy.__name__ = copy.__qualname__ = name
    return copy


def origin(fn: Any) -> Any:
    """The function ``fn`` was made from by :func:`twin` or :func:`parsed` (aliases of
    one op share it), else ``fn``."""
    return getattr(fn, "__wrapped__", fn)


def has_cells(fn: Any, *names: str) -> bool:
    """Whether ``fn`` is an op function :func:`twin` can retarget."""
    code = getattr(fn, "__code__", None)
    return code is not None and all(n in code.co_freevars for n in names)


def named(fn: Any, name: str) -> Any:
    """``fn`` as the public function ``name`` (an alias: ``arccos`` for ``acos``), so its
    errors name the function called; a hand-written function with PyTorch signatures
    here gets :func:`parsed`."""
    if not has_cells(fn, "call_name"):
        return parsed(name)(fn) if name in SIGNATURES and callable(fn) else fn
    return fn if fn.__name__ == name else twin(fn, call_name=name)


def method_form(fn: Any) -> Any:
    """``fn`` as a Tensor method: its errors count arguments after ``self``. A function
    marked ``python_method`` (PyTorch writes that method in Python, in torch/_tensor.py)
    becomes a copy named ``Tensor.<name>``, so Python's own argument errors say so."""
    if has_cells(fn, "as_method"):
        return twin(fn, as_method=True)
    if getattr(fn, "python_method", False):
        method = twin(fn)
        method.__qualname__ = f"Tensor.{fn.__name__}"
        return method
    return fn


def public_signature(fn: Any) -> Any:
    """Give ``fn`` the signature users see (``help``, stubs): without the ``*extra``
    that collects surplus positionals and without :data:`MISSING` defaults."""
    sig = inspect.signature(fn)
    params = [
        p.replace(default=inspect.Parameter.empty) if p.default is MISSING else p
        for p in sig.parameters.values()
        if p.kind is not inspect.Parameter.VAR_POSITIONAL
    ]
    fn.__signature__ = sig.replace(parameters=params)
    return fn
