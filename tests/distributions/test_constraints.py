"""constraints: reprs, event_dim, is_discrete and check() against torch.distributions.constraints."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _reference import same_error

import ember

from ._compare import assert_same


def C(m):
    return m.distributions.constraints


CONSTRAINTS = {
    "real": lambda m: C(m).real,
    "positive": lambda m: C(m).positive,
    "nonnegative": lambda m: C(m).nonnegative,
    "greater_than": lambda m: C(m).greater_than(0.5),
    "greater_than_eq": lambda m: C(m).greater_than_eq(-1),
    "greater_than-tensor": lambda m: C(m).greater_than(m.tensor([0.0, 1.0, -1.0, 0.5])),
    "less_than": lambda m: C(m).less_than(1.5),
    "interval": lambda m: C(m).interval(-1.0, 2.0),
    "interval-tensor": lambda m: C(m).interval(m.tensor(0.0), m.tensor([1.0, 1.0, 2.0, 3.0])),
    "half_open_interval": lambda m: C(m).half_open_interval(0.0, 1.0),
    "unit_interval": lambda m: C(m).unit_interval,
    "boolean": lambda m: C(m).boolean,
    "integer_interval": lambda m: C(m).integer_interval(0, 2),
    "nonnegative_integer": lambda m: C(m).nonnegative_integer,
    "positive_integer": lambda m: C(m).positive_integer,
    "simplex": lambda m: C(m).simplex,
    "real_vector": lambda m: C(m).real_vector,
    "one_hot": lambda m: C(m).one_hot,
    "independent": lambda m: C(m).independent(C(m).positive, 1),
    "independent-0": lambda m: C(m).independent(C(m).unit_interval, 0),
}

VALUES = [
    np.array([-1.0, 0.0, 0.5, 1.0]),
    np.array([[0.25, 0.75, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.5, 0.6, -0.1, 0.0]]),
    np.array([[2.0, float("nan"), float("inf"), 1.0], [0.0, 1.0, 0.0, 0.0]]),
    np.array([[3.0, 1.0, 2.0, 0.0]]),
]


@pytest.mark.parametrize("make", CONSTRAINTS.values(), ids=CONSTRAINTS.keys())
def test_constraint_repr_attributes_and_check(make):
    t, e = make(torch), make(ember)
    assert repr(e) == repr(t)
    assert (e.event_dim, e.is_discrete) == (t.event_dim, t.is_discrete)
    assert isinstance(e, ember.distributions.constraints.Constraint)
    for v in VALUES:
        for dtype in ("float32", "float64"):
            assert_same(e.check(ember.tensor(v.astype(dtype))), t.check(torch.tensor(v.astype(dtype))), repr(t))


@pytest.mark.parametrize("name", ["boolean", "integer_interval", "nonnegative_integer", "real", "positive",
                                  "interval-tensor"])
def test_check_on_integer_values(name):
    v = np.array([[-1, 0, 1, 2], [3, 1, 0, 1]])
    assert_same(CONSTRAINTS[name](ember).check(ember.tensor(v)), CONSTRAINTS[name](torch).check(torch.tensor(v)))


def test_independent_check_needs_enough_dims():
    same_error(lambda m: C(m).real_vector.check(m.tensor(1.0)), exc=ValueError)
    same_error(lambda m: C(m).independent(C(m).real, 2).check(m.zeros(3)), exc=ValueError)


def test_dependent_constraints():
    for m in (torch, ember):
        c = C(m)
        assert repr(c.dependent) == "Dependent()"
        assert c.is_dependent(c.dependent) and not c.is_dependent(c.real)
        d = c.dependent(is_discrete=True, event_dim=1)
        assert (d.is_discrete, d.event_dim) == (True, 1) and c.is_dependent(d)
        assert repr(m.distributions.Categorical.support) == "DependentProperty()"
        assert c.is_dependent(m.distributions.Uniform.support)
        assert m.distributions.Categorical.support.is_discrete is True
        assert m.distributions.Uniform.support.event_dim == 0
    same_error(lambda m: C(m).dependent.check(m.zeros(1)), exc=ValueError)
    same_error(lambda m: C(m).dependent.event_dim, exc=NotImplementedError)
    same_error(lambda m: C(m).dependent.is_discrete, exc=NotImplementedError)
    same_error(lambda m: C(m).dependent(event_dim=0).is_discrete, exc=NotImplementedError)


def test_dependent_property_decorator():
    def make(m):
        class Box(m.distributions.Distribution):
            arg_constraints = {"high": C(m).positive}

            def __init__(self, high):
                self.high = high
                super().__init__(high.shape)

            @C(m).dependent_property
            def support(self):
                return C(m).interval(0.0, self.high)

        return Box

    for m in (torch, ember):
        box = make(m)
        assert repr(box.support) == "DependentProperty()"
        assert repr(box(m.tensor(2.0)).support) == "Interval(lower_bound=0.0, upper_bound=2.0)"
        with pytest.raises(NotImplementedError):
            box.support.event_dim


def test_independent_argument_checks():
    for bad in [lambda m: C(m).independent("real", 1), lambda m: C(m).independent(C(m).real, 1.0),
                lambda m: C(m).independent(C(m).real, -1)]:
        same_error(bad, exc=AssertionError)


def test_base_constraint():
    for m in (torch, ember):
        base = C(m).Constraint()
        assert repr(base) == "onstraint()"  # torch strips the first character of the class name
        assert (base.event_dim, base.is_discrete) == (0, False)
        with pytest.raises(NotImplementedError):
            base.check(m.zeros(1))
