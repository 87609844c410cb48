"""Bit-for-bit comparison of ember._random_engine.CPUGenerator with torch's CPU generator."""

import numpy as np
import pytest
import torch

from ember._random_engine import CPUGenerator, fill_order

try:
    import ml_dtypes
except ImportError:  # pragma: no cover
    ml_dtypes = None

SIZES = [0, 1, 7, 15, 16, 17, 1000]
BIG = 2 ** 20 + 3
SEEDS = [0, 7, 2 ** 40 + 3]
FLOATS = [(np.float32, torch.float32), (np.float64, torch.float64)]
REDUCED = [(np.float16, torch.float16)]
if ml_dtypes is not None:
    REDUCED.append((ml_dtypes.bfloat16, torch.bfloat16))


def tgen(seed):
    return torch.Generator().manual_seed(seed)


def as_numpy(t):
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def assert_same(t, a):
    """Exact equality: same dtype, same shape, same bits."""
    tn = as_numpy(t) if isinstance(t, torch.Tensor) else np.asarray(t)
    a = np.asarray(a)
    assert tn.dtype == a.dtype, (tn.dtype, a.dtype)
    assert tn.shape == a.shape, (tn.shape, a.shape)
    if tn.dtype.kind == "f" or tn.dtype.itemsize == 2 and tn.dtype.kind not in "iub":
        tn, a = tn.view(f"u{tn.itemsize}"), a.view(f"u{a.itemsize}")
    bad = np.flatnonzero(tn.ravel() != a.ravel())
    assert bad.size == 0, f"{bad.size} mismatches, first at {bad[:5]}"


def assert_same_state(tg, g):
    assert np.array_equal(tg.get_state().numpy(), g.get_state())


def pair(seed):
    return tgen(seed), CPUGenerator(seed)


# --------------------------------------------------------------------------- seeding/state

@pytest.mark.parametrize("seed", [0, 1, 12345, 2 ** 32 + 5, 2 ** 63, 2 ** 64 - 1, -1, -(2 ** 63)])
def test_seed_and_state_layout(seed):
    tg, g = pair(seed)
    assert g.initial_seed() == tg.initial_seed()
    st = g.get_state()
    assert st.dtype == np.uint8 and st.shape == (5056,)
    assert_same_state(tg, g)
    assert_same(torch.rand(5, generator=tg), g.uniform((5,), np.float32))
    assert_same_state(tg, g)


def test_default_seed_and_bad_seeds():
    assert CPUGenerator().initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert_same_state(torch.Generator(), CPUGenerator())
    g = CPUGenerator()
    for bad, exc in [(2 ** 64, ValueError), (-(2 ** 63) - 1, ValueError),
                     (1.5, RuntimeError), (True, RuntimeError)]:
        with pytest.raises(exc):
            g.manual_seed(bad)
    g.manual_seed(np.int64(3))
    assert g.initial_seed() == 3


def test_seed_nondeterministic():
    g = CPUGenerator()
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2 ** 64
    tg = tgen(s)
    assert_same(torch.rand(3, generator=tg), g.uniform((3,), np.float32))


def test_manual_seed_resets_normal_cache():
    g = CPUGenerator(3)
    g.normal((1,), np.float64)
    g.manual_seed(3)
    tg = tgen(3)
    assert_same(torch.randn(1, dtype=torch.float64, generator=tg), g.normal((1,), np.float64))


@pytest.mark.parametrize("n_draw", [0, 1, 5, 623, 624, 625, 1300])
def test_state_exchange_with_torch(n_draw):
    tg = tgen(11)
    torch.randn(3, generator=tg, dtype=torch.float64)  # leave a cached normal behind
    torch.rand(n_draw, generator=tg)
    g = CPUGenerator(0)
    g.set_state(tg.get_state().numpy())
    assert_same_state(tg, g)
    assert g.initial_seed() == 11
    assert_same(torch.randn(5, generator=tg, dtype=torch.float64), g.normal((5,), np.float64))
    assert_same(torch.rand(700, generator=tg), g.uniform((700,), np.float32))
    # and back: our state into torch
    g.normal((1,), np.float64)
    tg2 = torch.Generator()
    tg2.set_state(torch.from_numpy(g.get_state()))
    assert_same(torch.randn(3, generator=tg2, dtype=torch.float64), g.normal((3,), np.float64))
    assert_same(torch.randint(0, 2 ** 40, (9,), generator=tg2), g.randint((9,), 0, 2 ** 40))
    assert_same_state(tg2, g)


