"""ember.special against torch.special: values, dtypes and gradients of every function it holds."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.special

X = np.array([-3.0, -1.0, -0.25, 0.0, 0.3, 0.5, 0.9, 2.0], np.float32)
CALLS = {
    "softmax": lambda s, x: s.softmax(x, 0), "log_softmax": lambda s, x: s.log_softmax(x, 0),
    "logsumexp": lambda s, x: s.logsumexp(x, 0), "xlogy": lambda s, x: s.xlogy(x, x.abs() + 0.5),
    "xlog1py": lambda s, x: s.xlog1py(x, x.abs() - 0.5),
    "logit": lambda s, x: s.logit(x.abs() * 0.3 + 0.01),
    # away from the poles (PyTorch's float32 trigamma is finite there only by sin(pi x) rounding)
    "digamma": lambda s, x: s.digamma(x.abs() + 0.5), "psi": lambda s, x: s.psi(x.abs() + 0.5),
    "polygamma": lambda s, x: s.polygamma(2, x.abs() + 0.5),
    "multigammaln": lambda s, x: s.multigammaln(x.abs() + 1.5, 3),
}


@pytest.mark.parametrize("name", ember.special.__all__)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_like_torch(name, dtype):
    res = []
    for m in (torch, ember):
        x = m.tensor(X.astype(dtype), requires_grad=True)
        y = CALLS.get(name, lambda s, t: getattr(s, name)(t))(m.special, x)
        y.sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy()))
    for a, b in zip(res[1], res[0]):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_integer_inputs_and_names():
    assert set(ember.special.__all__) <= set(dir(torch.special))
    for name in ("ndtr", "expit", "erf", "expm1"):
        e, t = getattr(ember.special, name)(ember.tensor([1, 2])), getattr(torch.special, name)(torch.tensor([1, 2]))
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


def test_entr_and_xlog1py_special_values_and_gradients():
    res = []
    for m in (torch, ember):
        x = m.tensor([0.0, 0.5, -1.0, 2.0, float("nan"), float("inf")], requires_grad=True)
        e = m.special.entr(x)
        e.sum().backward()
        a = m.tensor([0.0, 1.0, 2.0, 0.0, 3.0], requires_grad=True)
        b = m.tensor([-1.0, 0.5, -2.0, float("nan"), -1.0], requires_grad=True)
        r = m.special.xlog1py(a, b)
        r.sum().backward()
        c = m.tensor([0.0, 1.0], requires_grad=True)
        m.special.xlog1py(c, -1.0).sum().backward()
        res.append([t.detach().numpy() for t in (e, x.grad, r, a.grad, b.grad, c.grad,
                                                 m.special.xlog1py(2, m.tensor([1.0])),
                                                 m.special.entr(m.tensor([1, 2])))])
    for t, e in zip(*res):
        assert t.dtype == e.dtype
        np.testing.assert_allclose(e, t, rtol=1e-6)
