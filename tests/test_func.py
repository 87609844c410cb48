"""ember.func (torch.func) against PyTorch: vmap, grad, grad_and_value, vjp, jacrev, jacfwd, hessian and
functional_call, their compositions, randomness modes and errors."""
import numpy as np
import pytest
import torch
import torch.func as tf
from _reference import same_error

import ember
import ember.func as ef

X = np.array([[1.0, 2.0], [3.0, -4.0]])


def _both(fn):
    """``fn(m, F)`` in both frameworks: the same structure, dtypes and requires_grad, and values equal to float32
    rounding (NumPy's and PyTorch's exp/sin differ in the last bit)."""
    def norm(r, meta, vals):
        if isinstance(r, (tuple, list)):
            meta.append(("seq", len(r)))
            for v in r:
                norm(v, meta, vals)
        elif hasattr(r, "detach"):
            meta.append((r.requires_grad, str(r.dtype), tuple(r.shape)))
            vals.extend(np.asarray(r.detach().numpy(), dtype=np.float64).ravel().tolist())
        else:
            meta.append(r)
    out = []
    for m, F in ((torch, tf), (ember, ef)):
        meta, vals = [], []
        norm(fn(m, F), meta, vals)
        out.append((meta, vals))
    assert out[1][0] == out[0][0]
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=2e-6, atol=1e-7)


