"""Same seed, same numbers: ember's public random API and a training run, bit for bit against torch's CPU streams."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

DTYPES = ["float32", "float64"]


# ----------------------------------------------------------------------------- helpers
def _np(x) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else x.detach()._np()


def assert_bits(e, t) -> None:
    """Same shape, same dtype, same bits."""
    a, b = np.ascontiguousarray(_np(e)), np.ascontiguousarray(_np(t))
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.dtype.kind == "f":
        a, b = a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")
    bad = np.flatnonzero(a.ravel() != b.ravel())
    assert bad.size == 0, f"{bad.size} of {a.size} elements differ, first at {bad[:5]}"


def seed_both(s: int) -> None:
    torch.manual_seed(s)
    ember.manual_seed(s)


def assert_same_position() -> None:
    """Both default generators are at the same point of the stream (state bytes, then the next draws)."""
    assert np.array_equal(ember.get_rng_state()._np(), torch.get_rng_state().numpy())
    assert_bits(ember.rand(5), torch.rand(5))
    assert_bits(ember.randn(3), torch.randn(3))


def ramp(m, lo: float, hi: float, shape, dtype=None):
    """The same evenly spaced values in both frameworks (built in NumPy; the samplers' inputs)."""
    arr = np.linspace(lo, hi, int(np.prod(shape))).reshape(shape)
    return m.tensor(arr, dtype=dtype if dtype is not None else m.float32)


def both(fn, seed: int = 7):
    """``fn(m, g)`` on torch then ember after the same seed, with fresh generators seeded alike."""
    torch.manual_seed(seed)
    t = fn(torch, torch.Generator().manual_seed(seed + 1))
    ember.manual_seed(seed)
    eg = ember.Generator().manual_seed(seed + 1)
    e = fn(ember, eg)
    return e, t, eg


# ----------------------------------------------------------------------------- seeding and state
@pytest.mark.parametrize("s", [0, 1, 42, 2 ** 32 + 1, 2 ** 63 - 1, -5])
def test_manual_seed_and_initial_seed(s):
    g_t, g_e = torch.manual_seed(s), ember.manual_seed(s)
    assert g_e is ember.default_generator and isinstance(g_e, ember.Generator)
    assert ember.initial_seed() == torch.initial_seed() == g_e.initial_seed() == g_t.initial_seed()
    assert np.array_equal(ember.get_rng_state()._np(), torch.get_rng_state().numpy())
    assert_same_position()


def test_seed_is_reproducible_by_manual_seed():
    s = ember.seed()
    assert isinstance(s, int) and ember.initial_seed() == s
    e = ember.rand(4)
    torch.manual_seed(s)
    ember.manual_seed(s)
    assert_bits(e, torch.rand(4))
    g = ember.Generator()
    gs = g.seed()
    assert g.initial_seed() == gs
    assert_bits(ember.rand(3, generator=g), torch.rand(3, generator=torch.Generator().manual_seed(gs)))


def test_state_layout_and_restore_after_mixed_draws():
    seed_both(3)
    for m in (torch, ember):  # leaves a cached Box-Muller value and a partly used Mersenne block
        m.rand(7)
        m.randn(3)
        m.randn(17)
        m.empty(5, dtype=m.float64).normal_()
    st_t, st_e = torch.get_rng_state(), ember.get_rng_state()
    assert st_e.dtype == ember.uint8 and tuple(st_e.shape) == tuple(st_t.shape) == (5056,)
    assert np.array_equal(st_e._np(), st_t.numpy())
    a = ember.randn(9)
    ember.set_rng_state(st_e)
    assert_bits(ember.randn(9), a)
    # a state captured in torch drives ember to torch's next numbers, and back
    ember.set_rng_state(ember.tensor(st_t.numpy()))
    torch.set_rng_state(st_t)
    assert_same_position()
    torch.set_rng_state(torch.from_numpy(ember.get_rng_state()._np().copy()))
    assert_same_position()


def test_state_tensors_are_copies():
    st = ember.get_rng_state()
    keep = st._np().copy()
    ember.rand(10)
    assert np.array_equal(st._np(), keep)  # drawing does not change a saved state
    ember.set_rng_state(st)
    a = ember.rand(3)
    st._np()[:] = 0  # nor does editing the saved tensor change the generator
    ember.set_rng_state(ember.tensor(keep))
    assert_bits(ember.rand(3), a)


def test_generator_objects():
    te, tt = ember.Generator(), torch.Generator()
    assert te.initial_seed() == tt.initial_seed() == 67280421310721
    assert te.manual_seed(11) is te
    tt.manual_seed(11)
    assert np.array_equal(te.get_state()._np(), tt.get_state().numpy())
    assert te.initial_seed() == 11
    assert_bits(ember.randn(20, generator=te), torch.randn(20, generator=tt))
    st_e, st_t = te.get_state(), tt.get_state()
    a = ember.rand(6, generator=te)
    assert te.set_state(st_e) is te
    assert_bits(ember.rand(6, generator=te), a)
    tt.set_state(st_t)
    assert_bits(a, torch.rand(6, generator=tt))
    # a private generator leaves the default stream alone
    seed_both(2)
    ember.rand(100, generator=te)
    assert_same_position()
    assert te.device == ember.device("cpu")


def test_interleaved_generators_and_default():
    seed_both(5)
    gt, ge = torch.Generator().manual_seed(9), ember.Generator().manual_seed(9)
    for m, g in ((torch, gt), (ember, ge)):
        out = [m.rand(3), m.rand(4, generator=g), m.randn(17), m.randn(2, generator=g), m.randint(0, 9, (5,)),
               m.randperm(12, generator=g), m.empty(3, 4).uniform_(-1, 1, generator=g), m.empty(20).normal_(),
               m.bernoulli(m.full((6,), 0.4), generator=g), m.multinomial(m.ones(8), 3),
               m.poisson(m.full((4,), 3.5), generator=g), m.empty(5, dtype=m.float64).exponential_()]
        if m is torch:
            t_out = out
        else:
            e_out = out
    for e, t in zip(e_out, t_out):
        assert_bits(e, t)
    assert np.array_equal(ge.get_state()._np(), gt.get_state().numpy())
    assert_same_position()


def test_fork_rng_and_random_module():
    import ember.random as er

    assert er.manual_seed is ember.manual_seed and er.fork_rng is ember.fork_rng
    for name in torch.random.__all__:
        if name != "thread_safe_generator":
            assert hasattr(er, name), name
    er.manual_seed(4)
    torch.random.manual_seed(4)
    with er.fork_rng():
        inner = ember.rand(50)
    with torch.random.fork_rng():
        assert_bits(inner, torch.rand(50))
    assert_same_position()  # both streams were restored
    with er.fork_rng(enabled=False):
        ember.rand(2)
    with torch.random.fork_rng(enabled=False):
        torch.rand(2)
    assert_same_position()
    with pytest.raises(ValueError), er.fork_rng():
        ember.rand(3)
        raise ValueError("inside")
    assert_same_position()  # restored on an exception too
    assert er.initial_seed() == torch.random.initial_seed() == 4


def test_state_errors_match_torch():
    cases = [lambda m: m.set_rng_state(m.zeros(5056)),
             lambda m: m.set_rng_state(m.zeros(10, dtype=m.uint8)),
             lambda m: m.set_rng_state(np.zeros(5056, np.uint8)),
             lambda m: m.Generator().set_state(3),
             lambda m: m.manual_seed("a"),
             lambda m: m.manual_seed(2 ** 64)]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(te.type, match=str(te.value).replace("(", r"\(").replace(")", r"\)")):
            case(ember)


# ----------------------------------------------------------------------------- sampling functions
SHAPES = [(7,), (3, 5), (16,), (4, 17, 3), (1000,)]

FACTORIES = {
    "rand": lambda m, g, dt, s: m.rand(*s, dtype=dt, generator=g),
    "randn": lambda m, g, dt, s: m.randn(s, dtype=dt, generator=g),
    "rand_like": lambda m, g, dt, s: m.rand_like(m.zeros(s, dtype=dt), generator=g),
    "randn_like": lambda m, g, dt, s: m.randn_like(m.zeros(s, dtype=dt), generator=g),
    "normal(float, float, size)": lambda m, g, dt, s: m.normal(1.5, 2.0, s, dtype=dt, generator=g),
    "normal(Tensor, Tensor)": lambda m, g, dt, s: m.normal(ramp(m, -3, 3, s, dt),
                                                           m.full(s, 0.5, dtype=dt), generator=g),
    "normal(Tensor, float)": lambda m, g, dt, s: m.normal(m.ones(s, dtype=dt), 0.25, generator=g),
    "normal(float, Tensor)": lambda m, g, dt, s: m.normal(2.0, m.full(s, 3.0, dtype=dt), generator=g),
    "bernoulli(Tensor)": lambda m, g, dt, s: m.bernoulli(ramp(m, 0, 1, s, dt),
                                                         generator=g),
    "bernoulli(Tensor, p)": lambda m, g, dt, s: m.bernoulli(m.zeros(s, dtype=dt), 0.3, generator=g),
    "poisson": lambda m, g, dt, s: m.poisson(ramp(m, 0, 30, s, dt), g),
}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(FACTORIES))
def test_factories_equal_torch(name, dtype, shape):
    fn = FACTORIES[name]
    for gen in (False, True):  # the default generator, then a Generator object
        e, t, _ = both(lambda m, g, gen=gen: fn(m, g if gen else None, getattr(m, dtype), shape))
        assert_bits(e, t)
        assert_same_position()


