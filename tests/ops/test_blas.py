"""Matrix products (ember/ops/blas.py) against torch: every matmul rank pair, mm/bmm/mv/dot, addmm, einsum."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from _reference import FLOATS, I64, INTS, OpInfo, check_op, gc_params, gradcheck_op, params

import ember


def _mm(name, fn, samples, dtypes=FLOATS, gradgrad=True, **kw):
    kw.setdefault("atol", 1e-4)
    kw.setdefault("rtol", 1e-4)
    return OpInfo(name, fn, samples, dtypes=dtypes, gradgrad=gradgrad, **kw)


MATMUL_PAIRS = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 4)), ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((2, 3), (3, 0)),
]
BLAS = [
    _mm("matmul", lambda m, a, b: m.matmul(a, b), MATMUL_PAIRS, dtypes=FLOATS + INTS, grad_fn=False),
    _mm("matmul_op", lambda m, a, b: a @ b, MATMUL_PAIRS[:9], grad_fn=False),
    _mm("matmul_2d", lambda m, a, b: a @ b, [((2, 3), (3, 4))]),
    _mm("matmul_dot", lambda m, a, b: a @ b, [((3,), (3,))]),
    _mm("matmul_mv", lambda m, a, b: a @ b, [((2, 3), (3,))]),
    _mm("matmul_batch", lambda m, a, b: a @ b, [((5, 2, 3), (5, 3, 4))], grad_fn=False),
    _mm("mm", lambda m, a, b: m.mm(a, b), [((2, 3), (3, 4)), ((1, 1), (1, 1))], dtypes=FLOATS + INTS),
    _mm("mm_method", lambda m, a, b: a.mm(b), [((2, 3), (3, 4))]),
    _mm("bmm", lambda m, a, b: m.bmm(a, b), [((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (1, 3, 1))], dtypes=FLOATS + INTS),
    _mm("mv", lambda m, a, b: m.mv(a, b), [((2, 3), (3,))], dtypes=FLOATS + INTS),
    _mm("dot", lambda m, a, b: m.dot(a, b), [((3,), (3,)), ((0,), (0,))], dtypes=FLOATS + INTS),
    _mm("vdot", lambda m, a, b: m.vdot(a, b), [((3,), (3,))], grad_fn=False),
    _mm("inner", lambda m, a, b: m.inner(a, b), [((3,), (3,)), ((2, 3), (4, 3)), ((), (2,))], grad_fn=False),
    _mm("outer", lambda m, a, b: m.outer(a, b), [((3,), (4,))], dtypes=FLOATS + INTS, grad_fn=False),
    _mm("ger", lambda m, a, b: m.ger(a, b), [((3,), (2,))], grad_fn=False),
    _mm("addmm", lambda m, c, a, b: m.addmm(c, a, b), [((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4)),
                                                       ((), (2, 3), (3, 4)), ((2, 1), (2, 3), (3, 4))]),
    _mm("addmm_alpha_beta", lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), [((2, 4), (2, 3), (3, 4)),
                                                                                      ((4,), (2, 3), (3, 4))]),
    _mm("addmm_beta0", lambda m, c, a, b: c.addmm(a, b, beta=0), [((2, 4), (2, 3), (3, 4))]),
    _mm("addmm_int", lambda m, c, a, b: m.addmm(c, a, b, alpha=2), [((2, 4), (2, 3), (3, 4))], dtypes=INTS),
    _mm("addmv", lambda m, c, a, b: m.addmv(c, a, b), [((2,), (2, 3), (3,))], grad_fn=False),
    _mm("addmv_alpha", lambda m, c, a, b: m.addmv(c, a, b, beta=2, alpha=0.5), [((2,), (2, 3), (3,))],
        grad_fn=False),
    _mm("addbmm", lambda m, c, a, b: m.addbmm(c, a, b), [((2, 4), (5, 2, 3), (5, 3, 4))], grad_fn=False),
    _mm("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b), [((5, 2, 4), (5, 2, 3), (5, 3, 4)),
                                                           ((2, 4), (5, 2, 3), (5, 3, 4))], grad_fn=False),
    _mm("baddbmm_alpha_beta", lambda m, c, a, b: m.baddbmm(c, a, b, beta=0.5, alpha=-1.5),
        [((5, 2, 4), (5, 2, 3), (5, 3, 4))], grad_fn=False),
    _mm("baddbmm_beta0", lambda m, c, a, b: c.baddbmm(a, b, beta=0), [((5, 2, 4), (5, 2, 3), (5, 3, 4))],
        grad_fn=False),
    _mm("addr", lambda m, c, a, b: m.addr(c, a, b, beta=2, alpha=3), [((3, 2), (3,), (2,))], grad_fn=False),
    _mm("tensordot_int", lambda m, a, b: m.tensordot(a, b, 2), [((2, 3, 4), (3, 4, 5))], grad_fn=False),
    _mm("tensordot_lists", lambda m, a, b: m.tensordot(a, b, dims=([1, 0], [0, 2])), [((2, 3, 4), (3, 4, 2))],
        grad_fn=False),
    _mm("tensordot_0", lambda m, a, b: m.tensordot(a, b, dims=0), [((2, 3), (4,))], grad_fn=False),
    _mm("kron", lambda m, a, b: m.kron(a, b), [((2, 3), (2, 2)), ((2,), (3,)), ((2, 2), (3,))],
        dtypes=FLOATS + INTS, grad_fn=False),
    _mm("trace", lambda m, a: m.trace(a), [((3, 3),), ((2, 4),)], dtypes=FLOATS + INTS, grad_fn=False),
]


def _es(eq, *shapes, gradgrad=True):
    return _mm(f"einsum[{eq}]", lambda m, *xs: m.einsum(eq, *xs), [tuple(shapes)], gradgrad=gradgrad,
               grad_fn=False)


EINSUM = [
    _es("ij,jk->ik", (2, 3), (3, 4)),
    _es("ij,jk", (2, 3), (3, 4)),
    _es("bij,bjk->bik", (5, 2, 3), (5, 3, 4)),
    _es("i,i->", (3,), (3,)),
    _es("i,j->ij", (3,), (4,)),
    _es("ij->ji", (2, 3)),
    _es("ii->i", (3, 3)),
    _es("ii", (3, 3)),
    _es("iij->j", (3, 3, 2)),
    _es("ij->", (2, 3)),
    _es("ij->j", (2, 3)),
    _es("...ij,...jk->...ik", (5, 2, 3), (5, 3, 4)),
    _es("...ij,jk", (2, 5, 2, 3), (3, 4)),
    _es("b...,b...->b", (2, 3, 4), (2, 3, 4)),
    _es("i...->...", (2, 3, 4)),
    _es("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
    _es("bhqd,bhkd->bhqk", (2, 3, 4, 5), (2, 3, 6, 5)),
    _es("ij,ij->ij", (2, 3), (2, 3)),
    _es("ij,kj->ikj", (2, 3), (4, 3)),
    _es("i,i,i->i", (3,), (3,), (3,)),
    _es("ab,b->", (2, 3), (3,)),
    _es(" i j , j k -> i k ", (2, 3), (3, 4)),
]

TABLE = BLAS + EINSUM


@pytest.mark.parametrize("op,dtype", params(TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("op", gc_params(TABLE))
def test_gradcheck(op):
    gradcheck_op(op)


def test_einsum_list_operands():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    t = torch.einsum("ij,jk->ik", [torch.from_numpy(a), torch.from_numpy(b)])
    e = ember.einsum("ij,jk->ik", [ember.from_numpy(a), ember.from_numpy(b)])
    np.testing.assert_allclose(e.numpy(), t.numpy())


@pytest.mark.parametrize("fn", [
    lambda m: m.matmul(m.zeros(2, 3), m.zeros(4, 5)),
    lambda m: m.matmul(m.zeros(3), m.zeros(4)),
    lambda m: m.matmul(m.zeros(()), m.zeros(3)),
    lambda m: m.mm(m.zeros(2, 3), m.zeros(3)),
    lambda m: m.mm(m.zeros(2, 3), m.zeros(2, 3)),
    lambda m: m.bmm(m.zeros(2, 3, 4), m.zeros(3, 4, 5)),
    lambda m: m.bmm(m.zeros(3, 4), m.zeros(3, 4, 5)),
    lambda m: m.dot(m.zeros(2, 3), m.zeros(3)),
    lambda m: m.mv(m.zeros(2, 3), m.zeros(2)),
    lambda m: m.matmul(m.zeros(2, 3), m.zeros(3, 4, dtype=m.float64)),
    lambda m: m.matmul(m.zeros(5, 2, 3), m.zeros(4, 3, 4)),
    lambda m: m.addmm(m.zeros(2, 4), m.zeros(2, 3), m.zeros(2, 4)),
    lambda m: m.einsum("ij,jk->ik", m.zeros(2, 3)),
    lambda m: m.einsum("ij->ijk", m.zeros(2, 3)),
    lambda m: m.einsum("ijk->i", m.zeros(2, 3)),
    lambda m: m.trace(m.zeros(3)),
])
def test_blas_errors(fn):
    """torch's exception type (RuntimeError) and message for mismatched operands."""
    with pytest.raises(RuntimeError) as t_err:
        fn(torch)
    with pytest.raises(RuntimeError) as e_err:
        fn(ember)
    assert str(e_err.value).split("\n")[0] == str(t_err.value).split("\n")[0]


