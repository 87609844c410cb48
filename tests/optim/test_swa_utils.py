"""optim.swa_utils against PyTorch: AveragedModel (SWA, EMA, custom and multi avg functions, buffers), SWALR's
learning rates, update_bn, state dicts and errors."""
import numpy as np
import pytest
import torch

import ember

X = np.linspace(-1, 1, 24).reshape(8, 3).astype(np.float32)


def _net(m):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(3, 4), m.nn.BatchNorm1d(4), m.nn.ReLU(), m.nn.Linear(4, 1))


def _run(m, swa_maker, steps=5):
    model = _net(m)
    swa = swa_maker(m, model)
    opt = m.optim.SGD(model.parameters(), lr=0.1)
    sched = m.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="cos")
    x = m.tensor(X)
    lrs = []
    for _ in range(steps):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        swa.update_parameters(model)
        sched.step()
        lrs.append(sched.get_last_lr())
    m.optim.swa_utils.update_bn([(x[:4],), (x[4:],)], swa)
    state = swa.state_dict()
    return lrs, {k: v.detach().numpy().copy() for k, v in state.items()}, swa(x).detach().numpy()


MAKERS = {
    "swa": lambda m, model: m.optim.swa_utils.AveragedModel(model),
    "ema_multi": lambda m, model: m.optim.swa_utils.AveragedModel(
        model, multi_avg_fn=m.optim.swa_utils.get_ema_multi_avg_fn(0.9)),
    "ema_single": lambda m, model: m.optim.swa_utils.AveragedModel(
        model, avg_fn=m.optim.swa_utils.get_ema_avg_fn(0.9), use_buffers=True),
    "swa_multi": lambda m, model: m.optim.swa_utils.AveragedModel(
        model, multi_avg_fn=m.optim.swa_utils.get_swa_multi_avg_fn()),
    "ema_multi_buffers": lambda m, model: m.optim.swa_utils.AveragedModel(
        model, multi_avg_fn=m.optim.swa_utils.get_ema_multi_avg_fn(0.8), use_buffers=True),
    "custom": lambda m, model: m.optim.swa_utils.AveragedModel(model, avg_fn=lambda a, p, n: 0.5 * a + 0.5 * p),
}


@pytest.mark.parametrize("name", list(MAKERS))
def test_averaged_model_matches_torch(name):
    t_lrs, t_state, t_out = _run(torch, MAKERS[name])
    e_lrs, e_state, e_out = _run(ember, MAKERS[name])
    np.testing.assert_allclose(e_lrs, t_lrs, rtol=1e-15)
    assert e_state.keys() == t_state.keys()
    for k in t_state:
        assert e_state[k].dtype == t_state[k].dtype, k
        np.testing.assert_allclose(e_state[k], t_state[k], rtol=2e-6, atol=1e-7, err_msg=k)
    np.testing.assert_allclose(e_out, t_out, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("strategy,epochs", [("linear", 4), ("cos", 0), ("cos", 1)])
def test_swalr_schedules_and_state_dict(strategy, epochs):
    out = []
    for m in (torch, ember):
        opt = m.optim.SGD([{"params": [m.zeros(1, requires_grad=True)], "lr": 1.0},
                           {"params": [m.zeros(1, requires_grad=True)], "lr": 0.5}], lr=0.1)
        s = m.optim.swa_utils.SWALR(opt, swa_lr=[0.1, 0.2], anneal_epochs=epochs, anneal_strategy=strategy)
        lrs = []
        for _ in range(6):
            opt.step()
            s.step()
            lrs.append(s.get_last_lr())
        sd = s.state_dict()
        s2 = m.optim.swa_utils.SWALR(opt, swa_lr=0.3)
        s2.load_state_dict(sd)
        out.append((lrs, sorted(sd), s2.anneal_epochs, s2._anneal_strategy))
    assert out[0][1] == out[1][1] and out[0][2:] == out[1][2:]
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-15)


@pytest.mark.parametrize("fn", [
    lambda m: m.optim.swa_utils.SWALR(m.optim.SGD([m.zeros(1, requires_grad=True)], lr=1.0), 0.1,
                                      anneal_strategy="exp"),
    lambda m: m.optim.swa_utils.SWALR(m.optim.SGD([m.zeros(1, requires_grad=True)], lr=1.0), 0.1, anneal_epochs=-1),
    lambda m: m.optim.swa_utils.get_ema_avg_fn(1.5),
    lambda m: m.optim.swa_utils.get_ema_multi_avg_fn(-0.1),
])
def test_errors_match_torch(fn):
    from _reference import same_error  # noqa: PLC0415

    same_error(fn, exc=ValueError)


def test_both_avg_fns_is_an_assertion_error():
    for m in (torch, ember):
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            m.optim.swa_utils.AveragedModel(m.nn.Linear(1, 1), avg_fn=lambda *a: a[0],
                                            multi_avg_fn=lambda *a: None)