CASES = {
    "vmap_grad": lambda m, F: F.vmap(F.grad(lambda v: (v ** 3).sum()))(m.tensor(X)),
    "grad_grad": lambda m, F: F.grad(F.grad(lambda v: v ** 3))(m.tensor(2.0)),
    "grad_plain_output": lambda m, F: F.grad(lambda v: (v ** 2).sum())(m.tensor([1.0, 2.0])),
    "grad_argnums": lambda m, F: F.grad(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(m.tensor([1.0, 2.0]),
                                                                                         m.tensor([0.5, -1.0])),
    "grad_has_aux": lambda m, F: F.grad(lambda v: ((v ** 2).sum(), v * 2), has_aux=True)(m.tensor([1.0, 2.0])),
    "grad_and_value": lambda m, F: F.grad_and_value(lambda v: (v.sin() ** 2).sum())(m.tensor([1.0, 2.0])),
    "hessian": lambda m, F: F.hessian(lambda v: (v ** 3).sum() + v.prod())(m.tensor([1.0, 2.0])),
    "jacrev_argnums": lambda m, F: F.jacrev(lambda a, b: a * b, argnums=(0, 1))(m.tensor([1.0, 2.0]),
                                                                                m.tensor([3.0, 4.0])),
    "jacfwd": lambda m, F: F.jacfwd(lambda v: v.sin() * v)(m.tensor([0.5, 1.0, 2.0])),
    "vjp": lambda m, F: F.vjp(lambda v: v ** 2, m.tensor([1.0, 3.0]))[1](m.tensor([1.0, -1.0])),
    "vjp_value": lambda m, F: F.vjp(lambda v: v ** 2, m.tensor([1.0, 3.0]))[0],
    "vmap_in_dims_none": lambda m, F: F.vmap(lambda a, b: a @ b, in_dims=(0, None))(m.ones(3, 2, 2),
                                                                                 m.tensor(X).float()),
    "vmap_in_dim_1": lambda m, F: F.vmap(lambda a: a.sum(), in_dims=1)(m.tensor(X)),
    "vmap_out_dims": lambda m, F: F.vmap(lambda a: (a.sum(), a * 2), out_dims=(0, 1))(m.arange(6.0).reshape(2, 3)),
    "vmap_nested": lambda m, F: F.vmap(F.vmap(m.dot))(m.ones(2, 3, 4), m.arange(24.0).reshape(2, 3, 4)),
    "vmap_kwargs_and_tuple_input": lambda m, F: F.vmap(lambda t, scale=1.0: t[0] * t[1] * scale,
                                                         in_dims=((0, 0),))((m.ones(3, 2), m.tensor(
                                                             [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])), scale=2.0),
    "vmap_top_level_alias": lambda m, F: m.vmap(m.outer)(m.ones(2, 3), m.tensor([[1.0, 2.0], [3.0, 4.0]])),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    _both(CASES[name])


def test_vmap_is_differentiable():
    grads = []
    for m, F in ((torch, tf), (ember, ef)):
        x = m.tensor(X, requires_grad=True)
        F.vmap(lambda r: (r ** 2).sum() * r[0])(x).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


def test_vmap_randomness_same_matches_torch_and_error_mode_raises():
    outs = []
    for m, F in ((torch, tf), (ember, ef)):
        m.manual_seed(0)
        outs.append((F.vmap(lambda a: a + m.randn(3), randomness="same")(m.ones(2, 3)), m.randn(2)))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(b.numpy(), a.numpy())
    same_error(lambda m: (tf if m is torch else ef).vmap(lambda a: a + m.randn(3))(m.ones(2, 3)))
    with pytest.raises(NotImplementedError, match="randomness='different'"):
        ef.vmap(lambda a: a + ember.randn(3), randomness="different")(ember.ones(2, 3))


ERRORS = {
    "sizes": lambda m, F: F.vmap(lambda x, y: x + y)(m.ones(2, 3), m.ones(3, 3)),
    "in_dim_range": lambda m, F: F.vmap(lambda x: x, in_dims=2)(m.ones(2)),
    "non_tensor_output": lambda m, F: F.vmap(lambda x: 3)(m.ones(2)),
    "non_tensor_input": lambda m, F: F.vmap(lambda x: x)(3),
    "grad_not_scalar": lambda m, F: F.grad(lambda v: v * 2)(m.ones(2)),
    "randomness_mode": lambda m, F: F.vmap(lambda x: x, randomness="bad")(m.ones(2)),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(lambda m: ERRORS[name](m, tf if m is torch else ef), exc=Exception)


def _net(m):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1))


def test_functional_call_matches_torch_and_restores_the_module():
    outs = []
    for m, F in ((torch, tf), (ember, ef)):
        net = _net(m)
        before = {k: v.detach().clone() for k, v in net.state_dict().items()}
        params = {k: (v.detach() * 2).requires_grad_() for k, v in net.named_parameters()}
        y = F.functional_call(net, params, m.tensor([[1.0, -1.0]]))
        y.sum().backward()
        y2 = F.functional_call(net, ({"0.weight": m.ones(3, 2)}, {"2.bias": m.zeros(1)}), (m.tensor([[1.0, 2.0]]),))
        after = net.state_dict()
        assert all((after[k] == before[k]).all() for k in before)
        assert all(p.grad is None for p in net.parameters())
        outs.append((y.detach().numpy(), params["0.weight"].grad.numpy(), y2.detach().numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(b, a, rtol=1e-6)


def test_functional_call_errors_match_torch():
    same_error(lambda m: (tf if m is torch else ef).functional_call(m.nn.Linear(2, 1), {"weight": m.ones(1, 2)},
                                                                      (m.ones(1, 2),), strict=True))
    same_error(lambda m: (tf if m is torch else ef).functional_call(m.nn.Linear(2, 1), ({"weight": m.ones(1, 2)},
                                                                                       {"weight": m.ones(1, 2)}),
                                                                      (m.ones(1, 2),)), exc=ValueError)


def test_docstring_examples():
    import doctest  # noqa: PLC0415

    assert doctest.testmod(ef, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_nn_utils_stateless_functional_call_is_the_deprecated_alias():
    outs = []
    for m in (torch, ember):
        lin = m.nn.Linear(1, 1)
        with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
            outs.append(m.nn.utils.stateless.functional_call(
                lin, {"weight": m.tensor([[2.0]]), "bias": m.tensor([1.0])}, (m.tensor([[3.0]]),)).item())
    assert outs == [7.0, 7.0]
