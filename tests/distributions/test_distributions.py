"""Normal, Bernoulli, Categorical, OneHotCategorical(StraightThrough) and Uniform against torch.distributions:
reprs, shapes, statistics, log_prob/cdf/icdf, samples after the same seed (bit for bit), rsample, expand, and the
gradients of everything differentiable w.r.t. the parameters (and values)."""
from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest
import torch

import ember

from ._compare import (Pair, assert_bits, assert_same, assert_same_stream_position, both_raise_or_compare,
                       compare_with_grads, seed_both, value_pair)


@dataclasses.dataclass(frozen=True)
class U:
    """A random float parameter: uniform in [lo, hi) of a shape (``lo + u * (hi - lo)`` of a fixed stream)."""

    lo: float
    hi: float
    shape: tuple


@dataclasses.dataclass(frozen=True)
class Fixed:
    values: tuple


@dataclasses.dataclass
class Case:
    cls: str
    params: dict
    tag: str = ""
    dtypes: tuple = ("float32", "float64")

    def __str__(self) -> str:
        parts = [f"{k}={v.shape if isinstance(v, U) else ('fixed' if isinstance(v, Fixed) else v)}"
                 for k, v in self.params.items()]
        return f"{self.cls}({','.join(str(p) for p in parts)}){self.tag}"

    def arrays(self, dtype: str, seed: int = 0) -> dict:
        rng = np.random.default_rng(seed)
        out = {}
        for k, v in self.params.items():
            if isinstance(v, U):
                out[k] = np.asarray(v.lo + rng.random(v.shape) * (v.hi - v.lo)).astype(dtype)
            elif isinstance(v, Fixed):
                out[k] = np.asarray(v.values, dtype=dtype)
            else:
                out[k] = v
        if self.cls == "Uniform" and isinstance(out.get("high"), np.ndarray) and isinstance(out["low"], np.ndarray):
            out["high"] = np.asarray(out["low"] + out["high"]).astype(dtype)  # high = low + width
        return out

    @property
    def numbers_only(self) -> bool:
        return not any(isinstance(v, (U, Fixed)) for v in self.params.values())


def _cases() -> list:
    cases = []
    for s in [(), (3,), (2, 3)]:
        cases.append(Case("Normal", {"loc": U(-2, 2, s), "scale": U(0.5, 2, s)}))
        cases.append(Case("Bernoulli", {"probs": U(0.05, 0.95, s)}))
        cases.append(Case("Bernoulli", {"logits": U(-3, 3, s)}))
        cases.append(Case("Uniform", {"low": U(-2, 0, s), "high": U(0.5, 2, s)}))
    for s in [(4,), (3, 4), (2, 3, 4)]:
        cases.append(Case("Categorical", {"probs": U(0.1, 1, s)}))
        cases.append(Case("Categorical", {"logits": U(-2, 2, s)}))
    for s in [(3,), (2, 3)]:
        cases.append(Case("OneHotCategorical", {"probs": U(0.1, 1, s)}))
        cases.append(Case("OneHotCategorical", {"logits": U(-2, 2, s)}))
    cases += [
        Case("OneHotCategoricalStraightThrough", {"probs": U(0.1, 1, (2, 3))}),
        Case("OneHotCategoricalStraightThrough", {"logits": U(-2, 2, (3,))}),
        Case("Normal", {"loc": U(-2, 2, (3,)), "scale": U(0.5, 2, (2, 1))}, "-broadcast"),
        Case("Normal", {"loc": U(-2, 2, (3,)), "scale": 1.5}, "-mixed"),
        Case("Normal", {"loc": 0.5, "scale": 1.5}),
        Case("Bernoulli", {"probs": Fixed((0.5, 0.2, 0.8, 0.5))}, "-ties"),
        Case("Bernoulli", {"probs": 0.3}),
        Case("Bernoulli", {"logits": -0.4}),
        Case("Categorical", {"probs": Fixed((0.2, 0.0, 0.8))}, "-zero"),
        Case("Uniform", {"low": -1.0, "high": 2.5}),
        Case("Uniform", {"low": U(-2, 0, (3,)), "high": 1.0}, "-mixed"),
    ]
    return cases


CASES = _cases()
PARAMS = [pytest.param(c, dt, id=f"{c}-{dt}") for c in CASES for dt in c.dtypes]


