"""unravel_index (ember/ops/indexing.py) against torch: coordinates, dtypes, shapes, errors."""
from __future__ import annotations

import pytest
import torch
from _reference import assert_close

import ember

CASES = [
    ([4, 1], (2, 3), "int64"), (4, (2, 3), "int64"), ([-1, 6, -7, 5], (2, 3), "int64"),
    ([[1234], [5678]], (10, 10, 10, 10), "int64"), ([[1, 2]], 6, "int32"), ([1], (), "int64"),
    ([0, 5, 3], (3, 2), "uint8"), ([0, 1, 2, 3], (1, 4, 1), "int16"), ([], (2, 3), "int64"),
    ([3, 7], torch.Size([2, 4]), "int8"), ([1234, 5678], [100, 100], "int64"),
]


@pytest.mark.parametrize("idx,shape,dt", CASES, ids=[str(c) for c in range(len(CASES))])
def test_unravel_index(idx, shape, dt):
    t = torch.unravel_index(torch.tensor(idx, dtype=getattr(torch, dt)), shape)
    eshape = ember.Size(shape) if isinstance(shape, torch.Size) else shape
    e = ember.unravel_index(ember.tensor(idx, dtype=getattr(ember, dt)), eshape)
    assert type(e) is tuple
    assert_close(t, e)


@pytest.mark.parametrize("fn", [
    lambda m: m.unravel_index(m.tensor([1.0]), (2, 3)),
    lambda m: m.unravel_index(m.tensor([True]), (2, 3)),
    lambda m: m.unravel_index(m.tensor([1]), (2, -3)),
    lambda m: m.unravel_index(m.tensor([1]), (2, 3.0)),
    lambda m: m.unravel_index(m.tensor([1]), "ab"),
    lambda m: m.unravel_index(m.tensor([1]), 2.0),
    lambda m: m.unravel_index(5, (2, 3)),
    lambda m: m.unravel_index(m.tensor([1]), (2, 0)),
])
def test_errors(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(t_err.type):
        fn(ember)
