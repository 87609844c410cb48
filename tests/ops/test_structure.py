"""Matrix-structure ops (ember/ops/structure.py) against torch: values, shapes, dtypes, views, gradients."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from _reference import (
    ALL,
    F32,
    F64,
    FLOATS,
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


def _op(name, fn, samples, dtypes=FLOATS, **kw):
    return OpInfo(name, fn, samples, dtypes=dtypes, **kw)


TABLE = [
    _op("diag_1d", lambda m, x: m.diag(x), [((4,),), ((0,),)], dtypes=ALL, gradgrad=True),
    _op("diag_1d_offset", lambda m, x: m.diag(x, 2), [((3,),)], gradgrad=True),
    _op("diag_1d_neg", lambda m, x: x.diag(-1), [((3,),)], dtypes=NUM),
    _op("diag_2d", lambda m, x: m.diag(x), [((3, 4),), ((4, 3),), ((0, 2),)], dtypes=ALL, gradgrad=True),
    _op("diag_2d_offset", lambda m, x: m.diag(x, 1), [((3, 4),), ((2, 2),)]),
    _op("diag_2d_far", lambda m, x: m.diag(x, -5), [((3, 4),)]),
    _op("diagonal", lambda m, x: m.diagonal(x), [((3, 4),), ((2, 3, 4),)], dtypes=ALL, gradgrad=True),
    _op("diagonal_dims", lambda m, x: x.diagonal(1, 0, 2), [((2, 3, 4),)], gradgrad=True),
    _op("diagonal_neg_dims", lambda m, x: x.diagonal(offset=-1, dim1=-1, dim2=0), [((3, 2, 4),)]),
    _op("diagonal_kw", lambda m, x: m.diagonal(x, offset=2, dim1=-2, dim2=-1), [((2, 3, 4),)]),
    _op("diagonal_then_op", lambda m, x: (x.diagonal() * 2).sum(), [((3, 3),)]),
    _op("diag_embed", lambda m, x: m.diag_embed(x), [((3,),), ((2, 3),)], dtypes=NUM, gradgrad=True),
    _op("diag_embed_args", lambda m, x: m.diag_embed(x, 1, 0, 2), [((2, 3),)]),
    _op("diag_embed_neg", lambda m, x: x.diag_embed(-2, dim1=-1, dim2=1), [((2, 3),)]),
    _op("diagflat", lambda m, x: m.diagflat(x), [((2, 2),), ((),)], dtypes=NUM),
    _op("diagflat_offset", lambda m, x: x.diagflat(-1), [((3,),)]),
    _op("tril", lambda m, x: m.tril(x), [((3, 4),), ((2, 3, 3),), ((0, 2),)], dtypes=ALL, gradgrad=True),
    _op("tril_k", lambda m, x: x.tril(1), [((3, 4),)], gradgrad=True),
    _op("tril_neg", lambda m, x: m.tril(x, diagonal=-1), [((4, 3),)]),
    _op("triu", lambda m, x: m.triu(x), [((3, 4),), ((2, 3, 3),)], dtypes=ALL, gradgrad=True),
    _op("triu_k", lambda m, x: x.triu(-1), [((3, 4),)]),
    _op("triu_far", lambda m, x: x.triu(5), [((3, 4),)]),
    _op("repeat", lambda m, x: x.repeat(2, 3), [((2, 3),), ((3,),), ((),)], dtypes=ALL, gradgrad=True),
    _op("repeat_lead", lambda m, x: x.repeat(2, 1, 2), [((2, 3),)], gradgrad=True),
    _op("repeat_tuple", lambda m, x: x.repeat((1, 2)), [((3, 1),)]),
    _op("repeat_zero", lambda m, x: x.repeat(2, 0, 1), [((2, 3),)]),
    _op("tile", lambda m, x: m.tile(x, (2,)), [((2, 3),), ((3,),)], dtypes=NUM),
    _op("tile_more", lambda m, x: x.tile(2, 1, 2), [((2, 3),)]),
    _op("tile_0d", lambda m, x: m.tile(x, ()), [((),)]),
    _op("repeat_interleave_int", lambda m, x: x.repeat_interleave(2), [((2, 3),), ((),)], dtypes=NUM,
        gradgrad=True),
    _op("repeat_interleave_dim", lambda m, x: m.repeat_interleave(x, 3, dim=1), [((2, 3),)], gradgrad=True),
    _op("repeat_interleave_tensor", lambda m, x, r: x.repeat_interleave(r, 0), [((3, 2), Const([1, 0, 2]))],
        dtypes=NUM),
    _op("repeat_interleave_tensor_flat", lambda m, x, r: m.repeat_interleave(x, r), [((2, 2), Const([1, 2, 0, 1]))]),
    _op("repeat_interleave_one", lambda m, x, r: x.repeat_interleave(r, dim=1, output_size=6),
        [((2, 3), Const([2]))]),
    _op("meshgrid_ij", lambda m, x, y: m.meshgrid(x, y, indexing="ij"), [((3,), (4,)), ((), (2,))],
        dtypes=NUM),
    _op("meshgrid_xy", lambda m, x, y, z: m.meshgrid([x, y, z], indexing="xy"), [((3,), (4,), (2,))]),
    _op("cartesian_prod", lambda m, x, y: m.cartesian_prod(x, y), [((3,), (2,))], dtypes=NUM, grad_fn=False),
    _op("cartesian_prod_one", lambda m, x: m.cartesian_prod(x), [((3,),)]),
    _op("cross_dim", lambda m, x, y: m.cross(x, y, dim=1), [((2, 3), (2, 3)), ((4, 3, 2), (4, 3, 2))],
        dtypes=NUM, gradgrad=True),
    _op("linalg_cross", lambda m, x, y: m.linalg.cross(x, y), [((2, 3), (2, 3)), ((1, 3), (4, 3)), ((3,), (3,))],
        dtypes=NUM, gradgrad=True),
    _op("linalg_cross_dim0", lambda m, x, y: m.linalg.cross(x, y, dim=0), [((3, 1), (3, 4))]),
    _op("block_diag", lambda m, x, y, z: m.block_diag(x, y, z), [((2, 3), (3,), ())], dtypes=NUM),
    _op("block_diag_empty", lambda m, x, y: m.block_diag(x, y), [((0, 2), (1, 1)), ((2, 2), (0, 0))]),
    _op("cdist", lambda m, x, y: m.cdist(x, y), [((3, 4), (5, 4)), ((2, 3, 2), (1, 4, 2))]),
    _op("cdist_p1", lambda m, x, y: m.cdist(x, y, p=1), [((3, 4), (5, 4))]),
    _op("cdist_p0", lambda m, x, y: m.cdist(x, y, p=0), [((3, 4), (5, 4))], gradcheck=False),
    _op("cdist_p_half", lambda m, x, y: m.cdist(x, y, p=0.5), [((3, 4), (5, 4))]),
    _op("cdist_p1_5", lambda m, x, y: m.cdist(x, y, p=1.5), [((3, 4), (5, 4))]),
    _op("cdist_p3", lambda m, x, y: m.cdist(x, y, p=3.0), [((3, 4), (5, 4))]),
    _op("cdist_inf", lambda m, x, y: m.cdist(x, y, p=float("inf")), [((3, 4), (5, 4))]),
    _op("cdist_same_points", lambda m, x: m.cdist(x, x), [((3, 2),)]),
    _op("cdist_same_points_p3", lambda m, x: m.cdist(x, x, p=3.0), [((3, 2),)]),
    _op("cdist_mm", lambda m, x, y: m.cdist(x, y), [((30, 3), (4, 3))], grad_fn=False, atol=1e-4, grad_atol=1e-3),
    _op("cdist_force_mm", lambda m, x, y: m.cdist(x, y, compute_mode="use_mm_for_euclid_dist"),
        [((3, 3), (4, 3))], grad_fn=False, atol=1e-4, grad_atol=1e-3),
    _op("cdist_no_mm", lambda m, x, y: m.cdist(x, y, compute_mode="donot_use_mm_for_euclid_dist"),
        [((30, 3), (4, 3))]),
    _op("rot90", lambda m, x: m.rot90(x), [((2, 3),), ((2, 3, 4),)], dtypes=NUM, gradgrad=True),
    _op("rot90_k", lambda m, x: x.rot90(-1, [1, 2]), [((2, 3, 4),)]),
    _op("rot90_k2", lambda m, x: m.rot90(x, 2, (1, 0)), [((2, 3),)]),
    _op("rot90_k3", lambda m, x: m.rot90(x, 7, [-1, 0]), [((2, 3),)]),
    _op("rot90_k0", lambda m, x: m.rot90(x, 4), [((2, 3),)]),
    # torch.vander's own backward fails (an in-place op inside it), so only values are compared here
    _op("vander", lambda m, x: m.vander(x), [((4,),)], dtypes=NUM, grad=False),
    _op("vander_N_inc", lambda m, x: m.vander(x, N=3, increasing=True), [((4,),)], grad=False),
    _op("vander_N0", lambda m, x: m.vander(x, N=0), [((3,),)], dtypes=NUM, grad_fn=False),
    _op("linalg_vander", lambda m, x: m.linalg.vander(x), [((4,),), ((2, 3),)], dtypes=NUM, grad_fn=False),
    _op("linalg_vander_N", lambda m, x: m.linalg.vander(x, N=5), [((3,),)], grad_fn=False),
    _op("trapezoid", lambda m, y: m.trapezoid(y), [((5,),), ((3, 4),)], grad_fn=False),
    _op("trapezoid_dx", lambda m, y: m.trapezoid(y, dx=0.5, dim=0), [((3, 4),)], grad_fn=False),
    _op("trapezoid_x", lambda m, y, x: m.trapezoid(y, x), [((3, 4), (4,)), ((3, 4), (3, 4))], grad_fn=False),
    _op("trapz", lambda m, y: m.trapz(y, dim=0), [((3, 4),)], grad_fn=False),
    _op("cumulative_trapezoid", lambda m, y: m.cumulative_trapezoid(y), [((3, 4),)], grad_fn=False),
    _op("cumulative_trapezoid_x", lambda m, y, x: m.cumulative_trapezoid(y, x, dim=0), [((4, 2), (4,))],
        grad_fn=False),
    _op("diff", lambda m, x: m.diff(x), [((5,),), ((3, 4),), ((0,),), ((1,),)], dtypes=ALL, gradgrad=True),
    _op("diff_n_dim", lambda m, x: x.diff(n=2, dim=0), [((4, 3),), ((2, 3, 2),)], dtypes=NUM, gradgrad=True),
    _op("diff_n_large", lambda m, x: m.diff(x, n=7), [((3,),)], dtypes=ALL),
    _op("diff_n0", lambda m, x: m.diff(x, n=0), [((3,),)], grad_fn=False),
    _op("diff_prepend_append", lambda m, x, p, a: m.diff(x, 2, -1, p, a), [((2, 3), (2, 1), (2, 2)), ((4,), (2,), (0,))],
        dtypes=NUM, gradgrad=True),
    _op("diff_bool_int_prepend", lambda m, x: m.diff(x > 0, prepend=m.tensor([1])), [((4,),)], grad=False),
    _op("diff_mixed_dtype_append", lambda m, x: m.diff(x, append=m.tensor([1], dtype=m.int32)), [((4,),)],
        dtypes=ALL),
    _op("combinations", lambda m, x: m.combinations(x), [((4,),), ((1,),), ((0,),)], dtypes=ALL, gradgrad=True),
    _op("combinations_r3_repl", lambda m, x: m.combinations(x, r=3, with_replacement=True), [((3,),)],
        dtypes=ALL, gradgrad=True),
    _op("combinations_r1", lambda m, x: m.combinations(x, 1), [((3,),)]),
    _op("combinations_r0", lambda m, x: m.combinations(x, 0), [((3,),)], dtypes=ALL),
    _op("combinations_too_long", lambda m, x: m.combinations(x, r=4), [((2,),)], dtypes=ALL),
]


@pytest.mark.parametrize("op,dtype", params(TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("op", gc_params(TABLE))
def test_gradcheck(op):
    gradcheck_op(op)


def test_diagonal_is_a_writable_view():
    e = ember.zeros(3, 4)
    t = torch.zeros(3, 4)
    e.diagonal(1).fill_(5.0)
    t.diagonal(1).fill_(5.0)
    assert_close(t, e)
    e.diagonal()[0] = 7.0
    t.diagonal()[0] = 7.0
    assert_close(t, e)
    d = e.diagonal()
    assert d.stride() == t.diagonal().stride() and d.storage_offset() == 0
    assert e.diagonal(-1).storage_offset() == t.diagonal(-1).storage_offset()


def test_diagonal_of_transposed_and_expanded():
    a = np.arange(12.0).reshape(3, 4)
    assert_close(torch.tensor(a).t().diagonal(1), ember.tensor(a).t().diagonal(1))
    assert_close(torch.ones(3).expand(2, 3).diagonal(), ember.ones(3).expand(2, 3).diagonal())


def test_second_order_of_cdist_and_vander():
    rng = np.random.default_rng(7)
    x = ember.tensor(rng.uniform(-1, 1, (3, 2)), requires_grad=True)
    y = ember.tensor(rng.uniform(-1, 1, (4, 2)), requires_grad=True)
    for p in (2.0, 3.0, 1.5):
        assert ember.autograd.gradgradcheck(lambda a, b, p=p: ember.cdist(a, b, p=p), (x, y))
    v = ember.tensor(rng.uniform(-1, 1, (4,)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: ember.vander(a, N=3), (v,))
    assert ember.autograd.gradgradcheck(lambda a: ember.vander(a, increasing=True), (v,))


def test_tril_triu_inplace():
    a = np.arange(12.0).reshape(3, 4)
    t, e = torch.tensor(a), ember.tensor(a)
    assert_close(t.tril_(1), e.tril_(1))
    assert_close(t.triu_(-1), e.triu_(-1))
    assert_close(t, e)


@pytest.mark.parametrize("fn", [lambda m: m.tril_indices(3, 4, 1), lambda m: m.triu_indices(4, 3, -1),
                                lambda m: m.tril_indices(0, 3), lambda m: m.triu_indices(3, 3),
                                lambda m: m.tril_indices(3, 3, dtype=m.int32), lambda m: m.triu_indices(2, 5, 3)])
def test_tri_indices(fn):
    assert_close(fn(torch), fn(ember))


def test_meshgrid_warns_without_indexing():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        e = ember.meshgrid(ember.arange(2), ember.arange(3))
    assert [str(x.message) for x in w if x.category is UserWarning] == [
        "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(torch.meshgrid(torch.arange(2), torch.arange(3)), e)


def test_cross_default_dim_warns_and_picks_first_size3_dim():
    a = np.random.default_rng(0).uniform(size=(3, 3, 2))
    b = np.random.default_rng(1).uniform(size=(3, 3, 2))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        e = ember.cross(ember.tensor(a), ember.tensor(b))
    assert any("Using torch.cross without specifying the dim arg is deprecated" in str(x.message) for x in w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(torch.cross(torch.tensor(a), torch.tensor(b)), e)
        assert_close(torch.tensor(a).cross(torch.tensor(b), dim=1), ember.tensor(a).cross(ember.tensor(b), dim=1))


def test_repeat_interleave_repeats_only_and_mixed_dtype_block_diag():
    assert_close(torch.repeat_interleave(torch.tensor([1, 2, 3])), ember.repeat_interleave(ember.tensor([1, 2, 3])))
    assert_close(torch.block_diag(torch.tensor(1), torch.tensor([2.0, 3.0]), torch.ones(2, 1, dtype=torch.int32)),
                 ember.block_diag(ember.tensor(1), ember.tensor([2.0, 3.0]), ember.ones(2, 1, dtype=ember.int32)))
    assert_close(torch.block_diag(), ember.block_diag())
    x = ember.tensor([[1.0, 2.0]], dtype=ember.float32, requires_grad=True)
    y = ember.tensor([3.0], dtype=ember.float64, requires_grad=True)
    tx = torch.tensor([[1.0, 2.0]], requires_grad=True)
    ty = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)
    (ember.block_diag(x, y) * ember.arange(6.0).reshape(2, 3)).sum().backward()
    (torch.block_diag(tx, ty) * torch.arange(6.0).reshape(2, 3)).sum().backward()
    assert_close(tx.grad, x.grad)
    assert_close(ty.grad, y.grad)


def test_corrcoef_cov_grad_fn_free_shapes():
    a = np.random.default_rng(2).uniform(size=(2, 5))
    assert_close(torch.corrcoef(torch.tensor(a)), ember.corrcoef(ember.tensor(a)))
    assert_close(torch.cov(torch.tensor([1, 2, 4])), ember.cov(ember.tensor([1, 2, 4])))


def _err(mod, f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f(mod)
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


ERRORS = [
    lambda m: m.diag(m.zeros(2, 2, 2)),
    lambda m: m.diag(m.tensor(3.0)),
    lambda m: m.zeros(3, 4).diagonal(0, 0, 0),
    lambda m: m.zeros(3, 4).diagonal(0, 0, 2),
    lambda m: m.diag_embed(m.zeros(2), 0, 0, 0),
    lambda m: m.diag_embed(m.tensor(2.0)),
    lambda m: m.tril(m.zeros(3)),
    lambda m: m.triu(m.zeros(3)),
    lambda m: m.tril_indices(-1, 3),
    lambda m: m.triu_indices(3, -2),
    lambda m: m.zeros(3, 4).repeat(2),
    lambda m: m.zeros(3, 4).repeat(-1, 2),
    lambda m: m.zeros(3, 4).repeat(),
    lambda m: m.zeros(3, 4).repeat_interleave(m.tensor([1, 2]), 0),
    lambda m: m.zeros(3, 4).repeat_interleave(m.tensor([1, -2, 1]), 0),
    lambda m: m.zeros(3, 4).repeat_interleave(2, 0, output_size=5),
    lambda m: m.zeros(3, 4).repeat_interleave(-1),
    lambda m: m.zeros(3, 4).repeat_interleave(m.tensor([1.0, 2, 3]), 0),
    lambda m: m.repeat_interleave(m.tensor([[1, 2]])),
    lambda m: m.meshgrid(m.zeros(2), indexing="foo"),
    lambda m: m.meshgrid(indexing="ij"),
    lambda m: m.cross(m.zeros(2, 4), m.zeros(2, 4)),
    lambda m: m.linalg.cross(m.zeros(2, 4), m.zeros(2, 4)),
    lambda m: m.cross(m.zeros(3, 4), m.zeros(3, 4), dim=1),
    lambda m: m.linalg.cross(m.zeros(2, 3), m.zeros(4, 3)),
    lambda m: m.cross(m.zeros(2, 3), m.zeros(3)),
    lambda m: m.linalg.cross(m.zeros(3, dtype=m.int64), m.zeros(3)),
    lambda m: m.block_diag(m.zeros(2, 2, 2)),
    lambda m: m.cdist(m.zeros(2, 3), m.zeros(2, 4)),
    lambda m: m.cdist(m.zeros(3), m.zeros(3)),
    lambda m: m.cdist(m.zeros(2, 3), m.zeros(2, 3), p=-1),
    lambda m: m.cdist(m.zeros(2, 3, dtype=m.long), m.zeros(2, 3, dtype=m.long)),
    lambda m: m.cdist(m.zeros(2, 3), m.zeros(2, 3), compute_mode="x"),
    lambda m: m.zeros(2, 3).rot90(1, [0, 0]),
    lambda m: m.zeros(2, 3).rot90(1, [0]),
    lambda m: m.zeros(3).rot90(),
    lambda m: m.vander(m.zeros(2, 2)),
    lambda m: m.linalg.vander(m.tensor([2.0]), N=1),
    lambda m: m.diff(m.tensor(1.0)),
    lambda m: m.diff(m.ones(3), -1),
    lambda m: m.diff(m.ones(3), dim=1),
    lambda m: m.diff(m.ones(3), 1, 0, m.ones(2, 2)),
    lambda m: m.diff(m.ones(2, 3), 1, 0, None, m.ones(1, 2)),
    lambda m: m.diff(m.ones(3), prepend=0),
    lambda m: m.combinations(m.ones(2, 2)),
    lambda m: m.combinations(m.tensor(1.0)),
    lambda m: m.combinations(m.ones(3), r=-1),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    t, e = _err(torch, ERRORS[k]), _err(ember, ERRORS[k])
    assert t is not None and e is not None, (t, e)
    assert e[0] is t[0] or issubclass(e[0], t[0]), (e, t)
    assert e[1] == t[1]


def test_dtype_of_vander_and_meshgrid_outputs_views():
    for dt in (F32, F64):
        x = np.array([1.0, 2.0, 3.0]).astype(dt)
        assert_close(torch.vander(torch.tensor(x)), ember.vander(ember.tensor(x)))
    assert_close(torch.vander(torch.tensor([1, 2], dtype=torch.int32)), ember.vander(ember.tensor([1, 2],
                                                                                                  dtype=ember.int32)))
    g = ember.meshgrid(ember.arange(3.0), ember.arange(2.0), indexing="ij")
    assert g[0].stride() == torch.meshgrid(torch.arange(3.0), torch.arange(2.0), indexing="ij")[0].stride()



def test_fill_diagonal_like_torch():
    cases = [((3, 3), 1.5, False), ((2, 3), 1.0, False), ((7, 3), 5, True), ((7, 3), 5, False), ((3, 3, 3), -2, False),
             ((3, 2), 4, True)]
    for shape, value, wrap in cases:
        for dtype in ("float32", "int64"):
            res = []
            for m in (torch, ember):
                t = m.zeros(shape, dtype=getattr(m, dtype))
                assert t.fill_diagonal_(value, wrap=wrap) is t
                res.append(t.numpy())
            np.testing.assert_array_equal(res[1], res[0])
    grads = []
    for m in (torch, ember):
        a = m.ones(3, 3, requires_grad=True)
        b = a * 2
        b.fill_diagonal_(0)
        (b * m.arange(9.0).reshape(3, 3)).sum().backward()
        grads.append(a.grad.numpy())
        for bad, msg in ((m.zeros(3), "dimensions must larger than 1"),
                         (m.zeros(2, 3, 4), "all dimensions of input must be of equal length"),
                         (m.ones(2, 2, requires_grad=True), "a view of a leaf Variable that requires grad")):
            with pytest.raises(RuntimeError, match=msg):
                bad.fill_diagonal_(1)
    np.testing.assert_array_equal(grads[1], grads[0])
