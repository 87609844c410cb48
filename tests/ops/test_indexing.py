"""Indexing (ember/ops/indexing.py) against torch: getitem/setitem, gather/scatter family, masks, nonzero."""
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
    INTS,
    Const,
    Idx,
    Mask,
    OpInfo,
    check_op,
    gc_params,
    gradcheck_op,
    params,
    same_error,
)

import ember


def _ix(name, fn, samples, dtypes=FLOATS, gradgrad=True, **kw):
    return OpInfo(name, fn, samples, dtypes=dtypes, gradgrad=gradgrad, **kw)


def _set(idx, value=None):
    """``y = x * 1; y[idx] = value (or v); return y``: setitem on a non-leaf, with autograd."""
    def fn(m, x, v=None):
        y = x * 1
        y[idx] = v if v is not None else value
        return y
    return fn


A = FLOATS + INTS + (BOOL,)
M23, M234 = ((2, 3),), ((2, 3, 4),)
GETITEM = [
    _ix("int", lambda m, x: x[1], [((3,),), M23, M234], dtypes=A),
    _ix("neg_int", lambda m, x: x[-1], [((3,),), M23]),
    _ix("int_int", lambda m, x: x[1, 2], [M23, M234]),
    _ix("slice", lambda m, x: x[1:], [((3,),), M23], dtypes=A),
    _ix("slice_step", lambda m, x: x[::2], [((5,),), ((5, 2),)]),
    _ix("slice_step_2d", lambda m, x: x[:, 1::2], [((2, 5),)]),
    _ix("slice_neg", lambda m, x: x[-2:], [((4,),)]),
    _ix("slice_out_of_range", lambda m, x: x[1:100], [((4,),)]),
    _ix("slice_empty", lambda m, x: x[3:1], [((4,),)], grad_fn=False),
    _ix("none", lambda m, x: x[None], [((),), ((3,),)]),
    _ix("none_mid", lambda m, x: x[:, None], [M23]),
    _ix("ellipsis", lambda m, x: x[..., 1], [M23, M234]),
    _ix("ellipsis_slice", lambda m, x: x[0, ..., 1:], [M234]),
    _ix("ellipsis_only", lambda m, x: x[...], [M23]),
    _ix("int_0d", lambda m, x: x[()], [((),)]),
    _ix("tensor_int_index", lambda m, x, i: x[i], [(M23[0], Const(np.int64(1)))], grad_fn=False),
    _ix("list", lambda m, x: x[[0, 2, 0]], [((3,),), ((3, 2),)], dtypes=A),
    _ix("nested_list", lambda m, x: x[[[0, 1], [1, 0]]], [((3, 2),)]),
    _ix("idx_tensor", lambda m, x, i: x[i], [((5,), Idx(shape=(4,), hi=5)), ((4, 3), Idx(shape=(2, 2), hi=4))],
        dtypes=A),
    _ix("idx_tensor_dup", lambda m, x, i: x[i], [((3,), Const([0, 0, 2, 0]))]),
    _ix("idx_neg_tensor", lambda m, x, i: x[i], [((3,), Const([-1, 0]))]),
    _ix("idx_two_tensors", lambda m, x, i, j: x[i, j], [((3, 4), Idx(shape=(5,), hi=3), Idx(shape=(5,), hi=4))]),
    _ix("idx_broadcast", lambda m, x, i, j: x[i, j], [((3, 4), Idx(shape=(2, 1), hi=3), Idx(shape=(3,), hi=4))]),
    _ix("idx_slice_tensor", lambda m, x, i: x[:, i], [((3, 4), Idx(shape=(2,), hi=4)), ((2, 4, 3), Idx(shape=(5,),
                                                                                                      hi=4))]),
    _ix("idx_tensor_slice", lambda m, x, i: x[i, 1:], [((3, 4), Idx(shape=(2,), hi=3))]),
    _ix("idx_separated", lambda m, x, i, j: x[i, :, j], [((3, 2, 4), Idx(shape=(2,), hi=3), Idx(shape=(2,), hi=4))]),
    _ix("idx_int_and_tensor", lambda m, x, i: x[1, i], [((3, 4), Idx(shape=(3,), hi=4))]),
    _ix("idx_none_tensor", lambda m, x, i: x[None, i], [((3, 4), Idx(shape=(2,), hi=3))]),
    _ix("idx_ellipsis_tensor", lambda m, x, i: x[..., i], [((2, 3, 4), Idx(shape=(2,), hi=4))]),
    _ix("mask", lambda m, x, k: x[k], [((5,), Mask((5,))), ((2, 3), Mask((2, 3))), ((2, 3), Mask((2,)))],
        dtypes=A),
    _ix("mask_expr", lambda m, x: x[x > 0], [((5,),), M23]),
    _ix("mask_uint8", lambda m, x: x[(x > 0).to(m.uint8)], [((5,),)], grad_fn=False),
    _ix("mask_slice", lambda m, x, k: x[:, k], [((2, 4), Mask((4,)))]),
    _ix("mask_all_false", lambda m, x: x[x > 10], [M23]),
    _ix("bool_scalar", lambda m, x: x[True], [M23], grad_fn=False),
    _ix("bool_scalar_false", lambda m, x: x[False], [M23], grad_fn=False),
    _ix("getitem_chain", lambda m, x, i: x[1:, ::2][i][..., None], [((4, 6), Idx(shape=(2,), hi=3))]),
]

