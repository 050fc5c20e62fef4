"""LinearLR, ConstantLR, MultiplicativeLR, PolynomialLR, CosineAnnealingWarmRestarts,
SequentialLR, ChainedScheduler, OneCycleLR and CyclicLR against PyTorch: the same rates
(``get_last_lr``) and momenta, exactly, epoch after epoch over two parameter groups; the
same state_dict entries; a state_dict round-trip resumes the schedule; bad arguments
raise PyTorch's errors."""

from __future__ import annotations

import math
import warnings

import pytest
import retrograd as rg

torch = pytest.importorskip("torch")


def _optimizer(lib, name="SGD"):
    groups = [
        {"params": [lib.ones(2, requires_grad=True)]},
        {"params": [lib.ones(1, requires_grad=True)], "lr": 0.2},
    ]
    if name == "SGD":
        return lib.optim.SGD(groups, lr=0.5, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.5)


class Halve:
    """A callable object, so that state_dict keeps its ``__dict__``."""

    def __init__(self) -> None:
        self.factor = 0.5

    def __call__(self, epoch: int) -> float:
        return self.factor if epoch % 3 == 0 else 1.0


MAKERS = {
    "linear": lambda s, o: s.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=6),
    "linear_default": lambda s, o: s.LinearLR(o),
    "constant": lambda s, o: s.ConstantLR(o, factor=0.3, total_iters=4),
    "multiplicative": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.9),
    "multiplicative_object": lambda s, o: s.MultiplicativeLR(o, [Halve(), lambda e: 0.95]),
    "polynomial": lambda s, o: s.PolynomialLR(o, total_iters=8, power=2.0),
    "polynomial_default": lambda s, o: s.PolynomialLR(o),
    "warm_restarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3, eta_min=0.01),
    "warm_restarts_mult": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
    "sequential": lambda s, o: s.SequentialLR(
        o,
        [s.ConstantLR(o, factor=0.5, total_iters=2), s.ExponentialLR(o, gamma=0.9)],
        milestones=[4],
    ),
    "sequential_three": lambda s, o: s.SequentialLR(
        o,
        [
            s.LinearLR(o, start_factor=0.1, total_iters=3),
            s.StepLR(o, step_size=2, gamma=0.5),
            s.CosineAnnealingLR(o, T_max=5),
        ],
        milestones=[3, 8],
    ),
    "chained": lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.1, total_iters=3), s.ExponentialLR(o, gamma=0.9)]
    ),
    "chained_three": lambda s, o: s.ChainedScheduler(
        [
            s.LinearLR(o, start_factor=0.5, total_iters=4),
            s.MultiStepLR(o, milestones=[5, 9], gamma=0.3),
            s.PolynomialLR(o, total_iters=12),
        ],
        optimizer=o,
    ),
    "one_cycle": lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=20),
    "one_cycle_linear": lambda s, o: s.OneCycleLR(
        o,
        max_lr=[1.0, 0.3],
        epochs=4,
        steps_per_epoch=5,
        anneal_strategy="linear",
        pct_start=0.4,
        div_factor=10.0,
        final_div_factor=100.0,
    ),  # fmt: skip
    "one_cycle_three": lambda s, o: s.OneCycleLR(o, max_lr=0.8, total_steps=20, three_phase=True),
    "one_cycle_no_momentum": lambda s, o: s.OneCycleLR(
        o, max_lr=0.8, total_steps=20, cycle_momentum=False
    ),
    "cyclic": lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3),
    "cyclic_triangular2": lambda s, o: s.CyclicLR(
        o,
        base_lr=[0.01, 0.02],
        max_lr=[0.1, 0.3],
        step_size_up=2,
        step_size_down=4,
        mode="triangular2",
    ),  # fmt: skip
    "cyclic_exp_range": lambda s, o: s.CyclicLR(
        o,
        base_lr=0.01,
        max_lr=0.1,
        step_size_up=3,
        mode="exp_range",
        gamma=0.9,
        cycle_momentum=False,
    ),  # fmt: skip
    "cyclic_scale_fn": lambda s, o: s.CyclicLR(
        o,
        base_lr=0.01,
        max_lr=0.1,
        step_size_up=2,
        scale_fn=lambda x: 1 / (x + 1),
        scale_mode="iterations",
        base_momentum=0.7,
        max_momentum=0.95,
    ),  # fmt: skip
}
ADAM_MAKERS = ["one_cycle", "cyclic"]  # these cycle Adam's beta1


