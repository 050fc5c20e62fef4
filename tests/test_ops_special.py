"""The special functions (``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma``, ``erfinv``,
``i0`` and ``retrograd.special``'s ``gammaln``, ``psi``, ``multigammaln``, ``i0e``, ``i1``,
``i1e``, ``entr``, ``xlog1py``, ``zeta``, ``ndtri``, ``log_ndtr``, ``erfcx``) against
PyTorch: values over wide ranges in float64 and float32, values at nan, infinities, -0.0
and poles (the sign of zero included), gradients and second order, node names, integer
inputs, in-place forms, vmap and errors.

Tolerances (relative, against PyTorch's CPU kernels): float64 1e-12 (retrograd's kernels
are a few ulps from exact; PyTorch's are too), except ``polygamma(1, .)``, where
PyTorch's own trigamma is only about 5e-10 from exact (1e-9); float32 4e-6 (PyTorch
computes in float32, retrograd in float64 and rounds; log_ndtr 1e-5). Near the roots
of lgamma and digamma only an absolute error of 1e-13 (float64) is asked, as neither
library is accurate there in relative terms. zeta's: see its test.
"""

from __future__ import annotations

import numpy as np
import pytest
import retrograd
from torch_oracle import assert_same_error, rand, run_both

torch = pytest.importorskip("torch")
SILENT = pytest.mark.filterwarnings("ignore::RuntimeWarning")

GAMMA_RANGE = np.concatenate([
    np.linspace(-20.0, 50.0, 7001),
    np.geomspace(1e-300, 1e300, 601),
    -np.geomspace(1e-3, 1e3, 301) + 0.25,  # negative, off the poles
])  # fmt: skip
BESSEL_RANGE = np.concatenate([
    np.linspace(-100.0, 100.0, 8001), np.geomspace(1e-300, 700.0, 301),
    -np.geomspace(1e-300, 700.0, 301),
])  # fmt: skip
ERFINV_RANGE = np.concatenate([
    np.linspace(-1.0, 1.0, 8001), 1 - np.geomspace(1e-16, 0.5, 301),
    -1 + np.geomspace(1e-16, 0.5, 301), np.geomspace(1e-300, 1e-3, 101),
])  # fmt: skip
NDTRI_RANGE = np.concatenate([
    np.linspace(0.0, 1.0, 8001), np.geomspace(1e-300, 0.5, 301), 1 - np.geomspace(1e-16, 0.5, 301),
])  # fmt: skip
NORMAL_RANGE = np.concatenate([
    np.linspace(-40.0, 40.0, 8001), np.geomspace(1e-300, 1e300, 301),
    -np.geomspace(1e-300, 1e300, 301),
])  # fmt: skip
# XLA (JAX on the CPU) flushes subnormals to zero, inputs included: a subnormal float32
# x is 0 there (lgamma(1e-45) is inf), so those inputs are left out on JAX.
FLUSHES_SUBNORMALS = retrograd.tensor(0.0).backend.name == "jax"
FLOAT32_TINY = float(np.finfo(np.float32).tiny)
SPECIAL_POINTS = [0.0, -0.0, -1.0, -2.0, -7.0, np.nan, np.inf, -np.inf, 1.0, 2.0, 1e-300]


def _both(name, values, dtype, *args):
    """retrograd's and PyTorch's ``name`` (a path like ``special.i0e``) on ``values``."""
    out = []
    for lib in (retrograd, torch):
        fn = lib
        for part in name.split("."):
            fn = getattr(fn, part)
        t = lib.tensor(values.tolist(), dtype=getattr(lib, dtype))
        result = fn(*args, t) if name.endswith("polygamma") else fn(t, *args)
        out.append(result.detach().double().numpy() if lib is torch else result.double().numpy())
    return out


def _close(ours, theirs, rtol, atol=0.0):
    both_nan = np.isnan(ours) & np.isnan(theirs)
    same = (ours == theirs) | both_nan
    with np.errstate(invalid="ignore"):
        error = np.where(same, 0.0, np.abs(ours - theirs))
        ok = same | (error <= rtol * np.abs(theirs) + atol)
    worst = np.argmin(ok)
    assert ok.all(), (worst, ours[worst], theirs[worst], (~ok).sum())


