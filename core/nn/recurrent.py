"""The recurrent cells of PyTorch's ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU`` (and of their
``*Cell`` modules), composed from retrograd's ops, and the loops that run a cell over a
padded or a packed sequence, layer after layer, in one or both directions.

A cell's step is split as PyTorch's CPU implementation splits it: the input projection
``x @ weight_ih.T + bias_ih`` is computed first (for a whole sequence at once), then each
step adds the hidden projection and applies the gates. A hidden state is one tensor
(RNN, GRU) or a pair ``(h, c)`` (LSTM).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ..ops.elementwise import UNARY_FUNCTIONS as _UNARY
from ..ops.joining import cat, stack
from ..tensor import Tensor
from .functional import dropout, linear

Hidden = Any  # a Tensor, or the pair (h, c) of an LSTM
Step = Callable[[Tensor, Hidden, "CellWeights"], Hidden]


class CellWeights(NamedTuple):
    """One layer-direction's parameters (``weight_hr`` only for an LSTM with
    ``proj_size``)."""

    weight_ih: Tensor
    weight_hh: Tensor
    bias_ih: Tensor | None = None
    bias_hh: Tensor | None = None
    weight_hr: Tensor | None = None


# -- one step, given the projected input ---------------------------------------------


def _tanh_step(projected: Tensor, hidden: Tensor, w: CellWeights) -> Tensor:
    return _UNARY["tanh"](linear(hidden, w.weight_hh, w.bias_hh) + projected)


def _relu_step(projected: Tensor, hidden: Tensor, w: CellWeights) -> Tensor:
    return _UNARY["relu"](linear(hidden, w.weight_hh, w.bias_hh) + projected)


def _lstm_step(projected: Tensor, hidden: Hidden, w: CellWeights) -> tuple[Tensor, Tensor]:
    """Gates in PyTorch's order (input, forget, cell, output); ``weight_hr`` projects the
    new ``h`` down to ``proj_size``."""
    hx, cx = hidden
    gates = linear(hx, w.weight_hh, w.bias_hh) + projected
    in_gate, forget_gate, cell_gate, out_gate = gates.chunk(4, -1)
    sigmoid, tanh = _UNARY["sigmoid"], _UNARY["tanh"]
    cy = sigmoid(forget_gate) * cx + sigmoid(in_gate) * tanh(cell_gate)
    hy = sigmoid(out_gate) * tanh(cy)
    if w.weight_hr is not None:
        hy = hy.matmul(w.weight_hr.t())
    return hy, cy


def _gru_step(projected: Tensor, hidden: Tensor, w: CellWeights) -> Tensor:
    """Gates in PyTorch's order (reset, update, new); the reset gate scales the hidden
    projection of the new gate, bias included, as PyTorch's does."""
    i_reset, i_update, i_new = projected.chunk(3, -1)
    h_reset, h_update, h_new = linear(hidden, w.weight_hh, w.bias_hh).chunk(3, -1)
    sigmoid = _UNARY["sigmoid"]
    reset = sigmoid(h_reset + i_reset)
    update = sigmoid(h_update + i_update)
    new = _UNARY["tanh"](i_new + h_new * reset)
    return (hidden - new) * update + new


STEPS: dict[str, Step] = {
    "RNN_TANH": _tanh_step,
    "RNN_RELU": _relu_step,
    "LSTM": _lstm_step,
    "GRU": _gru_step,
}


def cell(mode: str, input: Tensor, hidden: Hidden, weights: CellWeights) -> Hidden:
    """One step of the cell ``mode`` (a key of :data:`STEPS`) on a batch ``(N, input)``."""
    return STEPS[mode](linear(input, weights.weight_ih, weights.bias_ih), hidden, weights)


# -- hidden states: one tensor or an (h, c) pair ---------------------------------------


def _output_of(hidden: Hidden) -> Tensor:
    return hidden[0] if isinstance(hidden, tuple) else hidden


def _rows(hidden: Hidden, start: int, stop: int) -> Hidden:
    if isinstance(hidden, tuple):
        return tuple(h[start:stop] for h in hidden)
    return hidden[start:stop]


def _cat_rows(parts: Sequence[Hidden]) -> Hidden:
    if isinstance(parts[0], tuple):
        return tuple(cat([p[i] for p in parts], 0) for i in range(len(parts[0])))
    return cat(list(parts), 0)


def _select(hx: Hidden, index: int) -> Hidden:
    return tuple(h[index] for h in hx) if isinstance(hx, tuple) else hx[index]


def _stack_states(finals: list[Hidden]) -> Hidden:
    if isinstance(finals[0], tuple):
        return tuple(stack([f[i] for f in finals], 0) for i in range(len(finals[0])))
    return stack(finals, 0)


# -- one direction of one layer --------------------------------------------------------


def _run_padded(step: Step, projected: Tensor, hidden: Hidden, w: CellWeights,
                reverse: bool) -> tuple[Tensor, Hidden]:  # fmt: skip
    """``projected`` is ``(T, N, gates)``; the outputs are stacked in time order."""
    inputs = projected.unbind(0)
    outputs: list[Any] = [None] * len(inputs)
    for t in reversed(range(len(inputs))) if reverse else range(len(inputs)):
        hidden = step(inputs[t], hidden, w)
        outputs[t] = _output_of(hidden)
    return stack(outputs, 0), hidden