def test_torch_global_state_roundtrip():
    old = torch.get_rng_state()
    try:
        torch.manual_seed(1234)
        torch.rand(10)
        g = CPUGenerator()
        g.set_state(torch.get_rng_state().numpy())
        assert_same(torch.randn(20), g.normal((20,), np.float32))
        torch.set_rng_state(torch.from_numpy(g.get_state()))
        assert_same(torch.rand(4), g.uniform((4,), np.float32))
    finally:
        torch.set_rng_state(old)


@pytest.mark.parametrize("left,nxt", [(1, 0), (1, 624), (1, 17), (10, 600), (300, 3), (624, 1)])
def test_unusual_left_next_states(left, nxt):
    st = tgen(5).get_state().clone()
    rng = np.random.default_rng(left)
    st[24:5016] = torch.from_numpy(rng.integers(0, 2 ** 32, 624, dtype=np.uint64).view(np.uint8))
    st[8:12] = torch.from_numpy(np.array([left], np.int32).view(np.uint8))
    st[16:24] = torch.from_numpy(np.array([nxt], np.uint64).view(np.uint8))
    tg = torch.Generator()
    tg.set_state(st)
    g = CPUGenerator()
    g.set_state(st.numpy())
    assert_same_state(tg, g)
    for k in (3, 20, 700):
        assert_same(torch.rand(k, generator=tg), g.uniform((k,), np.float32))
        assert_same_state(tg, g)


def test_set_state_validation():
    g = CPUGenerator()
    with pytest.raises(RuntimeError, match="size 5056 but found the input RNG state size to be 10"):
        g.set_state(np.zeros(10, np.uint8))
    with pytest.raises(TypeError):
        g.set_state(np.zeros(5056, np.float32))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        g.set_state(np.zeros(5056, np.uint8))


# --------------------------------------------------------------------------- uniform

@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("nd,td", FLOATS + REDUCED)
def test_rand_and_uniform(n, nd, td):
    for seed in SEEDS:
        tg, g = pair(seed)
        assert_same(torch.rand(n, generator=tg, dtype=td), g.uniform((n,), nd))
        for lo, hi in [(-3.7, 11.3), (0.1, 0.3)]:
            assert_same(torch.empty(n, dtype=td).uniform_(lo, hi, generator=tg),
                        g.uniform((n,), nd, lo, hi))
        assert_same_state(tg, g)


@pytest.mark.parametrize("nd,td", FLOATS)
def test_uniform_big_and_edges(nd, td):
    tg, g = pair(9)
    assert_same(torch.rand(BIG, generator=tg, dtype=td), g.uniform((BIG,), nd))
    # narrow ranges where rounding hits `to` (torch then returns `from`)
    eps = 2.0 ** -20 if nd is np.float32 else 2.0 ** -48
    for lo, hi in [(1.0, 1.0 + eps), (-1.0 - eps, -1.0), (5.0, 5.0)]:
        assert_same(torch.empty(20000, dtype=td).uniform_(lo, hi, generator=tg),
                    g.uniform((20000,), nd, lo, hi))
    assert_same(torch.empty(3, 4, dtype=td).uniform_(-2, 2, generator=tg),
                g.uniform((3, 4), nd, -2, 2))
    with pytest.raises(RuntimeError, match="expects to return a"):
        g.uniform((2,), nd, 3, 1)


# --------------------------------------------------------------------------- normal

@pytest.mark.parametrize("n", SIZES + [31, 32, 33])
@pytest.mark.parametrize("nd,td", FLOATS + REDUCED)
def test_randn_and_normal(n, nd, td):
    for seed in SEEDS:
        tg, g = pair(seed)
        assert_same(torch.randn(n, generator=tg, dtype=td), g.normal((n,), nd))
        assert_same(torch.empty(n, dtype=td).normal_(0.3, 2.5, generator=tg),
                    g.normal((n,), nd, 0.3, 2.5))
        assert_same(torch.normal(-1.0, 0.5, (n,), generator=tg, dtype=td),
                    g.normal((n,), nd, -1.0, 0.5))
        assert_same_state(tg, g)