RANGES = {
    "lgamma": (GAMMA_RANGE, ()),
    "special.gammaln": (GAMMA_RANGE, ()),
    "digamma": (GAMMA_RANGE, ()),
    "special.psi": (GAMMA_RANGE, ()),
    "erfinv": (ERFINV_RANGE, ()),
    "i0": (BESSEL_RANGE, ()),
    "special.i0e": (BESSEL_RANGE, ()),
    "special.i1": (BESSEL_RANGE, ()),
    "special.i1e": (BESSEL_RANGE, ()),
    "special.entr": (np.concatenate([GAMMA_RANGE, [0.0, -0.0]]), ()),
    "special.ndtri": (NDTRI_RANGE, ()),
    "special.log_ndtr": (NORMAL_RANGE, ()),
    "special.erfcx": (NORMAL_RANGE, ()),
    **{f"polygamma-{n}": (GAMMA_RANGE, (n,)) for n in range(2)},
    # PyTorch's Hurwitz zeta(n + 1, x) passes through subnormals once x^-(n+1) is one,
    # and loses digits there: compared below that.
    **{
        f"polygamma-{n}": (GAMMA_RANGE[np.abs(GAMMA_RANGE) < 10 ** (300 / (n + 1))], (n,))
        for n in range(2, 5)
    },
    **{f"mvlgamma-{p}": (np.linspace(0.0, 40.0, 4001), (p,)) for p in (1, 2, 3, 5)},
}
ROOT_ATOL = {
    "lgamma": 1e-13, "special.gammaln": 1e-13, "digamma": 1e-13, "special.psi": 1e-13,
    "polygamma-0": 1e-13,
}  # fmt: skip


@SILENT
@pytest.mark.parametrize("case", sorted(RANGES))
def test_values_over_wide_ranges_in_float64(case):
    name, _, arg = case.partition("-")
    values, args = RANGES[case]
    ours, theirs = _both(name, values, "float64", *args)
    rtol = 1e-9 if case == "polygamma-1" else 1e-12
    atol = ROOT_ATOL.get(case, ROOT_ATOL.get(name, 0.0)) + (1e-13 if name == "mvlgamma" else 0)
    if FLUSHES_SUBNORMALS:  # a subnormal float64 result is 0 there (log_ndtr(37.5))
        atol = max(atol, float(np.finfo(np.float64).tiny))
    _close(ours, theirs, rtol, atol)


@SILENT
@pytest.mark.parametrize("case", sorted(RANGES))
def test_values_over_wide_ranges_in_float32(case):
    name, _, _ = case.partition("-")
    values, args = RANGES[case]
    values = values[np.abs(values) < 3e38]
    if name in ("i0", "special.i1"):  # PyTorch's float32 exp(x) overflows before I0 does
        values = values[np.abs(values) < 85]
    if FLUSHES_SUBNORMALS:
        values = values[(values == 0) | (np.abs(values) >= FLOAT32_TINY)]
    if case == "polygamma-1":
        # Below 0 PyTorch's float32 trigamma reflects with pi^2 / sin(pi x)^2 in float32,
        # a few digits off near the poles (about 1e12 at them, retrograd's 1e30).
        values = values[values > 0]
    ours, theirs = _both(name, values, "float32", *args)
    atol = 1e-5 if case in ROOT_ATOL or name in ROOT_ATOL or name == "mvlgamma" else 0.0
    atol = max(atol, FLOAT32_TINY)  # a subnormal result may be flushed to 0 or not
    # PyTorch's float32 log_ndtr takes erfc's tail in float32: a few ulps more off.
    _close(ours, theirs, 1e-5 if name == "special.log_ndtr" else 4e-6, atol)


@SILENT
@pytest.mark.parametrize("name", [
    "lgamma", "digamma", "erfinv", "i0", "special.i0e", "special.i1", "special.i1e",
    "special.entr", "special.log_ndtr", "special.erfcx", "polygamma-0", "polygamma-1",
    "polygamma-2", "polygamma-3",
])  # fmt: skip
def test_values_at_nan_infinities_signed_zeros_and_poles(name):
    """Bit for bit: the same nan positions, infinities and signs of zero as PyTorch
    (polygamma(1, .) at the negative integers is PyTorch's large finite value)."""
    base, _, n = name.partition("-")
    values = np.array(SPECIAL_POINTS + [0.5, -0.5, 1.5, 2.0])
    ours, theirs = _both(base, values, "float64", *((int(n),) if n else ()))
    _close(ours, theirs, 1e-9 if name == "polygamma-1" else 1e-12)
    assert (np.signbit(ours) == np.signbit(theirs))[~np.isnan(theirs)].all()