SETITEM = [
    _ix("set_int", _set(1, 5.0), [((3,),), M23], dtypes=A, grad_fn=False),
    _ix("set_slice", _set(slice(0, 2), -1.0), [((3,),), M23], grad_fn=False),
    _ix("set_step", _set(slice(None, None, 2), 0.5), [((5,),)], grad_fn=False),
    _ix("set_tensor_value", _set((slice(None), 1)), [(M23[0], (2,)), (M23[0], ())], grad_fn=False),
    _ix("set_broadcast_value", _set(slice(1, 3)), [((3, 4), (4,)), ((3, 4), (1, 4))], grad_fn=False),
    _ix("set_mask", lambda m, x, v: _set(x > 0)(m, x, v), [((5,), ())], grad_fn=False),
    _ix("set_mask_scalar", lambda m, x: _set(x < 0, 0.0)(m, x), [((5,),), M23], grad_fn=False),
    _ix("set_index_list", _set([0, 2]), [((3, 2), (2, 2)), ((3, 2), (2,))], grad_fn=False),
    _ix("set_index_tensor", lambda m, x, v, i: _set(i)(m, x, v), [((4,), (3,), Const([3, 0, 1]))], grad_fn=False),
    _ix("set_ellipsis", _set((Ellipsis, 0)), [(M23[0], (2,))], grad_fn=False),
    _ix("set_none", _set((None, 1)), [(M23[0], (3,))], grad_fn=False),
    _ix("set_int_inplace_chain", lambda m, x: _set(0, 1.0)(m, _set(1, 2.0)(m, x)), [((3,),)], grad_fn=False),
]


def _idx(*shape, hi):
    return Idx(shape=shape, hi=hi)


