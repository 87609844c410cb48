"""Indexing: __getitem__/__setitem__, gather/scatter, index_select/index_add, masked ops, nonzero."""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, _wrap_dim, as_tensor_arg, broadcast_error, register, state, to_array
from .shape import AliasBackward0, SelectBackward0, SliceBackward0, UnsqueezeIndexBackward, _view_result

_generic = np.generic


def _arr(r):
    return np.asarray(r) if isinstance(r, _generic) else r


# ----------------------------------------------------------------------------- index conversion
def _convert_index(idx, like):
    """Tensor/list parts of an index as arrays; returns (index tuple, is_basic)."""
    if type(idx) is list and len(idx) < 32 and any(
            isinstance(e, (list, tuple, Tensor, np.ndarray, slice)) or e is None or e is Ellipsis for e in idx):
        import warnings  # noqa: PLC0415

        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
                      "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted "
                      "as tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
                      "result", UserWarning, stacklevel=3)
        idx = tuple(idx)
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    basic = True
    for i in idx:
        if isinstance(i, Tensor):
            a = i._data
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if a.dtype == np.uint8:
                a = a.astype(bool)
            if a.ndim == 0 and a.dtype.kind in "iu":
                out.append(builtins.int(a))
                continue
            out.append(a)
            basic = False
        elif isinstance(i, (list,)) or isinstance(i, np.ndarray):
            a = np.asarray(_unwrap_list(i))
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a)
            basic = False
        elif isinstance(i, (bool, np.bool_)):
            out.append(np.asarray(i))
            basic = False
        elif i is None or i is Ellipsis or isinstance(i, (builtins.int, slice, np.integer)):
            if isinstance(i, slice):
                if i.step is not None and i.step <= 0:
                    raise ValueError("step must be greater than zero")
                i = slice(_idx_int(i.start), _idx_int(i.stop), _idx_int(i.step))
            out.append(i)
        elif hasattr(i, "__index__"):
            out.append(i.__index__())
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                             "indices (got " + type(i).__name__ + ")")
    return tuple(out), basic


def _idx_int(v):
    return v.__index__() if isinstance(v, Tensor) else v


def _unwrap_list(lst):
    if isinstance(lst, list):
        return [_unwrap_list(x) for x in lst]
    if isinstance(lst, Tensor):
        return lst.tolist()
    return lst


def _index_error(e, shape):
    msg = str(e)
    if "out of bounds" in msg:
        msg = msg.replace("axis", "dimension")
    return IndexError(msg)


def _bad_index(idx, size: int):
    """The first entry (in memory order) of the integer index array ``idx`` outside [0, size), or None. The
    index ops that take index tensors (gather, scatter, index_select, index_add, index_copy) do not wrap negative
    entries, as in PyTorch."""
    if not idx.size:
        return None
    if idx.min() >= 0 and idx.max() < size:
        return None
    flat = idx.ravel()
    return int(flat[_xp(flat).flatnonzero((flat < 0) | (flat >= size))[0]])


def _check_ints(idx, shape):
    """PyTorch's message for an out-of-range integer index."""
    dim = 0
    for i in idx:
        if i is None:
            continue
        if i is Ellipsis:
            dim = len(shape) - sum(1 for j in idx if j is not None and j is not Ellipsis) + dim + 1 - 1
            continue
        if isinstance(i, builtins.int):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            if not -shape[dim] <= i < shape[dim]:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {shape[dim]}")
        dim += 1


# ----------------------------------------------------------------------------- getitem
class IndexBackward0(Node):
    __slots__ = ("shape", "index")

    def backward(self, g):
        return _index_add_new(g, self.shape, self.index)


