"""torch.gradient (ember/ops/finite_diff.py) against PyTorch: spacings (number, per-dim numbers, coordinate
tensors), dims, edge orders, dtypes, gradients through it, and errors."""
import numpy as np
import pytest
import torch
from _reference import same_error

import ember

X = np.array([1.0, 4.0, 9.0, 16.0, 25.0])
Y = np.arange(12.0).reshape(3, 4) ** 2
COORDS = {"c5": [0.0, 1.0, 1.5, 3.5, 4.0], "c3": [0.0, 1.0, 3.0], "c4": [0.0, 1.0, 2.0, 4.0], "c2": [0.0, 0.5]}
CASES = [
    (X, {}), (X, {"spacing": 2.0}), (X, {"spacing": ("c5",)}), (X, {"edge_order": 2}),
    (X, {"edge_order": 2, "spacing": ("c5",)}), (np.array([1, 4, 9, 16]), {}), (Y, {"dim": 1}),
    (Y, {"spacing": [2.0, 3.0]}), (Y, {"spacing": ("c3", "c4")}), (Y, {"spacing": ("c3", "c4"), "edge_order": 2}),
    (Y, {"spacing": 2, "dim": (0,)}), (X, {"spacing": [2.0]}), (np.array([1.0, 3.0]), {}),
    (np.array([1.0, 3.0]), {"spacing": ("c2",)}), (Y.astype(np.float32), {"dim": -1, "edge_order": 2}),
]


def _kw(m, kw):
    k = dict(kw)
    if isinstance(k.get("spacing"), tuple):
        k["spacing"] = [m.tensor(COORDS[c]) for c in k["spacing"]]
    return k


@pytest.mark.parametrize("arr,kw", CASES, ids=[f"{a.dtype}{a.shape}-{kw}" for a, kw in CASES])
def test_matches_torch(arr, kw):
    t = torch.gradient(torch.tensor(arr), **_kw(torch, kw))
    e = ember.gradient(ember.tensor(arr), **_kw(ember, kw))
    assert len(e) == len(t)
    for a, b in zip(t, e):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("edge_order", [1, 2])
def test_differentiable(edge_order):
    grads = []
    for m in (torch, ember):
        x = m.tensor(Y, requires_grad=True)
        gs = m.gradient(x, spacing=[m.tensor(COORDS["c3"], dtype=m.float64), m.tensor(COORDS["c4"])],
                        edge_order=edge_order)
        (gs[0] * 2 + gs[1] ** 2).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


ERRORS = {
    "too_short": lambda m: m.gradient(m.tensor([1.0])),
    "edge_order_3": lambda m: m.gradient(m.tensor(X), edge_order=3),
    "too_short_for_order_2": lambda m: m.gradient(m.tensor([1.0, 2.0]), edge_order=2),
    "spacing_length": lambda m: m.gradient(m.tensor(X), spacing=[1.0, 2.0]),
    "spacing_length_with_dim": lambda m: m.gradient(m.tensor(Y), spacing=[1.0, 2.0], dim=0),
    "dim_range": lambda m: m.gradient(m.tensor(X), dim=2),
    "mixed_spacing": lambda m: m.gradient(m.tensor(Y), spacing=[m.tensor(COORDS["c3"]), 0.5]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name], exc=Exception)
