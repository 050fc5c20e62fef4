"""``F.interpolate`` and the upsampling modules against PyTorch.

Every mode on the inputs PyTorch takes for it, to sizes and by scale factors (up, down,
non-integer, to and from one position; ``recompute_scale_factor``), ``align_corners``
both ways, in float64 and float32: values, first and second-order gradients and
``grad_fn`` names (the whole graph where PyTorch composes: ``area`` on 3-d inputs and to
one position); antialiasing (bilinear, bicubic); the exact source index of each output
position; NaN and inf reaching
only the outputs that read them; errors (type and PyTorch's text first); module
constructors, attributes and reprs. Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same, assert_same_error, graph_names, make, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


X1 = rand(2, 3, 5)
X2 = rand(2, 2, 4, 5, seed=1)
X3 = rand(1, 2, 3, 4, 2, seed=2)
INPUTS = {1: X1, 2: X2, 3: X3}
MODES = {
    1: ("nearest", "nearest-exact", "linear", "area"),
    2: ("nearest", "nearest-exact", "bilinear", "bicubic", "area"),
    3: ("nearest", "nearest-exact", "trilinear", "area"),
}
INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")
# how the output size is given: sizes up, down, to one position; integer and
# non-integer scale factors, up and down; recomputed scale factors
RESIZES = {
    "size-up": {"size": 7},
    "size-down": {"size": 3},
    "size-1": {"size": 1},
    "size-same": {"size": (5, 4, 3)},  # (trimmed to the input's spatial dims)
    "scale-2": {"scale_factor": 2},
    "scale-1.7": {"scale_factor": 1.7},
    "scale-0.6": {"scale_factor": 0.6},
    "scale-2.5-recompute": {"scale_factor": 2.5, "recompute_scale_factor": True},
    "scale-0.75-recompute": {"scale_factor": 0.75, "recompute_scale_factor": False},
}


def _resize(dims: int, resize: dict) -> dict:
    size = resize.get("size")
    if isinstance(size, tuple):
        return {**resize, "size": size[:dims]}
    return resize


def _cases():
    for dims, modes in MODES.items():
        for mode in modes:
            for label, resize in RESIZES.items():
                for align in (False, True) if mode in INTERPOLATING else (None,):
                    if mode == "area" and "scale_factor" in resize:
                        resize = {"scale_factor": resize["scale_factor"]}  # always recomputed
                    name = f"{dims}d-{mode}-{label}" + ("-align" if align else "")
                    yield pytest.param(dims, mode, _resize(dims, resize), align, id=name)


@pytest.mark.parametrize(("dims", "mode", "resize", "align"), list(_cases()))
def test_values_gradients_grad_fn(dims, mode, resize, align):
    kwargs = dict(resize, mode=mode, align_corners=align)
    run_both(lambda m, x: F(m).interpolate(x, **kwargs), [INPUTS[dims]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("mode", "align"),
    [
        ("nearest", None),
        ("nearest-exact", None),
        ("bilinear", False),
        ("bilinear", True),
        ("bicubic", False),
        ("bicubic", True),
        ("area", None),
    ],  # fmt: skip
)
def test_second_order_and_float32(mode, align, dtype):
    """Through a nonlinear function on both sides, so second-order gradients are not
    zero: the resampling's own rule must be differentiable in its gradient."""
    x = rand(1, 2, 3, 4, seed=5, dtype=dtype)

    def fn(m, a):
        return F(m).interpolate(a * a, size=(5, 3), mode=mode, align_corners=align) ** 2

    run_both(fn, [x], second_order=True, check_name=False)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_area_graph_is_pytorchs(dims):
    """``area`` is adaptive average pooling: a 1-d input is pooled as a 2-d one of height
    one (``SqueezeBackward1`` over ``AdaptiveAvgPool2DBackward0`` over
    ``UnsqueezeBackward0``), and to one position it is a mean."""
    for size in (2, 1):
        ours, theirs = (
            F(m).interpolate(make(m, INPUTS[dims]), size=size, mode="area")
            for m in (retrograd, torch)
        )
        assert graph_names(ours) == graph_names(theirs)
        assert_same(ours, theirs)


def _one_hot_matrix(m, n: int, mode: str, dtype: str, **kwargs) -> np.ndarray:
    """The resampling's ``(out, in)`` matrix: the images of one-hot signals."""
    eye = m.eye(n, dtype=getattr(m, dtype)).reshape(n, 1, n)
    out = F(m).interpolate(eye, mode=mode, **kwargs)[:, 0]
    return np.asarray(out.T.tolist())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
