"""``RNN``, ``LSTM`` and ``GRU``: stacked, optionally bidirectional recurrent networks
with PyTorch's parameters (names, shapes, order, initialization), checks and reprs."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ...creation import empty, zeros
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..recurrent import CellWeights, Hidden, run_layers
from ..utils.rnn import PackedSequence

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _check_sizes(input_size: Any, hidden_size: Any, num_layers: int, proj_size: int) -> None:
    if not isinstance(input_size, int):
        raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _check_options(dropout: Any, num_layers: int, bias: Any, batch_first: Any) -> None:
    if (
        not isinstance(dropout, numbers.Number)
        or isinstance(dropout, bool)
        or not 0 <= dropout <= 1  # type: ignore[operator]
    ):
        raise ValueError(
            "dropout should be a number in range [0, 1] representing the probability of an "
            "element being zeroed"
        )
    if dropout > 0 and num_layers == 1:  # type: ignore[operator]
        warnings.warn(
            "dropout option adds dropout after all but last recurrent layer, so non-zero "
            "dropout expects num_layers greater than 1, but got "
            f"dropout={dropout} and num_layers={num_layers}",
            stacklevel=4,
        )
    if not isinstance(bias, bool):
        raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")


class RNNBase(Module):
    """The stacked recurrent network ``mode`` (``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"``,
    ``"GRU"``). Per layer and direction it holds ``weight_ih_l{k}{suffix}``
    ``(gates * hidden_size, layer input)``, ``weight_hh_l{k}{suffix}``, the biases
    ``bias_ih``/``bias_hh`` when ``bias``, and for an LSTM with ``proj_size``
    ``weight_hr_l{k}{suffix}`` ``(proj_size, hidden_size)``; the suffix is ``_reverse``
    for the backward direction. Every parameter starts from
    ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _check_options(dropout, num_layers, bias, batch_first)
        _check_sizes(input_size, hidden_size, num_layers, proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for suffix in ("", "_reverse") if bidirectional else ("",):
                self._add_cell(layer, suffix, device, dtype)
        self._flat_weights_names = [name for names in self._all_weights for name in names]
        self.reset_parameters()

    def _add_cell(self, layer: int, suffix: str, device: Any, dtype: Any) -> None:
        """Register one layer-direction's parameters, in PyTorch's order."""
        real_hidden = self.proj_size or self.hidden_size
        directions = 2 if self.bidirectional else 1
        gates = _GATES[self.mode] * self.hidden_size
        layer_input = self.input_size if layer == 0 else real_hidden * directions
        shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, real_hidden)}
        if self.bias:
            shapes.update(bias_ih=(gates,), bias_hh=(gates,))
        if self.proj_size:
            shapes["weight_hr"] = (self.proj_size, self.hidden_size)
        names = []
        for kind, shape in shapes.items():
            names.append(f"{kind}_l{layer}{suffix}")
            setattr(self, names[-1], Parameter(empty(shape, device=device, dtype=dtype)))
        self._all_weights.append(names)

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """A no-op: there is no fused weight buffer to compact (PyTorch's is cuDNN's)."""

    @property
    def _flat_weights(self) -> list[Tensor]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction, in registration order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _layer_weights(self) -> list[list[CellWeights]]:
        directions = 2 if self.bidirectional else 1
        cells = [CellWeights(**self._named_cell(names)) for names in self._all_weights]
        return [cells[i : i + directions] for i in range(0, len(cells), directions)]

    def _named_cell(self, names: list[str]) -> dict[str, Tensor]:
        return {name.split("_l")[0]: getattr(self, name) for name in names}

    # -- checks ------------------------------------------------------------------------

    def check_input(self, input: Tensor, batch_sizes: Any) -> None:
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype "
                f"({weight.dtype}). Convert input: input.to({weight.dtype}), or convert "
                f"model: model.to({input.dtype})"
            )
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.shape[-1]}"
            )

    def get_expected_hidden_size(self, input: Tensor, batch_sizes: Any) -> tuple[int, int, int]:
        if batch_sizes is not None:
            batch = int(batch_sizes[0])
        else:
            batch = input.shape[0] if self.batch_first else input.shape[1]
        directions = 2 if self.bidirectional else 1
        return (self.num_layers * directions, batch, self.proj_size or self.hidden_size)

    def check_hidden_size(self, hx: Tensor, expected: tuple, msg: str = "") -> None:
        if tuple(hx.shape) != tuple(expected):
            msg = msg or "Expected hidden size {}, got {}"
            raise RuntimeError(msg.format(tuple(expected), list(hx.shape)))

    def check_forward_args(self, input: Tensor, hidden: Hidden, batch_sizes: Any) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx: Hidden, permutation: Tensor | None) -> Hidden:
        return hx if permutation is None else hx.index_select(1, permutation)

    # -- forward -----------------------------------------------------------------------

    def _zero_state(self, input: Tensor, batch: int) -> Hidden:
        directions = 2 if self.bidirectional else 1
        shape = (self.num_layers * directions, batch, self.proj_size or self.hidden_size)
        return zeros(shape, dtype=input.dtype, backend=input.backend)

    def _unbatched_state(self, hx: Hidden) -> Hidden:
        """Check an unbatched input's ``hx`` and give it a batch dim of 1."""
        if hx.dim() != 2:
            raise RuntimeError(
                f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor"
            )
        return hx.unsqueeze(1)

    def _batched_state(self, hx: Hidden) -> Hidden:
        if hx.dim() != 3:
            raise RuntimeError(
                f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor"
            )
        return hx

    def _input_name(self) -> str:
        return {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")

    def _check_dims(self, input: Tensor) -> None:
        if input.dim() not in (2, 3):
            tail = " tensor instead" if self._input_name() == "RNN" else " instead"
            raise ValueError(
                f"{self._input_name()}: Expected input to be 2D or 3D, got {input.dim()}D{tail}"
            )

    def forward(self, input: Any, hx: Hidden = None) -> tuple[Any, Hidden]:
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        self._check_dims(input)
        batched, batch_dim = input.dim() == 3, 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
            hx = None if hx is None else self._unbatched_state(hx)
        elif hx is not None:
            hx = self._batched_state(hx)
        if hx is None:
            hx = self._zero_state(input, input.shape[batch_dim])
        self.check_forward_args(input, hx, None)
        steps = input.transpose(0, 1) if self.batch_first else input
        output, hidden = self._run(steps, hx, None)
        if self.batch_first:
            # PyTorch's RNN and GRU transpose their stacked output in place
            # (TransposeBackward1); its LSTM returns a transposed view (TransposeBackward0).
            output = output.transpose(0, 1) if self.mode == "LSTM" else output.transpose_(0, 1)
        if not batched:
            output = output.squeeze(batch_dim)
            hidden = _map(hidden, lambda h: h.squeeze(1))
        return output, hidden

    def _forward_packed(self, packed: PackedSequence, hx: Hidden) -> tuple[Any, Hidden]:
        """Run on packed rows; ``hx`` is given (and returned) in the batch's original
        order, so it is permuted by ``sorted_indices`` on the way in and back out."""
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        if hx is None:
            hx = self._zero_state(data, int(batch_sizes[0]))
        else:
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(data, hx, batch_sizes)
        output, hidden = self._run(data, hx, [int(b) for b in batch_sizes.tolist()])
        output = PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices)
        return output, self.permute_hidden(hidden, unsorted_indices)

    def _run(self, input: Tensor, hx: Hidden, batch_sizes: list[int] | None) -> Any:
        return run_layers(
            self.mode,
            input,
            hx,
            self._layer_weights(),
            dropout_p=self.dropout,
            training=self.training,
            batch_sizes=batch_sizes,
        )

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text


