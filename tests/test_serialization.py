"""``retrograd.save``/``load`` read and write PyTorch's files; PyTorch is the oracle."""

from __future__ import annotations

import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def host(t) -> np.ndarray:
    return np.asarray(t.numpy(force=True))


def assert_same_tensor(expected, got) -> None:
    """``expected`` a torch tensor, ``got`` a retrograd one (or the other way round)."""
    if isinstance(got, rg.Tensor):
        values, dtype = host(got), got.dtype.name
        grad = got.requires_grad
    else:
        values, dtype, grad = (
            got.detach().numpy(),
            str(got.dtype).removeprefix("torch."),
            got.requires_grad,
        )
        expected, got = got, expected
    ref = expected.detach().numpy() if not isinstance(expected, rg.Tensor) else host(expected)
    assert dtype == str(got.dtype).removeprefix("torch.") or dtype == got.dtype.name
    np.testing.assert_array_equal(values, ref, strict=True)
    assert grad == expected.requires_grad


def torch_tensors() -> dict:
    gen = torch.Generator().manual_seed(0)
    out = {}
    for name in DTYPES:
        d = getattr(torch, name)
        base = torch.randint(0, 2 if name == "bool" else 100, (3, 4), generator=gen)
        out[name] = base.to(d)
    return out


def test_a_pytorch_state_dict_loads_with_equal_values(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2)
    )
    model(torch.randn(5, 4))  # running statistics and num_batches_tracked move
    state = model.state_dict()
    torch.save(state, tmp_path / "model.pt")
    loaded = rg.load(tmp_path / "model.pt")
    assert isinstance(loaded, collections.OrderedDict)
    assert list(loaded) == list(state)
    for key, value in state.items():
        assert_same_tensor(value, loaded[key])
    assert loaded._metadata == state._metadata


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_loads_from_pytorch(tmp_path, name):
    value = torch_tensors()[name]
    torch.save({"t": value, "row": value[1], "col": value[:, 2]}, tmp_path / "t.pt")
    loaded = rg.load(tmp_path / "t.pt")
    assert_same_tensor(value, loaded["t"])
    assert_same_tensor(value[1], loaded["row"])
    assert_same_tensor(value[:, 2], loaded["col"])


def test_views_saved_by_pytorch_keep_sharing_one_storage(tmp_path):
    x = torch.arange(24.0).reshape(4, 6)
    views = {"x": x, "tail": x[1:], "t": x.t(), "step": x[:, ::2], "again": x}
    torch.save(views, tmp_path / "v.pt")
    loaded = rg.load(tmp_path / "v.pt", map_location="numpy")
    for key, value in views.items():
        assert_same_tensor(value, loaded[key])
    loaded["x"].mul_(2)  # one storage: every view sees the write
    for key, value in views.items():
        assert_same_tensor(value * 2, loaded[key])


def test_nested_containers_and_python_values(tmp_path):
    obj = {
        "list": [torch.ones(2), 3, 2.5, "text", None, True],
        "tuple": (torch.zeros(1, dtype=torch.int64), (1, 2, 3, 4)),
        "nested": {"a": {"b": [torch.tensor(7.0)]}},
        "big": -(2**70),
        "size": torch.Size([2, 3]),
        "dtype": torch.float64,
        "grad": torch.ones(3, requires_grad=True),
        "param": torch.nn.Parameter(torch.full((2,), 4.0)),
    }
    torch.save(obj, tmp_path / "n.pt")
    got = rg.load(tmp_path / "n.pt")
    assert got["list"][1:] == [3, 2.5, "text", None, True]
    assert_same_tensor(obj["list"][0], got["list"][0])
    assert_same_tensor(obj["tuple"][0], got["tuple"][0])
    assert got["tuple"][1] == (1, 2, 3, 4)
    assert_same_tensor(obj["nested"]["a"]["b"][0], got["nested"]["a"]["b"][0])
    assert got["big"] == -(2**70)
    assert got["size"] == rg.Size([2, 3]) and isinstance(got["size"], rg.Size)
    assert got["dtype"] is rg.float64
    assert_same_tensor(obj["grad"], got["grad"])
    assert_same_tensor(obj["param"], got["param"])
    assert got["grad"].is_leaf and got["param"].is_leaf


@pytest.mark.parametrize("name", DTYPES)
def test_a_retrograd_file_loads_in_pytorch(tmp_path, name):
    values = host(torch_tensors()[name].to(torch.float64)) if name != "bool" else None
    t = (
        rg.tensor(values, dtype=getattr(rg, name))
        if values is not None
        else rg.tensor([[True, False], [False, True]])
    )
    rg.save({"t": t, "list": [t, 1.5], "rows": t[1:]}, tmp_path / "r.pt")
    loaded = torch.load(
        tmp_path / "r.pt", map_location="cpu"
    )  # weights_only=True: PyTorch's default;
    # map_location: a file saved from the CuPy backend names cuda, as PyTorch's would
    assert_same_tensor(loaded["t"], t)
    assert_same_tensor(loaded["list"][0], t)
    assert loaded["list"][1] == 1.5
    assert_same_tensor(loaded["rows"], t[1:])


def test_retrograd_views_share_a_storage_in_pytorch(tmp_path):
    x = rg.arange(12.0, backend="numpy").reshape(3, 4)
    rg.save({"x": x, "t": x.t(), "tail": x[1:], "step": x[:, ::2]}, tmp_path / "s.pt")
    loaded = torch.load(tmp_path / "s.pt", map_location="cpu")
    assert_same_tensor(loaded["t"], x.t())
    assert_same_tensor(loaded["step"], x[:, ::2])
    pointers = {v.untyped_storage().data_ptr() for v in loaded.values()}
    assert len(pointers) == 1
    assert loaded["tail"].storage_offset() == 4 and loaded["t"].stride() == (1, 4)


