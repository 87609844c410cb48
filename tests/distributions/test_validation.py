"""Argument and sample validation: torch's exception types and messages, validate_args on/off, the base class's
NotImplementedErrors and warnings."""
from __future__ import annotations

import pytest
import torch
from _reference import same_error

import ember

from ._compare import msg


def D(m):
    return m.distributions


# ----------------------------------------------------------------------------- constructor arguments
BAD_ARGS = {
    "normal-negative-scale": lambda m: D(m).Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, -1.0])),
    "normal-zero-scale-number": lambda m: D(m).Normal(0.0, 0.0),
    "normal-nan-loc": lambda m: D(m).Normal(m.tensor(float("nan")), 1.0),
    "normal-grad-param": lambda m: D(m).Normal(m.tensor([0.5], requires_grad=True), -m.ones(2, 1)),
    "normal-float64": lambda m: D(m).Normal(m.zeros(2, dtype=m.float64), m.tensor([1.0, -2.0], dtype=m.float64)),
    "bernoulli-probs>1": lambda m: D(m).Bernoulli(probs=m.tensor([0.5, 1.5])),
    "bernoulli-probs-number": lambda m: D(m).Bernoulli(probs=-0.1),
    "bernoulli-nan-logits": lambda m: D(m).Bernoulli(logits=m.tensor([0.0, float("nan")])),
    "bernoulli-neither": lambda m: D(m).Bernoulli(),
    "bernoulli-both": lambda m: D(m).Bernoulli(probs=0.5, logits=0.0),
    "bernoulli-not-a-number": lambda m: D(m).Bernoulli(probs="0.5"),
    "categorical-neither": lambda m: D(m).Categorical(),
    "categorical-both": lambda m: D(m).Categorical(m.ones(2), m.ones(2)),
    "categorical-0d-probs": lambda m: D(m).Categorical(probs=m.tensor(1.0)),
    "categorical-0d-logits": lambda m: D(m).Categorical(logits=m.tensor(1.0)),
    "categorical-negative": lambda m: D(m).Categorical(probs=m.tensor([[-1.0, 2.0], [0.5, 0.5]])),
    "categorical-nan-logits": lambda m: D(m).Categorical(logits=m.tensor([[0.0, 1.0], [float("nan"), 0.0]])),
    "onehot-negative": lambda m: D(m).OneHotCategorical(probs=m.tensor([-1.0, 2.0])),
    "onehot-neither": lambda m: D(m).OneHotCategorical(),
    "uniform-reversed": lambda m: D(m).Uniform(1.0, 0.0),
    "uniform-equal": lambda m: D(m).Uniform(m.tensor([0.0, 1.0]), m.tensor([1.0, 1.0])),
    "uniform-broadcast": lambda m: D(m).Uniform(m.tensor([0.0, 2.0]), 1.0),
    "broadcast-all-list": lambda m: D(m).Normal([0.0], 1.0),
}


@pytest.mark.parametrize("fn", BAD_ARGS.values(), ids=BAD_ARGS.keys())
def test_bad_arguments_raise_torchs_value_error(fn):
    same_error(fn, exc=ValueError)


def test_validate_args_false_skips_argument_checks():
    for m in (torch, ember):
        d = D(m).Normal(0.0, -1.0, validate_args=False)
        assert d._validate_args is False
        assert float(d.scale) == -1.0
        u = D(m).Uniform(1.0, 0.0, validate_args=False)
        assert u.batch_shape == m.Size()


def test_set_default_validate_args():
    try:
        for m in (torch, ember):
            D(m).Distribution.set_default_validate_args(False)
            d = D(m).Normal(0.0, -1.0)
            assert d._validate_args is False
            assert D(m).Bernoulli(0.3).log_prob(m.tensor(0.5)).shape == ()  # no sample check either
            d = D(m).Normal(0.0, 1.0, validate_args=True)  # an explicit value wins
            with pytest.raises(ValueError):
                d.log_prob([0.0])
            D(m).Distribution.set_default_validate_args(True)
            with pytest.raises(ValueError):
                D(m).Normal(0.0, -1.0)
        same_error(lambda m: D(m).Distribution.set_default_validate_args("yes"), exc=ValueError)
        same_error(lambda m: D(m).Distribution.set_default_validate_args(None), exc=ValueError)
    finally:
        torch.distributions.Distribution.set_default_validate_args(True)
        ember.distributions.Distribution.set_default_validate_args(True)
    assert ember.distributions.Distribution._validate_args is True