@pytest.mark.parametrize("nd,td", FLOATS)
def test_randn_big(nd, td):
    tg, g = pair(21)
    assert_same(torch.randn(BIG, generator=tg, dtype=td), g.normal((BIG,), nd))
    assert_same_state(tg, g)


def test_normal_cache_interplay():
    tg, g = pair(5)
    seq = [
        (lambda: torch.randn(3, generator=tg), lambda: g.normal((3,), np.float32)),
        (lambda: torch.randn(40, generator=tg, dtype=torch.float64),
         lambda: g.normal((40,), np.float64)),
        (lambda: torch.rand(2, generator=tg), lambda: g.uniform((2,), np.float32)),
        (lambda: torch.randn(1, generator=tg, dtype=torch.float64),
         lambda: g.normal((1,), np.float64)),
        (lambda: torch.empty(5).log_normal_(0.5, 1.5, generator=tg),
         lambda: g.log_normal((5,), np.float32, 0.5, 1.5)),
        (lambda: torch.empty(4, 4).normal_(generator=tg), lambda: g.normal((4, 4), np.float32)),
        (lambda: torch.randn(2, generator=tg, dtype=torch.float16),
         lambda: g.normal((2,), np.float16)),
    ]
    for _ in range(3):
        for tf, ef in seq:
            assert_same(tf(), ef())
            assert_same_state(tg, g)


@pytest.mark.parametrize("nd,td", FLOATS + REDUCED)
def test_noncontiguous_fill_order(nd, td):
    tg, g = pair(13)
    base = torch.empty(5, 40, 30, dtype=td)
    x = base.permute(2, 0, 1)
    x.normal_(0.5, 2.0, generator=tg)
    perm = fill_order(x.shape, x.stride())
    vals = g.normal(tuple(x.shape[p] for p in perm), nd, 0.5, 2.0, contiguous=False)
    assert_same(x, np.ascontiguousarray(vals.transpose(np.argsort(perm))))
    y = torch.empty(30, 2 * 40, dtype=td)[:, ::2].t()
    y.uniform_(-1, 1, generator=tg)
    perm = fill_order(y.shape, y.stride())
    vals = g.uniform(tuple(y.shape[p] for p in perm), nd, -1, 1)
    assert_same(y, np.ascontiguousarray(vals.transpose(np.argsort(perm))))
    assert_same_state(tg, g)


@pytest.mark.parametrize("nd,td", FLOATS)
@pytest.mark.parametrize("n", [7, 16, 1000])
def test_normal_tensor(nd, td, n):
    rng = np.random.default_rng(n)
    m = rng.standard_normal(n).astype(nd)
    s = (rng.random(n) * 3).astype(nd)
    tg, g = pair(4)
    tm, ts = torch.from_numpy(m), torch.from_numpy(s)
    assert_same(torch.normal(tm, ts, generator=tg), g.normal_tensor(m, s, nd))
    assert_same(torch.normal(tm, 2.7, generator=tg), g.normal_tensor(m, 2.7, nd))
    assert_same(torch.normal(0.7, ts, generator=tg), g.normal_tensor(0.7, s, nd))
    m2 = rng.standard_normal((3, 1)).astype(nd)
    s2 = rng.random((1, 4)).astype(nd)
    assert_same(torch.normal(torch.from_numpy(m2), torch.from_numpy(s2), generator=tg),
                g.normal_tensor(m2, s2, nd))
    assert_same_state(tg, g)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        g.normal_tensor(m, -s - 1, nd)


# --------------------------------------------------------------------------- integers

@pytest.mark.parametrize("n", SIZES)
def test_randint(n):
    for seed in SEEDS:
        tg, g = pair(seed)
        for lo, hi in [(0, 10), (-5, 7), (-3, 2 ** 28 - 4), (-3, 2 ** 28 - 3), (0, 2 ** 31),
                       (5, 2 ** 40), (-(2 ** 63), 2 ** 63 - 1), (2 ** 40, 2 ** 40 + 10)]:
            assert_same(torch.randint(lo, hi, (n,), generator=tg), g.randint((n,), lo, hi))
        assert_same_state(tg, g)


