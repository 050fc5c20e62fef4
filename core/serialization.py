"""``retrograd.save`` / ``retrograd.load``: PyTorch's file format, without PyTorch.

A PyTorch file is an uncompressed zip archive under one top folder (the file's stem, or
``archive``): ``data.pkl`` (the pickle, see :mod:`retrograd.torch_pickle`), ``data/<key>``
(each storage's raw little-endian bytes, 64-byte aligned in the archive), ``byteorder``,
``version``, ``.format_version``, ``.storage_alignment`` and ``.data/serialization_id``.
``save`` writes what ``torch.save`` writes; ``load`` reads it with a restricted unpickler
(``weights_only=True`` is the only mode: no code from a file ever runs), so a state_dict
saved by PyTorch loads without PyTorch installed and a file saved here loads in PyTorch.

Tensors that share memory on the host backend (NumPy views of one array) are saved as
views of one storage, with their offsets and strides, and load sharing memory again on the
host backend; elsewhere each tensor gets a storage of its own (docs/random.md: "Files").
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
import struct
import zipfile
from typing import IO, Any

from . import dtypes, nn
from .creation import _target_backend
from .plugins import get_backend
from .random import HOST_BACKEND
from .storage import Storage
from .tensor import Tensor
from .torch_pickle import STORAGE_DTYPES, Reader, StorageRef, Writer

ALIGNMENT = 64
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # the first object of a pre-zip PyTorch file
FileLike = str | os.PathLike | IO[bytes]


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:  # fmt: skip
    """Write ``obj`` (tensors, numbers, strings, dtypes and containers of them; a
    ``state_dict`` above all) to ``f`` in PyTorch's zip format."""
    if not _use_new_zipfile_serialization:
        raise RuntimeError("retrograd.save writes only PyTorch's zip format")
    storages = _Storages()
    pickled = Writer(storages.place).dumps(obj)
    prefix = _archive_name(f)
    records = [
        ("data.pkl", pickled),
        (".format_version", b"1"),
        (".storage_alignment", str(ALIGNMENT).encode()),
        ("byteorder", b"little"),
    ]
    records += [(f"data/{key}", data) for key, data in storages.records()]
    records += [
        ("version", b"3\n"),
        (".data/serialization_id", str(secrets.randbits(128)).zfill(40).encode()),
    ]
    data = _zip(prefix, records)  # fmt: skip
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as out:
            out.write(data)
    else:
        f.write(data)


def _archive_name(f: FileLike) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
    return "archive"


