"""Backend names retrograd decides by: the one place each is written.

- :data:`DEFAULT_BACKEND`: where tensors go when nothing else is said (NumPy);
  :data:`ENV_VAR` in the environment overrides it at start-up.
- :data:`HOST_BACKEND`: the backend of host memory, which draws every random number
  (so a seed means the same values on every backend) and lays out views of immutable
  arrays.
- :data:`DEVICE_BACKENDS`: the backend behind each of PyTorch's device types.
"""

from __future__ import annotations

DEFAULT_BACKEND = "numpy"
ENV_VAR = "RETROGRAD_BACKEND"
HOST_BACKEND = "numpy"
DEVICE_BACKENDS = {"cpu": "numpy", "cuda": "cupy"}
