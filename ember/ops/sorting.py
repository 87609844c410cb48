"""Sorting, selection and statistics: sort, topk, median, mode, unique, histc, searchsorted, quantile, cov."""
from __future__ import annotations

import builtins
import math
import warnings
from collections import namedtuple

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, _wrap_dim, array_module, register, state

__all__ = ["argsort", "bincount", "bucketize", "corrcoef", "cov", "histc", "histogram", "kthvalue", "median", "mode", "msort",
           "nanmedian", "nanquantile", "quantile", "searchsorted", "sort", "topk", "unique", "unique_consecutive"]

_generic = np.generic


def _arr(r):
    return np.asarray(r) if isinstance(r, _generic) else r


def return_type(name: str, fields):
    """A ``torch.return_types.<name>`` named tuple class with PyTorch's repr."""
    cls = namedtuple(name, fields)
    cls.__module__ = "torch.return_types"
    cls.__qualname__ = name

    def _repr(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls.__repr__ = _repr
    return cls


def out_tuple(rt, results, out):
    """``rt(*results)``, or, with ``out=(t0, t1, ...)``, the results written into those tensors."""
    if out is None:
        return rt(*results)
    from .pointwise import _out  # noqa: PLC0415

    if len(out) != len(results):
        raise TypeError(f"expected a tuple of {len(results)} tensors for out, got {len(out)}")
    return rt(*(_out(r, o) for r, o in zip(results, out)))


sort_rt = return_type("sort", ["values", "indices"])
topk_rt = return_type("topk", ["values", "indices"])
kthvalue_rt = return_type("kthvalue", ["values", "indices"])
median_rt = return_type("median", ["values", "indices"])
nanmedian_rt = return_type("nanmedian", ["values", "indices"])
mode_rt = return_type("mode", ["values", "indices"])
histogram_rt = return_type("histogram", ["hist", "bin_edges"])


# ----------------------------------------------------------------------------- backward of selections
class SortBackward0(Node):
    """Gradient of values picked along ``dim`` by saved indices: scattered back to those indices."""

    __slots__ = ("dim", "keepdim", "shape")

    def backward(self, g):
        (idx,) = self.saved_tensors
        if not self.shape:
            return g.reshape(())
        if not self.keepdim:
            g = g.unsqueeze(self.dim)
            idx = idx.unsqueeze(self.dim)
        from .indexing import _scatter_add_new  # noqa: PLC0415

        return _scatter_add_new(g, self.shape, self.dim, idx)


SortBackward1 = type("SortBackward1", (SortBackward0,), {"__slots__": ()})
TopkBackward0 = type("TopkBackward0", (SortBackward0,), {"__slots__": ()})
KthvalueBackward0 = type("KthvalueBackward0", (SortBackward0,), {"__slots__": ()})
MedianBackward1 = type("MedianBackward1", (SortBackward0,), {"__slots__": ()})
NanmedianBackward1 = type("NanmedianBackward1", (SortBackward0,), {"__slots__": ()})
ModeBackward0 = type("ModeBackward0", (SortBackward0,), {"__slots__": ()})


class MedianBackward0(Node):
    """Gradient of a full reduction to one value: split evenly among the elements equal to it."""

    __slots__ = ()

    def backward(self, g):
        x, value = self.saved_tensors
        if bool(np.isnan(value._data).any()):
            mask = x.isnan()
        else:
            mask = x == value
        return mask * (g / mask.sum())


NanmedianBackward0 = type("NanmedianBackward0", (MedianBackward0,), {"__slots__": ()})


def _link_select(cls, input: Tensor, values: Tensor, indices: Tensor, dim: int, keepdim: bool) -> None:
    if input._rg and state.enabled:
        n = cls()
        n.dim, n.keepdim, n.shape = dim, keepdim, input._data.shape
        n.save(indices)
        link(n, values, (input,))


# ----------------------------------------------------------------------------- sort
def _argsort(d, ax: int, descending: bool):
    """Stable argsort along ``ax``; NaN is the largest value (PyTorch's order), ties keep input order."""
    xp = array_module(d)
    if not descending:
        return xp.argsort(d, axis=ax, kind="stable")
    n = d.shape[ax]
    idx = xp.argsort(xp.flip(d, ax), axis=ax, kind="stable")
    return (n - 1) - xp.flip(idx, ax)


def _take(d, idx, ax):
    xp = array_module(d)
    return xp.take_along_axis(d, idx, ax)


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool | None = None, *, out=None):
    """Sorted values along ``dim`` and their indices (a stable sort; NaN counts as the largest value).

    >>> import ember
    >>> ember.sort(ember.tensor([3., 1., 2.]))
    torch.return_types.sort(
    values=tensor([1., 2., 3.]),
    indices=tensor([1, 2, 0]))
    """
    if isinstance(dim, builtins.bool):  # the sort(x, stable, ...) overload: every sort here is stable
        dim, stable = -1, dim
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        values, indices = _wrap(d.copy()), _wrap(array_module(d).zeros((), dtype=np.int64))
    else:
        idx = _argsort(d, ax, descending)
        values, indices = _wrap(_take(d, idx, ax)), _wrap(idx.astype(np.int64, copy=False))
    _link_select(SortBackward0 if stable is None else SortBackward1, input, values, indices, ax, True)
    return out_tuple(sort_rt, (values, indices), out)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort ``input`` along ``dim``.

    >>> import ember
    >>> ember.argsort(ember.tensor([3, 1, 2]), descending=True)
    tensor([0, 2, 1])
    """
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return _wrap(array_module(d).zeros((), dtype=np.int64))
    return _wrap(_argsort(d, ax, descending).astype(np.int64, copy=False))


def msort(input: Tensor) -> Tensor:
    """Sort along the first dimension (values only).

    >>> import ember
    >>> ember.msort(ember.tensor([[2., 1.], [1., 3.]]))
    tensor([[1., 1.],
            [2., 3.]])
    """
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, out=None):  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    >>> import ember
    >>> ember.topk(ember.tensor([1., 5., 3., 4.]), 2)
    torch.return_types.topk(
    values=tensor([5., 4.]),
    indices=tensor([1, 3]))
    """
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    n = d.shape[ax] if d.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if d.ndim == 0:
        values = _wrap(d.copy())
        indices = _wrap(array_module(d).zeros((), dtype=np.int64))
    else:
        idx = _argsort(d, ax, largest)
        idx = idx[(slice(None),) * ax + (slice(0, k),)]
        values, indices = _wrap(_take(d, idx, ax)), _wrap(idx.astype(np.int64, copy=False))
    _link_select(TopkBackward0, input, values, indices, ax, True)
    return out_tuple(topk_rt, (values, indices), out)