def _zip(prefix: str, records: list) -> bytes:
    """An uncompressed zip of ``records`` with each file's data 64-byte aligned (the
    padding goes in an extra field of id ``FB``, as PyTorch's writer does)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in records:
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            start = buffer.tell() + 30 + len(info.filename.encode()) + 4
            pad = -start % ALIGNMENT
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            archive.writestr(info, data)
    return buffer.getvalue()


class _Storages:
    """The storages of the tensors being saved: tensors sharing host memory share one."""

    def __init__(self) -> None:
        self._by_memory: dict[Any, tuple[StorageRef, Any, Any]] = {}
        self._data: dict[str, bytes] = {}

    def records(self) -> list[tuple[str, bytes]]:
        return list(self._data.items())

    def place(self, t: Tensor) -> tuple[StorageRef, int, tuple]:
        """The storage record of ``t``, its offset there and its strides (elements)."""
        host = get_backend(HOST_BACKEND).kernels
        if t.backend.name == HOST_BACKEND and t.numel():
            root = t._storage.counter.array
            if host["is_contiguous"](root) and root.dtype == t._storage.array.dtype:
                placed = self._view_of(t, root, host)
                if placed is not None:
                    return placed
        array = t.backend.kernels["to_numpy"](t._storage.array)
        return self._new(t, array, id(t._storage)), 0, _contiguous_strides(tuple(t.shape))

    def _view_of(self, t: Tensor, root: Any, host: dict) -> tuple | None:
        array, itemsize = t._storage.array, t.dtype.itemsize
        offset_bytes = host["byte_address"](array) - host["byte_address"](root)
        strides = tuple(s // itemsize for s in array.strides)
        offset = offset_bytes // itemsize
        if offset_bytes % itemsize or any(s % itemsize for s in array.strides) or offset < 0:
            return None
        last = offset + sum((n - 1) * s for n, s in zip(t.shape, strides))
        if min(strides, default=0) < 0 or last >= root.size:
            return None
        ref = self._new(t, root, ("memory", id(root)))
        return ref, offset, strides

    def _new(self, t: Tensor, array: Any, identity: Any) -> StorageRef:
        if identity in self._by_memory:
            return self._by_memory[identity][0]
        if t.dtype not in _STORAGE_NAMES_OK:
            raise pickle.PicklingError(f"retrograd.save: no PyTorch storage for dtype {t.dtype}")
        key = str(len(self._data))
        host = get_backend(HOST_BACKEND).kernels
        self._data[key] = host["to_bytes"](array)
        ref = StorageRef(key, t.dtype, _location(t.backend), int(array.size))
        self._by_memory[identity] = (ref, array, t)  # keeps ``array`` alive: ids stay unique
        return ref


_STORAGE_NAMES_OK = set(STORAGE_DTYPES.values())


def _location(backend: Any) -> str:
    """PyTorch's name for where a backend's memory is: ``cpu``, or ``cuda:0``."""
    kind = backend.device_type
    return kind if kind == "cpu" else f"{kind}:0"


def _contiguous_strides(shape: tuple) -> tuple:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def load(
    f: FileLike,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = True,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Read a file ``torch.save`` (or :func:`save`) wrote. ``map_location``: a backend
    name, a device (``"cpu"``, ``"cuda"``), a backend, or a dict from saved locations to
    those; without it tensors go to the default backend (``"cpu"`` locations) or to the
    device they were saved from. Only what a checkpoint needs is unpickled (PyTorch's
    ``weights_only``); anything else raises ``pickle.UnpicklingError``."""
    if weights_only is False:
        raise pickle.UnpicklingError(
            "retrograd.load supports only weights_only=True: it never runs code from a file"
        )
    if mmap:
        raise NotImplementedError("retrograd.load: mmap=True is not supported; the file is read")
    data = _read_bytes(f)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        _not_a_zip(data)
    with archive:
        return _Loader(archive, map_location).load()


def _read_bytes(f: FileLike) -> bytes:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as source:
            return source.read()
    return f.read()


def _not_a_zip(data: bytes) -> None:
    """Raise the error for a file that is not a zip archive: PyTorch's legacy format, a
    truncated archive, or not a PyTorch file at all."""
    try:
        first = pickle.loads(data[:64]) if data[:2] == b"\x80\x02" else None
    except Exception:  # noqa: BLE001 - any failure means: not the legacy magic number
        first = None
    if first == LEGACY_MAGIC:
        raise RuntimeError(
            "retrograd.load: this file is in PyTorch's legacy format (torch.save with "
            "_use_new_zipfile_serialization=False, or PyTorch before 1.6), which retrograd "
            "does not read; load it in PyTorch and save it again with torch.save(obj, path)."
        )
    if b"PK\x03\x04" in data[:4]:
        raise RuntimeError(
            "PytorchStreamReader failed reading zip archive: failed finding central directory "
            "(the file is truncated or corrupt)"
        )
    raise pickle.UnpicklingError(
        "retrograd.load: not a PyTorch file (it is neither a zip archive nor PyTorch's legacy "
        f"format; it starts with {data[:8]!r})"
    )


