"""Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD and LBFGS against PyTorch: the same
parameters and gradients over several steps and two parameter groups give PyTorch's
parameters and state_dicts; bad options raise PyTorch's errors; a state_dict round-trip
resumes identically."""

from __future__ import annotations

import math
import tracemalloc
import warnings

import numpy as np
import pytest
import retrograd as rg
from retrograd.compiler import counters, reset_counters

torch = pytest.importorskip("torch")

OPTIONS = [
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01, "maximize": True}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.9, 0.9), "weight_decay": 0.1, "maximize": True}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1), "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 3, "maximize": True}),
]
SHAPES = [(5, 3), (3,), ()]


def _params(seed: int):
    gen = np.random.default_rng(seed)
    values = [gen.standard_normal(s).astype(np.float32) for s in SHAPES]
    mine = [rg.tensor(v.tolist(), requires_grad=True) for v in values]
    theirs = [torch.tensor(v.tolist(), requires_grad=True) for v in values]
    return mine, theirs, gen


def _build(lib, name, params, options):
    """Two groups: the second with half the learning rate."""
    lr = options.get("lr", getattr(torch.optim, name)([torch.ones(1)]).defaults["lr"])
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": lr / 2}]
    return getattr(lib.optim, name)(groups, **options)


def _run(name, options, steps=15, sign_flips=True):
    mine, theirs, gen = _params(0)
    m_opt, t_opt = _build(rg, name, mine, options), _build(torch, name, theirs, options)
    for i in range(steps):
        for m, t in zip(mine, theirs):
            g = gen.standard_normal(t.shape).astype(np.float32)
            if not sign_flips:  # a steady gradient sign (Rprop then grows its steps)
                g = np.abs(g) + 0.1
            if i == 3 and m is mine[1]:
                m.grad = t.grad = None  # a step where one parameter has no gradient
                continue
            m.grad = rg.tensor(g.tolist())
            t.grad = torch.tensor(g.tolist())
        m_opt.step()
        t_opt.step()
    return mine, theirs, m_opt, t_opt


def _same_params(mine, theirs):
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)


def _same_state(mine: dict, theirs: dict) -> None:
    assert mine["param_groups"] == theirs["param_groups"]
    assert list(mine["state"]) == list(theirs["state"])
    for key, state in theirs["state"].items():
        assert list(mine["state"][key]) == list(state)
        for field, value in state.items():
            got = mine["state"][key][field]
            np.testing.assert_allclose(got.numpy(), value.numpy(), rtol=1e-5, atol=1e-6)
            assert str(got.dtype) == str(value.dtype)


@pytest.mark.parametrize("name,options", OPTIONS, ids=lambda v: str(v))
def test_steps_match_pytorch(name, options):
    mine, theirs, m_opt, t_opt = _run(name, options)
    _same_params(mine, theirs)
    _same_state(m_opt.state_dict(), t_opt.state_dict())


def test_rprop_growing_steps_match_pytorch():
    mine, theirs, m_opt, t_opt = _run("Rprop", {"lr": 0.01}, sign_flips=False)
    _same_params(mine, theirs)
    _same_state(m_opt.state_dict(), t_opt.state_dict())


@pytest.mark.parametrize("name,options", OPTIONS[::2], ids=lambda v: str(v))
def test_state_dict_round_trip_resumes_identically(name, options):
    mine, _, m_opt, _ = _run(name, options, steps=4)
    copies = [p.detach().clone().requires_grad_() for p in mine]
    again = _build(rg, name, copies, {**options, "lr": 123.0})
    again.load_state_dict(m_opt.state_dict())
    assert again.param_groups[0]["lr"] == m_opt.param_groups[0]["lr"]
    gen = np.random.default_rng(1)
    for _ in range(3):
        for a, b in zip(mine, copies):
            g = gen.standard_normal(tuple(a.shape)).astype(np.float32).tolist()
            a.grad, b.grad = rg.tensor(g), rg.tensor(g)
        m_opt.step()
        again.step()
    for a, b in zip(mine, copies):
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam", "Adadelta", "Rprop", "ASGD", "LBFGS"])
def test_defaults_and_repr_match_pytorch(name):
    m = getattr(rg.optim, name)([rg.ones(1, requires_grad=True)])
    t = getattr(torch.optim, name)([torch.ones(1, requires_grad=True)])
    assert m.defaults == t.defaults
    assert repr(m) == repr(t)


def _error(lib, build):
    with pytest.raises(Exception) as err:
        build(lib)
    return type(err.value), str(err.value)


def _one(lib):
    return [lib.ones(1, requires_grad=True)]