def _pick(input: Tensor, ax: int, pos, keepdim: bool):
    """Values and indices at sorted position ``pos`` (an array broadcastable to the reduced shape)."""
    d = input._data
    xp = array_module(d)
    order = _argsort(d, ax, False)
    p = xp.broadcast_to(xp.asarray(pos, dtype=np.int64), d.shape[:ax] + d.shape[ax + 1:])
    p = xp.expand_dims(p, ax)
    idx = xp.take_along_axis(order, p, ax)
    vals = xp.take_along_axis(d, idx, ax)
    if not keepdim:
        idx, vals = idx.squeeze(ax), vals.squeeze(ax)
    return _wrap(_arr(vals)), _wrap(_arr(idx.astype(np.int64, copy=False)))


def _check_nonempty_dim(d, ax: int, name: str) -> None:
    if d.ndim and d.shape[ax] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest value (1-based) along ``dim`` and its index.

    >>> import ember
    >>> ember.kthvalue(ember.tensor([3., 1., 2.]), 2)
    torch.return_types.kthvalue(
    values=tensor(2.),
    indices=tensor(2))
    """
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    n = d.shape[ax] if d.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
    if d.ndim == 0:
        values, indices = _wrap(d.copy()), _wrap(np.zeros((), np.int64))
    else:
        values, indices = _pick(input, ax, k - 1, keepdim)
    _link_select(KthvalueBackward0, input, values, indices, ax, keepdim or d.ndim == 0)
    return out_tuple(kthvalue_rt, (values, indices), out)


def _nan_count(d, ax):
    if d.dtype.kind not in "fc":
        return 0
    return array_module(d).isnan(d).sum(axis=ax)


def _median_all(input: Tensor, ignore_nan: bool) -> Tensor:
    d = input._data
    xp = array_module(d)
    flat = d.reshape(-1)
    if flat.size == 0:
        fill = np.nan if d.dtype.kind in "fc" else np.iinfo(d.dtype).min if d.dtype.kind in "iu" else False
        res = _wrap(xp.asarray(fill, dtype=d.dtype))  # what NaN becomes in PyTorch's kernel
    else:
        srt = xp.sort(flat, kind="stable")
        nn = int(_nan_count(flat, 0))
        if ignore_nan:
            pos = builtins.max((flat.size - nn - 1) // 2, 0)
        else:
            pos = flat.size - nn if nn else (flat.size - 1) // 2
        res = _wrap(srt[pos:pos + 1].reshape(()).copy())
    if input._rg and state.enabled:
        from ..autograd.graph import SavedOutput  # noqa: PLC0415

        n = NanmedianBackward0() if ignore_nan else MedianBackward0()
        n.save(input, SavedOutput(res))
        link(n, res, (input,))
    return res


def median(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """Lower median of all values (NaN if any is NaN), or per ``dim`` with the index of the median.

    >>> import ember
    >>> ember.median(ember.tensor([1., 4., 2., 3.]))
    tensor(2.)
    """
    if dim is None:
        from .reduction import _maybe_out  # noqa: PLC0415

        return _maybe_out(_median_all(input, False), out)
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    _check_nonempty_dim(d, ax, "median")
    if d.ndim == 0:
        values, indices = _wrap(d.copy()), _wrap(np.zeros((), np.int64))
    else:
        n = d.shape[ax]
        nn = _nan_count(d, ax)
        pos = np.where(np.asarray(nn) > 0, n - np.asarray(nn), (n - 1) // 2)
        values, indices = _pick(input, ax, pos, keepdim)
    _link_select(MedianBackward1, input, values, indices, ax, keepdim or d.ndim == 0)
    return out_tuple(median_rt, (values, indices), out)


def nanmedian(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """Median ignoring NaN values (NaN only where all values are NaN).

    >>> import ember
    >>> ember.nanmedian(ember.tensor([1., float('nan'), 3., 2.]))
    tensor(2.)
    """
    if dim is None:
        from .reduction import _maybe_out  # noqa: PLC0415

        return _maybe_out(_median_all(input, True), out)
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    _check_nonempty_dim(d, ax, "median")
    if d.ndim == 0:
        values, indices = _wrap(d.copy()), _wrap(np.zeros((), np.int64))
    else:
        cnt = d.shape[ax] - np.asarray(_nan_count(d, ax))
        values, indices = _pick(input, ax, np.maximum((cnt - 1) // 2, 0), keepdim)
    _link_select(NanmedianBackward1, input, values, indices, ax, keepdim or d.ndim == 0)
    return out_tuple(nanmedian_rt, (values, indices), out)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, out=None):
    """Most frequent value along ``dim`` (the smallest among ties) and the index of its last occurrence.

    >>> import ember
    >>> ember.mode(ember.tensor([1, 2, 2, 3]))
    torch.return_types.mode(
    values=tensor(2),
    indices=tensor(2))
    """
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    _check_nonempty_dim(d, ax, "mode")
    if d.ndim == 0:
        values, indices = _wrap(d.copy()), _wrap(np.zeros((), np.int64))
    else:
        xp = array_module(d)
        order = _argsort(d, ax, False)
        s = xp.moveaxis(xp.take_along_axis(d, order, ax), ax, -1)
        n = s.shape[-1]
        start = xp.ones(s.shape, dtype=bool)
        start[..., 1:] = s[..., 1:] != s[..., :-1]
        ar = xp.arange(n)
        run_start = xp.maximum.accumulate(xp.where(start, ar, 0), axis=-1)
        best = xp.argmax(ar - run_start, axis=-1)  # first position where a longest run ends
        pos = xp.moveaxis(xp.expand_dims(best, -1), -1, ax)
        idx = xp.take_along_axis(order, pos, ax)
        vals = xp.take_along_axis(d, idx, ax)
        if not keepdim:
            idx, vals = idx.squeeze(ax), vals.squeeze(ax)
        values, indices = _wrap(_arr(vals)), _wrap(_arr(idx.astype(np.int64, copy=False)))
    _link_select(ModeBackward0, input, values, indices, ax, keepdim or d.ndim == 0)
    return out_tuple(mode_rt, (values, indices), out)


# ----------------------------------------------------------------------------- unique
def _unique_result(out, inverse, counts, return_inverse, return_counts):
    res = [_wrap(out)]
    if return_inverse:
        res.append(_wrap(inverse.astype(np.int64, copy=False)))
    if return_counts:
        res.append(_wrap(counts.astype(np.int64, copy=False)))
    return res[0] if len(res) == 1 else tuple(res)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim=None):
    """The distinct values (or slices along ``dim``), sorted; optionally inverse indices and counts.

    >>> import ember
    >>> ember.unique(ember.tensor([3, 1, 3, 2]), return_counts=True)
    (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    d = input._np()
    if dim is None:
        flat = d.reshape(-1)
        out, inv, cnt = np.unique(flat, return_inverse=True, return_counts=True, equal_nan=False)
        inv = inv.reshape(d.shape)
    else:
        ax = _wrap_dim(dim, d.ndim)
        if d.shape[ax] == 0:
            out, inv, cnt = d.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64)
        else:
            out, inv, cnt = np.unique(d, return_inverse=True, return_counts=True, axis=ax, equal_nan=False)
            inv = inv.reshape(-1)
    return _to_dev(input, _unique_result(out, inv, cnt, return_inverse, return_counts))


