"""Conv1d/2d/3d, ConvTranspose1d/2d/3d, Fold/Unfold and their functional forms against torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

from ._nn_compare import assert_same, compare_module, copy_weights, pair, randn

F32 = {"rtol": 1e-4, "atol": 1e-5}


def _mods(name, dtype, *args, **kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kw).to(getattr(torch, dtype))
    em = getattr(ember.nn, name)(*args, **kw).to(getattr(ember, dtype))
    copy_weights(tm, em)
    return tm, em


CONV2D = [
    {},
    {"stride": 2, "padding": 1},
    {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)},
    {"padding": "same", "dilation": 2},
    {"padding": "valid", "bias": False},
    {"groups": 2, "padding": 1},
    {"padding": 2, "padding_mode": "reflect"},
    {"padding": 1, "padding_mode": "replicate", "stride": 2},
    {"padding": (1, 2), "padding_mode": "circular"},
    {"padding": "same", "padding_mode": "reflect"},
]


@pytest.mark.parametrize("kw", CONV2D)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_module(kw, dtype):
    tm, em = _mods("Conv2d", dtype, 4, 6, 3, **kw)
    tol = F32 if dtype == "float32" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_module(tm, em, [randn((2, 4, 7, 6), dtype)], check_grad_fn=False, **tol)


@pytest.mark.parametrize("shape", [(1, 4, 5, 5), (4, 5, 6)])
def test_conv2d_batch_one_and_unbatched(shape):
    tm, em = _mods("Conv2d", "float64", 4, 3, (2, 3), stride=(1, 2))
    compare_module(tm, em, [randn(shape, "float64")])


@pytest.mark.parametrize("kw", [{}, {"stride": 3, "padding": 2, "dilation": 2}, {"groups": 3, "padding": "same"},
                                {"padding": 3, "padding_mode": "circular"}, {"padding": 1, "padding_mode": "reflect"}])
@pytest.mark.filterwarnings("ignore:Using padding=.same.")
def test_conv1d_module(kw):
    tm, em = _mods("Conv1d", "float64", 3, 6, 4, **kw)
    compare_module(tm, em, [randn((2, 3, 11), "float64")], check_grad_fn=False)
    compare_module(tm, em, [randn((3, 9), "float64", seed=2)], check_grad_fn=False)


@pytest.mark.parametrize("kw", [{}, {"stride": (1, 2, 2), "padding": 1}, {"groups": 2, "dilation": (2, 1, 1)}])
def test_conv3d_module(kw):
    tm, em = _mods("Conv3d", "float64", 2, 4, (2, 3, 2), **kw)
    compare_module(tm, em, [randn((2, 2, 5, 6, 5), "float64")])


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1, "output_padding": 1}, {"groups": 2, "dilation": 2},
                                {"stride": 3, "output_padding": 2, "bias": False}, {"stride": (2, 3), "padding": (0, 2)}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_transpose2d_module(kw, dtype):
    tm, em = _mods("ConvTranspose2d", dtype, 4, 6, 3, **kw)
    compare_module(tm, em, [randn((2, 4, 5, 4), dtype)], **(F32 if dtype == "float32" else {}))


def test_conv_transpose_output_size_and_1d_3d():
    tm, em = _mods("ConvTranspose2d", "float64", 2, 3, 3, stride=2, padding=1)
    x = randn((1, 2, 4, 4), "float64")
    e, t = pair(x)
    assert_same(em(e, output_size=[8, 8]), tm(t, output_size=[8, 8]))
    assert_same(em(e, output_size=(1, 3, 7, 8)), tm(t, output_size=(1, 3, 7, 8)))
    with pytest.raises(ValueError, match="requested an output size"):
        em(e, output_size=(12, 12))
    tm, em = _mods("ConvTranspose1d", "float64", 2, 4, 3, stride=2, groups=2, output_padding=1)
    compare_module(tm, em, [randn((3, 2, 5), "float64")])
    compare_module(tm, em, [randn((2, 5), "float64")])
    tm, em = _mods("ConvTranspose3d", "float64", 2, 2, 2, stride=(1, 2, 1))
    compare_module(tm, em, [randn((1, 2, 3, 3, 2), "float64")])


def test_conv_init_bit_exact_and_repr():
    for name, args, kw in [("Conv2d", (3, 8, 3), {"padding": 1}), ("Conv1d", (4, 2, 5), {"groups": 2}),
                           ("ConvTranspose2d", (3, 6, 2), {"stride": 2, "groups": 3}), ("Conv3d", (1, 2, 2), {})]:
        torch.manual_seed(4)
        ember.manual_seed(4)
        tm, em = getattr(torch.nn, name)(*args, **kw), getattr(ember.nn, name)(*args, **kw)
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        for (n, p), (_, q) in zip(tm.named_parameters(), em.named_parameters()):
            np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy(), err_msg=n)
    for kw in [{"padding": "same", "padding_mode": "reflect", "bias": False, "dilation": 2}, {"stride": 2, "groups": 2}]:
        assert repr(ember.nn.Conv2d(4, 4, 3, **kw)) == repr(torch.nn.Conv2d(4, 4, 3, **kw))


def test_conv_grad_fn_name_and_double_backward():
    x = ember.tensor(randn((1, 2, 5, 5), "float64"), requires_grad=True)
    w = ember.tensor(randn((3, 2, 3, 3), "float64", seed=1), requires_grad=True)
    out = F.conv2d(x, w, stride=2, padding=1)
    assert type(out.grad_fn).__name__ == "ConvolutionBackward0"
    tx, tw = torch.tensor(x.detach().numpy(), requires_grad=True), torch.tensor(w.detach().numpy(), requires_grad=True)
    for e_args, t_args in [((x, w), (tx, tw))]:
        ge = ember.autograd.grad(F.conv2d(*e_args, stride=2, padding=1).pow(2).sum(), e_args, create_graph=True)
        gt = torch.autograd.grad(torch.nn.functional.conv2d(*t_args, stride=2, padding=1).pow(2).sum(), t_args,
                                 create_graph=True)
        for a, b in zip(ge, gt):
            assert_same(a, b)
        he = ember.autograd.grad(sum(g.sin().sum() for g in ge), e_args)
        ht = torch.autograd.grad(sum(g.sin().sum() for g in gt), t_args)
        for a, b in zip(he, ht):
            assert_same(a, b)


def test_conv_gradcheck():
    rng = np.random.default_rng(0)

    def t(*shape):
        return ember.tensor(rng.standard_normal(shape), requires_grad=True)

    x, w, b = t(1, 4, 5, 4), t(2, 2, 2, 3), t(2)
    assert ember.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2), (x, w, b))
    x1, wt = t(2, 2, 4), t(2, 3, 3)
    assert ember.autograd.gradcheck(lambda x, w: F.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1,
                                                                    dilation=1), (x1, wt))
    assert ember.autograd.gradgradcheck(lambda x, w: F.conv1d(x, w, padding="same"), (t(1, 2, 5), t(2, 2, 3)))
    assert ember.autograd.gradgradcheck(lambda x, w: F.conv_transpose1d(x, w, stride=2), (t(1, 2, 3), t(2, 2, 2)))


def test_fold_unfold():
    for kw in [{"kernel_size": 2}, {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)}]:
        tm, em = torch.nn.Unfold(**kw), ember.nn.Unfold(**kw)
        assert repr(em) == repr(tm)
        compare_module(tm, em, [randn((2, 3, 6, 7), "float64")])
        compare_module(tm, em, [randn((3, 6, 7), "float64")], check_grad_fn=False)
    tm, em = torch.nn.Fold((5, 6), 2, padding=1, stride=2), ember.nn.Fold((5, 6), 2, padding=1, stride=2)
    assert repr(em) == repr(tm)
    compare_module(tm, em, [randn((2, 12, 12), "float64")])
    x = ember.tensor(randn((1, 2, 4, 4), "float64"), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: F.fold(F.unfold(x, 3, padding=1), (4, 4), 3, padding=1), (x,))


def _raises(fn_e, fn_t, exc, match=None):
    with pytest.raises(exc) as ee:
        fn_e()
    with pytest.raises(exc) as et:
        fn_t()
    assert str(ee.value).split("{")[0] == str(et.value).split("{")[0]  # torch prints sets in hash order
    if match:
        assert match in str(ee.value)


def test_conv_errors_match_torch():
    tf = torch.nn.functional
    cases = [
        (lambda m, f: f.conv2d(m.zeros(2, 4, 5, 5), m.zeros(8, 3, 3, 3)), "expected input[2, 4, 5, 5] to have 3"),
        (lambda m, f: f.conv2d(m.zeros(2, 3), m.zeros(8, 3, 3, 3)), "Expected 3D (unbatched) or 4D"),
        (lambda m, f: f.conv2d(m.zeros(2, 3, 2, 2), m.zeros(3, 3, 3, 3)), "Kernel size can't be greater"),
        (lambda m, f: f.conv2d(m.zeros(2, 3, 5, 5, dtype=m.float64), m.zeros(3, 3, 3, 3)), "expected scalar type"),
        (lambda m, f: f.conv2d(m.zeros(1, 3, 5, 5), m.zeros(3, 3, 3, 3), m.zeros(4)), "expected bias"),
        (lambda m, f: f.conv2d(m.zeros(1, 3, 5, 5), m.zeros(3, 3, 3, 3), stride=2, padding="same"), "same"),
        (lambda m, f: f.conv2d(m.zeros(1, 3, 5, 5), m.zeros(3, 3, 3, 3), padding="foo"), "Invalid padding"),
        (lambda m, f: f.conv2d(m.zeros(1, 3, 5, 5), m.zeros(3, 3, 3, 3), stride=0), "non-positive stride"),
        (lambda m, f: f.conv2d(m.zeros(1, 3, 5, 5), m.zeros(3, 3, 3, 3), padding=-1), "negative padding"),
        (lambda m, f: f.conv_transpose2d(m.zeros(2, 4, 5, 5), m.zeros(3, 3, 3, 3)), "transposed=1"),
        (lambda m, f: f.conv_transpose2d(m.zeros(1, 3, 5, 5), m.zeros(3, 3, 3, 3), stride=2, output_padding=2),
         "output padding must be smaller"),
    ]
    for fn, match in cases:
        _raises(lambda fn=fn: fn(ember, F), lambda fn=fn: fn(torch, tf), RuntimeError, match)
    for kw in [{"groups": 2, "in_channels": 3}, {"groups": 2, "out_channels": 3}, {"padding_mode": "foo"},
               {"padding": "same", "stride": 2}]:
        args = {"in_channels": 4, "out_channels": 4, "kernel_size": 3}
        args.update(kw)
        _raises(lambda a=args: ember.nn.Conv2d(**a), lambda a=args: torch.nn.Conv2d(**a), ValueError)


def test_conv2d_argument_sets_after_caching():
    # the checked geometry is cached per argument set: every spelling and every repeat must still give PyTorch's
    # result, and an invalid set for the same shapes must still raise
    x = randn((2, 3, 7, 6), "float64")
    w = randn((4, 3, 3, 3), "float64")
    b = randn((4,), "float64")
    te, tt = pair(x)
    we, wt = pair(w)
    be, bt = pair(b)
    forms = [{}, {"padding": 1}, {"padding": (1, 1)}, {"padding": [1, 0]}, {"padding": "same"},
             {"stride": 2}, {"stride": [2, 1], "dilation": (1, 2)}, {"dilation": 2, "padding": "valid"}]
    for _ in range(2):
        for kw in forms:
            for bias in ((be, bt), (None, None)):
                assert_same(F.conv2d(te, we, bias[0], **kw), torch.nn.functional.conv2d(tt, wt, bias[1], **kw))
            assert_same(F.conv2d(te[0], we, be, **kw), torch.nn.functional.conv2d(tt[0], wt, bt, **kw))
        _raises(lambda: F.conv2d(te, we, be, stride=0), lambda: torch.nn.functional.conv2d(tt, wt, bt, stride=0),
                RuntimeError, "non-positive stride")
        _raises(lambda: F.conv2d(te, we, be[:3]), lambda: torch.nn.functional.conv2d(tt, wt, bt[:3]),
                RuntimeError, "expected bias")


@pytest.mark.parametrize("needs", ["xwb", "wb", "xb", "b", "xw", "w"])
@pytest.mark.parametrize("channels", [(1, 16), (6, 4)])
def test_conv2d_gradients_for_each_subset_of_inputs(needs, channels):
    # the flat-shift path folds the bias into the GEMMs (a row of ones in the columns): its gradient comes out of
    # the weight-gradient product when the weight needs one, else from a sum over the output gradient
    ci, co = channels
    arrs = {"x": randn((3, ci, 9, 8), "float64"), "w": randn((co, ci, 3, 3), "float64", seed=1),
            "b": randn((co,), "float64", seed=2)}
    es, ts = {}, {}
    for k, a in arrs.items():
        es[k], ts[k] = pair(a, requires_grad=k in needs)
    g = randn((3, co, 9, 8), "float64", seed=3)
    ye = F.conv2d(es["x"], es["w"], es["b"], padding=1)
    yt = torch.nn.functional.conv2d(ts["x"], ts["w"], ts["b"], padding=1)
    assert_same(ye, yt)
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    for k in arrs:
        assert (es[k].grad is None) == (ts[k].grad is None), k
        if ts[k].grad is not None:
            assert_same(es[k].grad, ts[k].grad, name=k)


@pytest.mark.parametrize("input_grad", [True, False])
@pytest.mark.parametrize("channels", [(1, 16), (5, 4), (6, 64)])
def test_conv2d_weight_gradient_over_a_long_batch(input_grad, channels):
    # columns with few rows take the exact im2col (one product per image, ember/nn/_functional/conv.py::
    # _exact_conv); more rows the flat-shift grid, whose weight gradient is one long-K product in either
    # orientation (fewer rows than output channels or not); the input gradient always comes from the flat grid
    ci, co = channels
    x, w, b = randn((33, ci, 28, 28), "float64"), randn((co, ci, 3, 3), "float64", seed=1), randn((co,), "float64")
    (xe, xt), (we, wt), (be, bt) = pair(x, input_grad), pair(w, True), pair(b, True)
    g = randn((33, co, 28, 28), "float64", seed=2)
    F.conv2d(xe, we, be, padding=1).backward(ember.tensor(g))
    torch.nn.functional.conv2d(xt, wt, bt, padding=1).backward(torch.tensor(g))
    assert_same(we.grad, wt.grad, rtol=1e-10, atol=1e-10)
    assert_same(be.grad, bt.grad, rtol=1e-10, atol=1e-10)
    if input_grad:
        assert_same(xe.grad, xt.grad, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", [
    ("conv1d", (4, 2, 11), (5, 2, 3), {"padding": 2, "dilation": 2}),
    ("conv2d", (2, 3, 7, 6), (4, 3, 2, 3), {"padding": "same"}),
    ("conv2d", (1, 1, 5, 5), (6, 1, 3, 3), {"padding": (0, 1)}),
    ("conv2d", (3, 1, 8, 9), (2, 1, 5, 5), {"padding": 2, "bias": False}),
    ("conv3d", (2, 1, 4, 5, 4), (3, 1, 3, 3, 3), {"padding": 1}),
    ("conv2d", (1, 16, 6, 5), (8, 16, 3, 3), {"padding": 1, "dilation": (1, 2)}),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("input_grad", [False, True])
@pytest.mark.filterwarnings("ignore:Using padding=.same.")
def test_conv_exact_columns_against_torch(case, dtype, input_grad):
    # few column rows (channels x kernel offsets + bias) or batch 1: the exact im2col, one product per image for
    # the output and the weight and bias gradients (from a contiguous or a strided output gradient); the input's
    # gradient, when wanted, from the flat-shift grid
    name, xs, ws, kw = case
    kw = dict(kw)
    bias = kw.pop("bias", True)
    x, w, b = randn(xs, dtype), randn(ws, dtype, seed=1), randn((ws[0],), dtype, seed=2)
    (xe, xt), (we, wt), (be, bt) = pair(x, input_grad), pair(w, True), pair(b, True)
    tol = F32 if dtype == "float32" else {}
    for contiguous in (True, False):
        ye = getattr(F, name)(xe, we, be if bias else None, **kw)
        yt = getattr(torch.nn.functional, name)(xt, wt, bt if bias else None, **kw)
        assert_same(ye, yt, **tol)
        g = randn(tuple(yt.shape), dtype, seed=3)
        ge, gt = ember.tensor(g), torch.tensor(g)
        if not contiguous:
            gs = g.swapaxes(0, 1).copy()
            ge, gt = ember.tensor(gs).swapaxes(0, 1), torch.tensor(gs).swapaxes(0, 1)
        ye.backward(ge)
        yt.backward(gt)
        assert_same(we.grad, wt.grad, **tol)
        if bias:
            assert_same(be.grad, bt.grad, **tol)
        if input_grad:
            assert_same(xe.grad, xt.grad, **tol)
        we.grad = be.grad = wt.grad = bt.grad = xe.grad = xt.grad = None
