"""Sorting, selection and statistics (ember/ops/sorting.py) against torch: values, indices, dtypes, gradients."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from _reference import (
    BOOL,
    F32,
    F64,
    FLOATS,
    I32,
    I64,
    INTS,
    Const,
    OpInfo,
    assert_close,
    check_op,
    gc_params,
    gradcheck_op,
    params,
)

import ember

NUM = FLOATS + INTS
S = [((),), ((5,),), ((3, 4),), ((2, 3, 4),)]
S_DIM = [((5,),), ((3, 4),), ((2, 3, 4),)]
NAN = float("nan")


def _op(name, fn, samples=S_DIM, dtypes=FLOATS, **kw):
    return OpInfo(name, fn, samples, dtypes=dtypes, **kw)


def _with_nans(m, x):
    """x with NaNs in a fixed pattern (rows without, with one and with all NaNs), differentiable in x."""
    mask = np.zeros(tuple(x.shape), dtype=bool)
    flat = mask.reshape(-1)
    flat[1::4] = True
    return m.where(m.tensor(mask), m.tensor(NAN, dtype=x.dtype), x)


TABLE = [
    _op("sort", lambda m, x: m.sort(x), S, dtypes=NUM, gradgrad=True),
    _op("sort_dim0", lambda m, x: x.sort(0), S_DIM, dtypes=NUM),
    _op("sort_desc", lambda m, x: m.sort(x, dim=1, descending=True), [((3, 4),), ((2, 3, 4),)], dtypes=NUM),
    _op("sort_stable_kw", lambda m, x: m.sort(x, stable=True, dim=-1, descending=True), S_DIM, dtypes=NUM),
    _op("sort_empty", lambda m, x: m.sort(x), [((0,),), ((2, 0),)], grad_fn=False),
    _op("sort_nan", lambda m, x: m.sort(_with_nans(m, x), descending=True), [((3, 4),)], grad_fn=False),
    _op("sort_nan_asc", lambda m, x: m.sort(_with_nans(m, x), 0), [((4, 3),)], grad_fn=False),
    _op("argsort", lambda m, x: m.argsort(x, dim=-1), S, dtypes=NUM, grad=False),
    _op("argsort_desc", lambda m, x: x.argsort(0, descending=True), S_DIM, dtypes=NUM, grad=False),
    _op("msort", lambda m, x: m.msort(x), S_DIM, dtypes=NUM),
    _op("topk", lambda m, x: m.topk(x, 2), S_DIM, gradgrad=True),
    _op("topk_smallest", lambda m, x: x.topk(3, dim=0, largest=False), [((4, 3),), ((5, 2, 2),)]),
    _op("topk_k0", lambda m, x: x.topk(0), [((3, 4),)]),
    _op("topk_0d", lambda m, x: x.topk(1), [((),)]),
    _op("topk_nan", lambda m, x: _with_nans(m, x).topk(2), [((3, 4),)], grad_fn=False),
    _op("kthvalue", lambda m, x: m.kthvalue(x, 2), S_DIM, gradgrad=True),
    _op("kthvalue_keep", lambda m, x: x.kthvalue(3, 0, keepdim=True), [((4, 3),), ((5, 2, 2),)]),
    _op("kthvalue_0d", lambda m, x: x.kthvalue(1), [((),)]),
    _op("median_all", lambda m, x: m.median(x), S + [((0,),)], dtypes=NUM, gradgrad=True),
    _op("median_even", lambda m, x: x.median(), [((4,),), ((2, 3),)]),
    _op("median_dim", lambda m, x: m.median(x, 1), [((3, 4),), ((2, 5, 3),)]),
    _op("median_dim_keep", lambda m, x: x.median(-1, keepdim=True), S_DIM),
    _op("median_dim_0d", lambda m, x: x.median(0), [((),)]),
    _op("median_nan", lambda m, x: _with_nans(m, x).median(1), [((3, 4),)], grad_fn=False),
    _op("median_all_nan", lambda m, x: _with_nans(m, x).median(), [((3, 4),)], grad_fn=False),
    _op("nanmedian_all", lambda m, x: m.nanmedian(_with_nans(m, x)), [((3, 4),), ((7,),)], grad_fn=False),
    _op("nanmedian", lambda m, x: m.nanmedian(x), S),
    _op("nanmedian_dim", lambda m, x: _with_nans(m, x).nanmedian(1), [((3, 4),), ((2, 4, 3),)], grad_fn=False),
    _op("nanmedian_all_nan_row",
        lambda m, x: m.nanmedian(m.cat([x, x * m.tensor(NAN, dtype=x.dtype)]), 1), [((1, 3),)], grad_fn=False),
    _op("mode", lambda m, x: m.mode(x.round()), [((4, 6),), ((2, 3, 5),)], dtypes=NUM, grad_fn=False),
    _op("mode_dim0", lambda m, x: x.round().mode(0, keepdim=True), [((6, 3),)], grad_fn=False),
    _op("mode_distinct", lambda m, x: x.mode(), S_DIM),
    _op("mode_0d", lambda m, x: m.mode(x), [((),)]),
    _op("quantile", lambda m, x: m.quantile(x, 0.3), S + [((1,),)], gradgrad=True, grad_fn=False),
    _op("quantile_dim", lambda m, x: m.quantile(x, m.tensor([0.0, 0.25, 0.5, 1.0], dtype=x.dtype), dim=1),
        [((3, 5),), ((2, 4, 3),)], grad_fn=False),
    _op("quantile_keepdim", lambda m, x: x.quantile(m.tensor([0.1, 0.9], dtype=x.dtype), dim=0, keepdim=True),
        [((5, 3),)], grad_fn=False),
    _op("quantile_keepdim_all", lambda m, x: m.quantile(x, 0.7, keepdim=True), [((2, 3),)], grad_fn=False),
    _op("quantile_0d_q", lambda m, x: m.quantile(x, m.tensor(0.4, dtype=x.dtype), dim=-1), [((3, 4),)],
        grad_fn=False),
    _op("quantile_nan", lambda m, x: m.quantile(_with_nans(m, x), 0.5, dim=1), [((3, 4),)], grad_fn=False),
    _op("nanquantile", lambda m, x: m.nanquantile(_with_nans(m, x), m.tensor([0.2, 0.5], dtype=x.dtype), dim=1),
        [((3, 4),), ((2, 5, 4),)], grad_fn=False),
    _op("nanquantile_all_nan_row",
        lambda m, x: m.nanquantile(m.cat([x, x * m.tensor(NAN, dtype=x.dtype)]), 0.5, dim=1), [((1, 3),)],
        grad_fn=False),
    _op("cov", lambda m, x: m.cov(x), [((3, 5),), ((6,),)], grad_fn=False, gradgrad=True),
    _op("cov_correction0", lambda m, x: x.cov(correction=0), [((2, 4),)], grad_fn=False),
    _op("cov_weights", lambda m, x, f, a: m.cov(x, fweights=f, aweights=a),
        [((3, 4), Const(np.array([1, 2, 1, 3])), Const(np.array([0.5, 1.0, 2.0, 1.5])))], grad_fn=False),
    _op("corrcoef", lambda m, x: m.corrcoef(x), [((3, 5),), ((4,),)], grad_fn=False),
]

INTERP_TABLE = [
    _op(f"quantile_{mode}", lambda m, x, mode=mode: m.quantile(x, m.tensor([0.1, 0.375, 0.5, 0.625, 0.9],
                                                                            dtype=x.dtype), dim=-1,
                                                                interpolation=mode), [((3, 5),), ((9,),)],
        grad_fn=False)
    for mode in ("linear", "lower", "higher", "midpoint", "nearest")
] + [
    _op(f"nanquantile_{mode}", lambda m, x, mode=mode: m.nanquantile(_with_nans(m, x), 0.6, dim=1,
                                                                      interpolation=mode), [((3, 6),)],
        grad_fn=False)
    for mode in ("lower", "higher", "midpoint", "nearest")
]


@pytest.mark.parametrize("op,dtype", params(TABLE + INTERP_TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("op", gc_params([op for op in TABLE if op.gradgrad]))
def test_gradcheck(op):
    gradcheck_op(op)


def test_grad_fn_names():
    x = ember.tensor(np.random.default_rng(0).uniform(size=(3, 4)), requires_grad=True)
    t = torch.tensor(x.detach().numpy(), requires_grad=True)
    for f in (lambda m, v: m.sort(v).values, lambda m, v: m.topk(v, 2).values, lambda m, v: m.kthvalue(v, 2)[0],
              lambda m, v: m.median(v), lambda m, v: m.median(v, 1)[0], lambda m, v: m.nanmedian(v),
              lambda m, v: m.nanmedian(v, 0)[0], lambda m, v: m.mode(v, 1)[0], lambda m, v: m.msort(v)):
        assert f(ember, x).grad_fn.name() == type(f(torch, t).grad_fn).__name__


def test_sort_ties_are_stable():
    vals = [3.0, 1.0, 2.0, 1.0, NAN, 3.0, 2.0, 1.0, -0.0, 0.0]
    for desc in (False, True):
        assert_close(torch.sort(torch.tensor(vals), descending=desc, stable=True),
                     ember.sort(ember.tensor(vals), descending=desc, stable=True), check_rg=False)
        assert_close(torch.argsort(torch.tensor(vals), descending=desc, stable=True),
                     ember.argsort(ember.tensor(vals), descending=desc, stable=True), check_rg=False)
    b = [True, False, True, False]
    assert_close(torch.sort(torch.tensor(b)), ember.sort(ember.tensor(b)), check_rg=False)


def test_topk_with_ties_values_and_valid_indices():
    x = [3.0, 1.0, 2.0, 1.0, 3.0, 2.0, 1.0, 5.0]
    for largest in (True, False):
        t, e = torch.topk(torch.tensor(x), 3, largest=largest), ember.topk(ember.tensor(x), 3, largest=largest)
        np.testing.assert_array_equal(e.values.numpy(), t.values.numpy())
        np.testing.assert_array_equal(np.asarray(x)[e.indices.numpy()], e.values.numpy())


def test_mode_index_is_last_occurrence():
    for x in ([1, 2, 2, 1, 3], [[1, 2, 2, 1, 3], [0, 0, 4, 4, 0]], [3.0, 1.0, 2.0, 1.0, 5.0, 3.0, 2.0, 1.0]):
        assert_close(torch.mode(torch.tensor(x)), ember.mode(ember.tensor(x)), check_rg=False)


def test_median_int_and_indices():
    x = [[5, 3, 9, 1], [2, 2, 8, 0]]
    assert_close(torch.median(torch.tensor(x), 1), ember.median(ember.tensor(x), 1), check_rg=False)
    assert_close(torch.median(torch.tensor(x)), ember.median(ember.tensor(x)), check_rg=False)


def test_return_type_repr_and_fields():
    r = ember.sort(ember.tensor([2, 1]))
    assert repr(r) == repr(torch.sort(torch.tensor([2, 1])))
    assert r._fields == ("values", "indices")
    assert type(ember.topk(ember.tensor([1.0]), 1)).__name__ == "topk"
    assert ember.histogram(ember.tensor([1.0]), 1)._fields == ("hist", "bin_edges")


UNIQUE_CASES = [
    ([3, 1, 2, 1, 5, 3, 2, 1], {}),
    ([3, 1, 2, 1, 5, 3, 2, 1], {"return_inverse": True, "return_counts": True}),
    ([[3, 1], [2, 1], [3, 1]], {"return_inverse": True}),
    ([3.0, NAN, 1.0, NAN, 1.0], {"return_counts": True}),
    ([[1, 2], [0, 5], [1, 2], [0, 1]], {"dim": 0, "return_inverse": True, "return_counts": True}),
    ([[1, 2, 1], [0, 5, 0]], {"dim": 1, "return_counts": True}),
    ([True, False, True], {"return_inverse": True}),
    ([], {"return_inverse": True, "return_counts": True}),
]


@pytest.mark.parametrize("x,kw", UNIQUE_CASES)
def test_unique(x, kw):
    assert_close(torch.unique(torch.tensor(x), **kw), ember.unique(ember.tensor(x), **kw), check_rg=False)
    assert_close(torch.tensor(x).unique(**kw), ember.tensor(x).unique(**kw), check_rg=False)


def test_unique_0d_and_float_dtype():
    assert_close(torch.unique(torch.tensor(3), return_inverse=True), ember.unique(ember.tensor(3),
                                                                                   return_inverse=True))
    x = np.random.default_rng(1).integers(0, 5, size=20).astype(np.float32)
    assert_close(torch.unique(torch.tensor(x), sorted=True), ember.unique(ember.tensor(x), sorted=True))


@pytest.mark.parametrize("x,kw", [
    ([1, 1, 2, 2, 3, 1, 1, 2], {"return_inverse": True, "return_counts": True}),
    ([[1, 1], [2, 2]], {"return_inverse": True}),
    ([[1, 2], [1, 2], [0, 5], [1, 2]], {"dim": 0, "return_inverse": True, "return_counts": True}),
    ([[1, 1, 2], [0, 0, 5]], {"dim": 1, "return_counts": True}),
    ([NAN, NAN, 1.0], {"return_counts": True}),
    ([], {"return_counts": True}),
])
def test_unique_consecutive(x, kw):
    assert_close(torch.unique_consecutive(torch.tensor(x), **kw), ember.unique_consecutive(ember.tensor(x), **kw),
                 check_rg=False)


@pytest.mark.parametrize("x,w,minlength", [
    ([1, 1, 3], None, 0), ([1, 1, 3], [0.5, 0.5, 1.0], 0), ([1, 1, 3], [0.5, 0.5, 1.0], 6), ([], None, 0),
    ([], None, 3), ([0, 4, 4, 4], None, 2), ([1, 2], [1, 2], 0),
])
def test_bincount(x, w, minlength):
    for wdt in (torch.float32, torch.float64):
        tw = None if w is None else torch.tensor(w, dtype=wdt if isinstance(w[0], float) else None)
        ew = None if w is None else ember.tensor(w, dtype=getattr(ember, str(wdt)[6:]) if isinstance(w[0], float)
                                                 else None)
        assert_close(torch.bincount(torch.tensor(x, dtype=torch.long), tw, minlength),
                     ember.bincount(ember.tensor(x, dtype=ember.long), ew, minlength))
    assert_close(torch.tensor(x, dtype=torch.uint8).bincount(), ember.tensor(x, dtype=ember.uint8).bincount())


@pytest.mark.parametrize("dtype", [F32, F64])
def test_histc(dtype):
    rng = np.random.default_rng(3)
    data = np.concatenate([rng.uniform(-1, 2, 200), np.linspace(0, 1, 11), [0.1, 0.2, 0.3, 0.7, 0.9, 1.0, NAN]])
    t, e = torch.tensor(data, dtype=getattr(torch, dtype)), ember.tensor(data, dtype=getattr(ember, dtype))
    for args in ((10, 0, 1), (7, -0.5, 1.5), (3, 0.3, 0.3 + 1e-7), (100, 0, 1)):
        assert_close(torch.histc(t, *args), ember.histc(e, *args))
    finite = ~np.isnan(data)
    assert_close(torch.histc(t[torch.tensor(finite)], 13), e[ember.tensor(finite)].histc(13))
    assert_close(torch.histc(t[torch.tensor(finite)], 4, 1, 1), e[ember.tensor(finite)].histc(4, 1, 1))
    assert_close(torch.histc(torch.tensor([2.0, 2.0]), 4), ember.histc(ember.tensor([2.0, 2.0]), 4))
    assert_close(torch.histc(torch.empty(0), 3), ember.histc(ember.empty(0), 3))


def test_histogram():
    rng = np.random.default_rng(4)
    data = rng.uniform(-1, 2, 50).astype(np.float32)
    t, e = torch.tensor(data), ember.tensor(data)
    assert_close(torch.histogram(t, 5), ember.histogram(e, 5))
    assert_close(torch.histogram(t, 4, range=(0.0, 1.0), density=True), ember.histogram(e, 4, range=(0.0, 1.0),
                                                                                          density=True))
    w = rng.uniform(0, 1, 50).astype(np.float32)
    edges = [-1.0, 0.0, 0.5, 2.0]
    assert_close(torch.histogram(t, torch.tensor(edges), weight=torch.tensor(w)),
                 ember.histogram(e, ember.tensor(edges), weight=ember.tensor(w)))
    assert_close(torch.histogram(torch.tensor([1.0, 1.0]), 2), ember.histogram(ember.tensor([1.0, 1.0]), 2))


SEARCH_CASES = [
    ([1.0, 2.0, 2.0, 3.0, 5.0], [2.0, 0.0, 6.0, 2.5, 5.0], {}),
    ([1.0, 2.0, 2.0, 3.0, 5.0], [2.0, 0.0, 6.0, 2.5, 5.0], {"right": True}),
    ([1.0, 2.0, 2.0, 3.0, 5.0], [[2.0, 3.0], [NAN, -1.0]], {"side": "right"}),
    ([[1.0, 3.0, 3.0], [2.0, 4.0, 6.0]], [[3.0, 0.0], [6.0, 5.0]], {}),
    ([[1.0, 3.0, 3.0], [2.0, 4.0, 6.0]], [[3.0, 0.0], [6.0, 5.0]], {"right": True, "out_int32": True}),
    ([[[1, 3], [2, 4]], [[0, 0], [5, 9]]], [[[2, 3, 4]], [[0, 1, 9]]] * 1, {}),
    ([1, 2, 3], [2.5, 3.0], {}),
    ([], [1.0], {}),
]


@pytest.mark.parametrize("b,v,kw", SEARCH_CASES)
def test_searchsorted(b, v, kw):
    if len(b) == 2 and isinstance(b[0][0], list):  # batched 3-D boundaries: values need matching leading dims
        v = [[[2, 3, 4], [1, 4, 5]], [[0, 1, 9], [6, 5, 10]]]
    assert_close(torch.searchsorted(torch.tensor(b), torch.tensor(v), **kw),
                 ember.searchsorted(ember.tensor(b), ember.tensor(v), **kw))


def test_searchsorted_scalar_sorter_and_bucketize():
    s = [1.0, 2.0, 2.0, 3.0, 5.0]
    assert_close(torch.searchsorted(torch.tensor(s), 2.0), ember.searchsorted(ember.tensor(s), 2.0))
    assert_close(torch.searchsorted(torch.tensor(s), 2, side="right"), ember.searchsorted(ember.tensor(s), 2,
                                                                                          side="right"))
    kw = {"sorter": [1, 2, 0]}
    assert_close(torch.searchsorted(torch.tensor([3.0, 1.0, 2.0]), torch.tensor([2.5, 0.5]),
                                    sorter=torch.tensor(kw["sorter"])),
                 ember.searchsorted(ember.tensor([3.0, 1.0, 2.0]), ember.tensor([2.5, 0.5]),
                                    sorter=ember.tensor(kw["sorter"])))
    for right in (False, True):
        assert_close(torch.bucketize(torch.tensor([[2.0, 0.0], [6.0, 3.0]]), torch.tensor(s), right=right),
                     ember.bucketize(ember.tensor([[2.0, 0.0], [6.0, 3.0]]), ember.tensor(s), right=right))
    assert_close(torch.bucketize(3, torch.tensor(s)), ember.bucketize(3, ember.tensor(s)))
    rng = np.random.default_rng(5)
    b = np.sort(rng.integers(0, 20, size=(3, 4, 10)), -1)
    v = rng.integers(-1, 21, size=(3, 4, 7))
    for right in (False, True):
        assert_close(torch.searchsorted(torch.tensor(b), torch.tensor(v), right=right),
                     ember.searchsorted(ember.tensor(b), ember.tensor(v), right=right))


def _err(mod, f):
    try:
        f(mod)
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


ERRORS = [
    lambda m: m.topk(m.tensor([1.0, 2.0]), 3),
    lambda m: m.tensor(5.0).topk(2),
    lambda m: m.kthvalue(m.tensor([1.0, 2.0]), 0),
    lambda m: m.kthvalue(m.tensor([1.0, 2.0]), 3),
    lambda m: m.median(m.empty(2, 0), 1),
    lambda m: m.mode(m.empty(0)),
    lambda m: m.nanmedian(m.empty(0), 0),
    lambda m: m.bincount(m.tensor([-1, 2])),
    lambda m: m.bincount(m.tensor([1.0, 2.0])),
    lambda m: m.bincount(m.tensor([[1, 2]])),
    lambda m: m.bincount(m.tensor([1]), m.tensor([1.0, 2.0])),
    lambda m: m.bincount(m.tensor([1]), minlength=-1),
    lambda m: m.histc(m.tensor([1, 2]), 3),
    lambda m: m.histc(m.tensor([1.0, 2.0]), bins=0),
    lambda m: m.histc(m.tensor([1.0, 2.0]), 3, 3, 1),
    lambda m: m.histc(m.tensor([1.0, float("inf")]), 3),
    lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([2.0]), side="middle"),
    lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([2.0]), right=True, side="left"),
    lambda m: m.searchsorted(m.tensor([[1.0, 2.0]]), m.tensor([2.0, 3.0])),
    lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([2.0]), sorter=m.tensor([0])),
    lambda m: m.bucketize(m.tensor([2.0]), m.tensor([[1.0, 2.0]])),
    lambda m: m.quantile(m.tensor([1.0, 2.0]), 1.5),
    lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor([0.5, 2.0])),
    lambda m: m.quantile(m.tensor([1, 2]), 0.5),
    lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor([0.5], dtype=m.float64)),
    lambda m: m.quantile(m.tensor([1.0, 2.0]), 0.5, interpolation="foo"),
    lambda m: m.quantile(m.empty(0), 0.5),
    lambda m: m.quantile(m.tensor([1.0, 2.0]), m.ones(2, 2) * 0.5),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    t, e = _err(torch, ERRORS[k]), _err(ember, ERRORS[k])
    assert t is not None and e is not None, (t, e)
    assert e[0] is t[0] or issubclass(e[0], t[0]), (e, t)
    assert e[1] == t[1]


def test_cov_zero_dof_warns():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = ember.cov(ember.tensor([[1.0], [2.0]]))
    assert any("degrees of freedom" in str(x.message) for x in w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(torch.cov(torch.tensor([[1.0], [2.0]])), r)


def test_out_and_int_dtypes():
    for dt in (I64, I32, BOOL):
        x = np.array([[3, 1, 2], [0, 5, 4]]).astype(dt)
        assert_close(torch.sort(torch.tensor(x), 1), ember.sort(ember.tensor(x), 1))
    out = ember.empty(0)
    ember.quantile(ember.tensor([1.0, 2.0, 3.0]), 0.5, out=out)
    assert out.item() == 2.0
    x = [[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]
    for name, args in (("sort", (1,)), ("topk", (2,)), ("kthvalue", (2,)), ("median", (1,)), ("mode", (1,))):
        tv, ti = torch.empty(0), torch.empty(0, dtype=torch.long)
        ev, ei = ember.empty(0), ember.empty(0, dtype=ember.long)
        getattr(torch, name)(torch.tensor(x), *args, out=(tv, ti))
        r = getattr(ember, name)(ember.tensor(x), *args, out=(ev, ei))
        assert r.values is ev and r.indices is ei
        assert_close((tv, ti), (ev, ei))