FUNCS = [
    _ix("gather", lambda m, x, i: m.gather(x, 1, i), [((3, 4), _idx(3, 2, hi=4)), ((3, 4), _idx(2, 5, hi=4))],
        dtypes=A),
    _ix("gather_dim0", lambda m, x, i: x.gather(0, i), [((3, 4), _idx(2, 4, hi=3)), ((4,), _idx(6, hi=4))]),
    _ix("gather_neg", lambda m, x, i: x.gather(-1, i), [((2, 3, 4), _idx(2, 3, 2, hi=4))]),
    _ix("scatter", lambda m, x, i, s: m.scatter(x, 1, i, s), [((3, 4), Const([[0, 1], [2, 3], [3, 0]]), (3, 2))],
        dtypes=A),
    _ix("scatter_value", lambda m, x, i: x.scatter(0, i, 2.5), [((3, 4), Const([[0, 1, 2, 0]]))]),
    _ix("scatter_add", lambda m, x, i, s: m.scatter_add(x, 1, i, s), [((3, 4), _idx(3, 5, hi=4), (3, 5)),
                                                                     ((3, 4), _idx(2, 2, hi=4), (2, 2))],
        dtypes=FLOATS + INTS),
    _ix("scatter_add_dim0", lambda m, x, i, s: x.scatter_add(0, i, s), [((4,), _idx(6, hi=4), (6,))]),
    _ix("scatter_reduce_sum", lambda m, x, i, s: x.scatter_reduce(1, i, s, "sum"),
        [((3, 4), _idx(3, 5, hi=4), (3, 5))], dtypes=FLOATS + INTS, grad_fn=False),
    _ix("scatter_reduce_mean", lambda m, x, i, s: x.scatter_reduce(1, i, s, "mean"),
        [((3, 4), _idx(3, 5, hi=4), (3, 5))], grad_fn=False),
    _ix("scatter_reduce_mean_excl", lambda m, x, i, s: x.scatter_reduce(0, i, s, "mean", include_self=False),
        [((4,), _idx(6, hi=4), (6,))], grad_fn=False),
    _ix("scatter_reduce_amax", lambda m, x, i, s: x.scatter_reduce(1, i, s, "amax"),
        [((3, 4), _idx(3, 5, hi=4), (3, 5))], dtypes=FLOATS + INTS, grad_fn=False, gradgrad=False),
    _ix("scatter_reduce_amin_excl", lambda m, x, i, s: x.scatter_reduce(1, i, s, "amin", include_self=False),
        [((3, 4), _idx(3, 5, hi=4), (3, 5))], grad_fn=False, gradgrad=False),
    _ix("scatter_reduce_prod", lambda m, x, i, s: x.scatter_reduce(1, i, s, "prod"),
        [((3, 4), _idx(3, 5, hi=4), (3, 5))], grad_fn=False, gradgrad=False, domain=(0.5, 2.0)),
    _ix("index_select", lambda m, x, i: m.index_select(x, 0, i), [((4, 3), _idx(5, hi=4)), ((4,), _idx(2, hi=4))],
        dtypes=A),
    _ix("index_select_dim1", lambda m, x, i: x.index_select(1, i), [((2, 3, 4), _idx(4, hi=3))]),
    _ix("index_select_0d_index", lambda m, x, i: x.index_select(0, i), [((4, 3), Const(np.int64(2)))]),
    _ix("index_add", lambda m, x, i, s: m.index_add(x, 0, i, s), [((4, 3), Const([0, 2, 0]), (3, 3))],
        dtypes=FLOATS + INTS),
    _ix("index_add_alpha", lambda m, x, i, s: x.index_add(1, i, s, alpha=2), [((2, 4), Const([3, 1]), (2, 2))]),
    _ix("index_copy", lambda m, x, i, s: x.index_copy(0, i, s), [((4, 3), Const([3, 0]), (2, 3))], grad_fn=False),
    _ix("index_fill", lambda m, x, i: x.index_fill(1, i, -1.0), [((3, 4), Const([0, 2]))], grad_fn=False),
    _ix("index_put", lambda m, x, i, v: x.index_put((i,), v), [((5,), Const([4, 0]), (2,)), ((5,), Const([1]), ())],
        grad_fn=False),
    _ix("index_put_acc", lambda m, x, i, v: x.index_put((i,), v, accumulate=True),
        [((5,), Const([4, 0, 4]), (3,))], grad_fn=False),
    _ix("index_put_2d", lambda m, x, i, j, v: m.index_put(x, (i, j), v),
        [((3, 4), Const([0, 2]), Const([1, 3]), (2,))], grad_fn=False),
    _ix("index_put_mask", lambda m, x, k, v: x.index_put((k,), v), [((2, 3), Mask((2, 3)), ())], grad_fn=False),
    _ix("masked_fill", lambda m, x, k: m.masked_fill(x, k, 0.5), [((2, 3), Mask((2, 3))), ((2, 3), Mask((3,)))],
        dtypes=A),
    _ix("masked_fill_tensor", lambda m, x, k, v: x.masked_fill(k, v), [((2, 3), Mask((2, 3)), ())]),
    _ix("masked_fill_int_value", lambda m, x, k: x.masked_fill(k, 3), [((2, 3), Mask((2, 3)))], dtypes=ALL),
    _ix("masked_select", lambda m, x, k: m.masked_select(x, k), [((2, 3), Mask((2, 3))), ((2, 3), Mask((3,))),
                                                                 ((3,), Mask((2, 3)))], dtypes=A, grad_fn=False),
    _ix("masked_scatter", lambda m, x, k, s: x.masked_scatter(k, s), [((2, 3), Const([[True, False, True],
                                                                                      [False, True, False]]), (6,))],
        grad_fn=False),
    _ix("take", lambda m, x, i: m.take(x, i), [((3, 4), _idx(5, hi=12)), ((3, 4), _idx(2, 2, hi=12))], dtypes=A,
        grad_fn=False),
    _ix("take_neg", lambda m, x, i: x.take(i), [((3, 4), Const([-1, 0, -12]))], grad_fn=False),
    _ix("take_along_dim", lambda m, x, i: m.take_along_dim(x, i, 1), [((3, 4), _idx(3, 2, hi=4)),
                                                                      ((3, 4), _idx(1, 2, hi=4))], grad_fn=False),
    _ix("take_along_dim_none", lambda m, x, i: m.take_along_dim(x, i), [((3, 4), _idx(5, hi=12))], grad_fn=False,
        layouts=()),  # torch views the input there, so non-contiguous inputs fail in torch
    _ix("take_along_argmax", lambda m, x: x.take_along_dim(x.argmax(1, keepdim=True), 1), [((3, 4),)],
        grad_fn=False),
    _ix("nonzero", lambda m, x: m.nonzero(x), [((5,),), ((2, 3),), ((),), ((0, 3),)], dtypes=A, grad=False,
        domain=(-1.0, 1.0)),
    _ix("nonzero_tuple", lambda m, x: x.nonzero(as_tuple=True), [((5,),), ((2, 3),)], dtypes=A, grad=False,
        domain=(-1.0, 1.0)),
    _ix("nonzero_relu", lambda m, x: m.nonzero(x.relu()), [((2, 3),)], grad=False),
    _ix("argwhere", lambda m, x: m.argwhere(x > 0), [((5,),), ((2, 3),)], grad=False),
    _ix("where_one_arg", lambda m, x: m.where(x > 0), [((2, 3),)], grad=False),
]

