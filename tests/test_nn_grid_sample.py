"""``F.affine_grid`` and ``F.grid_sample`` against PyTorch.

``affine_grid``: 2-d and 3-d maps, ``align_corners`` both ways, unit sides; values,
gradients w.r.t. ``theta`` and ``grid_fn`` names. ``grid_sample`` (4-d and 5-d inputs):
bilinear, nearest and bicubic, zeros, border and reflection padding, ``align_corners`` both
ways, grids reaching outside ``[-1, 1]``, in float64 and float32; values, gradients
w.r.t. the input and the grid, second-order gradients (bilinear, bicubic); errors and
warnings (type and PyTorch's text first). Harness: tests/torch_oracle.py.
"""

from __future__ import annotations

import warnings

import pytest
import retrograd
from torch_oracle import assert_same_error, rand, run_both

torch = pytest.importorskip("torch")


def F(m):  # noqa: N802 - torch.nn.functional's usual name
    return m.nn.functional


THETA2 = rand(2, 2, 3, seed=1)
THETA3 = rand(2, 3, 4, seed=2)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(
    ("theta", "size"),
    [
        (THETA2, (2, 3, 4, 5)),
        (THETA2, (2, 1, 1, 3)),
        (THETA2, (2, 1, 2, 1)),
        (THETA3, (2, 1, 2, 3, 4)),
        (THETA3, (2, 3, 1, 2, 1)),
    ],  # fmt: skip
)
def test_affine_grid(theta, size, align):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unit sides with align_corners: PyTorch warns
        run_both(lambda m, t: F(m).affine_grid(t, size, align_corners=align), [theta])


def test_affine_grid_float32_and_second_order():
    """Through a square, so the second-order gradient w.r.t. ``theta`` is not zero."""

    def fn(m, t):
        return F(m).affine_grid(t * t, (2, 1, 3, 4), align_corners=False) ** 2

    run_both(fn, [rand(2, 2, 3, seed=3, dtype="float32")])
    run_both(fn, [THETA2], second_order=True, check_name=False)


X = rand(2, 3, 4, 5, seed=4)
GRID = rand(2, 3, 6, 2, seed=5, low=-1.3, high=1.3)  # a little outside [-1, 1]
ALIGNED = rand(1, 2, 2, 2, seed=6, low=-1.0, high=1.0)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_grid_sample(mode, padding, align):
    run_both(lambda m, x, g: F(m).grid_sample(x, g, mode, padding, align), [X, GRID])


@pytest.mark.parametrize("shape", [(2, 1, 1, 3), (2, 2, 3, 1), (2, 1, 1, 1)])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_grid_sample_unit_sides(shape, padding):
    for align in (False, True):
        x = rand(*shape, seed=7)
        run_both(lambda m, x, g, a=align: F(m).grid_sample(x, g, "bilinear", padding, a), [x, GRID])


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_grid_sample_second_order_and_float32(dtype, padding, mode):
    # (values in [-1, 1]: float32's cancellation in the grid gradient stays within tolerance)
    x = rand(2, 3, 4, 5, seed=8, dtype=dtype, low=-1.0, high=1.0)
    g = rand(2, 3, 2, 2, seed=9, dtype=dtype)

    def fn(m, x, g):
        return F(m).grid_sample(x * x, g, mode, padding, False) ** 2

    run_both(fn, [x, g], second_order=dtype == "float64", check_name=False)


VOLUME = rand(2, 2, 3, 2, 4, seed=10)
VOLUME_GRID = rand(2, 2, 3, 2, 3, seed=11, low=-1.3, high=1.3)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_volumes(mode, padding, align):
    run_both(lambda m, x, g: F(m).grid_sample(x, g, mode, padding, align), [VOLUME, VOLUME_GRID])


def test_grid_sample_volume_second_order():
    def fn(m, x, g):
        return F(m).grid_sample(x * x, g, "bilinear", "reflection", True) ** 2

    run_both(fn, [VOLUME, VOLUME_GRID], second_order=True, check_name=False)


def test_grid_sample_of_affine_grid():
    """The usual spatial-transformer pipeline: gradients flow to ``theta`` through both."""

    def fn(m, x, t):
        grid = F(m).affine_grid(t, (2, 3, 3, 4), align_corners=False)
        return F(m).grid_sample(x, grid, align_corners=False)

    run_both(fn, [X, THETA2])

    def volume(m, x, t):
        grid = F(m).affine_grid(t, (2, 2, 2, 3, 2), align_corners=True)
        return F(m).grid_sample(x, grid, align_corners=True)

    run_both(volume, [VOLUME, THETA3])


ERRORS = {
    "mode": lambda m, x, g: F(m).grid_sample(x, g, mode="cubic", align_corners=False),
    "padding": lambda m, x, g: F(m).grid_sample(x, g, padding_mode="wrap", align_corners=True),
    "dims": lambda m, x, g: F(m).grid_sample(x, g[:, 0], align_corners=False),
    "3d-input": lambda m, x, g: F(m).grid_sample(x[0], g[:, 0], align_corners=False),
    "empty-spatial": lambda m, x, g: F(m).grid_sample(x[:, :, :0], g, align_corners=False),
    "batch": lambda m, x, g: F(m).grid_sample(x, g[:1], align_corners=False),
    "bicubic-5d": lambda m, x, g: F(m).grid_sample(
        x[None], g[:, None, :, :, :1].expand(2, 1, 3, 6, 3), "bicubic", align_corners=False
    ),
    "grid-last": lambda m, x, g: F(m).grid_sample(x, g[..., :1], align_corners=False),
    "dtypes": lambda m, x, g: F(m).grid_sample(x, g.float(), align_corners=False),
    "theta-int": lambda m, x, g: F(m).affine_grid(x.long()[0, 0, :2, :3], (1, 1, 2, 2)),
    "theta-shape": lambda m, x, g: F(m).affine_grid(x[0], (3, 1, 2, 2), align_corners=False),
    "theta-3d-shape": lambda m, x, g: F(m).affine_grid(x[0], (3, 1, 2, 2, 2), False),
    "size-length": lambda m, x, g: F(m).affine_grid(x[0, :, :2, :3], (3, 2, 2), False),
    "size-zero": lambda m, x, g: F(m).affine_grid(x[0, :, :2, :3], (3, 1, 0, 2), False),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_are_pytorchs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(ERRORS[name], X, GRID)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x, g, t: F(m).grid_sample(x, g),
        lambda m, x, g, t: F(m).affine_grid(t, (2, 1, 2, 2)),
        lambda m, x, g, t: F(m).affine_grid(t, (2, 1, 1, 2), align_corners=True),
    ],  # fmt: skip
)
def test_warnings_are_pytorchs(call):
    caught = []
    for m in (torch, retrograd):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            call(m, m.tensor(X), m.tensor(GRID), m.tensor(THETA2))
        caught.append([(w.category, str(w.message)) for w in seen])
    assert caught[0] == caught[1] != []