def _run_packed(step: Step, projected: Tensor, hidden: Hidden, w: CellWeights,
                batch_sizes: list[int]) -> tuple[Tensor, Hidden]:  # fmt: skip
    """Forward over packed rows: when the batch shrinks, the rows of the sequences that
    ended leave the running state; their last states are joined back at the end."""
    outputs, finished, offset, last = [], [], 0, batch_sizes[0]
    for size in batch_sizes:
        if size < last:
            finished.append(_rows(hidden, size, last))
            hidden = _rows(hidden, 0, size)
        last = size
        hidden = step(projected[offset : offset + size], hidden, w)
        outputs.append(_output_of(hidden))
        offset += size
    finished.append(hidden)
    return cat(outputs, 0), _cat_rows(finished[::-1])


def _run_packed_reverse(step: Step, projected: Tensor, h0: Hidden, w: CellWeights,
                        batch_sizes: list[int]) -> tuple[Tensor, Hidden]:  # fmt: skip
    """Backward over packed rows: a sequence joins the running state, from its initial
    state, at its last step."""
    end, last = projected.shape[0], batch_sizes[-1]
    hidden, outputs = _rows(h0, 0, last), []
    for size in reversed(batch_sizes):
        if size > last:
            hidden = _cat_rows([hidden, _rows(h0, last, size)])
        last = size
        hidden = step(projected[end - size : end], hidden, w)
        outputs.append(_output_of(hidden))
        end -= size
    return cat(outputs[::-1], 0), hidden


def _run_direction(step: Step, input: Tensor, h0: Hidden, w: CellWeights, reverse: bool,
                   batch_sizes: list[int] | None) -> tuple[Tensor, Hidden]:  # fmt: skip
    projected = linear(input, w.weight_ih, w.bias_ih)
    if batch_sizes is None:
        return _run_padded(step, projected, h0, w, reverse)
    if reverse:
        return _run_packed_reverse(step, projected, h0, w, batch_sizes)
    return _run_packed(step, projected, h0, w, batch_sizes)


def run_layers(
    mode: str,
    input: Tensor,
    hx: Hidden,
    layers: Sequence[Sequence[CellWeights]],
    *,
    dropout_p: float = 0.0,
    training: bool = False,
    batch_sizes: list[int] | None = None,
) -> tuple[Tensor, Hidden]:
    """Run the stacked recurrent network ``mode`` (a key of :data:`STEPS`).

    ``input`` is ``(T, N, input_size)``, or the packed rows ``(sum of lengths, input_size)``
    with ``batch_sizes``; ``hx`` is ``(layers * directions, N, H)`` (an LSTM: the pair).
    ``layers[l]`` holds one :class:`CellWeights` per direction (forward, then reverse).
    Between layers, in training, the output goes through dropout ``dropout_p``.
    Returns the last layer's output (directions joined on the last dim) and the final
    states stacked in ``hx``'s layout."""
    step, finals, layer_input = STEPS[mode], [], input
    for index, directions in enumerate(layers):
        outputs = []
        for reverse, w in enumerate(directions):
            h0 = _select(hx, index * len(directions) + reverse)
            out, final = _run_direction(step, layer_input, h0, w, bool(reverse), batch_sizes)
            outputs.append(out)
            finals.append(final)
        layer_input = outputs[0] if len(outputs) == 1 else cat(outputs, -1)
        if dropout_p and training and index < len(layers) - 1:
            layer_input = dropout(layer_input, dropout_p, True)
    return layer_input, _stack_states(finals)


# -- the single-step cells of nn.RNNCell, nn.LSTMCell, nn.GRUCell ----------------------


def _check_cell(input: Tensor, hx: Tensor, input_size: int, hidden_size: int, which: int) -> None:
    """PyTorch's shape checks of a cell's batched input and its state ``hidden{which}``."""
    if input.shape[1] != input_size:
        raise RuntimeError(
            f"input has inconsistent input_size: got {input.shape[1]} expected {input_size}"
        )
    if input.shape[0] != hx.shape[0]:
        raise RuntimeError(
            f"Input batch size {input.shape[0]} doesn't match hidden{which} batch size "
            f"{hx.shape[0]}"
        )
    if hx.shape[1] != hidden_size:
        raise RuntimeError(
            f"hidden{which} has inconsistent hidden_size: got {hx.shape[1]}, expected {hidden_size}"
        )


def cell_step(mode: str, input: Tensor, hx: Hidden, weights: CellWeights) -> Hidden:
    """One step of the cell ``mode`` (a key of :data:`STEPS`) on the batch ``input``
    ``(N, input_size)`` from the state ``hx`` (``(N, H)``; an LSTM: the pair), after
    PyTorch's shape checks (``RuntimeError``, PyTorch's message)."""
    hidden_size = weights.weight_hh.shape[1]
    for which, state in enumerate(hx if isinstance(hx, tuple) else (hx,)):
        _check_cell(input, state, weights.weight_ih.shape[1], hidden_size, which)
    return cell(mode, input, hx, weights)
