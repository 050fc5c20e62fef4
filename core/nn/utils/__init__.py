"""``retrograd.nn.utils``: gradient clipping, parameter/vector conversion, ``rnn``
(packed sequences), ``parametrize`` and ``parametrizations`` (weight and spectral
normalization)."""

from __future__ import annotations

from . import parametrizations, parametrize, rnn  # PyTorch's submodules
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