@pytest.mark.parametrize("nd,td", [(np.int32, torch.int32), (np.int16, torch.int16),
                                   (np.int8, torch.int8), (np.uint8, torch.uint8),
                                   (np.float32, torch.float32), (np.float64, torch.float64),
                                   (np.float16, torch.float16), (np.uint16, torch.uint16)])
def test_randint_dtypes(nd, td):
    tg, g = pair(3)
    assert_same(torch.randint(0, 100, (1000,), generator=tg, dtype=td),
                g.randint((1000,), 0, 100, nd))
    assert_same(torch.randint(3, 120, (2, 3), generator=tg, dtype=td),
                g.randint((2, 3), 3, 120, nd))
    assert_same_state(tg, g)


def test_randint_big():
    tg, g = pair(8)
    assert_same(torch.randint(0, 1000, (BIG,), generator=tg), g.randint((BIG,), 0, 1000))
    assert_same(torch.randint(0, 2 ** 33, (BIG,), generator=tg), g.randint((BIG,), 0, 2 ** 33))


RANDOM_DTYPES = [(np.int64, torch.int64), (np.int32, torch.int32), (np.int16, torch.int16),
                 (np.int8, torch.int8), (np.uint8, torch.uint8), (np.bool_, torch.bool),
                 (np.float32, torch.float32), (np.float64, torch.float64),
                 (np.float16, torch.float16)]
if ml_dtypes is not None:
    RANDOM_DTYPES.append((ml_dtypes.bfloat16, torch.bfloat16))


@pytest.mark.parametrize("nd,td", RANDOM_DTYPES)
def test_random_(nd, td):
    tg, g = pair(6)
    for n in (0, 1, 17, 1000):
        assert_same(torch.empty(n, dtype=td).random_(generator=tg), g.random_((n,), nd))
    if td is not torch.bool:
        assert_same(torch.empty(50, dtype=td).random_(100, generator=tg),
                    g.random_((50,), nd, high=100))
        assert_same(torch.empty(50, dtype=td).random_(3, 90, generator=tg),
                    g.random_((50,), nd, 3, 90))
        assert_same(torch.empty(50, dtype=td).random_(5, None, generator=tg),
                    g.random_((50,), nd, 5))
    assert_same_state(tg, g)


def test_random_full_int64_range_and_errors():
    tg, g = pair(6)
    assert_same(torch.empty(99, dtype=torch.int64).random_(-(2 ** 63), None, generator=tg),
                g.random_((99,), np.int64, -(2 ** 63)))
    assert_same_state(tg, g)
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        g.randint((2,), 5, 5)
    with pytest.raises(RuntimeError, match="to - 1 is out of bounds for unsigned char"):
        g.randint((2,), 0, 300, np.uint8)
    with pytest.raises(ValueError, match="Overflow"):
        g.randint((2,), 0, 2 ** 64)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 15, 16, 17, 1000, 5000])
def test_randperm(n):
    tg, g = pair(n + 1)
    assert_same(torch.randperm(n, generator=tg), g.randperm(n))
    assert_same(torch.randperm(n, generator=tg, dtype=torch.float32),
                g.randperm(n, np.float32))
    assert_same_state(tg, g)


def test_randperm_big_and_dtypes():
    tg, g = pair(2)
    assert_same(torch.randperm(BIG, generator=tg), g.randperm(BIG))
    assert_same(torch.randperm(256, generator=tg, dtype=torch.uint8), g.randperm(256, np.uint8))
    assert_same(torch.randperm(2049, generator=tg, dtype=torch.float16),
                g.randperm(2049, np.float16))
    assert_same_state(tg, g)
    with pytest.raises(RuntimeError, match="2049"):
        g.randperm(2050, np.float16)


# --------------------------------------------------------------------------- discrete/other

@pytest.mark.parametrize("nd,td", FLOATS + REDUCED + [(np.int64, torch.int64),
                                                      (np.bool_, torch.bool)])
def test_bernoulli_scalar(nd, td):
    tg, g = pair(17)
    for n in SIZES:
        for p in (0.0, 0.3, 1.0):
            assert_same(torch.empty(n, dtype=td).bernoulli_(p, generator=tg),
                        g.bernoulli_scalar((n,), p, nd))
    assert_same(torch.bernoulli(torch.empty(3, 5, dtype=td), 0.6, generator=tg),
                g.bernoulli_scalar((3, 5), 0.6, nd))
    assert_same_state(tg, g)


