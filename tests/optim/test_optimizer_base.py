"""Optimizer base class against torch.optim.Optimizer: groups, state_dict layout, hooks, zero_grad, repr, errors."""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch

import ember

from ._optim_compare import Pair, to_np

ALL = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adadelta", "Adagrad", "RMSprop", "Rprop", "ASGD",
       "SparseAdam", "LBFGS"]


def _params(lib, n=2):
    return [lib.nn.Parameter(lib.ones(2)) for _ in range(n)]


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the test compares whatever both libraries raise
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("name", ALL)
def test_defaults_group_keys_and_repr_match_torch(name):
    def groups(lib):
        if name == "LBFGS":
            return [{"params": _params(lib), "lr": 0.5}]
        return [{"params": _params(lib)}, {"params": _params(lib), "lr": 0.5}]

    t = getattr(torch.optim, name)(groups(torch))
    e = getattr(ember.optim, name)(groups(ember))
    assert e.defaults == t.defaults
    assert [list(g) for g in e.param_groups] == [list(g) for g in t.param_groups]
    assert repr(e) == repr(t)
    assert e.state_dict()["param_groups"] == t.state_dict()["param_groups"]


BAD = [
    ("SGD", {"lr": -0.1}), ("SGD", {"lr": 0.1, "momentum": -1}), ("SGD", {"lr": 0.1, "weight_decay": -1}),
    ("SGD", {"lr": 0.1, "nesterov": True}), ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("SGD", {"lr": 0.1, "fused": True, "foreach": True}),
    ("Adam", {"lr": -1.0}), ("Adam", {"eps": -1e-8}), ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -0.1}), ("Adam", {"betas": (0, 0.9)}),
    ("Adam", {"fused": True, "foreach": True}), ("AdamW", {"betas": (0.9, 1.5)}),
    ("Adamax", {"eps": -1.0}), ("NAdam", {"momentum_decay": -1.0}), ("RAdam", {"betas": (-0.5, 0.9)}),
    ("Adadelta", {"rho": 1.5}), ("Adadelta", {"lr": -1.0}), ("Adagrad", {"lr_decay": -1.0}),
    ("Adagrad", {"initial_accumulator_value": -1.0}), ("Adagrad", {"eps": -1.0}),
    ("RMSprop", {"alpha": -1.0}), ("RMSprop", {"momentum": -1.0}), ("Rprop", {"etas": (1.5, 1.2)}),
    ("Rprop", {"etas": (0.5, 0.9)}), ("ASGD", {"weight_decay": -1.0}), ("SparseAdam", {"lr": -1e-3}),
    ("LBFGS", {"lr": -1.0}),
]


@pytest.mark.parametrize("name,kwargs", BAD)
def test_invalid_hyperparameters_raise_torch_errors(name, kwargs):
    t = _raised(lambda: getattr(torch.optim, name)(_params(torch), **kwargs))
    e = _raised(lambda: getattr(ember.optim, name)(_params(ember), **kwargs))
    assert t is not None and e == t


def _par(lib):
    return lib.nn.Parameter(lib.ones(2))


def _twice(lib):
    p = _par(lib)
    return lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


CONSTRUCTION = [
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD(_par(lib), lr=0.1),
    lambda lib: lib.optim.SGD([1], lr=0.1),
    lambda lib: lib.optim.SGD([_par(lib) * 2], lr=0.1),
    _twice,
    lambda lib: lib.optim.SGD([{"params": [_par(lib)]}]).add_param_group([]),
    lambda lib: lib.optim.SGD([{"params": {_par(lib)}}]),
    lambda lib: lib.optim.SGD([("a", _par(lib)), _par(lib)]),
    lambda lib: _loaded(lib, {"state": {}, "param_groups": []}),
    lambda lib: _loaded(lib, {"state": {}, "param_groups": [{"params": [0, 1, 2]}]}),
]


@pytest.mark.parametrize("make", CONSTRUCTION)
def test_construction_errors_match_torch(make):
    t = _raised(lambda: make(torch))
    e = _raised(lambda: make(ember))
    assert t is not None and e == t


def _loaded(lib, sd):
    lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1).load_state_dict(sd)


def test_duplicate_parameters_warn():
    p = ember.nn.Parameter(ember.ones(2))
    with pytest.warns(UserWarning, match="optimizer contains a parameter group with duplicate parameters"):
        ember.optim.SGD([p, p], lr=0.1)


