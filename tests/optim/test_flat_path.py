"""The flat fast path leaves every gradient as backward produced it, whether the kernel reads it in place
(SGD without weight decay/maximize/Nesterov, Adam without coupled weight decay/maximize) or works on a copy."""
import numpy as np
import pytest

import ember
from ember.optim import _elementwise as E

CASES = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.1, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "maximize": True}),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_step_leaves_gradients_unchanged(name, kwargs, monkeypatch):
    monkeypatch.setattr(E, "_CHUNK", 1000)  # the 4000-element weight is read chunk by chunk, in place
    rng = np.random.default_rng(0)
    params = [ember.nn.Parameter(ember.tensor(rng.standard_normal(s).astype(np.float32))) for s in [(40, 100), (7,)]]
    opt = getattr(ember.optim, name)(params, **kwargs)
    for _ in range(3):
        grads = [rng.standard_normal(p.shape).astype(np.float32) for p in params]
        for p, g in zip(params, grads):
            p.grad = ember.tensor(g.copy())
        opt.step()
        for p, g in zip(params, grads):
            np.testing.assert_array_equal(p.grad.numpy(), g)
