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