INT_FACTORIES = {
    "randint(high, size)": lambda m, g, s: m.randint(7, s, generator=g),
    "randint(low, high, size)": lambda m, g, s: m.randint(-3, 10, s, generator=g),
    "randint wide": lambda m, g, s: m.randint(-2 ** 40, 2 ** 40, s, generator=g),
    "randint int32": lambda m, g, s: m.randint(0, 100, s, dtype=m.int32, generator=g),
    "randint float32": lambda m, g, s: m.randint(0, 100, s, dtype=m.float32, generator=g),
    "randint_like": lambda m, g, s: m.randint_like(m.zeros(s, dtype=m.int16), 3, 9, generator=g),
    "randint_like(high)": lambda m, g, s: m.randint_like(m.zeros(s), 9, generator=g),
}


@pytest.mark.parametrize("gen", [False, True], ids=["default", "generator"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (1000,)], ids=str)
@pytest.mark.parametrize("name", list(INT_FACTORIES))
def test_integer_factories_equal_torch(name, shape, gen):
    fn = INT_FACTORIES[name]
    e, t, _ = both(lambda m, g: fn(m, g if gen else None, shape))
    assert_bits(e, t)
    assert_same_position()


@pytest.mark.parametrize("n", [0, 1, 2, 10, 100, 5000, 100_003])
@pytest.mark.parametrize("gen", [False, True], ids=["default", "generator"])
def test_randperm_equals_torch(n, gen):
    for dt in ("int64", "int32"):
        e, t, _ = both(lambda m, g, dt=dt: m.randperm(n, dtype=getattr(m, dt), generator=g if gen else None))
        assert_bits(e, t)
        assert_same_position()


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", [(1, False), (3, False), (10, False), (1, True), (5, True), (40, True)],
                         ids=lambda c: f"k{c[0]}-{'repl' if c[1] else 'norepl'}")
