"""DataLoader workers: the fetchers, per-worker seeding, the worker process loop and exception transport."""
from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from ..._threads import set_num_threads

__all__ = ["WorkerInfo", "get_worker_info"]

MP_STATUS_CHECK_INTERVAL = 1.0  # seconds between liveness checks while the main process waits for data
_WORKER_POLL = 0.1  # seconds between a waiting worker's checks of the stop event and its parent

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process knows about itself: ``id``, ``num_workers``, ``seed`` and its ``dataset`` copy."""

    id: int
    num_workers: int
    seed: int
    dataset: object

    def __repr__(self) -> str:
        return f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, dataset={self.dataset!r})"


def get_worker_info() -> WorkerInfo | None:
    """Information about the current DataLoader worker process, or None in the main process.

    >>> from ember.utils.data import get_worker_info
    >>> get_worker_info() is None
    True
    """
    return _worker_info


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """Four uint32 words seeding NumPy's global generator in a worker (PyTorch's choice: a SeedSequence hash)."""
    mask = 0xFFFFFFFF
    seq = np.random.SeedSequence([worker_id, base_seed & mask, base_seed >> 32, 0])
    return [int(w) for w in seq.generate_state(4, np.uint32)]


class ExceptionWrapper:
    """An exception's type and formatted traceback, carried from a worker to the main process."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the exception again here, its message naming the worker and holding the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    """A message whose repr is itself, so that KeyError prints the traceback readably."""

    def __repr__(self) -> str:
        return self


class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset replica is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back)."""


# ----------------------------------------------------------------------------- fetchers
class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, index):
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(index) if callable(getitems) else [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def create_fetcher(iterable: bool, dataset, auto_collation: bool, collate_fn, drop_last: bool):
    cls = _IterableDatasetFetcher if iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


# ----------------------------------------------------------------------------- the worker process
def _seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed Python's, ember's and NumPy's generators of this worker as PyTorch does; returns the seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    import ember  # noqa: PLC0415

    ember.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(iterable: bool, dataset, index_queue, data_queue, done_event, auto_collation: bool, collate_fn,
                 drop_last: bool, base_seed: int, init_fn, worker_id: int, num_workers: int,
                 persistent_workers: bool) -> None:
    """Fetch the batches named on ``index_queue`` and put ``(task index, batch)`` on ``data_queue`` until told to stop.

    A ``None`` on the index queue ends the loop; the loop also ends if the main process goes away.
    """
    global _worker_info
    try:
        manager_pid = os.getppid()
        set_num_threads(1)  # one BLAS thread per worker, as in PyTorch: N workers must not oversubscribe the cores
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        while True:
            try:
                r = index_queue.get(timeout=_WORKER_POLL)
            except queue.Empty:
                # stop when told to (the final None may never come if the main process' queue was already
                # finalised by the garbage collector) or when the main process died
                if done_event.is_set() or os.getppid() != manager_pid:
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if iterable and init_exception is None:  # a fresh pass over this worker's dataset replica
                    fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down or exhausted: skip work until the final None arrives
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
