"""BatchNorm, InstanceNorm, LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm (modules + functional) against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

from ._nn_compare import assert_same, compare_module, copy_weights, pair, randn


def _mods(name, dtype, *args, **kw):
    tm = getattr(torch.nn, name)(*args, **kw).to(getattr(torch, dtype))
    em = getattr(ember.nn, name)(*args, **kw).to(getattr(ember, dtype))
    with torch.no_grad():  # non-trivial affine parameters and running statistics
        for p in tm.parameters():
            p.copy_(torch.tensor(randn(tuple(p.shape), dtype, seed=7)))
        if getattr(tm, "running_mean", None) is not None:
            tm.running_mean.copy_(torch.tensor(randn(tuple(tm.running_mean.shape), dtype, seed=8)))
            tm.running_var.copy_(torch.tensor(np.abs(randn(tuple(tm.running_var.shape), dtype, seed=9)) + 0.5))
    copy_weights(tm, em)
    return tm, em


def _same_buffers(tm, em):
    eb = dict(em.named_buffers())
    for name, b in tm.named_buffers():
        assert_same(eb[name], b, name=name)


def _steps(tm, em, shape, dtype, n=3, grad_fn=True):
    """Several train steps then eval steps: outputs, gradients and every buffer after each step."""
    for i in range(n):
        compare_module(tm, em, [randn(shape, dtype, seed=i)], check_grad_fn=grad_fn)
        _same_buffers(tm, em)
    tm.eval()
    em.eval()
    compare_module(tm, em, [randn(shape, dtype, seed=10)], check_grad_fn=grad_fn)
    _same_buffers(tm, em)
    tm.train()
    em.train()


@pytest.mark.parametrize("kw", [{}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3}, {"affine": False},
                                {"track_running_stats": False}, {"bias": False}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batchnorm2d(kw, dtype):
    tm, em = _mods("BatchNorm2d", dtype, 3, **kw)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    _steps(tm, em, (4, 3, 5, 2), dtype)
    if kw.get("track_running_stats", True):
        assert em.num_batches_tracked.item() == tm.num_batches_tracked.item() == 3
        assert em.num_batches_tracked.dtype == ember.int64


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (2, 3)])
def test_batchnorm1d_3d(shape):
    tm, em = _mods("BatchNorm1d", "float64", 3)
    _steps(tm, em, shape, "float64")
    tm, em = _mods("BatchNorm3d", "float32", 2, momentum=None)
    _steps(tm, em, (2, 2, 3, 2, 4), "float32")


@pytest.mark.parametrize("kw", [{}, {"affine": True}, {"track_running_stats": True},
                                {"affine": True, "track_running_stats": True, "momentum": 0.2}])
def test_instancenorm(kw):
    tm, em = _mods("InstanceNorm2d", "float64", 3, **kw)
    assert repr(em) == repr(tm)
    _steps(tm, em, (2, 3, 4, 5), "float64", grad_fn=False)
    _steps(tm, em, (3, 4, 5), "float64", grad_fn=False)
    tm, em = _mods("InstanceNorm1d", "float32", 3, **kw)
    _steps(tm, em, (2, 3, 7), "float32", grad_fn=False)
    tm, em = _mods("InstanceNorm3d", "float64", 2, **kw)
    _steps(tm, em, (2, 2, 3, 2, 3), "float64", n=1, grad_fn=False)


@pytest.mark.parametrize("kw", [{"normalized_shape": 6}, {"normalized_shape": (5, 6), "eps": 1e-3},
                                {"normalized_shape": 6, "elementwise_affine": False}, {"normalized_shape": 6,
                                                                                         "bias": False}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layernorm(kw, dtype):
    tm, em = _mods("LayerNorm", dtype, **kw)
    assert repr(em) == repr(tm)
    compare_module(tm, em, [randn((3, 5, 6), dtype)])
    compare_module(tm, em, [randn((1, 5, 6), dtype, seed=2)])


@pytest.mark.parametrize("case", ["frozen_weight", "input_only", "params_only", "transposed_grad", "one_row",
                                  "float64_wide"])
def test_layernorm_backward_row_path(case):
    """The GEMV backward of a last-axis LayerNorm with weight: every gradient subset, strided upstream
    gradients (which take the general path) and 1-D input, against torch."""
    dtype = "float64" if case == "float64_wide" else "float32"
    shape = {"one_row": (6,), "float64_wide": (4, 3, 40)}.get(case, (3, 5, 6))
    tm, em = _mods("LayerNorm", dtype, shape[-1])
    if case == "frozen_weight":
        tm.weight.requires_grad_(False)
        em.weight.requires_grad_(False)
    if case == "input_only":
        for p in (*tm.parameters(), *em.parameters()):
            p.requires_grad_(False)
    x = randn(shape, dtype, seed=3)
    tx, ex = torch.tensor(x, requires_grad=case != "params_only"), ember.tensor(x, requires_grad=case != "params_only")
    g = randn(shape[:-2] + (shape[-1], shape[-2]) if case == "transposed_grad" else shape, dtype, seed=4)
    tg, eg = torch.tensor(g), ember.tensor(g)
    if case == "transposed_grad":
        tg, eg = tg.transpose(-1, -2), eg.transpose(-1, -2)
    tm(tx).backward(tg)
    em(ex).backward(eg)
    pairs = [(ex.grad, tx.grad)] + [(ep.grad, tp.grad) for ep, tp in zip(em.parameters(), tm.parameters())]
    for e, t in pairs:
        assert (e is None) == (t is None)
        if t is not None:
            assert_same(e, t)


@pytest.mark.parametrize("kw", [{"num_groups": 2, "num_channels": 6}, {"num_groups": 3, "num_channels": 6, "affine": False},
                                {"num_groups": 1, "num_channels": 6, "eps": 1e-3}, {"num_groups": 6, "num_channels": 6,
                                                                                   "bias": False}])
def test_groupnorm(kw):
    tm, em = _mods("GroupNorm", "float64", **kw)
    assert repr(em) == repr(tm)
    compare_module(tm, em, [randn((2, 6, 4, 3), "float64")], check_grad_fn=False)
    compare_module(tm, em, [randn((3, 6), "float64")], check_grad_fn=False)
    tm, em = _mods("GroupNorm", "float32", **kw)
    compare_module(tm, em, [randn((2, 6, 5), "float32")], check_grad_fn=False)


def test_rmsnorm_and_lrn():
    for kw in [{"normalized_shape": 6}, {"normalized_shape": (5, 6), "eps": 1e-3},
               {"normalized_shape": 6, "elementwise_affine": False}]:
        for dtype in ("float32", "float64"):
            tm, em = _mods("RMSNorm", dtype, **kw)
            assert repr(em) == repr(tm)
            compare_module(tm, em, [randn((3, 5, 6), dtype)], check_grad_fn=False)
    for shape in [(2, 5, 4), (2, 5, 4, 3), (1, 6, 2, 3, 2)]:
        tm, em = _mods("LocalResponseNorm", "float64", 3, alpha=0.1, beta=0.6, k=2.0)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [randn(shape, "float64")], check_grad_fn=False)


def test_fused_norm_grad_fn_names():
    x = ember.tensor(randn((4, 3, 2), "float32"), requires_grad=True)
    assert type(F.batch_norm(x, None, None, training=True).grad_fn).__name__ == "NativeBatchNormBackward0"
    assert type(F.layer_norm(x, (2,)).grad_fn).__name__ == "NativeLayerNormBackward0"


def test_norm_gradcheck_and_double_backward():
    rng = np.random.default_rng(0)

    def t(*shape):
        return ember.tensor(rng.standard_normal(shape), requires_grad=True)

    x, w, b = t(4, 3, 2), t(3), t(3)
    assert ember.autograd.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    rm, rv = ember.zeros(3, dtype=ember.float64), ember.ones(3, dtype=ember.float64)
    assert ember.autograd.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))
    assert ember.autograd.gradcheck(lambda x, w, b: F.layer_norm(x, (2,), w[:2], b[:2]), (x, w, b))
    assert ember.autograd.gradcheck(lambda x: F.group_norm(x, 3), (x,))
    assert ember.autograd.gradgradcheck(lambda x, w: F.layer_norm(x, (3, 2), w.unsqueeze(1).expand(3, 2)), (x, w))
    assert ember.autograd.gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True), (x,))
    # second derivatives against torch
    e, tt = pair(randn((5, 4), "float64"), True)
    ge, = ember.autograd.grad(F.layer_norm(e, (4,)).pow(3).sum(), e, create_graph=True)
    gt, = torch.autograd.grad(torch.nn.functional.layer_norm(tt, (4,)).pow(3).sum(), tt, create_graph=True)
    assert_same(ge, gt)
    assert_same(ember.autograd.grad(ge.sin().sum(), e)[0], torch.autograd.grad(gt.sin().sum(), tt)[0])


def test_batchnorm_state_dict_roundtrip_and_reset():
    _, em = _mods("BatchNorm1d", "float32", 4)
    sd = {k: v.numpy() for k, v in em.state_dict().items()}
    tm2 = torch.nn.BatchNorm1d(4)
    tm2.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    _same_buffers(tm2, em)
    old = {k: v for k, v in sd.items() if k != "num_batches_tracked"}
    em.load_state_dict(old)  # a state_dict without num_batches_tracked (version 1 checkpoints) still loads
    em.reset_parameters()
    tm2.reset_parameters()
    _same_buffers(tm2, em)
    assert_same(em.weight, tm2.weight)


def test_norm_errors_match_torch():
    tf = torch.nn.functional
    for fn, exc in [
        (lambda m, f: f.layer_norm(m.zeros(2, 3), (4,)), RuntimeError),
        (lambda m, f: f.batch_norm(m.zeros(2, 3), m.zeros(4), m.ones(4)), RuntimeError),
        (lambda m, f: f.batch_norm(m.zeros(1, 3), m.zeros(3), m.ones(3), training=True), ValueError),
        (lambda m, f: f.group_norm(m.zeros(2, 4, 3), 3), RuntimeError),
        (lambda m, f: m.nn.BatchNorm2d(3)(m.zeros(2, 3, 4)), ValueError),
        (lambda m, f: m.nn.BatchNorm1d(3)(m.zeros(2, 3, 4, 5)), ValueError),
        (lambda m, f: m.nn.GroupNorm(3, 4), ValueError),
        (lambda m, f: m.nn.InstanceNorm1d(3, affine=True)(m.zeros(2, 4, 5)), ValueError),
    ]:
        with pytest.raises(exc) as ee:
            fn(ember, F)
        with pytest.raises(exc) as et:
            fn(torch, tf)
        assert str(ee.value) == str(et.value)


@pytest.mark.parametrize("cls,shape", [("LayerNorm", (4, 5, 6)), ("BatchNorm1d", (8, 6)), ("GroupNorm", (3, 6, 4))])
def test_norm_backward_twice_with_retain_graph(cls, shape):
    """The backward keeps the forward's normalized input read-only: a second backward gives the same gradients."""
    args = {"LayerNorm": (6,), "BatchNorm1d": (6,), "GroupNorm": (2, 6)}[cls]
    tm, em = getattr(torch.nn, cls)(*args).double(), getattr(ember.nn, cls)(*args).double()
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape)
    te, tt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    g = np.random.default_rng(1).standard_normal(shape)
    ye, yt = em(te), tm(tt)
    for _ in range(2):
        ye.backward(ember.tensor(g), retain_graph=True)
        yt.backward(torch.tensor(g), retain_graph=True)
    np.testing.assert_allclose(te.grad.numpy(), tt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(em.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