INPLACE = [
    _ix("index_add_", lambda m, x, i, s: (x * 1).index_add_(0, i, s), [((4, 3), Const([0, 2, 0]), (3, 3))],
        grad_fn=False),
    _ix("scatter_", lambda m, x, i, s: (x * 1).scatter_(1, i, s), [((3, 4), Const([[0, 1], [2, 3], [3, 0]]),
                                                                   (3, 2))], grad_fn=False),
    _ix("scatter_add_", lambda m, x, i, s: (x * 1).scatter_add_(1, i, s), [((3, 4), _idx(3, 5, hi=4), (3, 5))],
        grad_fn=False),
    _ix("masked_fill_", lambda m, x, k: (x * 1).masked_fill_(k, 0.5), [((2, 3), Mask((2, 3)))], grad_fn=False),
    _ix("index_put_", lambda m, x, i, v: (x * 1).index_put_((i,), v), [((5,), Const([4, 0]), (2,))],
        grad_fn=False),
    _ix("index_fill_", lambda m, x, i: (x * 1).index_fill_(0, i, 2.0), [((3, 2), Const([2]))], grad_fn=False),
]

TABLE = GETITEM + SETITEM + FUNCS + INPLACE


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("op,dtype", params(TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("op", gc_params(TABLE))
def test_gradcheck(op):
    gradcheck_op(op)


def test_basic_indexing_is_a_view():
    for m in (torch, ember):
        x = m.zeros(3, 4)
        x[1][2] = 5.0
        x[:, 0][1] = 7.0
        x[..., -1][0] = 1.0
        assert x[1, 2].item() == 5.0 and x[1, 0].item() == 7.0 and x[0, 3].item() == 1.0
        x[x > 4] = -1.0
        assert x.tolist() == [[0.0, 0.0, 0.0, 1.0], [-1.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
        y = x[[0, 1]]
        y[0, 0] = 99.0
        assert x[0, 0].item() == 0.0  # advanced indexing copies


def test_setitem_values_and_versions():
    for m in (torch, ember):
        x = m.zeros(2, 3, dtype=m.int64)
        v0 = x._version
        x[0] = m.tensor([1, 2, 3])
        x[1, 1:] = 9
        x[:, 0] += 1
        assert x.tolist() == [[2, 2, 3], [1, 9, 9]]
        assert x._version > v0
        f = m.zeros(3)
        f[1] = m.tensor(2.5, dtype=m.float64)
        f[m.tensor([True, False, True])] = m.tensor(3)
        assert f.tolist() == [3.0, 2.5, 3.0] and f.dtype == m.float32
        with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
            f[m.tensor([0, 2])] = m.tensor([1.0, 2.0], dtype=m.float64)


def test_setitem_on_leaf_requiring_grad_errors():
    for m in (torch, ember):
        x = m.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            x[0] = 1.0
        with m.no_grad():
            x[0] = 1.0
        assert x.tolist() == [1.0, 0.0, 0.0]


def test_setitem_gradient_flows_to_value_and_base():
    res = {}
    for m in (torch, ember):
        a = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = m.tensor(5.0, requires_grad=True)
        y = a * 2
        y[1] = v * 3
        y[y > 5] = 0.0
        (y * m.tensor([1.0, 2.0, 3.0])).sum().backward()
        res[m] = (a.grad.tolist(), v.grad.tolist(), y.tolist())
    assert res[ember] == res[torch]


@pytest.mark.parametrize("fn, exc", [
    (lambda m: m.zeros(3)[3], IndexError),
    (lambda m: m.zeros(3)[-4], IndexError),
    (lambda m: m.zeros(2, 3)[0, 3], IndexError),
    (lambda m: m.zeros(2, 3)[0, 0, 0], IndexError),
    (lambda m: m.zeros(3)[m.tensor([0, 3])], IndexError),
    (lambda m: m.zeros(3)[m.tensor([0.0])], IndexError),
    (lambda m: m.zeros(3)[1.5], IndexError),
    (lambda m: m.zeros(3)[::-1], ValueError),
    (lambda m: m.zeros(3)[m.tensor([True, False])], IndexError),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([[0, 5]])), RuntimeError),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([[0.0, 1.0]])), RuntimeError),
    (lambda m: m.zeros(3, 4).gather(1, m.tensor([0, 1])), RuntimeError),
    (lambda m: m.zeros(3).index_select(0, m.tensor([3])), IndexError),
    (lambda m: m.zeros(3).index_select(0, m.tensor([[0]])), IndexError),
    (lambda m: m.zeros(3).masked_fill(m.tensor([1, 0, 1]), 1.0), RuntimeError),
    (lambda m: m.zeros(3).masked_fill(m.tensor([True]), m.ones(2)), RuntimeError),
    (lambda m: m.zeros(3).take(m.tensor([3])), IndexError),
    (lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "median"), RuntimeError),
])
def test_index_errors(fn, exc):
    """torch's exception type for bad indices (messages are compared where torch's is stable)."""
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc):
        fn(ember)


