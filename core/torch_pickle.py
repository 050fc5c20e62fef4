"""The pickle inside PyTorch's files, written and read without PyTorch.

PyTorch's ``data.pkl`` is a protocol-2 pickle whose tensors are calls of
``torch._utils._rebuild_tensor_v2`` on a *persistent id* naming a storage record of the
archive. Writing: :class:`Writer` emits those opcodes itself (the standard pickler
insists on importing ``torch`` to name its globals), for the objects a checkpoint holds:
tensors, parameters, dtypes, sizes, numbers, strings, ``None`` and dicts, ordered dicts,
lists and tuples of them. Reading: :class:`Reader` is a restricted unpickler; a global it
does not know is refused with PyTorch's ``weights_only`` error, so a file cannot run code.
"""

from __future__ import annotations

import collections
import io
import pickle
import struct
from collections.abc import Callable
from typing import Any

from . import dtypes
from .device import device
from .size import Size
from .tensor import Tensor

# PyTorch's storage classes, by dtype.
STORAGE_NAMES = {
    dtypes.float32: "FloatStorage", dtypes.float64: "DoubleStorage",
    dtypes.float16: "HalfStorage", dtypes.int64: "LongStorage", dtypes.int32: "IntStorage",
    dtypes.int16: "ShortStorage", dtypes.int8: "CharStorage", dtypes.uint8: "ByteStorage",
    dtypes.bool: "BoolStorage",
}  # fmt: skip
STORAGE_DTYPES = {name: d for d, name in STORAGE_NAMES.items()}
UNSUPPORTED_STORAGES = {"BFloat16Storage", "ComplexFloatStorage", "ComplexDoubleStorage"}


class StorageRef:
    """What a persistent id names in a file being written: one storage record."""

    __slots__ = ("key", "dtype", "location", "numel")

    def __init__(self, key: str, dtype: dtypes.dtype, location: str, numel: int) -> None:
        self.key, self.dtype, self.location, self.numel = key, dtype, location, numel


class Writer:
    """A protocol-2 pickle of a checkpoint; ``tensor_storage(t)`` places each tensor's
    storage and returns ``(StorageRef, offset, stride)``."""

    def __init__(self, tensor_storage: Callable[[Tensor], tuple]) -> None:
        self._out = io.BytesIO()
        self._tensor_storage = tensor_storage

    def dumps(self, obj: Any) -> bytes:
        self._out.write(b"\x80\x02")
        self._save(obj)
        self._out.write(b".")
        return self._out.getvalue()

    def _save(self, obj: Any) -> None:  # noqa: C901 - one branch per pickled kind
        w = self._out.write
        if obj is None:
            w(b"N")
        elif obj is True or obj is False:
            w(b"\x88" if obj else b"\x89")
        elif isinstance(obj, int) and not isinstance(obj, Size):
            self._int(obj)
        elif isinstance(obj, float):
            w(b"G" + struct.pack(">d", obj))
        elif isinstance(obj, str):
            data = obj.encode("utf-8", "surrogatepass")
            w(b"X" + struct.pack("<I", len(data)) + data)
        elif isinstance(obj, Tensor):
            self._tensor(obj)
        elif isinstance(obj, dtypes.dtype):
            self._global("torch", obj.name)
        elif isinstance(obj, Size):
            self._global("torch", "Size")
            self._tuple((tuple(obj),))
            w(b"R")
        elif isinstance(obj, tuple):
            self._tuple(obj)
        elif isinstance(obj, list):
            w(b"]")
            self._items(obj, b"e")
        elif isinstance(obj, collections.OrderedDict):
            self._ordered_dict(obj)
        elif type(obj) is dict:
            w(b"}")
            self._items([x for kv in obj.items() for x in kv], b"u")
        else:
            raise pickle.PicklingError(
                f"retrograd.save cannot save an object of type {type(obj).__name__}: a file "
                "PyTorch reads with weights_only holds tensors, numbers, strings, None, "
                "dtypes and dicts, lists and tuples of them (save a module's state_dict())."
            )

    def _int(self, value: int) -> None:
        if 0 <= value < 256:
            self._out.write(b"K" + bytes([value]))
        elif 0 <= value < 65536:
            self._out.write(b"M" + struct.pack("<H", value))
        elif -(2**31) <= value < 2**31:
            self._out.write(b"J" + struct.pack("<i", value))
        else:
            size = (value.bit_length() + 8) // 8  # room for the sign bit
            data = value.to_bytes(size, "little", signed=True)
            self._out.write(b"\x8a" + bytes([size]) + data)

    def _global(self, module: str, name: str) -> None:
        self._out.write(b"c" + module.encode() + b"\n" + name.encode() + b"\n")

    def _tuple(self, items: tuple) -> None:
        if not items:
            self._out.write(b")")
            return
        if len(items) > 3:
            self._out.write(b"(")
        for item in items:
            self._save(item)
        self._out.write({1: b"\x85", 2: b"\x86", 3: b"\x87"}.get(len(items), b"t"))

    def _items(self, flat: list, opcode: bytes) -> None:
        if flat:
            self._out.write(b"(")
            for item in flat:
                self._save(item)
            self._out.write(opcode)

    def _ordered_dict(self, obj: collections.OrderedDict) -> None:
        self._global("collections", "OrderedDict")
        self._out.write(b")R")
        self._items([x for kv in obj.items() for x in kv], b"u")
        state = getattr(obj, "__dict__", None)
        if state:  # e.g. a state_dict's ``_metadata``
            self._save(dict(state))
            self._out.write(b"b")

    def _tensor(self, t: Tensor) -> None:
        parameter = type(t).__name__ == "Parameter"
        if parameter:
            self._global("torch._utils", "_rebuild_parameter")
            self._out.write(b"(")
        ref, offset, stride = self._tensor_storage(t)
        self._global("torch._utils", "_rebuild_tensor_v2")
        self._out.write(b"(")
        self._out.write(b"(")  # the persistent id: a tuple, then BINPERSID
        self._save("storage")
        self._global("torch", STORAGE_NAMES[ref.dtype])
        for item in (ref.key, ref.location, ref.numel):
            self._save(item)
        self._out.write(b"tQ")
        self._save(offset)
        self._tuple(tuple(t.shape))
        self._tuple(tuple(stride))
        self._save(bool(t.requires_grad) and not parameter)
        self._ordered_dict(collections.OrderedDict())
        self._out.write(b"tR")
        if parameter:
            self._save(bool(t.requires_grad))
            self._ordered_dict(collections.OrderedDict())
            self._out.write(b"tR")