def getitem(self: Tensor, idx) -> Tensor:
    """``t[idx]``: basic indexing gives a view; tensors, lists and masks give a copy.

    >>> import ember
    >>> x = ember.arange(6).view(2, 3)
    >>> x[1, ::2], x[x > 3]
    (tensor([3, 5]), tensor([4, 5]))
    """
    d = self._data
    if type(idx) is builtins.int and d.ndim and not (self._rg and state.enabled) and -d.shape[0] <= idx < d.shape[0]:
        # one in-range row of a tensor outside a graph (what a Dataset's __getitem__ does per sample): the
        # general path below costs ~4x as much (index conversion, bounds check, node selection)
        return _view_result(self, d[idx] if d.ndim > 1 else d[idx, ...])
    index, basic = _convert_index(idx, d)
    if basic:
        _check_ints(index, d.shape)
        try:
            arr = d[index]
        except IndexError as e:
            raise _index_error(e, d.shape) from None
        if isinstance(arr, _generic):
            arr = d[index + (Ellipsis,)] if Ellipsis not in index else np.asarray(arr)
        res = _view_result(self, arr)
        if self._rg and state.enabled:
            n = _basic_node(index, d.shape)
            n.shape = d.shape
            n.index = index
            link(n, res, (self,))
        return res
    try:
        arr = d[index]
    except IndexError as e:
        raise _index_error(e, d.shape) from None
    res = _wrap(_arr(arr))
    if self._rg and state.enabled:
        n = IndexBackward0()
        n.shape = d.shape
        n.index = index
        link(n, res, (self,))
    return res


def _basic_node(index: tuple, shape: tuple):
    """The node PyTorch records for a basic index: its last effective step (select, slice, unsqueeze).

    Full slices (``:``) and ``...`` are no-ops in PyTorch; with no step at all it records an alias.
    """
    cls, dim = AliasBackward0, 0
    n_real = sum(1 for i in index if i is not None and i is not Ellipsis)
    for i in index:
        if i is Ellipsis:
            dim += len(shape) - n_real
        elif i is None:
            cls = UnsqueezeIndexBackward
        elif isinstance(i, slice):
            if (i.start or 0) != 0 or (i.step or 1) != 1 or (i.stop is not None and i.stop < shape[dim]):
                cls = SliceBackward0
            dim += 1
        else:
            cls = SelectBackward0
            dim += 1
    return cls()


class _ScatterSliceBackward(Node):
    """Backward of writing g into zeros at a basic index: read the same index back."""

    __slots__ = ("index",)

    def backward(self, gg):
        return gg[self.index] if self.index != () else gg


def _scatter_slice(g: Tensor, shape, index) -> Tensor:
    """zeros(shape) with g written at a basic index (differentiable in g)."""
    xp_zeros = np.zeros if type(g._data) is np.ndarray else _xp(g._data).zeros
    z = xp_zeros(shape, dtype=g._data.dtype)
    z[index] = g._data
    res = _wrap(z)
    if g._rg and state.enabled:
        n = _ScatterSliceBackward()
        n.index = index
        link(n, res, (g,))
    return res


def _xp(a):
    from .._device import array_module  # noqa: PLC0415

    return array_module(a)


class _IndexAddNewBackward(Node):
    __slots__ = ("index",)

    def backward(self, gg):
        return _wrap(_arr(gg._data[self.index])) if not gg._rg else getitem(gg, self.index)


def _index_add_new(g: Tensor, shape, index) -> Tensor:
    """zeros(shape) with g added at an advanced index (duplicates accumulate); differentiable in g."""
    gd = g._data
    z = np.zeros(shape, dtype=gd.dtype) if type(gd) is np.ndarray else _xp(gd).zeros(shape, gd.dtype)
    if any(isinstance(i, np.ndarray) and i.dtype == bool for i in index) and not _has_dup_possible(index):
        z[index] = gd
    else:
        np.add.at(z, index, gd) if type(z) is np.ndarray else _xp(z).add.at(z, index, gd)
    res = _wrap(z)
    if g._rg and state.enabled:
        n = _IndexAddNewBackward()
        n.index = index
        link(n, res, (g,))
    return res


def _has_dup_possible(index) -> bool:
    return any(isinstance(i, np.ndarray) and i.dtype != bool for i in index)


