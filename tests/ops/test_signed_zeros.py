"""Forward results keep PyTorch's sign of zero: ``clamp(-0.0, min=0)``, ``relu(-0.0)``, ELU and max pooling over
(-0.0, 0.0) give -0.0 in PyTorch (the input is kept when it equals the bound), which prints as ``-0.``.
(Tensor bounds are left out: PyTorch's own vectorized and scalar loops disagree on them.)"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

NAN = float("nan")
X = [-0.0, 0.0, -2.0, 0.5, 3.0, NAN, -1.0, 1.0, 2.0, -0.0, 0.0, -0.5]

OPS = {
    "clamp_min0": lambda m, x: x.clamp(min=0),
    "clamp_max0": lambda m, x: x.clamp(max=0),
    "clamp_min_neg0": lambda m, x: x.clamp(min=-0.0),
    "clamp_0_1": lambda m, x: x.clamp(0, 1),
    "clamp_-1_0": lambda m, x: x.clamp(-1, 0),
    "clamp_-1_1": lambda m, x: x.clamp(-1, 1),
    "clamp_lo_above_hi": lambda m, x: x.clamp(2, 1),
    "clamp_nan_bound": lambda m, x: x.clamp(min=NAN),
    "clamp_": lambda m, x: x.clone().clamp_(min=0),
    "clip": lambda m, x: m.clip(x, max=0),
    "relu": lambda m, x: m.relu(x),
    "elu": lambda m, x: m.nn.functional.elu(x),
    "celu": lambda m, x: m.nn.functional.celu(x, 2.0),
    "selu": lambda m, x: m.nn.functional.selu(x),
    "max_pool2d_tiled": lambda m, x: m.nn.functional.max_pool2d(x.reshape(1, 2, 6), 2),
    "max_pool2d_window": lambda m, x: m.nn.functional.max_pool2d(x.reshape(1, 2, 6), (1, 2), stride=1),
}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", list(OPS))
def test_sign_of_zero_like_torch(name, dtype):
    res = []
    for m in (torch, ember):
        res.append(OPS[name](m, m.tensor(X, dtype=getattr(m, dtype))).numpy())
    t, e = res
    assert t.dtype == e.dtype
    if name == "selu":  # its constants round differently in the last bit
        np.testing.assert_allclose(e, t, rtol=1e-6 if dtype != "float16" else 1e-3)
    else:
        np.testing.assert_array_equal(e, t)
    keep = ~np.isnan(t)
    np.testing.assert_array_equal(np.signbit(e)[keep], np.signbit(t)[keep])
