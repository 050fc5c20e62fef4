"""Custom differentiable functions: ``retrograd.autograd.Function``.

A subclass defines ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` as static
methods and is called through ``apply``. The ``ctx`` is the node itself (an instance of
``<Name>Backward``), so a custom function becomes an ordinary node in the graph: the
engine has one kind of node.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from .. import anomaly_mode, dual, grad_mode
from ..creation import zeros, zeros_like
from ..graph import FREED_MESSAGE, Node, input_fields, saved_form, unpack_saved
from ..tensor import Tensor


class FunctionCtx:
    """What ``forward`` may tell ``backward`` through ``ctx``."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Save tensors (or None) for ``backward``; read them back as ``saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self._to_save = tensors

    def save_for_forward(self, *tensors: Tensor | None) -> None:
        """Save tensors (or None) for ``jvp`` (forward mode); ``jvp`` reads them back as
        ``saved_tensors``."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise AssertionError(
                    "save_for_forward expects all arguments to be tensors; you should "
                    "save non-tensors as attributes on ctx."
                )
        self._fw_saved = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that ``forward`` modified in place (and returns)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that get no gradient (e.g. indices)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` gets zeros (True, default) or None for unused outputs."""
        self._materialize = value


class BackwardCFunction(Node, FunctionCtx):
    """The node of one ``Function.apply`` call; it is also the call's ``ctx``."""

    _forward_cls: type[Function]

    def __init__(self) -> None:
        Node.__init__(self)
        self._to_save: tuple = ()
        self._saved: tuple | None = None
        self._saved_meta: tuple = ()  # (version, is_output) per saved tensor
        self._dirty: tuple = ()
        self._non_differentiable: tuple = ()
        self._materialize = True
        self._output_meta: tuple = ()
        self._tensor_positions: tuple[int, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self._fw_saved: tuple | None = None
        self._in_jvp = False

    @property
    def saved_tensors(self) -> tuple:
        if self._in_jvp:  # forward mode: what save_for_forward saved
            return self._fw_saved or ()
        if self._saved is None:
            raise RuntimeError(FREED_MESSAGE)
        return tuple(
            None if s is None else unpack_saved(s, version, self, is_output)
            for s, (version, is_output) in zip(self._saved, self._saved_meta, strict=True)
        )

    def apply(self, grad_outputs: tuple) -> tuple:
        # One gradient per forward output, zeros where none arrived (unless told not to).
        padded = (*grad_outputs, *(None,) * (len(self._output_meta) - len(grad_outputs)))
        grads = tuple(
            _zeros_like_meta(meta) if g is None and meta and self._materialize else g
            for g, meta in zip(padded, self._output_meta, strict=True)
        )
        result = self._forward_cls.backward(self, *grads)
        return self._tensor_grads(result if isinstance(result, tuple) else (result,))

    def _tensor_grads(self, result: tuple) -> tuple:
        """``backward``'s result (one per ``forward`` argument) -> one per input edge."""
        expected = len(self.needs_input_grad)
        if len(result) > expected and all(r is None for r in result[expected:]):
            result = result[:expected]
        if len(result) != expected:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {expected}, got {len(result)})"
            )
        for i, g in enumerate(result):
            if g is not None and i not in self._tensor_positions:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Tensor"
                )
        return tuple(result[i] for i in self._tensor_positions)

    def release(self) -> None:
        if self._saved:
            self._saved = None

    def __repr__(self) -> str:
        # PyTorch's text: a custom function's node is a Python class of torch.autograd.function
        # (a built-in node prints its bare name).
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"


def _zeros_like_meta(meta: tuple) -> Tensor:
    shape, dtype, backend = meta
    return zeros(shape, dtype=dtype, backend=backend)


class Function:
    """Base class for custom autograd operations (see the module docstring)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(f"{cls.__name__}Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls})  # fmt: skip

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement the backward function for custom Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        """Override it (with a ``forward`` that takes no ``ctx``) to save what backward
        needs from the ``inputs`` and ``output`` of ``forward``, as in PyTorch."""
        raise NotImplementedError("setup_context is not implemented.")

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        """Forward mode: the tangent of each output, given the tangent of each ``forward``
        argument (zeros for a tensor without one, None for a non-tensor); read what
        ``forward`` (or ``setup_context``) gave ``ctx.save_for_forward`` as
        ``ctx.saved_tensors``."""
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it "
            "with forward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` without recording, then connect its outputs to one node."""
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        recording = grad_mode.state.enabled and any(ctx.needs_input_grad)
        forward_mode = dual.STATE.active and any(dual.has_tangent(a) for a in args)
        # forward mode: forward's own ops compute no tangents (jvp gives the outputs')
        with grad_mode.no_grad(), dual.below(0) if forward_mode else contextlib.nullcontext():
            if cls.setup_context is Function.setup_context:
                outputs = cls.forward(ctx, *args, **kwargs)
            else:  # the setup_context style: forward takes no ctx
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
        if recording:
            # Edges only for the tensor arguments, as in PyTorch (a number gets no edge).
            ctx._tensor_positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
            tensors = [args[i] for i in ctx._tensor_positions]
            ctx._inputs = tuple(field for t in tensors for field in input_fields(t))
            outputs = _connect(ctx, args, outputs)
        if forward_mode:
            _output_tangents(cls, ctx, args, outputs)
        return outputs