WEIGHTS_ONLY_MESSAGE = (
    "Weights only load failed. In PyTorch 2.6, we changed the default value of the "
    "`weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` "
    "with `weights_only` set to `False` will likely succeed, but it can result in arbitrary "
    "code execution. Do it only if you got the file from a trusted source.\n\n\n"
    "Trying to load unsupported GLOBAL {name}: retrograd reads tensors, parameters, "
    "dtypes, sizes and Python containers of them. (retrograd.load runs no code from a file.)"
)


def _latin1(text: str, encoding: str = "latin1") -> bytes:
    """``_codecs.encode`` as protocol-2 pickles of ``bytes`` use it, and nothing else."""
    if encoding != "latin1":
        raise pickle.UnpicklingError(f"unsupported encoding {encoding!r} in a pickled bytes")
    return text.encode("latin1")


class Reader(pickle.Unpickler):
    """A restricted unpickler: only the globals a checkpoint needs, each mapped to
    retrograd's own code; ``load_storage(pid)`` and ``rebuild_tensor``/``rebuild_parameter``
    are the caller's (they decide where the tensors go)."""

    def __init__(self, data: bytes, load_storage: Callable, rebuild_tensor: Callable,
                 rebuild_parameter: Callable) -> None:  # fmt: skip
        super().__init__(io.BytesIO(data))
        self._load_storage = load_storage
        self._known = {
            ("collections", "OrderedDict"): collections.OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,
            ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
            ("torch._utils", "_rebuild_parameter_with_state"): rebuild_parameter,
            ("torch", "Size"): Size,
            ("torch", "device"): device,
            ("_codecs", "encode"): _latin1,
        }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._known:
            return self._known[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return STORAGE_DTYPES[name]  # a storage type stands for its dtype
        if module == "torch" and isinstance(getattr(dtypes, name, None), dtypes.dtype):
            return getattr(dtypes, name)
        if module == "torch" and name in UNSUPPORTED_STORAGES:
            raise pickle.UnpicklingError(
                f"retrograd.load: the file holds a torch.{name}, a dtype retrograd does not "
                "have; convert those tensors in PyTorch (e.g. .float()) and save again."
            )
        raise pickle.UnpicklingError(WEIGHTS_ONLY_MESSAGE.format(name=f"{module}.{name}"))

    def persistent_load(self, pid: Any) -> Any:
        return self._load_storage(pid)