BAD = [
    ("Adamax", {"lr": -1.0}),
    ("Adamax", {"eps": -1.0}),
    ("Adamax", {"betas": (0.9, 1.0)}),
    ("Adamax", {"weight_decay": -0.1}),
    ("NAdam", {"betas": (-0.1, 0.9)}),
    ("NAdam", {"momentum_decay": -1.0}),
    ("NAdam", {"momentum_decay": math.nan}),
    ("RAdam", {"eps": math.nan}),
    ("RAdam", {"weight_decay": -1.0}),
    ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"rho": math.nan}),
    ("Adadelta", {"eps": -1.0}),
    ("Adadelta", {"lr": -1.0}),
    ("Rprop", {"etas": (1.5, 1.2)}),
    ("Rprop", {"etas": (0.5, 0.9)}),
    ("Rprop", {"lr": -0.1}),
    ("ASGD", {"lr": -0.1}),
    ("ASGD", {"weight_decay": -0.1}),
    ("LBFGS", {"lr": -1.0}),
]


@pytest.mark.parametrize("name,options", BAD, ids=lambda v: str(v))
def test_errors_match_pytorch(name, options):
    def build(lib):
        getattr(lib.optim, name)(_one(lib), **options)
        raise LookupError("accepted")

    assert _error(rg, build) == _error(torch, build)


def test_lbfgs_refuses_parameter_groups_as_pytorch_does():
    def build(lib):
        lib.optim.LBFGS([{"params": _one(lib)}, {"params": _one(lib), "lr": 0.1}])

    assert _error(rg, build) == _error(torch, build)


