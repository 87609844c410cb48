"""Learning-rate schedulers against torch.optim.lr_scheduler: 50-step lr (and momentum) sequences, state, errors."""
from __future__ import annotations

import warnings

import pytest
import torch

import ember


def _opt(lib, name="SGD", ngroups=2):
    ps = [lib.nn.Parameter(lib.zeros(2)) for _ in range(ngroups)]
    kw = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1}
    return getattr(lib.optim, name)([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(ps)], **kw)


def _momenta(opt):
    return tuple(g["momentum"] if "momentum" in g else g["betas"] for g in opt.param_groups)


CASES = [
    ("LambdaLR", {"lr_lambda": lambda e: 0.95 ** e}),
    ("LambdaLR", {"lr_lambda": [lambda e: 0.9 ** e, lambda e: 1.0 / (e + 1)]}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.95}),
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 8}),
    ("LinearLR", {"start_factor": 0.2, "end_factor": 0.9, "total_iters": 13}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("PolynomialLR", {"total_iters": 30, "power": 2.0}),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.01}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "step_size_down": 6}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.1, 0.2], "step_size_up": 3, "mode": "triangular2",
                  "base_momentum": 0.7}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "exp_range", "gamma": 0.95}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "scale_fn": lambda x: 0.5 ** x,
                  "scale_mode": "iterations", "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 60}),
    ("OneCycleLR", {"max_lr": [0.5, 1.0], "epochs": 6, "steps_per_epoch": 10, "anneal_strategy": "linear",
                    "three_phase": True}),
]


def _sequence(lib, opt_name, name, kwargs, steps=50):
    opt = _opt(lib, opt_name)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    seq = [(tuple(sched.get_last_lr()), _momenta(opt))]
    for _ in range(steps):
        opt.step()
        sched.step()
        seq.append((tuple(sched.get_last_lr()), _momenta(opt), tuple(g["lr"] for g in opt.param_groups)))
    return seq, sched, opt


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name,kwargs", CASES)
def test_sequence_matches_torch(name, kwargs, opt_name):
    ts, tsched, topt = _sequence(torch, opt_name, name, kwargs)
    es, esched, eopt = _sequence(ember, opt_name, name, kwargs)
    assert es == ts  # exactly the same floats, steps 0..50
    assert list(esched.state_dict()) == list(tsched.state_dict())
    assert [sorted(g) for g in eopt.param_groups] == [sorted(g) for g in topt.param_groups]
    assert [g["initial_lr"] for g in eopt.param_groups] == [g["initial_lr"] for g in topt.param_groups]


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[0] not in ("LambdaLR", "MultiplicativeLR")
                                         and "scale_fn" not in c[1]])
def test_state_dict_resume(name, kwargs):
    """Save after 20 steps, load into a fresh scheduler on a fresh optimizer: the next 30 rates are the same."""
    full, _, _ = _sequence(ember, "SGD", name, kwargs)
    opt = _opt(ember)
    sched = getattr(ember.optim.lr_scheduler, name)(opt, **kwargs)
    for _ in range(20):
        opt.step()
        sched.step()
    osd, ssd = opt.state_dict(), sched.state_dict()
    opt2 = _opt(ember)
    sched2 = getattr(ember.optim.lr_scheduler, name)(opt2, **kwargs)
    sched2.load_state_dict(ssd)
    opt2.load_state_dict(osd)
    rest = []
    for _ in range(30):
        opt2.step()
        sched2.step()
        rest.append((tuple(sched2.get_last_lr()), _momenta(opt2), tuple(g["lr"] for g in opt2.param_groups)))
    assert rest == full[21:]


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.7]
    for mode, tmode in [("min", "rel"), ("max", "abs"), ("min", "abs"), ("max", "rel")]:
        out = []
        for lib in (torch, ember):
            opt = _opt(lib)
            s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, patience=2, cooldown=1, threshold=0.01,
                                                         threshold_mode=tmode, min_lr=[0.001, 0.002])
            seq = []
            for i in range(50):
                s.step(metrics[i % 9])
                seq.append(tuple(s.get_last_lr()))
            out.append((seq, s.state_dict()))
        assert out[0] == out[1]


def test_sequential_and_chained_match_torch():
    out = []
    for lib in (torch, ember):
        L = lib.optim.lr_scheduler
        opt = _opt(lib)
        s = L.SequentialLR(opt, [L.LinearLR(opt, 0.1, total_iters=5), L.CosineAnnealingLR(opt, T_max=20),
                                 L.ExponentialLR(opt, 0.9)], milestones=[5, 25])
        opt2 = _opt(lib)
        c = L.ChainedScheduler([L.ConstantLR(opt2, 0.5, 4), L.ExponentialLR(opt2, 0.9), L.StepLR(opt2, 5)])
        seq = [(tuple(s.get_last_lr()), tuple(c.get_last_lr()))]
        for _ in range(50):
            opt.step()
            s.step()
            opt2.step()
            c.step()
            seq.append((tuple(s.get_last_lr()), tuple(c.get_last_lr())))
        out.append((seq, list(s.state_dict()), list(c.state_dict()), list(s.state_dict()["_schedulers"][1])))
    assert out[0] == out[1]


def test_closed_form_with_epoch_argument():
    out = []
    for lib in (torch, ember):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 3, gamma=0.5)
        c = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(_opt(lib), T_0=4, T_mult=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for e in [5, 2, 9, 7]:
                s.step(e)
                c.step(e + 0.5)
                out.append((tuple(s.get_last_lr()), tuple(c.get_last_lr()), c.T_cur, c.T_i))
    assert out[:4] == out[4:]


def test_warnings_and_errors():
    opt = _opt(ember)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    with pytest.warns(UserWarning, match="The verbose parameter is deprecated"):
        ember.optim.lr_scheduler.ExponentialLR(_opt(ember), 0.9, verbose=True)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        ember.optim.lr_scheduler.StepLR([], 2)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        ember.optim.lr_scheduler.StepLR(_opt(ember), 2, last_epoch=3)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        ember.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match=r"Constant multiplicative factor expected to be between 0 and 1\."):
        ember.optim.lr_scheduler.ConstantLR(opt, factor=2.0)
    with pytest.raises(ValueError, match=r"Factor should be < 1\.0\."):
        ember.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        ember.optim.lr_scheduler.OneCycleLR(opt, 0.1)
    onecycle = ember.optim.lr_scheduler.OneCycleLR(_opt(ember), 0.1, total_steps=2)
    with pytest.raises(ValueError, match=r"Tried to step 3 times\. The specified number of total steps is 2"):
        for _ in range(3):
            onecycle.optimizer.step()
            onecycle.step()
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        ember.optim.lr_scheduler.CyclicLR(ember.optim.Adagrad([ember.nn.Parameter(ember.zeros(1))]), 0.1, 1.0)
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        ember.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0)
    assert ember.optim.lr_scheduler._LRScheduler.__mro__[1] is ember.optim.lr_scheduler.LRScheduler
