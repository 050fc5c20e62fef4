"""``retrograd.nn.utils``: gradient clipping, parameter/vector conversion, ``rnn``
(packed sequences), ``parametrize`` and ``parametrizations`` (weight and spectral
normalization).

``parametrize`` and ``parametrizations`` build on ``retrograd.nn.modules``, which imports
this package (``rnn``), so they are imported by the public namespace
(``retrograd.toolbox``), not here: ``import retrograd`` binds them as attributes here.
"""

from __future__ import annotations

from . import rnn  # PyTorch's home of the packed-sequence helpers
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
