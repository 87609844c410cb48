"""kl_divergence and register_kl against torch.distributions.kl: values, gradients w.r.t. both distributions'
parameters, infinite cases, dispatch to the most specific pair, and the errors for unregistered pairs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember

from ._compare import Pair, compare_with_grads

DTYPES = ["float32", "float64"]


def _u(rng, lo, hi, shape, dtype):
    return np.asarray(lo + rng.random(shape) * (hi - lo)).astype(dtype)


def _pairs(dtype: str) -> list:
    """(name, p class, p arrays, q class, q arrays) with broadcasting batch shapes."""
    rng = np.random.default_rng(0)
    u = lambda lo, hi, shape: _u(rng, lo, hi, shape, dtype)  # noqa: E731
    low_p = u(-1, 0, (3,))
    return [
        ("normal", "Normal", {"loc": u(-2, 2, (3,)), "scale": u(0.5, 2, (3,))},
         "Normal", {"loc": u(-2, 2, (2, 3)), "scale": u(0.5, 2, (2, 3))}),
        ("normal-0d", "Normal", {"loc": u(-2, 2, ()), "scale": u(0.5, 2, ())},
         "Normal", {"loc": u(-2, 2, ()), "scale": u(0.5, 2, ())}),
        ("bernoulli-probs", "Bernoulli", {"probs": u(0.05, 0.95, (2, 3))},
         "Bernoulli", {"probs": u(0.05, 0.95, (2, 3))}),
        ("bernoulli-logits", "Bernoulli", {"logits": u(-3, 3, (4,))}, "Bernoulli", {"logits": u(-3, 3, (4,))}),
        ("bernoulli-mixed", "Bernoulli", {"probs": u(0.05, 0.95, (4,))}, "Bernoulli", {"logits": u(-3, 3, (4,))}),
        ("bernoulli-edges", "Bernoulli", {"probs": np.array([0.0, 1.0, 0.3, 0.0, 1.0], dtype)},
         "Bernoulli", {"probs": np.array([0.5, 0.5, 0.0, 0.0, 1.0], dtype)}),
        ("categorical-probs", "Categorical", {"probs": u(0.1, 1, (3, 4))}, "Categorical", {"probs": u(0.1, 1, (3, 4))}),
        ("categorical-logits", "Categorical", {"logits": u(-2, 2, (2, 3, 4))},
         "Categorical", {"logits": u(-2, 2, (3, 4))}),
        ("categorical-zeros", "Categorical", {"probs": np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]], dtype)},
         "Categorical", {"probs": np.array([[0.2, 0.8, 0.0], [0.2, 0.0, 0.8]], dtype)}),
        ("onehot", "OneHotCategorical", {"probs": u(0.1, 1, (2, 3))},
         "OneHotCategorical", {"logits": u(-2, 2, (2, 3))}),
        ("uniform", "Uniform", {"low": low_p, "high": low_p + u(0.5, 1, (3,))},
         "Uniform", {"low": np.array([-2.0, 0.0, -2.0], dtype), "high": np.array([2.0, 2.0, 0.1], dtype)}),
        ("uniform-normal", "Uniform", {"low": low_p, "high": low_p + u(0.5, 1, (3,))},
         "Normal", {"loc": u(-1, 1, (3,)), "scale": u(0.5, 2, (3,))}),
        ("normal-uniform", "Normal", {"loc": u(-1, 1, (2,)), "scale": u(0.5, 2, (2,))},
         "Uniform", {"low": np.array([0.0, 1.0], dtype), "high": np.array([1.0, 2.0], dtype)}),
    ]


def _ids():
    return [c[0] for c in _pairs("float32")]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", range(len(_ids())), ids=_ids())
def test_kl_values_and_gradients(k, dtype):
    _, pc, pa, qc, qa = _pairs(dtype)[k]
    pp, qp = Pair(pa), Pair(qa)
    out = {}
    for m in (torch, ember):
        p = getattr(m.distributions, pc)(**pp.of(m))
        q = getattr(m.distributions, qc)(**qp.of(m))
        out[m] = m.distributions.kl_divergence(p, q)
    leaves_t, leaves_e = pp.leaves(torch) + qp.leaves(torch), pp.leaves(ember) + qp.leaves(ember)
    compare_with_grads(out[torch], out[ember], leaves_t, leaves_e, f"KL({pc} || {qc})")


def test_kl_is_zero_for_equal_distributions():
    loc, scale = ember.tensor([0.5, -1.0]), ember.tensor([1.0, 3.0])
    d = ember.distributions
    assert ember.allclose(d.kl_divergence(d.Normal(loc, scale), d.Normal(loc, scale)), ember.zeros(2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_bregman_kl_of_an_exponential_family(dtype):
    """The ExponentialFamily pair (Bregman divergence through autograd) gives torch's numbers and gradients."""
    rng = np.random.default_rng(3)
    pa = {"loc": _u(rng, -1, 1, (3,), dtype), "scale": _u(rng, 0.5, 2, (3,), dtype)}
    qa = {"loc": _u(rng, -1, 1, (3,), dtype), "scale": _u(rng, 0.5, 2, (3,), dtype)}
    pp, qp = Pair(pa), Pair(qa)
    out = {}
    for m in (torch, ember):
        fn = m.distributions.kl._KL_REGISTRY[m.distributions.ExponentialFamily, m.distributions.ExponentialFamily]
        out[m] = fn(m.distributions.Normal(**pp.of(m)), m.distributions.Normal(**qp.of(m)))
    compare_with_grads(out[torch], out[ember], pp.leaves(torch) + qp.leaves(torch),
                       pp.leaves(ember) + qp.leaves(ember), "Bregman KL")
    closed = ember.distributions.kl_divergence(ember.distributions.Normal(**pp.e), ember.distributions.Normal(**qp.e))
    np.testing.assert_allclose(out[ember].detach().numpy(), closed.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("pq", [("Normal", "Bernoulli"), ("Bernoulli", "Normal"), ("Bernoulli", "Categorical"),
                                ("Categorical", "Uniform"), ("Uniform", "Bernoulli"),
                                ("OneHotCategorical", "Categorical")])
def test_unregistered_pairs_raise_torchs_error(pq):
    def make(m, name):
        return {"Normal": lambda: m.distributions.Normal(0.0, 1.0),
                "Bernoulli": lambda: m.distributions.Bernoulli(0.3),
                "Categorical": lambda: m.distributions.Categorical(m.tensor([0.5, 0.5])),
                "OneHotCategorical": lambda: m.distributions.OneHotCategorical(m.tensor([0.5, 0.5])),
                "Uniform": lambda: m.distributions.Uniform(0.0, 1.0)}[name]()

    errors = []
    for m in (torch, ember):
        with pytest.raises(NotImplementedError) as err:
            m.distributions.kl_divergence(make(m, pq[0]), make(m, pq[1]))
        errors.append(str(err.value))
    assert errors[0] == errors[1]


def _subclass_family(m):
    """Base -> (P, Q) subclasses of Normal, registered so that dispatch must choose or warn."""
    d = m.distributions

    class Base(d.Normal):
        pass

    class Derived(Base):
        pass

    calls = []

    @d.register_kl(Base, d.Normal)
    def _kl_base_normal(p, q):
        calls.append("base-normal")
        return p.loc * 0

    @d.register_kl(d.Normal, Derived)
    def _kl_normal_derived(p, q):
        calls.append("normal-derived")
        return p.loc * 0 + 1

    return Base, Derived, calls


def test_dispatch_picks_the_most_specific_pair_and_warns_on_ambiguity():
    results = {}
    for m in (torch, ember):
        base, derived, calls = _subclass_family(m)
        p, q = base(0.0, 1.0), m.distributions.Normal(0.0, 1.0)
        m.distributions.kl_divergence(p, q)  # Base x Normal: more specific than Normal x Normal
        m.distributions.kl_divergence(q, derived(0.0, 1.0))  # Normal x Derived
        with pytest.warns(RuntimeWarning) as rec:
            m.distributions.kl_divergence(base(0.0, 1.0), derived(0.0, 1.0))  # both apply: ambiguous
        results[m] = (list(calls), [str(w.message) for w in rec if issubclass(w.category, RuntimeWarning)])
        with warnings.catch_warnings():  # memoized: no second warning, same choice
            warnings.simplefilter("error")
            m.distributions.kl_divergence(base(0.0, 1.0), derived(0.0, 1.0))
    assert results[torch] == results[ember]
    assert results[ember][0] == ["base-normal", "normal-derived", "base-normal"]


def test_register_kl_checks_its_arguments():
    with pytest.raises(TypeError):
        torch.distributions.register_kl("Normal", torch.distributions.Normal)
    with pytest.raises(TypeError):
        ember.distributions.register_kl("Normal", ember.distributions.Normal)


def test_kl_of_expanded_distributions():
    rng = np.random.default_rng(7)
    pa = {"loc": _u(rng, -1, 1, (3,), "float32"), "scale": _u(rng, 0.5, 2, (3,), "float32")}
    pp = Pair(pa)
    out = {}
    for m in (torch, ember):
        p = m.distributions.Normal(**pp.of(m)).expand(m.Size([2, 3]))
        out[m] = m.distributions.kl_divergence(p, m.distributions.Normal(0.0, 1.0))
    compare_with_grads(out[torch], out[ember], pp.leaves(torch), pp.leaves(ember), "expanded KL")
