"""``ember.special``: the ``torch.special`` functions Ember computes (the ones also at the top level under their
plain names; ``expit`` = sigmoid, ``gammaln`` = lgamma, ``psi`` = digamma, ``multigammaln`` = mvlgamma; and ``ndtr``,
the standard normal CDF).

>>> import ember
>>> ember.special.expit(ember.tensor([0.0]))
tensor([0.5000])
>>> ember.special.ndtr(ember.tensor([0.0]))
tensor([0.5000])
"""
from __future__ import annotations

import math

from .nn._functional.activation import _t_log_softmax as log_softmax, _t_softmax as softmax  # noqa: F401
from .ops.pointwise import (erf, erfc, erfinv, exp2, expm1, log1p, logit, round, sigmoid, sinc,  # noqa: A004,F401
                            xlogy)
from .ops.gamma import digamma, mvlgamma as multigammaln, polygamma  # noqa: F401
from .ops.gamma import lgamma as gammaln  # noqa: F401
from .ops.reduction import logsumexp  # noqa: F401

expit = sigmoid
psi = digamma


def ndtr(input):  # noqa: A002 - PyTorch's name
    """The standard normal CDF, ``(1 + erf(x / sqrt(2))) / 2`` (integers give the default float dtype).

    >>> import ember
    >>> ember.special.ndtr(ember.tensor([-1.0, 1.0]))
    tensor([0.1587, 0.8413])
    """
    return (erf(input * (1 / math.sqrt(2.0))) + 1) * 0.5


__all__ = ["digamma", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "log1p", "log_softmax", "logit",
           "logsumexp", "multigammaln", "ndtr", "polygamma", "psi", "round", "sinc", "softmax", "xlogy"]