def _output_tangents(
    cls: type[Function], ctx: BackwardCFunction, args: tuple, outputs: Any
) -> None:
    """Forward mode: give the outputs the tangents ``cls.jvp`` computes, at each active
    dual level where an argument has one."""
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    for index in dual.active_indices():
        tangents = [_tangent_arg(a, index) for a in args]
        if all(u is None or dual.get_tangent(a, index) is None for u, a in zip(tangents, args)):
            continue
        ctx._in_jvp = True
        try:
            with dual.below(index):
                result = cls.jvp(ctx, *tangents)
        finally:
            ctx._in_jvp = False
        result = result if isinstance(result, tuple) else (result,)
        for out, u in zip(outs, result):
            if isinstance(out, Tensor) and isinstance(u, Tensor) and out.dtype.is_floating_point:
                dual.set_tangent(out, u, index)


def _tangent_arg(a: Any, index: int) -> Tensor | None:
    if not isinstance(a, Tensor):
        return None
    u = dual.get_tangent(a, index)
    return u if u is not None else zeros_like(a)


def _connect(ctx: BackwardCFunction, args: tuple, outputs: Any) -> Any:
    if anomaly_mode.ENABLED:
        anomaly_mode.record_forward_trace(ctx)
    single = not isinstance(outputs, tuple)
    outs = (outputs,) if single else outputs
    wrapped = []
    for nr, out in enumerate(outs):
        if isinstance(out, Tensor):
            out = _as_output(ctx, args, out, nr)
        wrapped.append(out)
    ctx._output_meta = tuple(
        (tuple(o.shape), o.dtype, o.backend) if isinstance(o, Tensor) else None for o in wrapped
    )
    saved = [_save(t, wrapped) for t in ctx._to_save]
    ctx._saved = tuple(form for form, _ in saved)
    ctx._saved_meta = tuple((None, False) if meta is None else meta for _, meta in saved)
    ctx._to_save = ()
    return wrapped[0] if single else tuple(wrapped)


def _as_output(ctx: BackwardCFunction, args: tuple, out: Tensor, nr: int) -> Tensor:
    if any(out is d for d in ctx._non_differentiable) or not out.dtype.is_floating_point:
        return out
    if any(out is d for d in ctx._dirty):
        if out._grad_fn is None and out._requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )
        out._storage.bump_version()
    elif any(out is a for a in args):
        out = out.detach()  # returning an input unchanged gives a new tensor, as in PyTorch
    out._grad_fn, out._output_nr = ctx, nr
    return out


def _save(t: Tensor | None, outputs: list) -> tuple[Tensor | None, tuple | None]:
    """A tensor given to ``save_for_backward``: its saved form and (version, is_output)."""
    if t is None:
        return None, None
    is_output = any(t is o for o in outputs)
    return saved_form(t, is_output), (t._storage.version, is_output)


# -- once_differentiable -----------------------------------------------------------------
_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


class _DelayedError(Function):
    """Aliases of its inputs whose backward raises: marks results not to differentiate."""

    @staticmethod
    def forward(ctx: Any, *values: Any) -> Any:
        return values if len(values) != 1 else values[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        raise RuntimeError(_TWICE)


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a ``backward`` that is not itself differentiable: it runs under
    ``no_grad``, and differentiating its results (``create_graph``) raises PyTorch's
    "trying to differentiate twice" error instead of silently giving wrong gradients."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        with grad_mode.no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not grad_mode.is_grad_enabled():
            return outputs
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        many = isinstance(outputs, tuple)
        marked = _DelayedError.apply(
            *(_requiring_grad(o) for o in (outputs if many else (outputs,)))
        )
        return marked if many or not isinstance(marked, tuple) else marked[0]

    return wrapper


def _requiring_grad(value: Any) -> Any:
    if not isinstance(value, Tensor):
        return value
    return value.detach().requires_grad_(True)
