"""Printing matches PyTorch exactly: every case builds the same tensor in torch (the
oracle) and in retrograd and compares ``repr``/``str`` character for character."""

from __future__ import annotations

import pytest
import retrograd
from hypothesis import given, settings
from hypothesis import strategies as st
from retrograd import printing

torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")


@pytest.fixture(autouse=True)
def _default_printoptions():
    """Every test starts and ends with default print options in both libraries."""
    printing.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    yield
    printing.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def _dtype(torch_dtype):
    """The retrograd dtype with the torch dtype's name."""
    return getattr(retrograd, str(torch_dtype).removeprefix("torch."))


def _mirror(tt):
    """A retrograd tensor with the torch tensor's values, shape, dtype and
    requires_grad (values go through Python, so they are bit for bit the same)."""
    dtype = _dtype(tt.dtype)
    if tt.numel() == 0:
        rt = retrograd.zeros(*tt.shape, dtype=dtype)
    else:
        rt = retrograd.tensor(tt.detach().tolist(), dtype=dtype)
    return rt.requires_grad_() if tt.requires_grad else rt


def assert_same_repr(tt, rt=None):
    """repr and str of the retrograd twin of ``tt`` (or of ``rt``) equal torch's."""
    rt = _mirror(tt) if rt is None else rt
    assert repr(rt) == repr(tt)
    assert str(rt) == str(tt)