# ----------------------------------------------------------------------------- setitem / index_put
class IndexPutBackward0(Node):
    __slots__ = ("index", "vshape", "accumulate")

    def backward(self, g):
        gx = None
        if self.next_edges[0] is not None:
            gx = g if self.accumulate else _zero_at(g, self.index)
        gv = None
        if self.next_edges[1] is not None:
            gv = getitem(g, self.index)
            if gv.shape != self.vshape:
                gv = gv.sum_to_size(self.vshape) if len(self.vshape) <= gv.ndim else gv.reshape(self.vshape)
        return gx, gv


def _zero_at(g: Tensor, index) -> Tensor:
    m = np.ones(g._data.shape, dtype=bool)
    m[index] = False
    return g * _wrap(m)


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """Out-of-place ``input[indices] = values`` (or ``+=`` with accumulate), differentiable in both.

    >>> import ember
    >>> ember.zeros(3).index_put((ember.tensor([0, 2]),), ember.tensor(1.0))
    tensor([1., 0., 1.])
    """
    return _index_put(input, tuple(indices), values, accumulate)


def _index_put(input: Tensor, idx, values, accumulate: bool) -> Tensor:
    """``index_put`` with any index ``t[idx]`` accepts (ints, slices, None, tensors, lists, masks)."""
    index, _ = _convert_index(idx, input._data)
    if not isinstance(values, Tensor):
        values = as_tensor_arg(values, input)
    r = input._data.copy()
    v = to_array(values, input.dtype, r)
    try:
        if accumulate:
            np.add.at(r, index, v) if type(r) is np.ndarray else _xp(r).add.at(r, index, v)
        else:
            r[index] = v
    except IndexError as e:
        raise _index_error(e, r.shape) from None
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast to "
                           f"indexing result ({e})") from None
    res = _wrap(r)
    if state.enabled and (input._rg or values._rg):
        n = IndexPutBackward0()
        n.index, n.vshape, n.accumulate = index, values._data.shape, accumulate
        link(n, res, (input, values))
    return res


def setitem(self: Tensor, idx, value) -> None:
    """``t[idx] = value``; differentiable when ``t`` or ``value`` is part of a graph."""
    from .pointwise import apply_inplace, check_inplace  # noqa: PLC0415

    if isinstance(value, Tensor) and value._data.ndim and value.dtype is not self.dtype and \
            not _convert_index(idx, self._data)[1]:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{D.legacy_name(self.dtype)} for the destination and {D.legacy_name(value.dtype)} for "
                           f"the source.")
    recording = state.enabled and (self._rg or isinstance(value, Tensor) and value._rg)
    if recording:
        apply_inplace(self, lambda s, v: _index_put(s, idx, v, False), value)
        return
    check_inplace(self)
    index, _ = _convert_index(idx, self._data)
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor) and type(v) is not type(self._data):
        v = to_array(value, self.dtype, self._data)
    try:
        self._data[index] = v
    except IndexError as e:
        raise _index_error(e, self._data.shape) from None
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast to "
                           f"indexing result of shape {list(self._data[index].shape)}") from e
    self._bump()


# ----------------------------------------------------------------------------- gather / scatter
class GatherBackward0(Node):
    __slots__ = ("dim", "shape")

    def backward(self, g):
        (idx,) = self.saved_tensors
        return _scatter_add_new(g, self.shape, self.dim, idx)


def _check_index_tensor(index: Tensor, name: str):
    if index.dtype is not D.int64 and index.dtype is not D.int32:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """Values of ``input`` at ``index`` along ``dim``: ``out[i][j] = input[i][index[i][j]]`` (dim=1).

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]]).gather(1, ember.tensor([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]])
    """
    _check_index_tensor(index, "gather")
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    idx = index._data
    if idx.ndim != d.ndim and d.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if d.ndim == 0:
        return input.clone()
    src = d[tuple(slice(0, s) for s in idx.shape[:ax]) + (slice(None),) +
            tuple(slice(0, s) for s in idx.shape[ax + 1:])]
    bad = _bad_index(idx, d.shape[ax])
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {ax} with size {d.shape[ax]}")
    res = _wrap(_arr(np.take_along_axis(src, idx, ax)))
    if input._rg and state.enabled:
        n = GatherBackward0()
        n.dim, n.shape = ax, d.shape
        n.save(index)
        link(n, res, (input,))
    return res


