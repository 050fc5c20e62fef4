"""The samplers behind ``torch.distributions``: ``multinomial``, ``poisson``, ``binomial``,
``_standard_gamma`` (with its gradient) and ``_sample_dirichlet``.

The numbers come from the default generator (or ``generator=``) on the host, as every
random draw in retrograd does (:mod:`retrograd.random`), and move to the input's backend.
``multinomial`` is PyTorch's stream exactly: without replacement (or for one sample) it
is ``argmax``/``topk`` of ``p / q`` with ``q`` an ``exponential_`` fill; with
replacement a search in the normalized running sum (:func:`retrograd.sampling.
multinomial_with_replacement`). The others run PyTorch's rejection algorithms
(:mod:`retrograd.sampling_rejection`). Only ``_standard_gamma`` has a gradient: the
implicit reparameterization ``d sample / d alpha = -(dP/d alpha) / (dP/d x)``, ``P`` the
regularized lower incomplete gamma function (:func:`standard_gamma_grad`).
"""

from __future__ import annotations

import math
from typing import Any

from . import dtypes, sampling, sampling_rejection
from .batching_random import check_input, draw_levels
from .constants import HOST_BACKEND
from .generator import Generator
from .ops import FUNCTIONS as _OPS
from .ops.dispatch import broadcast_all, finish
from .ops.record import CONVERSION, OpRecord
from .plugins import get_backend
from .random import default_generator
from .tensor import Tensor

_MAX_CATEGORIES = 2**24  # PyTorch keeps category indices exact in float32


def _host_generator(name: str, generator: Generator | None, *inputs: Tensor) -> Generator:
    """The generator to draw from; these samplers draw no batch of numbers inside
    ``vmap`` (PyTorch's error in its default mode, retrograd's in the others), and under
    ``randomness="same"`` take no ``inputs`` that differ per sample (PyTorch's error)."""
    for t in inputs:
        check_input(t._storage.array)
    if draw_levels():
        raise RuntimeError(f"{name}: retrograd cannot draw its samples inside vmap yet")
    return default_generator if generator is None else generator


def _floating(name: str, kernel: str, t: Tensor, half: bool = True) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")  # fmt: skip
    if not t.dtype.is_floating_point or (t.dtype is dtypes.float16 and not half):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.kind_name(t.dtype)}'")


def _values(t: Tensor) -> list[float]:
    """``t``'s values as Python floats, row-major (the order PyTorch's kernels walk)."""
    return [float(v) for v in t.detach().contiguous().reshape(-1).tolist()]


def _made(values: Any, like: Tensor, d: dtypes.dtype | None = None) -> Tensor:
    """Host ``values`` (a list or host array) as a tensor of ``like``'s shape and backend."""
    d = d or like.dtype
    host = get_backend(HOST_BACKEND)
    array = host.kernels["reshape"](
        host.namespace.asarray(values, dtype=host.native_dtype(d)), tuple(like.shape)
    )
    return Tensor._make(like.backend.kernels["from_numpy"](array), d, like.backend)


# -- multinomial --------------------------------------------------------------------------


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:  # fmt: skip
    """``num_samples`` category indices (int64) per row of ``input`` (1-D or 2-D, rows of
    nonnegative weights), drawn with or without replacement: PyTorch's values for the
    same seed."""
    _check_multinomial(input, num_samples, replacement)
    gen = _host_generator("multinomial", generator, input)
    p = input.detach()
    if not p.numel():  # no rows: nothing drawn
        shape = (0, num_samples) if p.dim() == 2 else (num_samples,)
        return p.new_zeros(shape, dtype=dtypes.int64)
    if not replacement or num_samples == 1:
        return _multinomial_by_exponentials(p, num_samples, gen)
    host = get_backend(HOST_BACKEND).namespace
    rows = p.reshape(-1, p.shape[-1]).numpy(force=True)
    drawn = sampling.multinomial_with_replacement(gen, host.asarray(rows), num_samples)
    shape = (num_samples,) if p.dim() == 1 else (p.shape[0], num_samples)
    out = get_backend(HOST_BACKEND).kernels["reshape"](drawn, shape)
    return Tensor._make(p.backend.kernels["from_numpy"](out), dtypes.int64, p.backend)


def _check_multinomial(input: Tensor, num_samples: int, replacement: bool) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")  # fmt: skip
    if not 0 < input.dim() <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: "
            f"{dtypes.kind_name(input.dtype)}"
        )
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if input.shape[-1] > _MAX_CATEGORIES:
        raise RuntimeError("number of categories cannot exceed 2^24")


