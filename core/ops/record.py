"""Op records: each op (one PyTorch overload) declared once, as data.

A record names the op, its ``grad_fn`` class, the kernel it calls, its inputs, what its
derivative rules need saved, one rule per input, its kind, and the input domain and
kinks the conformance suite must sample and avoid. It also holds every fact the surface
is built from: the public name the overload belongs to, whether that name is also a
Tensor method and has an in-place form, and how the op treats integer and bool inputs.
The public function, the Tensor method, the in-place method, the docs entry
(``docs/ops.md``), the type stubs and the conformance cases are all derived from it.

A public function composed of other ops (no node of its own: ``square``, ``einsum``)
has no record; :func:`composite` states its surface facts where it is defined.

A derivative rule is ``rule(grad, *saved)``: it receives the gradient w.r.t. the op's
output and the values named in ``save``, in that order, and returns the gradient w.r.t.
its input, written in retrograd's own differentiable ops (so higher-order gradients
work). Reducing broadcast gradients and casting dtypes is the engine's job, not the
rule's. Save names: an input name (``"self"``, ``"other"``) saves that tensor,
``"result"`` saves the output, ``"self.shape"`` saves only a shape, anything else
names a parameter of the call.
"""

from __future__ import annotations

import dis
import enum
import inspect
import math
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .. import anomaly_mode
from ..grad_mode import state as _grad_state
from ..graph import (
    FREED_MESSAGE,
    INPUT_FIELDS,
    NO_INPUT,
    Node,
    accumulator_of,
    saved_form,
    unpack_saved,
)
from ..tensor import Tensor, refresh_view

Rule = Callable[..., Any]


class Kind(str, enum.Enum):
    """The closed set of op kinds: the conformance suite generates cases by kind and the
    docs group ops by it. A str, so a kind compares equal to its name."""

    UNARY = "unary"
    BINARY = "binary"
    TERNARY = "ternary"  # where, lerp, clamp: a tensor and two more operands
    COMPARISON = "comparison"
    BITWISE = "bitwise"
    REDUCTION = "reduction"
    LINALG = "linalg"
    SHAPE = "shape"
    INDEXING = "indexing"
    CONVERSION = "conversion"
    CREATION = "creation"
    ACTIVATION = "activation"
    LOSS = "loss"

    __str__ = str.__str__
    __format__ = str.__format__


UNARY, BINARY, TERNARY, COMPARISON, BITWISE = (
    Kind.UNARY, Kind.BINARY, Kind.TERNARY, Kind.COMPARISON, Kind.BITWISE,
)  # fmt: skip
REDUCTION, LINALG, SHAPE, INDEXING, CONVERSION = (
    Kind.REDUCTION, Kind.LINALG, Kind.SHAPE, Kind.INDEXING, Kind.CONVERSION,
)  # fmt: skip
CREATION, ACTIVATION, LOSS = Kind.CREATION, Kind.ACTIVATION, Kind.LOSS


@dataclass(frozen=True)
class Convention:
    """PyTorch's gradient where math leaves a choice (a kink, a tie, a zero product),
    pinned as data: at ``inputs`` (one nested list of numbers per input) with ``params``
    (``(name, value)`` pairs), the gradients w.r.t. the inputs are ``grads``. The
    conformance suite checks each one on every backend."""

    inputs: tuple
    grads: tuple
    params: tuple = ()


@dataclass(frozen=True)
class AtKinks:
    """The convention "the gradient is ``grad`` at each of the record's kinks"."""

    grad: float
    params: tuple = ()


