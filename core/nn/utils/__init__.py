"""``retrograd.nn.utils``: gradient clipping, parameter/vector conversion and ``rnn``
(packed sequences)."""

from __future__ import annotations

from . import rnn  # PyTorch's home of the packed-sequence helpers
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
