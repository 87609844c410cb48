"""Collectives and point-to-point ops on tensors: in place like PyTorch, ``async_op=True`` returns a Work."""
from __future__ import annotations

import warnings

from .._device import array_module
from .._tensor import Tensor
from ._backend import ReduceOp, _as_op
from ._work import Work
from .distributed_c10d import ProcessGroup, _resolve, _warn_not_in_group

SUM = ReduceOp.SUM


# ----- argument checks and buffers -------------------------------------------------------------
def _check_tensor(t, name: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type ember.Tensor\n"
                        f"             but got {type(t)} instead.")


def _check_list(lst, name: str) -> None:
    if not isinstance(lst, (list, tuple)) or not all(isinstance(t, Tensor) for t in lst):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type List[ember.Tensor]\n"
                        f"             but got {type(lst)} instead.")


def _check_same(tensors, like: Tensor, op_name: str, what: str) -> None:
    for i, t in enumerate(tensors):
        if t.dtype is not like.dtype:
            raise ValueError(f"Invalid usage of tensors with different dtypes: found {t.dtype} and {like.dtype}")
        if t.shape != like.shape:
            raise RuntimeError(f"{op_name}: invalid tensor size at index {i} of {what} (expected "
                               f"{tuple(like.shape)}, got {tuple(t.shape)})")


def _check_len(tensors, n: int, op_name: str, what: str) -> None:
    if len(tensors) != n:
        raise RuntimeError(f"{op_name}: invalid {what} (expected length {n}, one tensor per rank of the group, "
                           f"got {len(tensors)})")


def _readable(t: Tensor):
    """``t``'s values as a C-contiguous array (no copy when it already is)."""
    a = t._data
    return a if a.flags.c_contiguous else a.copy(order="C")


def _writable(t: Tensor):
    """A C-contiguous array to receive into, and the function that puts it into ``t`` (bumping its version)."""
    a = t._data
    if a.flags.c_contiguous:
        return a, t._bump

    c = a.copy(order="C")

    def back():
        a[...] = c
        t._bump()

    return c, back


def _copy_blocks(blocks, tensors):
    """A function copying ``blocks[i]`` into ``tensors[i]``."""
    def back():
        for i, t in enumerate(tensors):
            t._data[...] = blocks[i].reshape(t._data.shape)
            t._bump()

    return back


def _root(pg: ProcessGroup, global_rank, group_rank, op_name: str, default=None) -> int:
    """The group rank of a root given by global rank or by group rank."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        r = int(group_rank)
    else:
        if global_rank is None:
            if default is None:
                raise ValueError(f"Must specify global_rank or group_rank (pass the root's rank to {op_name})")
            global_rank = pg._ranks[default]
        r = int(global_rank) if pg._ranks == list(range(pg.size())) else pg._group_rank(int(global_rank))
    if not 0 <= r < pg.size():
        raise RuntimeError(f"{op_name}: invalid root rank: {r} (the group has ranks 0 to {pg.size() - 1})")
    return r


def _done(work: Work, async_op: bool, result=None):
    if result is not None:
        work._result = result
    if async_op:
        return work
    work.wait()
    return None


def _group(group, op_name: str):
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group(op_name)
    return pg


# ----- collectives ---------------------------------------------------------------------------------
def barrier(group: ProcessGroup | None = None, async_op: bool = False, device_ids=None, timeout=None):
    """Wait until every rank of the group has called barrier."""
    pg = _group(group, "barrier")
    if pg is None:
        return None
    w = pg._impl.barrier()
    if async_op:
        return w
    w.wait(timeout)
    return None


def all_reduce(tensor: Tensor, op=SUM, group: ProcessGroup | None = None, async_op: bool = False):
    """Reduce ``tensor`` over all ranks, in place: every rank ends with the result.

    >>> import ember, ember.distributed as dist
    >>> t = ember.ones(3)
    >>> dist.all_reduce(t, op=dist.ReduceOp.SUM)  # doctest: +SKIP
    """
    _check_tensor(tensor, "tensor")
    pg = _group(group, "all_reduce")
    if pg is None:
        return None
    op = _as_op(op)
    buf, back = _writable(tensor)
    return _done(pg._impl.all_reduce(buf, op)._then(back), async_op, [tensor])


def broadcast(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None, async_op: bool = False,
              group_src: int | None = None):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` on every rank."""
    _check_tensor(tensor, "tensor")
    pg = _group(group, "broadcast")
    if pg is None:
        return None
    root = _root(pg, src, group_src, "broadcast")
    buf, back = _writable(tensor)
    return _done(pg._impl.broadcast(buf, root)._then(None if root == pg.rank() else back), async_op, [tensor])


