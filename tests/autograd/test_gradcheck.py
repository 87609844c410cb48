"""ember.autograd.gradcheck / gradgradcheck: they pass correct gradients and catch wrong ones (like torch's)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.autograd.gradcheck import GradcheckError


def _fns(m):
    class WrongGrad(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2.1 * x * g  # off by 5%

    class WrongDoubleGrad(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x.detach() ** 2 * g + 0 * x  # the detach breaks the second derivative

    return WrongGrad, WrongDoubleGrad


def _x(m, shape=(3,)):
    return m.tensor(np.random.default_rng(1).normal(size=shape), dtype=m.float64, requires_grad=True)


def test_passes_for_correct_gradients():
    for m in (torch, ember):
        x, y = _x(m), _x(m, (2, 3))
        assert m.autograd.gradcheck(lambda a, b: (a * b).sin().sum(0), (x, y))
        assert m.autograd.gradcheck(lambda a: (a.exp(), a.cumsum(0)), (x,))
        assert m.autograd.gradgradcheck(lambda a, b: (a * b).tanh(), (x, y))


def test_catches_wrong_first_derivative():
    for m in (torch, ember):
        wrong, _ = _fns(m)
        x = _x(m)
        with pytest.raises(RuntimeError if m is torch else GradcheckError):
            m.autograd.gradcheck(wrong.apply, (x,))
        assert m.autograd.gradcheck(wrong.apply, (x,), raise_exception=False) is False


def test_catches_wrong_second_derivative():
    for m in (torch, ember):
        _, wrong2 = _fns(m)
        x = _x(m)
        assert m.autograd.gradcheck(wrong2.apply, (x,))
        assert m.autograd.gradgradcheck(wrong2.apply, (x,), raise_exception=False) is False


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(GradcheckError, RuntimeError)


def test_non_differentiable_inputs_and_integer_outputs():
    x = _x(ember, (2, 3))
    idx = ember.tensor([[0, 2], [1, 1]])
    assert ember.autograd.gradcheck(lambda a, i: a.gather(1, i), (x, idx))
    assert ember.autograd.gradcheck(lambda a: a.max(1), (x,))


def test_strided_input():
    x = ember.tensor(np.random.default_rng(2).normal(size=(3, 4)), dtype=ember.float64).t().requires_grad_()
    assert not x.is_contiguous()
    assert ember.autograd.gradcheck(lambda a: (a @ a.t()).exp(), (x,))