def test_generator_named_params_and_add_param_group():
    ps = _params(ember, 3)
    opt = ember.optim.Adam((p for p in ps[:2]), lr=0.1)
    assert opt.param_groups[0]["params"] == ps[:2]
    opt.add_param_group({"params": ps[2], "lr": 0.01, "amsgrad": True})
    assert opt.param_groups[1]["params"] == [ps[2]] and opt.param_groups[1]["betas"] == (0.9, 0.999)
    named = ember.optim.SGD([("a", ps[0]), ("b", ps[1])], lr=0.1)
    tnamed = torch.optim.SGD([("a", _params(torch)[0]), ("b", _params(torch)[0])], lr=0.1)
    assert named.state_dict()["param_groups"] == tnamed.state_dict()["param_groups"]


def test_state_dict_structure_and_step_dtype():
    p = Pair("Adam", {"lr": 0.01, "amsgrad": True}, np.float64)
    p.step(3)
    sd = p.eopt.state_dict()
    assert sd["state"][0]["step"].dtype == ember.float32 and sd["state"][0]["step"].shape == ()
    assert float(sd["state"][0]["step"]) == 3.0
    assert sd["state"][0] is p.eopt.state[p.ep[0]]  # by reference, as in PyTorch
    p.check_state()
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    q = Pair("NAdam", {"lr": 0.01}, np.float64)
    q.step(2)
    q.check_state()
    assert q.eopt.state_dict()["state"][0]["mu_product"].dtype == ember.float64


def test_zero_grad_matches_torch():
    for set_to_none in (True, False):
        grads = []
        for lib in (torch, ember):
            p = lib.nn.Parameter(lib.ones(3))
            opt = lib.optim.SGD([p], lr=0.1)
            (p * 2).sum().backward()
            opt.zero_grad(set_to_none=set_to_none)
            grads.append(None if p.grad is None else p.grad.tolist())
            (p * 3).sum().backward()
            grads.append(p.grad.tolist())
        assert grads[:2] == grads[2:]


def test_closure_runs_with_grad_enabled_and_returns_loss():
    w = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    opt = ember.optim.SGD([w], lr=0.1)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and float(loss) == 5.0 and w.tolist() == pytest.approx([0.8, 1.6])


def test_step_hooks_and_state_dict_hooks():
    calls = []
    w = ember.nn.Parameter(ember.ones(1))
    w.grad = ember.ones(1)
    opt = ember.optim.SGD([w], lr=0.1)
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt, a, k)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", o is opt)))
    g = ember.optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("global",)))
    opt.step()
    assert calls == [("global",), ("pre", True, (), {}), ("post", True)]
    h1.remove()
    h2.remove()
    g.remove()
    opt.register_step_pre_hook(lambda o, a, k: ((), {"closure": lambda: 7.0}))
    assert opt.step() == 7.0
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    assert opt.state_dict()["extra"] == 1
    opt.register_load_state_dict_pre_hook(lambda o, sd: calls.append("load-pre"))
    opt.register_load_state_dict_post_hook(lambda o: calls.append("load-post"))
    opt.load_state_dict(opt.state_dict())
    assert calls[-2:] == ["load-pre", "load-post"]


def test_lr_as_tensor_and_capturable_differentiable_flags():
    w = ember.nn.Parameter(ember.ones(2))
    w.grad = ember.ones(2)
    ember.optim.Adam([w], lr=ember.tensor(0.1)).step()
    assert w.tolist() == pytest.approx([0.9, 0.9])
    with pytest.raises(AssertionError, match="If capturable=True"):
        ember.optim.Adam([w], capturable=True).step()
    with pytest.raises(RuntimeError, match="differentiable=True"):
        ember.optim.Adam([w], differentiable=True).step()


# ----------------------------------------------------------------------------- the flat fast path stays correct
def test_fast_path_survives_data_assignment_and_in_place_edits():
    p = Pair("Adam", {"lr": 0.01}, np.float32)
    p.step(3)
    new = np.full((4, 8), 0.05, np.float32)
    p.tp[0].data = torch.tensor(new)
    p.ep[0].data = ember.tensor(new)  # replaces the flat view: the layout is rebuilt at the next step
    p.step(3)
    with torch.no_grad():
        p.tp[1].mul_(0.5)
        p.topt.state[p.tp[2]]["exp_avg"].zero_()
    with ember.no_grad():
        p.ep[1].mul_(0.5)  # writes into the flat buffer through the view
        p.eopt.state[p.ep[2]]["exp_avg"].mul_(0.0)
    p.step(3)
    p.check()
    p.check_state()