INDEX_TENSOR_BOUNDS = {
    # negative entries are not wrapped by the ops taking index tensors (they were, silently, before)
    "gather neg": lambda m: m.zeros(2, 3).gather(1, m.tensor([[0], [-1]])),
    "gather oob first": lambda m: m.zeros(2, 3).gather(1, m.tensor([[0], [-4]])),
    "scatter oob": lambda m: m.zeros(3).scatter(0, m.tensor([5]), 1.0),
    "scatter neg": lambda m: m.zeros(3).scatter(0, m.tensor([-1]), 1.0),
    "scatter_ 2-D": lambda m: m.zeros(2, 3).scatter_(1, m.tensor([[0, 7]]), m.ones(1, 2)),
    "scatter_add": lambda m: m.zeros(3).scatter_add(0, m.tensor([3]), m.ones(1)),
    "scatter_reduce": lambda m: m.zeros(3).scatter_reduce(0, m.tensor([4]), m.ones(1), "sum"),
    "index_select dim 0 neg": lambda m: m.ones(2, 3).index_select(0, m.tensor([-1])),
    "index_select dim 1": lambda m: m.ones(2, 3).index_select(1, m.tensor([0, 5, 7])),
    "index_select dim 1 neg": lambda m: m.ones(2, 3, 4).index_select(1, m.tensor([-1])),
    "index_select last of 3": lambda m: m.ones(2, 3, 4).index_select(2, m.tensor([4])),
    "index_select 0-d": lambda m: m.tensor(1.0).index_select(0, m.tensor([1])),
    "index_add outer dims": lambda m: m.zeros(2, 3).index_add(0, m.tensor([-1]), m.ones(1, 3)),
    "index_add last dim": lambda m: m.zeros(2, 3, 4).index_add(2, m.tensor([4]), m.ones(2, 3, 1)),
    "index_add middle dim": lambda m: m.zeros(2, 3, 4).index_add(1, m.tensor([3]), m.ones(2, 1, 4)),
    "index_add 1-D": lambda m: m.zeros(3).index_add(0, m.tensor([3]), m.ones(1)),
    "index_add alpha": lambda m: m.zeros(2, 3).index_add(0, m.tensor([5]), m.ones(1, 3), alpha=2),
    "index_add_": lambda m: m.zeros(2, 3).index_add_(1, m.tensor([3]), m.ones(2, 1)),
    "index_copy neg": lambda m: m.zeros(3).index_copy(0, m.tensor([-1]), m.ones(1)),
    "index_copy_ 2-D": lambda m: m.zeros(2, 3).index_copy_(1, m.tensor([3]), m.ones(2, 1)),
}


