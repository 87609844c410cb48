"""nn.Module: registration, iteration, state_dict/load_state_dict, hooks, modes, dtype moves, repr, pickling."""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember

from ._nn_compare import assert_same, copy_weights, pair, randn


def _nets(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.ones(2), persistent=False)
            self.scale = nn.Parameter(lib.ones(1))
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale + self.running

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
            self.heads = nn.ModuleList([nn.Linear(2, 1), nn.Linear(2, 1)])
            self.extra = nn.ModuleDict({"b": nn.Linear(2, 2)})
            self.shared = self.seq[0]

        def forward(self, x):
            h = self.seq(self.block(x))
            return self.heads[0](h) + self.heads[1](self.extra["b"](h))

    return Net()


def test_nested_model_keys_repr_and_numbers():
    tnet, enet = _nets(torch), _nets(ember)
    assert list(enet.state_dict()) == list(tnet.state_dict())
    assert [n for n, _ in enet.named_parameters()] == [n for n, _ in tnet.named_parameters()]
    assert [n for n, _ in enet.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in tnet.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in enet.named_buffers()] == [n for n, _ in tnet.named_buffers()]
    assert [n for n, _ in enet.named_modules()] == [n for n, _ in tnet.named_modules()]
    assert [n for n, _ in enet.named_modules(remove_duplicate=False)] == \
        [n for n, _ in tnet.named_modules(remove_duplicate=False)]
    assert [n for n, _ in enet.named_children()] == [n for n, _ in tnet.named_children()]
    assert [n for n, _ in enet.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in tnet.named_parameters(prefix="m", recurse=False)]
    assert repr(enet) == repr(tnet)
    assert enet.state_dict()._metadata == tnet.state_dict()._metadata
    copy_weights(tnet, enet)
    x = randn((5, 3))
    (ex, tx) = pair(x, True)
    eo, to = enet(ex), tnet(tx)
    assert_same(eo, to)
    eo.sum().backward()
    to.sum().backward()
    assert_same(ex.grad, tx.grad)
    ep = dict(enet.named_parameters())
    for n, p in tnet.named_parameters():
        assert_same(ep[n].grad, p.grad, name=n)


def test_state_dict_is_detached_and_keep_vars():
    m = ember.nn.Linear(2, 2)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad and sd["weight"].grad_fn is None
    assert sd["weight"].data_ptr() == m.weight.data_ptr()
    assert m.state_dict(keep_vars=True)["weight"] is m.weight
    assert list(m.state_dict(prefix="p.")) == ["p.weight", "p.bias"]


def test_load_state_dict_errors_match_torch():
    tm, em = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()), \
        ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.ReLU())
    bad_t = {"0.weight": torch.zeros(3, 2), "x": torch.zeros(1)}
    bad_e = {"0.weight": np.zeros((3, 2), np.float32), "x": ember.zeros(1)}
    with pytest.raises(RuntimeError) as te:
        tm.load_state_dict(bad_t)
    with pytest.raises(RuntimeError) as ee:
        em.load_state_dict(bad_e)
    assert str(ee.value) == str(te.value)
    assert "size mismatch for 0.weight: copying a param with shape torch.Size([3, 2]) from checkpoint" in str(ee.value)
    r_t = tm.load_state_dict({"0.weight": torch.zeros(2, 2), "y": torch.zeros(1)}, strict=False)
    r_e = em.load_state_dict({"0.weight": np.zeros((2, 2), np.float32), "y": np.zeros(1)}, strict=False)
    assert repr(r_e) == repr(r_t) and r_e.missing_keys == ["0.bias"] and r_e.unexpected_keys == ["y"]
    assert repr(em.load_state_dict(em.state_dict())) == "<All keys matched successfully>"
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        em.load_state_dict([1, 2])


def test_load_state_dict_copies_in_place_without_grad():
    m = ember.nn.Linear(2, 3)
    w = m.weight
    v0 = w._version
    src = ember.nn.Linear(2, 3)
    m.load_state_dict(src.state_dict())
    assert m.weight is w and w.requires_grad and w.grad_fn is None and w._version > v0
    np.testing.assert_array_equal(w.detach().numpy(), src.weight.detach().numpy())
    m.load_state_dict({"weight": np.ones((2, 3), np.float64).T, "bias": ember.zeros(3, dtype=ember.float64)})
    assert m.weight.dtype == ember.float32 and float(m.weight.sum()) == 6.0
    m2 = ember.nn.Linear(2, 3)
    m2.load_state_dict({"weight": ember.ones(3, 2), "bias": ember.zeros(3)}, assign=True)
    assert isinstance(m2.weight, ember.nn.Parameter) and m2.weight.requires_grad


