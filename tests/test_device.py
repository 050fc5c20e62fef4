"""Devices: PyTorch's device strings and objects, mapped onto backends.

``"cpu"`` is NumPy, ``"cuda"``/``"cuda:0"`` CuPy, and any other backend is a device type
named after it (``device(type='jax')``).
"""

from __future__ import annotations

import pytest
import retrograd
from retrograd.device import backend_name


def _usable(name: str) -> bool:
    return {b.name: b for b in retrograd.backends()}[name].usable


@pytest.fixture
def restore_default():
    before = retrograd.plugins.default_backend_name()
    yield
    retrograd.set_default_backend(before)


@pytest.mark.parametrize("spec", ["cpu", "cuda", "cuda:0", "cuda:1", "meta:2"])
def test_device_objects_match_pytorch(spec):
    torch = pytest.importorskip("torch")
    ours, theirs = retrograd.device(spec), torch.device(spec)
    assert (repr(ours), str(ours), ours.type, ours.index) == (
        repr(theirs), str(theirs), theirs.type, theirs.index,
    )  # fmt: skip
    assert ours == retrograd.device(ours) and hash(ours) == hash(retrograd.device(str(ours)))
    assert ours == spec  # unlike PyTorch, a device also equals its string


def test_a_backend_name_is_a_device_type():
    assert repr(retrograd.device("jax")) == "device(type='jax')"
    assert str(retrograd.device("jax:0")) == "jax:0"


def test_device_from_type_and_index():
    assert retrograd.device("cuda", 0) == "cuda:0" != retrograd.device("cuda")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        retrograd.device("cuda:x")
    with pytest.raises(RuntimeError, match="must not be negative"):
        retrograd.device("cuda", -1)


@pytest.mark.parametrize(
    ("spec", "name"),
    [("cpu", "numpy"), ("cuda", "cupy"), ("cuda:0", "cupy"), (0, "cupy"),
     (retrograd.device("cuda", 0), "cupy"), ("jax", "jax"), ("numpy", "numpy")],
)  # fmt: skip
def test_device_specs_select_backends(spec, name):
    assert backend_name(spec) == name


def test_a_second_device_index_is_refused_clearly():
    with pytest.raises(RuntimeError, match=r"cuda:1.*'cupy' backend uses one device"):
        backend_name("cuda:1")


def test_tensor_device_names_its_backend():
    assert retrograd.ones(1, backend="numpy").device == retrograd.device("cpu")
    assert retrograd.ones(1, device="cpu").backend.name == "numpy"
    assert retrograd.ones(1, device="cpu").is_cpu and not retrograd.ones(1, device="cpu").is_cuda
    if _usable("jax"):
        t = retrograd.zeros(1, device="jax")
        assert t.backend.name == "jax" and repr(t.device) == "device(type='jax')"


def test_factories_take_device_everywhere():
    for factory in (retrograd.ones, retrograd.zeros, retrograd.empty, retrograd.randn):
        assert factory(2, device="cpu").device.type == "cpu"
    assert retrograd.tensor([1.0], device="cpu").device.type == "cpu"
    assert retrograd.full((2,), 1.0, device="cpu").device.type == "cpu"
    assert retrograd.arange(3, device="cpu").device.type == "cpu"
    assert retrograd.eye(2, device=retrograd.device("cpu")).device.type == "cpu"


def test_set_and_get_default_device(restore_default):
    retrograd.set_default_device("cpu")
    assert retrograd.get_default_device() == retrograd.device("cpu")
    assert retrograd.ones(1).backend.name == "numpy"
    if _usable("jax"):
        retrograd.set_default_device("jax")
        assert retrograd.get_default_device() == "jax" and retrograd.ones(1).device == "jax"
    retrograd.set_default_device(None)  # back to the start-up default
    assert retrograd.get_default_device() == retrograd.ones(1).device


def test_cpu_and_to_return_the_tensor_itself_when_nothing_changes():
    x = retrograd.ones(2, backend="numpy")
    assert x.cpu() is x and x.to("cpu") is x and x.to(device="cpu") is x
    assert x.to(retrograd.device("cpu"), retrograd.float32) is x


@pytest.mark.skipif(not _usable("jax"), reason="JAX is not installed")
def test_to_accepts_pytorch_argument_forms():
    x = retrograd.ones(2, backend="numpy")
    y = x.to("jax", retrograd.float64)
    assert (y.device.type, y.dtype) == ("jax", retrograd.float64)
    z = x.to(y)  # another tensor: its device and dtype
    assert (z.device.type, z.dtype) == ("jax", retrograd.float64)
    assert y.cpu().device == "cpu" and y.to(device="numpy").backend.name == "numpy"
    assert x.to(backend="jax").backend.name == "jax"


def test_cuda_queries_agree_with_the_backend_list():
    assert retrograd.cuda.is_available() == _usable("cupy")
    assert retrograd.cuda.current_device() == 0
    if not retrograd.cuda.is_available():
        assert retrograd.cuda.device_count() == 0
        assert "no GPU is present" in retrograd.cuda.unavailable_reason() or (
            "not installed" in retrograd.cuda.unavailable_reason()
        )
        # PyTorch without CUDA: AssertionError("Torch not compiled with CUDA enabled").
        with pytest.raises(AssertionError, match=r"^Torch not compiled with CUDA enabled \("):
            retrograd.ones(2, backend="numpy").cuda()
    else:
        assert retrograd.cuda.device_count() >= 1
        assert retrograd.ones(2).cuda().device == "cuda:0"
