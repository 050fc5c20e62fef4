"""Program scalars: Python numbers a recorded step computes from tensor data.

An optimizer's bias correction is a Python float computed from ``state["step"]``; a
replay must recompute it, not reuse the number the capture saw. During a capture the
step count is read as a :class:`ProgramScalar`: a ``float`` with the right value (so the
eager run is unchanged) that also carries an *expression* of how it was computed. The
arithmetic operators build new expressions; the recorder turns a program scalar passed to
a kernel into that expression, and the generated replay evaluates it in the same order
(so the result is bit for bit the eager one).

Expressions are tuples: ``("read", ref, kernel)`` (the ``item()`` of a recorded array,
read with the backend's ``tolist`` kernel) or
``(op, a, b)`` / ``("neg", a)`` where operands are expressions or plain numbers. Anything
but arithmetic (``math.sqrt``, comparisons, ``int()``) sees a plain float: the result is
a constant of the program, which is why only the library's own step counters are read
this way (``retrograd.scalar_reads``), never a user's ``.item()``.
"""

from __future__ import annotations

import operator
from typing import Any

OPERATORS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
}
SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}


def _expr(value: Any) -> Any:
    return value.expr if isinstance(value, ProgramScalar) else value


def _binary(name: str, reflected: bool) -> Any:
    fn = OPERATORS[name]

    def method(self: ProgramScalar, other: Any) -> Any:
        if not isinstance(other, (int, float)) or isinstance(other, bool):
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        value = fn(float(a), float(b)) if isinstance(other, float) else fn(*_plain(a, b))
        return ProgramScalar(value, (name, _expr(a), _expr(b)))

    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


def _plain(a: Any, b: Any) -> tuple:
    """The operands as the plain numbers eager code would have combined."""
    return (float(a) if isinstance(a, ProgramScalar) else a,
            float(b) if isinstance(b, ProgramScalar) else b)  # fmt: skip


class ProgramScalar(float):
    """A float computed from recorded data; ``expr`` says how (see the module doc)."""

    expr: Any

    def __new__(cls, value: float, expr: Any) -> ProgramScalar:
        scalar = super().__new__(cls, value)
        scalar.expr = expr
        return scalar

    def __neg__(self) -> ProgramScalar:
        return ProgramScalar(-float(self), ("neg", self.expr))

    def __pos__(self) -> ProgramScalar:
        return self

    __add__, __radd__ = _binary("add", False), _binary("add", True)
    __sub__, __rsub__ = _binary("sub", False), _binary("sub", True)
    __mul__, __rmul__ = _binary("mul", False), _binary("mul", True)
    __truediv__, __rtruediv__ = _binary("truediv", False), _binary("truediv", True)
    __pow__, __rpow__ = _binary("pow", False), _binary("pow", True)


def source(expr: Any, name_of: Any) -> str:
    """Python source computing ``expr``; ``name_of`` spells a read's value,
    ``repr`` spells plain numbers (exact for floats); ``name_of`` gets the whole
    ``("read", ref, kernel)`` tuple, or a number of another type (a NumPy scalar)."""
    if not isinstance(expr, tuple):  # a number: exact as repr when a plain one
        return repr(expr) if type(expr) in (int, float) else name_of(expr)
    if expr[0] == "read":
        return name_of(expr)
    if expr[0] == "neg":
        return f"(-{source(expr[1], name_of)})"
    op, a, b = expr
    return f"({source(a, name_of)} {SYMBOLS[op]} {source(b, name_of)})"
