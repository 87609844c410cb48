"""Constraints: the set a distribution's parameter or sample must lie in (``torch.distributions.constraints``).

A constraint's ``check(value)`` returns a boolean tensor with one entry per event (the rightmost ``event_dim``
dimensions of ``value`` form one event); ``is_discrete`` says whether the set is countable. Reprs are PyTorch's:
the class name without its leading underscore, then the bounds.

>>> import ember
>>> from ember.distributions import constraints
>>> constraints.positive
GreaterThan(lower_bound=0.0)
>>> constraints.positive.check(ember.tensor([-1.0, 0.0, 2.0]))
tensor([False, False,  True])
>>> constraints.simplex.check(ember.tensor([[0.5, 0.5], [0.5, 0.6]]))
tensor([ True, False])
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "Constraint",
    "boolean",
    "dependent",
    "dependent_property",
    "greater_than",
    "greater_than_eq",
    "half_open_interval",
    "independent",
    "integer_interval",
    "interval",
    "is_dependent",
    "less_than",
    "nonnegative",
    "nonnegative_integer",
    "one_hot",
    "positive",
    "positive_integer",
    "real",
    "real_vector",
    "simplex",
    "unit_interval",
]


class Constraint:
    """Base class of constraints: a region of values, tested elementwise (per event) by ``check``.

    ``is_discrete`` (default False) says whether the region is countable; ``event_dim`` (default 0) is the number
    of rightmost dimensions that make one event (``check`` reduces them away).

    >>> import ember
    >>> from ember.distributions.constraints import Constraint
    >>> class Even(Constraint):
    ...     is_discrete = True
    ...     def check(self, value):
    ...         return value % 2 == 0
    >>> Even().check(ember.tensor([1, 2]))
    tensor([False,  True])
    """

    is_discrete = False
    event_dim = 0

    def check(self, value):
        """A boolean tensor of ``value.shape`` less ``event_dim`` dimensions: which events satisfy the constraint."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__[1:] + "()"


def _bounded_repr(self, *names: str) -> str:
    """``Name(lower_bound=..., upper_bound=...)``: bounds go through ``format``, so a 0-d tensor prints its value."""
    return type(self).__name__[1:] + "(" + ", ".join(f"{n}={getattr(self, n)}" for n in names) + ")"


