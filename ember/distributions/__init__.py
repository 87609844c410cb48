"""``ember.distributions``: probability distributions with PyTorch's API (``torch.distributions``), formulas and
random streams.

Distributions: ``Normal``, ``Bernoulli``, ``Categorical``, ``OneHotCategorical``,
``OneHotCategoricalStraightThrough``, ``Uniform``, on the base classes ``Distribution`` and ``ExponentialFamily``;
``constraints``; ``kl_divergence`` and ``register_kl``; helpers in ``utils``. After the same ``manual_seed``,
samples equal PyTorch's bit for bit.

>>> import ember
>>> from ember.distributions import Normal, kl_divergence
>>> loc = ember.tensor([0.0, 1.0], requires_grad=True)
>>> p, q = Normal(loc, 1.0), Normal(0.0, 2.0)
>>> kl_divergence(p, q).sum().backward()
>>> loc.grad
tensor([0.0000, 0.2500])
"""
from . import constraints, kl, utils
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .kl import kl_divergence, register_kl
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "ExponentialFamily",
    "Normal",
    "OneHotCategorical",
    "OneHotCategoricalStraightThrough",
    "Uniform",
    "kl_divergence",
    "register_kl",
]