def _to_dev(input: Tensor, res):
    if type(input._data) is np.ndarray:
        return res
    if isinstance(res, tuple):
        return tuple(r.to(input.device) for r in res)
    return res.to(input.device)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Collapse runs of equal consecutive values (or slices along ``dim``).

    >>> import ember
    >>> ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 1]))
    tensor([1, 2, 1])
    """
    d = input._np()
    if dim is None:
        rows = d.reshape(-1)
        change = rows[1:] != rows[:-1]
    else:
        ax = _wrap_dim(dim, d.ndim)
        rows = np.moveaxis(d, ax, 0).reshape(d.shape[ax], -1)
        change = (rows[1:] != rows[:-1]).any(axis=1)
    n = rows.shape[0]
    start = np.concatenate([np.ones(builtins.min(n, 1), dtype=bool), change])
    starts = np.flatnonzero(start)
    cnt = np.diff(np.append(starts, n))
    inv = np.cumsum(start) - 1
    if dim is None:
        out, inv = rows[start], inv.reshape(d.shape)
    else:
        out = np.take(d, starts, axis=ax)
    return _to_dev(input, _unique_result(out, inv, cnt, return_inverse, return_counts))


# ----------------------------------------------------------------------------- counting
def _legacy(dt: D.dtype) -> str:
    from .reduction import _legacy_name  # noqa: PLC0415

    return _legacy_name(dt)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """Count of each value in a 1-D tensor of non-negative integers (optionally weighted).

    >>> import ember
    >>> ember.bincount(ember.tensor([0, 1, 1, 3]))
    tensor([1, 2, 0, 1])
    """
    d = input._np()
    if d.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_legacy(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if d.ndim != 1 or (d.size and d.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None:
        w = weights._np()
        if w.ndim != 1 or w.shape[0] != d.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        odt = weights.dtype if weights.dtype in (D.float32, D.float64) else D.float64
        r = np.bincount(d, w.astype(np.float64), minlength=minlength).astype(D.np_dtype(odt))
    else:
        r = np.bincount(d, minlength=minlength).astype(np.int64)
    return _to_dev(input, _wrap(r))


def _fmt(v: float) -> str:
    return f"{v:g}"


def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:  # noqa: A002
    """Histogram of values in ``bins`` equal bins over ``[min, max]`` (the data range when min == max).

    >>> import ember
    >>> ember.histc(ember.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    d = input._np()
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_legacy(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = builtins.float(min), builtins.float(max)
    if lo == hi and d.size:
        lo, hi = builtins.float(d.min()), builtins.float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_fmt(lo)}, {_fmt(hi)}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    flat = d.reshape(-1)
    lo_t, hi_t = d.dtype.type(lo), d.dtype.type(hi)
    keep = flat[(flat >= lo_t) & (flat <= hi_t)]
    pos = ((keep - lo_t) * bins / (hi_t - lo_t)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    res = _wrap(np.bincount(pos, minlength=bins).astype(d.dtype))
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_to_dev(input, res), out)


def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None,  # noqa: A002
              density: bool = False, out=None):
    """Histogram with ``bins`` equal bins (or given increasing bin edges), optionally weighted or as a density.

    >>> import ember
    >>> ember.histogram(ember.tensor([1., 2., 1.]), bins=2).hist
    tensor([2., 1.])
    """
    d = input._np()
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_legacy(input.dtype)}'")
    flat = d.reshape(-1)
    if isinstance(bins, Tensor):
        edges_t = bins
        if bins.ndim != 1 or bins.numel() < 1:
            raise RuntimeError("torch.histogram(): bins tensor should have one dimension and at least 1 element")
        edges = bins._np().astype(d.dtype)
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
        if range is not None:
            lo, hi = builtins.float(range[0]), builtins.float(range[1])
        elif flat.size:
            lo, hi = builtins.float(flat.min()), builtins.float(flat.max())
        else:
            lo = hi = 0.0
        if lo > hi:
            raise RuntimeError("torch.histogram(): max must be larger than min")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        from .creation import linspace  # noqa: PLC0415

        edges_t = linspace(lo, hi, bins + 1, dtype=input.dtype)
        edges = edges_t._np()
    nb = edges.shape[0] - 1
    w = None if weight is None else weight._np().reshape(-1).astype(np.float64)
    if nb <= 0:
        hist = np.zeros(0, dtype=d.dtype)
    else:
        keep = (flat >= edges[0]) & (flat <= edges[-1])
        pos = np.minimum(np.searchsorted(edges, flat[keep], side="right") - 1, nb - 1)
        hist = np.bincount(pos, None if w is None else w[keep], minlength=nb).astype(d.dtype)
        if density:
            with np.errstate(divide="ignore", invalid="ignore"):
                hist = (hist / (hist.sum() * np.diff(edges))).astype(d.dtype)
    return out_tuple(histogram_rt, (_to_dev(input, _wrap(hist)), _to_dev(input, _wrap(edges.copy()))), out)


