"""autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against torch."""
# ruff: noqa: B023 - the lambdas in loops run within their own iteration
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
XA = RNG.normal(size=(3,))
YA = RNG.normal(size=(2, 3))


def f_vec(m, x):
    return (x.sin() * x).cumsum(0)


def f_two(m, x, y):
    return (y * x).sum(1).tanh(), (x ** 2).sum()


def f_scalar(m, x):
    return (x ** 3).sum() + (x[0] * x[1]).exp()


def f_scalar2(m, x, y):
    return ((y @ x) ** 2).sum()


def _t(m, a, rg=False):
    return m.tensor(a, dtype=m.float64, requires_grad=rg)


def _cmp(t, e):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor) and tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)
    else:
        assert type(e) is type(t) and len(e) == len(t), (type(e), type(t))
        for a, b in zip(t, e):
            _cmp(a, b)


@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_single_and_multi(create_graph):
    res = {}
    for m in (torch, ember):
        j1 = m.autograd.functional.jacobian(lambda x: f_vec(m, x), _t(m, XA), create_graph=create_graph)
        j2 = m.autograd.functional.jacobian(lambda x, y: f_two(m, x, y), (_t(m, XA), _t(m, YA)))
        j3 = m.autograd.functional.jacobian(lambda x: x.sum(), _t(m, XA))
        j4 = m.autograd.functional.jacobian(lambda x: m.zeros(2, dtype=m.float64), _t(m, XA))
        res[m] = (j1, j2, j3, j4)
        assert j1.requires_grad == create_graph
    _cmp(res[torch], res[ember])


def test_hessian():
    res = {}
    for m in (torch, ember):
        h1 = m.autograd.functional.hessian(lambda x: f_scalar(m, x), _t(m, XA))
        h2 = m.autograd.functional.hessian(lambda x, y: f_scalar2(m, x, y), (_t(m, XA), _t(m, YA)))
        res[m] = (h1, h2)
    _cmp(res[torch], res[ember])


def test_vjp_jvp_hvp_vhp():
    v_out = RNG.normal(size=(3,))
    res = {}
    for m in (torch, ember):
        x = _t(m, XA)
        vjp = m.autograd.functional.vjp(lambda x: f_vec(m, x), x, _t(m, v_out))
        jvp = m.autograd.functional.jvp(lambda x: f_vec(m, x), x, _t(m, v_out))
        hvp = m.autograd.functional.hvp(lambda x: f_scalar(m, x), x, _t(m, v_out))
        vhp = m.autograd.functional.vhp(lambda x: f_scalar(m, x), x, _t(m, v_out))
        vjp2 = m.autograd.functional.vjp(lambda x, y: f_scalar2(m, x, y), (x, _t(m, YA)))
        res[m] = (vjp, jvp, hvp, vhp, vjp2)
    _cmp(res[torch], res[ember])


def test_functional_does_not_touch_inputs():
    for m in (torch, ember):
        x = _t(m, XA, rg=True)
        m.autograd.functional.jacobian(lambda x: f_vec(m, x), x)
        m.autograd.functional.hessian(lambda x: f_scalar(m, x), x)
        assert x.grad is None


def test_jacobian_of_function_independent_of_input():
    for m in (torch, ember):
        j = m.autograd.functional.jacobian(lambda x: m.ones(2, dtype=m.float64), _t(m, XA))
        assert j.shape == (2, 3) and not j.any()