class _Loader:
    """One load: the archive's storages (each read once), and where tensors go."""

    def __init__(self, archive: zipfile.ZipFile, map_location: Any) -> None:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if not pickles:
            raise RuntimeError(
                "PytorchStreamReader failed locating file data.pkl: file not found "
                "(a zip archive, but not one torch.save wrote)"
            )
        self._archive, self._prefix = archive, pickles[0][: -len("data.pkl")]
        order = self._optional("byteorder", b"little")
        self._big_endian = order.strip() == b"big"
        self._map_location = map_location
        self._storages: dict[str, tuple[Any, dtypes.dtype]] = {}
        self._roots: dict[tuple, Tensor] = {}

    def _optional(self, name: str, default: bytes) -> bytes:
        try:
            return self._archive.read(self._prefix + name)
        except KeyError:
            return default

    def load(self) -> Any:
        data = self._archive.read(self._prefix + "data.pkl")
        reader = Reader(data, self._storage, self._rebuild_tensor, _rebuild_parameter)
        try:
            return reader.load()
        except (EOFError, struct.error, ValueError, IndexError, KeyError) as error:
            raise pickle.UnpicklingError(f"retrograd.load: corrupt data.pkl ({error!r})") from None

    def _storage(self, pid: Any) -> tuple:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"retrograd.load: unknown persistent id {pid!r}")
        _, dtype, key, location, numel = pid
        if not isinstance(dtype, dtypes.dtype):
            raise pickle.UnpicklingError(f"retrograd.load: unknown storage type {dtype!r}")
        if key not in self._storages:
            try:
                raw = self._archive.read(f"{self._prefix}data/{key}")
            except (KeyError, zipfile.BadZipFile) as error:
                message = f"retrograd.load: storage record {key} unreadable: {error}"
                raise RuntimeError(message) from None
            if len(raw) != numel * dtype.itemsize:
                raise RuntimeError(
                    f"retrograd.load: storage {key} holds {len(raw)} bytes, expected "
                    f"{numel * dtype.itemsize} ({numel} x {dtype}): the file is corrupt"
                )
            host = get_backend(HOST_BACKEND)
            array = host.kernels["from_bytes"](raw, host.native_dtype(dtype), self._big_endian)
            self._storages[key] = (array, str(location))
        return (key, dtype)

    def _target(self, location: str) -> Any:
        spec = self._map_location
        if isinstance(spec, dict):
            spec = spec.get(location, location)
        if spec is None:
            return get_backend() if location == "cpu" else _target_backend(device=location)
        if hasattr(spec, "kernels"):
            return spec
        if callable(spec):
            raise TypeError("retrograd.load: a callable map_location is not supported")
        return _target_backend(device=spec)

    def _rebuild_tensor(
        self,
        storage: tuple,
        offset: int,
        size: tuple,
        stride: tuple,
        requires_grad: bool,
        backward_hooks: Any = None,
        metadata: Any = None,
    ) -> Tensor:
        key, dtype = storage
        array, location = self._storages[key]
        target = self._target(location)
        host = get_backend(HOST_BACKEND)
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if any(n == 0 for n in size):
            last = offset - 1
        if offset < 0 or min(stride, default=0) < 0 or last >= array.shape[0]:
            raise RuntimeError(f"retrograd.load: a tensor lies outside its storage {key}")
        view = host.kernels["as_strided"](array, tuple(size), tuple(stride), int(offset))
        if target is host:
            root = self._roots.setdefault((key,), Tensor._make(array, dtype, host))
            t = Tensor._make(view, dtype, host, Storage(view, root._storage.counter))
        else:
            copy = host.kernels["copy"](view)
            t = Tensor._make(target.kernels["from_numpy"](copy), dtype, target)
        if requires_grad:
            t.requires_grad_(True)
        return t


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any = None,
                       *state: Any) -> Tensor:  # fmt: skip
    """A saved ``nn.Parameter``: retrograd's ``nn.Parameter`` where it exists, else the
    tensor itself with ``requires_grad``."""
    parameter = getattr(nn, "Parameter", None)
    if parameter is not None:
        return parameter(data, requires_grad)
    return data.requires_grad_(bool(requires_grad))


FUNCTIONS = {"save": save, "load": load}