def test_multinomial_equals_torch(case, dtype, layout):
    k, repl = case

    def probs(m):
        p = ramp(m, 0.1, 3.0, (12, 5), getattr(m, dtype)) ** 2
        p = p.T if layout == "transposed" else p.T.contiguous()  # 5 rows of 12 categories
        return p

    e, t, _ = both(lambda m, g: m.multinomial(probs(m), k, repl))
    assert_bits(e, t)
    assert_same_position()
    e, t, _ = both(lambda m, g: m.multinomial(probs(m)[2], k, repl, generator=g))
    assert_bits(e, t)
    assert_same_position()


INPLACE = {
    "uniform_": (-2.0, 3.0),
    "normal_": (1.0, 2.0),
    "bernoulli_": (0.3,),
    "random_(from, to)": (-5, 10),
    "random_(to)": (17,),
    "random_()": (),
    "exponential_": (1.5,),
    "cauchy_": (0.5, 2.0),
    "log_normal_": (0.5, 0.75),
    "geometric_": (0.3,),
}
LAYOUTS = {
    "contiguous": lambda m, dt, s: m.empty(s, dtype=dt),
    "transposed": lambda m, dt, s: m.empty(s[::-1], dtype=dt).transpose(0, -1),
    "sliced": lambda m, dt, s: m.zeros((s[0], 2 * s[1]) + s[2:], dtype=dt)[:, ::2],
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("shape", [(3, 5), (6, 8), (40, 30), (4, 9, 3)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_samplers_equal_torch(name, dtype, shape, layout):
    meth, args = name.split("(")[0], INPLACE[name]
    for gen in (False, True):

        def fn(m, g, gen=gen):
            t = LAYOUTS[layout](m, getattr(m, dtype), shape)
            r = getattr(t, meth)(*args, generator=g if gen else None)
            assert r is t
            return t

        e, t, _ = both(fn)
        assert e.stride() == t.stride()
        assert_bits(e, t)
        assert_same_position()


def test_bernoulli_tensor_p_inplace_and_out():
    e, t, _ = both(lambda m, g: m.empty(4, 6).T.bernoulli_(ramp(m, 0, 1, (4,))))
    assert_bits(e, t)
    assert_same_position()
    for fn in (lambda m, o: m.rand(3, 4, out=o), lambda m, o: m.randn(3, 4, out=o),
               lambda m, o: m.normal(0.5, 2.0, (3, 4), out=o), lambda m, o: m.normal(m.zeros(3, 4), 1.0, out=o)):

        def sample(m, g, fn=fn):
            out = m.empty(3, 4, dtype=m.float64)  # no dtype given: drawn in out's dtype
            assert fn(m, out) is out
            return out

        e, t, _ = both(sample)
        assert_bits(e, t)
    assert_same_position()


COMPLEX_SAMPLERS = {
    "rand": lambda m, dt, n: m.rand(n, dtype=dt),
    "randn": lambda m, dt, n: m.randn(n, dtype=dt),
    "randn 2-D": lambda m, dt, n: m.randn(2, n, dtype=dt),
    "normal(float, float, size)": lambda m, dt, n: m.normal(0.5, 2.0, (n,), dtype=dt),
    "normal(complex mean, float)": lambda m, dt, n: m.normal(m.ones(n, dtype=dt) * (1 - 2j), 3.0),
    "normal(complex mean, std)": lambda m, dt, n: m.normal(m.ones(n, dtype=dt), m.arange(1.0, n + 1)),
    "normal_": lambda m, dt, n: m.empty(n, 3, dtype=dt).normal_(1.0, 3.0),
    "normal_ transposed": lambda m, dt, n: m.empty(n, 3, dtype=dt).T.normal_(1.0, 3.0),
    "uniform_ transposed": lambda m, dt, n: m.empty(n, 3, dtype=dt).T.uniform_(-1.0, 2.0),
    "rand_like transposed": lambda m, dt, n: m.rand_like(m.zeros(n, 3, dtype=dt).T),
    "randn_like transposed": lambda m, dt, n: m.randn_like(m.zeros(n, 3, dtype=dt).T),
}


@pytest.mark.parametrize("n", [3, 8, 17])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", list(COMPLEX_SAMPLERS))
def test_complex_samplers_equal_torch(name, dtype, n):
    """PyTorch samples a complex tensor through its float view (real, imaginary, in memory order), a normal with
    std / sqrt(2) per part; small and odd sizes take its scalar normal path, 16 floats and more the vectorised."""
    fn = COMPLEX_SAMPLERS[name]
    e, t, _ = both(lambda m, g: fn(m, getattr(m, dtype), n))
    assert e.stride() == t.stride()
    assert_bits(e, t)
    assert_same_position()


def test_sampler_dtype_errors_match_torch():
    cases = [lambda m: m.rand(3, dtype=m.int64), lambda m: m.randn(3, dtype=m.int32),
             lambda m: m.normal(0.0, 1.0, (2,), dtype=m.int16), lambda m: m.empty(3, dtype=m.int64).uniform_(),
             lambda m: m.empty(3, dtype=m.uint8).normal_(), lambda m: m.empty(3, dtype=m.int32).exponential_(),
             lambda m: m.empty(3, dtype=m.int64).cauchy_(), lambda m: m.empty(3, dtype=m.bool).log_normal_(),
             lambda m: m.empty(3, dtype=m.bool).geometric_(0.5), lambda m: m.bernoulli(m.ones(3, dtype=m.bool)),
             lambda m: m.poisson(m.ones(3, dtype=m.int32)), lambda m: m.randint(5, 3, (2,)),
             lambda m: m.empty(3).normal_(0, -1), lambda m: m.multinomial(m.ones(3, dtype=m.int64), 1),
             lambda m: m.multinomial(m.ones(3), 4)]
    # samplers PyTorch has no complex kernel for
    cases += [lambda m: m.empty(3, dtype=m.complex64).bernoulli_(0.5),
              lambda m: m.empty(3, dtype=m.complex64).bernoulli_(m.full((3,), 0.5)),
              lambda m: m.bernoulli(m.zeros(3, dtype=m.complex128)), lambda m: m.bernoulli(m.zeros(3, dtype=m.int64)),
              lambda m: m.empty(3, dtype=m.complex64).log_normal_(),
              lambda m: m.empty(3, dtype=m.complex128).geometric_(0.5),
              lambda m: m.empty(3, dtype=m.complex64).random_(), lambda m: m.empty(3, dtype=m.complex64).exponential_(),
              lambda m: m.empty(3, dtype=m.complex64).cauchy_(), lambda m: m.poisson(m.ones(3, dtype=m.complex64)),
              lambda m: m.randint(0, 5, (3,), dtype=m.complex64), lambda m: m.randperm(3, dtype=m.complex64),
              lambda m: m.multinomial(m.ones(3, dtype=m.complex64), 1),
              lambda m: m.normal(0.0, m.ones(3, dtype=m.complex64)),
              lambda m: m.normal(m.zeros(3, dtype=m.complex64), m.ones(3, dtype=m.complex64))]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(te.type) as ee:
            case(ember)
        assert str(ee.value) == str(te.value)


def _torch_inside_out(words64, n):
    """PyTorch's randperm loop for n >= 214748364 (aten TensorFactories.cpp), literally, over given draws."""
    r = list(range(n))
    for i in range(n):
        z = int(words64[i]) % (i + 1)
        r[i] = r[z]
        r[z] = i
    return r


@pytest.mark.parametrize("n", [1, 2, 3, 17, 5000, 70_000])
def test_randperm_inside_out_matches_torchs_loop(n, monkeypatch):
    """From n = 214,748,364 on PyTorch shuffles inside-out on 64-bit draws; Ember applies the same swaps in a
    vectorised form. Checked here against the loop itself at small n (the switch point lowered), and once
    against torch.randperm(214_748_364) itself (docs/random.md: equal, and the stream after it too)."""
    from ember import _random_engine as RE

    monkeypatch.setattr(RE, "_RANDPERM_MAX_N", 0)
    for dt in ("int64", "int32"):
        g, ref = ember.Generator().manual_seed(n), ember.Generator().manual_seed(n)
        e = ember.randperm(n, generator=g, dtype=getattr(ember, dt))
        assert str(e.dtype) == f"torch.{dt}"
        assert e.tolist() == _torch_inside_out(ref._impl._u64(n), n)
        assert g.get_state().tolist() == ref.get_state().tolist()


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("case", [(1, False), (3, False), (10, False), (1, True), (5, True), (40, True)],
                         ids=lambda c: f"k{c[0]}-{'repl' if c[1] else 'norepl'}")
def test_multinomial_reduced_precision_equals_torch(case, dtype, layout):
    """float16/bfloat16 probabilities: torch accumulates the cumulative sums in float32 (with replacement) and
    draws the exponential keys in the probabilities' dtype (without). Half-precision keys tie more often; among
    equal keys torch's top-k order is its sort's, so rows are compared by the keys they selected, in order."""
    k, repl = case

    def probs(m):
        p = ramp(m, 0.1, 3.0, (12, 5), getattr(m, dtype)) ** 2
        return p.T if layout == "transposed" else p.T.contiguous()  # 5 rows of 12 categories

    for seed in range(8):
        e, t, _ = both(lambda m, g: m.multinomial(probs(m), k, repl), seed=seed)
        assert_same_position()
        if repl or k == 1:  # inverse-CDF search and argmax (the first of equal maxima): exactly torch's samples
            assert_bits(e, t)
            continue
        torch.manual_seed(seed)
        p = probs(torch)
        keys = (p / torch.empty_like(p).exponential_(1)).float().numpy()  # torch's own keys, same stream
        ei, ti = _np(e), _np(t)
        assert ei.shape == ti.shape and str(e.dtype) == str(t.dtype)
        assert np.array_equal(np.take_along_axis(keys, ei, 1), np.take_along_axis(keys, ti, 1))
        assert all(len(set(r)) == k for r in ei.tolist())


# ----------------------------------------------------------------------------- data loading
def test_samplers_and_loader_share_the_default_stream():
    tdata, edata = torch.utils.data, ember.utils.data
    seed_both(21)
    ts, es = tdata.RandomSampler(range(1000)), edata.RandomSampler(range(1000))
    tr, er = (tdata.RandomSampler(range(50), replacement=True, num_samples=300),
              edata.RandomSampler(range(50), replacement=True, num_samples=300))
    w = [0.5, 2.0, 0.1, 3.0, 1.0, 0.0, 4.0]
    for _ in range(2):
        assert list(ts) == list(es)
        assert list(tr) == list(er)
        assert list(tdata.WeightedRandomSampler(w, 20)) == list(edata.WeightedRandomSampler(w, 20))
        assert list(tdata.WeightedRandomSampler(w, 5, replacement=False)) == \
            list(edata.WeightedRandomSampler(w, 5, replacement=False))
    tl = tdata.DataLoader(tdata.TensorDataset(torch.arange(100)), batch_size=32, shuffle=True, drop_last=True)
    el = edata.DataLoader(edata.TensorDataset(ember.arange(100)), batch_size=32, shuffle=True, drop_last=True)
    for _ in range(2):
        assert [b[0].tolist() for b in tl] == [b[0].tolist() for b in el]
    assert_same_position()


def test_generator_driven_samplers():
    tdata, edata = torch.utils.data, ember.utils.data
    gt, ge = torch.Generator().manual_seed(8), ember.Generator().manual_seed(8)
    w = [0.5, 2.0, 0.1, 3.0, 1.0, 0.2, 4.0]
    samplers = [(tdata.WeightedRandomSampler(w, 12, generator=gt), edata.WeightedRandomSampler(w, 12, generator=ge)),
                (tdata.SubsetRandomSampler(list(range(3, 300, 7)), generator=gt),
                 edata.SubsetRandomSampler(list(range(3, 300, 7)), generator=ge)),
                (tdata.RandomSampler(range(257), generator=gt), edata.RandomSampler(range(257), generator=ge))]
    for _ in range(2):
        for t, e in samplers:
            assert list(t) == list(e)
    tparts = tdata.random_split(range(200), [0.5, 0.3, 0.2], generator=gt)
    eparts = edata.random_split(range(200), [0.5, 0.3, 0.2], generator=ge)
    assert [list(p.indices) for p in tparts] == [list(p.indices) for p in eparts]
    assert np.array_equal(ge.get_state()._np(), gt.get_state().numpy())


# ----------------------------------------------------------------------------- a training run
def _train(m, steps: int = 20):
    """Everything built by the framework itself after ``manual_seed(0)``: data, weights, dropout, shuffling."""
    nn, data = m.nn, m.utils.data
    m.manual_seed(0)
    x = m.randn(96, 5)
    y = ((x[:, :1] * 2 - x[:, 1:2]) > 0).float()
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 8), nn.Tanh(),
                          nn.Dropout(0.1), nn.Linear(8, 1))
    opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=16, shuffle=True)
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    model.train()
    while len(losses) < steps:
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return np.array(losses), {k: _np(v) for k, v in model.state_dict().items()}


def test_training_run_equals_torch():
    t_losses, t_state = _train(torch)
    e_losses, e_state = _train(ember)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-6, atol=0)
    assert list(e_state) == list(t_state)
    for k in t_state:
        np.testing.assert_allclose(e_state[k], t_state[k], rtol=1e-5, atol=1e-6, err_msg=k)
    assert_same_position()