@dataclass(frozen=True, eq=False)
class OpRecord:
    """One op, as data. See the module docstring for the meaning of each field.

    Surface facts: ``public`` is the PyTorch name this overload belongs to (``pow`` for
    ``pow_tensor``; default: ``name``); on the record whose ``name`` is its public name,
    ``method`` says whether ``Tensor.<public>`` exists and ``inplace`` whether
    ``Tensor.<public>_`` does (for each alias of the function too). ``float_only``: an
    integer or bool input is PyTorch's NotImplementedError; ``accepts_bool`` False: a bool
    input is, unless ``bool_error`` gives PyTorch's RuntimeError message for it.
    ``refuses_integral``: the op itself refuses some integer or bool operands (division by
    zero, no bool kernel), so an in-place form checks that its result fits first.
    ``no_derivative``: PyTorch records the op but has no derivative for it: a backward
    through it raises PyTorch's error (:func:`derivative_refusal`); the record's rules are
    made to.
    ``jvp``: the tangent rule ``jvp(tangents, result, *saved)`` where forward mode cannot
    derive one from ``grads`` (``retrograd.autograd.forward_rules``): the tangent of each
    input (None where it has none), the result, the values ``save`` names.
    """

    name: str
    kind: Kind
    grad_fn: str | None
    kernel: str
    inputs: tuple[str, ...] = ("self",)
    save: tuple[str, ...] = ()
    grads: tuple[Rule | None, ...] = ()
    doc: str = ""
    domain: tuple[float, float] = (-math.inf, math.inf)
    kinks: tuple[float, ...] = ()
    smooth: bool = True  # second-order gradients are checked where True
    int_to_float: bool = False  # integer/bool inputs compute in the default float dtype
    accepts_bool: bool = True  # False: a bool input is an error, as in PyTorch
    bool_error: str = ""
    float_only: bool = False
    refuses_integral: bool = False
    public: str = ""
    method: bool = True
    inplace: bool = False
    conventions: tuple[Convention | AtKinks, ...] = ()
    no_derivative: str = ""
    jvp: Rule | None = None  # forward mode: see retrograd.autograd.forward_rules
    node_class: type | None = field(default=None, compare=False)

    save_plan: tuple = field(default=(), compare=False, repr=False)
    saves_tensors: bool = field(default=False, compare=False, repr=False)
    plans_by_live: tuple | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        if not self.public:
            object.__setattr__(self, "public", self.name)
        if self.no_derivative:
            refuse = _refusal(self.no_derivative, self.grad_fn)
            object.__setattr__(self, "grads", (refuse,) * len(self.inputs))
        pinned = tuple(self._concrete(c) for c in self.conventions)
        object.__setattr__(self, "conventions", pinned)
        if self.grad_fn is not None:
            cls = type(self.grad_fn, (OpNode,), {"__slots__": (), "record": self})
            object.__setattr__(self, "node_class", cls)
        # Parsed once here so that recording an op does no string work.
        plan = tuple(self._plan(name) for name in self.save)
        object.__setattr__(self, "save_plan", plan)
        object.__setattr__(self, "saves_tensors", any(k in (_RESULT, _INPUT) for k, _, _ in plan))
        object.__setattr__(self, "plans_by_live", self._plans_by_live())

    def _concrete(self, convention: Convention | AtKinks) -> Convention:
        if isinstance(convention, Convention):
            return convention
        points = [float(k) for k in self.kinks]
        return Convention(([*points],), ([convention.grad] * len(points),), convention.params)

    def _plans_by_live(self) -> tuple | None:
        """The save plan for each set of inputs that need a gradient (a bit mask, bit i
        for input i): what only the rules of other inputs read is not saved. PyTorch
        does the same, so ``y * 2`` keeps the 2 but not ``y``. None where one rule
        serves several inputs (nothing to leave out)."""
        n = len(self.inputs)
        if not self.save_plan or len(self.grads) != n or n > 4:
            return None
        reads = [_saved_values_read(rule, len(self.save)) for rule in self.grads]
        plans = []
        for live in range(1 << n):
            needed = set().union(*(reads[i] for i in range(n) if live >> i & 1))
            plans.append(
                tuple(step if j in needed else _SKIPPED for j, step in enumerate(self.save_plan))
            )
        return tuple(plans)

    def _plan(self, name: str) -> tuple:
        if name == "result":
            return (_RESULT, None, None)
        base, _, attr = name.partition(".")
        if base in self.inputs:
            return (_ATTR if attr else _INPUT, self.inputs.index(base), attr)
        return (_PARAM, name, None)