class Built:
    """One case built in both libraries: parameter leaves and the two distributions."""

    def __init__(self, case: Case, dtype: str, **kwargs):
        if case.numbers_only or any(not isinstance(v, (U, Fixed)) for v in case.params.values()):
            torch.set_default_dtype(getattr(torch, dtype))  # numbers become default-dtype tensors
            ember.set_default_dtype(getattr(ember, dtype))
        self.case, self.dtype = case, dtype
        self.p = Pair(case.arrays(dtype))
        self.t = self.make(torch, **kwargs)
        self.e = self.make(ember, **kwargs)

    def make(self, m, **kwargs):
        return getattr(m.distributions, self.case.cls)(**self.p.of(m), **kwargs)

    def of(self, m):
        return self.t if m is torch else self.e

    def leaves(self, m) -> list:
        return self.p.leaves(m)

    def samples(self, shape=(2,)):
        """Valid values (torch's samples) as a torch and an ember tensor."""
        with torch.no_grad():
            s = self.t.sample(shape)
        return value_pair(s.numpy())


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_repr_shapes_constraints(case, dtype):
    b = Built(case, dtype)
    assert repr(b.e) == repr(b.t)
    assert b.e.batch_shape == b.t.batch_shape and isinstance(b.e.batch_shape, ember.Size)
    assert b.e.event_shape == b.t.event_shape and isinstance(b.e.event_shape, ember.Size)
    assert repr(b.e.support) == repr(b.t.support)
    assert repr(type(b.e).support) == repr(type(b.t).support)
    assert {k: repr(v) for k, v in b.e.arg_constraints.items()} == {k: repr(v) for k, v in b.t.arg_constraints.items()}
    assert (b.e.has_rsample, b.e.has_enumerate_support) == (b.t.has_rsample, b.t.has_enumerate_support)
    assert b.e.support.is_discrete == b.t.support.is_discrete and b.e.support.event_dim == b.t.support.event_dim
    assert b.e._validate_args is b.t._validate_args is True
    if hasattr(b.t, "param_shape"):
        assert b.e.param_shape == b.t.param_shape


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_parameters_and_statistics(case, dtype):
    """probs/logits (the lazily computed one too), mean, mode, variance, stddev, entropy, perplexity + grads."""
    b = Built(case, dtype)
    tl, el = b.leaves(torch), b.leaves(ember)
    for name in ("loc", "scale", "low", "high", "probs", "logits"):
        if hasattr(b.t, name):
            compare_with_grads(getattr(b.t, name), getattr(b.e, name), tl, el, name)
    for name in ("mean", "mode", "variance", "stddev"):
        both_raise_or_compare(lambda m, name=name: getattr(b.of(m), name), name, tl, el)
    for name in ("entropy", "perplexity"):
        both_raise_or_compare(lambda m, name=name: getattr(b.of(m), name)(), name, tl, el)
    assert repr(b.e) == repr(b.t)  # the lazily computed parameter is now in __dict__, so repr shows it (as torch's)


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_log_prob_cdf_icdf(case, dtype):
    b = Built(case, dtype)
    tl, el = b.leaves(torch), b.leaves(ember)
    for shape in [(), (2,)]:
        tv, ev = b.samples(shape)
        float_value = tv.dtype.is_floating_point
        if float_value:
            tv.requires_grad_(True)
            ev.requires_grad_(True)
        tls, els = tl + ([tv] if float_value else []), el + ([ev] if float_value else [])
        vals = {torch: tv, ember: ev}
        both_raise_or_compare(lambda m: b.of(m).log_prob(vals[m]), f"log_prob{shape}", tls, els)
        both_raise_or_compare(lambda m: b.of(m).cdf(vals[m]), f"cdf{shape}", tls, els)
    u = np.random.default_rng(5).uniform(0.05, 0.95, size=(2,) + tuple(b.t.batch_shape)).astype(dtype)
    tu, eu = value_pair(u, requires_grad=True)
    both_raise_or_compare(lambda m: b.of(m).icdf(tu if m is torch else eu), "icdf", tl + [tu], el + [eu])


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_samples_match_torch_bit_for_bit(case, dtype):
    b = Built(case, dtype)
    for k, shape in enumerate([(), (5,), (2, 3), ember.Size([4])]):
        tshape = torch.Size(shape) if isinstance(shape, ember.Size) else shape
        seed_both(10 + k)
        ts, es = b.t.sample(tshape), b.e.sample(shape)
        assert tuple(es.shape) == tuple(b.t._extended_shape(tshape)) == tuple(b.e._extended_shape(shape))
        assert not es.requires_grad and not ts.requires_grad
        assert_bits(es, ts, f"sample{shape}")
        assert_same_stream_position()
    if not b.t.has_rsample:
        with pytest.raises(NotImplementedError):
            b.t.rsample()
        with pytest.raises(NotImplementedError):
            b.e.rsample()
        return
    for k, shape in enumerate([(), (3,), (2, 2)]):
        seed_both(20 + k)
        ts, es = b.t.rsample(shape), b.e.rsample(shape)
        assert_bits(es, ts, f"rsample{shape}")
        compare_with_grads(ts, es, b.leaves(torch), b.leaves(ember), f"rsample{shape}")
        assert_same_stream_position()


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_expand(case, dtype):
    b = Built(case, dtype)
    new_shape = (4,) + tuple(b.t.batch_shape)
    te, ee = b.t.expand(torch.Size(new_shape)), b.e.expand(new_shape)
    assert type(ee) is type(b.e)
    assert ee.batch_shape == te.batch_shape and ee.event_shape == te.event_shape
    assert repr(ee) == repr(te)
    assert ee._validate_args is te._validate_args
    seed_both(3)
    assert_bits(ee.sample((2,)), te.sample((2,)), "expanded sample")
    with torch.no_grad():
        v = te.sample()
    tv, ev = value_pair(v.numpy())
    compare_with_grads(te.log_prob(tv), ee.log_prob(ev), b.leaves(torch), b.leaves(ember), "expanded log_prob")
    compare_with_grads(te.entropy(), ee.entropy(), b.leaves(torch), b.leaves(ember), "expanded entropy")


