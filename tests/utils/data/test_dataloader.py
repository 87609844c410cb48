"""DataLoader, collation and worker processes compared with torch.utils.data."""
from __future__ import annotations

import collections
import functools
import gc
import importlib
import multiprocessing
import random
import time

import numpy as np
import pytest
import torch
import torch.utils.data as td

import ember
import ember.utils.data as ed

from ._compare import plain

Point = collections.namedtuple("Point", ["x", "y"])


def _children():
    return {p.pid for p in multiprocessing.active_children()}


def _no_new_children(before, wait=5.0):
    deadline = time.time() + wait
    while time.time() < deadline:
        gc.collect()
        if not (_children() - before):
            return True
        time.sleep(0.05)
    return False


# ----------------------------------------------------------------------------- collate
def _batches(m):
    """The same batches built with torch (m=torch) or ember (m=ember)."""
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    return [
        [m.tensor([1.0, 2.0]), m.tensor([3.0, 4.0])],
        [m.tensor(1, dtype=m.int16), m.tensor(2, dtype=m.int16)],
        [arr, arr + 1],
        [np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int32)],
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        [np.float32(1.5), np.float32(2.5)],
        [np.int16(3), np.int16(4)],
        ["a", "b"],
        [b"x", b"y"],
        [(1, "a", m.tensor([1])), (2, "b", m.tensor([2]))],
        [[1, 2.0], [3, 4.0]],
        [{"x": m.ones(2), "y": 1, "z": {"w": 0.5}}, {"x": m.zeros(2), "y": 2, "z": {"w": 1.5}}],
        [collections.OrderedDict(a=1, b=m.tensor([True])), collections.OrderedDict(a=2, b=m.tensor([False]))],
        [Point(1, m.tensor([1.0])), Point(2, m.tensor([2.0]))],
        [Point(np.float64(1), [1, 2]), Point(np.float64(2), [3, 4])],
    ]


def test_default_collate_matches_torch():
    for tb, eb in zip(_batches(torch), _batches(ember)):
        assert plain(td.default_collate(tb)) == plain(ed.default_collate(eb)), tb


def test_default_convert_matches_torch():
    for tb, eb in zip(_batches(torch), _batches(ember)):
        assert plain(td.default_convert(tb)) == plain(ed.default_convert(eb)), tb
        assert plain(td.default_convert(tb[0])) == plain(ed.default_convert(eb[0])), tb


def test_collate_errors_match_torch():
    for bad in ([[1, 2], [3]], [object(), object()], [np.array(["a"]), np.array(["b"])]):
        with pytest.raises(Exception) as te:
            td.default_collate(bad)
        with pytest.raises(Exception) as ee:
            ed.default_collate(bad)
        assert type(te.value) is type(ee.value)
        assert str(te.value) == str(ee.value)


# ----------------------------------------------------------------------------- map-style loading
class _Pairs:
    """A map-style dataset of dict samples built with torch or ember."""

    def __init__(self, m, n=11):
        self.m, self.n = m, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        m = self.m
        return {"x": m.arange(3, dtype=m.float32) + i, "y": i, "name": f"s{i}", "t": (i * 0.5, m.tensor([i]))}


_LOADER_CASES = [
    {"batch_size": 3},
    {"batch_size": 4, "drop_last": True},
    {"batch_size": 2, "sampler": [5, 2, 7, 1, 0]},
    {"batch_sampler": [[3, 1], [0], [10, 9, 8]]},
    {"batch_size": None},
    {"batch_size": None, "sampler": [4, 4, 2]},
    {"batch_size": 2, "sampler": "sequential"},
    {"batch_size": 3, "collate_fn": lambda b: [s["y"] for s in b]},
]


def _make(m, case, dataset):
    kw = dict(case)
    if kw.get("sampler") == "sequential":
        kw["sampler"] = (td if m is torch else ed).SequentialSampler(dataset)
    return (td if m is torch else ed).DataLoader(dataset, **kw)


@pytest.mark.parametrize("case", _LOADER_CASES)
def test_batches_equal_torch(case):
    tl, el = _make(torch, case, _Pairs(torch)), _make(ember, case, _Pairs(ember))
    assert len(tl) == len(el)
    assert [plain(b) for b in tl] == [plain(b) for b in el]


@pytest.mark.parametrize("seed", [0, 123])
def test_shuffle_order_equals_torch(seed):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    tl = td.DataLoader(td.TensorDataset(torch.arange(10)), batch_size=3, shuffle=True)
    el = ed.DataLoader(ed.TensorDataset(ember.arange(10)), batch_size=3, shuffle=True)
    for _ in range(2):
        assert [plain(b) for b in tl] == [plain(b) for b in el]
    tg = td.DataLoader(list(range(9)), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed))
    eg = ed.DataLoader(list(range(9)), batch_size=4, shuffle=True, generator=ember.Generator().manual_seed(seed))
    for _ in range(2):
        assert [plain(b) for b in tg] == [plain(b) for b in eg]
    assert torch.rand(2).tolist() == ember.rand(2).tolist()