@pytest.mark.parametrize("name", list(INDEX_TENSOR_BOUNDS))
def test_index_tensor_bounds_match_torch(name):
    """Type and message of PyTorch's error, which depends on the kernel it takes (index_select's dim-1 kernel,
    index_add's scatter_add path for the outer dims)."""
    same_error(INDEX_TENSOR_BOUNDS[name], Exception)


def test_index_ops_in_range_unchanged():
    for fn in (lambda m: m.arange(6.0).reshape(2, 3).gather(1, m.tensor([[2], [0]])),
               lambda m: m.zeros(3).scatter(0, m.tensor([2, 0]), 1.0),
               lambda m: m.arange(6.0).reshape(2, 3).index_select(1, m.tensor([2, 0])),
               lambda m: m.zeros(2, 3).index_add(1, m.tensor([2, 2]), m.ones(2, 2)),
               lambda m: m.zeros(3).index_copy(0, m.tensor([2]), m.ones(1)),
               lambda m: m.zeros(3).index_fill(0, m.tensor([-1]), 1.0)):  # index_fill does wrap, as PyTorch
        assert fn(ember).tolist() == fn(torch).tolist()


def test_out_of_range_messages():
    for fn in (lambda m: m.zeros(3)[3], lambda m: m.zeros(2, 3)[0, 3], lambda m: m.zeros(3)[m.tensor([0, 3])]):
        with pytest.raises(IndexError) as t_err:
            fn(torch)
        with pytest.raises(IndexError) as e_err:
            fn(ember)
        assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_gather_scatter_roundtrip_gradients(dtype):
    rng = np.random.default_rng(3)
    xa = rng.normal(size=(4, 5))
    ia = rng.integers(0, 5, size=(4, 7))
    res = {}
    for m in (torch, ember):
        x = m.tensor(xa, dtype=getattr(m, dtype), requires_grad=True)
        i = m.tensor(ia)
        g = x.gather(1, i)
        z = m.zeros(4, 5, dtype=x.dtype).scatter_add(1, i, g * g)
        (z.sum() + g.sum()).backward()
        res[m] = (z.detach().numpy(), x.grad.numpy())
    tol = 1e-5 if dtype == F32 else 1e-12
    for a, b in zip(res[ember], res[torch]):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_index_dtype_bool_masks_vs_uint8():
    x = np.arange(6.0).reshape(2, 3)
    for mask in ([[True, False, True], [False, False, True]],):
        t = torch.from_numpy(x)[torch.tensor(mask)]
        e = ember.from_numpy(x)[ember.tensor(mask)]
        assert e.tolist() == t.tolist()


