"""nn.init against torch: gains, seeded draws (bit-exact where the stream allows), deterministic fills, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember


def test_calculate_gain_table():
    for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                        ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)]:
        assert ember.nn.init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        ember.nn.init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        ember.nn.init.calculate_gain("leaky_relu", True)


SEEDED = [
    ("uniform_", lambda init, t, g: init.uniform_(t, -0.3, 0.7, generator=g), (5, 7)),
    ("normal_", lambda init, t, g: init.normal_(t, 0.5, 2.0, generator=g), (5, 7)),
    ("xavier_uniform_", lambda init, t, g: init.xavier_uniform_(t, gain=1.5, generator=g), (6, 4)),
    ("xavier_normal_", lambda init, t, g: init.xavier_normal_(t, generator=g), (6, 4, 3)),
    ("kaiming_uniform_", lambda init, t, g: init.kaiming_uniform_(t, generator=g), (6, 4)),
    ("kaiming_uniform_fan_out", lambda init, t, g: init.kaiming_uniform_(t, a=0.1, mode="fan_out",
                                                                          nonlinearity="relu", generator=g),
     (6, 4, 2, 2)),
    ("kaiming_normal_", lambda init, t, g: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu",
                                                                generator=g), (8, 3)),
    ("trunc_normal_", lambda init, t, g: init.trunc_normal_(t, 0.1, 0.5, -0.3, 0.6, generator=g), (40, 5)),
    ("orthogonal_", lambda init, t, g: init.orthogonal_(t, gain=2.0, generator=g), (5, 3)),
    ("orthogonal_wide", lambda init, t, g: init.orthogonal_(t, generator=g), (3, 2, 4)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,fn,shape", SEEDED, ids=[s[0] for s in SEEDED])
@pytest.mark.parametrize("use_generator", [False, True])
def test_seeded_init_matches_torch(name, fn, shape, dtype, use_generator):
    torch.manual_seed(3)
    ember.manual_seed(3)
    tg = torch.Generator().manual_seed(11) if use_generator else None
    eg = ember.Generator().manual_seed(11) if use_generator else None
    tt = torch.empty(shape, dtype=getattr(torch, dtype))
    et = ember.empty(shape, dtype=getattr(ember, dtype))
    tr = fn(torch.nn.init, tt, tg)
    er = fn(ember.nn.init, et, eg)
    assert er is et and tr is tt
    exact = name not in ("trunc_normal_", "orthogonal_", "orthogonal_wide")
    if exact:  # same stream, same arithmetic: bit for bit
        np.testing.assert_array_equal(et.numpy(), tt.numpy())
    else:  # same draws, then erfinv / QR in NumPy
        tol = 1e-5 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(et.numpy(), tt.numpy(), rtol=tol, atol=tol)
    # the stream is left at the same place: the next draw agrees
    nxt_e = ember.rand(3, generator=eg) if use_generator else ember.rand(3)
    nxt_t = torch.rand(3, generator=tg) if use_generator else torch.rand(3)
    np.testing.assert_array_equal(nxt_e.numpy(), nxt_t.numpy())


def test_sparse_init_matches_torch():
    torch.manual_seed(5)
    ember.manual_seed(5)
    tt, et = torch.empty(10, 4), ember.empty(10, 4)
    torch.nn.init.sparse_(tt, 0.3, std=0.1)
    ember.nn.init.sparse_(et, 0.3, std=0.1)
    np.testing.assert_array_equal(et.numpy(), tt.numpy())
    assert ((et.numpy() == 0).sum(0) == 3).all()


def test_deterministic_fills_and_parameters():
    p = ember.nn.Parameter(ember.empty(3, 3))
    assert ember.nn.init.constant_(p, 0.25) is p and float(p.sum()) == pytest.approx(2.25)
    assert p.requires_grad and p.grad_fn is None
    ember.nn.init.ones_(p)
    ember.nn.init.zeros_(p)
    assert float(p.abs().sum()) == 0
    for shape in [(3, 3), (2, 4), (4, 2)]:
        e, t = ember.nn.init.eye_(ember.empty(shape)), torch.nn.init.eye_(torch.empty(shape))
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 1, 3, 3), 2), ((2, 5, 2), 1)]:
        e = ember.nn.init.dirac_(ember.empty(shape), groups)
        t = torch.nn.init.dirac_(torch.empty(shape), groups)
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_init_errors():
    cases = [(lambda init, lib: init.eye_(lib.empty(2, 2, 2)), ValueError),
             (lambda init, lib: init.dirac_(lib.empty(2, 2)), ValueError),
             (lambda init, lib: init.dirac_(lib.empty(3, 2, 2), 2), ValueError),
             (lambda init, lib: init.xavier_uniform_(lib.empty(3)), ValueError),
             (lambda init, lib: init.kaiming_normal_(lib.empty(3, 2), mode="fan_avg"), ValueError),
             (lambda init, lib: init.orthogonal_(lib.empty(3)), ValueError),
             (lambda init, lib: init.sparse_(lib.empty(3, 2, 1), 0.1), ValueError)]
    for fn, exc in cases:
        with pytest.raises(exc) as te:
            fn(torch.nn.init, torch)
        with pytest.raises(exc) as ee:
            fn(ember.nn.init, ember)
        assert str(ee.value) == str(te.value)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        ember.nn.init.kaiming_uniform_(ember.empty(0, 3))
    with pytest.warns(FutureWarning, match="`nn.init.normal` is now deprecated in favor of `nn.init.normal_`"):
        ember.nn.init.normal(ember.empty(2))


def test_default_init_statistics_of_large_layers():
    ember.manual_seed(0)
    w = ember.nn.init.kaiming_normal_(ember.empty(500, 400), nonlinearity="relu").numpy()
    std = math.sqrt(2.0) / math.sqrt(400)
    assert abs(w.mean()) < 0.02 * std and abs(w.std() / std - 1) < 0.01
    w = ember.nn.init.xavier_uniform_(ember.empty(300, 500)).numpy()
    a = math.sqrt(6.0 / 800)
    assert w.max() <= a and w.min() >= -a and abs(w.var() / (a * a / 3) - 1) < 0.02
    w = ember.nn.init.trunc_normal_(ember.empty(200000), std=1.0, a=-1.0, b=1.0).numpy()
    assert w.min() >= -1 and w.max() <= 1
    var = 1 - 2 * (1 / math.sqrt(2 * math.pi)) * math.exp(-0.5) / (math.erf(1 / math.sqrt(2)))
    assert abs(w.var() / var - 1) < 0.02
    q = ember.nn.init.orthogonal_(ember.empty(64, 32, dtype=ember.float64)).numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(32), atol=1e-12)