def reduce(tensor: Tensor, dst: int | None = None, op=SUM, group: ProcessGroup | None = None, async_op: bool = False,
           group_dst: int | None = None):
    """Reduce ``tensor`` over all ranks into ``tensor`` on rank ``dst``."""
    _check_tensor(tensor, "tensor")
    pg = _group(group, "reduce")
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, "reduce")
    op = _as_op(op)
    buf, back = _writable(tensor)
    return _done(pg._impl.reduce(buf, op, root)._then(back if root == pg.rank() else None), async_op, [tensor])


def all_gather(tensor_list: list, tensor: Tensor, group: ProcessGroup | None = None, async_op: bool = False):
    """Fill ``tensor_list[i]`` with ``tensor`` of rank i, on every rank."""
    _check_list(tensor_list, "tensor_list")
    _check_tensor(tensor, "tensor")
    pg = _group(group, "all_gather")
    if pg is None:
        return None
    n = pg.size()
    _check_len(tensor_list, n, "all_gather", "output tensor list")
    _check_same(tensor_list, tensor, "all_gather", "tensor_list")
    send = _readable(tensor)
    recv = array_module(send).empty((n,) + send.shape, dtype=send.dtype)
    w = pg._impl.all_gather(send, recv)._then(_copy_blocks(recv, tensor_list))
    return _done(w, async_op, list(tensor_list))


def all_gather_single(output_tensor: Tensor, input_tensor: Tensor, group: ProcessGroup | None = None,
                      async_op: bool = False):
    """Gather every rank's ``input_tensor`` into ``output_tensor`` (concatenated or stacked along dim 0)."""
    _check_tensor(output_tensor, "output_tensor")
    _check_tensor(input_tensor, "input_tensor")
    pg = _group(group, "all_gather_single")
    if pg is None:
        return None
    n = pg.size()
    _check_numel(output_tensor, input_tensor, n, "all_gather_single", "output_tensor", "input_tensor")
    buf, back = _writable(output_tensor)
    return _done(pg._impl.all_gather(_readable(input_tensor), buf)._then(back), async_op, [output_tensor])


def _check_numel(big: Tensor, small: Tensor, n: int, op_name: str, big_name: str, small_name: str) -> None:
    if big.dtype is not small.dtype:
        raise ValueError(f"Invalid usage of tensors with different dtypes: found {big.dtype} and {small.dtype}")
    if big.numel() != n * small.numel():
        raise RuntimeError(f"{op_name}: {big_name} must hold world_size ({n}) times the elements of {small_name} "
                           f"(a concatenation or a stack along dim 0), got shapes {tuple(big.shape)} and "
                           f"{tuple(small.shape)}")


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor, group: ProcessGroup | None = None,
                           async_op: bool = False):
    """Deprecated name of ``all_gather_single``."""
    warnings.warn("`ember.distributed.all_gather_into_tensor` is deprecated. Please use "
                  "`ember.distributed.all_gather_single` instead.", FutureWarning, stacklevel=2)
    return all_gather_single(output_tensor, input_tensor, group, async_op)


