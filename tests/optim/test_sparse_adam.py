"""SparseAdam against torch.optim.SparseAdam on embedding-style sparse gradients."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember


def _run(maximize, dtype, steps=20):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((10, 3)).astype(dtype)
    tw, ew = torch.nn.Parameter(torch.tensor(w)), ember.nn.Parameter(ember.tensor(w))
    to = torch.optim.SparseAdam([tw], lr=0.01, betas=(0.8, 0.99), maximize=maximize)
    eo = ember.optim.SparseAdam([ew], lr=0.01, betas=(0.8, 0.99), maximize=maximize)
    for _ in range(steps):
        idx = rng.integers(0, 10, size=6)  # duplicates are summed, as in an embedding's sparse gradient
        vals = rng.standard_normal((6, 3)).astype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tw.grad = torch.sparse_coo_tensor(torch.tensor(idx)[None], torch.tensor(vals), (10, 3))
        dense = np.zeros((10, 3), dtype)
        np.add.at(dense, idx, vals)
        g = ember.tensor(dense)
        g._sparse_indices = ember.tensor(idx)
        ew.grad = g
        to.step()
        eo.step()
    return tw, ew, to, eo


@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_adam_matches_torch(maximize, dtype):
    tw, ew, to, eo = _run(maximize, dtype)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(ew.detach().numpy(), tw.detach().numpy(), **tol)
    ts, es = to.state_dict(), eo.state_dict()
    assert ts["param_groups"] == es["param_groups"]
    assert es["state"][0]["step"] == ts["state"][0]["step"] == 20
    for k in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(es["state"][0][k].numpy(), ts["state"][0][k].numpy(), **tol)


def test_sparse_adam_errors():
    w = ember.nn.Parameter(ember.ones(3, 2))
    opt = ember.optim.SparseAdam([w])
    w.grad = ember.ones(3, 2)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients, please consider Adam"):
        opt.step()
    for kw, msg in [({"lr": 0.0}, "Invalid learning rate: 0.0"), ({"eps": 0.0}, "Invalid epsilon value: 0.0"),
                    ({"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0")]:
        with pytest.raises(ValueError, match=msg.replace("(", r"\(")):
            ember.optim.SparseAdam([w], **kw)
    with pytest.raises(ValueError, match=r"Complex params at indices \[\[0, 0\]\]"):
        ember.optim.SparseAdam([ember.nn.Parameter(ember.ones(2, dtype=ember.complex64))])
    g = ember.zeros(3, 2)
    g._sparse_indices = ember.tensor([0])
    w.grad = g
    with pytest.raises(RuntimeError, match="Adam does not support sparse gradients, please consider SparseAdam"):
        ember.optim.Adam([w]).step()
    with pytest.raises(RuntimeError, match="weight_decay option is not compatible with sparse gradients"):
        ember.optim.Adagrad([w], weight_decay=0.1).step()


@pytest.mark.parametrize("padding_idx", [None, 2])
def test_sparse_adam_with_sparse_embedding_matches_torch(padding_idx):
    """End to end: nn.Embedding(sparse=True) gradients drive SparseAdam like PyTorch's sparse COO gradients."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((10, 4)).astype(np.float32)
    te = torch.nn.Embedding(10, 4, sparse=True, padding_idx=padding_idx)
    ee = ember.nn.Embedding(10, 4, sparse=True, padding_idx=padding_idx)
    with torch.no_grad():
        te.weight.copy_(torch.tensor(w))
    ee.weight.data = ember.tensor(w.copy())
    to, eo = torch.optim.SparseAdam(te.parameters(), lr=0.05), ember.optim.SparseAdam(ee.parameters(), lr=0.05)
    for _ in range(20):
        idx = rng.integers(0, 10, size=(3, 5))
        tgt = rng.standard_normal((3, 5, 4)).astype(np.float32)
        for m, o, lib in ((te, to, torch), (ee, eo, ember)):
            o.zero_grad(set_to_none=padding_idx is None)  # also: zeroed sparse gradients hold no rows
            ((m(lib.tensor(idx)) - lib.tensor(tgt)) ** 2).mean().backward()
            o.step()
    np.testing.assert_allclose(ee.weight.detach().numpy(), te.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
