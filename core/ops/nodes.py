"""Records whose node is not one-rule-per-input, one output: variadic and multi-output ops.

``cat``/``stack`` take any number of tensors, and ``split``/``chunk``/``unbind`` return
several tensors that share one ``grad_fn`` (``output_nr`` 0, 1, ...), as in PyTorch.
Their records hold ONE rule, ``rule(grads, *saved)`` (multi-output: the gradient of
each output, None where none arrived) or ``rule(grad, *saved)`` (variadic), returning
the gradient of every input. The engine needs nothing new: it already buffers one
gradient per ``output_nr`` and reduces and casts each input's gradient.
"""

from __future__ import annotations

from collections.abc import Container

from ..dual import STATE as _dual_state
from ..tensor import Tensor
from .record import OpNode, OpRecord, attach_node, requires_grad_any


class VariadicNode(OpNode):
    """The node of an op over a list of tensors: one rule gives every input's gradient."""

    __slots__ = ()

    def apply(self, grad_outputs: tuple, wanted: Container | None = None) -> tuple:
        """Every input's gradient from the one rule; with ``wanted`` (see
        :meth:`OpNode.apply`) None for the inputs whose node is not in it."""
        grads = self.record.grads[0](grad_outputs[0], *self._unpack())
        return [
            g if child is not None and (wanted is None or child in wanted) else None
            for g, child in zip(grads, self.children())
        ]


class MultiOutputNode(OpNode):
    """The node of an op with several outputs: the rule sees every output's gradient."""

    __slots__ = ()

    def apply(self, grad_outputs: tuple, wanted: Container | None = None) -> tuple:
        """Every input's gradient from the one rule (``wanted``: see
        :meth:`OpNode.apply`; the rule computes them together, so all are passed on)."""
        return list(self.record.grads[0](tuple(grad_outputs), *self._unpack()))


class DenseGradNode(OpNode):
    """The node of a matrix product. Its rules hand the gradient to BLAS, which needs
    dense memory; a broadcast gradient (the backward of ``sum`` or ``expand`` gives one)
    is made contiguous once here rather than copied inside each product."""

    __slots__ = ()

    def apply(self, grad_outputs: tuple, wanted: Container | None = None) -> list:
        grad = grad_outputs[0]
        return OpNode.apply(self, (None if grad is None else grad.contiguous(),), wanted)


class _NodeOf(OpRecord):
    """An OpRecord whose node class derives from ``node_base`` instead of OpNode."""

    node_base: type = OpNode
    rule_per_input: bool = False  # False: one rule gives every input's gradient

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.grad_fn is not None:
            cls = type(self.grad_fn, (self.node_base,), {"__slots__": (), "record": self})
            object.__setattr__(self, "node_class", cls)
        if not self.rule_per_input:
            object.__setattr__(self, "plans_by_live", None)  # nothing to leave unsaved


class VariadicRecord(_NodeOf):
    """A record whose op takes a list of tensors (``inputs`` names the list once)."""

    node_base = VariadicNode


class MatrixProductRecord(_NodeOf):
    """A record of a matrix product (see :class:`DenseGradNode`)."""

    node_base = DenseGradNode
    rule_per_input = True


class MultiOutputRecord(_NodeOf):
    """A record whose op returns several tensors sharing one node."""

    node_base = MultiOutputNode


def finish_outputs(
    record: OpRecord, outs: list[Tensor], inputs: tuple, params: dict | None = None
) -> tuple[Tensor, ...]:
    """Attach one node of ``record`` to all of ``outs`` (output_nr = position); give
    them tangents inside a dual level."""
    if _dual_state.active and outs and outs[0].dtype.is_floating_point:
        _dual_state.propagate(record, tuple(outs), inputs, params)
    if not outs or not outs[0].dtype.is_floating_point or not requires_grad_any(inputs):
        return tuple(outs)
    attach_node(record, outs[0], inputs, params)
    node = outs[0]._grad_fn
    for nr, out in enumerate(outs[1:], 1):
        out._grad_fn, out._output_nr = node, nr
    return tuple(outs)
