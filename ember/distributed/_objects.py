"""Collectives on picklable Python objects: all_gather_object, broadcast_object_list, gather/scatter."""
from __future__ import annotations

import pickle

import numpy as np

from .distributed_c10d import ProcessGroup, _resolve, _warn_not_in_group


def _pickle(obj) -> np.ndarray:
    return np.frombuffer(pickle.dumps(obj), dtype=np.uint8)


def _unpickle(a: np.ndarray):
    return pickle.loads(a.tobytes())


def _root(pg: ProcessGroup, global_rank, group_rank) -> int:
    from ._collectives import _root as root  # noqa: PLC0415

    return root(pg, global_rank, group_rank, "object collective", default=0)


def _group(group, op_name: str):
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group(op_name)
    return pg


def _padded(blobs: list) -> np.ndarray:
    width = max((b.size for b in blobs), default=0)
    out = np.zeros((len(blobs), width), dtype=np.uint8)
    for i, b in enumerate(blobs):
        out[i, :b.size] = b
    return out


def all_gather_object(object_list: list, obj, group: ProcessGroup | None = None) -> None:
    """Fill ``object_list[i]`` with ``obj`` of rank i (objects must be picklable).

    >>> import ember.distributed as dist
    >>> out = [None] * 2
    >>> dist.all_gather_object(out, {"rank": 0})  # doctest: +SKIP
    """
    pg = _group(group, "all_gather_object")
    if pg is None:
        return
    n = pg.size()
    blob = _pickle(obj)
    sizes = np.empty(n, dtype=np.int64)
    pg._impl.all_gather(np.array([blob.size], dtype=np.int64), sizes).wait()
    width = int(sizes.max()) if n else 0
    send = np.zeros(width, dtype=np.uint8)
    send[:blob.size] = blob
    recv = np.empty((n, width), dtype=np.uint8)
    pg._impl.all_gather(send, recv).wait()
    for i in range(n):
        object_list[i] = _unpickle(recv[i, :sizes[i]])


def broadcast_object_list(object_list: list, src: int | None = None, group: ProcessGroup | None = None,
                          device=None, group_src: int | None = None) -> None:
    """Replace ``object_list``'s items on every rank with those of rank ``src`` (default 0)."""
    pg = _group(group, "broadcast_object_list")
    if pg is None:
        return
    root = _root(pg, src, group_src)
    me = pg.rank()
    sizes = np.zeros(len(object_list), dtype=np.int64)
    blobs = None
    if me == root:
        blobs = [_pickle(o) for o in object_list]
        sizes[:] = [b.size for b in blobs]
    pg._impl.broadcast(sizes, root).wait()
    data = np.concatenate(blobs) if me == root and blobs else np.empty(int(sizes.sum()), dtype=np.uint8)
    pg._impl.broadcast(data, root).wait()
    if me != root:
        ends = np.cumsum(sizes)
        for i in range(len(object_list)):
            object_list[i] = _unpickle(data[ends[i] - sizes[i]:ends[i]])


def gather_object(obj, object_gather_list: list | None = None, dst: int | None = None,
                  group: ProcessGroup | None = None, group_dst: int | None = None) -> None:
    """Collect every rank's ``obj`` into ``object_gather_list`` on rank ``dst`` (default 0)."""
    pg = _group(group, "gather_object")
    if pg is None:
        return
    root = _root(pg, dst, group_dst)
    me, n = pg.rank(), pg.size()
    if me == root and object_gather_list is None:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    if me != root and object_gather_list is not None:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    blob = _pickle(obj)
    sizes = np.empty(n, dtype=np.int64)
    pg._impl.all_gather(np.array([blob.size], dtype=np.int64), sizes).wait()
    width = int(sizes.max())
    send = np.zeros(width, dtype=np.uint8)
    send[:blob.size] = blob
    recv = np.empty((n, width), dtype=np.uint8) if me == root else None
    pg._impl.gather(send, recv, root).wait()
    if me == root:
        for i in range(n):
            object_gather_list[i] = _unpickle(recv[i, :sizes[i]])


def scatter_object_list(scatter_object_output_list: list, scatter_object_input_list: list | None = None,
                        src: int | None = None, group: ProcessGroup | None = None,
                        group_src: int | None = None) -> None:
    """Rank ``src`` (default 0) sends ``scatter_object_input_list[i]`` to rank i, which stores it in
    ``scatter_object_output_list[0]``."""
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at least 1.")
    pg = _group(group, "scatter_object_list")
    if pg is None:
        return
    root = _root(pg, src, group_src)
    me, n = pg.rank(), pg.size()
    sizes = np.zeros(n, dtype=np.int64)
    table = None
    if me == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != n:
            raise ValueError(f"scatter_object_input_list must be a list of world_size ({n}) objects on the source "
                             "rank")
        blobs = [_pickle(o) for o in scatter_object_input_list]
        sizes[:] = [b.size for b in blobs]
        table = _padded(blobs)
    pg._impl.broadcast(sizes, root).wait()
    recv = np.empty(int(sizes.max()), dtype=np.uint8)
    pg._impl.scatter(table, recv, root).wait()
    scatter_object_output_list[0] = _unpickle(recv[:sizes[me]])
