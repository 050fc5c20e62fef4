"""``RNNCell``, ``LSTMCell`` and ``GRUCell``: one recurrent step, batched ``(N, input)``
or unbatched ``(input,)``, from a given state or zeros."""

from __future__ import annotations

import math
from typing import Any

from ...creation import empty, zeros
from ...tensor import Tensor
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..recurrent import CellWeights, cell_step


class RNNCellBase(Module):
    """``weight_ih`` ``(chunks * hidden_size, input_size)``, ``weight_hh``
    ``(chunks * hidden_size, hidden_size)`` and, with ``bias``, ``bias_ih``/``bias_hh``,
    all from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(empty((gates, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((gates, hidden_size), device=device, dtype=dtype))
        for name in ("bias_ih", "bias_hh"):
            value = Parameter(empty((gates,), device=device, dtype=dtype)) if bias else None
            self.register_parameter(name, value)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _weights(self) -> CellWeights:
        return CellWeights(self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def _check_dim(self, what: str, value: Tensor) -> None:
        if value.dim() not in (1, 2):
            raise ValueError(
                f"{type(self).__name__}: Expected {what} to be 1D or 2D, got {value.dim()}D instead"
            )

    def _zeros(self, input: Tensor) -> Tensor:
        return zeros((input.shape[0], self.hidden_size), dtype=input.dtype, backend=input.backend)

    def _step(self, mode: str | None, input: Tensor, hx: Tensor | None) -> Tensor:
        """The single-state step (RNN, GRU): unbatched inputs get a batch dim of 1.
        ``mode`` None: an RNNCell's unknown nonlinearity, refused after the checks of
        the input and hidden dims, as PyTorch refuses it."""
        self._check_dim("input", input)
        if hx is not None:
            self._check_dim("hidden", hx)
        if mode is None:
            raise RuntimeError(f"Unknown nonlinearity: {getattr(self, 'nonlinearity', None)}")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = self._zeros(input)
        elif not batched:
            hx = hx.unsqueeze(0)
        out = cell_step(mode, input, hx, self._weights())
        return out if batched else out.squeeze(0)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """``h' = nonlinearity(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (``"tanh"`` or
    ``"relu"``)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        mode = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}.get(self.nonlinearity)
        return self._step(mode, input, hx)


class GRUCell(RNNCellBase):
    """One GRU step (reset, update and new gates, PyTorch's formulation)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step("GRU", input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, hx=None)`` takes and returns the pair ``(h, c)``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Tensor]:
        self._check_dim("input", input)
        for index, value in enumerate(hx or ()):
            self._check_dim(f"hx[{index}]", value)
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = (self._zeros(input), self._zeros(input))
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = cell_step("LSTM", input, tuple(hx), self._weights())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))
