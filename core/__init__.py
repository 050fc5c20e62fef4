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

from types import ModuleType as _ModuleType

from . import (
    autograd,
    cuda,
    distributions,
    dtypes,
    engine,
    func,
    ieee,
    linalg,
    nn,
    ops,
    optim,
    special,
    utils,
)
from .anomaly_mode import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from .arguments import expect_tensor as _expect_tensor
from .buffers import FUNCTIONS as _BUFFERS
from .compiler import compile
from .creation import FUNCTIONS as _CREATION
from .creation_more import FUNCTIONS as _CREATION_MORE
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
from .func import vmap  # torch.vmap (the function; the module is retrograd.func's)
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .interop import FUNCTIONS as _INTEROP
from .layouts import (
    channels_last,
    channels_last_3d,
    contiguous_format,
    memory_format,
    preserve_format,
)
from .legacy import DoubleTensor, FloatTensor, LongTensor
from .lowrank import FUNCTIONS as _LOWRANK
from .materialize import materialize
from .nn.torch_aliases import FUNCTIONS as _NN_ALIASES
from .ops import return_types
from .plugins import backends, get_backend, set_default_backend, use_backend
from .plugins.environment import check as _check_environment
from .printing import get_printoptions, set_printoptions
from .random import FUNCTIONS as _RANDOM
from .random import install as _install_random_methods
from .runtime_settings import FUNCTIONS as _RUNTIME_SETTINGS
from .samplers import FUNCTIONS as _SAMPLERS
from .samplers import install as _install_sampler_methods
from .serialization import load, save
from .size import Size
from .tensor import Tensor
from .toolbox import NAMES as _TOOLBOX
from .toolbox import install as _install_toolbox
from .window_functions import FUNCTIONS as _WINDOWS

__version__ = "0.1.0"

# IEEE results without RuntimeWarnings from retrograd's own modules (see retrograd.ieee).
ieee.install()


def is_tensor(obj: object) -> bool:
    """True if ``obj`` is a retrograd Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    _expect_tensor("numel", input)
    return input.numel()


# Tensor's methods from the layers above it: the op methods and operators, the engine's
# backward (retrograd/tensor.pyi declares them for type checkers).
ops.install(Tensor)
autograd.forward_rules.install()  # forward mode: the ops reach the tangent rules
_install_random_methods(Tensor)
_install_sampler_methods(Tensor)
Tensor.backward = engine.tensor_backward  # type: ignore[method-assign]

globals().update(ops.FUNCTIONS)
globals().update(_CREATION)
globals().update(_INTEROP)
globals().update(_BUFFERS)
globals().update(_RANDOM)
globals().update(_SAMPLERS)
globals().update(_RUNTIME_SETTINGS)
globals().update(_CREATION_MORE)
globals().update(_WINDOWS)
globals().update(_LOWRANK)
globals().update(_NN_ALIASES)  # torch.conv2d, torch.batch_norm...: nn functions' names
globals().update(_TOOLBOX)  # finfo, iinfo, testing, typename...: retrograd.toolbox
_install_toolbox(Tensor)  # is_conj, resolve_neg, get_device, storage_offset... methods
# PyTorch's dtype names, ``bool``/``float``/``int`` included: like ``torch.float``, they
# shadow the builtins inside this namespace only (so they are set last).
globals().update(dtypes.ALIASES)
globals()["bool"] = dtypes.bool

# The public API: every name bound above but the modules that are implementation, plus
# the public submodules (PyTorch's, and the plugin API). ``dir(retrograd)`` shows it.
_PUBLIC_MODULES = {
    "autograd", "cuda", "distributions", "func", "linalg", "nn", "optim", "plugins", "random",
    "return_types", "special", "testing", "utils",
}  # fmt: skip
__all__ = sorted(
    name
    for name, value in globals().items()
    if not name.startswith("_")
    and name != "annotations"  # the __future__ feature
    and (not isinstance(value, _ModuleType) or name in _PUBLIC_MODULES)
)


def __dir__() -> list[str]:
    return list(__all__)


# Last, once everything above exists: a bad $RETROGRAD_BACKEND is said now, once.
_check_environment()
