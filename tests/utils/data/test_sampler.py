"""Samplers and DistributedSampler compared with torch.utils.data (same seeds, same indices)."""
from __future__ import annotations

import pytest
import torch
import torch.utils.data as td

import ember
import ember.utils.data as ed


def _seed(s):
    torch.manual_seed(s)
    ember.manual_seed(s)


def test_sequential_sampler():
    assert list(td.SequentialSampler(range(5))) == list(ed.SequentialSampler(range(5)))
    assert len(ed.SequentialSampler(range(5))) == 5


@pytest.mark.parametrize("kwargs", [{}, {"num_samples": 23}, {"num_samples": 3}, {"replacement": True},
                                    {"replacement": True, "num_samples": 70}])
def test_random_sampler_default_generator(kwargs):
    _seed(11)
    t = td.RandomSampler(range(9), **kwargs)
    e = ed.RandomSampler(range(9), **kwargs)
    assert len(t) == len(e)
    for _ in range(2):  # two epochs: each draws its own seed from the default generator
        assert list(t) == list(e)
    assert torch.rand(3).tolist() == ember.rand(3).tolist()


def test_random_sampler_with_generator():
    t = td.RandomSampler(range(12), generator=torch.Generator().manual_seed(5))
    e = ed.RandomSampler(range(12), generator=ember.Generator().manual_seed(5))
    assert list(t) == list(e) and list(t) == list(e)


def test_random_sampler_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        ed.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        ed.RandomSampler(range(3), num_samples=0)


def test_subset_random_sampler():
    _seed(2)
    idx = [3, 30, 7, 70, 11]
    assert list(td.SubsetRandomSampler(idx)) == list(ed.SubsetRandomSampler(idx))
    t = td.SubsetRandomSampler(idx, generator=torch.Generator().manual_seed(9))
    e = ed.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(9))
    assert list(t) == list(e) and len(e) == 5


@pytest.mark.parametrize("replacement", [True, False])
def test_weighted_random_sampler(replacement):
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    _seed(4)
    t = td.WeightedRandomSampler(w, 5, replacement=replacement)
    e = ed.WeightedRandomSampler(w, 5, replacement=replacement)
    assert list(t) == list(e) and len(e) == 5
    assert e.weights.dtype == ember.float64
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        ed.WeightedRandomSampler(w, 0)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(2, 3\)"):
        ed.WeightedRandomSampler([w[:3], w[3:]], 2)


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 10])
def test_batch_sampler(drop_last, batch_size):
    t = td.BatchSampler(td.SequentialSampler(range(10)), batch_size, drop_last)
    e = ed.BatchSampler(ed.SequentialSampler(range(10)), batch_size, drop_last)
    assert list(t) == list(e) and len(t) == len(e)


def test_batch_sampler_errors():
    for bad in (0, -1, True, 2.0):
        with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
            ed.BatchSampler(range(3), bad, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        ed.BatchSampler(range(3), 2, 1)


@pytest.mark.parametrize("n", [1, 10, 11, 13])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [True, False])
def test_distributed_sampler_partitions_like_torch(n, shuffle, drop_last):
    reps = 4
    for epoch in (0, 3):
        ts, es = [], []
        for rank in range(reps):
            t = td.DistributedSampler(range(n), num_replicas=reps, rank=rank, shuffle=shuffle, seed=17,
                                      drop_last=drop_last)
            e = ed.DistributedSampler(range(n), num_replicas=reps, rank=rank, shuffle=shuffle, seed=17,
                                      drop_last=drop_last)
            t.set_epoch(epoch)
            e.set_epoch(epoch)
            assert len(t) == len(e)
            ts.append(list(t))
            es.append(list(e))
        assert ts == es


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        ed.DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match=r"Invalid rank -1"):
        ed.DistributedSampler(range(4), num_replicas=2, rank=-1)
