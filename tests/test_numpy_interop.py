"""NumPy and DLPack interop, compared with PyTorch: ``__array__``, operators with NumPy
scalars and arrays, ufuncs, ``from_numpy``, ``as_tensor``, ``from_dlpack``."""

import warnings

import numpy as np
import pytest
import retrograd

torch = pytest.importorskip("torch")

ON_NUMPY = retrograd.get_backend().name == "numpy"


def _outcome(fn):
    """What a call gives: the result's type, dtype and values, or the error's type and
    the first line of its message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PyTorch's old __array_wrap__
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 - the outcome is what is compared
            return type(e).__name__, str(e).split("\n")[0][:60]
    if hasattr(r, "tolist") and hasattr(r, "dtype"):
        return type(r).__name__, str(r.dtype).split(".")[-1], r.tolist()
    return type(r).__name__, r


CASES = {
    "np.float64(2) * t": lambda L: np.float64(2) * L.tensor([1.0, 2.0]),
    "t * np.float32(2)": lambda L: L.tensor([1.0, 2.0]) * np.float32(2),
    "np.float32(2) - t": lambda L: np.float32(2) - L.tensor([1.0, 2.0]),
    "int t * np.float64": lambda L: L.tensor([1, 2]) * np.float64(2),
    "t * np.int64": lambda L: L.tensor([1.0, 2.0]) * np.int64(3),
    "t * np.bool_": lambda L: L.tensor([1.0, 2.0]) * np.bool_(True),
    "t < np.float32": lambda L: L.tensor([1.0, 3.0]) < np.float32(2),
    "add(t, np.float32)": lambda L: L.add(L.tensor([1.0, 2.0]), np.float32(1)),
    "np.ones + t": lambda L: np.ones(2) + L.tensor([1.0, 2.0]),
    "t + np.ones": lambda L: L.tensor([1.0, 2.0]) + np.ones(2),
    "t + int64 array": lambda L: L.tensor([1.0, 2.0]) + np.ones(2, dtype=np.int64),
    "int t + float32 array": lambda L: L.tensor([1, 2]) + np.ones(2, dtype=np.float32),
    "t - int8 array": lambda L: L.tensor([1.0, 2.0]) - np.ones(2, dtype=np.int8),
    "t @ array": lambda L: L.tensor([1.0, 2.0]) @ np.ones(2),
    "t ** array": lambda L: L.tensor([1.0, 2.0]) ** np.full(2, 2.0),
    "t == array": lambda L: L.tensor([1.0, 2.0]) == np.ones(2),
    "t < array": lambda L: L.tensor([1.0, 2.0]) < np.ones(2),
    "requires-grad t + array": lambda L: L.ones(2, requires_grad=True) + np.ones(2),
    "np.exp(t)": lambda L: np.exp(L.tensor([0.0, 1.0])),
    "np.isnan(t)": lambda L: np.isnan(L.tensor([0.0, float("nan")])),
    "np.add(t, t)": lambda L: np.add(L.tensor([1.0]), L.tensor([2.0])),
    "np.asarray(t)": lambda L: np.asarray(L.tensor([[1.0, 2.0]])),
    "np.asarray(0-d)": lambda L: np.asarray(L.tensor(3, dtype=L.int8)),
    "np.array(t, float64)": lambda L: np.array(L.tensor([1.0]), dtype=np.float64),
    "np.asarray(requires grad)": lambda L: np.asarray(L.ones(2, requires_grad=True)),
    "from_numpy(float64)": lambda L: L.from_numpy(np.arange(3.0)),
    "from_numpy(int32)": lambda L: L.from_numpy(np.arange(3, dtype=np.int32)),
    "from_numpy(strided)": lambda L: L.from_numpy(np.arange(6.0)[::2]),
    "from_numpy(list)": lambda L: L.from_numpy([1, 2]),
    "from_numpy(str)": lambda L: L.from_numpy(np.array(["a"])),
    "from_numpy(object)": lambda L: L.from_numpy(np.array([1], dtype=object)),
    "from_numpy(big endian)": lambda L: L.from_numpy(np.array([1], dtype=">f4")),
    "from_numpy(reversed)": lambda L: L.from_numpy(np.arange(3.0)[::-1]),
    "as_tensor(list)": lambda L: L.as_tensor([1, 2]),
    "as_tensor(array, float32)": lambda L: L.as_tensor(np.arange(3), dtype=L.float32),
    "from_dlpack(array)": lambda L: L.from_dlpack(np.arange(3.0)),
    "dlpack of requires grad": lambda L: L.ones(2, requires_grad=True).__dlpack__(),
}


@pytest.mark.parametrize("case", list(CASES))
def test_numpy_interop_as_torch(case):
    assert _outcome(lambda: CASES[case](retrograd)) == _outcome(lambda: CASES[case](torch))


def test_array_priority_as_torch():
    assert retrograd.Tensor.__array_priority__ == torch.Tensor.__array_priority__


@pytest.mark.skipif(not ON_NUMPY, reason="memory is shared on the NumPy backend only")
def test_memory_is_shared_on_numpy():
    t = retrograd.tensor([1.0, 2.0, 3.0])
    np.asarray(t)[0] = 10.0
    a = np.arange(3.0)
    f, s = retrograd.from_numpy(a), retrograd.as_tensor(a)
    a[1] = 9.0
    d = retrograd.from_dlpack(np.arange(3.0))
    np.from_dlpack(t)[2] = 7.0
    assert t.tolist() == [10.0, 2.0, 7.0]
    assert f.tolist() == s.tolist() == [0.0, 9.0, 2.0] and d.tolist() == [0.0, 1.0, 2.0]


def test_array_is_writable_and_apart_elsewhere_and_as_tensor_of_tensor_is_itself():
    t = retrograd.tensor([1.0, 2.0])
    a = np.asarray(t)
    a[0] = 5.0  # writable on every backend (a copy where the library's is read-only)
    assert t.tolist() == ([5.0, 2.0] if ON_NUMPY else [1.0, 2.0])
    assert retrograd.as_tensor(t) is t
    assert retrograd.as_tensor(t, dtype=retrograd.float64).dtype is retrograd.float64


def test_dlpack_device_as_torch():
    assert tuple(retrograd.ones(2).__dlpack_device__()) == tuple(
        int(x) for x in torch.ones(2).__dlpack_device__()
    )


def test_utils_dlpack_round_trip_as_torch():
    def run(lib):
        t = lib.tensor([1.0, 2.0, 3.0])
        back = lib.utils.dlpack.from_dlpack(lib.utils.dlpack.to_dlpack(t))
        return type(back).__name__, back.tolist(), str(back.dtype).split(".")[-1]

    import torch.utils.dlpack  # noqa: F401 - torch loads the submodule lazily

    assert run(retrograd) == run(torch)
