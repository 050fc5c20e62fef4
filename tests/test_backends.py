"""The built-in backends (NumPy, JAX, CuPy) behave alike: dtypes, in-place writes,
aliasing through ``detach()`` and views, movement between backends, and printing.

Each test runs on every built-in backend; one that cannot run here is skipped with the
reason its probe gives (CuPy without a GPU: "no GPU is present ..."). The whole suite
also runs with each backend as the default (``RETROGRAD_BACKEND``, ``nox -s tests``).
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

import pytest
import retrograd
from retrograd.storage import DerivedStorage, Storage

BUILT_IN = ("numpy", "jax", "cupy")


@pytest.fixture(params=BUILT_IN)
def name(request) -> str:
    row = {b.name: b for b in retrograd.backends()}[request.param]
    if not row.usable:
        pytest.skip(f"backend '{row.name}' is unusable here: {row.reason}")
    return row.name


def _python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "RETROGRAD_BACKEND"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )


def test_built_in_backends_are_listed_with_their_state():
    rows = {b.name: b for b in retrograd.backends()}
    assert {"numpy", "jax", "cupy"} <= set(rows)
    assert all(rows[n].package == "retrograd" for n in BUILT_IN)
    assert rows["numpy"].usable
    for row in rows.values():
        assert row.usable == (row.reason is None)


def test_listing_backends_imports_no_array_library():
    code = "import sys, retrograd; retrograd.backends(); print({'jax', 'cupy'} & set(sys.modules))"
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "set()"


def test_float64_and_int64_are_really_64_bit(name):
    x = retrograd.tensor([1 + 2.0**-40], dtype=retrograd.float64, backend=name)
    assert x.dtype is retrograd.float64 and x.backend.dtype_of(x._data) is retrograd.float64
    assert x.item() == 1 + 2.0**-40  # a float32 would have rounded this to 1.0
    big = retrograd.tensor([2**40 + 1], backend=name)
    assert big.dtype is retrograd.int64 and big.item() == 2**40 + 1
    assert retrograd.ones(2, backend=name).dtype is retrograd.float32


def test_tensor_copies_host_data_and_copy_takes_its_values(name):
    """``tensor(ndarray)`` copies, as PyTorch's does: a later write to the array changes
    nothing. JAX's ``jnp.asarray`` wraps an aligned array's memory (a PyTorch tensor's
    ``.numpy()``, a NumPy array of 64-byte aligned memory), so this failed there."""
    import numpy as np

    block = np.zeros(64 + 8)
    offset = (-block.ctypes.data % 64) // 8  # the first 64-byte aligned element
    host = block[offset : offset + 64]
    t = retrograd.tensor(host, backend=name)
    u = retrograd.zeros(64, dtype=retrograd.float64, backend=name)
    u.copy_(retrograd.tensor(host, backend=name))
    host += 1.0
    assert t.tolist() == u.tolist() == [0.0] * 64


def test_in_place_ops_bump_the_version_and_detach_aliases(name):
    x = retrograd.arange(3.0, backend=name)
    d = x.detach()
    x.add_(1)
    d.mul_(2)
    assert x.tolist() == d.tolist() == [2.0, 4.0, 6.0]
    assert x._version == d._version == 2


def test_writes_through_a_view_reach_the_base_and_back(name):
    w = retrograd.arange(6.0, backend=name).view(2, 3)
    with retrograd.no_grad():
        w[0].mul_(2)
    assert w.tolist() == [[0.0, 2.0, 4.0], [3.0, 4.0, 5.0]]
    x = retrograd.zeros(2, 2, backend=name)
    v = x.view(4)
    v.add_(1)
    assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    x[1].fill_(7)
    assert v.tolist() == [1.0, 1.0, 7.0, 7.0]
    assert x._version == v._version == 2


def test_views_of_views_compose(name):
    w = retrograd.zeros(2, 3, backend=name)
    col = w.t()[1]  # a non-contiguous view of a view
    col.add_(5)
    assert w.tolist() == [[0.0, 5.0, 0.0], [0.0, 5.0, 0.0]]
    w.data[0, 1].fill_(-1)  # through .data, on a view of it
    assert col.tolist() == [-1.0, 5.0]


def test_strides_follow_pytorch(name):
    x = retrograd.ones(2, 3, requires_grad=True, backend=name)
    assert x.is_contiguous() and x.view(3, 2).is_contiguous() and x[:, 1].is_contiguous() is False
    t = x.detach().t()
    assert not t.is_contiguous() and t.contiguous().is_contiguous()
    assert type(x.t().contiguous().grad_fn).__name__ == "CloneBackward0"
    assert x.t().t().contiguous().grad_fn.name() == "TBackward0"  # a no-op: no copy
    with pytest.raises(RuntimeError, match=r"view size is not compatible.*reshape"):
        t.view(6)
    assert t.reshape(6).tolist() == [1.0] * 6
    with pytest.raises(RuntimeError, match="single memory location"):
        retrograd.ones(1, 3, backend=name).expand(2, 3).add_(1)


# Each makes a tensor from ``lib.ones(2, 3)`` (``x``) whose strides PyTorch defines.
STRIDE_CASES = {
    "contiguous": lambda x: x,
    "t": lambda x: x.t(),
    "column": lambda x: x[:, 1],
    "every other row": lambda x: x[::2],
    "expand": lambda x: x.expand(4, 2, 3),
    "view": lambda x: x.view(3, 2),
    "t contiguous": lambda x: x.t().contiguous(),
    "unsqueeze 1": lambda x: x.unsqueeze(1),
    "unsqueeze -1": lambda x: x.unsqueeze(-1),
    "t unsqueeze 0": lambda x: x.t().unsqueeze(0),
    "None": lambda x: x[None],
    "slice of t": lambda x: x.t()[:, 0:1],
    "expand a new dim of 1": lambda x: x[0].expand(1, 3),
    "empty": lambda x: x[:, :0],
    "0-d": lambda x: x[0, 0],
    "permute": lambda x: x.unsqueeze(0).permute(2, 0, 1),
}


@pytest.mark.parametrize("case", STRIDE_CASES)
def test_stride_is_pytorchs(name, case):
    torch = pytest.importorskip("torch")
    ours = STRIDE_CASES[case](retrograd.ones(2, 3, backend=name))
    theirs = STRIDE_CASES[case](torch.ones(2, 3))
    assert ours.stride() == theirs.stride()
    for d in range(-theirs.dim(), theirs.dim()):
        assert ours.stride(d) == theirs.stride(d)


@pytest.mark.parametrize("method", ["size", "stride"])
def test_size_and_stride_dims_are_checked_as_in_pytorch(method):
    torch = pytest.importorskip("torch")
    for make, dim in [(lambda lib: lib.ones(2, 3), 2), (lambda lib: lib.ones(()), 0),
                      (lambda lib: lib.ones(()), -1), (lambda lib: lib.ones(2), True),
                      (lambda lib: lib.ones(2), 1.0)]:  # fmt: skip
        with pytest.raises(Exception) as theirs:
            getattr(make(torch), method)(dim)
        with pytest.raises(theirs.type) as ours:
            getattr(make(retrograd), method)(dim)
        assert str(ours.value) == str(theirs.value)


def test_views_share_memory_at_no_cost_where_the_library_can():
    base = retrograd.zeros(4, backend="numpy")
    assert type(base.view(2, 2)._storage) is Storage
    if {b.name: b for b in retrograd.backends()}["jax"].usable:
        assert type(retrograd.zeros(4, backend="jax").view(2, 2)._storage) is DerivedStorage


def test_a_seed_gives_the_same_numbers_on_every_backend(name):
    retrograd.manual_seed(3)
    here = retrograd.randn(5, backend=name).tolist()
    retrograd.manual_seed(3)
    assert here == retrograd.randn(5, backend="numpy").tolist()


def test_to_moves_data_and_the_gradient_flows_back(name):
    x = retrograd.tensor([1.0, 2.0, 3.0], requires_grad=True, backend="numpy")
    y = x.to(name, retrograd.float64)
    assert y.backend.name == name and y.dtype is retrograd.float64
    assert type(y.grad_fn).__name__ == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.backend.name == "numpy" and x.grad.dtype is retrograd.float32
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_moved_tensors_do_not_alias(name):
    if name == "numpy":
        x = retrograd.zeros(3, backend="numpy")
        assert x.to("numpy") is x and x.to("cpu") is x  # no move: the tensor itself
        return
    x = retrograd.zeros(3, backend="numpy")
    y = x.to(name)
    x.add_(1)
    back = y.to("numpy")
    y.add_(2)
    assert (x.tolist(), y.tolist(), back.tolist()) == ([1.0] * 3, [2.0] * 3, [0.0] * 3)


def test_cpu_libraries_exchange_through_dlpack_else_through_the_host():
    pytest.importorskip("jax")
    from retrograd.plugins.tracing import KernelTracer

    x = retrograd.ones(3, backend="numpy")
    with KernelTracer() as tracer:
        x.to("jax").to("numpy")
        x.sum().to("jax")  # a NumPy scalar does not speak DLPack: through the host
    assert [(c.kernel, c.backend) for c in tracer.calls if c.kernel != "sum"] == [
        ("from_dlpack", "jax"), ("from_dlpack", "numpy"),
        ("from_dlpack", "jax"), ("to_numpy", "numpy"), ("from_numpy", "jax"), ("copy", "jax"),
    ]  # fmt: skip


def test_mixing_backends_names_both(name):
    if name == "numpy":
        pytest.skip("needs a second backend")
    with pytest.raises(RuntimeError, match=f"numpy and {name}.*to\\(\\)"):
        retrograd.ones(2, backend="numpy") + retrograd.ones(2, backend=name)


def test_device_suffix_only_off_the_default_backend(name):
    t = retrograd.tensor([1.0, 2.0], backend=name)
    with retrograd.use_backend(name):
        assert repr(t) == "tensor([1., 2.])"
        other = "jax" if name != "jax" else "numpy"
        if {b.name: b for b in retrograd.backends()}[other].usable:
            o = retrograd.tensor([1.0], backend=other)
            assert repr(o) == f"tensor([1.], device='{o.device}')"


def test_jax_numpy_view_is_read_only():
    pytest.importorskip("jax")
    x = retrograd.zeros(2, backend="jax")
    with pytest.raises(ValueError):
        x.numpy()[0] = 1.0
    assert x.tolist() == [0.0, 0.0]


def test_jax_is_imported_and_switched_to_64_bit_on_first_use_only():
    pytest.importorskip("jax")
    code = (
        "import sys, retrograd\n"
        "retrograd.ones(1)\n"
        "print('jax' in sys.modules)\n"
        "retrograd.ones(1, backend='jax')\n"
        "import jax\n"
        "print(jax.config.jax_enable_x64)\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_jax_tutorial_prints_what_numpy_prints():
    pytest.importorskip("jax")
    outputs = []
    for backend in ("numpy", "jax"):
        args = ["-m", "retrograd", "tutorial", "--backend", backend, "--seed", "0"]
        result = subprocess.run([sys.executable, *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        outputs.append(re.sub(r"0x[0-9a-f]+", "0x...", result.stdout))
    assert outputs[0] == outputs[1]


def test_cupy_without_a_gpu_is_unusable_and_says_why():
    row = {b.name: b for b in retrograd.backends()}["cupy"]
    if row.usable:
        pytest.skip("a GPU is present: CuPy is usable here")
    if not glob.glob("/dev/nvidia[0-9]*"):
        assert row.reason.startswith("no GPU is present")
    expected = f"backend 'cupy' is not usable here: {row.reason}. Usable backends here: "
    with pytest.raises(RuntimeError, match=re.escape(expected) + ".*numpy"):
        retrograd.ones(2, backend="cupy")
    # The device "cuda": PyTorch's error on a machine without CUDA, then the reason.
    expected = "Torch not compiled with CUDA enabled (retrograd: device 'cuda' is the 'cupy' "
    with pytest.raises(AssertionError, match=re.escape(expected) + ".*" + re.escape(row.reason)):
        retrograd.ones(2, device="cuda")
    assert not retrograd.cuda.is_available() and retrograd.cuda.device_count() == 0


_IEEE = """
import numpy as np
import retrograd as rg
x = rg.tensor([1.0, -1.0, 0.0], backend="numpy")
results = [x / 0, x.log(), x.sqrt(), x.exp() * 3e38, (x / 0).long()]  # inf, nan to int too
print([r.tolist() for r in results])
np.log(np.array([-1.0]))  # the user's own NumPy call still warns
"""


def test_numpy_backend_computes_ieee_results_silently_as_pytorch():
    """PyTorch prints no warning for 1/0, log(-1), overflow, a cast of inf or NaN to an
    integer; neither do retrograd's ops on NumPy (which would warn), while NumPy called
    directly keeps its warnings."""
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", _IEEE], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "[inf, -inf, nan], [0.0, nan, -inf], [1.0, nan, 0.0], [inf," in result.stdout
    warned = [line for line in result.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(warned) == 1 and "<string>:7" in warned[0], result.stderr
