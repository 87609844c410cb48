"""Linear, Bilinear, LazyLinear, Identity, Flatten, Unflatten and F.linear/F.bilinear against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

from ._nn_compare import assert_same, compare_module, copy_weights, pair, randn


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3,), (1, 3), (5, 3), (4, 2, 3), (2, 1, 2, 3), (0, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(dtype, shape, bias):
    tm = torch.nn.Linear(3, 4, bias=bias).to(getattr(torch, dtype))
    em = ember.nn.Linear(3, 4, bias=bias, dtype=getattr(ember, dtype))
    copy_weights(tm, em)
    compare_module(tm, em, [randn(shape, dtype)])


def test_linear_repr_and_grad_fn_print():
    m = ember.nn.Linear(in_features=3, out_features=2)
    assert repr(m) == repr(torch.nn.Linear(3, 2)) == "Linear(in_features=3, out_features=2, bias=True)"
    assert repr(ember.nn.Linear(3, 2, bias=False)) == repr(torch.nn.Linear(3, 2, bias=False))
    out = m(ember.tensor([[1.0, 2.0, 3.0]]))
    assert str(out).startswith("tensor([[") and str(out).endswith("grad_fn=<AddmmBackward0>)")
    assert out.shape == (1, 2)
    assert str(m.weight).startswith("Parameter containing:\ntensor([[")


def test_linear_seeded_init_bit_exact():
    for seed in (0, 7):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        tm, em = torch.nn.Linear(5, 7), ember.nn.Linear(5, 7)
        np.testing.assert_array_equal(em.weight.detach().numpy(), tm.weight.detach().numpy())
        np.testing.assert_array_equal(em.bias.detach().numpy(), tm.bias.detach().numpy())
    torch.manual_seed(3)
    ember.manual_seed(3)
    x = [[1.0, 2.0, 3.0]]
    assert str(ember.nn.Linear(3, 2)(ember.tensor(x))) == str(torch.nn.Linear(3, 2)(torch.tensor(x)))


def test_linear_default_init_statistics():
    ember.manual_seed(0)
    m = ember.nn.Linear(400, 300)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    bound = 1 / np.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert w.min() >= -bound and w.max() <= bound and abs(w.mean()) < 0.05 * bound
    assert abs(w.var() - bound ** 2 / 3) < 0.03 * bound ** 2 / 3
    assert b.min() >= -bound and b.max() <= bound
    assert m.weight.dtype == ember.float32 and m.weight.requires_grad


def test_linear_errors():
    m = ember.nn.Linear(4, 5)
    for shape, msg in [((2, 3), "(2x3 and 4x5)"), ((3,), "(1x3 and 4x5)"), ((4, 2, 3), "(8x3 and 4x5)")]:
        with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied " + msg.replace("(", r"\(")
                           .replace(")", r"\)")):
            m(ember.ones(*shape))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got Double and Float"):
        m(ember.ones(2, 4, dtype=ember.float64))
    with pytest.raises(RuntimeError, match=r"expected m1 and m2 to have the same dtype, but got: double != float"):
        ember.nn.Linear(4, 5, bias=False)(ember.ones(2, 4, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="both arguments to linear need to be at least 1D, but they are 0D and 2D"):
        m(ember.ones(()))


def test_linear_double_backward():
    w = randn((4, 3), "float64", seed=2)
    x = randn((5, 3), "float64", seed=3)
    res = []
    for lib in (torch, ember):
        tw = lib.tensor(w, requires_grad=True)
        tx = lib.tensor(x, requires_grad=True)
        out = (lib.nn.functional.linear(tx, tw, None) ** 2).sum()
        (gx,) = lib.autograd.grad(out, tx, create_graph=True)
        gx.sum().backward()
        res.append((gx.detach().numpy(), tw.grad.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-10)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-10)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("lead", [(), (1,), (4,), (2, 3)])
def test_bilinear_matches_torch(bias, lead):
    tm = torch.nn.Bilinear(3, 2, 4, bias=bias).double()
    em = ember.nn.Bilinear(3, 2, 4, bias=bias).double()
    copy_weights(tm, em)
    compare_module(tm, em, [randn(lead + (3,), "float64", 1), randn(lead + (2,), "float64", 2)], check_grad_fn=False)
    assert repr(em) == repr(tm)


def test_bilinear_seeded_init():
    torch.manual_seed(1)
    ember.manual_seed(1)
    tm, em = torch.nn.Bilinear(3, 2, 4), ember.nn.Bilinear(3, 2, 4)
    np.testing.assert_array_equal(em.weight.detach().numpy(), tm.weight.detach().numpy())
    np.testing.assert_array_equal(em.bias.detach().numpy(), tm.bias.detach().numpy())


def test_lazy_linear():
    torch.manual_seed(0)
    ember.manual_seed(0)
    tm, em = torch.nn.LazyLinear(3), ember.nn.LazyLinear(3)
    assert repr(em) == repr(tm) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    x = randn((2, 5))
    out_e, out_t = em(ember.tensor(x)), tm(torch.tensor(x))
    assert_same(out_e, out_t)
    assert type(em) is ember.nn.Linear and repr(em) == repr(tm)


def test_identity_flatten_unflatten():
    x = randn((2, 3, 4, 5), "float64")
    for tm, em in [(torch.nn.Identity(3, k=1), ember.nn.Identity(3, k=1)),
                   (torch.nn.Flatten(), ember.nn.Flatten()),
                   (torch.nn.Flatten(0, 2), ember.nn.Flatten(0, 2)),
                   (torch.nn.Flatten(-2), ember.nn.Flatten(-2)),
                   (torch.nn.Unflatten(1, (1, 3)), ember.nn.Unflatten(1, (1, 3))),
                   (torch.nn.Unflatten(-1, [5, 1]), ember.nn.Unflatten(-1, [5, 1]))]:
        assert repr(em) == repr(tm)
        compare_module(tm, em, [x], check_grad_fn=False)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints, but found element of type float at "
                                        "pos 1"):
        ember.nn.Unflatten(1, (2, 2.0))
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, but found type int"):
        ember.nn.Unflatten(1, 2)


def test_functional_linear_broadcast_bias_and_1d_weight():
    x, w = randn((3, 4), "float64"), randn((2, 4), "float64", 1)
    for b in (randn((), "float64", 2), randn((1,), "float64", 3)):
        (ex, tx), (ew, tw), (eb, tb) = pair(x, True), pair(w, True), pair(b, True)
        eo, to = F.linear(ex, ew, eb), torch.nn.functional.linear(tx, tw, tb)
        assert_same(eo, to)
        eo.sum().backward()
        to.sum().backward()
        for e, t in ((ex, tx), (ew, tw), (eb, tb)):
            assert_same(e.grad, t.grad)