def _schedule(lib, make, optimizer="SGD", epochs=19):
    opt = _optimizer(lib, optimizer)
    sched = make(lib.optim.lr_scheduler, opt)
    record = [(sched.get_last_lr(), _momenta(opt))]
    for _ in range(epochs):
        opt.step()
        sched.step()
        record.append((sched.get_last_lr(), _momenta(opt)))
    return record, sched, opt


def _momenta(opt):
    return [g.get("momentum", g.get("betas")) for g in opt.param_groups]


def _comparable(state):
    """A state_dict without the entries that hold functions or objects."""
    skip = {"lr_lambdas", "_get_lr_called_within_step", "_is_initial", "_schedulers"}
    return {k: v for k, v in state.items() if k not in skip}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_rates_and_momenta_match_pytorch_exactly(name):
    mine, m_sched, m_opt = _schedule(rg, MAKERS[name])
    theirs, t_sched, t_opt = _schedule(torch, MAKERS[name])
    assert mine == theirs
    mine_state, theirs_state = _comparable(m_sched.state_dict()), _comparable(t_sched.state_dict())
    assert mine_state.keys() <= theirs_state.keys()
    for key, value in mine_state.items():
        assert value == theirs_state[key], key
    strip = [{k: v for k, v in g.items() if k != "params"} for g in m_opt.param_groups]
    assert strip == [{k: v for k, v in g.items() if k != "params"} for g in t_opt.param_groups]


@pytest.mark.parametrize("name", ADAM_MAKERS)
def test_beta1_cycles_as_pytorch_does(name):
    mine, _, _ = _schedule(rg, MAKERS[name], "Adam")
    theirs, _, _ = _schedule(torch, MAKERS[name], "Adam")
    assert mine == theirs


@pytest.mark.parametrize("name", ["sequential", "chained"])
def test_composite_state_dict_holds_each_part_as_pytorch_does(name):
    _, m_sched, _ = _schedule(rg, MAKERS[name], epochs=5)
    _, t_sched, _ = _schedule(torch, MAKERS[name], epochs=5)
    m_parts, t_parts = m_sched.state_dict()["_schedulers"], t_sched.state_dict()["_schedulers"]
    assert len(m_parts) == len(t_parts)
    for m_part, t_part in zip(m_parts, t_parts):
        m_part, t_part = _comparable(m_part), _comparable(t_part)
        assert m_part.keys() <= t_part.keys()
        assert all(m_part[k] == t_part[k] for k in m_part)


@pytest.mark.parametrize(
    "name",
    ["linear", "multiplicative_object", "warm_restarts_mult", "sequential", "chained",
     "one_cycle", "cyclic_triangular2"],
)  # fmt: skip
def test_state_dict_round_trip_resumes_the_schedule(name):
    make = MAKERS[name]
    full, _, _ = _schedule(rg, make, epochs=12)
    _, sched, opt = _schedule(rg, make, epochs=5)
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    opt2 = _optimizer(rg)
    sched2 = make(rg.optim.lr_scheduler, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    resumed = []
    for _ in range(7):
        opt2.step()
        sched2.step()
        resumed.append((sched2.get_last_lr(), _momenta(opt2)))
    assert resumed == full[6:]


@pytest.mark.parametrize(
    "make,epochs",
    [
        (lambda s, o: s.LinearLR(o, start_factor=0.2, total_iters=5), [3, 0, 7, 5]),
        (lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=3), [1, 4, 2]),
        (lambda s, o: s.PolynomialLR(o, total_iters=6, power=1.5), [2, 9, 4]),
        (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=3), [1, 5, 2.5, 13, 0]),
        (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=3), [4, 7.5, 1]),
        (lambda s, o: s.StepLR(o, step_size=3, gamma=0.5), [4, 1, 9]),
        (lambda s, o: s.MultiStepLR(o, milestones=[4, 2, 4], gamma=0.5), [3, 5, 1]),
        (lambda s, o: s.ExponentialLR(o, gamma=0.9), [3, 1]),
        (lambda s, o: s.CosineAnnealingLR(o, T_max=4, eta_min=0.1), [3, 6, 1]),
    ],
)
def test_step_to_an_epoch_matches_pytorch(make, epochs):
    def run(lib):
        opt = _optimizer(lib)
        sched = make(lib.optim.lr_scheduler, opt)
        out = []
        for epoch in epochs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PyTorch deprecates the epoch argument
                sched.step(epoch)
            out.append(sched.get_last_lr())
        return out

    assert run(rg) == run(torch)


