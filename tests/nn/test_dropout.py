"""Dropout family: exact masks against torch after the same seed, scaling, eval identity, gradients, errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F

from ._nn_compare import assert_same, pair, randn

CASES = [("Dropout", (4, 3, 5), {"p": 0.3}), ("Dropout", (7,), {"p": 0.5}), ("Dropout1d", (4, 3, 5), {"p": 0.4}),
         ("Dropout1d", (3, 5), {"p": 0.4}), ("Dropout2d", (2, 3, 4, 5), {"p": 0.6}),
         ("Dropout3d", (2, 3, 2, 2, 2), {"p": 0.2}), ("Dropout3d", (3, 2, 2, 2), {"p": 0.2}),
         ("AlphaDropout", (4, 6), {"p": 0.2}), ("FeatureAlphaDropout", (2, 4, 3), {"p": 0.3})]


@pytest.mark.parametrize("name,shape,kw", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_masks_equal_torch(name, shape, kw, dtype):
    tm, em = getattr(torch.nn, name)(**kw), getattr(ember.nn, name)(**kw)
    assert repr(em) == repr(tm)
    x = randn(shape, dtype)
    for seed in (0, 11):
        e, t = pair(x, True)
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        eo, to = em(e), tm(t)
        assert_same(eo, to, rtol=0, atol=0)
        g = randn(shape, dtype, seed=3)
        eo.backward(ember.tensor(g))
        to.backward(torch.tensor(g))
        assert_same(e.grad, t.grad, rtol=0, atol=0)
    em.eval()
    tm.eval()
    e, t = pair(x)
    assert_same(em(e), tm(t), rtol=0, atol=0)
    assert (em(e) is e) == (tm(t) is t)


def test_functional_dropout_and_inplace():
    x = randn((6, 5), "float32")
    for p in (0.0, 0.25, 1.0):
        torch.manual_seed(1)
        ember.manual_seed(1)
        assert_same(F.dropout(ember.tensor(x), p), torch.nn.functional.dropout(torch.tensor(x), p), rtol=0, atol=0)
    e, t = ember.tensor(x), torch.tensor(x)
    torch.manual_seed(2)
    ember.manual_seed(2)
    re = F.dropout(e, 0.5, inplace=True)
    torch.nn.functional.dropout(t, 0.5, inplace=True)
    assert re is e
    assert_same(e, t, rtol=0, atol=0)
    assert F.dropout(e, 0.5, training=False) is e
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(3)
        ember.manual_seed(3)
        assert_same(F.dropout2d(ember.tensor(randn((2, 3, 4), "float32"))),
                    torch.nn.functional.dropout2d(torch.tensor(randn((2, 3, 4), "float32"))), rtol=0, atol=0)


def test_dropout_statistics():
    ember.manual_seed(0)
    y = F.dropout(ember.ones(200_000), 0.3).numpy()
    keep = y != 0
    assert abs(keep.mean() - 0.7) < 0.005
    np.testing.assert_allclose(y[keep], 1 / 0.7, rtol=1e-6)
    ember.manual_seed(0)
    z = F.alpha_dropout(ember.randn(200_000), 0.2, training=True).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01


def test_dropout_errors():
    for fn in (lambda m: m.nn.Dropout(1.5), lambda m: m.nn.functional.dropout(m.zeros(3), -0.1)):
        with pytest.raises(ValueError) as ee:
            fn(ember)
        with pytest.raises(ValueError) as et:
            fn(torch)
        assert str(ee.value) == str(et.value)
    with pytest.raises(RuntimeError) as ee:
        F.dropout1d(ember.zeros(2, 3, 4, 5))
    with pytest.raises(RuntimeError) as et:
        torch.nn.functional.dropout1d(torch.zeros(2, 3, 4, 5))
    assert str(ee.value) == str(et.value)
