"""Small names PyTorch users reach for, against PyTorch: ``finfo``/``iinfo``, tensor
queries (``is_conj``, ``resolve_neg``, ``get_device``, ``typename``...), ``asarray`` and
the ``detach`` function."""

from __future__ import annotations

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