_BAD_ARGS = [
    {"num_workers": -1},
    {"timeout": -1},
    {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1},
    {"persistent_workers": True},
    {"sampler": [0], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "drop_last": True},
    {"batch_size": None, "drop_last": True},
    {"multiprocessing_context": "fork"},
    {"num_workers": 1, "multiprocessing_context": "nonsense"},
    {"num_workers": 1, "multiprocessing_context": 3},
]


@pytest.mark.parametrize("kwargs", _BAD_ARGS)
def test_option_errors_match_torch(kwargs):
    with pytest.raises(Exception) as te:
        td.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(Exception) as ee:
        ed.DataLoader(list(range(4)), **kwargs)
    assert type(te.value) is type(ee.value)
    assert str(te.value) == str(ee.value)


def test_attribute_freeze_and_len():
    el = ed.DataLoader(list(range(10)), batch_size=4)
    assert len(el) == 3
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        el.batch_size = 2


class _TStream(td.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = td.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        return self.n


class _EStream(ed.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = ed.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(lo, self.n, step))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("kw", [{"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None},
                                {"batch_size": 2, "num_workers": 2}, {"batch_size": None, "num_workers": 2}])
def test_iterable_dataset_equals_torch(kw):
    tl, el = td.DataLoader(_TStream(7), **kw), ed.DataLoader(_EStream(7), **kw)
    assert len(tl) == len(el)
    assert [plain(b) for b in tl] == [plain(b) for b in el]
    with pytest.raises(ValueError) as ee:
        ed.DataLoader(_EStream(3), shuffle=True)
    assert str(ee.value) == "DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=True"


# ----------------------------------------------------------------------------- worker processes
@pytest.mark.parametrize("kw", [{"batch_size": 3, "num_workers": 2}, {"batch_size": 4, "num_workers": 2, "prefetch_factor": 1},
                                {"batch_size": None, "num_workers": 2}, {"batch_size": 2, "num_workers": 2, "in_order": True}])
def test_workers_give_the_same_batches(kw):
    single = [plain(b) for b in ed.DataLoader(_Pairs(ember), batch_size=kw["batch_size"])]
    multi = [plain(b) for b in ed.DataLoader(_Pairs(ember), **kw)]
    assert multi == single


def test_out_of_order_delivery_keeps_every_batch():
    out = [b.tolist() for b in ed.DataLoader(list(range(9)), batch_size=2, num_workers=2, in_order=False)]
    assert sorted(out) == [[0, 1], [2, 3], [4, 5], [6, 7], [8]]


def test_spawn_context():
    out = [b.tolist() for b in ed.DataLoader(list(range(5)), batch_size=2, num_workers=1,
                                             multiprocessing_context="spawn")]
    assert out == [[0, 1], [2, 3], [4]]


def test_shuffle_with_workers_equals_torch():
    torch.manual_seed(5)
    ember.manual_seed(5)
    tl = td.DataLoader(list(range(12)), batch_size=5, shuffle=True, num_workers=2)
    el = ed.DataLoader(list(range(12)), batch_size=5, shuffle=True, num_workers=2)
    assert [plain(b) for b in tl] == [plain(b) for b in el]


class _SeedReport:
    """Each sample reports the worker's id and the state of every generator the worker seeded."""

    def __init__(self, m):
        self.m = m

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = (td if self.m is torch else ed).get_worker_info()
        return [info.id, info.num_workers, info.seed, self.m.initial_seed(), self.m.rand(1).item(),
                int(np.random.randint(1 << 30)), random.random()]


def test_worker_seeding_equals_torch():
    torch.manual_seed(99)
    ember.manual_seed(99)
    t = [b for b in td.DataLoader(_SeedReport(torch), batch_size=None, num_workers=2, collate_fn=lambda x: x)]
    e = [b for b in ed.DataLoader(_SeedReport(ember), batch_size=None, num_workers=2, collate_fn=lambda x: x)]
    assert t == e
    g = [b for b in ed.DataLoader(_SeedReport(ember), batch_size=None, num_workers=2, collate_fn=lambda x: x,
                                  generator=ember.Generator().manual_seed(1))]
    tg = [b for b in td.DataLoader(_SeedReport(torch), batch_size=None, num_workers=2, collate_fn=lambda x: x,
                                   generator=torch.Generator().manual_seed(1))]
    assert g == tg


_INIT_IDS = []


def _init_fn(worker_id):
    _INIT_IDS.append(worker_id)


class _InitReport:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return list(_INIT_IDS)


def test_worker_init_fn_runs_in_each_worker():
    out = [b for b in ed.DataLoader(_InitReport(), batch_size=None, num_workers=2, worker_init_fn=_init_fn,
                                    collate_fn=lambda x: x)]
    assert out == [[0], [1], [0], [1]]
    assert _INIT_IDS == []  # it ran in the workers, not here


class _ThreadsReport:
    """Each sample is its worker's intra-op thread count (the framework goes by name, so that it pickles)."""

    def __init__(self, fw: str):
        self.fw = fw

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return importlib.import_module(self.fw).get_num_threads()


def _two_threads(fw, worker_id):
    importlib.import_module(fw).set_num_threads(2)


def test_workers_use_one_thread_like_torch():
    saved = ember.get_num_threads(), torch.get_num_threads()
    ember.set_num_threads(2)
    torch.set_num_threads(2)
    try:
        for fw, lib in (("torch", td), ("ember", ed)):
            for context in (None, "spawn") if fw == "ember" else (None,):
                kw = dict(batch_size=None, num_workers=2, multiprocessing_context=context)
                assert list(lib.DataLoader(_ThreadsReport(fw), **kw)) == [1, 1], (fw, context)
                # set before worker_init_fn runs, which may raise it again
                init = functools.partial(_two_threads, fw)
                assert list(lib.DataLoader(_ThreadsReport(fw), worker_init_fn=init, **kw)) == [2, 2], (fw, context)
        assert (ember.get_num_threads(), torch.get_num_threads()) == (2, 2)  # the main process keeps its count
    finally:
        ember.set_num_threads(saved[0])
        torch.set_num_threads(saved[1])


class _Faulty:
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"bad sample {i}")
        return i


def test_worker_exception_surfaces_with_traceback_and_no_processes_left():
    before = _children()
    loader = ed.DataLoader(_Faulty(), batch_size=2, num_workers=2)
    got = []
    with pytest.raises(ValueError) as ei:
        for b in loader:
            got.append(b.tolist())
    msg = str(ei.value)
    assert got == [[0, 1], [2, 3]]
    assert msg.startswith("Caught ValueError in DataLoader worker process 0.\nOriginal Traceback")
    assert "bad sample 5" in msg and "in __getitem__" in msg
    del ei
    assert _no_new_children(before)


class _Dies:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        import os

        os._exit(3)


def test_dead_worker_is_reported():
    before = _children()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        next(iter(ed.DataLoader(_Dies(), num_workers=1)))
    assert _no_new_children(before)


def test_key_error_message_is_readable():
    class _Missing(ed.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return {}["k"]

    with pytest.raises(KeyError) as ei:
        next(iter(ed.DataLoader(_Missing(), num_workers=1)))
    assert "Caught KeyError in DataLoader worker process 0" in str(ei.value)


def test_early_break_leaves_no_processes():
    before = _children()
    for b in ed.DataLoader(list(range(100)), batch_size=2, num_workers=2):
        break
    assert _no_new_children(before)
    it = iter(ed.DataLoader(list(range(100)), batch_size=2, num_workers=2))
    next(it)
    assert len(_children() - before) == 2
    del it
    assert _no_new_children(before)


def test_exhaustion_shuts_workers_down():
    before = _children()
    it = iter(ed.DataLoader(list(range(6)), batch_size=2, num_workers=2))
    assert [b.tolist() for b in it] == [[0, 1], [2, 3], [4, 5]]
    assert not (_children() - before)  # joined before StopIteration, while the iterator is still referenced
    del it


def test_persistent_workers_reused_across_epochs():
    before = _children()
    loader = ed.DataLoader(list(range(7)), batch_size=3, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    pids = _children() - before
    second = [b.tolist() for b in loader]
    assert first == second == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(pids) == 2 and (_children() - before) == pids
    it_loader = ed.DataLoader(_EStream(5), batch_size=2, num_workers=2, persistent_workers=True)
    assert [b.tolist() for b in it_loader] == [b.tolist() for b in it_loader] == [[0, 2], [1, 3], [4]]
    del loader, it_loader
    assert _no_new_children(before)


class _Slow:
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(0.8)
        return i


def test_timeout():
    before = _children()
    it = iter(ed.DataLoader(_Slow(), num_workers=1, timeout=0.2))
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(it)
    del it
    assert _no_new_children(before)


def test_too_many_workers_warning_equals_torch():
    with pytest.warns(UserWarning) as tw:
        td.DataLoader(list(range(4)), num_workers=64)
    with pytest.warns(UserWarning) as ew:
        ed.DataLoader(list(range(4)), num_workers=64)
    assert [str(w.message) for w in tw] == [str(w.message) for w in ew]


def test_pin_memory_is_accepted():
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        out = [b.tolist() for b in ed.DataLoader(list(range(4)), batch_size=2, pin_memory=True)]
    assert out == [[0, 1], [2, 3]]
