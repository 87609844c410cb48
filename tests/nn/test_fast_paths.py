"""Parity with PyTorch of the CPU fast paths: stride-1 flat-shift convolution, tiled max pooling, fused nodes."""
import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)


def _pair(a, rg=True):
    return ember.tensor(a).requires_grad_(rg), torch.tensor(a).requires_grad_(rg)


def _close(e, t, tol=1e-4):
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("nd,shape,ks,kw", [
    (2, (3, 2, 7, 6), (3, 3), {"padding": 1}),
    (2, (2, 3, 6, 5), (2, 3), {"padding": "same", "dilation": (2, 1)}),
    (2, (2, 3, 6, 5), (3, 2), {"padding": (0, 2)}),
    (1, (2, 3, 9), (4,), {"padding": 2, "dilation": 2}),
    (3, (1, 2, 4, 5, 3), (2, 3, 2), {"padding": 1}),
    (2, (3, 5, 6), (3, 3), {"padding": 1}),  # unbatched
])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("need", ["both", "x", "w"])
def test_conv_stride1(nd, shape, ks, kw, bias, need):
    c = shape[-nd - 1]
    x = RNG.standard_normal(shape).astype(np.float32)
    w = RNG.standard_normal((4, c) + ks).astype(np.float32)
    b = RNG.standard_normal(4).astype(np.float32)
    fe, ft = getattr(ember.nn.functional, f"conv{nd}d"), getattr(torch.nn.functional, f"conv{nd}d")
    xe, xt = _pair(x, need in ("both", "x"))
    we, wt = _pair(w, need in ("both", "w"))
    be, bt = _pair(b) if bias else (None, None)
    ye, yt = fe(xe, we, be, **kw), ft(xt, wt, bt, **kw)
    _close(ye, yt)
    go = RNG.standard_normal(yt.shape).astype(np.float32)
    ye.backward(ember.tensor(go))
    yt.backward(torch.tensor(go))
    for e, t in ((xe, xt), (we, wt), (be, bt)):
        if t is not None and t.requires_grad:
            _close(e.grad, t.grad)


def test_conv_stride1_double_backward():
    x = RNG.standard_normal((2, 2, 5, 5))
    w = RNG.standard_normal((3, 2, 3, 3))
    xe, xt = _pair(x)
    we, wt = _pair(w)
    res = []
    for f, a, b in ((ember, xe, we), (torch, xt, wt)):
        y = f.nn.functional.conv2d(a, b, padding=1)
        (gx,) = f.autograd.grad(y.pow(2).sum(), a, create_graph=True)
        gx.sum().backward()
        res.append(b.grad)
    _close(res[0], res[1], 1e-6)


@pytest.mark.parametrize("shape,k", [((2, 3, 8, 8), 2), ((2, 3, 9, 7), 2), ((3, 8, 9), 3), ((1, 2, 4, 6, 6), 2)])
def test_max_pool_tiled(shape, k):
    nd = 3 if len(shape) == 5 else 2
    x = RNG.integers(0, 3, shape).astype(np.float32)  # many ties: the first maximum must win
    xe, xt = _pair(x)
    fe = getattr(ember.nn.functional, f"max_pool{nd}d")
    ft = getattr(torch.nn.functional, f"max_pool{nd}d")
    ve, ie = fe(xe, k, return_indices=True)
    vt, it = ft(xt, k, return_indices=True)
    _close(ve, vt)
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
    assert ie.dtype == ember.int64
    go = RNG.standard_normal(vt.shape).astype(np.float32)
    fe(xe, k).backward(ember.tensor(go))
    ft(xt, k).backward(torch.tensor(go))
    _close(xe.grad, xt.grad)


def test_max_pool_tiled_nan_and_1d():
    x = RNG.standard_normal((2, 3, 6, 6)).astype(np.float32)
    x[0, 0, 1, 1] = np.nan
    xe, xt = _pair(x)
    _close(ember.nn.functional.max_pool2d(xe, 2), torch.nn.functional.max_pool2d(xt, 2))
    x1 = RNG.standard_normal((2, 3, 9)).astype(np.float32)
    ae, at = _pair(x1)
    ve, vt = ember.nn.functional.max_pool1d(ae, 3), torch.nn.functional.max_pool1d(at, 3)
    _close(ve, vt)
    go = RNG.standard_normal(vt.shape).astype(np.float32)
    ve.backward(ember.tensor(go))
    vt.backward(torch.tensor(go))
    _close(ae.grad, at.grad)


def test_max_pool_tiled_double_backward():
    x = RNG.standard_normal((2, 2, 4, 4))
    xe, xt = _pair(x)
    res = []
    for f, a in ((ember, xe), (torch, xt)):
        y = f.nn.functional.max_pool2d(a, 2)
        (gx,) = f.autograd.grad(y.pow(2).sum(), a, create_graph=True)
        gx.pow(2).sum().backward()
        res.append(a.grad)
    _close(res[0], res[1], 1e-6)
    ye = ember.nn.functional.max_pool2d(xe, 2)
    assert ye.grad_fn.name() == "MaxPool2DWithIndicesBackward0"


@pytest.mark.parametrize("kind", ["causal", "float", "bool_dead", "none", "broadcast_kv"])
def test_sdpa_fused(kind):
    q = RNG.standard_normal((2, 3, 5, 4)).astype(np.float32)
    k = RNG.standard_normal((2, 3, 6, 4)).astype(np.float32)
    v = RNG.standard_normal((2, 3, 6, 7)).astype(np.float32)
    if kind == "broadcast_kv":
        k, v = k[:1], v[:1]
    mask = None
    if kind == "float":
        mask = RNG.standard_normal((5, 6)).astype(np.float32)
    elif kind == "bool_dead":
        mask = RNG.random((2, 1, 5, 6)) > 0.5
        mask[0, 0, 1] = False  # a row with nothing to attend to
    outs = []
    for f in (ember, torch):
        qs = [f.tensor(a).requires_grad_(True) for a in (q, k, v)]
        m = None if mask is None else f.tensor(mask)
        y = f.nn.functional.scaled_dot_product_attention(*qs, attn_mask=m, is_causal=kind == "causal")
        y.backward(f.tensor(np.linspace(-1, 1, y.numel(), dtype=np.float32).reshape(tuple(y.shape))))
        outs.append((y, [t.grad for t in qs]))
    _close(outs[0][0], outs[1][0])
    for ge, gt in zip(outs[0][1], outs[1][1]):
        _close(ge, gt)


def test_sdpa_fused_double_backward():
    q, k, v = (RNG.standard_normal((2, 3, 4)) for _ in range(3))
    res = []
    for f in (ember, torch):
        ts = [f.tensor(a).requires_grad_(True) for a in (q, k, v)]
        y = f.nn.functional.scaled_dot_product_attention(*ts, is_causal=True)
        gq, gk = f.autograd.grad(y.pow(2).sum(), ts[:2], create_graph=True)
        (gq.sum() + gk.pow(2).sum()).backward()
        res.append([t.grad for t in ts])
    for ge, gt in zip(*res):
        _close(ge, gt, 1e-6)
