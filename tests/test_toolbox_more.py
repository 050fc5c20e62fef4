"""Small names PyTorch users reach for, against PyTorch: ``finfo``/``iinfo``, tensor
queries (``is_conj``, ``resolve_neg``, ``get_device``, ``typename``...), ``asarray`` and
the ``detach`` function."""

from __future__ import annotations

import warnings

import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


def _raised(fn, *args, **kwargs) -> BaseException:
    with pytest.raises(Exception) as info:
        fn(*args, **kwargs)
    return info.value


def _same_error(mine, theirs) -> None:
    """Both raise the same exception type with the same message."""
    got, want = _raised(mine), _raised(theirs)
    assert type(got) is type(want)
    assert str(got) == str(want)


# -- finfo / iinfo ------------------------------------------------------------------------
@pytest.mark.parametrize("name", FLOATS)
def test_finfo_matches_pytorch(name):
    got, want = rg.finfo(getattr(rg, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(got, attr) == getattr(want, attr), attr
        assert type(getattr(got, attr)) is type(getattr(want, attr)), attr
    assert repr(got) == repr(want)
    assert str(got) == str(want)


@pytest.mark.parametrize("name", INTS)
def test_iinfo_matches_pytorch(name):
    got, want = rg.iinfo(getattr(rg, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(got, attr) == getattr(want, attr), attr
        assert type(getattr(got, attr)) is type(getattr(want, attr)), attr
    assert repr(got) == repr(want)


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_finfo_without_argument_describes_the_default_dtype(default):
    before = rg.get_default_dtype()
    rg.set_default_dtype(getattr(rg, default))
    try:
        assert repr(rg.finfo()) == repr(torch.finfo(getattr(torch, default)))
    finally:
        rg.set_default_dtype(before)


def test_info_equality_and_immutability_match_pytorch():
    assert rg.finfo(rg.float32) == rg.finfo(rg.float32)
    assert rg.finfo(rg.float32) != rg.finfo(rg.float64)
    assert rg.iinfo(rg.int8) == rg.iinfo(rg.int8) and rg.iinfo(rg.int8) != rg.iinfo(rg.int16)
    assert (rg.finfo(rg.float32) == 3) is (torch.finfo(torch.float32) == 3)
    _same_error(lambda: setattr(rg.finfo(), "eps", 1.0), lambda: setattr(torch.finfo(), "eps", 1.0))
    with pytest.raises(TypeError):
        hash(rg.finfo())


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.finfo(lib.int32),
        lambda lib: lib.finfo(lib.bool),
        lambda lib: lib.finfo("float32"),
        lambda lib: lib.finfo(None),
        lambda lib: lib.finfo(3),
        lambda lib: lib.iinfo(lib.float32),
        lambda lib: lib.iinfo(lib.bool),
        lambda lib: lib.iinfo("int"),
        lambda lib: lib.iinfo(),
    ],
)
def test_info_errors_match_pytorch(call):
    _same_error(lambda: call(rg), lambda: call(torch))


# -- tensor queries ---------------------------------------------------------------------------
def _pair(values=((0.0, 1.0, 2.0), (3.0, 4.0, 5.0)), requires_grad=False):
    return (
        rg.tensor(values, requires_grad=requires_grad),
        torch.tensor(values, requires_grad=requires_grad),
    )


VIEWS = [
    lambda t: t,
    lambda t: t[1:],
    lambda t: t[:, 1],
    lambda t: t.t()[1],
    lambda t: t[1, 2:],
    lambda t: t.reshape(-1)[3:5],
    lambda t: t[:, ::2],
]


@pytest.mark.parametrize("view", VIEWS)
def test_queries_match_pytorch(view):
    mine, theirs = (view(t) for t in _pair())
    for name in ("is_conj", "is_neg", "storage_offset", "is_inference"):
        assert getattr(mine, name)() == getattr(theirs, name)(), name
    for name in ("is_conj", "is_neg", "is_inference"):
        assert getattr(rg, name)(mine) == getattr(torch, name)(theirs), name


def test_get_device_is_minus_one_in_host_memory():
    mine, theirs = (rg.tensor([1.0], backend="numpy"), torch.tensor([1.0]))
    assert mine.get_device() == theirs.get_device() == -1
    assert rg.get_device(mine) == torch.get_device(theirs)


@pytest.mark.parametrize("name", ["resolve_conj", "resolve_neg"])
def test_resolve_returns_the_tensor_itself_like_pytorch(name):
    (mine, theirs) = _pair(requires_grad=True)
    for m, t in ((mine, theirs), (mine * 2, theirs * 2)):
        assert (getattr(m, name)() is m) == (getattr(t, name)() is t)
        assert (getattr(rg, name)(m) is m) == (getattr(torch, name)(t) is t)


def test_is_inference_function_matches_pytorch():
    with rg.inference_mode():
        mine = rg.ones(2)
    with torch.inference_mode():
        theirs = torch.ones(2)
    assert rg.is_inference(mine) == torch.is_inference(theirs) is True


def test_detach_function_matches_pytorch():
    mine, theirs = _pair(requires_grad=True)
    got, want = rg.detach(mine * 2), torch.detach(theirs * 2)
    assert (got.requires_grad, got.grad_fn, got.is_leaf) == (
        want.requires_grad, want.grad_fn, want.is_leaf,
    )  # fmt: skip
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])  # fmt: skip
def test_typename_of_a_tensor_matches_pytorch(dtype):
    mine = rg.zeros(2, dtype=getattr(rg, dtype))
    theirs = torch.zeros(2, dtype=getattr(torch, dtype))
    assert rg.typename(mine) == torch.typename(theirs)


