"""Shared helpers of the optimizer tests: one small MLP built from raw parameters in torch and in ember."""
from __future__ import annotations

import copy

import numpy as np
import torch

import ember

TOL = {np.float32: {"rtol": 1e-5, "atol": 1e-6}, np.float64: {"rtol": 1e-10, "atol": 1e-12}}


def make_arrays(seed: int = 0, dtype=np.float32, many: bool = False):
    """Initial weights (W1, b1, W2, b2 [, a scalar, a matrix, a vector]) and 40 mini-batches X, Y."""
    rng = np.random.default_rng(seed)
    arrs = [rng.standard_normal((4, 8)) * 0.5, rng.standard_normal(8) * 0.1, rng.standard_normal((8, 3)) * 0.5,
            rng.standard_normal(3) * 0.1]
    if many:
        arrs += [rng.standard_normal(()) * 0.3, rng.standard_normal((3, 3)) * 0.2, rng.standard_normal(5) * 0.2]
    x = rng.standard_normal((40, 16, 4))  # a new mini-batch each step, so that gradients vary between steps
    y = rng.standard_normal((40, 16, 3))
    return [a.astype(dtype) for a in arrs], x.astype(dtype), y.astype(dtype)


def loss_fn(lib, params, x, y):
    """MSE of a 2-layer tanh MLP; optional extra parameters add small data-dependent terms."""
    w1, b1, w2, b2 = params[:4]
    h = lib.tanh(x @ w1 + b1)
    out = h @ w2 + b2
    loss = ((out - y) ** 2).mean()
    if len(params) > 4:
        s, m, v = params[4:7]
        loss = (loss + (s * x[:, 0]).tanh().mean() * 0.2 + ((x[:, :3] @ m).tanh() ** 2).mean() * 0.1
                + (y[:, :1] * v).tanh().mean() * 0.1)
    return loss


def to_np(t) -> np.ndarray:
    return np.array(t.detach().numpy(), copy=True)


class Pair:
    """The same model in torch and in ember, with one optimizer each; ``step`` trains both on the same batches."""

    def __init__(self, name, kwargs, dtype=np.float32, many=True, seed=0, groups=None, ember_kwargs=None,
                 arrays=None):
        arrs, x, y = make_arrays(seed, dtype, many)
        if arrays is not None:
            arrs = arrays
        self.tp = [torch.nn.Parameter(torch.tensor(a)) for a in arrs]
        self.ep = [ember.nn.Parameter(ember.tensor(a)) for a in arrs]
        self.x, self.y = x, y
        self.t = 0
        self.dtype = dtype
        self.name, self.kwargs, self.groups = name, kwargs, groups
        self.ekwargs = dict(kwargs, **(ember_kwargs or {}))
        self.sign = -1.0 if kwargs.get("maximize") else 1.0  # ascend on -loss so that maximize converges too
        self.topt = self.make(torch, self.tp, kwargs)
        self.eopt = self.make(ember, self.ep, self.ekwargs)

    def make(self, lib, params, kwargs):
        cls = getattr(lib.optim, self.name)
        if self.groups is None:
            return cls(params, **kwargs)
        return cls([dict({"params": [params[i] for i in ix]}, **o) for ix, o in self.groups], **kwargs)

    def closures(self):
        x, y = self.x[self.t % len(self.x)], self.y[self.t % len(self.x)]

        def tc():
            self.topt.zero_grad()
            loss = loss_fn(torch, self.tp, torch.tensor(x), torch.tensor(y)) * self.sign
            loss.backward()
            return loss

        def ec():
            self.eopt.zero_grad()
            loss = loss_fn(ember, self.ep, ember.tensor(x), ember.tensor(y)) * self.sign
            loss.backward()
            return loss

        return tc, ec

    def step(self, n: int = 1, closure: bool = False):
        for _ in range(n):
            tc, ec = self.closures()
            self.t += 1
            if closure:
                lt = self.topt.step(tc)
                le = self.eopt.step(ec)
                np.testing.assert_allclose(float(le), float(lt.detach()), **TOL[self.dtype])
            else:
                tc()
                ec()
                self.topt.step()
                self.eopt.step()

    def check(self, tol=None):
        for tp, ep in zip(self.tp, self.ep):
            a, b = to_np(ep), to_np(tp)
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_allclose(a, b, **(tol or TOL[self.dtype]))

    def check_state(self, tol=None):
        """Same state_dict structure (keys, order, dtypes, shapes), state values and param_groups."""
        assert_state_dicts_match(self.topt.state_dict(), self.eopt.state_dict(), tol or TOL[self.dtype])


def assert_state_dicts_match(ts, es, tol):
    assert list(ts["state"].keys()) == list(es["state"].keys())
    for k in ts["state"]:
        assert list(ts["state"][k].keys()) == list(es["state"][k].keys())
        for key, tv in ts["state"][k].items():
            ev = es["state"][k][key]
            if isinstance(tv, torch.Tensor):
                assert isinstance(ev, ember.Tensor), key
                assert str(ev.dtype) == str(tv.dtype) and tuple(ev.shape) == tuple(tv.shape), key
                np.testing.assert_allclose(to_np(ev), to_np(tv), **tol, err_msg=key)
            elif isinstance(tv, list):
                assert len(ev) == len(tv), key
            elif isinstance(tv, float):
                assert type(ev) is float, key
                np.testing.assert_allclose(ev, tv, **tol, err_msg=key)
            else:
                assert type(ev) is type(tv) and ev == tv, key
    strip = [{k: v for k, v in g.items() if k != "foreach"} for g in ts["param_groups"]]
    assert strip == [{k: v for k, v in g.items() if k != "foreach"} for g in es["param_groups"]]


