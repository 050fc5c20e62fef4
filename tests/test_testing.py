"""``retrograd.testing`` against ``torch.testing``: ``assert_close`` passes and fails on
the same inputs with the same message (or exception type and message), and
``make_tensor`` draws PyTorch's values, dtype, strides and errors for a seed."""

from __future__ import annotations

import warnings

import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")


def T(data, dtype=None):  # noqa: N802 - a tensor in a case table, built in either library
    return ("tensor", data, dtype)


def A(data, dtype="float64"):  # noqa: N802 - a NumPy array in a case table
    return ("ndarray", data, dtype)


def build(lib, value):
    """``value`` with every :func:`T` made a tensor of ``lib`` and every :func:`A` a NumPy
    array, containers kept."""
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "ndarray":
        np = pytest.importorskip("numpy")
        return np.array(value[1], dtype=value[2])
    if isinstance(value, tuple) and len(value) == 3 and value[0] == "tensor":
        dtype = None if value[2] is None else getattr(lib, value[2])
        return lib.tensor(value[1], dtype=dtype)
    if isinstance(value, list):
        return [build(lib, item) for item in value]
    if isinstance(value, dict):
        return {key: build(lib, item) for key, item in value.items()}
    return value


def outcome(lib, actual, expected, **kwargs) -> str:
    """``OK``, or the exception's type and message (the Tensor class named as PyTorch's)."""
    try:
        lib.testing.assert_close(build(lib, actual), build(lib, expected), **kwargs)
    except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
        text = str(exc).replace("retrograd.tensor.Tensor", "torch.Tensor")
        return f"{type(exc).__name__}: {text}"
    return "OK"


