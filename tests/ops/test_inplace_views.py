"""In-place view ops (ember/ops/inplace.py: unsqueeze_, squeeze_, t_, transpose_, swapaxes_, swapdims_) against
torch: the tensor takes the view's shape, the version counter moves, the node has PyTorch's in-place name and
gradients flow; PyTorch's error on a leaf that requires grad."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

CASES = [("unsqueeze_", (0,)), ("unsqueeze_", (-1,)), ("squeeze_", ()), ("squeeze_", (0,)), ("squeeze_", ((0, 2),)),
         ("t_", ()), ("transpose_", (0, 1)), ("transpose_", (1, -1)), ("swapaxes_", (0, 2)), ("swapdims_", (2, 0))]


@pytest.mark.parametrize("name,args", CASES)
def test_inplace_view_like_torch(name, args):
    x = np.arange(6.0).reshape(1, 6, 1) if name != "t_" else np.arange(6.0).reshape(2, 3)
    res = []
    for m in (torch, ember):
        plain = m.tensor(x)
        assert getattr(plain, name)(*args) is plain
        base = m.tensor(x, requires_grad=True)
        y = base * 2
        getattr(y, name)(*args)
        w = m.tensor(np.arange(y.numel(), dtype=np.float64).reshape(tuple(y.shape)))
        (y * w).sum().backward()
        res.append((tuple(plain.shape), plain._version, plain.numpy().tolist(), plain.is_contiguous(),
                    type(y.grad_fn).__name__, tuple(y.shape), base.grad.numpy().tolist()))
    assert res[1] == res[0]


def test_inplace_view_errors_like_torch():
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            m.ones(1, 2, requires_grad=True).unsqueeze_(0)
        with pytest.raises(IndexError):
            m.ones(2).transpose_(0, 3)
        with m.no_grad():
            a = m.ones(1, 2, requires_grad=True)
            a.squeeze_()
        assert tuple(a.shape) == (2,) and a.requires_grad