def gather(tensor: Tensor, gather_list: list | None = None, dst: int | None = None,
           group: ProcessGroup | None = None, async_op: bool = False, group_dst: int | None = None):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst``."""
    _check_tensor(tensor, "tensor")
    if gather_list:
        _check_list(gather_list, "gather_list")
    pg = _group(group, "gather")
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, "gather", default=0)
    send = _readable(tensor)
    if pg.rank() != root:
        if gather_list:
            raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
        return _done(pg._impl.gather(send, None, root), async_op)
    if not gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    n = pg.size()
    _check_len(gather_list, n, "gather", "gather_list")
    _check_same(gather_list, tensor, "gather", "gather_list")
    recv = array_module(send).empty((n,) + send.shape, dtype=send.dtype)
    w = pg._impl.gather(send, recv, root)._then(_copy_blocks(recv, gather_list))
    return _done(w, async_op, list(gather_list))


def scatter(tensor: Tensor, scatter_list: list | None = None, src: int | None = None,
            group: ProcessGroup | None = None, async_op: bool = False, group_src: int | None = None):
    """Rank ``src`` sends ``scatter_list[i]`` to rank i, which receives it into ``tensor``."""
    _check_tensor(tensor, "tensor")
    if scatter_list:
        _check_list(scatter_list, "scatter_list")
    pg = _group(group, "scatter")
    if pg is None:
        return None
    root = _root(pg, src, group_src, "scatter", default=0)
    buf, back = _writable(tensor)
    if pg.rank() != root:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        return _done(pg._impl.scatter(None, buf, root)._then(back), async_op, [tensor])
    if not scatter_list:
        raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
    _check_len(scatter_list, pg.size(), "scatter", "scatter_list")
    _check_same(scatter_list, tensor, "scatter", "scatter_list")
    send = array_module(buf).stack([t._data for t in scatter_list])
    return _done(pg._impl.scatter(send, buf, root)._then(back), async_op, [tensor])


def reduce_scatter(output: Tensor, input_list: list, op=SUM, group: ProcessGroup | None = None,
                   async_op: bool = False):
    """Reduce ``input_list[i]`` over all ranks into ``output`` on rank i."""
    _check_tensor(output, "output")
    _check_list(input_list, "input_list")
    pg = _group(group, "reduce_scatter")
    if pg is None:
        return None
    op = _as_op(op)
    if len(input_list) != pg.size():
        raise RuntimeError("invalid input tensor list size, must be world size")
    _check_same(input_list, output, "reduce_scatter", "input_list")
    buf, back = _writable(output)
    send = array_module(buf).stack([t._data for t in input_list])
    return _done(pg._impl.reduce_scatter(send, buf, op)._then(back), async_op, [output])


def reduce_scatter_single(output: Tensor, input: Tensor, op=SUM, group: ProcessGroup | None = None,  # noqa: A002
                          async_op: bool = False):
    """Reduce ``input`` (world_size blocks along dim 0) over all ranks; rank i receives block i in ``output``."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    pg = _group(group, "reduce_scatter_single")
    if pg is None:
        return None
    op = _as_op(op)
    _check_numel(input, output, pg.size(), "reduce_scatter_single", "input", "output")
    buf, back = _writable(output)
    return _done(pg._impl.reduce_scatter(_readable(input), buf, op)._then(back), async_op, [output])


def reduce_scatter_tensor(output: Tensor, input: Tensor, op=SUM, group: ProcessGroup | None = None,  # noqa: A002
                          async_op: bool = False):
    """Deprecated name of ``reduce_scatter_single``."""
    warnings.warn("`ember.distributed.reduce_scatter_tensor` is deprecated. Please use "
                  "`ember.distributed.reduce_scatter_single` instead.", FutureWarning, stacklevel=2)
    return reduce_scatter_single(output, input, op, group, async_op)