# ----------------------------------------------------------------------------- searchsorted
def _searchsorted_rows(b, v, right: bool):
    """Row-wise searchsorted of values ``v`` (R, K) in sorted rows ``b`` (R, M), without a loop over rows."""
    r, m = b.shape
    k = v.shape[1]
    dt = np.result_type(b.dtype, v.dtype)
    vals = np.concatenate([b.astype(dt), v.astype(dt)], axis=1)
    flag = np.concatenate([np.full(m, 0 if right else 1), np.full(k, 1 if right else 0)])
    order = np.lexsort((np.broadcast_to(flag, vals.shape), vals), axis=-1)
    cum_b = np.cumsum(order < m, axis=1)
    rows, cols = np.nonzero(order >= m)
    res = np.empty((r, k), dtype=np.int64)
    res[rows, order[rows, cols] - m] = cum_b[rows, cols]
    return res


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False, side=None,
                 sorter: Tensor | None = None, out=None) -> Tensor:
    """Insertion indices of ``input`` into the innermost dim of ``sorted_sequence`` (left, or right when
    ``right=True`` / ``side='right'``).

    >>> import ember
    >>> ember.searchsorted(ember.tensor([1, 3, 5, 7]), ember.tensor([3, 6]))
    tensor([1, 3])
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    b = sorted_sequence._np()
    scalar = not isinstance(input, Tensor)
    v = np.asarray(input) if scalar else input._np()
    if sorter is not None:
        s = sorter._np()
        if s.shape != b.shape:
            raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(b.shape)}and got sorter tensor {list(s.shape)}")
        b = np.take_along_axis(b, s, -1) if b.ndim else b
    if b.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(b.shape)} and input value tensor {list(v.shape)}")
    if b.ndim == 1:
        res = np.searchsorted(b, v, side="right" if right else "left").astype(np.int64)
    else:
        if v.ndim != b.ndim or v.shape[:-1] != b.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               "dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(b.shape)} and input value tensor {list(v.shape)}")
        lead = v.shape[:-1]
        res = _searchsorted_rows(b.reshape(-1, b.shape[-1]), v.reshape(-1, v.shape[-1]), right)
        res = res.reshape(lead + (v.shape[-1],))
    res = _wrap(np.asarray(res, dtype=np.int32 if out_int32 else np.int64))
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_to_dev(sorted_sequence, res), out)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False, out=None) -> Tensor:
    """Index of the bucket of each value given 1-D increasing ``boundaries`` (``right`` as in searchsorted).

    >>> import ember
    >>> ember.bucketize(ember.tensor([1, 5, 9]), ember.tensor([2, 4, 6, 8]))
    tensor([0, 2, 4])
    """
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ----------------------------------------------------------------------------- quantile
_INTERP = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool) -> Tensor:
    from .creation import tensor as _tensor  # noqa: PLC0415
    from .pointwise import where  # noqa: PLC0415

    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor) and q.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.dtype is not input.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        qa = q._np()
        if qa.size and not ((qa >= 0) & (qa <= 1)).all():
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        q_vec = q.ndim == 1
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        qa, q_vec = np.asarray(q, dtype=input._data.dtype), False
    if interpolation not in _INTERP:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    qa = np.asarray(qa, dtype=input._data.dtype).reshape(-1)
    nd = input.ndim
    if dim is None:
        x = input.reshape(-1)
        out_shape = (1,) * nd if keepdim else ()
    else:
        ax = _wrap_dim(dim, nd)
        x = input.movedim(ax, -1) if nd else input.reshape(1)
        sh = input._data.shape
        out_shape = tuple(1 if i == ax else s for i, s in enumerate(sh)) if keepdim else \
            tuple(s for i, s in enumerate(sh) if i != ax)
    srt = sort(x, -1).values
    sd = srt._data
    n = sd.shape[-1]
    lead = sd.shape[:-1]
    nan_cnt = np.isnan(sd).sum(axis=-1, keepdims=True)
    if ignore_nan:
        cnt = n - nan_cnt
        ranks = np.where(cnt == 0, 0, qa * (cnt - 1).astype(sd.dtype))
    else:
        ranks = np.where(nan_cnt > 0, n - 1, qa * sd.dtype.type(n - 1)).astype(sd.dtype)
    ranks = np.asarray(ranks, dtype=sd.dtype)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    below = ranks.astype(np.int64)
    idx_b = _wrap(np.ascontiguousarray(np.broadcast_to(below, lead + (qa.size,))))
    vb = srt.gather(-1, idx_b)
    if interpolation in ("linear", "midpoint"):
        above = np.ceil(ranks).astype(np.int64)
        idx_a = _wrap(np.ascontiguousarray(np.broadcast_to(above, lead + (qa.size,))))
        va = srt.gather(-1, idx_a)
        w = ranks - below if interpolation == "linear" else np.where(above > below, 0.5, 0.0)
        w = np.broadcast_to(np.asarray(w, dtype=sd.dtype), lead + (qa.size,))
        wt = _tensor(np.ascontiguousarray(w))
        lo_part = vb + wt * (va - vb)
        hi_part = va - (va - vb) * (1 - wt)
        res = where(_tensor(w < 0.5), lo_part, hi_part)
    else:
        res = vb
    res = res.movedim(-1, 0) if res.ndim else res
    shape = ((qa.size,) if q_vec else ()) + out_shape
    return res.reshape(shape)


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
             out=None) -> Tensor:
    """The ``q``-quantiles (scalar or 1-D tensor in [0, 1]) over all values or along ``dim``.

    >>> import ember
    >>> ember.quantile(ember.tensor([1., 2., 3., 4.]), 0.5)
    tensor(2.5000)
    """
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_quantile(input, q, dim, keepdim, interpolation, False), out)


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear",
                out=None) -> Tensor:
    """Like ``quantile``, ignoring NaN values.

    >>> import ember
    >>> ember.nanquantile(ember.tensor([1., float('nan'), 3.]), 0.5)
    tensor(2.)
    """
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_quantile(input, q, dim, keepdim, interpolation, True), out)


# ----------------------------------------------------------------------------- cov, corrcoef
def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """Covariance matrix of the variables in the rows of ``input`` (observations in columns).

    >>> import ember
    >>> ember.cov(ember.tensor([[0., 1., 2.], [2., 1., 0.]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    if x.dtype._cat < 2:
        x = x.to(D._default.dtype)
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is not None:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if aweights is not None and correction != 0:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
        else:
            norm = w_sum - correction
        norm_val = builtins.float(norm.item())
    else:
        avg = x.mean(1)
        norm_val = builtins.float(n_obs - correction)
        norm = norm_val
    if norm_val <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm = 0.0
    xc = x - avg.unsqueeze(1)
    c = xc @ (xc * w if w is not None else xc).t()
    with np.errstate(divide="ignore", invalid="ignore"):
        return (c / norm).squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows of ``input``.

    >>> import ember
    >>> ember.corrcoef(ember.tensor([[0., 1., 2.], [2., 1., 0.]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.reshape(-1, 1)
    c = c / std.reshape(1, -1)
    return c.clamp(-1, 1)


register(sort=sort, argsort=argsort, msort=msort, topk=topk, kthvalue=kthvalue, median=median, nanmedian=nanmedian,
         mode=mode, unique=unique, unique_consecutive=unique_consecutive, bincount=bincount, histc=histc,
         histogram=histogram, quantile=quantile, nanquantile=nanquantile, cov=cov, corrcoef=corrcoef)