@pytest.mark.parametrize("edit", ["fill", "assign", "assign_data"])
def test_fast_path_sees_an_edited_or_replaced_step_count(edit):
    """A step count written in place, or replaced by a new tensor, is the one the next update uses."""
    def run(lib):
        w = np.arange(6, dtype=np.float32).reshape(2, 3)
        ps = [lib.nn.Parameter(lib.tensor(w)), lib.nn.Parameter(lib.ones(3))]
        opt = lib.optim.Adam(ps, lr=0.1)
        for i in range(4):
            for p in ps:
                p.grad = lib.ones_like(p) * (i + 1)
            opt.step()
            if i == 1:
                st = opt.state[ps[0]]
                if edit == "fill":
                    st["step"].fill_(10.0)
                elif edit == "assign":
                    st["step"] = lib.tensor(10.0)
                else:
                    st["step"].data = lib.tensor(10.0)
        return [to_np(p) for p in ps], [float(opt.state[p]["step"]) for p in ps]

    (tw, ts), (ew, es) = run(torch), run(ember)
    assert es == ts == [12.0, 4.0]
    for a, b in zip(ew, tw):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_fast_path_with_grads_appearing_and_param_group_added():
    p = Pair("SGD", {"lr": 0.05, "momentum": 0.9}, np.float32)
    p.step(2)
    for lib, params in ((torch, p.tp), (ember, p.ep)):
        params.append(lib.nn.Parameter(lib.ones(2, 2) * 0.5))
    p.topt.add_param_group({"params": [p.tp[-1]], "lr": 0.1})
    p.eopt.add_param_group({"params": [p.ep[-1]], "lr": 0.1})
    for i in range(4):
        tc, ec = p.closures()
        p.t += 1
        tc()
        ec()
        if i % 2:  # the new parameter gets a gradient every other step only
            p.tp[-1].grad = torch.full((2, 2), 0.3)
            p.ep[-1].grad = ember.full((2, 2), 0.3)
        p.topt.step()
        p.eopt.step()
    p.check()
    p.check_state()


def test_state_dict_copy_is_independent_of_training():
    p = Pair("RMSprop", {"lr": 0.01, "momentum": 0.5}, np.float32)
    p.step(2)
    snap = copy.deepcopy(p.eopt.state_dict())
    before = to_np(snap["state"][0]["square_avg"])
    p.step(2)
    np.testing.assert_array_equal(to_np(snap["state"][0]["square_avg"]), before)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p.eopt.load_state_dict(snap)


@pytest.mark.parametrize("name,kwargs", [("Adam", {"lr": 0.1, "amsgrad": True}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                         ("RMSprop", {"centered": True}), ("Rprop", {}), ("Adagrad", {}),
                                         ("ASGD", {}), ("NAdam", {}), ("RAdam", {}), ("Adadelta", {}), ("Adamax", {})])
def test_complex_parameters_match_torch(name, kwargs):
    """Complex parameters are updated through their real view, as PyTorch does (both ember paths)."""
    rng = np.random.default_rng(0)
    w = (rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype(np.complex64)
    tw = torch.nn.Parameter(torch.tensor(w))
    ews = [ember.nn.Parameter(ember.tensor(w)) for _ in range(2)]
    to = getattr(torch.optim, name)([tw], **kwargs)
    eos = [getattr(ember.optim, name)([ew], foreach=fe, **kwargs) for ew, fe in zip(ews, (None, False))]
    for _ in range(10):
        g = (rng.standard_normal(5) + 1j * rng.standard_normal(5)).astype(np.complex64)
        tw.grad = torch.tensor(g)
        to.step()
        for ew, eo in zip(ews, eos):
            ew.grad = ember.tensor(g)
            eo.step()
    np.testing.assert_array_equal(to_np(ews[0]), to_np(ews[1]))
    np.testing.assert_allclose(to_np(ews[0]), to_np(tw), rtol=1e-5, atol=1e-6)
    assert ews[0].dtype == ember.complex64