def _rows(t: Tensor, splits, n: int, name: str) -> list:
    rows = t.shape[0] if t.dim() else 1
    per_row = t.numel() // rows if rows else 0
    if splits is None:
        if rows % n:
            raise RuntimeError(f"all_to_all_single: dim 0 of {name} ({rows}) must be divisible by world_size ({n}) "
                               f"when no split sizes are given")
        return [rows // n * per_row] * n
    splits = [int(s) for s in splits]
    if len(splits) != n or sum(splits) != rows:
        raise RuntimeError(f"all_to_all_single: {name} split sizes {splits} must have world_size ({n}) entries "
                           f"summing to dim 0 ({rows})")
    return [s * per_row for s in splits]


def all_to_all_single(output: Tensor, input: Tensor, output_split_sizes=None, input_split_sizes=None,  # noqa: A002
                      group: ProcessGroup | None = None, async_op: bool = False):
    """Split ``input`` along dim 0, send piece j to rank j, and concatenate the received pieces into ``output``."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    pg = _group(group, "all_to_all_single")
    if pg is None:
        return None
    if output.dtype is not input.dtype:
        raise ValueError(f"Invalid usage of tensors with different dtypes: found {output.dtype} and {input.dtype}")
    n = pg.size()
    sc = _rows(input, input_split_sizes, n, "input")
    rc = _rows(output, output_split_sizes, n, "output")
    buf, back = _writable(output)
    return _done(pg._impl.all_to_all(_readable(input), buf, sc, rc)._then(back), async_op, [output])


def all_to_all(output_tensor_list: list, input_tensor_list: list, group: ProcessGroup | None = None,
               async_op: bool = False):
    """Send ``input_tensor_list[j]`` to rank j; receive rank j's tensor into ``output_tensor_list[j]``."""
    _check_list(output_tensor_list, "output_tensor_list")
    _check_list(input_tensor_list, "input_tensor_list")
    pg = _group(group, "all_to_all")
    if pg is None:
        return None
    n = pg.size()
    _check_len(input_tensor_list, n, "all_to_all", "input tensor list")
    _check_len(output_tensor_list, n, "all_to_all", "output tensor list")
    xp = array_module(input_tensor_list[0]._data)
    send = xp.concatenate([t._data.reshape(-1) for t in input_tensor_list])
    recv = xp.empty(sum(t.numel() for t in output_tensor_list), dtype=output_tensor_list[0]._data.dtype)
    if send.dtype != recv.dtype:
        raise ValueError("Invalid usage of tensors with different dtypes in all_to_all")
    rc = [t.numel() for t in output_tensor_list]
    offsets = [sum(rc[:i]) for i in range(n + 1)]
    blocks = [recv[offsets[i]:offsets[i + 1]] for i in range(n)]
    w = pg._impl.all_to_all(send, recv, [t.numel() for t in input_tensor_list], rc)
    return _done(w._then(_copy_blocks(blocks, output_tensor_list)), async_op, list(output_tensor_list))


# ----- point to point -------------------------------------------------------------------------------
def _peer(pg: ProcessGroup, global_rank, group_rank, op_name: str) -> int:
    r = _root(pg, global_rank, group_rank, op_name)
    if r == pg.rank():
        word = "destination" if op_name in ("send", "isend") else "source"
        raise ValueError(f"Invalid {word} rank: {word} rank should not be the same as the rank of the current "
                         "process.")
    return r


def isend(tensor: Tensor, dst: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
          group_dst: int | None = None):
    """Start sending ``tensor`` to rank ``dst``; returns a Work."""
    _check_tensor(tensor, "tensor")
    pg = _group(group, "isend")
    if pg is None:
        return None
    return pg._impl.send(_readable(tensor), _peer(pg, dst, group_dst, "isend"), tag)


def irecv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
          group_src: int | None = None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank when None); returns a Work."""
    _check_tensor(tensor, "tensor")
    pg = _group(group, "irecv")
    if pg is None:
        return None
    peer = None if src is None and group_src is None else _peer(pg, src, group_src, "irecv")
    buf, back = _writable(tensor)
    w = pg._impl.recv(buf, peer, tag)
    w._result = [tensor]
    if w._done:  # a synchronous backend: the message is there already
        back()
        w._value = pg._ranks[w._value]
        return w
    prev = w._finish

    def finish():
        source = prev()
        back()
        return pg._ranks[source]

    w._finish = finish
    return w


def send(tensor: Tensor, dst: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
         group_dst: int | None = None) -> None:
    """Send ``tensor`` to rank ``dst`` and wait until it is sent."""
    w = isend(tensor, dst, group, tag, group_dst)
    if w is not None:
        w.wait()


def recv(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
         group_src: int | None = None) -> int:
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns the sender's global rank."""
    w = irecv(tensor, src, group, tag, group_src)
    if w is None:
        return -1
    return w.source_rank()


class P2POp:
    """One point-to-point op (``isend`` or ``irecv``) for ``batch_isend_irecv``."""

    def __init__(self, op, tensor: Tensor, peer: int | None = None, group: ProcessGroup | None = None, tag: int = 0,
                 group_peer: int | None = None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``ember.distributed.isend`` or "
                             "``ember.distributed.irecv``.")
        _check_tensor(tensor, "tensor")
        self.op, self.tensor, self.peer, self.group, self.tag, self.group_peer = op, tensor, peer, group, tag, group_peer


def batch_isend_irecv(p2p_op_list: list) -> list:
    """Start every op of ``p2p_op_list``; returns their Works."""
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type "
                         "``ember.distributed.P2POp``.")
    return [p.op(p.tensor, p.peer, p.group, p.tag, p.group_peer) for p in p2p_op_list]
