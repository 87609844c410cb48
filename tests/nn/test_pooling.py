"""Max/avg/adaptive/LP pooling and max unpooling (modules and functional forms) against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

from ._nn_compare import assert_same, compare_module, pair, randn


def _both(name, *args, **kw):
    return getattr(torch.nn, name)(*args, **kw), getattr(ember.nn, name)(*args, **kw)


MAX2D = [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": 3, "stride": 2, "ceil_mode": True},
         {"kernel_size": (2, 3), "stride": (1, 2), "dilation": (2, 1), "padding": (1, 1)},
         {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}]


@pytest.mark.parametrize("kw", MAX2D)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool2d(kw, dtype):
    tm, em = _both("MaxPool2d", **kw)
    assert repr(em) == repr(tm)
    compare_module(tm, em, [randn((2, 3, 7, 8), dtype)])
    compare_module(tm, em, [randn((3, 6, 5), dtype, seed=3)])


@pytest.mark.parametrize("shape,ks", [((2, 3, 8, 6), 2), ((2, 3, 9, 6), 3), ((1, 2, 6, 6), (2, 3)), ((4, 6, 6), 2)])
def test_tiled_max_pool_gradient_when_windows_cover_the_input(shape, ks):
    # the windows tile the input exactly, so the backward writes every element without a zero fill first; freed
    # junk of the same size right before makes an element left unwritten show up
    x = randn(shape, "float64")
    (xe, xt), g = pair(x, True), randn(tuple(F.max_pool2d(ember.tensor(x), ks).shape), "float64", seed=5)
    ye, yt = F.max_pool2d(xe, ks), torch.nn.functional.max_pool2d(xt, ks)
    junk = np.full(shape, 7.0)
    del junk
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())


def test_max_pool_indices_1d_2d_3d():
    x = randn((2, 3, 7, 8), "float64")
    for fe, ft, shape, kw in [
        (F.max_pool2d, torch.nn.functional.max_pool2d, (2, 3, 7, 8), {"kernel_size": 3, "stride": 2, "padding": 1}),
        (F.max_pool1d, torch.nn.functional.max_pool1d, (2, 3, 9), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
        (F.max_pool3d, torch.nn.functional.max_pool3d, (1, 2, 5, 4, 6), {"kernel_size": 2, "stride": (1, 2, 2),
                                                                               "padding": 1}),
    ]:
        x = randn(shape, "float64")
        e, t = pair(x, True)
        (ev, ei), (tv, ti) = fe(e, return_indices=True, **kw), ft(t, return_indices=True, **kw)
        assert_same(ev, tv)
        assert ei.dtype == ember.int64
        np.testing.assert_array_equal(ei.numpy(), ti.numpy())
        g = randn(tuple(tv.shape), "float64", seed=5)
        ev.backward(ember.tensor(g))
        tv.backward(torch.tensor(g))
        assert_same(e.grad, t.grad)
    x = randn((3, 6, 5), "float64")
    _, i = F.max_pool2d_with_indices(ember.tensor(x), 2)
    tv, ti = torch.nn.functional.max_pool2d_with_indices(torch.tensor(x), 2)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert type(F.max_pool2d(ember.tensor(x, requires_grad=True), 2).grad_fn).__name__ == \
        "MaxPool2DWithIndicesBackward0"


def test_max_pool_ties_pick_first_like_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = 1.0
    (_, ei), (_, ti) = F.max_pool2d(ember.tensor(x), 2, return_indices=True), \
        torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())


@pytest.mark.parametrize("ks", [2, (3, 2), (2, 3), 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tiled_max_pool_signed_zero_ties_like_torch(ks, dtype):
    # values of {-0.0, 0.0, -1.0} tie inside most windows: the first in row-major kernel order wins, which the
    # two-stage (columns, then rows) running maximum must keep; sizes not divisible by the kernel drop the edge
    rng = np.random.default_rng(3)
    x = rng.choice(np.array([-0.0, 0.0, -1.0], dtype=dtype), size=(2, 3, 13, 11))
    e = F.max_pool2d(ember.tensor(x), ks).numpy()
    t = torch.nn.functional.max_pool2d(torch.tensor(x), ks).numpy()
    np.testing.assert_array_equal(np.signbit(e), np.signbit(t))
    np.testing.assert_array_equal(e, t)


AVG2D = [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
         {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
         {"kernel_size": (2, 3), "stride": (3, 2), "padding": (1, 1), "count_include_pad": False},
         {"kernel_size": 3, "stride": 2, "ceil_mode": True, "divisor_override": 5}]


@pytest.mark.parametrize("kw", AVG2D)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_avg_pool2d(kw, dtype):
    tm, em = _both("AvgPool2d", **kw)
    assert repr(em) == repr(tm)
    compare_module(tm, em, [randn((2, 3, 7, 8), dtype)])


def test_avg_pool_1d_3d():
    for kw in [{"kernel_size": 3}, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}]:
        tm, em = _both("AvgPool1d", **kw)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [randn((2, 3, 9), "float64")], check_grad_fn=False)
        compare_module(tm, em, [randn((3, 9), "float64")], check_grad_fn=False)
    tm, em = _both("AvgPool3d", 2, stride=(1, 2, 1), padding=1, count_include_pad=False)
    compare_module(tm, em, [randn((2, 2, 5, 6, 4), "float64")])
    tm, em = _both("MaxPool1d", 2, return_indices=False)
    compare_module(tm, em, [randn((2, 3, 9), "float64")], check_grad_fn=False)
    tm, em = _both("MaxPool3d", 2)
    compare_module(tm, em, [randn((2, 2, 4, 4, 4), "float64")])


@pytest.mark.parametrize("size", [(3, 5), (7, 8), (2, 1), (None, 3), 4, 1])
def test_adaptive_pools_2d(size):
    x = randn((2, 3, 7, 8), "float64")
    tm, em = _both("AdaptiveAvgPool2d", size)
    assert repr(em) == repr(tm)
    compare_module(tm, em, [x], check_grad_fn=size != 1)
    tm, em = _both("AdaptiveMaxPool2d", size, return_indices=True)
    e, t = pair(x, True)
    (ev, ei), (tv, ti) = em(e), tm(t)
    assert_same(ev, tv)
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    ev.sum().backward()
    tv.sum().backward()
    assert_same(e.grad, t.grad)


def test_adaptive_pools_1d_3d_float32():
    for name, shape, size in [("AdaptiveAvgPool1d", (2, 3, 9), 4), ("AdaptiveMaxPool1d", (2, 3, 9), 4),
                              ("AdaptiveAvgPool3d", (1, 2, 5, 6, 4), (2, 3, 3)),
                              ("AdaptiveMaxPool3d", (1, 2, 5, 6, 4), (2, None, 3))]:
        tm, em = _both(name, size)
        compare_module(tm, em, [randn(shape, "float32")], check_grad_fn=False)


def test_lp_pool_and_unpool():
    for name, shape in [("LPPool1d", (2, 3, 8)), ("LPPool2d", (2, 3, 6, 6))]:
        tm, em = _both(name, 2, 2, stride=1)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [np.abs(randn(shape, "float64")) + 0.1], check_grad_fn=False)
    x = randn((2, 3, 6, 7), "float64")
    tv, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    tm, em = _both("MaxUnpool2d", 2)
    assert repr(em) == repr(tm)
    e, t = pair(tv.numpy(), True)
    eo = em(e, ember.tensor(ti.numpy()), output_size=(6, 7))
    to = tm(t, ti, output_size=(6, 7))
    assert_same(eo, to)
    (eo * eo).sum().backward()
    (to * to).sum().backward()
    assert_same(e.grad, t.grad)


def test_pooling_gradcheck_and_double_backward():
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((1, 2, 5, 5)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: F.max_pool2d(x, 3, stride=2, padding=1), (x,))
    assert ember.autograd.gradcheck(lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), (x,))
    assert ember.autograd.gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), (x,))
    assert ember.autograd.gradcheck(lambda x: F.adaptive_max_pool2d(x, (2, 3)), (x,))
    assert ember.autograd.gradgradcheck(lambda x: F.avg_pool2d(x, 2, ceil_mode=True), (x,))
    assert ember.autograd.gradgradcheck(lambda x: F.max_pool2d(x, 2), (x,))


def test_pooling_errors_match_torch():
    tf = torch.nn.functional
    cases = [
        (lambda m, f: f.max_pool2d(m.zeros(1, 1, 5, 5), 3, padding=2), "pad should be at most half"),
        (lambda m, f: f.max_pool2d(m.zeros(1, 1, 2, 2), 3), "Output size is too small"),
        (lambda m, f: f.avg_pool2d(m.zeros(1, 1, 2, 2), 3), "Output size is too small"),
        (lambda m, f: f.max_pool2d(m.zeros(5), 3), "non-empty 3D or 4D"),
        (lambda m, f: f.max_pool2d(m.zeros(1, 1, 5, 5), 3, stride=0), "stride should not be zero"),
        (lambda m, f: f.adaptive_avg_pool2d(m.zeros(1, 1, 5, 5), (2, 2, 2)), "output_size must be 2"),
    ]
    for fn, match in cases:
        with pytest.raises(RuntimeError) as ee:
            fn(ember, F)
        with pytest.raises(RuntimeError) as et:
            fn(torch, tf)
        assert str(ee.value) == str(et.value)
        assert match in str(ee.value)


def _relu_pool_case(m, x, variant):
    xx = m.tensor(x, requires_grad=True)
    y = m.relu(xx)
    seen = []
    if variant == "hook":  # a hook that changes the ReLU output's gradient: the ReLU must mask the changed one
        y.register_hook(lambda g: g + 1.0)
    if variant == "retain":
        y.retain_grad()
    p = m.nn.functional.max_pool2d(y, 2)
    gp = m.tensor(np.random.default_rng(7).standard_normal(tuple(p.shape)).astype(x.dtype))
    loss = (p * gp).sum()
    if variant == "shared":  # the ReLU output also feeds another op: its gradient is a sum
        loss = loss + (y * 0.5).sum()
    if variant == "twice":
        loss = loss + m.nn.functional.max_pool2d(y, 2).sum()
    if variant == "unbatched":
        p2 = m.nn.functional.max_pool2d(y[0], 2)
        loss = (p2 * gp[0]).sum()
    if variant == "grad":  # autograd.grad of the ReLU output and of the input: both as computed
        return list(m.autograd.grad(loss, [y, xx]))
    if variant == "inputs":
        loss.backward(inputs=[y])
        return [y.grad]
    loss.backward(retain_graph=variant == "again")
    if variant == "again":
        seen.append(xx.grad.clone())
        loss.backward()
    if variant == "retain":
        seen.append(y.grad)
    return [xx.grad] + seen


@pytest.mark.parametrize("variant", ["plain", "shared", "twice", "hook", "retain", "again", "unbatched", "grad",
                                     "inputs"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_relu_then_tiled_max_pool_gradients_like_torch(variant, dtype):
    # a 2x2 max pool over a ReLU's output applies the ReLU's mask itself (on the pooled maxima) and the ReLU's
    # backward passes that gradient through when it is the ReLU's only one; every other case masks as usual
    x = np.random.default_rng(3).standard_normal((2, 3, 6, 8)).astype(dtype)
    x[0, 0, :2, :2] = -1.0  # a window whose maximum is negative: zero gradient through the ReLU
    x[0, 1, :2, :2] = 0.0  # all zeros: the first offset wins, the ReLU's mask is closed
    x[1, 2, 2:4, 2:4] = [[-0.0, -2.0], [-3.0, -0.0]]
    for e, t in zip(_relu_pool_case(ember, x, variant), _relu_pool_case(torch, x, variant)):
        assert_same(e, t)


def test_relu_then_tiled_max_pool_inplace_change_still_raises():
    for m in (ember, torch):
        x = m.tensor(np.random.default_rng(1).standard_normal((1, 2, 4, 4)).astype("float32"), requires_grad=True)
        y = m.relu(x)
        p = m.nn.functional.max_pool2d(y, 2)
        y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            p.sum().backward()
