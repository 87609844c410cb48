"""Autograd through complex tensors is not implemented: where a gradient would be complex, backward raises
NotImplementedError instead of returning the wrong numbers (Ember's derivative rules do not conjugate as
PyTorch's do: for ``(x * (1 + 2j)).abs().sum()`` they gave -1.34 where PyTorch gives 2.24). Complex forward
arithmetic, and real graphs, are unaffected."""
import numpy as np
import pytest
import torch

import ember


def _cases(m):
    def scalar_mul():
        x = m.tensor([1.0, 2.0], requires_grad=True)
        return (x * (1 + 2j)).abs().sum(), x

    def complex_leaf():
        z = m.tensor([1 + 2j, 3 - 1j], requires_grad=True)
        return (z * z).abs().sum(), z

    def cast_to_complex():
        x = m.tensor([1.0, -2.0], requires_grad=True)
        return (x.to(m.complex64) * m.tensor([2 - 1j, 1j])).abs().sum(), x

    return {"scalar_mul": scalar_mul, "complex_leaf": complex_leaf, "cast_to_complex": cast_to_complex}


CASES = list(_cases(torch))


@pytest.mark.parametrize("case", CASES)
def test_backward_through_complex_raises_where_torch_differentiates(case):
    loss, x = _cases(torch)[case]()
    loss.backward()
    assert x.grad is not None  # PyTorch differentiates it ...
    loss, x = _cases(ember)[case]()
    with pytest.raises(NotImplementedError, match="autograd through complex tensors"):
        loss.backward()  # ... Ember says it cannot, rather than answer wrongly
    loss, x = _cases(ember)[case]()
    with pytest.raises(NotImplementedError, match="autograd through complex tensors"):
        ember.autograd.grad(loss, x)


@pytest.mark.parametrize("case", CASES)
def test_the_forward_values_still_match_torch(case):
    a = _cases(torch)[case]()[0].detach().numpy()
    b = _cases(ember)[case]()[0].detach().numpy()
    np.testing.assert_allclose(b, a, rtol=1e-6)


def test_create_graph_path_raises_too():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="autograd through complex tensors"):
        (x * (1 + 2j)).abs().sum().backward(create_graph=True)


def test_real_graphs_and_real_casts_are_unaffected():
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        (x.to(m.float64) * 3).sum().backward()
        assert x.grad.tolist() == [3.0, 3.0]