def _map(hidden: Hidden, fn: Any) -> Hidden:
    return tuple(fn(h) for h in hidden) if isinstance(hidden, tuple) else fn(hidden)


def _reject_proj_size(kind: str, unexpected: dict) -> None:
    """RNN and GRU take no ``proj_size`` (PyTorch's error), nor unknown keywords."""
    if "proj_size" in unexpected:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    for name in unexpected:
        raise TypeError(f"{kind}.__init__() got an unexpected keyword argument '{name}'")


class RNN(RNNBase):
    """Elman RNN: ``h_t = nonlinearity(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` with
    ``nonlinearity`` ``"tanh"`` or ``"relu"``. ``forward(input, hx=None)`` returns
    ``(output, h_n)``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        **unexpected: Any,
    ) -> None:
        _reject_proj_size("RNNBase", unexpected)
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(modes[nonlinearity], input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, 0, device, dtype)  # fmt: skip
        self.nonlinearity = nonlinearity


class GRU(RNNBase):
    """Gated recurrent unit (reset, update and new gates, PyTorch's formulation).
    ``forward(input, hx=None)`` returns ``(output, h_n)``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        **unexpected: Any,
    ) -> None:
        _reject_proj_size("RNNBase", unexpected)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)  # fmt: skip


class LSTM(RNNBase):
    """Long short-term memory (input, forget, cell and output gates); with ``proj_size``
    the hidden state is projected down by ``weight_hr``. ``forward(input, hx=None)``
    takes and returns the pair ``(h, c)``: ``(output, (h_n, c_n))``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)  # fmt: skip

    def get_expected_cell_size(self, input: Tensor, batch_sizes: Any) -> tuple[int, int, int]:
        layers, batch, _ = self.get_expected_hidden_size(input, batch_sizes)
        return (layers, batch, self.hidden_size)

    def check_forward_args(self, input: Tensor, hidden: Hidden, batch_sizes: Any) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")  # fmt: skip
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")  # fmt: skip

    def permute_hidden(self, hx: Hidden, permutation: Tensor | None) -> Hidden:
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def _zero_state(self, input: Tensor, batch: int) -> Hidden:
        h = super()._zero_state(input, batch)
        cell_shape = (h.shape[0], batch, self.hidden_size)
        return h, zeros(cell_shape, dtype=input.dtype, backend=input.backend)

    def _unbatched_state(self, hx: Hidden) -> Hidden:
        if hx[0].dim() != 2 or hx[1].dim() != 2:
            raise RuntimeError(
                "For unbatched 2-D input, hx and cx should also be 2-D but got "
                f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
            )
        return hx[0].unsqueeze(1), hx[1].unsqueeze(1)

    def _batched_state(self, hx: Hidden) -> Hidden:
        if hx[0].dim() != 3 or hx[1].dim() != 3:
            raise RuntimeError(
                "For batched 3-D input, hx and cx should also be 3-D but got "
                f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
            )
        return tuple(hx)
