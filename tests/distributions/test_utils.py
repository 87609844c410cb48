"""distributions.utils (broadcast_all, probs/logits conversions, clamp_probs, lazy_property) and the doctests of
every distributions module."""
from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
import torch
from _reference import same_error

import ember

from ._compare import Pair, assert_same, compare_with_grads


def U(m):
    return m.distributions.utils


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_broadcast_all(dtype):
    a = np.arange(3, dtype=dtype)
    b = np.ones((2, 1), dtype=dtype)
    for args in [lambda m, x, y: (x, y), lambda m, x, y: (x, 2.0), lambda m, x, y: (1, y, x), lambda m, x, y: (x,),
                 lambda m, x, y: (1.5, True)]:
        p = Pair({"a": a, "b": b})
        t = U(torch).broadcast_all(*args(torch, p.t["a"], p.t["b"]))
        e = U(ember).broadcast_all(*args(ember, p.e["a"], p.e["b"]))
        assert isinstance(e, tuple) and len(e) == len(t)
        for i, (x, y) in enumerate(zip(t, e)):
            assert_same(y, x, f"value {i}")
            if x.grad_fn is not None:
                assert y.grad_fn.name() == type(x.grad_fn).__name__
    p = Pair({"a": a})
    assert U(ember).broadcast_all(p.e["a"])[0] is p.e["a"]  # as torch: no expand node when nothing broadcasts


def test_broadcast_all_numbers_use_the_default_dtype():
    for dt in ("float32", "float64"):
        torch.set_default_dtype(getattr(torch, dt))
        ember.set_default_dtype(getattr(ember, dt))
        assert_same(U(ember).broadcast_all(1, 2.5)[1], U(torch).broadcast_all(1, 2.5)[1])


def test_broadcast_all_errors():
    same_error(lambda m: U(m).broadcast_all(m.zeros(2), "x"), exc=ValueError)
    same_error(lambda m: U(m).broadcast_all([1.0], 2.0), exc=ValueError)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("is_binary", [False, True])
def test_probs_logits_conversions(dtype, is_binary):
    rng = np.random.default_rng(0)
    probs = np.concatenate([rng.uniform(0, 1, size=(2, 3)), [[0.0, 1.0, 0.5]]]).astype(dtype)
    logits = rng.normal(size=(3, 4)).astype(dtype) * 3
    p = Pair({"probs": probs, "logits": logits})
    for name, arg in [("probs_to_logits", "probs"), ("logits_to_probs", "logits"), ("clamp_probs", "probs")]:
        kw = {} if name == "clamp_probs" else {"is_binary": is_binary}
        t = getattr(U(torch), name)(p.t[arg], **kw)
        e = getattr(U(ember), name)(p.e[arg], **kw)
        compare_with_grads(t, e, [p.t[arg]], [p.e[arg]], name)


def test_lazy_property():
    for m in (torch, ember):
        calls = []

        class Thing:
            @U(m).lazy_property
            def value(self):
                """The value."""
                calls.append(m.is_grad_enabled())
                return m.ones(1, requires_grad=True) * 2

        t = Thing()
        with m.no_grad():  # computed with gradients enabled even under no_grad
            v = t.value
        assert v.requires_grad and t.value is v and "value" in t.__dict__ and calls == [True]
        assert isinstance(Thing.value, U(m).lazy_property) and isinstance(Thing.value, property)
        assert Thing.value.__doc__ == "The value."


def test_euler_constant():
    assert U(ember).euler_constant == U(torch).euler_constant


MODULES = ["", ".constraints", ".utils", ".distribution", ".exp_family", ".normal", ".bernoulli", ".categorical",
           ".one_hot_categorical", ".uniform", ".kl"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module("ember.distributions" + name)
    saved = ember.get_rng_state()
    try:
        result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    finally:
        ember.set_rng_state(saved)
    assert result.attempted > 0
    assert result.failed == 0