def test_matmul_large_agrees():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(64, 128)).astype(np.float32), rng.normal(size=(128, 32)).astype(np.float32)
    np.testing.assert_allclose((ember.from_numpy(a) @ ember.from_numpy(b)).numpy(),
                               (torch.from_numpy(a) @ torch.from_numpy(b)).numpy(), rtol=1e-4, atol=1e-4)


def test_int_matmul_dtype():
    t = torch.ones(2, 3, dtype=torch.int64) @ torch.ones(3, 2, dtype=torch.int64)
    e = ember.ones(2, 3, dtype=ember.int64) @ ember.ones(3, 2, dtype=ember.int64)
    assert e.dtype is getattr(ember, I64) and e.tolist() == t.tolist()


def test_batch_broadcast_error_dims():
    for sa, sb in (((5, 2, 3), (4, 3, 4)), ((2, 5, 2, 3), (3, 1, 3, 4)), ((6, 2, 3), (2, 5, 3, 4))):
        with pytest.raises(RuntimeError) as t_err:
            torch.zeros(sa) @ torch.zeros(sb)
        with pytest.raises(RuntimeError) as e_err:
            ember.zeros(sa) @ ember.zeros(sb)
        assert str(e_err.value) == str(t_err.value)


def test_addmm_inplace_and_chain_matmul():
    rng = np.random.default_rng(5)
    a, b, c, d = (rng.standard_normal(s) for s in ((2, 2), (2, 3), (3, 2), (2, 4)))
    res = []
    for m in (torch, ember):
        x = m.tensor(a)
        assert x.addmm_(m.tensor(b), m.tensor(c), beta=0.5, alpha=2) is x
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated: PyTorch warns once per process
            y = m.chain_matmul(m.tensor(b), m.tensor(c), m.tensor(d))
            z = m.chain_matmul(m.tensor(b))
        res.append((x.numpy(), y.numpy(), z.numpy()))
    for t, e in zip(*res):
        np.testing.assert_allclose(e, t, rtol=1e-12)
    for fn in (lambda m: m.chain_matmul(), lambda m: m.chain_matmul(m.ones(2, 3), m.ones(3))):
        msgs = []
        for m in (torch, ember):
            with warnings.catch_warnings(), pytest.raises(RuntimeError) as err:
                warnings.simplefilter("ignore")
                fn(m)
            msgs.append(str(err.value))
        assert msgs[0] == msgs[1]


def test_chain_matmul_warns_once_per_process(monkeypatch):
    from ember.ops import linalg_ops  # noqa: PLC0415

    monkeypatch.setattr(linalg_ops, "_WARNED_CHAIN_MATMUL", [])
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
        ember.chain_matmul(ember.ones(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.chain_matmul(ember.ones(2, 2))
