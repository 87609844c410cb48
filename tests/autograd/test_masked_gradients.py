"""Gradients that an op masks or zeroes are PyTorch's +0.0 (a select or zeros), not a product with a 0/1 mask:
under a negative upstream gradient that product is -0.0, which prints as ``-0.``, and under an infinite one NaN."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

X = np.array([[-2., -0.5, 0.0, 0.5, 2., 3.], [1., -1., 4., -3., 0.25, -0.25]], np.float32)

OPS = {
    "relu": lambda m, x: m.relu(x),
    "F.relu": lambda m, x: m.nn.functional.relu(x),
    "clamp_min": lambda m, x: x.clamp(min=0),
    "clamp": lambda m, x: x.clamp(-1, 1),
    "clamp_tensor": lambda m, x: x.clamp(m.zeros(6), m.ones(6)),
    "threshold": lambda m, x: m.nn.functional.threshold(x, 0.1, 20.),
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x),
    "relu6": lambda m, x: m.nn.functional.relu6(x),
    "hardsigmoid": lambda m, x: m.nn.functional.hardsigmoid(x),
    "hardswish": lambda m, x: m.nn.functional.hardswish(x),
    "max_pool2d": lambda m, x: m.nn.functional.max_pool2d(x.reshape(1, 1, 2, 6), 2),
    "max_pool2d_overlapping": lambda m, x: m.nn.functional.max_pool2d(x.reshape(1, 1, 2, 6), (1, 3), stride=1),
    "max": lambda m, x: x.max(),
    "min": lambda m, x: x.min(),
    "max_dim": lambda m, x: x.max(1).values,
    "maximum": lambda m, x: m.maximum(x, m.zeros_like(x)),
    "fmax": lambda m, x: m.fmax(x, m.zeros_like(x)),
    "fmin": lambda m, x: m.fmin(x, m.zeros_like(x)),
    "where": lambda m, x: m.where(x > 0, x, m.zeros_like(x)),
    "masked_fill": lambda m, x: x.masked_fill(x > 1, 0.),
    "sign": lambda m, x: x.sign(),
    "floor": lambda m, x: x.floor(),
    "ceil": lambda m, x: x.ceil(),
    "trunc": lambda m, x: x.trunc(),
    "round": lambda m, x: x.round(),
    "pow0": lambda m, x: x ** 0,
    "index": lambda m, x: x[:, 1:3],
}


@pytest.mark.parametrize("upstream", [-1.5, -np.inf])
@pytest.mark.parametrize("name", list(OPS))
def test_masked_gradient_is_positive_zero(name, upstream):
    grads = {}
    for m in (torch, ember):
        x = m.tensor(X.copy(), requires_grad=True)
        y = OPS[name](m, x)
        y.backward(m.full(tuple(y.shape), upstream))
        grads[m] = x.grad.numpy()
    np.testing.assert_array_equal(grads[ember], grads[torch])
    np.testing.assert_array_equal(np.signbit(grads[ember]), np.signbit(grads[torch]))


def test_hardswish_gradient_at_the_kinks():
    # PyTorch: 0 for x <= -3, x / 3 + 0.5 for -3 < x < 3, 1 for x >= 3
    vals = [-3.5, -3., -2.9, 2.9, 3., 3.5]
    grads = []
    for m in (torch, ember):
        x = m.tensor(vals, requires_grad=True)
        m.nn.functional.hardswish(x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_full_max_gradient_with_nan_goes_to_the_nans():
    grads = []
    for m in (torch, ember):
        x = m.tensor([1., float("nan"), 3., float("nan")], requires_grad=True)
        x.max().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