def test_dtype_of_all_indexing_results():
    for dt in ALL:
        t = torch.zeros(3, 2, dtype=getattr(torch, dt))
        e = ember.zeros(3, 2, dtype=getattr(ember, dt))
        for idx in (0, slice(1, None), [0, 2], (Ellipsis, 1)):
            assert str(e[idx].dtype) == str(t[idx].dtype)
        assert str(e.nonzero().dtype) == str(t.nonzero().dtype)


def test_int32_indices_accepted():
    for m in (torch, ember):
        x = m.arange(12.0).view(3, 4)
        i = m.tensor([[0, 3]], dtype=m.int32)
        assert x.gather(1, i).tolist() == [[0.0, 3.0]]
        assert x.index_select(1, i[0]).tolist() == [[0.0, 3.0], [4.0, 7.0], [8.0, 11.0]]
        assert x[:, i[0]].shape == (3, 2)


def test_nested_list_index_is_a_tuple():
    for m in (torch, ember):
        with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional indexing"):
            r = m.arange(6.0).view(3, 2)[[[0, 1], [1, 0]]]
        assert r.tolist() == [1.0, 2.0]


def test_integer_row_index_is_a_view_like_torch():
    # the fast path for one in-range Python int (no graph) against torch and against the general path
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    for shape in ((4, 6), (24,), (2, 3, 4)):
        for i in (0, 1, -1, -2):
            e = ember.tensor(base.reshape(shape))
            t = torch.tensor(base.reshape(shape))
            re, rt = e[i], t[i]
            assert tuple(re.shape) == tuple(rt.shape) and re.tolist() == rt.tolist()
            assert re.is_contiguous() == rt.is_contiguous()
            re.add_(100)  # a view: the write reaches the base, and bumps the shared version counter
            rt.add_(100)
            assert e.tolist() == t.tolist()
            assert e._version == t._version == 1
    for m in (torch, ember):
        with pytest.raises(IndexError, match="out of bounds for dimension 0 with size 4"):
            m.zeros(4, 2)[4]
        with pytest.raises(IndexError):
            m.tensor(1.0)[0]
    # inside a graph the general path records the select
    x = ember.ones(3, 2, requires_grad=True)
    y = x[1]
    assert type(y.grad_fn).__name__ == "SelectBackward0"
    (y * 2).sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [2.0, 2.0], [0.0, 0.0]]
