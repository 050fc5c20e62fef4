"""``retrograd.cuda``: PyTorch's ``torch.cuda`` queries, answered by the CUDA backend.

The backend behind PyTorch's ``"cuda"`` device is ``cupy`` (see ``retrograd.device``).
These functions never raise on a machine without a GPU and never import CuPy there:
they read ``retrograd.backends()``, whose probe asks the CUDA driver directly.
"""

from __future__ import annotations

from .constants import DEVICE_BACKENDS
from .plugins import backends, get_backend
from .random import manual_seed as seed_host


def _info():
    name = DEVICE_BACKENDS["cuda"]
    return next((row for row in backends() if row.name == name), None)


def is_available() -> bool:
    """True if the CUDA backend is installed and a CUDA device is present."""
    info = _info()
    return info is not None and info.usable


def unavailable_reason() -> str:
    """Why :func:`is_available` is False ("" when it is True)."""
    info = _info()
    if info is None:
        return f"the '{DEVICE_BACKENDS['cuda']}' backend is not installed"
    return info.reason or ""


def device_count() -> int:
    """How many CUDA devices the CUDA backend sees (0 when it is unusable)."""
    if not is_available():
        return 0
    return int(get_backend(DEVICE_BACKENDS["cuda"]).kernels.get("device_count", lambda: 1)())


def current_device() -> int:
    """The CUDA device retrograd uses: always 0 (the CuPy backend uses one device)."""
    return 0


def manual_seed(seed: int) -> None:
    """Seed the one host stream every backend draws from (``retrograd.manual_seed``)."""
    seed_host(seed)


manual_seed_all = manual_seed