def torch_state_to_ember(sd):
    """A torch optimizer state_dict converted to ember tensors through NumPy (deep copy)."""
    def conv(v):
        if isinstance(v, torch.Tensor):
            return ember.tensor(v.detach().numpy().copy())
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return copy.deepcopy(v)
    return conv(sd)


# ----------------------------------------------------------------------------- generic checks used per algorithm
def check_against_torch(name, kwargs, dtype, steps=20, groups=None, closure=False):
    """20 steps of the same model in both libraries: parameters and optimizer state agree."""
    p = Pair(name, kwargs, dtype, groups=groups)
    p.step(steps, closure=closure)
    p.check()
    p.check_state()


def check_roundtrip(name, kwargs, dtype=np.float64):
    """Save after 10 steps, load into a fresh optimizer: the next 10 steps equal the uninterrupted run exactly."""
    p = Pair(name, kwargs, dtype)
    p.step(10)
    sd = copy.deepcopy(p.eopt.state_dict())
    fresh = [ember.nn.Parameter(ember.tensor(to_np(q))) for q in p.ep]
    opt2 = p.make(ember, fresh, p.ekwargs)
    opt2.load_state_dict(sd)
    x, y = p.x, p.y
    for t in range(10, 20):
        for params, opt in ((p.ep, p.eopt), (fresh, opt2)):
            opt.zero_grad()
            (loss_fn(ember, params, ember.tensor(x[t]), ember.tensor(y[t])) * p.sign).backward()
            opt.step()
    for a, b in zip(p.ep, fresh):
        np.testing.assert_array_equal(to_np(a), to_np(b))


def check_load_torch_state(name, kwargs, dtype=np.float64):
    """Ember continues a run from PyTorch's state_dict (converted through NumPy) like PyTorch does."""
    p = Pair(name, kwargs, dtype)
    p.step(10)
    for ep, tp in zip(p.ep, p.tp):  # start from torch's parameters
        ep.data = ember.tensor(to_np(tp))
    p.eopt = p.make(ember, p.ep, p.ekwargs)
    p.eopt.load_state_dict(torch_state_to_ember(p.topt.state_dict()))
    p.step(10)
    p.check()
    p.check_state()


def synthetic_run(name, kwargs, foreach, steps=12, seed=3):
    """Ember only: a mixed set of parameters (dtypes, shapes, a transposed one, large ones, a complex one, groups,
    missing grads) stepped with given gradients; returns the final parameter values and state."""
    rng = np.random.default_rng(seed)
    shapes = [(5, 4), (4,), (), (3, 7), (70000,), (2, 3)]
    arrs = [rng.standard_normal(s).astype(np.float32) for s in shapes] + [rng.standard_normal((3, 2))]
    arrs.append((rng.standard_normal(3000) + 1j * rng.standard_normal(3000)).astype(np.complex64))
    params = [ember.nn.Parameter(ember.tensor(a)) for a in arrs]
    params[3] = ember.nn.Parameter(ember.tensor(arrs[3].T.copy()).t())  # non-contiguous parameter
    groups = [{"params": params[:4] + params[6:7]},
              {"params": params[4:6] + params[7:], "lr": kwargs.get("lr", 1e-3) * 0.5}]
    opt = getattr(ember.optim, name)(groups, foreach=foreach, **kwargs)
    for t in range(steps):
        for i, p in enumerate(params):
            skip = (i == 1 and t % 3 == 2) or (i == 5 and t < 4)  # some steps without a gradient
            g = rng.standard_normal(p.shape) + (1j * rng.standard_normal(p.shape) if i == 7 else 0)
            p.grad = None if skip else ember.tensor((g * 0.1).astype(arrs[i].dtype))
        opt.step()
    values = [to_np(p) for p in params]
    state = [{k: (to_np(v) if isinstance(v, ember.Tensor) else v) for k, v in opt.state[p].items()} for p in params]
    return values, state


def check_paths_equal(name, kwargs):
    """The flat fast path (foreach=None/True) and the per-parameter path (foreach=False) give identical numbers.

    Chunk and thread thresholds are lowered so that small tensors exercise the chunked, two-thread kernel calls.
    """
    from ember.optim import _elementwise as E

    saved = E._CHUNK, E._PARALLEL_MIN
    E._CHUNK, E._PARALLEL_MIN = 1000, 20000
    try:
        v1, s1 = synthetic_run(name, kwargs, None)
    finally:
        E._CHUNK, E._PARALLEL_MIN = saved
    v2, s2 = synthetic_run(name, kwargs, False)
    for a, b in zip(v1, v2):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(s1, s2):
        assert list(a) == list(b)
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