@pytest.mark.parametrize("obj", [3, "a", 2.5, None, [1], int, ValueError("x")])
def test_typename_of_other_objects_matches_pytorch(obj):
    assert rg.typename(obj) == torch.typename(obj)


@pytest.mark.parametrize("name", ["is_conj", "is_neg", "resolve_conj", "resolve_neg",
                                  "get_device", "is_inference", "detach"])  # fmt: skip
def test_query_functions_reject_non_tensors_like_pytorch(name):
    _same_error(lambda: getattr(rg, name)(3), lambda: getattr(torch, name)(3))


# -- asarray ------------------------------------------------------------------------------------
def _summary(t, source=None):
    return (t.tolist(), str(t.dtype), t.requires_grad, t.is_leaf,
            type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            None if source is None else t is source)  # fmt: skip


@pytest.mark.parametrize(
    "kwargs",
    [
        {}, {"copy": True}, {"dtype": "float64"}, {"requires_grad": True},
        {"requires_grad": False}, {"copy": True, "requires_grad": False},
        {"dtype": "float32"}, {"dtype": "float32", "copy": False},
    ],
)  # fmt: skip
@pytest.mark.parametrize("source", ["leaf", "result", "plain"])
def test_asarray_of_a_tensor_matches_pytorch(kwargs, source):
    def run(lib):
        kw = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        x = lib.tensor([1.0, 2.0], requires_grad=source != "plain")
        obj = x * 2 if source == "result" else x
        with warnings.catch_warnings():
            # PyTorch warns once a process (below), so only the results are compared
            warnings.simplefilter("ignore")
            out = lib.asarray(obj, **kw)
        return (*_summary(out, obj), obj.requires_grad)

    assert run(rg) == run(torch)


def test_asarray_warns_where_requires_grad_is_left_to_the_input():
    x = rg.tensor([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="^torch.asarray: unspecified requires_grad now defaults"):
        rg.asarray(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rg.asarray(x, requires_grad=True)
        rg.asarray(rg.tensor([1.0]))


@pytest.mark.parametrize(
    "data,kwargs",
    [
        ([1, 2], {}), ([1.0, 2], {}), (3.5, {}), (True, {}), ([1, 2], {"dtype": "float32"}),
        ([[1.0, 2.0]], {"requires_grad": True}), ([1.0], {"dtype": "float64", "copy": True}),
    ],
)  # fmt: skip
def test_asarray_of_python_data_matches_pytorch(data, kwargs):
    def run(lib):
        kw = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        return _summary(lib.asarray(data, **kw))

    assert run(rg) == run(torch)


def test_asarray_shares_a_tensors_memory_unless_copied():
    x = rg.tensor([1.0, 2.0])
    shared, copied = rg.asarray(x), rg.asarray(x, copy=True)
    x[0] = 9.0
    assert shared.tolist() == [9.0, 2.0] and copied.tolist() == [1.0, 2.0]


def test_asarray_shares_a_numpy_arrays_memory_like_pytorch():
    np = pytest.importorskip("numpy")
    data = np.array([1.0, 2.0])
    with rg.use_backend("numpy"):  # memory a NumPy array can share
        mine, copied = rg.asarray(data), rg.asarray(data, copy=True)
    theirs = torch.asarray(data)
    data[0] = 7.0
    assert mine.tolist() == theirs.tolist() == [7.0, 2.0]
    assert copied.tolist() == [1.0, 2.0] and str(mine.dtype) == str(theirs.dtype)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.asarray(lib.tensor([1.0]), dtype=lib.float64, copy=False),
        lambda lib: lib.asarray(lib.tensor([1.0]), dtype=lib.int64, copy=False),
        lambda lib: lib.asarray([1, 2], copy=False),
    ],
)
def test_asarray_errors_match_pytorch(call):
    _same_error(lambda: call(rg), lambda: call(torch))


def test_asarray_requires_grad_on_integers_raises_like_pytorch():
    with pytest.raises(RuntimeError):
        torch.asarray(torch.tensor([1, 2]), requires_grad=True)
    with pytest.raises(RuntimeError):
        rg.asarray(rg.tensor([1, 2]), requires_grad=True)
