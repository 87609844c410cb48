"""``ExponentialFamily``: distributions with density ``exp(<t(x), theta> - F(theta) + k(x))``.

A subclass gives its natural parameters ``theta`` (``_natural_params``), the log normaliser ``F``
(``_log_normalizer``) and the expected carrier measure ``E[k(x)]`` (``_mean_carrier_measure``); the entropy (and
the KL divergence between two members of the same family, in ``kl.py``) then follow from ``F`` and its gradient by
automatic differentiation (Bregman divergences).
"""
from __future__ import annotations

from .. import Tensor, autograd
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class of exponential-family distributions (``Normal`` and ``Bernoulli`` here).

    ``entropy()`` is ``F(theta) - <theta, grad F(theta)> - E[k(x)]``, computed with ``ember.autograd.grad``;
    families with a closed form override it.

    >>> import ember
    >>> from ember.distributions import ExponentialFamily, Normal
    >>> m = Normal(ember.tensor([0.0]), ember.tensor([1.0]))
    >>> ExponentialFamily.entropy(m)
    tensor([1.4189], grad_fn=<SubBackward0>)
    """

    @property
    def _natural_params(self) -> tuple:
        """The natural parameters, a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """The log normaliser ``F`` evaluated at ``natural_params``."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        """The expected carrier measure ``E[k(x)]``."""
        raise NotImplementedError

    def entropy(self) -> Tensor:
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result += lg_normal
        for p, g in zip(nparams, gradients):
            result -= (p * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