CASES = [
    # values: counts, greatest differences, indices, NaN and infinities
    (T([1.0, 2.0, 3.0]), T([1.0, 2.5, 3.1]), {}),
    (T([[1.0, 2.0], [3.0, 4.0]]), T([[1.0, 2.0], [3.0, 5.0]]), {}),
    (T([[1.0, 5.0], [NAN, 2.0]]), T([[1.0, 2.0], [3.0, 2.0]]), {}),
    (T([[0.0, 0.0], [0.0, 1.0]]), T([[0.0, 1e-3], [0.0, 2.0]]), {}),
    (T([1.0, 2.0]), T([2.0, 4.0]), {}),
    (T([0.0, 2.0]), T([1.0, 2.0]), {}),
    (T([0.0, 1.0]), T([1e-6, 1.0]), {}),
    (T([0.0, 1.0]), T([1e-4, 1.0]), {}),
    (T([1.0, NAN]), T([1.0, NAN]), {}),
    (T([1.0, NAN]), T([1.0, NAN]), {"equal_nan": True}),
    (T([3.0]), T([NAN]), {}),
    (T([INF]), T([INF]), {}),
    (T([INF]), T([-INF]), {}),
    (T([1.0, 2.0], "float16"), T([1.0, 2.5], "float16"), {}),
    (T([1.0, 2.0], "float16"), T([1.0, 2.002], "float16"), {}),
    (T([1.0, 2.0], "float64"), T([1.0, 2.5], "float64"), {}),
    (T([1, 2, 3]), T([1, 2, 4]), {}),
    (T([1, 2, 3], "uint8"), T([1, 2, 5], "uint8"), {}),
    (T([True, False]), T([True, True]), {}),
    # tolerances
    (T([1.0, 2.0]), T([1.0, 2.1]), {"rtol": 1e-1, "atol": 0}),
    (T([1.0, 2.0]), T([1.0, 2.1]), {"rtol": 0, "atol": 0}),
    (T([1, 2]), T([1, 4]), {"rtol": 0.1, "atol": 0}),
    (T([1.0, 2.0]), T([1.0, 2.1]), {"rtol": 1e-1}),
    (T([1.0]), T([1.0]), {"rtol": None, "atol": 1.0}),
    # attributes
    (T([1.0, 2.0]), T([1.0, 2.0, 3.0]), {}),
    (T([1.0, 2.0, 3.0]), T([1.0, 2.0, 3.0], "float64"), {}),
    (T([1.0, 2.0, 3.0]), T([1.0, 2.0, 3.0], "float64"), {"check_dtype": False}),
    (T([1.0, 2.0], "float64"), T([1.0, 2.00001]), {"check_dtype": False}),
    (T([1, 2]), T([1.0, 2.5]), {"check_dtype": False}),
    (T([1]), T([1.0]), {}),
    (T([1.0, 2.0, 3.0]), T([1.0, 2.0, 3.0]), {"check_stride": True}),
    # 0-d tensors and Python scalars
    (T(1.0), T(3.0), {}),
    (T(1.0, "float64"), T(3.0, "float64"), {}),
    (T(1), T(3), {}),
    (T(5, "uint8"), T(7, "uint8"), {}),
    (T(True), T(False), {}),
    (1.0, 1.0 + 1e-9, {}),
    (1.0, 1.1, {}),
    (1.0, 3.0, {}),
    (1, 2, {}),
    (1, 3, {"rtol": 1, "atol": 0}),
    (1, 1.0, {}),
    (1, 1.0, {"check_dtype": False}),
    (1.0, NAN, {}),
    (NAN, NAN, {}),
    (NAN, NAN, {"equal_nan": True}),
    (INF, INF, {}),
    (1.0, 0.0, {}),
    (True, False, {}),
    (1, None, {}),
    (None, None, {}),
    # containers, and where a failure happened
    ([1.0, 2.0], [1.0, 2.1], {}),
    ((1.0, 2.0), [1.0, 2.0], {}),
    ([1, [2, 3]], [1, [2, 4]], {}),
    ([{"a": [1.0, T([1.0, 2.0])]}], [{"a": [1.0, T([1.0, 3.0])]}], {}),
    ({"a": T(1.0)}, {"a": T(2.0)}, {}),
    ({"a": T(1.0)}, {"b": T(1.0)}, {}),
    ({"a": 1}, {"a": 1, "b": 2}, {}),
    ([T(1.0), T(2.0)], [T(1.0)], {}),
    ([], [], {}),
    ([], [1], {}),
    # msg
    (T([1.0, 2.0]), T([1.0, 3.0]), {"msg": "custom"}),
    ([T([1.0])], [T([2.0])], {"msg": "custom"}),
    ([T([1.0])], [T([2.0])], {"msg": lambda m: "<" + m + ">"}),
    # NumPy arrays, compared as tensors
    (A([1.0, 2.0]), A([1.0, 2.5]), {}),
    (A([1.0, 2.0]), A([1.0, 2.0], "float32"), {}),
    (A([1, 2], "int64"), A([1, 2], "int64"), {}),
    (T([1.0, 2.0]), A([1.0, 2.0], "float32"), {}),
    # what no pair handles
    (T([1.0, 2.0]), [1.0, 2.0], {}),
    (T(1.0), 1.0, {}),
    (1, T(1), {}),
    ("a", "a", {}),
    ({"a": 1}, [1], {}),
]


@pytest.mark.parametrize("actual,expected,kwargs", CASES)
def test_assert_close_matches_pytorch(actual, expected, kwargs):
    assert outcome(rg, actual, expected, **kwargs) == outcome(torch, actual, expected, **kwargs)


def test_assert_close_fails_on_a_mismatch_and_passes_within_tolerance():
    # Independent of the oracle: the function can fail, and its tolerances are not zero.
    with pytest.raises(AssertionError, match="^Tensor-likes are not close!"):
        rg.testing.assert_close(rg.tensor([1.0, 2.0]), rg.tensor([1.0, 2.01]))
    rg.testing.assert_close(rg.tensor([1.0, 2.0]), rg.tensor([1.0, 2.000001]))


def test_assert_close_ignores_requires_grad():
    a = rg.tensor([1.0, 2.0], requires_grad=True)
    rg.testing.assert_close(a * 2, rg.tensor([2.0, 4.0]))
    with pytest.raises(AssertionError, match="Greatest absolute difference: 1.0 at index"):
        rg.testing.assert_close(a * 2, rg.tensor([2.0, 5.0]))