def test_source_indices_and_weights_are_pytorchs(mode, dtype):
    """Which input each output reads, and with what weight, for many sizes and scale
    factors (PyTorch's nearest indices come from a float32 scale; exactly equal)."""
    for n in (1, 2, 3, 5, 7, 10):
        for resize in ({"size": 1}, {"size": 6}, {"size": 13}, {"scale_factor": 1.3},
                       {"scale_factor": 0.7}, {"scale_factor": 2.9}):  # fmt: skip
            try:
                want = _one_hot_matrix(torch, n, mode, dtype, **resize)
            except RuntimeError:  # an output of no positions
                continue
            got = _one_hot_matrix(retrograd, n, mode, dtype, **resize)
            if mode == "linear":
                np.testing.assert_allclose(got, want, rtol=0, atol=1e-6, err_msg=str(resize))
            else:
                np.testing.assert_array_equal(got, want, err_msg=f"{n} {resize}")


@pytest.mark.parametrize(
    ("mode", "align"),
    [
        ("nearest", None),
        ("nearest-exact", None),
        ("bilinear", False),
        ("bicubic", True),
        ("area", None),
    ],  # fmt: skip
)
def test_nan_and_inf_reach_only_the_outputs_that_read_them(mode, align):
    x = rand(1, 1, 4, 4, seed=7)
    x[0, 0, 0, 0], x[0, 0, 3, 2] = np.nan, np.inf
    run_both(lambda m, a: F(m).interpolate(a, size=(6, 7), mode=mode, align_corners=align), [x])


def test_empty_batch():
    run_both(lambda m, a: F(m).interpolate(a, size=(3, 2), mode="bilinear"), [rand(0, 2, 4, 4)])


