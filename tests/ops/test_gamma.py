"""The gamma family (ember/ops/gamma.py, values from ember/ops/_special.py) against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _reference import same_error

import ember

# regular points, both sides of the poles, near the roots of lgamma (1, 2, -2.457..., -2.747...) and of digamma
# (1.4616...), tiny and huge arguments, and the special values
POINTS = np.concatenate([np.linspace(-10.25, 35.0, 1811), np.linspace(0.4, 2.6, 441),
                         [1.0, 2.0, 3.0, 0.5, 1.4616321449683622, -2.4570247, -2.7476826, 1e-300, 1e-10, -1e-10,
                          1e-5, 171.5, 1e5, 1e17, 1e20, 1e300, 0.0, -0.0, -1.0, -2.0, -1e20, np.inf, -np.inf,
                          np.nan]])
FUNCS = {
    "lgamma": (lambda m, x: m.lgamma(x), 1e-12),
    "digamma": (lambda m, x: m.digamma(x), 1e-12),
    "polygamma 1": (lambda m, x: m.polygamma(1, x), 1e-12),  # PyTorch's own trigamma series (1e-10 from exact)
    "polygamma 2": (lambda m, x: m.polygamma(2, x), 1e-12),
    "polygamma 3": (lambda m, x: m.polygamma(3, x), 1e-12),
    "polygamma 5": (lambda m, x: m.polygamma(5, x), 1e-12),
}


@pytest.mark.parametrize("name", list(FUNCS))
def test_float64_values_match_torch(name):
    fn, rtol = FUNCS[name]
    e, t = fn(ember, ember.tensor(POINTS)), fn(torch, torch.tensor(POINTS))
    assert str(e.dtype) == str(t.dtype)
    en, tn = e.numpy(), t.numpy()
    np.testing.assert_array_equal(np.isnan(en), np.isnan(tn))
    np.testing.assert_array_equal(np.isposinf(en), np.isposinf(tn))
    np.testing.assert_array_equal(np.isneginf(en), np.isneginf(tn))
    fin = np.isfinite(tn)
    # relative error, or absolute below 1e-14 (lgamma's roots)
    np.testing.assert_allclose(en[fin], tn[fin], rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("name", list(FUNCS))
@pytest.mark.parametrize("dtype", ["float32", "int64", "float16", "bfloat16"])
def test_other_dtypes_match_torch(name, dtype):
    """PyTorch accumulates float32 in float32 (its digamma(1) is -0.57721591, the true value -0.57721566), Ember
    in float64: they agree to ~1e-6 relative away from the roots; integers give the default float dtype."""
    fn, _ = FUNCS[name]
    vals = [1, 2, 3, 5, 9] if dtype == "int64" else [0.5, 1.0, 2.5, 3.75, 7.25, 30.0, -0.5, -3.7]
    e = fn(ember, ember.tensor(vals, dtype=getattr(ember, dtype)))
    t = fn(torch, torch.tensor(vals, dtype=getattr(torch, dtype)))
    assert str(e.dtype) == str(t.dtype)
    tol = {"float16": 2e-3, "bfloat16": 1.6e-2}.get(dtype, 2e-6)
    np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), rtol=tol, atol=tol)


def test_prints_like_torch():
    x = [1.0, 2.0, 3.0, 0.5]
    assert repr(ember.lgamma(ember.tensor(x))) == repr(torch.lgamma(torch.tensor(x)))  # +0 at 1 and 2
    assert repr(ember.digamma(ember.tensor(x))) == repr(torch.digamma(torch.tensor(x)))


@pytest.mark.parametrize("name", ["lgamma", "digamma", "polygamma 1", "polygamma 2"])
def test_gradients_and_second_order_match_torch(name):
    fn, _ = FUNCS[name]
    vals = [0.7, 2.5, 6.0, -1.3]
    ex = ember.tensor(vals, dtype=ember.float64, requires_grad=True)
    tx = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
    eg, = ember.autograd.grad(fn(ember, ex).sum(), ex, create_graph=True)
    tg, = torch.autograd.grad(fn(torch, tx).sum(), tx, create_graph=True)
    np.testing.assert_allclose(eg.detach().numpy(), tg.detach().numpy(), rtol=1e-9)
    egg, = ember.autograd.grad(eg.sum(), ex)
    tgg, = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(egg.numpy(), tgg.numpy(), rtol=1e-8)
    assert type(fn(ember, ex).grad_fn).__name__ == type(fn(torch, tx).grad_fn).__name__


@pytest.mark.parametrize("p", [1, 2, 3, 5])
def test_mvlgamma_matches_torch(p):
    vals = np.array([[2.5, 3.0], [4.5, 7.0]])
    ex, tx = ember.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
    ey, ty = ember.mvlgamma(ex, p), torch.mvlgamma(tx, p)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    ey.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    assert ember.tensor(vals).mvlgamma(p).allclose(ember.special.multigammaln(ember.tensor(vals), p))


def test_methods_in_place_and_special_names():
    x = [0.5, 1.5, 4.0]
    assert ember.tensor(x).lgamma_().allclose(ember.lgamma(ember.tensor(x)))
    assert ember.tensor(x).digamma_().allclose(ember.special.psi(ember.tensor(x)))
    assert ember.tensor(x).polygamma(2).allclose(ember.special.polygamma(2, ember.tensor(x)))
    assert ember.tensor(x).polygamma_(1).allclose(ember.polygamma(1, ember.tensor(x)))
    assert ember.special.gammaln(ember.tensor(x)).allclose(ember.tensor(x).lgamma())
    assert ember.special.digamma is ember.digamma
    out = ember.empty(3)
    assert ember.polygamma(1, ember.tensor(x), out=out) is out


def test_mvlgamma_outside_the_old_domain():
    """PyTorch 2.13 computes any x (log|Gamma|), +inf at the poles."""
    for vals, p in (([0.4], 2), ([0.4, -3.0], 3), ([3, 4], 2)):
        e, t = ember.mvlgamma(ember.tensor(vals), p), torch.mvlgamma(torch.tensor(vals), p)
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda m: m.mvlgamma(m.tensor([2.0]), 0),
    lambda m: m.polygamma(-1, m.tensor([1.0])),
    lambda m: m.polygamma(1.5, m.tensor([1.0])),
    lambda m: m.polygamma(1, [1.0]),
])
def test_errors_match_torch(fn):
    same_error(fn, Exception, first_line=True)
