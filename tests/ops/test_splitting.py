"""hsplit / vsplit / dsplit (ember/ops/splitting.py) against torch: pieces, views' gradients, errors."""
from __future__ import annotations

import pytest
import torch
from _reference import ALL, OpInfo, check_op, params

import ember


def _op(name, fn, samples):
    return OpInfo(name, fn, samples, dtypes=ALL, gradgrad=True, gradcheck=False)


TABLE = [
    _op("hsplit_int", lambda m, x: m.hsplit(x, 2), [((4,),), ((3, 4),), ((2, 4, 3),), ((0,),)]),
    _op("hsplit_list", lambda m, x: x.hsplit([1, 3]), [((5,),), ((3, 4),)]),
    _op("hsplit_tuple_past_end", lambda m, x: m.hsplit(x, (2, 9)), [((3, 4),)]),
    _op("vsplit_int", lambda m, x: m.vsplit(x, 3), [((3, 4),), ((6, 2, 2),)]),
    _op("vsplit_list", lambda m, x: x.vsplit([2]), [((3, 4),)]),
    _op("dsplit_int", lambda m, x: m.dsplit(x, 2), [((2, 3, 4),), ((1, 2, 2, 3),)]),
    _op("dsplit_list", lambda m, x: x.dsplit([1, 1, 3]), [((2, 3, 4),)]),
]


@pytest.mark.parametrize("op,dtype", params(TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("fn", [
    lambda m: m.hsplit(m.tensor(1.0), 2),
    lambda m: m.hsplit(m.ones(3, 4), 3),
    lambda m: m.hsplit(m.ones(3, 4), 0),
    lambda m: m.hsplit(m.ones(3, 4), 2.0),
    lambda m: m.vsplit(m.ones(3), 1),
    lambda m: m.vsplit(m.ones(3, 2), 2),
    lambda m: m.dsplit(m.ones(3, 4), 1),
    lambda m: m.ones(2, 2, 3).dsplit(2),
])
def test_errors(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(t_err.type) as e_err:
        fn(ember)
    if t_err.type is RuntimeError:
        assert str(e_err.value) == str(t_err.value)


VIEWS = [
    ("split", lambda m, x: x.split(2, 1)),
    ("split_sizes", lambda m, x: x.split([1, 3, 1], 1)),
    ("chunk", lambda m, x: x.chunk(2, 0)),
    ("unbind", lambda m, x: x.unbind(1)),
    ("unbind_last", lambda m, x: m.unbind(x, -1)),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("used", ["all", "first", "last_two"])
def test_views_share_one_node_like_torch(name, fn, used):
    # split / chunk / unbind make one multi-output node for all their views, as PyTorch does (its backward writes
    # every view's gradient into one buffer); views left out of the loss get zeros
    res = {}
    for m in (ember, torch):
        x = m.arange(60.0, dtype=m.float64).reshape(3, 5, 4).requires_grad_()
        views = fn(m, x)
        fns = {type(v.grad_fn).__name__ for v in views}
        same = all(v.grad_fn is views[0].grad_fn for v in views)
        nrs = [v.output_nr if m is torch else v._out_nr for v in views]
        picked = {"all": views, "first": views[:1], "last_two": views[-2:]}[used]
        loss = sum((v * (i + 2.0)).pow(2).sum() for i, v in enumerate(picked))
        (g,) = m.autograd.grad(loss, x, create_graph=True)
        g.sum().backward()
        res[m] = (fns, same, nrs, g.detach().numpy(), x.grad.numpy())
    e, t = res[ember], res[torch]
    assert e[:3] == t[:3]
    for a, b in zip(e[3:], t[3:]):
        assert (a == b).all()


def test_hook_on_one_view_of_a_split():
    res = {}
    for m in (ember, torch):
        x = m.ones(4, 3, requires_grad=True)
        a, b = x.split(2)
        a.register_hook(lambda g: g * 10)
        (a.sum() + 2 * b.sum()).backward()
        res[m] = x.grad.numpy()
    assert (res[ember] == res[torch]).all()


def test_unsafe_split_and_chunk_are_split_and_chunk():
    for m in (torch, ember):
        x = m.arange(7)
        assert [t.tolist() for t in m.unsafe_split(x, 3)] == [[0, 1, 2], [3, 4, 5], [6]]
        assert [t.tolist() for t in x.unsafe_split(2, 0)] == [[0, 1], [2, 3], [4, 5], [6]]
        with pytest.raises(TypeError, match="argument 'split_size' .* must be int, not list"):
            x.unsafe_split([2, 5])
        assert [t.tolist() for t in m.unsafe_chunk(x, 2)] == [[0, 1, 2, 3], [4, 5, 6]]
        assert [t.tolist() for t in x.unsafe_chunk(3)] == [[0, 1, 2], [3, 4, 5], [6]]
