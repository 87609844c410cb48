"""The gamma family: lgamma, digamma, polygamma, mvlgamma (values from ``_special``, PyTorch's algorithms).

Derivatives as PyTorch's: ``lgamma' = digamma``, ``digamma' = polygamma(1)``, ``polygamma(n)' = polygamma(n + 1)``;
mvlgamma is composed of lgamma, so its gradient follows. Integer inputs are computed in the default float dtype.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, link
from . import _special
from ._util import Tensor, _arr, _wrap, register, state
from .inplace import _make_inplace, _out
from .unary import _unary

__all__ = ["digamma", "lgamma", "mvlgamma", "polygamma"]


def _floats(d):
    return d.astype(D.np_dtype(D._default.dtype)) if d.dtype.kind in "biu" else d


def _cast(r, dt):
    with np.errstate(over="ignore"):  # beyond float16's range: inf, as PyTorch gives (no warning)
        return np.asarray(r).astype(dt, copy=False)


def _typed(fn):
    """``fn`` computes in float64: give the result the (float) input's dtype, bfloat16 included."""
    return lambda d: _cast(fn(d), d.dtype)


lgamma = _unary("lgamma", _typed(_special.lgamma), lambda g, x: g * digamma(x),
                doc="``log|Gamma(x)|`` elementwise.\n\n    >>> import ember\n"
                    "    >>> ember.lgamma(ember.tensor([1., 5.]))\n    tensor([0.0000, 3.1781])\n")
digamma = _unary("digamma", _typed(_special.digamma), lambda g, x: g * polygamma(1, x),
                 doc="``d/dx log Gamma(x)`` elementwise.\n\n    >>> import ember\n"
                     "    >>> ember.digamma(ember.tensor([1.]))\n    tensor([-0.5772])\n")


class PolygammaBackward0(Node):
    __slots__ = ("n",)

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * polygamma(self.n + 1, x)


def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """The ``n``-th derivative of digamma, elementwise.

    >>> import ember
    >>> ember.polygamma(1, ember.tensor([1.]))
    tensor([1.6449])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if not isinstance(input, Tensor):
        raise TypeError(f"polygamma(): argument 'input' (position 2) must be Tensor, not {type(input).__name__}")
    n = int(n)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    d = _floats(input._data)
    res = _wrap(_arr(_cast(_special.polygamma(n, d), d.dtype)))
    if input._rg and state.enabled:
        node = PolygammaBackward0()
        node.n = n
        node.save(input)
        link(node, res, (input,))
    return _out(res, out) if out is not None else res


def mvlgamma(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma of dimension ``p``: ``sum_i lgamma(x - i / 2) + p (p - 1) / 4 log(pi)``
    over i = 0 .. p - 1 (PyTorch 2.13 no longer requires x > (p - 1) / 2: lgamma is log|Gamma|).

    >>> import ember
    >>> ember.mvlgamma(ember.tensor([2.5]), 2)
    tensor([1.3734])
    """
    from .creation import arange  # noqa: PLC0415

    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    dt = D._default.dtype if input.dtype._cat < 2 else input.dtype
    args = arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=dt, device=input.device) + input.unsqueeze(-1)
    return args.lgamma().sum(-1) + (p * (p - 1)) * math.log(math.pi) * 0.25


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    """``Tensor.polygamma(n)``: the tensor is the input, ``n`` the order."""
    return polygamma(n, self)


_polygamma_method.__name__ = "polygamma"
register(lgamma=lgamma, digamma=digamma, polygamma=_polygamma_method, mvlgamma=mvlgamma)
register(lgamma_=_make_inplace(lgamma), digamma_=_make_inplace(digamma), polygamma_=_make_inplace(_polygamma_method),
         mvlgamma_=_make_inplace(mvlgamma))