def _regression(lib, line_search, steps, **options):
    """L2-regularized logistic regression: small, smooth, convex, not quadratic."""
    gen = np.random.default_rng(3)
    x = lib.tensor(gen.standard_normal((40, 6)).tolist())
    y = lib.tensor(np.sign(gen.standard_normal((40, 3))).tolist())
    w = lib.tensor((0.3 * gen.standard_normal((6, 3))).tolist(), requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    opt = lib.optim.LBFGS([w, b], line_search_fn=line_search, **options)

    def closure():
        opt.zero_grad()
        loss = lib.log(1 + lib.exp(-y * (x @ w + b))).mean() + 0.05 * (w * w).sum()
        loss.backward()
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    return losses, [w, b], opt


@pytest.mark.parametrize(
    "line_search,options",
    [
        (None, {"max_iter": 4}),
        (None, {"lr": 0.5, "max_iter": 4, "history_size": 2}),
        ("strong_wolfe", {"max_iter": 3, "tolerance_grad": 1e-5}),
        ("strong_wolfe", {"max_iter": 3, "history_size": 3, "lr": 0.8}),
    ],
)
def test_lbfgs_matches_pytorch(line_search, options):
    m_losses, mine, m_opt = _regression(rg, line_search, 2, **options)
    t_losses, theirs, t_opt = _regression(torch, line_search, 2, **options)
    np.testing.assert_allclose(m_losses, t_losses, rtol=1e-5)
    _same_params(mine, theirs)
    m_state, t_state = m_opt.state_dict()["state"][0], t_opt.state_dict()["state"][0]
    assert list(m_state) == list(t_state)
    for key in ("func_evals", "n_iter"):
        assert m_state[key] == t_state[key], key
    assert len(m_state["old_dirs"]) == len(t_state["old_dirs"])
    np.testing.assert_allclose(
        m_state["prev_flat_grad"].numpy(), t_state["prev_flat_grad"].numpy(), rtol=1e-4,
        atol=1e-5,
    )  # fmt: skip


def test_lbfgs_stops_at_once_when_the_gradient_is_zero():
    for lib in (rg, torch):
        w = lib.zeros(3, requires_grad=True)
        opt = lib.optim.LBFGS([w])

        def closure(w=w, opt=opt):
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        assert opt.step(closure).item() == 0.0
        assert opt.state_dict()["state"][0] == {"func_evals": 1, "n_iter": 0}


def test_lbfgs_unknown_line_search_raises_as_pytorch_does():
    def build(lib):
        w = lib.ones(2, requires_grad=True)
        opt = lib.optim.LBFGS([w], line_search_fn="armijo")

        def closure():
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        opt.step(closure)

    assert _error(rg, build) == _error(torch, build)


NAN_OPTIONS = [
    (name, option)
    for name, options in {
        "Adamax": ["lr", "eps", "weight_decay"],
        "NAdam": ["lr", "eps", "weight_decay", "momentum_decay"],
        "RAdam": ["lr", "eps", "weight_decay"],
        "Adadelta": ["lr", "rho", "eps", "weight_decay"],
        "Rprop": ["lr"],
        "ASGD": ["lr", "lambd", "alpha", "t0", "weight_decay"],
        "LBFGS": ["lr", "tolerance_grad", "tolerance_change"],
    }.items()
    for option in options
]


@pytest.mark.parametrize("name,option", NAN_OPTIONS)
def test_a_nan_option_is_refused_or_accepted_as_pytorch_does(name, option):
    def build(lib):
        getattr(lib.optim, name)(_one(lib), **{option: math.nan})
        raise LookupError("accepted")  # so that an accepted option compares too

    assert _error(rg, build) == _error(torch, build)


def test_a_step_with_a_closure_returns_its_loss():
    for lib in (rg, torch):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        opt = lib.optim.NAdam([w], lr=0.1)

        def closure(w=w, opt=opt):
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        assert opt.step(closure).item() == 5.0


@pytest.mark.parametrize(
    "name,options",
    [
        ("Adamax", {"weight_decay": 0.1}),
        ("NAdam", {"maximize": True, "weight_decay": 0.1}),
        ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
        ("Adadelta", {"maximize": True}),
        ("ASGD", {"t0": 0}),
    ],
)
def test_step_allocates_no_temporaries_proportional_to_parameters(name, options):
    """As the other per-parameter optimizers: state and scratch buffers, nothing more
    (Rprop's masks and LBFGS's flattened vectors do allocate)."""
    if rg.get_backend().name != "numpy":
        pytest.skip("tracemalloc sees NumPy's allocations only")
    params = [rg.zeros(1000, 1000, requires_grad=True), rg.zeros(1000, requires_grad=True)]
    opt = getattr(rg.optim, name)(params, **options)
    for p in params:
        p.grad = rg.ones(*p.shape)
    for _ in range(7):  # the state, the scratch buffers, and RAdam's rectified branch
        opt.step()
    param_bytes = sum(p.numel() * 4 for p in params)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        opt.step()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < param_bytes / 20, (peak, param_bytes)


def _compiled_training(name, compiled, steps=10, **options):
    """Parameters after each step of a small MLP's loop, the step compiled or eager."""
    rg.manual_seed(0)
    model = rg.nn.Sequential(rg.nn.Linear(8, 16), rg.nn.ReLU(), rg.nn.Linear(16, 3))
    opt = getattr(rg.optim, name)(model.parameters(), lr=1e-2, **options)
    x, y = rg.randn(5, 8), rg.randn(5, 3)

    def step(x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    run = rg.compile(step) if compiled else step
    return [[p.detach().numpy().copy() for p in model.parameters()] for _ in range(steps)
            if run(x, y) is not None]  # fmt: skip


@pytest.mark.parametrize(
    "name,options,replays",
    [
        ("Adamax", {}, True),
        ("NAdam", {"decoupled_weight_decay": True, "weight_decay": 0.1}, True),
        ("Adadelta", {}, True),
        ("Rprop", {}, True),
        ("RAdam", {}, False),  # its branch on the step count breaks the graph
        ("ASGD", {"t0": 3}, False),  # so do its reads of eta and mu
    ],
)
def test_compiled_step_is_bitwise_the_eager_one(name, options, replays):
    """A replay recomputes the step-dependent numbers (NAdam's mu_product included); a
    step that would branch on them breaks the graph instead of freezing the branch."""
    with rg.use_backend("numpy"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the graph-break warnings
        reset_counters()
        eager = _compiled_training(name, False, **options)
        compiled = _compiled_training(name, True, **options)
        stats = dict(counters["stats"]), bool(counters["graph_break"])
        reset_counters()
    for a, b in zip(eager, compiled, strict=True):
        assert all(x.tobytes() == y.tobytes() for x, y in zip(a, b, strict=True))
    assert (stats[0].get("replays", 0) >= 5) == replays
    assert stats[1] != replays


def test_lbfgs_state_dict_round_trip_resumes_identically():
    losses, params, opt = _regression(rg, "strong_wolfe", 1, max_iter=3)
    copies = [p.detach().clone().requires_grad_() for p in params]
    again = rg.optim.LBFGS(copies, line_search_fn="strong_wolfe", max_iter=3)
    again.load_state_dict(opt.state_dict())
    gen = np.random.default_rng(3)
    x = rg.tensor(gen.standard_normal((40, 6)).tolist())
    y = rg.tensor(np.sign(gen.standard_normal((40, 3))).tolist())

    def closure_for(optimizer, w, b):
        def closure():
            optimizer.zero_grad()
            loss = rg.log(1 + rg.exp(-y * (x @ w + b))).mean() + 0.05 * (w * w).sum()
            loss.backward()
            return loss

        return closure

    for _ in range(2):
        opt.step(closure_for(opt, *params))
        again.step(closure_for(again, *copies))
    for a, b in zip(params, copies):
        assert a.tolist() == b.tolist()
    assert again.state_dict()["state"][0]["n_iter"] == opt.state_dict()["state"][0]["n_iter"]
