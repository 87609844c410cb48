"""ember.amp against torch.amp: GradScaler's scaling, unscaling, skipped steps, scale updates, state and errors on
the CPU; autocast disabled is a no-op, enabled raises NotImplementedError (not implemented) instead of computing in
another precision."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _train(m, grads_inf_at=(), steps=6, interval=2, **kw):
    """A few steps of a tiny model with a GradScaler; a gradient is made infinite at the given steps."""
    m.manual_seed(0)
    model = m.nn.Linear(3, 2)
    opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scaler = m.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=interval, **kw)
    x = m.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=m.float32)
    log = []
    for i in range(steps):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        scaled = scaler.scale(loss)
        scaled.backward()
        if i in grads_inf_at:
            model.bias.grad[0] = float("inf")
        if i % 2:
            scaler.unscale_(opt)  # explicit unscale (as before gradient clipping), then step
        scaler.step(opt)
        scaler.update()
        log.append((scaled.item(), scaler.get_scale(), scaler._get_growth_tracker(),
                    [p.detach().numpy().copy() for p in model.parameters()]))
    return log, scaler.state_dict()


@pytest.mark.parametrize("inf_at", [(), (1,), (0, 3, 4)], ids=str)
def test_grad_scaler_matches_torch(inf_at):
    t_log, t_state = _train(torch, inf_at)
    e_log, e_state = _train(ember, inf_at)
    assert e_state == t_state
    for (ts, tscale, ttrack, tp), (es, escale, etrack, ep) in zip(t_log, e_log):
        assert es == pytest.approx(ts, rel=1e-5) and escale == tscale and etrack == ttrack
        for a, b in zip(tp, ep):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_scale_of_iterables_and_state_dict_round_trip():
    for m in (torch, ember):
        s = m.amp.GradScaler("cpu", init_scale=4.0)
        a, b = s.scale([m.tensor(1.0), m.tensor(2.0)])
        assert (a.item(), b.item()) == (4.0, 8.0)
        s2 = m.amp.GradScaler("cpu")
        s2.load_state_dict({"scale": 8.0, "growth_factor": 3.0, "backoff_factor": 0.25, "growth_interval": 5,
                            "_growth_tracker": 2})
        assert s2.get_scale() == 8.0 and s2.get_growth_factor() == 3.0 and s2._get_growth_tracker() == 2


def test_disabled_and_unavailable_scalers_pass_through():
    for m in (torch, ember):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            s = m.amp.GradScaler("cuda")
        assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}
        x = m.tensor(3.0)
        assert s.scale(x) is x
        with pytest.warns(FutureWarning, match="deprecated"), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert not m.cuda.amp.GradScaler().is_enabled()
        w = m.tensor([1.0], requires_grad=True)
        opt = m.optim.SGD([w], lr=0.5)
        off = m.amp.GradScaler("cpu", enabled=False)
        off.scale(w.sum()).backward()
        off.step(opt)
        off.update()
        assert w.item() == 0.5


@pytest.mark.parametrize("fn", [
    lambda m, s, o: (s.unscale_(o), s.unscale_(o)),
    lambda m, s, o: (s.step(o), s.step(o)),
    lambda m, s, o: (s.step(o), s.unscale_(o)),
])
def test_scaler_errors_match_torch(fn):
    msgs = []
    for m in (torch, ember):
        w = m.tensor([1.0], requires_grad=True)
        opt = m.optim.SGD([w], lr=0.5)
        s = m.amp.GradScaler("cpu")
        s.scale(w.sum()).backward()
        with pytest.raises(RuntimeError) as err:
            fn(m, s, opt)
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]


def test_unscale_before_scale_is_an_assertion_error():
    for m in (torch, ember):
        with pytest.raises(AssertionError, match="_scale is None"):
            m.amp.GradScaler("cpu").unscale_(m.optim.SGD([m.zeros(1, requires_grad=True)], lr=1.0))


def test_autocast_disabled_is_a_noop_and_enabled_is_refused():
    for m in (torch, ember):
        assert m.get_autocast_dtype("cpu") == m.bfloat16 and m.get_autocast_dtype("cuda") == m.float16
        with m.autocast("cpu", enabled=False):
            assert not m.is_autocast_enabled("cpu")
            y = m.ones(2, 2) @ m.ones(2, 2)
        assert y.dtype == m.float32

        @m.autocast("cpu", enabled=False)
        def f(x):
            return x * 2
        assert f(m.ones(1)).item() == 2.0
    with pytest.raises(NotImplementedError, match="mixed precision"):
        with ember.autocast("cpu"):
            pass
    with pytest.raises(NotImplementedError, match="mixed precision"):
        with ember.amp.autocast("cuda", dtype=ember.float16):
            pass
    same = []
    for m in (torch, ember):
        with pytest.raises(RuntimeError) as err:
            m.autocast("xyz")
        same.append(str(err.value))
    assert same[0] == same[1]


def test_docstring_examples():
    import doctest  # noqa: PLC0415

    import ember.amp  # noqa: PLC0415

    assert doctest.testmod(ember.amp, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_deprecated_per_device_names_warn_as_torch():
    for m in (torch, ember):
        with pytest.warns(FutureWarning, match=r"torch.cpu.amp.GradScaler\(args...\)` is deprecated"):
            s = m.cpu.amp.GradScaler()
        assert s.is_enabled() and s._device == "cpu"
        with pytest.warns(FutureWarning, match=r"torch.cpu.amp.autocast\(args...\)` is deprecated"):
            with m.cpu.amp.autocast(enabled=False):
                pass
        with pytest.warns(FutureWarning, match=r"torch.cuda.amp.autocast\(args...\)` is deprecated"):
            with m.cuda.amp.autocast(enabled=False):
                pass


def test_cpu_device_module():
    for m in (torch, ember):
        assert m.cpu.is_available() and m.cpu.device_count() == 1 and m.cpu.current_device() == "cpu"
        m.cpu.synchronize()
        with m.cpu.stream(m.cpu.current_stream()):
            pass
