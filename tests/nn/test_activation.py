"""Activation modules and functions against torch: values, grads, grad_fn names, reprs, in-place, softmax family."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from _reference import same_error

import ember

from ._nn_compare import assert_same, compare_module, copy_weights, pair, randn

# (constructor source evaluated with nn = torch.nn / ember.nn, input shape)
MODULES = [
    ("nn.ReLU()", (3, 5)), ("nn.ReLU6()", (3, 5)), ("nn.LeakyReLU()", (3, 5)), ("nn.LeakyReLU(0.2)", (4,)),
    ("nn.PReLU()", (2, 3, 4)), ("nn.PReLU(3, 0.1)", (2, 3, 4)), ("nn.PReLU(3)", (2, 3)), ("nn.PReLU()", (4,)),
    ("nn.RReLU(0.1, 0.3)", (3, 5)), ("nn.ELU()", (3, 5)), ("nn.ELU(0.5)", (2, 2, 3)), ("nn.SELU()", (3, 5)),
    ("nn.CELU()", (3, 5)), ("nn.CELU(2.0)", (3, 5)), ("nn.GELU()", (3, 5)), ("nn.GELU('tanh')", (3, 5)),
    ("nn.SiLU()", (3, 5)), ("nn.Mish()", (3, 5)), ("nn.Sigmoid()", (3, 5)), ("nn.Tanh()", (3, 5)),
    ("nn.Hardtanh()", (3, 5)), ("nn.Hardtanh(-2, 2)", (3, 5)), ("nn.Hardsigmoid()", (3, 5)),
    ("nn.Hardswish()", (3, 5)), ("nn.Softplus()", (3, 5)), ("nn.Softplus(2, 3)", (3, 5)), ("nn.Softsign()", (3, 5)),
    ("nn.Softshrink()", (3, 5)), ("nn.Softshrink(1.0)", (3, 5)), ("nn.Hardshrink()", (3, 5)),
    ("nn.Hardshrink(1.2)", (3, 5)), ("nn.Tanhshrink()", (3, 5)), ("nn.Threshold(0.1, 20)", (3, 5)),
    ("nn.LogSigmoid()", (3, 5)), ("nn.GLU()", (3, 4)), ("nn.GLU(0)", (4, 3)), ("nn.Softmax(dim=1)", (3, 5)),
    ("nn.Softmax(dim=-1)", (2, 3, 4)), ("nn.Softmax(0)", (5,)), ("nn.Softmin(1)", (3, 5)),
    ("nn.LogSoftmax(1)", (3, 5)), ("nn.LogSoftmax(dim=0)", (2, 3, 4)), ("nn.Softmax2d()", (2, 3, 2, 2)),
    ("nn.Softmax2d()", (3, 2, 2)), ("nn.Identity()", (3,)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("src,shape", MODULES, ids=[f"{s}-{sh}" for s, sh in MODULES])
def test_activation_module_matches_torch(src, shape, dtype):
    tm = eval(src, {"nn": torch.nn}).to(getattr(torch, dtype))
    em = eval(src, {"nn": ember.nn}).to(getattr(ember, dtype))
    assert repr(em) == repr(tm)
    copy_weights(tm, em)
    x = randn(shape, dtype, seed=len(src), scale=2.5)
    x.flat[0] = 0.0  # the kink of relu-like functions: gradient conventions must agree
    tm.eval()
    em.eval()
    compare_module(tm, em, [x])
    if "RReLU" not in src:  # RReLU samples in training mode (tested below)
        tm.train()
        em.train()
        compare_module(tm, em, [x])


@pytest.mark.parametrize("src", ["nn.ReLU(inplace=True)", "nn.ReLU6(True)", "nn.LeakyReLU(0.2, True)",
                                 "nn.ELU(0.5, True)", "nn.SELU(True)", "nn.CELU(2.0, True)", "nn.SiLU(True)",
                                 "nn.Mish(True)", "nn.Hardtanh(-2, 2, True)", "nn.Hardsigmoid(True)",
                                 "nn.Hardswish(True)", "nn.Threshold(0.1, 20, True)", "nn.RReLU(0.1, 0.3, True)"])
def test_inplace_activations(src):
    tm, em = eval(src, {"nn": torch.nn}).eval(), eval(src, {"nn": ember.nn}).eval()
    assert repr(em) == repr(tm)
    x = randn((3, 4), "float64", seed=3, scale=3)
    (ea, ta) = pair(x, True)
    eb, tb = ea * 1.0, ta * 1.0  # non-leaf, so in-place is allowed
    eo, to = em(eb), tm(tb)
    assert eo is eb and to is tb
    assert_same(eo, to)
    eo.sum().backward()
    to.sum().backward()
    assert_same(ea.grad, ta.grad)
    xe = ember.tensor(x)
    assert em(xe) is xe  # no grad: written into the input itself


FUNCTIONAL = [
    ("threshold", lambda F, x: F.threshold(x, 0.5, -3.0)), ("relu", lambda F, x: F.relu(x)),
    ("hardtanh", lambda F, x: F.hardtanh(x, -0.5, 1.5)), ("relu6", lambda F, x: F.relu6(x)),
    ("elu", lambda F, x: F.elu(x, 0.7)), ("selu", lambda F, x: F.selu(x)), ("celu", lambda F, x: F.celu(x, 0.3)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.3)), ("gelu", lambda F, x: F.gelu(x)),
    ("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh")), ("logsigmoid", lambda F, x: F.logsigmoid(x)),
    ("hardshrink", lambda F, x: F.hardshrink(x, 0.3)), ("tanhshrink", lambda F, x: F.tanhshrink(x)),
    ("softsign", lambda F, x: F.softsign(x)), ("softplus", lambda F, x: F.softplus(x, 0.5, 2.0)),
    ("softmin", lambda F, x: F.softmin(x, 1)), ("softmax", lambda F, x: F.softmax(x, -1)),
    ("softshrink", lambda F, x: F.softshrink(x, 0.2)), ("log_softmax", lambda F, x: F.log_softmax(x, 0)),
    ("tanh", lambda F, x: F.tanh(x)), ("sigmoid", lambda F, x: F.sigmoid(x)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x)), ("silu", lambda F, x: F.silu(x)),
    ("mish", lambda F, x: F.mish(x)), ("hardswish", lambda F, x: F.hardswish(x)),
    ("glu", lambda F, x: F.glu(x, 1)), ("rrelu_eval", lambda F, x: F.rrelu(x, 0.2, 0.4)),
]


@pytest.mark.parametrize("name,fn", FUNCTIONAL, ids=[n for n, _ in FUNCTIONAL])
def test_functional_double_backward(name, fn):
    x = randn((3, 4), "float64", seed=5, scale=2.5)
    res = []
    second = True
    for lib in (torch, ember):
        t = lib.tensor(x, requires_grad=True)
        y = fn(lib.nn.functional, t)
        (g,) = lib.autograd.grad((y * y).sum(), t, create_graph=True)
        if second:
            try:
                g.pow(2).sum().backward()
            except RuntimeError as e:  # torch has no double backward for a few kernels (hardsigmoid)
                assert "not implemented" in str(e)
                second = False
        res.append((y, g, t.grad, type(y.grad_fn).__name__))
    (ty, tg, tgg, tname), (ey, eg, egg, ename) = res
    assert ename == tname
    assert_same(ey, ty, name="value")
    assert_same(eg, tg, name="grad")
    if second:
        assert_same(egg, tgg, rtol=1e-8, atol=1e-10, name="grad of grad")


def test_rrelu_training_draws_like_torch():
    x = randn((4, 6), "float32", seed=11)
    for seed in (0, 5):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        tm, em = torch.nn.RReLU(), ember.nn.RReLU()
        compare_module(tm, em, [x])
        compare_module(tm, em, [x])  # a second call continues the stream
    g = ember.Generator().manual_seed(3)
    assert g is not None


def test_softmax_stability_and_dtype():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [3e4, 3e4 - 1, 0]], np.float32)
    for name in ("softmax", "log_softmax"):
        (ex, tx) = pair(x, True)
        eo = getattr(ember.nn.functional, name)(ex, dim=1)
        to = getattr(torch.nn.functional, name)(tx, dim=1)
        assert np.all(np.isfinite(eo.detach().numpy()))
        assert_same(eo, to)
        g = randn(x.shape, seed=2)
        eo.backward(ember.tensor(g))
        to.backward(torch.tensor(g))
        assert_same(ex.grad, tx.grad)
        (ex, tx) = pair(x, True)
        eo = getattr(ember, name)(ex, 1, dtype=ember.float64)
        to = getattr(torch, name)(tx, 1, dtype=torch.float64)
        assert_same(eo, to)
        assert type(eo.grad_fn.next_functions[0][0]).__name__ == "ToCopyBackward0"
        assert_same(getattr(ember.tensor(x), name)(-1), getattr(torch.tensor(x), name)(-1))


@pytest.mark.parametrize("ndim,expected", [(1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_implicit_dim(ndim, expected):
    x = randn((2,) * ndim, "float64")
    for name in ("softmax", "log_softmax", "softmin"):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been deprecated"):
            eo = getattr(ember.nn.functional, name)(ember.tensor(x))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            to = getattr(torch.nn.functional, name)(torch.tensor(x))
        assert_same(eo, to)
    with pytest.warns(UserWarning):
        ember.nn.Softmax()(ember.tensor(x))
    assert_same(ember.softmax(ember.tensor(x), expected), torch.softmax(torch.tensor(x), expected))


def test_softmax_edge_shapes_and_errors():
    for shape in [(), (0, 3), (1, 1)]:
        x = randn(shape, "float64")
        assert_same(ember.softmax(ember.tensor(x), -1), torch.softmax(torch.tensor(x), -1))
        assert_same(ember.log_softmax(ember.tensor(x), 0), torch.log_softmax(torch.tensor(x), 0))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        ember.softmax(ember.ones(2, 2), 2)
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D instead"):
        ember.nn.Softmax2d()(ember.ones(2, 2))
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 3"):
        ember.nn.functional.glu(ember.ones(2, 3))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size. Found parameter "
                                           "numbers = 3 and channel size = 4."):
        ember.nn.PReLU(3)(ember.ones(2, 4))
    with pytest.raises(RuntimeError, match="Found parameter numbers = 4 and channel size = 1."):
        ember.nn.PReLU(4)(ember.ones(4))
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh."):
        ember.nn.functional.gelu(ember.ones(2), approximate="fast")


@pytest.mark.parametrize("fn", [
    lambda m: m.softmax(m.ones(2, 3, dtype=m.long), 0),
    lambda m: m.softmax(m.ones(2, 3, dtype=m.long), 1),
    lambda m: m.log_softmax(m.tensor([1, 2]), 0),
    lambda m: m.nn.functional.cross_entropy(m.tensor([[1, 2]]), m.tensor([0])),
])
def test_softmax_of_integers_errors_match_torch(fn):
    """PyTorch's NotImplementedError and kernel name (the last dim's kernel or the general one)."""
    same_error(fn, NotImplementedError)


def test_prelu_seeded_and_gumbel():
    tm, em = torch.nn.PReLU(3), ember.nn.PReLU(3)
    assert list(em.state_dict()) == ["weight"] and float(em.weight.detach().sum()) == pytest.approx(0.75)
    copy_weights(tm, em)
    compare_module(tm, em, [randn((2, 3, 5))])
    ember.manual_seed(0)
    y = ember.nn.functional.gumbel_softmax(ember.zeros(4, 5), tau=0.5, hard=True)
    yn = y.detach().numpy()
    np.testing.assert_allclose(yn.sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.sort(yn, -1), [[0, 0, 0, 0, 1]] * 4, atol=1e-6)