def derivative_error(aten_name: str) -> str:
    """PyTorch's message for a backward through an op it has no derivative for."""
    return f"derivative for aten::{aten_name} is not implemented"


def derivative_refusal(aten_name: str, grad_fn: str | None) -> Exception:
    """PyTorch's error for a backward through an op it records without a derivative: a
    ``NotImplemented`` node raises a RuntimeError (:func:`derivative_error`); a node named
    for its op (``Unique2Backward0``) raises a NotImplementedError."""
    if grad_fn == "NotImplemented":
        return RuntimeError(derivative_error(aten_name))
    return NotImplementedError(f"the derivative for '{aten_name}' is not implemented.")


def _refusal(aten_name: str, grad_fn: str | None) -> Rule:
    def refuse(grad: Any) -> Any:
        raise derivative_refusal(aten_name, grad_fn)

    return refuse


_RESULT, _INPUT, _ATTR, _PARAM, _SKIP = range(5)
_SKIPPED = (_SKIP, None, None)  # a value no rule that will run reads: not kept


def _saved_values_read(rule: Rule | None, count: int) -> set[int]:
    """Which of the ``count`` saved values ``rule(grad, *saved)`` reads: every one whose
    parameter the rule's code loads or closes over (all of them where the rule is not
    plain Python code with exactly those parameters)."""
    if rule is None:
        return set()
    code = getattr(rule, "__code__", None)
    if code is None or code.co_argcount != count + 1 or code.co_flags & _VARIADIC:
        return set(range(count))
    names = set(code.co_cellvars)
    for instruction in dis.get_instructions(code):
        if instruction.opname.startswith("LOAD_"):
            value = instruction.argval
            names.update(value if isinstance(value, tuple) else (value,))
    return {j for j, name in enumerate(code.co_varnames[1 : count + 1]) if name in names}


_VARIADIC = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Composite:
    """The surface facts of a public function composed of other ops (no record of its
    own): the same meaning as :class:`OpRecord`'s fields of these names."""

    method: bool = True
    inplace: bool = False
    refuses_integral: bool = False


def composite(*, method: bool = True, inplace: bool = False, refuses_integral: bool = False):
    """Decorator: state a composed function's surface facts where it is defined."""

    def mark(fn: F) -> F:
        fn.composite = Composite(method, inplace, refuses_integral)  # type: ignore[attr-defined]
        return fn

    return mark


class OpNode(Node):
    """The ``grad_fn`` of a record's op: unpacks what was saved and calls the rules.

    ``_saved`` holds the values the record's ``save`` names, in order (tensors in their
    :func:`~retrograd.graph.saved_form`), ``_versions`` the version of each saved tensor
    (None for other values); ``_saved`` is None once released.
    """

    __slots__ = ("_saved", "_versions")
    record: OpRecord

    def apply(self, grad_outputs: tuple, wanted: Container | None = None) -> list:
        """The input gradients; with ``wanted`` (the nodes a ``backward(inputs=...)`` or
        ``autograd.grad`` call must reach), only for inputs whose node is in it: as in
        PyTorch, the other rules do not run (a rule that refuses, like igamma's for its
        first input, must not fail a call that did not ask for that gradient)."""
        grad = grad_outputs[0]
        saved = self._unpack()
        grads = []
        for rule, child in zip(self.record.grads, self._inputs[0::INPUT_FIELDS]):
            needed = rule is not None and child is not None
            if needed and wanted is not None:
                needed = child in wanted
            grads.append(rule(grad, *saved) if needed else None)
        return grads

    def _unpack(self) -> tuple | list:
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        versions = self._versions
        if versions is None:  # no tensor saved: nothing to check
            return saved
        values = list(saved)
        recording = _grad_state.enabled
        for i, (version, step) in enumerate(zip(versions, self.record.save_plan)):
            if version is not None:
                values[i] = unpack_saved(values[i], version, self, step[0] == _RESULT, recording)
        return values

    def release(self) -> None:
        if self.record.saves_tensors:
            self._saved = None