class _Dependent(Constraint):
    """The constraint of a parameter whose valid set depends on other parameters; it cannot be checked.

    ``is_discrete`` and ``event_dim`` raise NotImplementedError unless given; calling the object
    (``dependent(is_discrete=True, event_dim=1)``) makes one with those set.

    >>> from ember.distributions import constraints
    >>> constraints.dependent(is_discrete=True).is_discrete
    True
    """

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        self._is_discrete = is_discrete
        self._event_dim = event_dim
        super().__init__()

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, x):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint) -> bool:
    """True if ``constraint`` is a dependent constraint (one that ``Distribution`` cannot check).

    >>> from ember.distributions import Uniform, constraints
    >>> constraints.is_dependent(Uniform.support), constraints.is_dependent(constraints.real)
    (True, False)
    """
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A ``property`` that is also a dependent constraint: read on an instance it computes the instance's
    constraint; read on the class it is a ``_Dependent`` (so validation skips it).

    >>> import ember
    >>> from ember.distributions import Distribution, constraints
    >>> class Box(Distribution):
    ...     arg_constraints = {}
    ...     def __init__(self, high):
    ...         self.high = high
    ...         super().__init__()
    ...     @constraints.dependent_property(is_discrete=False, event_dim=0)
    ...     def support(self):
    ...         return constraints.interval(0.0, self.high)
    >>> Box.support, Box(2.0).support
    (DependentProperty(), Interval(lower_bound=0.0, upper_bound=2.0))
    """

    def __init__(self, fn: Callable[..., Any] | None = None, *, is_discrete=NotImplemented,
                 event_dim=NotImplemented) -> None:
        property.__init__(self, fn)
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    def __call__(self, fn: Callable[..., Any]) -> _DependentProperty:  # type: ignore[override]
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """``base_constraint`` with ``reinterpreted_batch_ndims`` more rightmost dimensions folded into each event:
    an event is valid when all its entries are.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> c = constraints.independent(constraints.positive, 1)
    >>> c, c.event_dim, c.check(ember.tensor([[1.0, 2.0], [1.0, -2.0]]))
    (IndependentConstraint(GreaterThan(lower_bound=0.0), 1), 1, tensor([ True, False]))
    """

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        if not isinstance(base_constraint, Constraint):
            raise AssertionError(f"base_constraint must be a Constraint, got {type(base_constraint).__name__}")
        if not isinstance(reinterpreted_batch_ndims, int):
            raise AssertionError(
                f"reinterpreted_batch_ndims must be an int, got {type(reinterpreted_batch_ndims).__name__}")
        if reinterpreted_batch_ndims < 0:
            raise AssertionError(f"reinterpreted_batch_ndims must be >= 0, got {reinterpreted_batch_ndims}")
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        super().__init__()

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value):
        result = self.base_constraint.check(value)
        n = self.reinterpreted_batch_ndims
        if result.dim() < n:
            raise ValueError(f"Expected value.dim() >= {self.base_constraint.event_dim + n} but got {value.dim()}")
        return result.reshape(tuple(result.shape[:result.dim() - n]) + (-1,)).all(-1)

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _Boolean(Constraint):
    """The two values 0 and 1.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.boolean.check(ember.tensor([0.0, 0.5, 1.0]))
    tensor([ True, False,  True])
    """

    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _OneHot(Constraint):
    """One-hot vectors along the last dimension (entries 0 or 1, summing to 1).

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.one_hot.check(ember.tensor([[0.0, 1.0], [1.0, 1.0]]))
    tensor([ True, False])
    """

    is_discrete = True
    event_dim = 1

    def check(self, value):
        is_boolean = (value == 0) | (value == 1)
        return is_boolean.all(-1) & value.sum(-1).eq(1)


class _IntegerInterval(Constraint):
    """Integers in ``[lower_bound, upper_bound]``.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.integer_interval(0, 2).check(ember.tensor([0.0, 1.5, 2.0, 3.0]))
    tensor([ True, False,  True, False])
    """

    is_discrete = True

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        return (value % 1 == 0) & (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return _bounded_repr(self, "lower_bound", "upper_bound")


class _IntegerGreaterThan(Constraint):
    """Integers ``>= lower_bound`` (``nonnegative_integer``, ``positive_integer``).

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.nonnegative_integer.check(ember.tensor([-1.0, 0.0, 2.5, 3.0]))
    tensor([False,  True, False,  True])
    """

    is_discrete = True

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound
        super().__init__()

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound)

    def __repr__(self) -> str:
        return _bounded_repr(self, "lower_bound")


class _Real(Constraint):
    """The extended real line: everything but NaN.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.real.check(ember.tensor([float("inf"), float("nan")]))
    tensor([ True, False])
    """

    def check(self, value):
        return value == value


class _GreaterThan(Constraint):
    """The open half line ``(lower_bound, inf]``.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.greater_than(1.0).check(ember.tensor([1.0, 2.0]))
    tensor([False,  True])
    """

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound
        super().__init__()

    def check(self, value):
        return self.lower_bound < value

    def __repr__(self) -> str:
        return _bounded_repr(self, "lower_bound")


class _GreaterThanEq(Constraint):
    """The closed half line ``[lower_bound, inf)``.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.greater_than_eq(1.0).check(ember.tensor([0.5, 1.0]))
    tensor([False,  True])
    """

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound
        super().__init__()

    def check(self, value):
        return self.lower_bound <= value

    def __repr__(self) -> str:
        return _bounded_repr(self, "lower_bound")


class _LessThan(Constraint):
    """The open half line ``[-inf, upper_bound)``.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.less_than(1.0).check(ember.tensor([0.5, 1.0]))
    tensor([ True, False])
    """

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        return value < self.upper_bound

    def __repr__(self) -> str:
        return _bounded_repr(self, "upper_bound")


class _Interval(Constraint):
    """The closed interval ``[lower_bound, upper_bound]``.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.unit_interval.check(ember.tensor([0.0, 1.0, 1.5]))
    tensor([ True,  True, False])
    """

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return _bounded_repr(self, "lower_bound", "upper_bound")


class _HalfOpenInterval(Constraint):
    """The half-open interval ``[lower_bound, upper_bound)``.

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.half_open_interval(0.0, 1.0).check(ember.tensor([0.0, 1.0]))
    tensor([ True, False])
    """

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        super().__init__()

    def check(self, value):
        return (self.lower_bound <= value) & (value < self.upper_bound)

    def __repr__(self) -> str:
        return _bounded_repr(self, "lower_bound", "upper_bound")


class _Simplex(Constraint):
    """Probability vectors along the last dimension: entries ``>= 0`` summing to 1 (within 1e-6).

    >>> import ember
    >>> from ember.distributions import constraints
    >>> constraints.simplex.check(ember.tensor([[0.25, 0.75], [-0.5, 1.5]]))
    tensor([ True, False])
    """

    event_dim = 1

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
one_hot = _OneHot()
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
integer_interval = _IntegerInterval
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
half_open_interval = _HalfOpenInterval
simplex = _Simplex()
