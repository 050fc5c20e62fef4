"""``retrograd.Generator``: PyTorch's CPU generator, reproduced on the host.

A Generator is a Mersenne Twister engine (:mod:`retrograd.mt19937`) plus the one cached
normal sample PyTorch's scalar Box-Muller path keeps between calls, seeded as PyTorch
seeds it. Its state travels as PyTorch's 5056-byte ``uint8`` tensor (the layout of
PyTorch's ``CPUGeneratorImplState``), so ``get_state``/``set_state`` interoperate with
``torch.Generator`` states byte for byte. Every backend draws from here: a seed gives the
same numbers on NumPy, JAX and CuPy.
"""

from __future__ import annotations

import secrets
import struct
from typing import Any

from . import dtypes
from .constants import HOST_BACKEND
from .creation import tensor
from .device import device as _device
from .mt19937 import MT19937, N
from .plugins import get_backend
from .tensor import Tensor

DEFAULT_SEED = 67280421310721  # what a new torch.Generator() starts from
STATE_SIZE = 5056  # sizeof(CPUGeneratorImplState) in PyTorch
# the_initial_seed, left, seeded, next | 624 state words | normal_x, normal_y, normal_rho,
# normal_is_valid (+4 padding) | next_float_normal_sample, its valid flag (+3 padding)
_HEAD = struct.Struct("<QiiQ")
_WORDS = struct.Struct(f"<{N}Q")
_TAIL = struct.Struct("<dddi4xf?3x")


def _host() -> Any:
    """The host backend (NumPy), where every draw is made."""
    return get_backend(HOST_BACKEND)


def check_seed(seed: Any) -> int:
    """``seed`` as PyTorch stores it: an int in [-2**63, 2**64), negatives wrapped."""
    value = int(seed)
    if not -(2**63) <= value < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return value & (2**64 - 1)


class Generator:
    """A random number generator (PyTorch's ``torch.Generator`` on the CPU)."""

    def __init__(self, device: Any = "cpu") -> None:
        self._device = _device(device)
        if self._device.type != "cpu":
            raise RuntimeError(
                f"retrograd draws every random number on the host: Generator(device="
                f"'{self._device}') is not supported; use a CPU generator (the numbers "
                "are moved to any backend)."
            )
        self.manual_seed(DEFAULT_SEED)

    @property
    def device(self) -> Any:
        return self._device

    def manual_seed(self, seed: Any) -> Generator:
        """Seed the engine (the low 32 bits matter to it) and forget the cached normal."""
        self._seed = check_seed(seed)
        self._engine: MT19937 | None = None  # built on the first draw: seeding is cheap
        self.next_double_normal: float | None = None
        self.next_float_normal: float | None = None
        return self

    def seed(self) -> int:
        """Seed from a nondeterministic source; return that seed."""
        new = secrets.randbits(64)
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        return self._seed

    @property
    def engine(self) -> MT19937:
        if self._engine is None:
            self._engine = MT19937(_host().namespace, self._seed)
        return self._engine

    @property
    def xp(self) -> Any:
        """The host array namespace the draws are made in."""
        return self.engine.xp

    def random(self, n: int) -> Any:
        """``n`` 32-bit draws (PyTorch's ``random()``), a host ``uint32`` array."""
        return self.engine.draw(n)

    def random64(self, n: int) -> Any:
        """``n`` 64-bit draws (PyTorch's ``random64()``: two 32-bit draws, the first one
        high), a host ``uint64`` array."""
        xp = self.xp
        pairs = xp.reshape(xp.astype(self.engine.draw(2 * n), xp.uint64), (n, 2))
        return (pairs[:, 0] << xp.uint64(32)) | pairs[:, 1]

    def get_state(self) -> Tensor:
        """The state as PyTorch's 5056-byte ``uint8`` tensor."""
        engine = self.engine
        double, single = self.next_double_normal, self.next_float_normal
        data = b"".join((
            _HEAD.pack(self._seed, engine.left, 1, engine.next),
            _WORDS.pack(*(int(w) for w in engine.state.tolist())),
            _TAIL.pack(0.0, double or 0.0, 0.0, double is not None, single or 0.0,
                       single is not None),
        ))  # fmt: skip
        return tensor(list(data), dtype=dtypes.uint8, backend=_host())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from :meth:`get_state` (or from ``torch.Generator.get_state``)."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not dtypes.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input "
                f"RNG state size to be {new_state.numel()}"
            )
        data = bytes(new_state.reshape(-1).tolist())
        seed, left, seeded, next_ = _HEAD.unpack_from(data)
        if not (seeded and 0 < left <= N and 0 <= next_ <= N):
            raise RuntimeError("Invalid mt19937 state")
        words = _WORDS.unpack_from(data, _HEAD.size)
        _, normal_y, _, normal_valid, single, single_valid = _TAIL.unpack_from(
            data, _HEAD.size + _WORDS.size
        )
        engine = MT19937(_host().namespace, 0)
        engine.state = engine.xp.asarray([w & 0xFFFFFFFF for w in words], dtype=engine.xp.uint32)
        engine.left, engine.next = left, next_
        self._seed, self._engine = seed, engine
        self.next_double_normal = normal_y if normal_valid else None
        self.next_float_normal = single if single_valid else None
        return self

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"  # PyTorch's text
