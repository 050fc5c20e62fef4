"""Optimizers and schedulers against PyTorch: five steps from the same parameters and
gradients give PyTorch's parameters, state_dicts have PyTorch's format, errors match,
and a step allocates no temporaries proportional to the parameters (NumPy backend)."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
import retrograd as rg

torch = pytest.importorskip("torch")

OPTIONS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "nesterov": True, "maximize": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.5, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "maximize": True, "momentum": 0.5}),
    ("Adagrad", {}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),  # fmt: skip
    ("Adagrad", {"lr": 0.1, "maximize": True}),
]
SHAPES = [(5, 3), (3,), ()]


def _params(seed: int):
    gen = np.random.default_rng(seed)
    values = [gen.standard_normal(s).astype(np.float32) for s in SHAPES]
    mine = [rg.tensor(v.tolist(), requires_grad=True) for v in values]
    theirs = [torch.tensor(v.tolist(), requires_grad=True) for v in values]
    return mine, theirs, gen


def _groups(params, lr):
    return [{"params": params[:1]}, {"params": params[1:], "lr": lr}]


def _run(name, options, steps=5, groups=False):
    mine, theirs, gen = _params(0)
    if groups:  # two groups, the second with its own lr
        opts = dict(options)
        lr = opts.get("lr", 1e-3)
        m_opt = getattr(rg.optim, name)(
            [{"params": mine[:1]}, {"params": mine[1:], "lr": lr / 2}], **opts
        )
        t_opt = getattr(torch.optim, name)(
            [{"params": theirs[:1]}, {"params": theirs[1:], "lr": lr / 2}], **opts
        )
    else:
        m_opt = getattr(rg.optim, name)(mine, **options)
        t_opt = getattr(torch.optim, name)(theirs, **options)
    for _ in range(steps):
        for m, t in zip(mine, theirs):
            g = gen.standard_normal(t.shape).astype(np.float32)
            m.grad = rg.tensor(g.tolist())
            t.grad = torch.tensor(g.tolist())
        m_opt.step()
        t_opt.step()
    return mine, theirs, m_opt, t_opt


@pytest.mark.parametrize("name,options", OPTIONS, ids=lambda v: str(v))
def test_five_steps_match_pytorch(name, options):
    mine, theirs, m_opt, t_opt = _run(name, options)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6)
    _same_state(m_opt.state_dict(), t_opt.state_dict())


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_param_groups_match_pytorch(name):
    options = {"lr": 0.01, "momentum": 0.9} if name != "Adam" else {"lr": 0.01}
    mine, theirs, m_opt, t_opt = _run(name, options, groups=True)
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6)
    _same_state(m_opt.state_dict(), t_opt.state_dict())


def _same_state(mine: dict, theirs: dict) -> None:
    assert mine["param_groups"] == theirs["param_groups"]
    assert list(mine["state"]) == list(theirs["state"])
    for key, state in theirs["state"].items():
        assert list(mine["state"][key]) == list(state)
        for field, value in state.items():
            got = mine["state"][key][field]
            np.testing.assert_allclose(got.numpy(), value.numpy(), rtol=1e-6, atol=1e-6)
            assert str(got.dtype) == str(value.dtype)


def test_load_state_dict_resumes_identically():
    mine, _, m_opt, _ = _run("Adam", {"lr": 0.01}, steps=2)
    saved = m_opt.state_dict()
    again = rg.optim.Adam([p.detach().clone().requires_grad_() for p in mine], lr=0.5)
    again.load_state_dict(saved)
    assert again.param_groups[0]["lr"] == 0.01
    assert again.state_dict()["state"][0]["step"].item() == 2.0


def test_repr_matches_pytorch():
    m = rg.optim.SGD([rg.ones(1, requires_grad=True)], lr=0.1, momentum=0.9)
    t = torch.optim.SGD([torch.ones(1, requires_grad=True)], lr=0.1, momentum=0.9)
    assert repr(m) == repr(t)


def _error(lib, build):
    with pytest.raises(Exception) as err:
        build(lib)
    return type(err.value), str(err.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda lib: lib.optim.SGD([], lr=0.1),
        lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True) * 2]),
        lambda lib: lib.optim.SGD(lib.ones(2, requires_grad=True), lr=0.1),
        lambda lib: lib.optim.SGD([{"params": {lib.ones(2, requires_grad=True)}}], lr=0.1),
        lambda lib: lib.optim.SGD([1.0], lr=0.1),
        lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=-1),
        lambda lib: lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1, nesterov=True),
        lambda lib: lib.optim.Adam([lib.ones(1, requires_grad=True)], betas=(1.0, 0.9)),
    ],
)
def test_errors_match_pytorch(build):
    theirs = _error(torch, build)
    mine = _error(rg, build)
    assert mine[0] is theirs[0]
    assert mine[1] == theirs[1]


NAN_OPTIONS = [
    (name, option)
    for name, options in {
        "SGD": ["lr", "momentum", "weight_decay"],
        "Adam": ["lr", "eps", "weight_decay"],
        "AdamW": ["lr", "eps", "weight_decay"],
        "Adagrad": ["lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value"],
        "RMSprop": ["lr", "eps", "momentum", "weight_decay", "alpha"],
    }.items()
    for option in options
]


@pytest.mark.parametrize("name,option", NAN_OPTIONS)
def test_a_nan_option_is_refused_or_accepted_as_pytorch_does(name, option):
    def build(lib):
        getattr(lib.optim, name)([lib.ones(1, requires_grad=True)], **{option: math.nan})
        raise LookupError("accepted")  # so that an accepted option compares too

    assert _error(rg, build) == _error(torch, build)


def test_zero_grad_set_to_none_by_default():
    p = rg.ones(2, requires_grad=True)
    opt = rg.optim.SGD([p], lr=0.1)
    p.grad = rg.ones(2)
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


@pytest.mark.parametrize(
    "name,options",
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        ("Adam", {"lr": 1e-3}),
        ("AdamW", {"amsgrad": True}),
        ("RMSprop", {"momentum": 0.9, "centered": True}),
        ("Adagrad", {}),
    ],  # fmt: skip
)
def test_step_allocates_no_temporaries_proportional_to_parameters(name, options):
    if rg.get_backend().name != "numpy":
        pytest.skip("tracemalloc sees NumPy's allocations only")
    params = [rg.zeros(1000, 1000, requires_grad=True), rg.zeros(1000, requires_grad=True)]
    opt = getattr(rg.optim, name)(params, **options)
    for p in params:
        p.grad = rg.ones(*p.shape)
    opt.step()  # the first step makes the state and the scratch buffers
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


def _schedules(lib, make, epochs=12):
    p = lib.ones(1, requires_grad=True)
    opt = lib.optim.SGD([p], lr=0.5)
    sched = make(lib.optim.lr_scheduler, opt)
    lrs = []
    for epoch in range(epochs):
        opt.step()
        if isinstance(sched, lib.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(1.0 if epoch < 3 else 2.0)
        else:
            sched.step()
        lrs.append(sched.get_last_lr())
    return lrs, sched


@pytest.mark.parametrize(
    "make",
    [
        lambda s, o: s.StepLR(o, step_size=3, gamma=0.5),
        lambda s, o: s.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.1),
        lambda s, o: s.ExponentialLR(o, gamma=0.9),
        lambda s, o: s.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
        lambda s, o: s.LambdaLR(o, lambda e: 1 / (e + 1)),
        lambda s, o: s.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1),
        lambda s, o: s.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", patience=0),
    ],
)
def test_schedulers_match_pytorch(make):
    mine, m_sched = _schedules(rg, make)
    theirs, t_sched = _schedules(torch, make)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    skip = {"lr_lambdas", "_get_lr_called_within_step", "_is_initial"}
    mine_state = {k: v for k, v in m_sched.state_dict().items() if k not in skip}
    theirs_state = {k: v for k, v in t_sched.state_dict().items() if k not in skip}
    assert mine_state.keys() <= theirs_state.keys()
    for key, value in mine_state.items():
        assert value == theirs_state[key], key


def test_step_with_closure_returns_its_loss_and_records_nothing():
    for lib in (rg, torch):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)

        def closure(w=w, opt=opt, lib=lib):
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        assert loss.item() == 5.0 and loss.grad_fn is not None
        assert w.tolist() == pytest.approx([0.8, -1.6]) and w.grad_fn is None
