"""ember.utils.checkpoint against torch.utils.checkpoint: the same values and gradients as without checkpointing
(dropout included: the random stream is restored for the recomputation), no graph kept inside, PyTorch's
warnings and errors, and checkpoint_sequential."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import ember
import ember.utils.checkpoint as ecp

X = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)


def _net(m):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(4, 8), m.nn.Tanh(), m.nn.Dropout(0.5), m.nn.Linear(8, 8), m.nn.ReLU(),
                           m.nn.Linear(8, 3))


def _run(m, call):
    net = _net(m)
    x = m.tensor(X, requires_grad=True)
    m.manual_seed(1)
    y = call(m, net, x)
    (y * y).sum().backward()
    return [y.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for p in net.parameters()]


CALLS = {
    "plain": lambda m, net, x: net(x),
    "reentrant": lambda m, net, x: (tcp if m is torch else ecp).checkpoint(net, x, use_reentrant=True),
    "non_reentrant": lambda m, net, x: (tcp if m is torch else ecp).checkpoint(net, x, use_reentrant=False),
    "sequential": lambda m, net, x: (tcp if m is torch else ecp).checkpoint_sequential(net, 3, x,
                                                                                      use_reentrant=True),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_checkpoint_gives_the_plain_values_and_gradients(name):
    reference = _run(torch, CALLS["plain"])
    for got, want in zip(_run(ember, CALLS[name]), reference):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_no_graph_is_kept_inside_and_kwargs():
    x = ember.tensor(X, requires_grad=True)
    y = ecp.checkpoint(lambda a: (a * 2).tanh(), x, use_reentrant=True)
    assert type(y.grad_fn).__name__ == "CheckpointFunctionBackward"
    assert all(type(f).__name__ == "AccumulateGrad" for f, _ in y.grad_fn.next_functions if f is not None)
    z = ecp.checkpoint(lambda a, b=1.0: a * b, x, use_reentrant=False, b=3.0)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(X.shape, 3.0, np.float32))
    with ember.no_grad():
        assert ecp.checkpoint(lambda a: a * 2, x, use_reentrant=True).grad_fn is None


def test_warnings_and_errors_like_torch():
    for cp in (tcp, ecp):
        m = torch if cp is tcp else ember
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
            cp.checkpoint(lambda a: a * 2, m.ones(2, requires_grad=True))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cp.checkpoint(lambda a: a * 2, m.ones(2), use_reentrant=True)
        assert any("None of the inputs have requires_grad=True" in str(w.message) for w in caught)
        with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
            cp.checkpoint(lambda a: a, m.ones(2, requires_grad=True), use_reentrant=True, debug=True)
        with pytest.raises(ValueError, match="Unexpected keyword arguments: b"):
            cp.checkpoint(lambda a, b=1: a * b, m.ones(2, requires_grad=True), use_reentrant=True, b=2)


def test_docstring_example_runs():
    import doctest

    result = doctest.testmod(ecp)
    assert result.attempted >= 5 and result.failed == 0
