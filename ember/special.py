"""``ember.special``: the ``torch.special`` functions Ember computes (the ones also at the top level under their
plain names; ``expit`` = sigmoid, ``gammaln`` = lgamma, ``psi`` = digamma, ``multigammaln`` = mvlgamma; and ``ndtr``,
the standard normal CDF, ``entr`` and ``xlog1py``, with PyTorch's values and gradients at 0, -1 and NaN).

>>> import ember
>>> ember.special.expit(ember.tensor([0.0]))
tensor([0.5000])
>>> ember.special.ndtr(ember.tensor([0.0]))
tensor([0.5000])
"""
from __future__ import annotations

import math

import numpy as np

from .nn._functional.activation import _t_log_softmax as log_softmax, _t_softmax as softmax  # noqa: F401
from .ops.pointwise import (erf, erfc, erfinv, exp2, expm1, log1p, logit, round, sigmoid, sinc,  # noqa: A004,F401
                            xlogy)
from .ops.gamma import digamma, mvlgamma as multigammaln, polygamma  # noqa: F401
from .ops.gamma import lgamma as gammaln  # noqa: F401
from .ops.reduction import logsumexp  # noqa: F401
from . import _dtype as D
from ._tensor import Tensor, _wrap
from .autograd.graph import Node, link
from .autograd.grad_mode import state
from .ops.inplace import _out
from .ops.ternary import x_times_log

expit = sigmoid
psi = digamma


def ndtr(input):  # noqa: A002 - PyTorch's name
    """The standard normal CDF, ``(1 + erf(x / sqrt(2))) / 2`` (integers give the default float dtype).

    >>> import ember
    >>> ember.special.ndtr(ember.tensor([-1.0, 1.0]))
    tensor([0.1587, 0.8413])
    """
    return (erf(input * (1 / math.sqrt(2.0))) + 1) * 0.5


class SpecialXlog1PyBackward0(Node):
    """PyTorch's rule: d/dx = log1p(y) (0 where x == 0 and y <= -1), d/dy = x / (1 + y)."""

    __slots__ = ("other",)

    def backward(self, g):
        x, y = self.saved_tensors
        other = y if y is not None else self.other  # ``other`` is set (to the scalar) only when y is not a tensor
        e = self.next_edges
        gx = gy = None
        if e[0] is not None:
            gx = xlog1py(g, other)
            mask = (x == 0) & (y <= -1) if y is not None else (x == 0) if other <= -1 else None
            if mask is not None:
                gx = gx.masked_fill(mask, 0.0)
        if len(e) > 1 and e[1] is not None:
            gy = g * x / (other + 1)
        return gx, gy


def xlog1py(input, other, *, out=None) -> Tensor:  # noqa: A002
    """``input * log1p(other)``, and 0 where ``input == 0`` (unless ``other`` is NaN).

    >>> import ember
    >>> ember.special.xlog1py(ember.tensor([0., 2.]), ember.tensor([-1., 0.]))
    tensor([0., 0.])
    """
    return _out(x_times_log(input, other, np.log1p, lambda x_t, y_t: SpecialXlog1PyBackward0()), out)


class SpecialEntrBackward0(Node):
    """PyTorch's rule: ``-(1 + log x)`` for x > 0, +inf at 0, NaN below (times the gradient)."""

    __slots__ = ()

    def raw(self, g):
        (x,) = self.saved_arrays()
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(x > 0, -(1 + np.log(np.where(x > 0, x, 1))), np.where(x == 0, np.inf, np.nan))
        return (g * d).astype(g.dtype, copy=False)

    def backward(self, g):
        return _wrap(self.raw(g._data))


def entr(input) -> Tensor:  # noqa: A002
    """Elementwise entropy ``-x log x`` (0 at 0, -inf below 0; integers give the default float dtype).

    >>> import ember
    >>> ember.special.entr(ember.tensor([0., 0.5, 1.]))
    tensor([0.0000, 0.3466, -0.0000])
    """
    d = input._data
    dt = input.dtype if input.dtype._cat >= 2 else D._default.dtype
    x = d.astype(dt.np, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0, -np.inf))
        r = np.where(np.isnan(x), x, r).astype(dt.np, copy=False)
    res = _wrap(r)
    if input._rg and state.enabled:
        n = SpecialEntrBackward0()
        n.save(input)
        link(n, res, (input,))
    return res


__all__ = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "log1p", "log_softmax",
           "logit", "logsumexp", "multigammaln", "ndtr", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py",
           "xlogy"]