def test_buffers_persistent_and_registration_errors():
    m = ember.nn.Module()
    m.register_buffer("a", ember.zeros(2))
    m.register_buffer("b", ember.zeros(2), persistent=False)
    m.c = ember.nn.Buffer(ember.zeros(1), persistent=False)
    m.d = ember.nn.Buffer(ember.zeros(1))
    assert list(m.state_dict()) == ["a", "d"]
    assert m._non_persistent_buffers_set == {"b", "c"}
    assert type(m.c) is ember.Tensor
    m.a = ember.ones(2)  # re-assigning a buffer keeps it a buffer
    assert "a" in m._buffers and float(m.a.sum()) == 2
    with pytest.raises(TypeError, match=r"cannot assign 'int' as buffer 'a' \(torch.Tensor or None expected\)"):
        m.a = 3
    with pytest.raises(KeyError, match="attribute 'a' already exists"):
        m.register_parameter("a", ember.nn.Parameter(ember.zeros(1)))
    with pytest.raises(KeyError, match="buffer name can.+t contain"):
        m.register_buffer("x.y", None)
    with pytest.raises(TypeError, match="cannot assign 'list' object to buffer 'z'"):
        m.register_buffer("z", [1])
    m.w = ember.nn.Parameter(ember.zeros(1))
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'w' \(torch.nn.Parameter or "
                                        r"None expected\)"):
        m.w = ember.zeros(1)
    with pytest.raises(TypeError, match="ember.nn.modules.linear.Linear is not a Module subclass|int is not a Module"):
        m.add_module("q", 3)
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' object to parameter 'nl'"):
        m.register_parameter("nl", ember.nn.Parameter(ember.zeros(1)) * 2)
    del m.a, m.c, m.w
    assert "a" not in m._buffers and "c" not in m._non_persistent_buffers_set and "w" not in m._parameters
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'a'"):
        m.a

    class NoInit(ember.nn.Module):
        def __init__(self):
            self.fc = ember.nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        NoInit()


def test_get_submodule_parameter_buffer():
    enet, tnet = _nets(ember), _nets(torch)
    assert enet.get_submodule("seq.0") is enet.seq[0]
    assert enet.get_parameter("block.fc.weight") is enet.block.fc.weight
    assert enet.get_buffer("block.running") is enet.block.running
    for fn, arg in [("get_submodule", "seq.9"), ("get_submodule", "block.scale"), ("get_parameter", "block.running"),
                    ("get_parameter", "block.nope"), ("get_buffer", "block.scale")]:
        with pytest.raises(AttributeError) as te:
            getattr(tnet, fn)(arg)
        with pytest.raises(AttributeError) as ee:
            getattr(enet, fn)(arg)
        assert str(ee.value) == str(te.value)


def test_train_eval_requires_grad_zero_grad_apply():
    net = _nets(ember)
    assert net.training and all(m.training for m in net.modules())
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")
    net(ember.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    tseen = []
    _nets(torch).apply(lambda m: tseen.append(type(m).__name__))
    assert seen == tseen


def test_to_float_double_half_type():
    m = ember.nn.Sequential(ember.nn.Linear(2, 2))
    m[0].register_buffer("count", ember.zeros(1, dtype=ember.int64))
    w = m[0].weight
    assert m.double() is m and m[0].weight is w and w.dtype == ember.float64
    assert m[0].count.dtype == ember.int64
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.to("cpu", dtype=ember.float64)
    assert w.dtype == ember.float64
    m.half()
    assert w.dtype == ember.float16
    m.float()
    assert w.dtype == ember.float32
    m.to(ember.zeros(1, dtype=ember.float64))
    assert w.dtype == ember.float64
    with pytest.raises(TypeError, match=r"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                        r"dtype=torch.int64"):
        m.to(ember.int64)
    assert m.cpu() is m and m.share_memory() is m


def test_forward_hooks_match_torch():
    logs = {}
    for lib in (torch, ember):
        log = logs[lib.__name__] = []
        m = lib.nn.Linear(2, 2)
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))))
        m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.register_forward_pre_hook(lambda mod, args, kw: log.append(("prekw", sorted(kw))) or None,
                                    with_kwargs=True, prepend=True)
        m.register_forward_hook(lambda mod, args, out: out * 0 + 1)
        h2 = m.register_forward_hook(lambda mod, args, kw, out: log.append(("fwdkw", float(out.detach().sum()))),
                                     with_kwargs=True)
        out = m(lib.ones(1, 2))
        log.append(("out", out.tolist()))
        h1.remove()
        with h2:
            pass
        m(lib.ones(1, 2))
    assert logs["ember"] == logs["torch"]