@SILENT
def test_ndtri_at_its_ends_and_outside():
    values = np.array([0.0, -0.0, 1.0, 0.5, -0.1, 1.1, np.nan, np.inf])
    ours, theirs = _both("special.ndtri", values, "float64")
    np.testing.assert_array_equal(ours, theirs)
    assert (np.signbit(ours) == np.signbit(theirs))[~np.isnan(theirs)].all()


@SILENT
def test_xlog1py_at_zeros_nan_and_minus_one():
    a = np.array([0.0, 0.0, 1.0, 0.0, 2.0, -0.0, 0.0, 3.0, 0.0])
    b = np.array([np.nan, -1.0, -1.0, -2.0, 3.0, 1.0, np.inf, -np.inf, -3.0])
    ours = retrograd.special.xlog1py(retrograd.tensor(a), retrograd.tensor(b)).numpy()
    theirs = torch.special.xlog1py(torch.tensor(a), torch.tensor(b)).numpy()
    np.testing.assert_array_equal(ours, theirs)


X = rand(5, seed=3, low=0.3, high=4.0)
SIGNED = rand(5, seed=4, low=-3.0, high=3.0)
UNIT = rand(5, seed=5, low=-0.95, high=0.95)
CASES = {
    "lgamma": (lambda m, a: m.lgamma(a), [X]),
    "lgamma-negative": (lambda m, a: m.lgamma(a - 3.5), [rand(4, seed=6, low=0.1, high=0.9)]),
    "lgamma-method": (lambda m, a: a.lgamma(), [X]),
    "gammaln": (lambda m, a: m.special.gammaln(a), [X]),
    "digamma": (lambda m, a: m.digamma(a), [X]),
    "digamma-negative": (lambda m, a: a.digamma(), [-X + 0.05]),
    "psi": (lambda m, a: m.special.psi(a), [X]),
    "special-digamma": (lambda m, a: m.special.digamma(a), [X]),
    **{f"polygamma-{n}": (lambda m, a, n=n: m.polygamma(n, a), [X]) for n in range(4)},
    "polygamma-method": (lambda m, a: a.polygamma(2), [X]),
    "special-polygamma": (lambda m, a: m.special.polygamma(3, a), [X]),
    "mvlgamma": (lambda m, a: m.mvlgamma(a + 2, 3), [X]),
    "mvlgamma-method": (lambda m, a: (a + 1).mvlgamma(p=2), [X]),
    "multigammaln": (lambda m, a: m.special.multigammaln(a + 1.5, 2), [X]),
    "erfinv": (lambda m, a: m.erfinv(a), [UNIT]),
    "erfinv-method": (lambda m, a: a.erfinv(), [UNIT]),
    "special-erfinv": (lambda m, a: m.special.erfinv(a), [UNIT]),
    "i0": (lambda m, a: m.i0(a), [SIGNED]),
    "special-i0": (lambda m, a: m.special.i0(a), [SIGNED]),
    "i0e": (lambda m, a: m.special.i0e(a), [SIGNED]),
    "i1": (lambda m, a: m.special.i1(a), [SIGNED]),
    "i1e": (lambda m, a: m.special.i1e(a), [SIGNED]),
    "i1-at-zero": (lambda m, a: m.special.i1(a * 0), [SIGNED]),
    "i1e-at-zero": (lambda m, a: m.special.i1e(a * 0), [SIGNED]),
    "entr": (lambda m, a: m.special.entr(a), [X]),
    "ndtri": (lambda m, a: m.special.ndtri(a), [rand(5, seed=10, low=0.02, high=0.98)]),
    "log_ndtr": (lambda m, a: m.special.log_ndtr(a * 4), [SIGNED]),
    "erfcx": (lambda m, a: m.special.erfcx(a * 4), [SIGNED]),
    "xlog1py": (lambda m, a, b: m.special.xlog1py(a, b), [SIGNED, X]),
    "xlog1py-number-self": (lambda m, b: m.special.xlog1py(2.5, b), [X]),
    "xlog1py-number-other": (lambda m, a: m.special.xlog1py(a, 1.5), [SIGNED]),
    "xlog1py-broadcast": (lambda m, a, b: m.special.xlog1py(a, b), [SIGNED, rand(3, 1, seed=7)]),
}