def _multinomial_by_exponentials(p: Tensor, num_samples: int, gen: Generator) -> Tensor:
    """The Gumbel-max trick in exponential form: the largest ``p / q``, ``q ~ Exp(1)``
    independent per entry, are a draw without replacement (PyTorch's fast path)."""
    if not bool(((p.max() < math.inf) & (p.min() >= 0)).item()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if bool((p.sum(-1) == 0).any().item()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = p / p.new_empty(tuple(p.shape)).exponential_(1.0, generator=gen)
    if num_samples == 1:
        return q.argmax(-1, keepdim=True)
    return q.topk(num_samples).indices


# -- poisson, binomial ---------------------------------------------------------------------


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """A Poisson sample for each rate in ``input`` (rates >= 0), in ``input``'s dtype;
    ``PoissonBackward0`` (zero gradient) when ``input`` requires grad."""
    _floating("poisson", "poisson_cpu", input)
    gen = _host_generator("poisson", generator, input)
    rates = _values(input)
    if not all(r >= 0 for r in rates):  # NaN fails too
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    samples = sampling_rejection.each(gen, rates, sampling_rejection.poisson)
    out = _made([float(k) for k in samples], input)
    return finish(POISSON, out._storage.array, out.dtype, out.backend, (input,))


def binomial(count: Tensor, prob: Tensor, generator: Generator | None = None) -> Tensor:
    """A binomial sample (successes in ``count`` trials of probability ``prob``) for each
    pair of elements (same shape), in ``count``'s dtype. Not differentiable: a backward
    through it raises PyTorch's error."""
    for name, t in (("count", count), ("prob", prob)):
        if not isinstance(t, Tensor):
            raise TypeError(f"binomial(): argument '{name}' must be Tensor, not "
                            f"{type(t).__name__}")  # fmt: skip
        if not t.dtype.is_floating_point:
            raise ValueError(
                f"binomial only supports floating-point dtypes for {name}, got: "
                f"{dtypes.kind_name(t.dtype)}"
            )
    if prob.dtype is not count.dtype:
        raise RuntimeError(
            f"Found dtype {dtypes.kind_name(prob.dtype)} but expected "
            f"{dtypes.kind_name(count.dtype)}"
        )
    shape = broadcast_all("binomial", count, prob)
    count, prob = count.expand(*shape), prob.expand(*shape)
    if count.dtype is dtypes.float16:
        raise NotImplementedError("\"binomial_cpu\" not implemented for 'Half'")
    gen = _host_generator("binomial", generator, count, prob)
    rnd = sampling_rejection.round_to(count.dtype)
    pairs = zip(_values(count), _values(prob), strict=True)
    samples = sampling_rejection.each(
        gen, pairs, lambda s, cp: sampling_rejection.binomial(s, rnd(cp[0]), rnd(cp[1]))
    )
    out = _made(samples, count)
    return finish(BINOMIAL, out._storage.array, out.dtype, out.backend, (count, prob))


# -- gamma and Dirichlet -------------------------------------------------------------------


def _standard_gamma(input: Tensor, generator: Generator | None = None) -> Tensor:
    """A standard gamma sample (shape ``alpha``, rate 1) for each element of ``input``;
    differentiable: ``StandardGammaBackward0`` multiplies the gradient by
    :func:`standard_gamma_grad` at ``(alpha, sample)``."""
    _floating("_standard_gamma", "gamma_cpu", input, half=False)
    gen = _host_generator("_standard_gamma", generator, input)
    d = input.dtype
    samples = sampling_rejection.each(
        gen, _values(input), lambda s, a: sampling_rejection.gamma(s, a, d)
    )
    out = _made(samples, input)
    return finish(STANDARD_GAMMA, out._storage.array, d, out.backend, (input,))


def _sample_dirichlet(input: Tensor, generator: Generator | None = None) -> Tensor:
    """A Dirichlet sample per row (last dim) of concentrations ``input``: float64 gamma
    samples normalized by their row sum, then kept within ``[tiny, 1)`` of the dtype."""
    _floating("_sample_dirichlet", "dirichlet", input, half=False)
    gen = _host_generator("_sample_dirichlet", generator, input)
    samples = sampling_rejection.each(
        gen, _values(input), lambda s, a: sampling_rejection.gamma(s, a, dtypes.float64)
    )
    g = _made(samples, input, dtypes.float64)
    ratio = (g / g.sum(-1, keepdim=True)).to(input.dtype)
    tiny = sampling_rejection._TINY[input.dtype.name]
    below_one = 1.0 - (2.0 ** -{"float64": 53, "float32": 24, "float16": 11}[input.dtype.name])
    out = ratio.clamp(tiny, below_one)
    return finish(DIRICHLET, out._storage.array, out.dtype, out.backend, (input,))


def _standard_gamma_grad(self: Tensor, output: Tensor) -> Tensor:
    """``d output / d self`` for gamma samples ``output`` of shapes ``self`` (PyTorch's
    ``_standard_gamma_grad``), by :func:`standard_gamma_grad`."""
    return standard_gamma_grad(self.detach(), output.detach())


def standard_gamma_grad(alpha: Tensor, x: Tensor) -> Tensor:
    """The implicit reparameterization gradient of a standard gamma sample ``x`` w.r.t.
    its shape ``alpha``: ``-(dP/d alpha) / (dP/dx)`` with ``P(alpha, x)`` the regularized
    lower incomplete gamma function, from its series
    ``P = sum_n exp((alpha + n) log x - x - lgamma(alpha + n + 1))``, whose terms
    differentiate to themselves times ``log x - digamma(alpha + n + 1)``; the density
    ``dP/dx`` cancels the common factor. Computed in float64, returned in ``x``'s dtype."""
    a, v = alpha.to(dtypes.float64), x.to(dtypes.float64)
    a, v = (a + v * 0), (v + a * 0)  # broadcast to one shape
    largest = float(v.max().item()) if v.numel() else 0.0
    # The terms peak near n = x - alpha and fall like a normal density of variance about
    # x: 12 standard deviations each side of the peak hold all of the sum that counts.
    width = 12.0 * math.sqrt(largest) + 30.0
    terms = int(2 * width)
    # Each element sums `terms` terms side by side; elements go in chunks so that the
    # temporaries stay near _SERIES_BUDGET values (a Beta.rsample of 200,000 draws would
    # otherwise hold several GB at once).
    flat_a, flat_v = a.reshape(-1), v.reshape(-1)
    chunk = max(1, _SERIES_BUDGET // terms)
    parts = [
        _gamma_series(flat_a[i : i + chunk], flat_v[i : i + chunk], width, terms)
        for i in range(0, flat_v.shape[0], chunk)
    ]
    total = (parts[0] if len(parts) == 1 else _OPS["cat"](parts)) if parts else flat_v * 0
    return (-total).reshape(tuple(v.shape)).to(x.dtype)


_SERIES_BUDGET = 1 << 21  # float64 values per temporary of the gamma-gradient series


def _gamma_series(a: Tensor, v: Tensor, width: float, terms: int) -> Tensor:
    """``sum_n term_n(a, v) * (log v - digamma(a + n + 1))`` over ``terms`` values of ``n``
    from each element's window start, for 1-D float64 ``a`` and ``v`` (see
    :func:`standard_gamma_grad`).

    ``lgamma`` and ``digamma`` are evaluated once per element, at the window's first term;
    along the window they follow their recurrences (``lgamma(z + 1) = lgamma(z) + log z``,
    ``digamma(z + 1) = digamma(z) + 1 / z``) as running sums, which costs a few array
    passes per term instead of two special-function evaluations."""
    k = v.backend.kernels
    steps = k["arange"](0, terms, 1, v.backend.native_dtype(dtypes.float64))
    start = (v - a - width).clamp(min=0.0).floor()
    first = a + start + 1.0  # a + n + 1 at the window's first term
    a_n = first.unsqueeze(-1) + Tensor._make(steps, dtypes.float64, v.backend)
    log_a_n, inv_a_n = a_n.log(), a_n.reciprocal()
    lgamma_a_n = first.lgamma().unsqueeze(-1) + log_a_n.cumsum(-1) - log_a_n
    digamma_a_n = first.digamma().unsqueeze(-1) + inv_a_n.cumsum(-1) - inv_a_n
    log_v = v.log().unsqueeze(-1)
    # log of x**(n + 1) * Gamma(alpha) / Gamma(alpha + n + 1): the term over the density
    n_plus_1 = a_n - a.unsqueeze(-1)
    log_ratio = n_plus_1 * log_v + a.lgamma().unsqueeze(-1) - lgamma_a_n
    return (log_ratio.exp() * (log_v - digamma_a_n)).sum(-1)


# -- records: PyTorch's nodes ---------------------------------------------------------------


def _zero_grad(g: Tensor) -> Tensor:
    return g * 0  # PyTorch's derivative of a Poisson draw: zeros


def _gamma_rule(g: Tensor, alpha: Tensor, result: Tensor) -> Tensor:
    return g * standard_gamma_grad(alpha, result)


POISSON = OpRecord("poisson", CONVERSION, "PoissonBackward0", "assign", grads=(_zero_grad,))
STANDARD_GAMMA = OpRecord(
    "_standard_gamma", CONVERSION, "StandardGammaBackward0", "assign",
    save=("self", "result"), grads=(_gamma_rule,),
)  # fmt: skip
BINOMIAL = OpRecord(
    "binomial", CONVERSION, "NotImplemented", "assign", inputs=("count", "prob"),
    no_derivative="binomial",
)  # fmt: skip
DIRICHLET = OpRecord(
    "_sample_dirichlet", CONVERSION, "NotImplemented", "assign",
    no_derivative="_sample_dirichlet",
)  # fmt: skip


def _multinomial_method(self: Tensor, num_samples: int, replacement: bool = False, *,
                        generator: Generator | None = None) -> Tensor:  # fmt: skip
    return multinomial(self, num_samples, replacement, generator=generator)


_multinomial_method.__doc__ = multinomial.__doc__

FUNCTIONS = {
    "multinomial": multinomial,
    "poisson": poisson,
    "binomial": binomial,
    "_standard_gamma": _standard_gamma,
    "_standard_gamma_grad": _standard_gamma_grad,
    "_sample_dirichlet": _sample_dirichlet,
}


def install(cls: type = Tensor) -> None:
    """Attach ``Tensor.multinomial``."""
    cls.multinomial = _multinomial_method