X4 = rand(1, 2, 5, 5)
ERRORS = {
    "align_corners-with-nearest": lambda m, x: F(m).interpolate(x, size=3, align_corners=True),
    "align_corners-with-area": lambda m, x: F(m).interpolate(
        x, size=3, mode="area", align_corners=False
    ),  # fmt: skip
    "size-and-scale": lambda m, x: F(m).interpolate(x, size=3, scale_factor=2),
    "neither": lambda m, x: F(m).interpolate(x),
    "size-length": lambda m, x: F(m).interpolate(x, size=(3,)),
    "scale-length": lambda m, x: F(m).interpolate(x, scale_factor=(3, 2, 1)),
    "float-size": lambda m, x: F(m).interpolate(x, size=(3.0, 2)),
    "recompute-with-size": lambda m, x: F(m).interpolate(x, size=3, recompute_scale_factor=True),
    "size-0": lambda m, x: F(m).interpolate(x, size=(0, 3)),
    "size-negative": lambda m, x: F(m).interpolate(x, size=(-1, 3), mode="bilinear"),
    "scale-too-small": lambda m, x: F(m).interpolate(x, scale_factor=0.1, mode="bicubic"),
    "scale-negative": lambda m, x: F(m).interpolate(x, scale_factor=-1.0),
    "scale-nan": lambda m, x: F(m).interpolate(x, scale_factor=float("nan")),
    "empty-spatial": lambda m, x: F(m).interpolate(x[:, :, :0], size=(3, 3)),
    "empty-channels": lambda m, x: F(m).interpolate(x[:, :0], size=3, mode="bilinear"),
    "1d-size-0": lambda m, x: F(m).interpolate(x[0], size=0, mode="linear"),
    "3d-size-0": lambda m, x: F(m).interpolate(x[None], size=(2, 0, 1), mode="trilinear"),
    "2d-input": lambda m, x: F(m).interpolate(x[0, 0], size=3),
    "6d-input": lambda m, x: F(m).interpolate(x[None, None], size=3),
    "unknown-mode": lambda m, x: F(m).interpolate(x, size=3, mode="cubic"),
    "bilinear-on-3d": lambda m, x: F(m).interpolate(x[0], size=3, mode="bilinear"),
    "linear-on-4d": lambda m, x: F(m).interpolate(x, size=3, mode="linear"),
    "trilinear-on-4d": lambda m, x: F(m).interpolate(x, size=3, mode="trilinear"),
    "bilinear-on-5d": lambda m, x: F(m).interpolate(x[None], size=3, mode="bilinear"),
    "bicubic-on-3d": lambda m, x: F(m).interpolate(x[0], size=3, mode="bicubic"),
    "antialias-nearest": lambda m, x: F(m).interpolate(x, size=3, antialias=True),
    "antialias-5d": lambda m, x: F(m).interpolate(
        x[None], size=3, mode="bilinear", antialias=True
    ),  # fmt: skip
    "lanczos-without-antialias": lambda m, x: F(m).interpolate(x, size=3, mode="lanczos"),
    "lanczos-align": lambda m, x: F(m).interpolate(
        x, size=3, mode="lanczos", align_corners=True
    ),  # fmt: skip
    "integer-input": lambda m, x: F(m).interpolate(x.long(), size=3),
    "integer-bilinear": lambda m, x: F(m).interpolate(x.long(), size=3, mode="bilinear"),
    "bool-input": lambda m, x: F(m).interpolate(x > 0, size=3),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_are_pytorchs(name):
    assert_same_error(ERRORS[name], X4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize(
    "resize",
    [
        {"size": (2, 3)},
        {"size": (1, 1)},
        {"size": (11, 4)},
        {"scale_factor": 0.3},
        {"scale_factor": (0.5, 0.7)},
        {"scale_factor": 1.7},
        {"scale_factor": 0.45, "recompute_scale_factor": True},
    ],  # fmt: skip
    ids=str,
)
def test_antialias(resize, mode, align, dtype):
    x = rand(2, 2, 9, 7, seed=11, dtype=dtype)
    kwargs = dict(resize, mode=mode, align_corners=align, antialias=True)
    run_both(lambda m, a: F(m).interpolate(a, **kwargs), [x])


def test_antialias_second_order():
    def fn(m, a):
        return F(m).interpolate(a * a, size=(3, 2), mode="bicubic", antialias=True) ** 2

    run_both(fn, [rand(1, 2, 7, 5, seed=12)], second_order=True, check_name=False)


def test_antialias_to_one_column_is_separable():
    """Deliberately not PyTorch's: its CPU kernel, shrinking to one column while the
    height changes too, does not give the separable filter it gives otherwise; ours
    does (the width's filter, then the height's, as for every other size)."""
    x = make(retrograd, rand(1, 1, 9, 5, seed=13))
    both = F(retrograd).interpolate(x, size=(4, 1), mode="bilinear", antialias=True)
    wide = F(retrograd).interpolate(x, size=(9, 1), mode="bilinear", antialias=True)
    tall = F(retrograd).interpolate(wide, size=(4, 1), mode="bilinear", antialias=True)
    np.testing.assert_allclose(both.detach().numpy(), tall.detach().numpy(), rtol=1e-12)


def test_lanczos_is_refused_clearly():
    """Deliberately not PyTorch's yet: no Lanczos filter."""
    x = retrograd.tensor(X4)
    with pytest.raises(NotImplementedError, match="mode 'lanczos' is not supported"):
        F(retrograd).interpolate(x, size=3, mode="lanczos", antialias=True)


MODULES = [
    ("Upsample", (), {"scale_factor": 2}),
    ("Upsample", (), {"size": (3, 7), "mode": "bilinear"}),
    ("Upsample", (), {"scale_factor": (1.5, 2), "mode": "bicubic", "align_corners": True}),
    ("Upsample", (), {"size": 6, "mode": "nearest-exact"}),
    ("Upsample", (), {"scale_factor": 0.5, "mode": "area"}),
    ("Upsample", (), {"scale_factor": 1.3, "mode": "bilinear", "recompute_scale_factor": True}),
    ("UpsamplingNearest2d", (), {"scale_factor": 3}),
    ("UpsamplingNearest2d", ((2, 9),), {}),
    ("UpsamplingBilinear2d", (), {"scale_factor": 2.5}),
    ("UpsamplingBilinear2d", (4,), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), MODULES)
def test_modules(name, args, kwargs):
    ours, theirs = (getattr(m.nn, name)(*args, **kwargs) for m in (retrograd, torch))
    assert repr(ours) == repr(theirs)
    for attr in ("name", "size", "scale_factor", "mode", "align_corners",
                 "recompute_scale_factor"):  # fmt: skip
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    run_both(lambda m, x: (ours if m is retrograd else theirs)(x), [X2])


def test_names_exist_where_pytorchs_do():
    for name in ("interpolate", "affine_grid", "grid_sample"):
        assert name in dir(torch.nn.functional)
        assert name in retrograd.nn.functional.__all__
    for name in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"):
        assert isinstance(getattr(retrograd.nn, name), type)
        assert issubclass(getattr(retrograd.nn, name), retrograd.nn.Module)