@SILENT
@pytest.mark.parametrize("case", sorted(CASES))
def test_values_gradients_and_second_order(case):
    fn, values = CASES[case]
    run_both(fn, values, second_order=True)


@SILENT
@pytest.mark.parametrize("case", sorted(CASES))
def test_float32(case):
    fn, values = CASES[case]
    run_both(fn, [v.astype("float32") for v in values], second_order=False)


@SILENT
@pytest.mark.parametrize("gradient_at", [0.0, 1.0])
def test_entr_gradient_at_zero_and_below(gradient_at):
    values = np.array([0.0, -1.0, 0.5, np.inf]) * gradient_at
    run_both(lambda m, a: m.special.entr(a), [values])


@SILENT
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfinv", "i0"])
def test_integer_and_bool_inputs_compute_in_the_default_float(name, dtype):
    values = np.array([1, 0, 1]) if dtype == "bool" else np.array([1, 2, 5])
    run_both(lambda m, a: getattr(m, name)(a), [values.astype(dtype)])


@SILENT
@pytest.mark.parametrize("fn", [
    lambda m, a: m.polygamma(2, a), lambda m, a: m.mvlgamma(a + 3, 2),
    lambda m, a: m.special.i0e(a), lambda m, a: m.special.i1(a), lambda m, a: m.special.i1e(a),
    lambda m, a: m.special.entr(a), lambda m, a: m.special.xlog1py(a, a),
])  # fmt: skip
def test_integer_inputs_of_the_other_functions(fn):
    run_both(fn, [np.array([1, 2, 5])])


IN_PLACE = {
    "lgamma_": lambda a: a.lgamma_(),
    "digamma_": lambda a: a.digamma_(),
    "polygamma_": lambda a: a.polygamma_(2),
    "mvlgamma_": lambda a: (a + 2).mvlgamma_(2),
    "erfinv_": lambda a: (a * 0.2 if a.is_floating_point() else a).erfinv_(),
    "i0_": lambda a: a.i0_(),
}
TORCH_LEVEL_IN_PLACE = {"i0_": lambda m, a: m.i0_(a * 1)}  # PyTorch has torch.i0_ only


@SILENT
def test_torch_level_i0_():
    run_both(TORCH_LEVEL_IN_PLACE["i0_"], [X], second_order=True, check_name=False)


@SILENT
@pytest.mark.parametrize("case", sorted(IN_PLACE))
def test_in_place_forms(case):
    run_both(lambda m, a: IN_PLACE[case](a * 1), [X], second_order=True, check_name=False)


@pytest.mark.parametrize("case", sorted(IN_PLACE))
def test_in_place_forms_refuse_integer_tensors(case):
    assert_same_error(lambda m, a: IN_PLACE[case](a), np.array([1, 2, 3]))


@pytest.mark.parametrize("fn", [
    lambda m, a: m.polygamma(-1, a),
    lambda m, a: m.polygamma(1.0, a),
    lambda m, a: m.polygamma(1, 2.0),
    lambda m, a: m.mvlgamma(a, 0),
    lambda m, a: m.mvlgamma(a, 1.5),
    lambda m, a: m.special.multigammaln(a, -2),
    lambda m, a: m.lgamma(2.0),
    lambda m, a: m.special.xlog1py(2, 3),
])  # fmt: skip
def test_errors_are_pytorchs(fn):
    assert_same_error(fn, np.array([1.5, 2.5]), whole=False)


@SILENT
def test_mvlgamma_below_its_domain_is_computed_as_pytorch_does():
    """PyTorch 2.13 no longer refuses x <= (p - 1) / 2: the poles give inf."""
    values = np.array([0.0, 0.5, 1.0, -3.0, 2.0])
    ours, theirs = _both("mvlgamma", values, "float64", 3)
    np.testing.assert_array_equal(ours, theirs)


