"""``default_collate`` (a list of samples -> one batch) and ``default_convert``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ... import dtypes
from ...creation import tensor as make_tensor
from ...ops.joining import stack
from ...tensor import Tensor


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def _is_numpy(value: Any) -> bool:
    return type(value).__module__ == "numpy"


def default_convert(data: Any) -> Any:
    """NumPy arrays and scalars become tensors, inside mappings and sequences too;
    anything else is returned as is (the ``collate_fn`` without batching)."""
    if _is_numpy(data) and getattr(data, "dtype", None) is not None:
        return make_tensor(data.tolist())
    if isinstance(data, Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch: list[Any]) -> Any:
    """Stack samples into a batch: tensors along a new dim 0, Python floats into a
    float64 tensor, ints into an int64 tensor; mappings, namedtuples and sequences are
    collated field by field (a tuple gives a list, as in PyTorch); strings stay a list."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if _is_numpy(elem) and getattr(elem, "dtype", None) is not None:
        return default_collate([default_convert(b) for b in batch])
    if isinstance(elem, float):
        return make_tensor(batch, dtype=dtypes.float64)
    if isinstance(elem, bool) or not isinstance(elem, int):
        return _collate_container(elem, batch)
    return make_tensor(batch)


def _collate_container(elem: Any, batch: list[Any]) -> Any:
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return type(elem)({key: default_collate([d[key] for d in batch]) for key in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    if isinstance(elem, bool):
        return make_tensor(batch)
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
        f"lists; found {type(elem)}"
    )