@pytest.mark.parametrize("pd,tpd", FLOATS + REDUCED)
def test_bernoulli_tensor(pd, tpd):
    tg, g = pair(19)
    for n in [0, 1, 17, 1000]:
        probs = np.random.default_rng(n).random(n).astype(pd)
        tp = torch.from_numpy(probs.astype(np.float32)).to(tpd)
        probs = as_numpy(tp)
        assert_same(torch.bernoulli(tp, generator=tg), g.bernoulli_tensor(probs, pd))
    assert_same(torch.empty(200, dtype=torch.float64).bernoulli_(
        torch.full((200,), 0.25, dtype=tpd), generator=tg),
        g.bernoulli_tensor(np.full(200, 0.25, pd), np.float64))
    assert_same_state(tg, g)


def test_bernoulli_big():
    tg, g = pair(23)
    assert_same(torch.empty(BIG).bernoulli_(0.4, generator=tg),
                g.bernoulli_scalar((BIG,), 0.4, np.float32))
    probs = np.random.default_rng(0).random(BIG).astype(np.float32)
    assert_same(torch.bernoulli(torch.from_numpy(probs), generator=tg),
                g.bernoulli_tensor(probs, np.float32))
    assert_same_state(tg, g)


@pytest.mark.parametrize("nd,td", FLOATS + REDUCED)
def test_exponential_cauchy_lognormal_geometric(nd, td):
    tg, g = pair(29)
    for n in SIZES:
        assert_same(torch.empty(n, dtype=td).exponential_(2.5, generator=tg),
                    g.exponential((n,), nd, 2.5))
        assert_same(torch.empty(n, dtype=td).cauchy_(0.3, 2.5, generator=tg),
                    g.cauchy((n,), nd, 0.3, 2.5))
        assert_same(torch.empty(n, dtype=td).log_normal_(1.0, 0.5, generator=tg),
                    g.log_normal((n,), nd, 1.0, 0.5))
        assert_same(torch.empty(n, dtype=td).geometric_(0.3, generator=tg),
                    g.geometric((n,), nd, 0.3))
    assert_same(torch.empty(100, dtype=td).exponential_(generator=tg), g.exponential((100,), nd))
    assert_same(torch.empty(100, dtype=td).log_normal_(generator=tg), g.log_normal((100,), nd))
    assert_same_state(tg, g)


def test_exponential_cauchy_big():
    tg, g = pair(31)
    assert_same(torch.empty(BIG).exponential_(0.7, generator=tg),
                g.exponential((BIG,), np.float32, 0.7))
    assert_same(torch.empty(BIG, dtype=torch.float64).cauchy_(generator=tg),
                g.cauchy((BIG,), np.float64))
    assert_same_state(tg, g)


@pytest.mark.parametrize("nd,td", FLOATS)
def test_multinomial(nd, td):
    tg, g = pair(37)
    rng = np.random.default_rng(1)
    for shape in [(1,), (10,), (3, 6), (2, 1000), (100000,)]:
        probs = (rng.random(shape) ** 3).astype(nd)
        tp = torch.from_numpy(probs)
        for k in (1, 5, 400):
            assert_same(torch.multinomial(tp, k, replacement=True, generator=tg),
                        g.multinomial(probs, k, True))
            if k <= shape[-1]:
                assert_same(torch.multinomial(tp, k, replacement=False, generator=tg),
                            g.multinomial(probs, k, False))
    assert_same_state(tg, g)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        g.multinomial(np.zeros(3, nd), 1, True)
    with pytest.raises(RuntimeError, match="without replacement"):
        g.multinomial(np.ones(3, nd), 4)