@pytest.mark.parametrize("case,dtype", [p for p in PARAMS if p.values[0].cls != "Normal"
                                        and p.values[0].cls != "Uniform"])
def test_enumerate_support(case, dtype):
    b = Built(case, dtype)
    for expand in (True, False):
        assert_same(b.e.enumerate_support(expand), b.t.enumerate_support(expand), f"expand={expand}")
    vals = b.t.enumerate_support()
    ev = ember.tensor(vals.numpy())
    assert_same(b.e.log_prob(ev), b.t.log_prob(vals), "log_prob of the support")


def test_continuous_have_no_enumerate_support():
    for m in (torch, ember):
        for d in (m.distributions.Normal(0.0, 1.0), m.distributions.Uniform(0.0, 1.0)):
            with pytest.raises(NotImplementedError):
                d.enumerate_support()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_prob_broadcasts_values(dtype):
    """Values with more dimensions than the batch, or broadcasting against it."""
    rng = np.random.default_rng(1)
    loc, scale = rng.normal(size=(3,)).astype(dtype), rng.uniform(0.5, 2, size=(2, 1)).astype(dtype)
    v = rng.normal(size=(4, 1, 3)).astype(dtype)
    p = Pair({"loc": loc, "scale": scale})
    tv, ev = value_pair(v)
    out = {m: m.distributions.Normal(**p.of(m)).log_prob(tv if m is torch else ev) for m in (torch, ember)}
    compare_with_grads(out[torch], out[ember], p.leaves(torch), p.leaves(ember), "log_prob")
    probs = rng.uniform(0.1, 1, size=(2, 3)).astype(dtype)
    q = Pair({"probs": probs})
    idx = np.array([[0], [2], [1]])
    ti, ei = value_pair(idx)
    out = {m: m.distributions.Categorical(**q.of(m)).log_prob(ti if m is torch else ei) for m in (torch, ember)}
    compare_with_grads(out[torch], out[ember], q.leaves(torch), q.leaves(ember), "categorical log_prob")


def test_validate_args_false_gives_torchs_values_outside_the_support():
    """log_prob/cdf outside the support without validation: -inf, clamped cdf, like torch."""
    v = np.array([-1.0, 0.5, 3.0], dtype="float32")
    for name, kw in [("Uniform", {"low": 0.0, "high": 2.0}), ("Bernoulli", {"probs": 0.3})]:
        tv, ev = value_pair(v)
        td = getattr(torch.distributions, name)(**kw, validate_args=False)
        ed = getattr(ember.distributions, name)(**kw, validate_args=False)
        assert_same(ed.log_prob(ev), td.log_prob(tv), f"{name}.log_prob")
        if name == "Uniform":
            assert_same(ed.cdf(ev), td.cdf(tv), f"{name}.cdf")


