"""F.pad and padding layers, interpolate/Upsample, PixelShuffle/Unshuffle, ChannelShuffle against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

from ._nn_compare import assert_same, compare_module, pair, randn

TF = torch.nn.functional


def _fcompare(fe, ft, x, tol=None, **kw):
    e, t = pair(x, True)
    eo, to = fe(e, **kw), ft(t, **kw)
    tol = tol or {}
    assert_same(eo, to, **tol)
    g = randn(tuple(to.shape), str(to.dtype)[6:], seed=7)
    eo.backward(ember.tensor(g))
    to.backward(torch.tensor(g))
    assert_same(e.grad, t.grad, **tol)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [((2, 3, 4, 5), (1, 2, 2, 1)), ((3, 4, 5), (2, 1)), ((2, 5), (1, 3)),
                                       ((2, 2, 3, 4, 5), (1, 2, 2, 1, 1, 1)), ((2, 3, 4, 5), (0, 0, 1, 2))])
def test_pad_modes(mode, shape, pad):
    _fcompare(F.pad, TF.pad, randn(shape, "float64"), pad=pad, mode=mode)


def test_pad_constant_values_negative_and_many_dims():
    x = randn((2, 3, 4, 5), "float32")
    _fcompare(F.pad, TF.pad, x, pad=(1, -2, 0, 1, 1, 1), value=2.5)
    _fcompare(F.pad, TF.pad, x, pad=(-1, -2))
    _fcompare(F.pad, TF.pad, x, pad=(1, 1, 1, 1, 1, 1, 1, 1))
    e = ember.tensor(x, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: F.pad(t, (1, 2), mode="reflect"),
                                        (ember.tensor(randn((1, 2, 4), "float64"), requires_grad=True),))
    assert F.pad(e, (1, 1)).grad_fn is not None


def test_padding_modules():
    for name, arg, shape in [("ZeroPad1d", (1, 2), (2, 3, 4)), ("ZeroPad2d", 1, (2, 3, 4, 5)),
                             ("ZeroPad3d", (1, 0, 0, 1, 1, 0), (1, 2, 3, 4, 2)), ("ReflectionPad1d", 2, (2, 3, 4)),
                             ("ReflectionPad2d", (1, 2, 3, 0), (2, 3, 4, 5)), ("ReflectionPad3d", 1, (1, 2, 3, 3, 3)),
                             ("ReplicationPad1d", (3, 1), (3, 4)), ("ReplicationPad2d", 2, (2, 3, 4, 5)),
                             ("ReplicationPad3d", 1, (1, 1, 2, 3, 2)), ("CircularPad1d", 2, (2, 3, 4)),
                             ("CircularPad2d", (1, 2, 0, 1), (2, 3, 4, 5)), ("CircularPad3d", 1, (1, 2, 3, 3, 3))]:
        tm, em = getattr(torch.nn, name)(arg), getattr(ember.nn, name)(arg)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [randn(shape, "float64")], check_grad_fn=False)
    for name in ("ConstantPad1d", "ConstantPad2d", "ConstantPad3d"):
        tm, em = getattr(torch.nn, name)(1, 3.5), getattr(ember.nn, name)(1, 3.5)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [randn((1, 2, 3, 3, 3), "float32")], check_grad_fn=False)


INTERP = [{"scale_factor": 2}, {"scale_factor": 1.7}, {"size": (3, 7)}, {"size": (7, 9), "mode": "nearest-exact"},
          {"scale_factor": 0.6, "mode": "nearest-exact"}, {"scale_factor": 2, "mode": "bilinear"},
          {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True}, {"size": (3, 7), "mode": "bilinear"},
          {"size": (9, 2), "mode": "bilinear", "align_corners": True}, {"scale_factor": 2.3, "mode": "bicubic"},
          {"size": (3, 7), "mode": "bicubic", "align_corners": True}, {"size": (3, 2), "mode": "area"},
          {"scale_factor": 0.5, "mode": "bilinear", "recompute_scale_factor": True}]


@pytest.mark.parametrize("kw", INTERP)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate_2d(kw, dtype):
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else None
    _fcompare(F.interpolate, TF.interpolate, randn((2, 3, 5, 4), dtype), tol, **kw)


def test_interpolate_1d_3d_and_upsample_modules():
    x1 = randn((2, 3, 5), "float64")
    _fcompare(F.interpolate, TF.interpolate, x1, scale_factor=2.5, mode="linear")
    _fcompare(F.interpolate, TF.interpolate, x1, size=8, mode="linear", align_corners=True)
    _fcompare(F.interpolate, TF.interpolate, x1, size=3, mode="nearest")
    x3 = randn((1, 2, 3, 4, 5), "float64")
    _fcompare(F.interpolate, TF.interpolate, x3, scale_factor=1.5, mode="trilinear")
    _fcompare(F.interpolate, TF.interpolate, x3, scale_factor=(2, 1, 0.5), mode="nearest")
    for name, kw in [("Upsample", {"scale_factor": 2}), ("Upsample", {"size": (3, 4), "mode": "bilinear"}),
                     ("UpsamplingNearest2d", {"scale_factor": 2}), ("UpsamplingBilinear2d", {"size": (6, 7)})]:
        tm, em = getattr(torch.nn, name)(**kw), getattr(ember.nn, name)(**kw)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [randn((1, 2, 4, 5), "float64")], check_grad_fn=False)


def test_pixel_and_channel_shuffle():
    for name, arg, shape in [("PixelShuffle", 2, (2, 8, 3, 4)), ("PixelShuffle", 3, (9, 2, 2)),
                             ("PixelUnshuffle", 2, (2, 3, 4, 6)), ("ChannelShuffle", 3, (2, 6, 4, 2))]:
        tm, em = getattr(torch.nn, name)(arg), getattr(ember.nn, name)(arg)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [randn(shape, "float32")], check_grad_fn=False)


def test_padding_upsample_errors_match_torch():
    x = (2, 3, 3)
    cases = [
        (lambda m, f: f.pad(m.zeros(3, 3), (1, 1, 1)), RuntimeError),
        (lambda m, f: f.pad(m.zeros(*x), (3, 3), mode="reflect"), RuntimeError),
        (lambda m, f: f.pad(m.zeros(1, 2, 3, 3), (1, 1), mode="reflect"), NotImplementedError),
        (lambda m, f: f.pad(m.zeros(*x), (1, 1), mode="foo"), NotImplementedError),
        (lambda m, f: f.pad(m.zeros(*x), (1, 1), mode="reflect", value=1.0), RuntimeError),
        (lambda m, f: f.interpolate(m.zeros(*x), scale_factor=2, mode="bilinear"), NotImplementedError),
        (lambda m, f: f.interpolate(m.zeros(*x), size=4, scale_factor=2), ValueError),
        (lambda m, f: f.interpolate(m.zeros(*x)), ValueError),
        (lambda m, f: f.interpolate(m.zeros(*x), scale_factor=2, align_corners=True), ValueError),
        (lambda m, f: f.pixel_shuffle(m.zeros(1, 3, 3, 3), 2), RuntimeError),
    ]
    for fn, exc in cases:
        with pytest.raises(exc) as ee:
            fn(ember, F)
        with pytest.raises(exc) as et:
            fn(torch, TF)
        assert str(ee.value) == str(et.value)
    np.testing.assert_array_equal(F.pad(ember.ones(2), (1, 1)).numpy(), TF.pad(torch.ones(2), (1, 1)).numpy())
