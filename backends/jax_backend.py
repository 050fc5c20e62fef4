"""The JAX backend: the generic kernels over ``jax.numpy``, whose arrays are immutable.

Registered through the entry point ``jax = "retrograd_backends.jax_backend"`` in the
``retrograd`` group; ``pip install 'retrograd[jax]'`` installs JAX. Importing retrograd
does not import JAX: :func:`load` does, the first time the backend is used.

64-bit mode: JAX computes in 32 bits unless ``jax_enable_x64`` is on, which would turn
retrograd's float64 and int64 tensors into 32-bit ones. :func:`load` therefore calls
``jax.config.update("jax_enable_x64", True)`` when the backend is first used. That is a
process-wide JAX setting: retrograd passes explicit dtypes everywhere, so its float32
tensors stay float32, but other JAX code in the same process then gets JAX's 64-bit
defaults (``jnp.arange(3.0)`` is float64).

What differs from the generic layer, and why:

- immutability: ``assign`` and ``setitem`` return new arrays, which the core rebinds into
  ``Storage.array``; views alias through ``retrograd.storage.DerivedStorage`` (the
  backend says ``mutable=False``);
- ``copy`` returns its argument: an immutable array needs no defensive copy (speed);
- ``asarray`` copies host data: ``jnp.asarray`` may wrap an aligned NumPy array's memory,
  which a write to that array would then change under the JAX array;
- ``Tensor.numpy()`` is a read-only NumPy array over JAX's buffer: it cannot be written
  through, so writing to it fails loudly instead of being silently lost.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
from retrograd.backend import Backend, BackendSpec
from retrograd.plugins import hookimpl

from .op_kernels import erf_kernels
from .special_kernels import library_kernels


def probe() -> str | None:
    """Why the backend cannot run here, or None; never imports JAX."""
    if importlib.util.find_spec("jax") is None:
        return "JAX is not installed (pip install 'retrograd[jax]')"
    return None


def _overrides(jax: Any, jnp: Any, erf: Any) -> dict[str, Any]:
    """Where JAX deviates from the generic layer: its arrays cannot be written, host data
    is copied (never wrapped), XLA's maximum turns -0.0 into 0.0 (PyTorch's relu keeps
    -0.0, as NumPy's maximum does), and its erf and Bessel functions (i0, i1e...) are in
    ``jax.scipy.special`` (the generic ones are slower)."""

    def asarray(data: Any, dtype: Any) -> Any:
        # jnp.asarray may wrap a NumPy array's memory without copying (on the CPU, when
        # it is aligned: a PyTorch tensor's .numpy() is); a later write to that array
        # would then change an "immutable" JAX array, and retrograd.tensor must copy.
        # The copy is made by NumPy on the host and handed to device_put, a transfer:
        # jnp.array(..., copy=True) compiles two XLA programs for every new shape and
        # dtype (about 45 ms on a CPU), device_put none.
        if isinstance(data, jax.Array):
            return jnp.asarray(data, dtype=dtype)
        return jax.device_put(np.array(data, dtype=dtype, copy=True))

    def assign(target: Any, value: Any) -> Any:
        return jnp.broadcast_to(asarray(value, target.dtype), target.shape)

    return {
        "asarray": asarray,
        "assign": assign,
        "setitem": lambda target, key, value: target.at[key].set(value),
        "copy": lambda a: a,
        "relu": lambda a: jnp.where(a < 0, jnp.zeros_like(a), a),  # nan and -0.0 pass
        # retrograd.materialize: JAX dispatches asynchronously; wait until computed.
        "materialize": lambda arrays: [a.block_until_ready() for a in arrays],
        **erf_kernels(jnp, erf),
        **library_kernels(jnp, jax.scipy.special),
    }


def load() -> Backend:
    import jax
    import jax.numpy as jnp
    import jax.scipy.special

    from .kernels import array_namespace, generic_kernels, native_dtypes

    jax.config.update("jax_enable_x64", True)  # before any dtype is looked up (see above)
    xp = array_namespace(jnp)
    kernels = generic_kernels(xp)
    kernels.update(_overrides(jax, jnp, jax.scipy.special.erf))
    platform = jax.default_backend()  # "cpu", "gpu" or "tpu": where JAX puts arrays
    return Backend("jax", kernels, native_dtypes(xp), platform, xp, mutable=False)


@hookimpl
def retrograd_register_backends() -> list[BackendSpec]:
    return [BackendSpec(name="jax", load=load, device_type="cpu", probe=probe)]


@hookimpl
def retrograd_lower_program(
    backend: Any, function: Any, example_args: tuple, donate_argnums: tuple[int, ...]
) -> Any:
    """A compiled step's kernel calls on JAX as one ``jax.jit`` function (XLA fuses and
    schedules them), the replaced arrays donated (XLA writes the new parameters into the
    old ones' buffers); None where it cannot be traced (a kernel that branches on
    values)."""
    if backend.name != "jax":
        return None
    import jax

    jitted = jax.jit(function, donate_argnums=donate_argnums)
    try:
        jitted.lower(*example_args)
    except Exception:  # a kernel reading values in Python: keep the plain replay
        return None
    return jitted