# -- the Hurwitz zeta function -------------------------------------------------------------
@SILENT
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_zeta_over_a_grid_and_at_its_special_values(dtype):
    """x from 0.5 to 12 (integers and not) against q from -20 to 1e6, poles, nan, inf."""
    x = np.concatenate([np.linspace(0.5, 12.0, 47), [1.0, 2.0, 3.0, np.nan, np.inf]])
    q = np.concatenate([
        np.linspace(-20.0, 30.0, 201), np.geomspace(1e-3, 1e6, 41),
        [0.0, -0.0, -3.0, np.nan, np.inf, -np.inf],
    ])  # fmt: skip
    xs, qs = (a.ravel() for a in np.meshgrid(x, q))
    if FLUSHES_SUBNORMALS and dtype == "float32":
        keep = np.abs(qs) ** -np.minimum(xs, 40) > FLOAT32_TINY
        xs, qs = xs[keep], qs[keep]
    ours, theirs = (
        lib.special.zeta(lib.tensor(xs.tolist(), dtype=getattr(lib, dtype)),
                         lib.tensor(qs.tolist(), dtype=getattr(lib, dtype))).double().numpy()
        for lib in (retrograd, torch)
    )  # fmt: skip
    # Near q's negative integers both sums hold huge cancelling terms: absolute error
    # relative to the largest term, |q - round(q)|^-x.
    scale = np.abs(qs - np.round(qs)) ** -np.where(np.isfinite(xs), xs, 1.0)
    rtol = 1e-12 if dtype == "float64" else 4e-6
    atol = np.where(qs < 0, rtol * np.nan_to_num(scale, posinf=0.0), FLOAT32_TINY)
    with np.errstate(invalid="ignore"):
        ok = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
        ok |= np.abs(ours - theirs) <= rtol * np.abs(theirs) + atol
    assert ok.all(), (xs[~ok][:5], qs[~ok][:5], ours[~ok][:5], theirs[~ok][:5])


ZETA_CASES = {
    "q": (lambda m, x, q: m.special.zeta(x.detach(), q), [rand(4, seed=8, low=1.5, high=4.0), X]),
    "number-x": (lambda m, q: m.special.zeta(2.5, q), [X]),
    "number-q": (lambda m, x: m.special.zeta(x, 1.5), [rand(4, seed=9, low=1.5, high=4.0)]),
    "both": (lambda m, x, q: m.special.zeta(x, q), [rand(4, seed=8, low=1.5, high=4.0), X]),
    "int": (lambda m, x, q: m.special.zeta(x, q), [np.array([2, 3]), np.array([1, 4])]),
}


@SILENT
@pytest.mark.parametrize("case", sorted(ZETA_CASES))
def test_zeta_gradients_in_q_and_pytorchs_refusal_in_x(case):
    """d/dq = -x zeta(x + 1, q) (second order too); a backward to x raises PyTorch's
    NotImplementedError, as run_both checks against it."""
    fn, values = ZETA_CASES[case]
    try:
        run_both(fn, values, second_order=True)
    except NotImplementedError as error:
        assert str(error) == "the derivative for 'zeta' is not implemented."
        with pytest.raises(NotImplementedError, match="the derivative for 'zeta'"):
            ours = [retrograd.tensor(v, requires_grad=True) for v in values]
            fn(retrograd, *ours).sum().backward()


def test_zeta_of_two_numbers_is_pytorchs_error():
    assert_same_error(lambda m: m.special.zeta(2, 3), whole=False)


VMAPPED = {
    "polygamma": lambda m, t: m.polygamma(2, t),
    "mvlgamma": lambda m, t: m.mvlgamma(t + 1, 2),
    "zeta-number-x": lambda m, t: m.special.zeta(2.5, t),
    "xlog1py-number-other": lambda m, t: m.special.xlog1py(t, 2.0),
    "i1e": lambda m, t: m.special.i1e(t),
}


@pytest.mark.parametrize("case", sorted(VMAPPED))
def test_vmap_matches_torch_vmap(case):
    fn, x = VMAPPED[case], rand(3, 4, seed=11, low=0.5, high=3.0)
    ours = retrograd.func.vmap(lambda t: fn(retrograd, t))(retrograd.tensor(x)).numpy()
    theirs = torch.func.vmap(lambda t: fn(torch, t))(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