class _ScatterAddNewBackward(Node):
    __slots__ = ("dim",)

    def backward(self, gg):
        (idx,) = self.saved_tensors
        return gather(gg, self.dim, idx)


def _scatter_add_new(g: Tensor, shape, dim: int, index: Tensor) -> Tensor:
    """zeros(shape).scatter_add(dim, index, g), differentiable in g."""
    z = np.zeros(shape, dtype=g._data.dtype)
    _np_scatter(z, dim, index._data, g._data, "add")
    res = _wrap(z)
    if g._rg and state.enabled:
        n = _ScatterAddNewBackward()
        n.dim = dim
        n.save(index)
        link(n, res, (g,))
    return res


def _full_index(idx: np.ndarray, dim: int):
    grids = np.indices(idx.shape, sparse=True)
    return tuple(idx if i == dim else grids[i] for i in range(idx.ndim))


def _np_scatter(target, dim, idx, src, reduce):
    if target.ndim:
        bad = _bad_index(idx, target.shape[dim])
        if bad is not None:
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {target.shape[dim]}")
    full = _full_index(idx, dim)
    if not np.isscalar(src) and getattr(src, "ndim", 0):
        src = src[tuple(slice(0, s) for s in idx.shape)]
    if reduce is None:
        target[full] = src
    elif reduce == "add" or reduce == "sum":
        np.add.at(target, full, src)
    elif reduce in ("multiply", "prod"):
        np.multiply.at(target, full, src)
    elif reduce == "amax":
        np.maximum.at(target, full, src)
    elif reduce == "amin":
        np.minimum.at(target, full, src)
    else:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")