def requires_grad_any(inputs: tuple) -> bool:
    """True if grad mode is on and some input tensor requires grad."""
    if not _grad_state.enabled:
        return False
    for t in inputs:
        if isinstance(t, Tensor):
            if t._base is not None:
                refresh_view(t)
            if t._grad_fn is not None or t._requires_grad:
                return True
    return False


def attach_node(record: OpRecord, out: Any, inputs: tuple, params: dict | None = None) -> Any:
    """Make ``record``'s node the ``grad_fn`` of ``out``; save what its rules need.

    ``inputs`` are the op's inputs in record order (tensors or Python scalars);
    ``params`` the call's parameters that rules may ask for by name.
    """
    cls = record.node_class
    node = cls.__new__(cls)
    node._hooks = node._pre_hooks = node._tensor_pre_hooks = node._metadata = None
    if anomaly_mode.ENABLED:
        anomaly_mode.record_forward_trace(node)
    fields: list = []
    live = 0  # bit i: input i needs a gradient
    for i, t in enumerate(inputs):  # the hot path: graph.input_fields, inlined
        if isinstance(t, Tensor):
            if t._base is not None:
                refresh_view(t)
            fn = t._grad_fn
            if fn is not None:
                fields += (fn, t._output_nr, t._storage.array.shape, t._dtype)
                live |= 1 << i
            elif t._requires_grad:
                fields += (accumulator_of(t), 0, t._storage.array.shape, t._dtype)
                live |= 1 << i
            else:
                fields += (None, 0, t._storage.array.shape, t._dtype)
        else:
            fields += NO_INPUT
    node._inputs = tuple(fields)
    if record.save_plan:
        plans = record.plans_by_live
        plan = record.save_plan if plans is None else plans[live]
        node._saved, node._versions = _save(plan, out, inputs, params)
    else:
        node._saved, node._versions = (), None
    out._grad_fn = node
    out._output_nr = 0
    return out


def resave_output(node: Any, out: Any, written: Any) -> None:
    """``node`` saved its output ``out``; the in-place op that made it wrote ``out`` into
    ``written``, which is now the node's output in PyTorch's sense: save ``written`` (at
    its current version) instead, so a later in-place write into it fails the backward
    as PyTorch's version check does (``y = x.exp_(); y.mul_(2)``)."""
    saved, versions = getattr(node, "_saved", None), getattr(node, "_versions", None)
    if not saved or versions is None or not isinstance(node, OpNode):
        return
    values, new_versions = list(saved), list(versions)
    for i, step in enumerate(node.record.save_plan):
        value = values[i]
        if step[0] == _RESULT and isinstance(value, Tensor) and value._storage is out._storage:
            values[i] = saved_form(written, True)
            new_versions[i] = written._storage.version
    node._saved, node._versions = type(saved)(values), tuple(new_versions)


def _save(plan: tuple, out: Any, inputs: tuple, params: dict | None) -> tuple[tuple, tuple]:
    """The values ``plan`` names, and the version of each saved tensor (None for other
    values; None instead of the tuple when no tensor is saved)."""
    values, versions = [], []
    tensors = False
    for kind, key, attr in plan:
        version = None
        if kind == _INPUT:
            value = inputs[key]
            if isinstance(value, Tensor):
                version, tensors = value._storage.version, True
                value = saved_form(value, False)
        elif kind == _RESULT:
            version, tensors = out._storage.version, True
            value = saved_form(out, True)
        elif kind == _ATTR:
            value = getattr(inputs[key], attr)
        elif kind == _PARAM:
            value = params[key]
        else:
            value = None
        values.append(value)
        versions.append(version)
    return tuple(values), tuple(versions) if tensors else None