# ----------------------------------------------------------------------------- sample validation
BAD_VALUES = {
    "normal-not-a-tensor": lambda m: D(m).Normal(0.0, 1.0).log_prob(0.5),
    "normal-cdf-list": lambda m: D(m).Normal(0.0, 1.0).cdf([0.5]),
    "normal-shape": lambda m: D(m).Normal(m.zeros(3), 1.0).log_prob(m.zeros(2)),
    "normal-nan": lambda m: D(m).Normal(m.zeros(2), 1.0).log_prob(m.tensor([0.0, float("nan")])),
    "bernoulli-half": lambda m: D(m).Bernoulli(m.tensor([0.3, 0.6])).log_prob(m.tensor([1.0, 0.5])),
    "bernoulli-logits-shape": lambda m: D(m).Bernoulli(logits=m.zeros(2, 3)).log_prob(m.zeros(2, 2)),
    "categorical-out-of-range": lambda m: D(m).Categorical(m.ones(3)).log_prob(m.tensor([0, 3])),
    "categorical-negative": lambda m: D(m).Categorical(m.ones(2, 3)).log_prob(m.tensor([-1, 0])),
    "categorical-fraction": lambda m: D(m).Categorical(m.ones(3)).log_prob(m.tensor(0.5)),
    "categorical-shape": lambda m: D(m).Categorical(m.ones(2, 3)).log_prob(m.tensor([0, 1, 2])),
    "onehot-event-shape": lambda m: D(m).OneHotCategorical(m.ones(3)).log_prob(m.tensor([0.0, 1.0])),
    "onehot-not-one-hot": lambda m: D(m).OneHotCategorical(m.ones(3)).log_prob(m.tensor([1.0, 1.0, 0.0])),
    "onehot-batch": lambda m: D(m).OneHotCategorical(m.ones(2, 3)).log_prob(m.tensor([[0.0, 1.0, 0.0]] * 3)),
    "uniform-above": lambda m: D(m).Uniform(0.0, 1.0).log_prob(m.tensor(1.5)),
    "uniform-cdf": lambda m: D(m).Uniform(m.zeros(2), m.ones(2)).cdf(m.tensor([0.5, -0.5])),
    "uniform-tensor-bounds": lambda m: D(m).Uniform(m.tensor([0.0, 1.0]), m.tensor([1.0, 3.0])).log_prob(
        m.tensor([0.5, 0.5])),
    "expanded-keeps-validation": lambda m: D(m).Normal(0.0, 1.0).expand([2]).log_prob(m.zeros(3)),
}


@pytest.mark.parametrize("fn", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_bad_values_raise_torchs_value_error(fn):
    same_error(fn, exc=ValueError)


def test_upper_bound_of_uniform_is_excluded_by_log_prob_only():
    """The support check is closed ([low, high]); log_prob's indicator is half-open, so log_prob(high) = -inf."""
    for m in (torch, ember):
        d = D(m).Uniform(0.0, 1.0)
        assert float(d.log_prob(m.tensor(1.0))) == float("-inf")
        assert float(d.cdf(m.tensor(1.0))) == 1.0


# ----------------------------------------------------------------------------- the abstract base class
def test_base_class_without_arg_constraints_warns():
    for m in (torch, ember):
        with pytest.warns(UserWarning, match="does not define `arg_constraints`"):
            d = D(m).Distribution()
        assert d.batch_shape == m.Size() and d.event_shape == m.Size()


def test_base_class_raises_not_implemented():
    for name in ("mean", "variance", "support", "arg_constraints"):
        same_error(lambda m, name=name: getattr(D(m).Distribution(validate_args=False), name), exc=NotImplementedError)
    for call in ("rsample", "sample", "entropy", "perplexity", "enumerate_support"):
        same_error(lambda m, call=call: getattr(D(m).Distribution(validate_args=False), call)(),
                   exc=NotImplementedError)
    for call in ("log_prob", "cdf", "icdf"):
        same_error(lambda m, call=call: getattr(D(m).Distribution(validate_args=False), call)(m.zeros(1)),
                   exc=NotImplementedError)
    same_error(lambda m: D(m).Distribution(validate_args=False).expand((2,)), exc=NotImplementedError)
    same_error(lambda m: repr(D(m).Distribution(validate_args=False)), exc=NotImplementedError)


def test_mode_not_implemented_message():
    errs = []
    for m in (torch, ember):
        with pytest.raises(NotImplementedError) as err:
            D(m).Distribution(validate_args=False).mode
        errs.append(msg(err.value))
    assert errs[0] == errs[1]
    assert errs[1] == "<class 'ember.distributions.distribution.Distribution'> does not implement mode"


def test_support_missing_warns_in_sample_validation():
    def make(m):
        class Free(D(m).Distribution):
            arg_constraints = {}

            def log_prob(self, value):
                self._validate_sample(value)
                return value

        return Free(m.Size([2]))

    for m in (torch, ember):
        with pytest.warns(UserWarning, match="does not define `support`"):
            make(m).log_prob(m.zeros(2))


def test_subclass_with_own_init_must_define_expand():
    def make(m):
        class Shifted(D(m).Normal):
            def __init__(self, shift):
                super().__init__(shift, 1.0)

        return Shifted(m.tensor([0.5]))

    same_error(lambda m: make(m).expand((3, 1)), exc=NotImplementedError)


def test_subclass_without_own_init_expands_to_its_class():
    def make(m):
        class Plain(D(m).Bernoulli):
            pass

        return Plain(m.tensor([0.25]))

    for m in (torch, ember):
        d = make(m).expand((2, 1))
        assert type(d).__name__ == "Plain" and d.batch_shape == m.Size([2, 1])