class ScatterBackward(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        (idx,) = self.saved_tensors
        gx = _zero_scatter(g, self.dim, idx) if self.next_edges[0] is not None else None
        gs = gather(g, self.dim, idx) if len(self.next_edges) > 1 and self.next_edges[1] is not None else None
        return (gx, gs) if len(self.next_edges) > 1 else gx


ScatterBackward0 = type("ScatterBackward0", (ScatterBackward,), {"__slots__": ()})
ScatterBackward1 = type("ScatterBackward1", (ScatterBackward,), {"__slots__": ()})


def _zero_scatter(g, dim, idx):
    m = np.ones(g._data.shape, dtype=g._data.dtype)
    _np_scatter(m, dim, idx._data, 0, None)
    return g * _wrap(m)


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
    """Out-of-place scatter: ``out[i][index[i][j]] = src[i][j]`` (dim=1)."""
    _check_index_tensor(index, "scatter")
    if src is None:
        src = value
    ax = _wrap_dim(dim, input.ndim)
    r = input._data.copy()
    s = src._data.astype(r.dtype, copy=False) if isinstance(src, Tensor) else src
    _np_scatter(r, ax, index._data, s, {"add": "add", "multiply": "multiply"}.get(reduce) if reduce else None)
    res = _wrap(r)
    src_t = src if isinstance(src, Tensor) else None
    if state.enabled and (input._rg or src_t is not None and src_t._rg):
        n = ScatterBackward0() if src_t is not None else ScatterBackward1()
        n.dim = ax
        n.save(index)
        link(n, res, (input, src_t) if src_t is not None else (input,))
    return res


class ScatterAddBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        (idx,) = self.saved_tensors
        return g, (gather(g, self.dim, idx) if self.next_edges[1] is not None else None)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """Out-of-place scatter with accumulation of duplicates."""
    _check_index_tensor(index, "scatter_add")
    ax = _wrap_dim(dim, input.ndim)
    r = input._data.copy()
    _np_scatter(r, ax, index._data, src._data.astype(r.dtype, copy=False), "add")
    res = _wrap(r)
    if state.enabled and (input._rg or src._rg):
        n = ScatterAddBackward0()
        n.dim = ax
        n.save(index)
        link(n, res, (input, src))
    return res


class ScatterReduceBackward0(Node):
    __slots__ = ("dim", "reduce", "include_self")

    def backward(self, g):
        x, idx, src, y = self.saved_tensors
        d = self.dim
        red = self.reduce
        if red == "sum":
            return g, gather(g, d, idx)
        if red == "mean":
            cnt = np.zeros(x._data.shape, dtype=x._data.dtype)
            if self.include_self:
                cnt += 1
            _np_scatter(cnt, d, idx._data, np.ones(idx._data.shape, dtype=cnt.dtype), "add")
            cnt = _wrap(np.maximum(cnt, 1))
            gx = g / cnt if self.include_self else _zero_scatter(g, d, idx)
            return gx, gather(g / cnt, d, idx)
        if red in ("amax", "amin"):
            ysel = gather(y, d, idx)
            src_hit = _crop(src, idx) == ysel
            self_hit = (x == y) if self.include_self else None
            cnt = np.zeros(x._data.shape, dtype=x._data.dtype)
            if self_hit is not None:
                cnt += self_hit._data
            _np_scatter(cnt, d, idx._data, src_hit._data.astype(cnt.dtype), "add")
            cnt_t = _wrap(np.maximum(cnt, 1))
            gx = g * self_hit / cnt_t if self_hit is not None else _zero_scatter(g, d, idx)
            gs = gather(g / cnt_t, d, idx) * src_hit
            return gx, gs
        # prod
        gx = g * y / x
        gs = gather(g * y, d, idx) / _crop(src, idx)
        return gx, gs


def _crop(src: Tensor, idx: Tensor) -> Tensor:
    return src[tuple(slice(0, s) for s in idx.shape)]


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Scatter with a reduction: 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    _check_index_tensor(index, "scatter_reduce")
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    ax = _wrap_dim(dim, input.ndim)
    r = input._data.copy()
    idx = index._data
    s = src._data.astype(r.dtype, copy=False)
    if not include_self:
        hit = np.zeros(r.shape, dtype=bool)
        _np_scatter(hit, ax, idx, True, None)
        fill = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
        if r.dtype.kind in "iub" and reduce in ("amax", "amin"):
            info = np.iinfo(r.dtype)
            fill = info.min if reduce == "amax" else info.max
        r[hit] = fill
    if reduce == "mean":
        cnt = np.zeros(r.shape, dtype=np.float64)
        if include_self:
            cnt += 1
        _np_scatter(cnt, ax, idx, np.ones(idx.shape), "add")
        _np_scatter(r, ax, idx, s, "add")
        touched = np.zeros(r.shape, dtype=bool)
        _np_scatter(touched, ax, idx, True, None)
        div = np.where(cnt == 0, 1, cnt)
        r = np.where(touched, (r / div) if r.dtype.kind == "f" else np.floor_divide(r, div.astype(r.dtype)), r)
        r = r.astype(input._data.dtype)
    else:
        _np_scatter(r, ax, idx, s, reduce)
    res = _wrap(r)
    if state.enabled and (input._rg or src._rg):
        n = ScatterReduceBackward0()
        n.dim, n.reduce, n.include_self = ax, reduce, include_self
        n.save(input, index, src, res.detach())
        link(n, res, (input, src))
    return res


class IndexSelectBackward0(Node):
    __slots__ = ("dim", "shape")

    def backward(self, g):
        (idx,) = self.saved_tensors
        z = g.new_zeros(self.shape)
        return z.index_add(self.dim, idx, g)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Rows (or slices along ``dim``) picked by a 1-D index tensor."""
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype._cat != 1:
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    idx = index._data.reshape(-1)
    if d.ndim == 0:
        if _bad_index(idx, 1) is not None:
            raise IndexError("index out of range in self")
        return input.clone()
    bad = _bad_index(idx, d.shape[ax])
    if bad is not None:  # PyTorch's dim-1 kernel and its general one word it differently
        if d.ndim > 1 and ax == 1:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={d.shape[ax]}")
        raise IndexError("index out of range in self")
    res = _wrap(np.take(d, idx, axis=ax))
    if input._rg and state.enabled:
        n = IndexSelectBackward0()
        n.dim, n.shape = ax, d.shape
        n.save(index)
        link(n, res, (input,))
    return res


class IndexAddBackward0(Node):
    __slots__ = ("dim", "alpha")

    def backward(self, g):
        (idx,) = self.saved_tensors
        gs = index_select(g, self.dim, idx) if self.next_edges[1] is not None else None
        if gs is not None and self.alpha != 1:
            gs = gs * self.alpha
        return g, gs


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """Out-of-place: add ``alpha * source`` slices at ``index`` along ``dim``."""
    ax = _wrap_dim(dim, input.ndim)
    r = input._data.copy()
    if r.ndim:
        bad = _bad_index(index._data, r.shape[ax])
        if bad is not None:  # PyTorch takes scatter_add (and its message) for the outer dims without alpha
            if r.ndim > 1 and (ax == 0 or ax == r.ndim - 1) and alpha == 1:
                raise RuntimeError(f"index {bad} is out of bounds for dimension {ax} with size {r.shape[ax]}")
            raise IndexError("index out of range in self")
    src = source._data.astype(r.dtype, copy=False)
    if alpha != 1:
        src = src * alpha
    sel = (slice(None),) * ax + (index._data.reshape(-1),)
    if r.ndim == 0:
        r = r + src
    else:
        np.add.at(r, sel, src)
    res = _wrap(_arr(r))
    if state.enabled and (input._rg or source._rg):
        n = IndexAddBackward0()
        n.dim, n.alpha = ax, alpha
        n.save(index)
        link(n, res, (input, source))
    return res


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    ax = _wrap_dim(dim, input.ndim)
    if input.ndim:
        size = input.shape[ax]
        bad = _bad_index(index._data, size)
        if bad is not None:
            raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {ax} with size {size}")
    return index_put(input, (slice(None),) * ax + (index,), source)


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    ax = _wrap_dim(dim, input.ndim)
    return index_put(input, (slice(None),) * ax + (index,), value if isinstance(value, Tensor) else
                     as_tensor_arg(value, input).to(input.dtype))


class MaskedFillBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        (m,) = self.saved_tensors
        from .pointwise import where  # noqa: PLC0415

        zero = g.new_zeros(())  # not g * 0: an inf/nan gradient must still become 0 where masked
        gx = where(m, zero, g)
        if self.next_edges[1] is not None:
            return gx, where(m, g, zero).sum()
        return gx, None


MaskedFillBackward1 = type("MaskedFillBackward1", (MaskedFillBackward0,), {"__slots__": ()})


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """Copy of ``input`` with ``value`` where ``mask`` is True.

    >>> import ember
    >>> ember.zeros(3).masked_fill(ember.tensor([True, False, True]), 1.)
    tensor([1., 0., 1.])
    """
    if mask.dtype is not D.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name if mask.dtype is not D.uint8 else 'unsigned char'}")
    vt = value if isinstance(value, Tensor) else None
    if vt is not None and vt.ndim != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{vt.ndim} dimension(s).")
    d = input._data
    v = vt._data if vt is not None else value
    try:
        r = np.where(mask._data, np.asarray(v).astype(d.dtype), d)
    except ValueError:
        raise broadcast_error(tuple(mask.shape), d.shape) from None
    if r.shape != d.shape:
        raise RuntimeError(f"masked_fill: mask of shape {list(mask.shape)} can't be broadcast to the input shape "
                           f"{list(d.shape)}")
    res = _wrap(_arr(r))
    if state.enabled and (input._rg or vt is not None and vt._rg):
        n = MaskedFillBackward0() if vt is None else MaskedFillBackward1()
        n.save(mask)
        link(n, res, (input, vt))
    return res


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """1-D tensor of the elements where ``mask`` is True."""
    if mask.dtype is not D.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    from .shape import broadcast_tensors  # noqa: PLC0415

    x, m = broadcast_tensors(input, mask)
    return getitem(x, m)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    m = np.broadcast_to(mask._data, input._data.shape)
    k = int(m.sum())
    return index_put(input, (_wrap(m),), source.reshape(-1)[:k])


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of the flattened input at ``index``."""
    n = input.numel()
    idx = index._data
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"out of range: tried to access index {int(idx.max())} on a tensor of {n} elements.")
    return getitem(input.reshape(-1), index)


