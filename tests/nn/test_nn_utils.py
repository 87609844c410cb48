"""nn.utils against torch: gradient clipping, parameter/vector conversion, weight/spectral norm, parametrize."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import ember

from ._nn_compare import assert_same, copy_weights, pair, randn


def _models_with_grads(seed=0, scale=1.0):
    torch.manual_seed(seed)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    em = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Tanh(), ember.nn.Linear(3, 2))
    copy_weights(tm, em)
    x = randn((5, 4), seed=seed + 1, scale=scale)
    tm(torch.tensor(x)).pow(2).sum().backward()
    em(ember.tensor(x)).pow(2).sum().backward()
    return tm, em


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.1, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    tm, em = _models_with_grads()
    tn = torch.nn.utils.clip_grad_norm_(tm.parameters(), max_norm, norm_type=float(norm_type))
    en = ember.nn.utils.clip_grad_norm_(em.parameters(), max_norm, norm_type=float(norm_type), foreach=True)
    assert_same(en, tn)
    for (n, tp), ep in zip(tm.named_parameters(), em.parameters()):
        assert_same(ep.grad, tp.grad, name=n)


def test_clip_grad_norm_edge_cases():
    p = ember.nn.Parameter(ember.ones(3))
    out = ember.nn.utils.clip_grad_norm_([p], 1.0)
    assert out.item() == 0.0 and p.grad is None
    p.grad = ember.tensor([float("nan"), 1.0, 2.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                           "non-finite, so it cannot be clipped."):
        ember.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    q = ember.nn.Parameter(ember.ones(2))
    q.grad = ember.tensor([3.0, 4.0])
    assert ember.nn.utils.clip_grad_norm_(q, 10.0).item() == pytest.approx(5.0)
    np.testing.assert_array_equal(q.grad.numpy(), [3.0, 4.0])
    with pytest.warns(FutureWarning):
        ember.nn.utils.clip_grad_norm([q], 1.0)
    t = ember.nn.utils.get_total_norm([ember.tensor([3.0]), ember.tensor([4.0])])
    assert t.item() == 5.0


def test_clip_grad_value_matches_torch():
    tm, em = _models_with_grads(scale=3.0)
    torch.nn.utils.clip_grad_value_(tm.parameters(), 0.5)
    ember.nn.utils.clip_grad_value_(em.parameters(), 0.5)
    for (n, tp), ep in zip(tm.named_parameters(), em.parameters()):
        assert_same(ep.grad, tp.grad, name=n)
        assert float(ep.grad.abs().max()) <= 0.5


def test_parameters_to_vector_and_back():
    tm, em = _models_with_grads()
    tv = torch.nn.utils.parameters_to_vector(tm.parameters())
    ev = ember.nn.utils.parameters_to_vector(em.parameters())
    assert_same(ev, tv)
    assert ev.requires_grad and ev.grad_fn is not None
    new = randn(tuple(tv.shape), seed=5)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tm.parameters())
    ember.nn.utils.vector_to_parameters(ember.tensor(new), em.parameters())
    for (n, tp), ep in zip(tm.named_parameters(), em.parameters()):
        assert_same(ep.detach(), tp.detach(), name=n)
        assert isinstance(ep, ember.nn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        ember.nn.utils.vector_to_parameters([1.0], em.parameters())


@pytest.mark.parametrize("dim", [0, 1, None])
def test_legacy_weight_norm(dim):
    tm, em = torch.nn.Linear(4, 3).double(), ember.nn.Linear(4, 3).double()
    copy_weights(tm, em)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.nn.utils.weight_norm(tm, dim=dim)
        ember.nn.utils.weight_norm(em, dim=dim)
    assert list(em.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        assert_same(em.state_dict()[k], v, name=k)
    x = randn((2, 4), "float64", 3)
    (ex, tx) = pair(x, True)
    eo, to = em(ex), tm(tx)
    assert_same(eo, to)
    eo.pow(2).sum().backward()
    to.pow(2).sum().backward()
    for n, p in tm.named_parameters():
        assert_same(dict(em.named_parameters())[n].grad, p.grad, name=n)
    ember.nn.utils.remove_weight_norm(em)
    torch.nn.utils.remove_weight_norm(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert_same(em.weight.detach(), tm.weight.detach())
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        ember.nn.utils.remove_weight_norm(em)


def test_spectral_norm_seeded_matches_torch():
    torch.manual_seed(0)
    ember.manual_seed(0)
    tm, em = torch.nn.Linear(5, 4).double(), ember.nn.Linear(5, 4).double()
    torch.nn.utils.spectral_norm(tm, n_power_iterations=2)
    ember.nn.utils.spectral_norm(em, n_power_iterations=2)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.state_dict()._metadata == tm.state_dict()._metadata
    for k, v in tm.state_dict().items():
        assert_same(em.state_dict()[k], v, name=k)
    x = randn((3, 5), "float64", 1)
    for mode in ("train", "eval", "train"):
        getattr(tm, mode)()
        getattr(em, mode)()
        (ex, tx) = pair(x, True)
        eo, to = em(ex), tm(tx)
        assert_same(eo, to)
        eo.sum().backward()
        to.sum().backward()
        assert_same(ex.grad, tx.grad)
        assert_same(em.weight_orig.grad, tm.weight_orig.grad)
        assert_same(em.weight_u, tm.weight_u)
    ember.nn.utils.remove_spectral_norm(em)
    torch.nn.utils.remove_spectral_norm(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert_same(em.weight.detach(), tm.weight.detach())


class _Sym:
    @staticmethod
    def make(nn):
        class Sym(nn.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(0, 1)

        return Sym()


def test_parametrize_register_and_remove():
    tm, em = torch.nn.Linear(3, 3).double(), ember.nn.Linear(3, 3).double()
    copy_weights(tm, em)
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", _Sym.make(torch.nn))
    ember.nn.utils.parametrize.register_parametrization(em, "weight", _Sym.make(ember.nn))
    assert repr(em) == repr(tm) and type(em).__name__ == "ParametrizedLinear"
    assert list(em.state_dict()) == list(tm.state_dict())
    assert ember.nn.utils.parametrize.is_parametrized(em, "weight")
    assert ember.nn.utils.parametrize.type_before_parametrizations(em) is ember.nn.Linear
    x = randn((2, 3), "float64", 1)
    (ex, tx) = pair(x, True)
    eo, to = em(ex), tm(tx)
    assert_same(eo, to)
    eo.sum().backward()
    to.sum().backward()
    assert_same(em.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad)
    with ember.nn.utils.parametrize.cached():
        assert em.weight is em.weight
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    ember.nn.utils.parametrize.remove_parametrizations(em, "weight")
    assert type(em) is ember.nn.Linear and list(em.state_dict()) == list(tm.state_dict())
    assert_same(em.weight.detach(), tm.weight.detach())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        ember.nn.utils.parametrize.remove_parametrizations(em, "weight")


def test_parametrizations_weight_norm():
    tm, em = torch.nn.Linear(4, 2).double(), ember.nn.Linear(4, 2).double()
    copy_weights(tm, em)
    torch.nn.utils.parametrizations.weight_norm(tm)
    ember.nn.utils.parametrizations.weight_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict()) and repr(em) == repr(tm)
    for k, v in tm.state_dict().items():
        assert_same(em.state_dict()[k], v, name=k)
    x = randn((3, 4), "float64", 2)
    (ex, tx) = pair(x, True)
    eo, to = em(ex), tm(tx)
    assert_same(eo, to)
    eo.pow(2).sum().backward()
    to.pow(2).sum().backward()
    for n, p in tm.named_parameters():
        assert_same(dict(em.named_parameters())[n].grad, p.grad, name=n)
    em2 = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(4, 2).double())
    legacy = {"bias": em.bias.detach().numpy(), "weight_g": em.parametrizations.weight.original0.detach().numpy(),
              "weight_v": em.parametrizations.weight.original1.detach().numpy()}
    em2.load_state_dict(legacy)
    assert_same(em2(ember.tensor(x)), to)


@pytest.mark.parametrize("make,x_shape,kw", [
    (lambda m: m.nn.Linear(4, 3), (2, 4), {}),
    (lambda m: m.nn.Conv2d(2, 3, 3), (1, 2, 5, 5), {"n_power_iterations": 2}),
    (lambda m: m.nn.ConvTranspose2d(3, 2, 3), (1, 3, 4, 4), {}),
    (lambda m: m.nn.Linear(4, 3), (2, 4), {"name": "bias"}),
    (lambda m: m.nn.Conv1d(2, 4, 3), (1, 2, 6), {"dim": -1, "eps": 1e-6}),
], ids=["linear", "conv2d", "conv_transpose2d", "bias_1d", "conv1d_dim_last"])
def test_parametrized_spectral_norm_matches_torch(make, x_shape, kw):
    import numpy as np  # noqa: PLC0415

    runs = []
    for m in (torch, ember):
        m.manual_seed(0)
        mod = m.nn.utils.parametrizations.spectral_norm(make(m), **kw)
        opt = m.optim.SGD(mod.parameters(), lr=0.1)
        x = m.tensor(np.linspace(-1, 1, int(np.prod(x_shape))).reshape(x_shape), dtype=m.float32)
        outs = []
        for step in range(3):
            if step == 2:
                mod.eval()
            opt.zero_grad()
            y = mod(x)
            y.pow(2).sum().backward()
            opt.step()
            outs.append(y.detach().numpy())
        state = {k: v.detach().numpy() for k, v in mod.state_dict().items()}
        runs.append((outs, state))
    (t_outs, t_state), (e_outs, e_state) = runs
    assert sorted(e_state) == sorted(t_state)
    for a, b in zip(t_outs, e_outs):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    for k in t_state:
        np.testing.assert_allclose(e_state[k], t_state[k], rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("fn", [
    lambda m: m.nn.utils.parametrizations.spectral_norm(m.nn.Linear(2, 2), n_power_iterations=0),
    lambda m: m.nn.utils.parametrizations.spectral_norm(m.nn.Linear(2, 2), dim=2),
    lambda m: m.nn.utils.parametrizations.spectral_norm(m.nn.Linear(2, 2), name="nope"),
])
def test_parametrized_spectral_norm_errors_match_torch(fn):
    from _reference import same_error  # noqa: PLC0415

    same_error(fn, exc=Exception)


def test_parametrized_convolutions_run():
    # Conv*d's forward read the weight straight from _parameters, which a parametrization empties (KeyError)
    outs = []
    for m in (torch, ember):
        m.manual_seed(0)
        conv = m.nn.utils.parametrizations.weight_norm(m.nn.Conv2d(2, 3, 3))
        convt = m.nn.utils.parametrizations.weight_norm(m.nn.ConvTranspose1d(2, 3, 3), dim=1)
        outs.append((conv(m.ones(1, 2, 4, 4)).detach().numpy(), convt(m.ones(1, 2, 5)).detach().numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