def test_forward_hook_always_call_on_error():
    for lib in (torch, ember):
        called = []

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m = Boom()
        m.register_forward_hook(lambda mod, a, o: called.append(o), always_call=True)
        with pytest.raises(ValueError, match="boom"):
            m(lib.ones(1))
        assert called == [None]


def _backward_hook_log(lib, x_requires_grad=True):
    log = []
    torch.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh())
    m.load_state_dict({"0.weight": lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 10),
                       "0.bias": lib.tensor(np.array([0.1, -0.2], np.float32))})

    def bw(mod, gin, gout):
        log.append(("bw", type(mod).__name__, [None if g is None else np.round(g.numpy(), 5).tolist() for g in gin],
                    [np.round(g.numpy(), 5).tolist() for g in gout]))

    def pre(mod, gout):
        log.append(("pre", type(mod).__name__, [np.round(g.numpy(), 5).tolist() for g in gout]))
        return (gout[0] * 2,)

    m[0].register_full_backward_hook(bw)
    m[1].register_full_backward_pre_hook(pre)
    m[1].register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 3,))
    x = lib.tensor([[1.0, -1.0, 0.5]], requires_grad=x_requires_grad)
    y = m(x)
    log.append(("grad_fn", type(y.grad_fn).__name__))
    y.sum().backward()
    log.append(("w", np.round(m[0].weight.grad.numpy(), 5).tolist()))
    if x_requires_grad:
        log.append(("x", np.round(x.grad.numpy(), 5).tolist()))
    return log


@pytest.mark.filterwarnings("ignore:Full backward hook")
@pytest.mark.parametrize("x_requires_grad", [True, False])
def test_full_backward_hooks_match_torch(x_requires_grad):
    assert _backward_hook_log(ember, x_requires_grad) == _backward_hook_log(torch, x_requires_grad)


def test_global_forward_hook():
    from ember.nn.modules.module import register_module_forward_hook

    seen = []
    h = register_module_forward_hook(lambda m, a, o: seen.append(type(m).__name__))
    try:
        ember.nn.Sequential(ember.nn.ReLU())(ember.ones(1))
    finally:
        h.remove()
    ember.nn.ReLU()(ember.ones(1))
    assert seen == ["ReLU", "Sequential"]


class PickleNet(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.Tanh(), ember.nn.Linear(4, 2))
        self.shared = self.seq[0]
        self.block = ember.nn.Module()
        self.block.register_buffer("running", ember.ones(2))
        self.block.scale = ember.nn.Parameter(ember.ones(1))

    def forward(self, x):
        return self.seq(x) * self.block.scale + self.block.running


def test_pickle_deepcopy_dir_setstate():
    m = PickleNet()
    m2 = pickle.loads(pickle.dumps(m))
    m3 = copy.deepcopy(m)
    x = ember.ones(2, 3)
    for other in (m2, m3):
        assert repr(other) == repr(m)
        assert other.seq[0] is other.shared
        assert other.seq[0].weight is not m.seq[0].weight
        np.testing.assert_array_equal(other(x).detach().numpy(), m(x).detach().numpy())
        assert isinstance(other.seq[0].weight, ember.nn.Parameter) and other.seq[0].weight.requires_grad
    d = dir(m)
    assert "block" in d and "seq" in d and "forward" in d and "state_dict" in d
    assert "running" in dir(m.block) and "scale" in dir(m.block)
    st = m.__getstate__()
    st.pop("_forward_hooks_always_called")
    n = ember.nn.Module.__new__(type(m))
    n.__setstate__(st)
    assert hasattr(n, "_forward_hooks_always_called")


def test_version_and_misc():
    assert ember.nn.Module._version == torch.nn.Module._version == 1
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        ember.nn.Module()(1)
    m = ember.nn.Linear(2, 2)
    assert [p.shape for p in m.parameters()] == [(2, 2), (2,)]
    assert list(m.buffers()) == [] and list(m.children()) == []
