"""Datasets and random_split compared with torch.utils.data."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.utils.data as td

import ember
import ember.utils.data as ed

from ._compare import plain


def _pair(arr):
    return torch.from_numpy(arr.copy()), ember.from_numpy(arr.copy())


def test_tensor_dataset_items_and_len():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    tx, ex = _pair(x)
    ty, ey = _pair(y)
    tds, eds = td.TensorDataset(tx, ty), ed.TensorDataset(ex, ey)
    assert len(tds) == len(eds) == 6
    for i in (0, 3, -1, slice(1, 4), [0, 5]):
        assert plain(tds[i]) == plain(eds[i])


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        td.TensorDataset(torch.zeros(3), torch.zeros(4))
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        ed.TensorDataset(ember.zeros(3), ember.zeros(4))


def test_concat_dataset_and_add():
    parts = [list(range(3)), list(range(10, 15)), [100]]
    tcd, ecd = td.ConcatDataset(parts), ed.ConcatDataset(parts)
    assert tcd.cumulative_sizes == ecd.cumulative_sizes
    assert [tcd[i] for i in range(-9, 9)] == [ecd[i] for i in range(-9, 9)]
    with pytest.raises(ValueError, match="absolute value of index"):
        ecd[-10]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ed.ConcatDataset([])
    a, b = ed.TensorDataset(ember.arange(2)), ed.TensorDataset(ember.arange(3))
    both = a + b
    assert isinstance(both, ed.ConcatDataset) and len(both) == 5 and both[4][0].item() == 2


class _TRange(td.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class _ERange(ed.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_chain_dataset_and_iterable_add():
    tc = td.ChainDataset([_TRange(2), _TRange(3)])
    ec = ed.ChainDataset([_ERange(2), _ERange(3)])
    assert list(tc) == list(ec) and len(tc) == len(ec) == 5
    assert list(_ERange(2) + _ERange(1)) == [0, 1, 0]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ed.ChainDataset([[1, 2]]))
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ed.ConcatDataset([_ERange(2)])


def test_subset_and_stack_dataset():
    base = [10, 11, 12, 13, 14]
    ts, es = td.Subset(base, [4, 0, 2]), ed.Subset(base, [4, 0, 2])
    assert len(ts) == len(es) == 3 and [ts[i] for i in range(3)] == [es[i] for i in range(3)]
    assert ts.__getitems__([2, 0]) == es.__getitems__([2, 0])
    tt, et = td.StackDataset(base, base[::-1]), ed.StackDataset(base, base[::-1])
    assert tt[1] == et[1] and tt.__getitems__([0, 3]) == et.__getitems__([0, 3])
    tk, ek = td.StackDataset(a=base, b=base), ed.StackDataset(a=base, b=base)
    assert tk[2] == ek[2] and tk.__getitems__([1, 4]) == ek.__getitems__([1, 4])
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        ed.StackDataset([1], [1, 2])
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        ed.StackDataset()


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.25, 0.25], [0.33, 0.33, 0.34], [10]])
@pytest.mark.parametrize("seed", [0, 42])
def test_random_split_equals_torch(lengths, seed):
    n = 10
    tparts = td.random_split(range(n), lengths, generator=torch.Generator().manual_seed(seed))
    eparts = ed.random_split(range(n), lengths, generator=ember.Generator().manual_seed(seed))
    assert [list(p.indices) for p in tparts] == [list(p.indices) for p in eparts]
    assert [list(p) for p in tparts] == [list(p) for p in eparts]


def test_random_split_default_generator_and_errors():
    torch.manual_seed(3)
    ember.manual_seed(3)
    t = td.random_split(range(7), [0.6, 0.4])
    e = ed.random_split(range(7), [0.6, 0.4])
    assert [p.indices for p in t] == [p.indices for p in e]
    assert torch.rand(2).tolist() == ember.rand(2).tolist()  # the same amount of the stream was used
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        ed.random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        td.random_split(range(5), [0.5, -0.5, 1.0])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        ed.random_split(range(5), [0.5, -0.5, 1.0])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        ed.random_split(range(2), [1.0, 0.0])


def test_dataset_requires_getitem():
    with pytest.raises(NotImplementedError):
        ed.Dataset()[0]