def test_assert_close_across_backends_is_a_device_mismatch_unless_told():
    pytest.importorskip("jax")
    mine = rg.tensor([1.0, 2.0], backend="numpy")
    other = rg.tensor([1.0, 2.0], backend="jax")
    with pytest.raises(AssertionError, match="^The values for attribute 'device' do not match"):
        rg.testing.assert_close(mine, other)
    rg.testing.assert_close(mine, other, check_device=False)
    with pytest.raises(AssertionError, match="^Tensor-likes are not close!"):
        rg.testing.assert_close(mine, other + 1, check_device=False)


# -- make_tensor ----------------------------------------------------------------------------
def drawn(lib, seed, shape, kwargs):
    """``make_tensor``'s result for ``seed`` as plain data, or its exception."""
    kwargs = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
    device = "cpu" if lib is torch else rg.ones(()).device
    lib.manual_seed(seed)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t = lib.testing.make_tensor(*shape, device=device, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
        return f"{type(exc).__name__}: {exc}"
    info = (t.tolist(), str(t.dtype), tuple(t.shape), t.stride(), t.is_contiguous())
    return (*info, t.requires_grad, t.is_leaf, [type(w.message) for w in caught])


MAKE_CASES = [
    ((3,), {"dtype": "float32"}),
    ((2, 3), {"dtype": "float64"}),
    (((2, 3),), {"dtype": "float32"}),
    (([2, 2],), {"dtype": "float32"}),
    ((), {"dtype": "float32"}),
    ((4,), {"dtype": "float16"}),
    ((3,), {"dtype": "int64"}),
    ((4,), {"dtype": "int32", "low": -3, "high": 3}),
    ((4,), {"dtype": "int16"}),
    ((4,), {"dtype": "int8", "low": -1000, "high": 1000}),
    ((4,), {"dtype": "uint8"}),
    ((4,), {"dtype": "bool"}),
    ((3,), {"dtype": "int64", "low": 2.5, "high": 7.5}),
    ((2, 3), {"dtype": "float32", "low": 0, "high": 1}),
    ((3,), {"dtype": "float32", "low": -1e40, "high": 1e40}),
    ((2, 3), {"dtype": "float32", "noncontiguous": True}),
    ((2, 3, 4), {"dtype": "int64", "noncontiguous": True}),
    ((1,), {"dtype": "float32", "noncontiguous": True}),
    ((3,), {"dtype": "float32", "requires_grad": True}),
    ((2, 3), {"dtype": "float64", "requires_grad": True, "noncontiguous": True}),
    ((5,), {"dtype": "int8", "low": 0, "high": 1, "exclude_zero": True}),
    ((5,), {"dtype": "bool", "exclude_zero": True}),
    ((5,), {"dtype": "float32", "low": 0, "high": 0, "exclude_zero": True}),
    ((5,), {"dtype": "float32", "low": 0, "high": 0}),
    # errors
    ((3,), {"dtype": "float32", "low": 5, "high": 3}),
    ((5,), {"dtype": "int64", "low": 3, "high": 3}),
    ((3,), {"dtype": "int64", "low": 5}),
    ((3,), {"dtype": "float32", "low": NAN}),
    ((3,), {"dtype": "int32", "requires_grad": True}),
    ((3,), {}),
]


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("shape,kwargs", MAKE_CASES)
def test_make_tensor_matches_pytorch(shape, kwargs, seed):
    assert drawn(rg, seed, shape, kwargs) == drawn(torch, seed, shape, kwargs)


def test_make_tensor_needs_a_device_like_pytorch():
    with pytest.raises(TypeError) as want:
        torch.testing.make_tensor(3, dtype=torch.float32)
    with pytest.raises(TypeError) as got:
        rg.testing.make_tensor(3, dtype=rg.float32)
    assert str(got.value) == str(want.value)


def test_make_tensor_rejects_noncontiguous_with_a_memory_format_like_pytorch():
    def call(lib):
        return lib.testing.make_tensor(
            2, 2, 2, 2, dtype=lib.float32, device="cpu", noncontiguous=True,
            memory_format=lib.channels_last,
        )  # fmt: skip

    with pytest.raises(ValueError) as want:
        call(torch)
    with pytest.raises(ValueError) as got:
        call(rg)
    assert str(got.value) == str(want.value)
