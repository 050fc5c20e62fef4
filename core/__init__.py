"""retrograd: PyTorch's autograd on the array library of your choice.

``import retrograd as torch`` runs PyTorch autograd code: the same names, semantics,
errors, printed output and gradients, on any installed backend (NumPy by default).
Importing is cheap: plugins are discovered, and array libraries imported, on first use.
Its one global change is a warnings filter: like PyTorch's, retrograd's ops compute IEEE
results (``1 / 0`` is inf, ``log(-1)`` nan) without a word, so the ``RuntimeWarning``s
NumPy raises for them inside retrograd's own modules are ignored; NumPy called from
your code warns as before.
"""

from __future__ import annotations

import warnings

from . import autograd, cuda, dtypes, ops, sampling
from .creation import FUNCTIONS as _CREATION
from .device import device, get_default_device, set_default_device
from .dtypes import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .legacy import DoubleTensor, FloatTensor, LongTensor
from .plugins import backends, get_backend, set_default_backend, use_backend
from .printing import get_printoptions, set_printoptions
from .random import FUNCTIONS as _RANDOM
from .sampling import FUNCTIONS as _SAMPLING
from .sampling import Generator
from .size import Size
from .tensor import Tensor

__version__ = "0.1.0"

# IEEE results without RuntimeWarnings from retrograd's own modules (see the docstring).
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"retrograd(_backends)?(\.|$)")


def is_tensor(obj: object) -> bool:
    """True if ``obj`` is a retrograd Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return input.numel()


ops.install(Tensor)
sampling.install(Tensor)
# After install: nn's functions use the Tensor methods; optim and utils train nn's modules.
from . import nn, optim, utils  # noqa: E402
from .ops import return_types  # noqa: E402

globals().update(ops.FUNCTIONS)
globals().update(_CREATION)
globals().update(_RANDOM)
globals().update(_SAMPLING)
# PyTorch's dtype names, ``bool``/``float``/``int`` included: like ``torch.float``, they
# shadow the builtins inside this namespace only (so they are set last).
globals().update(dtypes.ALIASES)
globals()["bool"] = dtypes.bool