@pytest.mark.parametrize("nd,td", FLOATS)
def test_poisson(nd, td):
    tg, g = pair(41)
    rng = np.random.default_rng(2)
    for scale in (0.0, 3.0, 9.99, 30.0, 1e6):
        rates = (rng.random(2000) * scale).astype(nd)
        assert_same(torch.poisson(torch.from_numpy(rates), generator=tg), g.poisson(rates))
        assert_same_state(tg, g)
    rates = np.array([[0.0, 10.0], [1.5, 250.0]], nd)
    assert_same(torch.poisson(torch.from_numpy(rates), generator=tg), g.poisson(rates))
    assert_same(torch.rand(3, generator=tg), g.uniform((3,), np.float32))
    with pytest.raises(RuntimeError, match="non-negative"):
        g.poisson(np.array([-1.0], nd))


def test_interleaved_sequence():
    tg, g = pair(2024)
    rng = np.random.default_rng(0)
    probs = rng.random((2, 7))
    ops = [
        (lambda: torch.rand(33, generator=tg), lambda: g.uniform((33,), np.float32)),
        (lambda: torch.randn(5, generator=tg), lambda: g.normal((5,), np.float32)),
        (lambda: torch.randint(0, 7, (11,), generator=tg), lambda: g.randint((11,), 0, 7)),
        (lambda: torch.randperm(9, generator=tg), lambda: g.randperm(9)),
        (lambda: torch.randn(50, dtype=torch.float64, generator=tg),
         lambda: g.normal((50,), np.float64)),
        (lambda: torch.multinomial(torch.from_numpy(probs), 3, generator=tg),
         lambda: g.multinomial(probs, 3)),
        (lambda: torch.empty(7).exponential_(generator=tg), lambda: g.exponential((7,), np.float32)),
        (lambda: torch.poisson(torch.tensor([4.0, 40.0]), generator=tg),
         lambda: g.poisson(np.array([4.0, 40.0], np.float32))),
        (lambda: torch.randn(1, dtype=torch.float64, generator=tg),
         lambda: g.normal((1,), np.float64)),
        (lambda: torch.empty(3, dtype=torch.int64).random_(generator=tg),
         lambda: g.random_((3,), np.int64)),
        (lambda: torch.bernoulli(torch.full((6,), 0.5), generator=tg),
         lambda: g.bernoulli_tensor(np.full(6, 0.5, np.float32), np.float32)),
        (lambda: torch.rand(700, dtype=torch.float64, generator=tg),
         lambda: g.uniform((700,), np.float64)),
    ]
    for rep in range(4):
        for i in rng.permutation(len(ops)):
            tf, ef = ops[i]
            assert_same(tf(), ef())
        assert_same_state(tg, g)


def test_integer_geometric_half_poisson_and_0d():
    tg, g = pair(43)
    for nd, td in [(np.int64, torch.int64), (np.int32, torch.int32), (np.uint8, torch.uint8)]:
        assert_same(torch.empty(50, dtype=td).geometric_(0.2, generator=tg),
                    g.geometric((50,), nd, 0.2))
    assert_same(torch.poisson(torch.full((20,), 12.5, dtype=torch.float16), generator=tg),
                g.poisson(np.full(20, 12.5, np.float16)))
    assert_same(torch.empty(()).uniform_(generator=tg), g.uniform((), np.float32))
    assert_same(torch.empty((), dtype=torch.float64).normal_(generator=tg),
                g.normal((), np.float64))
    assert_same_state(tg, g)


def test_libm_fallback_path(monkeypatch):
    """Where NumPy's transcendental functions differ from the C library, math.* is used."""
    import ember._random_engine as engine

    monkeypatch.setattr(engine, "_LIBM_OK", {k: False for k in engine._MATH_FUNCS})
    tg, g = pair(47)
    assert_same(torch.randn(40, dtype=torch.float64, generator=tg), g.normal((40,), np.float64))
    assert_same(torch.randn(5, dtype=torch.float64, generator=tg), g.normal((5,), np.float64))
    assert_same(torch.empty(30).cauchy_(generator=tg), g.cauchy((30,), np.float32))
    assert_same(torch.empty(30).exponential_(generator=tg), g.exponential((30,), np.float32))
    assert_same(torch.empty(30).log_normal_(generator=tg), g.log_normal((30,), np.float32))
    assert_same(torch.empty(30).geometric_(0.3, generator=tg), g.geometric((30,), np.float32, 0.3))
    assert_same(torch.poisson(torch.tensor([3.0, 30.0]), generator=tg),
                g.poisson(np.array([3.0, 30.0], np.float32)))
    assert_same_state(tg, g)