def test_one_cycle_refuses_a_step_past_the_end_as_pytorch_does():
    def build(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(4):
            opt.step()
            sched.step()

    assert _error(rg, build) == _error(torch, build)


def _error(lib, build):
    with pytest.raises(Exception) as err:
        build(lib)
    return type(err.value), str(err.value)


BAD = [
    lambda s, o: s.LinearLR(o, start_factor=0),
    lambda s, o: s.LinearLR(o, start_factor=1.5),
    lambda s, o: s.LinearLR(o, end_factor=-0.1),
    lambda s, o: s.ConstantLR(o, factor=1.5),
    lambda s, o: s.MultiplicativeLR(o, [lambda e: 1.0]),
    lambda s, o: s.MultiplicativeLR(o, 0.5),
    lambda s, o: s.LambdaLR(o, 0.5),
    lambda s, o: s.LambdaLR(o, [lambda e: 1.0] * 3),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2.0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
    lambda s, o: s.SequentialLR(o, [], milestones=[]),
    lambda s, o: s.SequentialLR(o, [s.ConstantLR(o), s.StepLR(o, 2)], milestones=[]),
    lambda s, o: s.SequentialLR(o, [s.ReduceLROnPlateau(o)], milestones=[]),
    lambda s, o: s.SequentialLR(o, [object()], milestones=[]),
    lambda s, o: s.ChainedScheduler([]),
    lambda s, o: s.ChainedScheduler([s.StepLR(o, 2), s.ReduceLROnPlateau(o)]),
    lambda s, o: s.OneCycleLR(o, max_lr=1.0),
    lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=0),
    lambda s, o: s.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=0),
    lambda s, o: s.OneCycleLR(o, max_lr=1.0, epochs=-2, steps_per_epoch=3),
    lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=5, pct_start=1),
    lambda s, o: s.OneCycleLR(o, max_lr=1.0, total_steps=5, anneal_strategy="exp"),
    lambda s, o: s.OneCycleLR(o, max_lr=[1.0], total_steps=5),
    lambda s, o: s.CyclicLR(o, base_lr=0.1, max_lr=1.0, mode="square"),
    lambda s, o: s.CyclicLR(o, base_lr=[0.1, 0.2, 0.3], max_lr=1.0),
    lambda s, o: s.CyclicLR(o.__class__.__mro__ and o, base_lr=0.1, max_lr=1.0, max_momentum=[1]),
    lambda s, o: s.LinearLR(o, last_epoch=3),
]


@pytest.mark.parametrize("make", BAD)
def test_errors_match_pytorch(make):
    def build(lib):
        make(lib.optim.lr_scheduler, _optimizer(lib))
        raise LookupError("accepted")

    assert _error(rg, build) == _error(torch, build)


def test_cycling_momentum_needs_an_optimizer_with_momentum():
    def build(lib):
        opt = lib.optim.Adagrad([lib.ones(1, requires_grad=True)])
        lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=4)

    assert _error(rg, build) == _error(torch, build)


def test_warm_restarts_follow_the_cosine_between_restarts():
    opt = _optimizer(rg)
    sched = rg.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, eta_min=0.1)
    lrs = []
    for _ in range(8):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    expected = [0.1 + 0.4 * (1 + math.cos(math.pi * (i % 4) / 4)) / 2 for i in range(8)]
    assert lrs == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("optimizer_first", [True, False])
def test_stepping_the_scheduler_first_warns_as_pytorch_does(optimizer_first):
    def run(lib):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if optimizer_first:
                opt.step()
            sched.step()
            sched.step(5)
        return [(w.category, str(w.message)) for w in caught]

    assert run(rg) == run(torch)