def test_a_state_dict_like_object_round_trips_to_pytorch_and_back(tmp_path):
    state = collections.OrderedDict(weight=rg.randn(3, 4), bias=rg.zeros(3), steps=rg.tensor(5))
    state._metadata = {"": {"version": 1}}
    rg.save(state, tmp_path / "sd.pt")
    in_torch = torch.load(tmp_path / "sd.pt", map_location="cpu")
    assert in_torch._metadata == state._metadata
    torch.save(in_torch, tmp_path / "back.pt")
    again = rg.load(tmp_path / "back.pt")
    for key in state:
        np.testing.assert_array_equal(host(again[key]), host(state[key]), strict=True)


def test_round_trip_in_retrograd_through_a_file_object():
    obj = {"a": rg.randn(2, 3, requires_grad=True), "b": [rg.tensor([1, 2]), {"c": 3}], "s": "x"}
    buffer = io.BytesIO()
    rg.save(obj, buffer)
    buffer.seek(0)
    got = rg.load(buffer)
    np.testing.assert_array_equal(host(got["a"]), host(obj["a"]))
    assert got["a"].requires_grad and got["b"][1] == {"c": 3} and got["s"] == "x"
    assert zipfile.ZipFile(io.BytesIO(buffer.getvalue())).namelist()[0] == "archive/data.pkl"


def test_the_archive_layout_is_pytorchs(tmp_path):
    value = {"w": torch.ones(3), "b": torch.zeros(2, dtype=torch.int64)}
    torch.save(value, tmp_path / "ref.pt")
    rg.save({"w": rg.ones(3), "b": rg.zeros(2, dtype=rg.int64)}, tmp_path / "ref2.pt")
    theirs = zipfile.ZipFile(tmp_path / "ref.pt")
    ours = zipfile.ZipFile(tmp_path / "ref2.pt")
    strip = [n.split("/", 1)[1] for n in theirs.namelist()]
    assert [n.split("/", 1)[1] for n in ours.namelist()] == strip
    for name in strip:  # data.pkl: the same objects, without PyTorch's memo opcodes
        if name not in (".data/serialization_id", "data.pkl"):
            assert ours.read("ref2/" + name) == theirs.read("ref/" + name), name
    for info in ours.infolist():
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        assert start % 64 == 0 and info.compress_type == zipfile.ZIP_STORED


@pytest.mark.parametrize("location", ["numpy", "cpu", "jax", "backend", "dict"])
def test_map_location(tmp_path, location):
    torch.save({"t": torch.arange(6.0)}, tmp_path / "m.pt")
    if location == "jax":
        pytest.importorskip("jax")
    spec = {"backend": rg.get_backend("numpy"), "dict": {"cpu": "numpy"}}.get(location, location)
    got = rg.load(tmp_path / "m.pt", map_location=spec)["t"]
    assert got.backend.name == ("jax" if location == "jax" else "numpy")
    np.testing.assert_array_equal(host(got), np.arange(6.0, dtype=np.float32))


def test_a_pickle_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    torch.save({"a": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError, match="^Weights only load failed"):
        rg.load(tmp_path / "evil.pt")
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError, match="weights_only=True"):
        rg.load(tmp_path / "evil.pt", weights_only=False)
    assert not marker.exists()


def test_bad_files_give_clear_errors(tmp_path):
    good = tmp_path / "good.pt"
    torch.save({"t": torch.ones(100)}, good)
    raw = good.read_bytes()
    cases = {
        "junk.pt": (b"this is not a checkpoint", pickle.UnpicklingError, "not a PyTorch file"),
        "cut.pt": (raw[: len(raw) // 2], RuntimeError, "PytorchStreamReader failed reading zip"),
        "empty.pt": (b"", pickle.UnpicklingError, "not a PyTorch file"),
    }
    for name, (data, error, text) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(error, match=text):
            rg.load(tmp_path / name)
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("x/readme.txt", "hello")
    other.seek(0)
    with pytest.raises(RuntimeError, match="data.pkl"):
        rg.load(other)


def test_a_storage_of_the_wrong_size_is_an_error_not_a_partial_load(tmp_path):
    torch.save({"a": torch.ones(4), "b": torch.ones(8)}, tmp_path / "ok.pt")
    source = zipfile.ZipFile(tmp_path / "ok.pt")
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info.filename, data[:-4] if info.filename.endswith("data/1") else data)
    broken.seek(0)
    with pytest.raises(RuntimeError, match="the file is corrupt"):
        rg.load(broken)


def test_pytorchs_legacy_format_is_reported(tmp_path):
    torch.save({"a": torch.ones(2)}, tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy format"):
        rg.load(tmp_path / "old.pt")


def test_saving_an_arbitrary_object_is_refused(tmp_path):
    with pytest.raises(pickle.PicklingError, match="cannot save an object of type object"):
        rg.save({"x": object()}, tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()


def test_tensors_of_any_backend_save(tmp_path):
    t = rg.arange(5.0)  # the default backend (JAX under RETROGRAD_BACKEND=jax)
    rg.save({"t": t, "v": t[1:3]}, tmp_path / "b.pt")
    loaded = torch.load(tmp_path / "b.pt", map_location="cpu")
    np.testing.assert_array_equal(loaded["t"].numpy(), host(t))
    np.testing.assert_array_equal(loaded["v"].numpy(), host(t[1:3]))
