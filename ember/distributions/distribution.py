"""``Distribution``: the base class of every probability distribution (``torch.distributions.Distribution``).

A distribution has a ``batch_shape`` (independent distributions held side by side) and an ``event_shape`` (the
shape of one draw). ``sample(sample_shape)`` returns ``sample_shape + batch_shape + event_shape``. Parameters are
checked against ``arg_constraints`` on construction, and values against ``support`` in ``log_prob``/``cdf``,
unless validation is off (``validate_args=False``, ``Distribution.set_default_validate_args(False)`` or
``python -O``).
"""
from __future__ import annotations

import warnings

from .. import Size, Tensor, exp, no_grad
from . import constraints
from .utils import lazy_property

__all__ = ["Distribution"]


class Distribution:
    """The abstract base class of probability distributions.

    Subclasses set ``arg_constraints`` and ``support`` and implement what they can of ``sample``/``rsample``,
    ``log_prob``, ``cdf``, ``icdf``, ``entropy``, ``mean``, ``mode``, ``variance`` and ``expand``; what they do
    not implement raises NotImplementedError here.

    >>> import ember
    >>> from ember.distributions import Normal
    >>> m = Normal(ember.zeros(2), ember.ones(2))
    >>> m
    Normal(loc: torch.Size([2]), scale: torch.Size([2]))
    >>> m.batch_shape, m.event_shape, m.sample((3,)).shape
    (torch.Size([2]), torch.Size([]), torch.Size([3, 2]))
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument and sample validation on or off for distributions built afterwards without
        ``validate_args`` (on by default, off under ``python -O``).

        >>> from ember.distributions import Distribution
        >>> Distribution.set_default_validate_args(False)
        >>> Distribution.set_default_validate_args(True)
        """
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape: Size = Size(), event_shape: Size = Size(),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = batch_shape
        self._event_shape = event_shape
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(f"{self.__class__} does not define `arg_constraints`. Please set "
                              "`arg_constraints = {}` or initialize the distribution with `validate_args=False` "
                              "to turn off validation.", stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(getattr(type(self), param), lazy_property):
                    continue  # the other parameterisation: computed (and valid) only when read
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(f"Expected parameter {param} ({type(value).__name__} of shape "
                                     f"{tuple(value.shape)}) of distribution {self!r} to satisfy the constraint "
                                     f"{constraint!r}, but found invalid values:\n{value}")
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """A distribution of the same family with parameters expanded (not copied) to ``batch_shape``; no
        argument checks are repeated. Subclasses implement it.

        >>> import ember
        >>> from ember.distributions import Bernoulli
        >>> Bernoulli(ember.tensor(0.5)).expand([3]).batch_shape
        torch.Size([3])
        """
        raise NotImplementedError

    @property
    def batch_shape(self) -> Size:
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of one sample, without batching."""
        return self._event_shape

    @property
    def arg_constraints(self) -> dict:
        """A dict from parameter names to the ``Constraint`` each must satisfy."""
        raise NotImplementedError

    @property
    def support(self):
        """The ``Constraint`` describing where the distribution has mass."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        """The mean of the distribution.

        >>> import ember
        >>> from ember.distributions import Bernoulli
        >>> Bernoulli(ember.tensor([0.25, 0.75])).mean
        tensor([0.2500, 0.7500])
        """
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        """The mode of the distribution (NotImplementedError where a subclass does not define it).

        >>> import ember
        >>> from ember.distributions import Categorical
        >>> Categorical(ember.tensor([0.2, 0.5, 0.3])).mode
        tensor(1)
        """
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        """The variance of the distribution.

        >>> import ember
        >>> from ember.distributions import Normal
        >>> Normal(0.0, 3.0).variance
        tensor(9.)
        """
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        """The standard deviation: ``variance.sqrt()`` unless a subclass knows better.

        >>> import ember
        >>> from ember.distributions import Uniform
        >>> Uniform(0.0, 12 ** 0.5).stddev
        tensor(1.)
        """
        return self.variance.sqrt()

    def sample(self, sample_shape=Size()) -> Tensor:
        """Draw ``sample_shape`` samples (of shape ``sample_shape + batch_shape + event_shape``), without a graph.

        >>> import ember
        >>> from ember.distributions import Uniform
        >>> Uniform(0.0, 1.0).sample((2, 3)).shape
        torch.Size([2, 3])
        """
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()) -> Tensor:
        """Draw reparameterised samples (differentiable with respect to the parameters), where supported.

        >>> import ember
        >>> from ember.distributions import Normal
        >>> scale = ember.tensor(2.0, requires_grad=True)
        >>> Normal(0.0, scale).rsample((4,)).requires_grad
        True
        """
        raise NotImplementedError

    def sample_n(self, n: int) -> Tensor:
        """``sample((n,))``, deprecated as in PyTorch (a FutureWarning)."""
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.", FutureWarning, stacklevel=2)
        return self.sample(Size((n,)))

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the density (or mass) function at ``value``.

        >>> import ember
        >>> from ember.distributions import Bernoulli
        >>> Bernoulli(ember.tensor(0.5)).log_prob(ember.tensor(1.0))
        tensor(-0.6931)
        """
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at ``value``.

        >>> import ember
        >>> from ember.distributions import Uniform
        >>> Uniform(0.0, 4.0).cdf(ember.tensor(1.0))
        tensor(0.2500)
        """
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse cumulative distribution function at ``value``.

        >>> import ember
        >>> from ember.distributions import Normal
        >>> Normal(1.0, 2.0).icdf(ember.tensor(0.5))
        tensor(1.)
        """
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """All values of a discrete distribution along dimension 0: shape ``(cardinality,) + batch_shape +
        event_shape``, or with singleton batch dimensions when ``expand`` is False.

        >>> import ember
        >>> from ember.distributions import Bernoulli
        >>> Bernoulli(ember.tensor([0.2, 0.7])).enumerate_support()
        tensor([[0., 0.],
                [1., 1.]])
        """
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """The entropy, one value per batch element.

        >>> import ember
        >>> from ember.distributions import Bernoulli
        >>> Bernoulli(ember.tensor([0.5, 0.1])).entropy()
        tensor([0.6931, 0.3251])
        """
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """``exp(entropy())``.

        >>> import ember
        >>> from ember.distributions import Categorical
        >>> Categorical(ember.ones(4)).perplexity()
        tensor(4.)
        """
        return exp(self.entropy())

    def _extended_shape(self, sample_shape=Size()) -> Size:
        """``sample_shape + batch_shape + event_shape``: the shape of a sample."""
        if not isinstance(sample_shape, Size):
            sample_shape = Size(sample_shape)
        return Size(sample_shape + self._batch_shape + self._event_shape)

    def _validate_sample(self, value: Tensor) -> None:
        """Raise ValueError unless ``value`` is a tensor whose rightmost dimensions broadcast with
        ``batch_shape + event_shape`` and whose entries lie in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.size()) - len(self._event_shape)
        if value.size()[event_dim_start:] != self._event_shape:
            raise ValueError(
                f"The right-most size of value must match event_shape: {value.size()} vs {self._event_shape}.")
        actual_shape = value.size()
        expected_shape = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: {actual_shape} vs {expected_shape}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample validation. Please "
                          "initialize the distribution with `validate_args=False` to turn off validation.",
                          stacklevel=2)
            return
        if support is None:
            raise AssertionError("support is unexpectedly None")
        if not bool(support.check(value).all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support ({support!r}) of the distribution {self!r}, but found invalid "
                             f"values:\n{value}")

    def _get_checked_instance(self, cls, _instance=None):
        """A bare instance for ``expand``: ``_instance`` if given, else a new object of this class (a subclass
        with its own ``__init__`` must then define its own ``expand``)."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom __init__ method "
                "must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self) -> str:
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{p}: {self.__dict__[p] if self.__dict__[p].numel() == 1 else self.__dict__[p].size()}"
                         for p in names)
        return f"{self.__class__.__name__}({args})"