def _randn(*shape, scale=1.0, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * scale


def _randint(low, high, shape, seed=0):
    return torch.randint(low, high, shape, generator=torch.Generator().manual_seed(seed))


f16, f64, i32 = torch.float16, torch.float64, torch.int32

CASES = {
    "ones_2x2": lambda: torch.ones(2, 2),
    "tutorial_sci_vector": lambda: torch.tensor([0.1, 1.0, 0.0001]) * 2048,
    "scalar_int_mode": lambda: torch.tensor(27.0),
    "fixed_point": lambda: torch.tensor([1.5, -2.25, 3.125]),
    "negative_fixed": lambda: torch.tensor([[-1.0, 0.5], [-300.125, 7.0]]),
    "small_1e-5": lambda: torch.tensor([1e-5, 1.0]),
    "only_1e-5": lambda: torch.tensor([1e-5]),
    "large_1e9": lambda: torch.tensor([1e9, 1.0]),
    "large_123456789": lambda: torch.tensor([123456789.0]),
    "ratio_exactly_1000": lambda: torch.tensor([1.0, 1000.0]),
    "ratio_over_1000": lambda: torch.tensor([1.0, 1000.5]),
    "int_mode_wide": lambda: torch.tensor([100.0, -5.0, 0.0, 99999.0]),
    "int_mode_sci": lambda: torch.tensor([1.0, 1e8]),
    "nan_inf_mixed": lambda: torch.tensor([NAN, INF, -INF, 1.5, -0.0]),
    "nan_in_int_mode": lambda: torch.tensor([1.0, NAN, 100.0, -INF]),
    "nan_in_sci": lambda: torch.tensor([1e-5, NAN, INF, 3.0]),
    "only_specials": lambda: torch.tensor([NAN, INF, -INF]),
    "zeros": lambda: torch.zeros(3),
    "negative_zero": lambda: torch.tensor([-0.0, 0.0]),
    "zero_and_nan": lambda: torch.tensor([[0.0, NAN], [-0.0, 0.0]]),
    "int64_wide": lambda: torch.tensor([1, -(2**62), 12345]),
    "int64_matrix": lambda: torch.tensor([[1, -20], [300, 4]]),
    "int32": lambda: torch.tensor([1, 2, -3], dtype=i32),
    "int8": lambda: torch.tensor([1, -128, 127], dtype=torch.int8),
    "uint8": lambda: torch.tensor([0, 255], dtype=torch.uint8),
    "bool": lambda: torch.tensor([True, False, True]),
    "bool_2d": lambda: torch.tensor([[True], [False]]),
    "float64": lambda: torch.tensor([1.5, 2.5], dtype=f64),
    "float64_extremes": lambda: torch.tensor([1e308, 5e-324, -1.0], dtype=f64),
    "float16": lambda: torch.tensor([0.1, 65504.0, 1.0], dtype=f16),
    "float16_fixed": lambda: torch.tensor([[1.5, -0.333], [2.0, 0.01]], dtype=f16),
    "float16_int_mode": lambda: torch.tensor([1.0, 2048.0], dtype=f16),
    "0d_float32": lambda: torch.tensor(2.5),
    "0d_float64": lambda: torch.tensor(2.5, dtype=f64),
    "0d_float16": lambda: torch.tensor(0.1, dtype=f16),
    "0d_int32": lambda: torch.tensor(-7, dtype=i32),
    "0d_int64": lambda: torch.tensor(123456789012),
    "0d_bool": lambda: torch.tensor(True),
    "0d_nan": lambda: torch.tensor(NAN),
    "0d_negative_zero": lambda: torch.tensor(-0.0),
    "0d_small": lambda: torch.tensor(1e-5),
    "empty": lambda: torch.tensor([]),
    "empty_0x3": lambda: torch.zeros(0, 3),
    "empty_2x0x4": lambda: torch.zeros(2, 0, 4),
    "empty_int64": lambda: torch.zeros(0, dtype=torch.int64),
    "empty_bool_2x0": lambda: torch.zeros(2, 0, dtype=torch.bool),
    "empty_float64": lambda: torch.zeros(0, dtype=f64),
    "empty_int32_0x3": lambda: torch.zeros(0, 3, dtype=i32),
    "random_40x40": lambda: _randn(40, 40),
    "wrap_3x300": lambda: _randn(3, 300),
    "wrap_summarized_3x500": lambda: _randn(3, 500),
    "summarized_2000": lambda: _randn(2000),
    "summarized_3d": lambda: _randn(10, 10, 20),
    "summarized_1000x1000": lambda: _randn(1000, 1000),
    "summarized_5d_sci": lambda: _randn(3, 4, 5, 6, 7, scale=1e5),
    "4d": lambda: _randn(2, 3, 4, 5),
    "sci_matrix": lambda: _randn(5, 5, scale=1e6),
    "tiny_matrix": lambda: _randn(4, 6, scale=1e-6),
    "int_wide_matrix": lambda: _randn(20, 20).mul(1e4).round(),
    "int64_random_wide": lambda: _randint(-(10**12), 10**12, (20, 20)),
    "int64_summarized": lambda: torch.arange(5000).reshape(50, 100) - 2500,
    "bool_summarized": lambda: _randint(0, 2, (40, 40)).bool(),
    "float64_summarized": lambda: _randn(30, 40).double(),
    "float16_summarized": lambda: _randn(2000).half(),
}


@pytest.mark.parametrize("name", CASES)
def test_repr_matches_torch(name):
    assert_same_repr(CASES[name]())


def test_tutorial_outputs():
    x = retrograd.ones(2, 2, requires_grad=True)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    y = x + 2
    assert repr(y) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    z = y * y * 3
    out = z.mean()
    assert repr(z) == "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)"
    assert repr(out) == "tensor(27., grad_fn=<MeanBackward0>)"
    v = retrograd.tensor([0.1, 1.0, 0.0001]) * 2048
    assert repr(v) == "tensor([2.0480e+02, 2.0480e+03, 2.0480e-01])"


def test_grad_fn_matches_torch():
    tx = torch.ones(2, 2, requires_grad=True)
    rx = retrograd.ones(2, 2, requires_grad=True)
    assert_same_repr(tx, rx)
    assert_same_repr(tx + 2, rx + 2)
    assert_same_repr((tx + 2) * (tx + 2) * 3, (rx + 2) * (rx + 2) * 3)
    assert_same_repr(((tx + 2) * (tx + 2) * 3).mean(), ((rx + 2) * (rx + 2) * 3).mean())


def test_grad_fn_on_summarized_tensor():
    tx = _randn(3, 500).requires_grad_()
    rx = _mirror(tx)
    assert_same_repr(tx * 2, rx * 2)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_suffixes_wrap_onto_new_line(dtype):
    values = [123456.5, -223456.25, 323456.125, 423456.0625, 523456.5]
    tt = torch.tensor(values, dtype=dtype, requires_grad=True)
    assert "\n" in repr(tt)  # the case does exercise the wrapping
    assert_same_repr(tt)


def test_suffix_after_multiline_tensor():
    assert_same_repr(_randn(3, 7, scale=1e3).double().requires_grad_())


def test_default_dtype_float64_changes_dtype_suffix():
    torch.set_default_dtype(torch.float64)
    retrograd.set_default_dtype(retrograd.float64)
    try:
        for tt in (
            torch.tensor([1.5, 2.0], dtype=torch.float32),
            torch.tensor([1.5, 2.0], dtype=torch.float64),
            torch.zeros(0, dtype=torch.float32),
            torch.zeros(0, dtype=torch.float64),
        ):
            assert_same_repr(tt)
    finally:
        torch.set_default_dtype(torch.float32)
        retrograd.set_default_dtype(retrograd.float32)


OPTIONS = {
    "precision_2": dict(precision=2),
    "precision_0": dict(precision=0),
    "precision_8": dict(precision=8),
    "sci_off": dict(sci_mode=False),
    "sci_on": dict(sci_mode=True),
    "full": dict(profile="full"),
    "short": dict(profile="short"),
    "threshold_5": dict(threshold=5),
    "edgeitems_0": dict(edgeitems=0, threshold=3),
    "edgeitems_1": dict(edgeitems=1, threshold=10),
    "edgeitems_0_not_summarized": dict(edgeitems=0),
    "linewidth_40": dict(linewidth=40),
    "linewidth_1": dict(linewidth=1),
}
OPTION_CASES = [
    "tutorial_sci_vector",
    "small_1e-5",
    "large_123456789",
    "nan_in_sci",
    "int_mode_wide",
    "only_specials",
    "int64_wide",
    "bool",
    "0d_float32",
    "empty_0x3",
    "float16",
    "random_40x40",
    "summarized_2000",
    "summarized_3d",
]


@pytest.mark.parametrize("case", OPTION_CASES)
@pytest.mark.parametrize("options", OPTIONS)
def test_printoptions_match_torch(options, case):
    printing.set_printoptions(**OPTIONS[options])
    torch.set_printoptions(**OPTIONS[options])
    assert printing.get_printoptions() == torch._tensor_str.get_printoptions()
    assert_same_repr(CASES[case]())


def test_set_printoptions_docstring_example():
    printing.set_printoptions(threshold=5)
    torch.set_printoptions(threshold=5)
    assert repr(retrograd.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    assert_same_repr(torch.arange(10))


def test_get_printoptions_roundtrip_and_context_manager():
    assert printing.get_printoptions() == torch._tensor_str.get_printoptions()
    with printing.printoptions(precision=2, sci_mode=True):
        assert printing.get_printoptions()["precision"] == 2
        assert repr(retrograd.tensor([1.5])) == "tensor([1.50e+00])"
    assert printing.get_printoptions() == torch._tensor_str.get_printoptions()
    printing.set_printoptions(profile="no such profile")  # ignored, as in torch
    assert printing.get_printoptions()["precision"] == 4


def test_large_tensor_is_read_in_blocks(monkeypatch):
    rt = retrograd.zeros(1000, 1000)
    read = []
    original = type(rt).tolist

    def counting_tolist(self):
        read.append(self.numel())
        return original(self)

    monkeypatch.setattr(type(rt), "tolist", counting_tolist)
    assert repr(rt).startswith("tensor([[0., 0., 0.,  ..., 0., 0., 0.],")
    assert max(read) <= printing._TOLIST_LIMIT


def test_subclass_prints_its_class_name():
    class MyTensor(retrograd.Tensor):
        __slots__ = ()

    class TorchTensor(torch.Tensor):
        pass

    rt = retrograd.tensor([1.0, 2.5])
    rt.__class__ = MyTensor
    expected = repr(torch.tensor([1.0, 2.5]).as_subclass(TorchTensor))
    assert repr(rt) == expected.replace("TorchTensor(", "MyTensor(")


def test_device_suffix_only_for_non_default_backend():
    from types import SimpleNamespace

    assert printing._device_suffix(retrograd.ones(2)) is None
    other = SimpleNamespace(backend=SimpleNamespace(name="elsewhere"), device="elsewhere:0")
    assert printing._device_suffix(other) == "device='elsewhere:0'"


def test_repr_records_no_graph():
    x = retrograd.ones(3, requires_grad=True)
    y = x * 2
    repr(y)
    assert y.grad_fn is not None and x.grad is None
    assert type(y.grad_fn).__name__ == "MulBackward0"


SPECIALS = [0.0, -0.0, NAN, INF, -INF, 1e-5, 1e9, 123456789.0, 0.5, -3.0]
INT_RANGES = {torch.int32: (-(2**31), 2**31 - 1), torch.int64: (-(2**63), 2**63 - 1)}


@st.composite
def _torch_tensors(draw):
    """A torch tensor of 0-3 dims (sizes 0-6), any printable dtype, special values."""
    shape = draw(st.lists(st.integers(0, 6), min_size=0, max_size=3))
    dtype = draw(st.sampled_from([torch.float32, f64, f16, i32, torch.int64, torch.bool]))
    n = 1
    for size in shape:
        n *= size
    if dtype.is_floating_point:
        width = {torch.float32: 32, f64: 64, f16: 16}[dtype]
        element = st.one_of(
            st.floats(width=width),
            st.integers(-1000, 1000).map(float),
            st.sampled_from(SPECIALS),
        )
    elif dtype is torch.bool:
        element = st.booleans()
    else:
        element = st.integers(*INT_RANGES[dtype]) | st.integers(-100, 100)
    values = draw(st.lists(element, min_size=n, max_size=n))
    return torch.tensor(values, dtype=dtype).reshape(shape)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(tt=_torch_tensors(), requires_grad=st.booleans())
def test_hypothesis_default_options(tt, requires_grad):
    assert_same_repr(tt.requires_grad_(requires_grad and tt.dtype.is_floating_point))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    tt=_torch_tensors(),
    options=st.fixed_dictionaries(
        {
            "precision": st.integers(0, 8),
            "threshold": st.integers(0, 60),
            "edgeitems": st.integers(0, 4),
            "linewidth": st.integers(1, 120),
            "sci_mode": st.sampled_from([None, True, False]),
        }
    ),
)
def test_hypothesis_drawn_options(tt, options):
    printing.set_printoptions(**options)
    torch.set_printoptions(**options)
    try:
        assert_same_repr(tt)
    finally:
        printing.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
