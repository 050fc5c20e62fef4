"""``torch.fill``: the functional (out-of-place) ``fill_``: a new tensor of ``input``'s
shape and dtype holding ``value``.

PyTorch records it as its own nodes: ``FillBackward0`` for a number (``input`` gets a
zero gradient) and ``FillBackward1`` for a 0-d tensor ``value`` (which gets the sum of
the gradient); the in-place ``fill_``'s are ``FillBackward2``/``3`` (``inplace.py``).
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .helpers import tangent_or_zeros
from .inplace import filled
from .record import CONVERSION, OpRecord, composite

FILL_OUT = OpRecord(
    "fill_out", CONVERSION, "FillBackward0", "full", grads=(lambda g: g * 0,), public="fill",
    method=False, jvp=lambda us, out: tangent_or_zeros(None, out),
    doc="a tensor of input's shape and dtype holding value (a number)",
)  # fmt: skip
FILL_OUT_TENSOR = OpRecord(
    "fill_out_tensor", CONVERSION, "FillBackward1", "full", inputs=("self", "value"),
    public="fill", method=False, grads=(lambda g: g * 0, lambda g: g),
    jvp=lambda us, out: tangent_or_zeros(us[1], out).expand(out.shape),
    doc="a tensor of input's shape and dtype holding value (a 0-d tensor, which gets the grad)",
)  # fmt: skip
RECORDS = (FILL_OUT, FILL_OUT_TENSOR)

_EXPECTED = (
    "fill() received an invalid combination of arguments - got ({}, {}), but expected one "
    "of:\n * (Tensor input, Tensor value)\n * (Tensor input, Number value)\n"
)


@composite(method=False)  # torch.Tensor has no fill (fill_ is in-place)
def fill(input: Tensor, value: Any) -> Tensor:
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (a number or a
    0-d tensor, converted to ``input``'s dtype); ``input``'s values are not read."""
    number = isinstance(value, (int, float, complex)) or type(value).__module__ == "numpy"
    if not isinstance(input, Tensor) or not (number or isinstance(value, Tensor)):
        raise TypeError(_EXPECTED.format(type(input).__name__, type(value).__name__))
    return filled(input, value, FILL_OUT, FILL_OUT_TENSOR)


FUNCTIONS = {"fill": fill}