def test_sample_under_grad_and_rsample_graph():
    """sample() never builds a graph; rsample() does (grad_fn names included)."""
    p = Pair({"loc": np.array([0.5, -1.0], dtype="float32"), "scale": np.array([1.0, 2.0], dtype="float32")})
    seed_both(0)
    ts = torch.distributions.Normal(**p.t).rsample()
    es = ember.distributions.Normal(**p.e).rsample()
    assert es.grad_fn.name() == type(ts.grad_fn).__name__
    lp = Pair({"low": np.array([0.0], dtype="float32"), "high": np.array([2.0], dtype="float32")})
    seed_both(0)
    tu = torch.distributions.Uniform(**lp.t).rsample((3,))
    eu = ember.distributions.Uniform(**lp.e).rsample((3,))
    assert eu.grad_fn.name() == type(tu.grad_fn).__name__
    assert_bits(eu, tu)


def test_one_hot_straight_through_gradient():
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], dtype="float32")
    p = Pair({"probs": probs})
    seed_both(4)
    ts = torch.distributions.OneHotCategoricalStraightThrough(**p.t).rsample((3,))
    es = ember.distributions.OneHotCategoricalStraightThrough(**p.e).rsample((3,))
    compare_with_grads(ts, es, p.leaves(torch), p.leaves(ember), "straight-through rsample")


def test_exponential_family_entropy_by_autograd():
    """ExponentialFamily.entropy (the Bregman form through autograd.grad) equals torch's for Normal and Bernoulli."""
    rng = np.random.default_rng(2)
    for cls, arrays in [("Normal", {"loc": rng.normal(size=3), "scale": rng.uniform(0.5, 2, size=3)}),
                        ("Bernoulli", {"probs": rng.uniform(0.1, 0.9, size=(2, 2))})]:
        p = Pair(arrays)
        out = {m: m.distributions.ExponentialFamily.entropy(getattr(m.distributions, cls)(**p.of(m)))
               for m in (torch, ember)}
        compare_with_grads(out[torch], out[ember], p.leaves(torch), p.leaves(ember), f"{cls} Bregman entropy")
        closed = ember.distributions.__dict__[cls](**p.e).entropy()
        np.testing.assert_allclose(out[ember].detach().numpy(), closed.detach().numpy(), rtol=1e-12)


def test_sample_n_is_deprecated():
    for m in (torch, ember):
        m.manual_seed(0)
        with pytest.warns(FutureWarning, match=r"`sample_n\(n\)` will be deprecated"):
            s = m.distributions.Normal(0.0, 1.0).sample_n(3)
        assert tuple(s.shape) == (3,)


def test_public_names():
    names = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Normal", "OneHotCategorical",
             "OneHotCategoricalStraightThrough", "Uniform", "constraints", "kl_divergence", "register_kl"]
    for n in names:
        assert hasattr(torch.distributions, n) and hasattr(ember.distributions, n)
    assert set(ember.distributions.__all__) <= set(torch.distributions.__all__)
    assert ember.distributions.kl.kl_divergence is ember.distributions.kl_divergence
    assert ember.distributions.utils.lazy_property is not None


CLASSES = ["Distribution", "ExponentialFamily", "Normal", "Bernoulli", "Categorical", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Uniform"]


@pytest.mark.parametrize("name", CLASSES)
def test_signatures_and_attributes_match_torch(name):
    """The same public attributes (methods, properties, class flags) with the same signatures and defaults."""
    t, e = getattr(torch.distributions, name), getattr(ember.distributions, name)

    def sig(f):
        return [(p.name, repr(p.default), p.kind) for p in inspect.signature(f).parameters.values()]

    public = {a for a in dir(t) if not a.startswith("_")} | {"__init__", "_extended_shape", "_validate_sample"}
    for a in sorted(public):
        assert hasattr(e, a), a
        ta, ea = inspect.getattr_static(t, a), inspect.getattr_static(e, a)
        assert isinstance(ea, property) == isinstance(ta, property), a
        if inspect.isfunction(ta) or isinstance(ta, staticmethod):
            assert sig(getattr(e, a)) == sig(getattr(t, a)), a
        elif isinstance(ta, bool):
            assert ea == ta, a
