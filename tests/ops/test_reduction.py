"""Reductions (ember/ops/reduction.py) against torch: values, dtypes, gradients, gradcheck."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _reference import (
    ALL,
    BOOL,
    F32,
    F64,
    FLOATS,
    I32,
    I64,
    INTS,
    Const,
    OpInfo,
    check_op,
    gc_params,
    gradcheck_op,
    params,
    same_error,
)

import ember

S = [((),), ((4,),), ((2, 3),), ((2, 3, 4),)]
S_EMPTY = S + [((0,),), ((2, 0),)]
S_DIM = [((4,),), ((2, 3),), ((2, 3, 4),)]


def _red(name, fn, samples=S, dtypes=FLOATS, gradgrad=True, **kw):
    return OpInfo(name, fn, samples, dtypes=dtypes, gradgrad=gradgrad, **kw)


NUM = FLOATS + INTS
REDUCTIONS = [
    _red("sum", lambda m, x: m.sum(x), S_EMPTY, dtypes=ALL),
    _red("sum_dim0", lambda m, x: x.sum(0), S_DIM + [((2, 0),)], dtypes=ALL),
    _red("sum_dim_neg", lambda m, x: x.sum(-1), S_DIM, dtypes=NUM),
    _red("sum_keepdim", lambda m, x: x.sum(-1, keepdim=True), S_DIM, dtypes=NUM),
    _red("sum_tuple", lambda m, x: x.sum((0, -1)), [((2, 3),), ((2, 3, 4),)], dtypes=NUM),
    _red("sum_tuple_keepdim", lambda m, x: x.sum(dim=(0, 2), keepdim=True), [((2, 3, 4),)]),
    _red("sum_list_dims", lambda m, x: m.sum(x, [1]), [((2, 3),), ((2, 3, 4),)]),
    _red("sum_dtype", lambda m, x: x.sum(dtype=m.float64), S, dtypes=NUM),
    _red("sum_0d_dim", lambda m, x: x.sum(0), [((),)], dtypes=NUM),
    _red("sum_empty_tuple", lambda m, x: x.sum(()), [((2, 3),)], grad_fn=False),
    _red("nansum", lambda m, x: m.nansum(x * 1), S, grad_fn=False),
    _red("mean", lambda m, x: m.mean(x), S_EMPTY),
    _red("mean_dim", lambda m, x: x.mean(1), [((2, 3),), ((2, 3, 4),)]),
    _red("mean_dim_neg_keep", lambda m, x: x.mean(-1, keepdim=True), S_DIM),
    _red("mean_tuple", lambda m, x: x.mean((0, 1)), [((2, 3),), ((2, 3, 4),)]),
    _red("mean_dtype", lambda m, x: x.mean(dtype=m.float64), S, dtypes=FLOATS),
    _red("mean_empty_dim", lambda m, x: x.mean(1), [((2, 0),)]),
    _red("prod", lambda m, x: m.prod(x), S, dtypes=NUM),
    _red("prod_dim", lambda m, x: x.prod(1), [((2, 3),), ((2, 3, 4),)], dtypes=NUM),
    _red("prod_dim_keep", lambda m, x: x.prod(-1, keepdim=True), S_DIM),
    _red("prod_with_zero", lambda m, x: (x * m.tensor([1.0, 0.0, 1.0], dtype=x.dtype)).prod(-1), [((2, 3),)],
         grad_fn=False),
    _red("prod_with_zeros_all", lambda m, x: (x * m.tensor([0.0, 0.0, 1.0], dtype=x.dtype)).prod(),
         [((2, 3),)], grad_fn=False),
    _red("amax", lambda m, x: m.amax(x), S, dtypes=NUM),
    _red("amax_dim", lambda m, x: x.amax(1), [((2, 3),), ((2, 3, 4),)], dtypes=NUM),
    _red("amax_tuple_keep", lambda m, x: x.amax((0, 2), keepdim=True), [((2, 3, 4),)]),
    _red("amin", lambda m, x: m.amin(x, -1), S_DIM, dtypes=NUM),
    _red("amax_ties", lambda m, x: (x * 0 + m.tensor([1.0, 3.0, 3.0], dtype=x.dtype)).amax(-1), [((2, 3),)],
         grad_fn=False),
    _red("max_all", lambda m, x: m.max(x), S, dtypes=NUM),
    _red("min_all", lambda m, x: x.min(), S, dtypes=NUM),
    _red("max_ties_all", lambda m, x: (x.floor() * 0 + 1).max(), [((2, 3),)], grad_fn=False),
    _red("max_dim", lambda m, x: m.max(x, 1), [((2, 3),), ((2, 3, 4),)], dtypes=NUM),
    _red("max_dim_keep", lambda m, x: x.max(dim=-1, keepdim=True), S_DIM, dtypes=NUM),
    _red("min_dim", lambda m, x: m.min(x, 0), S_DIM, dtypes=NUM),
    _red("max_dim_0d", lambda m, x: x.max(0), [((),)]),
    _red("max_dim_values", lambda m, x: x.max(1).values * 2, [((2, 3),)]),
    _red("argmax", lambda m, x: m.argmax(x), S, dtypes=NUM, grad=False),
    _red("argmax_dim", lambda m, x: x.argmax(1), [((2, 3),), ((2, 3, 4),)], dtypes=NUM, grad=False),
    _red("argmax_keep", lambda m, x: x.argmax(-1, keepdim=True), S_DIM, dtypes=NUM, grad=False),
    _red("argmin", lambda m, x: m.argmin(x), S, dtypes=NUM, grad=False),
    _red("argmin_dim", lambda m, x: x.argmin(0), S_DIM, dtypes=NUM, grad=False),
    _red("argmax_keep_all", lambda m, x: x.argmax(keepdim=True), [((2, 3),)], grad=False),
    _red("var", lambda m, x: m.var(x), [((4,),), ((2, 3),), ((2, 3, 4),)]),
    _red("var_dim", lambda m, x: x.var(1), [((2, 3),), ((2, 3, 4),)]),
    _red("var_unbiased_false", lambda m, x: x.var(0, unbiased=False), S_DIM),
    _red("var_correction", lambda m, x: m.var(x, dim=-1, correction=2, keepdim=True), [((2, 4),)]),
    _red("var_correction0", lambda m, x: x.var(correction=0), S),
    _red("var_positional_unbiased", lambda m, x: x.var(False), S_DIM),
    _red("var_tuple", lambda m, x: x.var((0, 2)), [((2, 3, 4),)]),
    _red("std", lambda m, x: m.std(x), [((4,),), ((2, 3),)]),
    _red("std_dim", lambda m, x: x.std(-1, keepdim=True), S_DIM),
    _red("std_unbiased_false", lambda m, x: x.std(unbiased=False), S_DIM),
    _red("std_correction", lambda m, x: m.std(x, -1, correction=0), S_DIM),
    _red("std_mean", lambda m, x: m.std_mean(x, 1), [((2, 3),)]),
    _red("var_mean", lambda m, x: m.var_mean(x, -1, keepdim=True), S_DIM),
    _red("var_mean_all", lambda m, x: m.var_mean(x), [((2, 3),)]),
    _red("var_mean_correction", lambda m, x: m.var_mean(x, 0, correction=0), S_DIM),
    _red("logsumexp", lambda m, x: m.logsumexp(x, 1), [((2, 3),), ((2, 3, 4),)]),
    _red("logsumexp_tuple", lambda m, x: x.logsumexp((0, 1), keepdim=True), [((2, 3),)]),
    _red("logsumexp_big", lambda m, x: (x * 500).logsumexp(-1), S_DIM),
    _red("logsumexp_int", lambda m, x: x.logsumexp(0), S_DIM, dtypes=INTS, grad=False),
    _red("norm", lambda m, x: m.norm(x), [((4,),), ((2, 3),)], grad_fn=False),
    _red("norm_p1", lambda m, x: x.norm(p=1, dim=-1), S_DIM, grad_fn=False),
    _red("norm_p3_keep", lambda m, x: x.norm(3, dim=0, keepdim=True), S_DIM, grad_fn=False),
    _red("norm_inf", lambda m, x: x.norm(float("inf"), dim=-1), S_DIM, grad_fn=False),
    _red("norm_fro_dims", lambda m, x: x.norm("fro", dim=(0, 1)), [((2, 3),), ((2, 3, 4),)], grad_fn=False),
    _red("cumsum", lambda m, x: m.cumsum(x, 0), S, dtypes=NUM),
    _red("cumsum_neg", lambda m, x: x.cumsum(-1), S_DIM, dtypes=NUM),
    _red("cumsum_dtype", lambda m, x: x.cumsum(0, dtype=m.float64), S_DIM, dtypes=NUM),
    _red("cumprod", lambda m, x: m.cumprod(x, 0), S, dtypes=NUM),
    _red("cumprod_neg", lambda m, x: x.cumprod(-1), S_DIM, gradgrad=False),
    _red("cumprod_with_zero", lambda m, x: (x * m.tensor([1.0, 0.0, 1.0, 1.0], dtype=x.dtype)).cumprod(-1),
         [((4,),), ((2, 4),)], gradgrad=False, grad_fn=False),
    _red("cummax", lambda m, x: m.cummax(x, 0), S, dtypes=NUM, gradgrad=False),
    _red("cummax_neg", lambda m, x: x.cummax(-1), S_DIM, dtypes=NUM, gradgrad=False),
    _red("cummin", lambda m, x: m.cummin(x, 1), [((2, 3),), ((2, 3, 4),)], dtypes=NUM, gradgrad=False),
    _red("cummax_ties", lambda m, x: (x.round() * 0 + m.tensor([1.0, 3.0, 3.0, 2.0], dtype=x.dtype)).cummax(-1),
         [((2, 4),)], gradgrad=False, grad_fn=False),
    _red("logcumsumexp", lambda m, x: m.logcumsumexp(x, 0), S_DIM, grad_fn=False),
    _red("all", lambda m, x: m.all(x), S_EMPTY, dtypes=ALL, grad=False, domain=(0.0, 2.0)),
    _red("all_dim", lambda m, x: x.all(1), [((2, 3),), ((2, 3, 4),)], dtypes=ALL, grad=False, domain=(0.0, 2.0)),
    _red("any", lambda m, x: m.any(x), S_EMPTY, dtypes=ALL, grad=False, domain=(-1.0, 0.0)),
    _red("any_dim_keep", lambda m, x: x.any(-1, keepdim=True), S_DIM, dtypes=ALL, grad=False, domain=(-1.0, 1.0)),
    _red("any_uint8", lambda m, x: (x > 0).to(m.uint8).any(), S, grad=False),
    _red("count_nonzero", lambda m, x: m.count_nonzero(x), S, dtypes=ALL, grad=False, domain=(-1.0, 1.0)),
    _red("count_nonzero_dim", lambda m, x: x.count_nonzero(0), S_DIM, dtypes=ALL, grad=False, domain=(-1.0, 1.0)),
    _red("count_nonzero_tuple", lambda m, x: x.count_nonzero((0, 1)), [((2, 3, 4),)], dtypes=INTS, grad=False,
         domain=(-1.0, 1.0)),
    _red("sum_to_size", lambda m, x: x.sum_to_size(1, 3), [((2, 3),), ((4, 2, 3),)]),
    _red("sum_to_size_tuple", lambda m, x: x.sum_to_size((2, 1)), [((2, 3),)]),
    _red("sum_then_mean_chain", lambda m, x: (x.sum(-1) * x.mean(-1)).prod(), [((2, 3),)], grad_fn=False),
]

NAN = Const(np.array([[1.0, np.nan, 3.0], [0.5, 2.0, -1.0]]))
NAN_OPS = [
    _red("nan_max", lambda m, x: m.max(x), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_max_dim", lambda m, x: x.max(1), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_argmax", lambda m, x: x.argmax(1), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_argmin", lambda m, x: x.argmin(), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_amin", lambda m, x: x.amin(0), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_cummax", lambda m, x: x.cummax(1), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_sum", lambda m, x: x.sum(1), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_nansum", lambda m, x: x.nansum(1), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_nanmean", lambda m, x: x.nanmean(), [(NAN,)], dtypes=(F64,), grad=False),
    _red("nan_nanmean_dim", lambda m, x: m.nanmean(x, 0), [(NAN,)], dtypes=(F64,), grad=False),
]

AMINMAX = [
    _red("aminmax", lambda m, x: m.aminmax(x), S, dtypes=ALL, gradgrad=True, grad_fn=True),
    _red("aminmax_dim", lambda m, x: m.aminmax(x, dim=-1), S_DIM + [((0, 3),)], dtypes=ALL, gradgrad=True),
    _red("aminmax_dim_keep", lambda m, x: x.aminmax(dim=0, keepdim=True), S_DIM, dtypes=ALL),
    _red("aminmax_0d_dim", lambda m, x: x.aminmax(dim=0), [((),)], dtypes=ALL),
    _red("aminmax_keep_all", lambda m, x: x.aminmax(keepdim=True), [((2, 3),)]),
    _red("aminmax_max_only", lambda m, x: m.aminmax(x, dim=1).max, [((2, 3),)]),
    _red("aminmax_ties", lambda m, x: m.aminmax(x.round(), dim=1), [((3, 5),)], domain=(-1.0, 1.0)),
    _red("aminmax_nan", lambda m, x: m.aminmax(x, dim=1), [(NAN,)], dtypes=(F64,), grad=False),
    _red("aminmax_nan_all", lambda m, x: m.aminmax(x), [(NAN,)], dtypes=(F64,), grad=False),
]

TABLE = REDUCTIONS + NAN_OPS + AMINMAX


@pytest.mark.parametrize("op,dtype", params(TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("op", gc_params(REDUCTIONS + AMINMAX))
def test_gradcheck(op):
    gradcheck_op(op)


def test_reduction_return_types():
    """max/min with dim return named (values, indices) tuples like torch.return_types."""
    for m in (torch, ember):
        r = m.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
        v, i = r
        assert r.values is v and r.indices is i
        assert i.tolist() == [1, 0]
    e = ember.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    t = torch.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
    assert repr(e) == repr(t)
    assert type(e).__name__ == type(t).__name__
    assert repr(ember.tensor([3.0, 1.0]).cummax(0)) == repr(torch.tensor([3.0, 1.0]).cummax(0))
    e, t = ember.aminmax(ember.tensor([[1, 5], [7, 2]]), dim=1), torch.aminmax(torch.tensor([[1, 5], [7, 2]]), dim=1)
    assert repr(e) == repr(t) and type(e).__name__ == type(t).__name__ and e._fields == ("min", "max")
    assert e.min is e[0] and e.max is e[1]


@pytest.mark.parametrize("fn, exc", [
    (lambda m: m.tensor([1, 2]).mean(), RuntimeError),
    (lambda m: m.zeros(0).max(), RuntimeError),
    (lambda m: m.zeros(2, 0).max(1), IndexError),
    (lambda m: m.zeros(0).amax(), RuntimeError),
    (lambda m: m.zeros(2, 3).sum(2), IndexError),
    (lambda m: m.zeros(2, 3).sum((0, 0)), RuntimeError),
    (lambda m: m.tensor([1, 2]).var(), RuntimeError),
    (lambda m: m.zeros(0).argmax(), IndexError),
    (lambda m: m.zeros(2, 0).argmax(1), IndexError),
    (lambda m: m.zeros(2, 0).min(-1), IndexError),
    (lambda m: m.zeros(0).aminmax(), RuntimeError),
    (lambda m: m.zeros(0, 3).aminmax(dim=0), IndexError),
    (lambda m: m.zeros(2, 3).aminmax(dim=(0, 1)), TypeError),
    (lambda m: m.zeros(2, 3).aminmax(dim=2), IndexError),
    (lambda m: m.zeros(2, dtype=m.complex64).aminmax(), NotImplementedError),
])
def test_reduction_errors(fn, exc):
    """Same exception type (and message) as torch."""
    with pytest.raises(exc) as t_err:
        fn(torch)
    with pytest.raises(exc) as e_err:
        fn(ember)
    assert str(e_err.value).split("\n")[0] == str(t_err.value).split("\n")[0]


def test_var_zero_dof_warns_and_gives_nan():
    for m in (torch, ember):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            r = m.tensor([1.0]).var()
        assert np.isnan(r.item())


def test_sum_int_overflow_promotes_to_int64():
    x = np.array([2**30, 2**30, 2**30], dtype=np.int32)
    assert ember.from_numpy(x).sum().item() == torch.from_numpy(x).sum().item() == 3 * 2**30
    assert ember.from_numpy(x).sum().dtype is ember.int64


def test_bool_sum_mean_dtype():
    for m in (torch, ember):
        b = m.tensor([True, False, True])
        assert b.sum().dtype == m.int64 and b.sum().item() == 2
        assert b.float().mean().item() == pytest.approx(2 / 3)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_prod_gradient_with_single_zero_matches_torch(dtype):
    xa = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]])
    res = {}
    for m in (torch, ember):
        x = m.tensor(xa, dtype=getattr(m, dtype), requires_grad=True)
        (x.prod(1).sum() + x.prod()).backward()
        res[m] = x.grad.numpy()
    np.testing.assert_allclose(res[ember], res[torch])


def test_cumsum_int_dtype():
    for dt in (I32, I64, BOOL):
        t = torch.tensor([1, 0, 1]).to(getattr(torch, dt)).cumsum(0)
        e = ember.tensor([1, 0, 1]).to(getattr(ember, dt)).cumsum(0)
        assert str(e.dtype) == str(t.dtype) and e.tolist() == t.tolist()


def test_std_of_constant_has_zero_gradient():
    res = {}
    for m in (torch, ember):
        x = m.tensor([[1.0, 1.0, 1.0], [2.0, 3.0, 4.0]], requires_grad=True)
        (x.std(1).sum() + m.std_mean(x, 1)[0].sum()).backward()
        res[m] = x.grad.tolist()
    np.testing.assert_allclose(res[ember], res[torch], rtol=1e-6)


def test_var_mean_single_node_and_partial_use():
    res = {}
    for m in (torch, ember):
        x = m.tensor([[1.0, 2.0, 4.0], [2.0, 3.0, 7.0]], requires_grad=True)
        v, mu = m.var_mean(x, 1)
        assert v.grad_fn is mu.grad_fn
        mu.sum().backward(retain_graph=True)
        g1 = x.grad.tolist()
        v.sum().backward()
        res[m] = (g1, x.grad.tolist())
    np.testing.assert_allclose(res[ember], res[torch], rtol=1e-6)


@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
def test_cumulative_in_place_like_torch(name):
    x = np.arange(1, 7).reshape(2, 3)
    for dtype in ("int64", "float32"):
        for dim in (0, 1, -1):
            res = []
            for m in (torch, ember):
                t = m.tensor(x, dtype=getattr(m, dtype))
                r = getattr(t, name)(dim)
                assert r is t and t._version == 1
                res.append(t.numpy())
            np.testing.assert_array_equal(res[1], res[0])
    grads = []
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 2
        getattr(b, name)(0)
        assert type(b.grad_fn).__name__ == ("CumsumBackward0" if name == "cumsum_" else "CumprodBackward0")
        b.sum().backward()
        grads.append(a.grad.numpy())
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            getattr(m.ones(2, requires_grad=True), name)(0)
        with pytest.raises(RuntimeError, match="Bad in-place call: input tensor dtype long int and output tensor dtype "
                                               "float should match"):
            getattr(m.ones(2, dtype=m.int64), name)(0, dtype=m.float32)
    np.testing.assert_allclose(grads[1], grads[0])


@pytest.mark.parametrize("p", [2, 0, 1, 3, 1.5, float("inf"), float("-inf")])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dist_matches_torch(p, dtype):
    """torch.dist: the p-norm of the broadcast difference, with its gradient (it was missing)."""
    a = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], dtype=dtype)
    b = np.array([0.5, -2.0, 2.0], dtype=dtype)
    ea, ta = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    eb, tb = ember.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    er, tr = ember.dist(ea, eb, p), torch.dist(ta, tb, p)
    assert str(er.dtype) == str(tr.dtype) and er.shape == tr.shape
    np.testing.assert_allclose(er.detach().numpy(), tr.detach().numpy(), rtol=1e-6)
    if p != 0:
        er.backward()
        tr.backward()
        np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert ember.tensor(a).dist(ember.tensor(b), p).item() == pytest.approx(tr.item(), rel=1e-6)


def test_dist_errors_match_torch():
    for fn in (lambda m: m.dist(m.tensor([1, 2]), m.tensor([0, 0])), lambda m: m.dist(m.ones(2, 3), m.ones(4))):
        same_error(fn)


# ----------------------------------------------------------------------------- renorm
@pytest.mark.parametrize("p,dim,maxnorm", [(2, 0, 3.0), (1, 1, 2.0), (float("inf"), -1, 2.0), (3.5, 0, 100.0),
                                           (2, 1, 0.0)])
def test_renorm_values_and_gradients(p, dim, maxnorm):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 4, 2)) * 3
    out = {}
    for m in (torch, ember):
        x = m.tensor(a, requires_grad=True)
        r = m.renorm(x, p, dim, maxnorm)
        (r * m.tensor(np.arange(24.0).reshape(3, 4, 2))).sum().backward()
        out[m] = (r.detach().numpy(), x.grad.numpy(), x.detach().renorm(p, dim, maxnorm).numpy())
    for t, e in zip(out[torch], out[ember]):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_renorm_inplace_and_float32():
    for m in (torch, ember):
        x = m.tensor([[3.0, 4.0], [0.3, 0.4]])
        assert x.renorm_(2, 0, 1.0) is x
    np.testing.assert_allclose(ember.tensor([[3.0, 4.0]]).renorm(2, 0, 1.0).numpy(),
                               torch.tensor([[3.0, 4.0]]).renorm(2, 0, 1.0).numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn", [
    lambda m: m.renorm(m.ones(2, 2), -1, 0, 1.0),
    lambda m: m.renorm(m.ones(2, 2), 0, 0, 1.0),
    lambda m: m.renorm(m.ones(2, 2), 2, 0, -1.0),
    lambda m: m.renorm(m.ones(2, 2, dtype=m.int64), 2, 0, 1.0),
    lambda m: m.renorm(m.ones(3), 2, 0, 1.0),
    lambda m: m.renorm(m.ones(2, 2), 2, 2, 1.0),
])
def test_renorm_errors(fn):
    from _reference import same_error  # noqa: PLC0415

    same_error(fn, exc=Exception)