def take_along_dim(input: Tensor, indices: Tensor, dim=None) -> Tensor:
    if dim is None:
        return take(input, indices.reshape(-1))
    from .shape import broadcast_shapes  # noqa: PLC0415

    ax = _wrap_dim(dim, input.ndim)
    sh_i = list(input.shape)
    sh_x = list(indices.shape)
    sh_i[ax] = 1
    sh_x[ax] = 1
    b = list(broadcast_shapes(tuple(sh_i), tuple(sh_x)))
    bi, bx = list(b), list(b)
    bi[ax], bx[ax] = input.shape[ax], indices.shape[ax]
    return gather(input.expand(bi), ax, indices.expand(bx))


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of nonzero elements: an (n, ndim) tensor, or a tuple of 1-D tensors."""
    nz = np.nonzero(input._data) if input.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(_wrap(a.astype(np.int64)) for a in nz)
    return _wrap(np.stack(nz, axis=1).astype(np.int64) if input.ndim else
                 np.zeros((int(bool(input._data)), 0), np.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


def _new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    from .creation import zeros  # noqa: PLC0415

    return zeros(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    from .creation import ones  # noqa: PLC0415

    return ones(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    from .creation import full  # noqa: PLC0415

    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def _new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    return _new_zeros(self, *size, dtype=dtype, device=device, requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    from .creation import tensor  # noqa: PLC0415

    import warnings  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _inplace(fn):
    def method(self, *args, **kwargs):
        from .pointwise import apply_inplace  # noqa: PLC0415

        return apply_inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


register(__getitem__=getitem, __setitem__=setitem, index_put=index_put, gather=gather, scatter=scatter,
         scatter_add=scatter_add, scatter_reduce=scatter_reduce, index_select=index_select, index_add=index_add,
         index_copy=index_copy, index_fill=index_fill, masked_fill=masked_fill, masked_select=masked_select,
         masked_scatter=masked_scatter, take=take, take_along_dim=take_along_dim, nonzero=nonzero,
         argwhere=argwhere, new_zeros=_new_zeros, new_ones=_new_ones, new_full=_new_full, new_empty=_new_empty,
         new_tensor=_new_tensor)
register(index_put_=_inplace(index_put), scatter_=_inplace(scatter), scatter_add_=_inplace(scatter_add),
         scatter_reduce_=_inplace(scatter_reduce), index_add_=_inplace(index_add), index_copy_=_inplace(index_copy),
         index_fill_=_inplace(index_fill), masked_fill_=_inplace(masked_fill),
         masked_scatter_=_inplace(masked_scatter))


def unravel_index(indices: Tensor, shape) -> tuple:
    """Flat indices into a tensor of ``shape`` as a tuple of coordinate tensors, one per dim (int64).

    >>> import ember
    >>> ember.unravel_index(ember.tensor([4, 1]), (2, 3))
    (tensor([1, 0]), tensor([1, 1]))
    """
    from collections.abc import Sequence  # noqa: PLC0415

    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    if indices.dtype._cat != 1:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, (builtins.int, np.integer)):
        shape = (builtins.int(shape),)
    elif not isinstance(shape, Sequence):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    for s in shape:
        if not isinstance(s, (builtins.int, np.integer)):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(s)}")
    shape = tuple(builtins.int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    d = indices._data
    if 0 in shape and d.size:
        raise RuntimeError("ZeroDivisionError")
    coefs = np.cumprod((shape[1:] + (1,))[::-1], dtype=np.int64)[::-1]
    dims = np.asarray(shape, dtype=np.int64)
    with np.errstate(divide="ignore"):
        r = np.floor_divide(np.asarray(d, dtype=np.int64)[..., None], coefs) % np.where(dims == 0, 1, dims)
    return tuple(_wrap(r[..., k].copy()) for k in range(len(shape)))


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "argwhere", "gather", "index_add", "index_copy", "index_fill", "index_put", "index_select", "masked_fill",
    "masked_scatter", "masked_select", "nonzero", "scatter", "scatter_add", "scatter_reduce", "take",
    "take_along_dim", "unravel_index",
]
