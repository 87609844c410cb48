"""nn.functional, pooling family: max/avg/adaptive/LP pooling and max unpooling, through strided window views."""
from __future__ import annotations

import functools
import math

import numpy as np

from ..._device import array_module
from ..._tensor import Tensor, _wrap
from ...autograd import engine as _engine
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link
from ...ops._util import _INT_VIEW, keep_on_tie
from ...ops.unary import relu as _relu
from .conv import _col2im, _pad_arr, _plain, _shape_str, _windows

_RELU_NODE = _relu._node  # ReluBackward0 (see _TiledMaxPoolBackward.raw)

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]


def _ntuple(v, nd: int, name: str) -> tuple:
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return (int(v[0]),) * nd
        if len(v) != nd:
            raise RuntimeError(f"max_pool{nd}d: {name} must either be a single int, or a tuple of {nd} ints")
        return tuple(int(i) for i in v)
    return (int(v),) * nd


def _contig(r):
    return np.ascontiguousarray(r) if type(r) is np.ndarray else array_module(r).ascontiguousarray(r)


# ----------------------------------------------------------------------------- scatter/gather by flat spatial index
class _GatherFlatBackward(Node):
    __slots__ = ("nsp", "shape")

    def backward(self, g):
        (idx,) = self.saved_tensors
        return _scatter_flat(g, idx, self.shape, _ScatterFlatBackward, self.nsp)


class _ScatterFlatBackward(Node):
    __slots__ = ("nsp",)

    def backward(self, g):
        (idx,) = self.saved_tensors
        return _gather_flat(g, idx, self.nsp)


def _scatter_flat(src: Tensor, idx: Tensor, shape, cls, nsp: int) -> Tensor:
    """zeros(shape) with ``src (*lead, *Out)`` added at flat positions ``idx`` of the last ``nsp`` dims."""
    sd, id_ = src._data, idx._data
    rows = int(np.prod(shape[:len(shape) - nsp]))
    sp = int(np.prod(shape[len(shape) - nsp:]))
    xp = array_module(sd)
    glob = (id_.reshape(rows, -1) + xp.arange(rows).reshape(rows, 1) * sp).reshape(-1)
    w = sd.reshape(-1)
    r = xp.bincount(glob, weights=w.astype(np.float64) if w.dtype != np.float64 else w, minlength=rows * sp)
    res = _wrap(r.astype(sd.dtype, copy=False).reshape(shape))
    if src._rg and state.enabled:
        n = cls()
        n.nsp = nsp
        n.save(idx)
        link(n, res, (src,))
    return res


def _gather_flat(x: Tensor, idx: Tensor, nsp: int) -> Tensor:
    """``x (*lead, *S)`` read at flat positions ``idx (*lead, *Out)`` of the last ``nsp`` dims; differentiable."""
    d, id_ = x._data, idx._data
    rows = int(np.prod(d.shape[:d.ndim - nsp]))
    xp = array_module(d)
    r = xp.take_along_axis(d.reshape(rows, -1), id_.reshape(rows, -1), 1).reshape(id_.shape)
    res = _wrap(r)
    if x._rg and state.enabled:
        n = _GatherFlatBackward()
        n.shape, n.nsp = d.shape, nsp
        n.save(idx)
        link(n, res, (x,))
    return res


def _max_node(name):
    def backward(self, g):
        (idx,) = self.saved_tensors
        return _scatter_flat(g, idx, self.shape, _ScatterFlatBackward, self.nsp)

    return type(name, (Node,), {"__slots__": ("shape", "nsp"), "backward": backward})


MaxPool2DWithIndicesBackward0 = _max_node("MaxPool2DWithIndicesBackward0")
MaxPool3DWithIndicesBackward0 = _max_node("MaxPool3DWithIndicesBackward0")
AdaptiveMaxPool2DBackward0 = _max_node("AdaptiveMaxPool2DBackward0")
AdaptiveMaxPool3DBackward0 = _max_node("AdaptiveMaxPool3DBackward0")
MaxUnpool2DBackward0 = type("MaxUnpool2DBackward0", (_ScatterFlatBackward,), {"__slots__": ()})


def _finish_indexed(x: Tensor, vals, idx, cls, nsp: int) -> tuple:
    res = _wrap(vals)
    it = _wrap(idx)
    if x._rg and state.enabled:
        n = cls()
        n.shape, n.nsp = x._data.shape, nsp
        n.save(it)
        link(n, res, (x,))
    return res, it


# ----------------------------------------------------------------------------- max pooling
def _pool_out(size, k, s, p, d, ceil):
    num = size + 2 * p - d * (k - 1) - 1
    out = (num + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def _check_input(input: Tensor, nd: int, name: str) -> bool:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    return input.ndim == nd + 1


def _pool_geometry(input, nd, kernel_size, stride, padding, dilation, ceil_mode, is_max):
    """Checked kernel/stride/padding/dilation tuples, output sizes and (lo, hi) pads; cached per argument set
    of plain ints (anything else, e.g. a tensor, is recomputed every call)."""
    parts = (_plain(kernel_size), _plain(stride), _plain(padding), _plain(dilation))
    if None in parts or type(ceil_mode) is not bool:
        return _pool_geometry_compute(input, nd, kernel_size, stride, padding, dilation, ceil_mode, is_max)
    key = (input._data.shape[-nd - 1:], nd, parts, ceil_mode, is_max)
    r = _GEOM_CACHE.get(key)
    if r is None:
        r = _pool_geometry_compute(input, nd, kernel_size, stride, padding, dilation, ceil_mode, is_max)
        if len(_GEOM_CACHE) > 512:
            _GEOM_CACHE.clear()
        _GEOM_CACHE[key] = r
    return r


_GEOM_CACHE: dict = {}


def _pool_geometry_compute(input, nd, kernel_size, stride, padding, dilation, ceil_mode, is_max):
    ks = _ntuple(kernel_size, nd, "kernel_size")
    st = ks if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else \
        _ntuple(stride, nd, "stride")
    pd = _ntuple(padding, nd, "padding")
    dl = _ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in st):
        raise RuntimeError("stride should not be zero" if any(s == 0 for s in st) else "stride should be positive")
    if any(k <= 0 for k in ks):
        raise RuntimeError("kernel size should be greater than zero")
    if any(d <= 0 for d in dl):
        raise RuntimeError("dilation should be greater than zero")
    for k, p, d in zip(ks, pd, dl):
        if is_max and p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
        if not is_max and p > k // 2:
            raise RuntimeError(f"pad should be at most half of kernel size, but got pad={p} and kernel_size={k}")
    sizes = input.shape[-nd:]
    outs = tuple(_pool_out(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(sizes, ks, st, pd, dl))
    if any(o <= 0 for o in outs):
        c = input.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(str(v) for v in (c,) + tuple(sizes))}). Calculated output "
                           f"size: ({'x'.join(str(v) for v in (c,) + outs)}). Output size is too small")
    # right padding large enough for the last (ceil_mode) window
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, k, s, p, d, o in zip(sizes, ks, st, pd, dl, outs))
    return ks, st, pd, dl, outs, pads


class _TiledMaxPoolBackward(Node):
    """Backward of a non-overlapping max pool (kernel == stride, no padding), from the winning kernel offset."""

    __slots__ = ("karg", "ks", "nsp", "outs", "pos", "shape")

    def _flat_index(self):
        return _tiled_index(self.karg, self.ks, self.outs, self.shape)

    def backward(self, g):
        idx = _wrap(self._flat_index())
        return _scatter_flat(g, idx, self.shape, _ScatterFlatBackward, self.nsp)

    def raw(self, g):
        """Each kernel offset's strided slice of a zeros array gets ``g`` where that offset won, else +0.0: a
        bitwise AND of the gradient's bits with an all-ones/zeros mask for float32/64 (a product with the 0/1
        mask gives -0.0 under negative gradients and NaN under infinite ones; copyto with where= is 4x slower)."""
        karg, ks, outs = self.karg, self.ks, self.outs
        it = _INT_VIEW.get(g.dtype) if g.shape == karg.shape else None
        # over a ReLU's output, the ReLU's own mask (output > 0) is applied here on the pooled maxima, unless the
        # ReLU output's gradient is observed (hooks, retain_grad, captured by autograd.grad): see
        # ember/ops/unary.py::_relu_node_raw (the ReLU's backward was three passes over the full-size gradient)
        pos = None
        if self.pos is not None and it is not None and not _engine.capturing():
            e = self.next_edges[0]
            if e is not None and type(e[0]) is _RELU_NODE and not e[0]._pre_hooks:
                pos = self.pos
        # the bitwise path writes every element of every offset's slice; when the windows tile the whole input
        # those slices cover it exactly, so no zero fill first ((64, 16, 28, 28) float32: ~100 us)
        tiled = it is not None and all(s == o * k for s, o, k in zip(self.shape[-len(ks):], outs, ks))
        gx = (np.empty if tiled else np.zeros)(self.shape, dtype=g.dtype)
        if it is not None:
            gi, gxi = g.view(it), gx.view(it)
            m = np.empty(g.shape, dtype=it)
            won = np.empty(g.shape, dtype=bool)
        for k, ix in enumerate(_tiled_slices(tuple(ks), tuple(outs))):
            if it is None:
                np.copyto(gx[ix], g, where=karg == k)
                continue
            np.equal(karg, k, out=won)
            if pos is not None:
                won &= pos
            np.subtract(0, won.view(np.int8), out=m)  # -1 (all bits set) where offset k won
            np.bitwise_and(gi, m, out=gxi[ix])
        if pos is not None:
            self.next_edges[0][0].premasked = gx
        return gx


_TILED_NODES = {nd: type(f"MaxPool{max(nd, 2)}DWithIndicesBackward0", (_TiledMaxPoolBackward,), {"__slots__": ()})
                for nd in (2, 3)}


def _tiled_index(karg, ks, outs, shape):
    """Flat input positions (int64) of the winning offsets ``karg`` of a non-overlapping max pool."""
    nd = len(ks)
    kidx = np.unravel_index(karg, ks) if nd > 1 else (karg,)
    pos = 0
    for i in range(nd):
        o = np.arange(outs[i]).reshape((outs[i],) + (1,) * (nd - 1 - i))
        pos = pos * shape[len(shape) - nd + i] + (o * ks[i] + kidx[i])
    return pos.astype(np.int64)


@functools.lru_cache(maxsize=256)
def _tiled_slices(ks, outs):
    """The index of each kernel offset's strided slice, in ``np.ndindex(*ks)`` order."""
    return tuple((Ellipsis,) + tuple(slice(o, o + n * s, s) for o, n, s in zip(off, outs, ks))
                 for off in np.ndindex(*ks))


def _tiled_max_2d(d, ks, outs):
    """The running maximum of a 2-D tiled pool in two stages: over the kernel's columns on every kept row, then
    over its rows, whose slices are contiguous runs of the half-done result (2x2 on (64, 16, 28, 28): 355 against
    550 us for the maximum over the four strided slices). On ties the earlier column, then the earlier row, wins:
    the first in row-major kernel order, as the one-stage loop keeps."""
    kh, kw = ks
    oh, ow = outs
    rows = d[..., :oh * kh, :]
    cm = rows[..., 0:ow * kw:kw].copy()
    for j in range(1, kw):
        keep_on_tie(np.maximum, cm, rows[..., j:ow * kw:kw], out=cm)
    vals = cm[..., 0::kh, :].copy()
    for i in range(1, kh):
        keep_on_tie(np.maximum, vals, cm[..., i::kh, :], out=vals)
    return vals


def _tiled_max_pool(input, d, nd, ks, outs, unbatched, need_idx):
    """Max pool with kernel == stride and no padding: a running maximum over the prod(K) strided slices."""
    slices = _tiled_slices(tuple(ks), tuple(outs))
    if nd == 2 and ks[0] > 1:
        vals = _tiled_max_2d(d, ks, outs)
    else:
        vals = d[slices[0]].copy()
        for ix in slices[1:]:
            keep_on_tie(np.maximum, vals, d[ix], out=vals)  # the first of equal values (-0.0 before 0.0), as PyTorch
    grad = input._rg and state.enabled
    if not (grad or need_idx):
        return _wrap(vals[0] if unbatched else vals), None
    views = [d[ix] for ix in slices]
    if d.dtype.kind == "f" and np.isnan(vals).any():
        return None
    # the first offset holding the maximum wins, as in PyTorch: karg_k = (x_k != max) * (1 + karg_{k+1})
    karg = np.zeros(vals.shape, dtype=np.uint8 if len(views) < 256 else np.int64)
    ne = np.empty(vals.shape, dtype=bool)
    for k in range(len(views) - 2, -1, -1):
        np.not_equal(views[k], vals, out=ne)
        karg += 1
        np.multiply(karg, ne, out=karg)
    res = _wrap(vals[0] if unbatched else vals)
    it = None
    if need_idx:
        pos = _tiled_index(karg, ks, outs, d.shape)
        it = _wrap(pos[0] if unbatched else pos)
    if grad:
        n = _TILED_NODES[max(nd, 2)]()
        n.shape, n.nsp, n.ks, n.outs = input._data.shape, nd, ks, outs
        n.karg = karg[0] if unbatched else karg
        v = vals[0] if unbatched else vals
        n.pos = (v > 0) if type(input.grad_fn) is _RELU_NODE and v.dtype.kind == "f" else None
        link(n, res, (input,))
    return res, it


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, name, need_idx=True):
    unbatched = _check_input(input, nd, name)
    ks, st, pd, dl, outs, pads = _pool_geometry(input, nd, kernel_size, stride, padding, dilation, ceil_mode, True)
    d = input._data[None] if unbatched else input._data
    if ks == st and not any(lo or hi for lo, hi in pads) and type(d) is np.ndarray and d.dtype.kind in "fiu" \
            and all(x == 1 for x in dl):
        r = _tiled_max_pool(input, d, nd, ks, outs, unbatched, need_idx)
        if r is not None:
            return r
    fill = -np.inf if d.dtype.kind == "f" else np.iinfo(d.dtype).min
    win = _windows(_pad_arr(d, pads, fill), ks, st, dl, outs)  # (N, C, *Out, *K)
    flat = win.reshape(win.shape[:2 + nd] + (-1,))
    xp = array_module(d)
    arg = flat.argmax(-1)
    vals = xp.take_along_axis(flat, arg[..., None], -1)[..., 0]
    # window offset -> flat input position
    kidx = xp.unravel_index(arg, ks) if nd > 1 else (arg,)
    pos = 0
    for i in range(nd):
        o = xp.arange(outs[i]).reshape((outs[i],) + (1,) * (nd - 1 - i))
        c = o * st[i] - pd[i] + kidx[i] * dl[i]
        pos = pos * d.shape[2 + i] + c
    cls = MaxPool2DWithIndicesBackward0 if nd <= 2 else MaxPool3DWithIndicesBackward0
    if unbatched:
        vals, pos = vals[0], pos[0]
    return _finish_indexed(input, _contig(vals), pos.astype(np.int64), cls, nd)


def _via_2d(fn, input, *args):
    """1-D pooling computed as 2-D pooling over a unit height (as PyTorch does)."""
    r = fn(input.unsqueeze(-2), *args)
    if isinstance(r, tuple):
        return tuple(t.squeeze(-2) for t in r)
    return r.squeeze(-2)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """1-D max pooling returning ``(values, indices)``."""
    _check_input(input, 1, "max_pool1d")
    return _via_2d(lambda x, *a: _max_pool(x, 2, *a, "max_pool1d"), input, (1, _ntuple(kernel_size, 1, "")[0]),
                   None if stride is None or stride == [] else (1, _ntuple(stride, 1, "")[0]),
                   (0, _ntuple(padding, 1, "")[0]), (1, _ntuple(dilation, 1, "")[0]), ceil_mode)


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """2-D max pooling returning ``(values, indices)``; indices are flat positions in each input plane.

    >>> import ember
    >>> v, i = ember.nn.functional.max_pool2d_with_indices(ember.arange(16.).view(1, 1, 4, 4), 2)
    >>> i
    tensor([[[[ 5,  7],
              [13, 15]]]])
    """
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
                            return_indices: bool = True):
    """3-D max pooling returning ``(values, indices)``."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``.

    >>> import ember
    >>> ember.nn.functional.max_pool1d(ember.tensor([[1., 3., 2., 5.]]), 2)
    tensor([[3., 5.]])
    """
    r = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return r if return_indices else r[0]


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> import ember
    >>> ember.nn.functional.max_pool2d(ember.arange(16.).view(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d", False)[0]


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """3-D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    >>> import ember
    >>> ember.nn.functional.max_pool3d(ember.arange(8.).view(1, 2, 2, 2), 2).flatten()
    tensor([7.])
    """
    r = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return r if return_indices else r[0]


# ----------------------------------------------------------------------------- average pooling
def _avg_divisor(sizes, ks, st, pd, outs, count_include_pad, divisor_override, xp, dtype):
    if divisor_override:
        return None
    div = None
    for i, (n, k, s, p, o) in enumerate(zip(sizes, ks, st, pd, outs)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        full = end - start
        cnt = full if count_include_pad else np.minimum(end, n) - np.maximum(start, 0)
        cnt = cnt.reshape((o,) + (1,) * (len(sizes) - 1 - i))
        div = cnt if div is None else div * cnt
    return xp.asarray(div.astype(dtype))


class _AvgPoolBackward(Node):
    __slots__ = ("geom", "shape")

    def backward(self, g):
        return _avg_pool_adjoint(g, self.geom, self.shape)


AvgPool2DBackward0 = type("AvgPool2DBackward0", (_AvgPoolBackward,), {"__slots__": ()})
AvgPool3DBackward0 = type("AvgPool3DBackward0", (_AvgPoolBackward,), {"__slots__": ()})


class _AvgPoolAdjointBackward(Node):
    __slots__ = ("geom",)

    def backward(self, g):
        return _avg_pool_apply(g, self.geom, _AvgPoolBackward)


def _avg_pool_apply(x: Tensor, geom, cls) -> Tensor:
    ks, st, outs, pads, div, override = geom
    d = x._data
    nd = len(ks)
    win = _windows(_pad_arr(d, pads), ks, st, (1,) * nd, outs)
    r = win.sum(tuple(range(-nd, 0)))
    r = r / override if div is None else r / div
    res = _wrap(_contig(r.astype(d.dtype, copy=False)))
    if x._rg and state.enabled:
        n = cls()
        n.geom, n.shape = geom, d.shape
        link(n, res, (x,))
    return res


def _avg_pool_adjoint(g: Tensor, geom, shape) -> Tensor:
    ks, st, _, pads, div, override = geom
    nd = len(ks)
    gd = g._data
    gd = gd / override if div is None else gd / div
    gd = gd.astype(g._data.dtype, copy=False)
    cols = array_module(gd).broadcast_to(gd.reshape(gd.shape + (1,) * nd), gd.shape + tuple(ks))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(shape[-nd:], pads))
    full = _col2im(cols, padded, ks, st, (1,) * nd)
    r = full[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(shape[-nd:], pads))]
    res = _wrap(_contig(r))
    if g._rg and state.enabled:
        n = _AvgPoolAdjointBackward()
        n.geom = geom
        link(n, res, (g,))
    return res


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, name):
    _check_input(input, nd, name)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    ks, st, pd, _, outs, pads = _pool_geometry(input, nd, kernel_size, stride, padding, 1, ceil_mode, False)
    d = input._data
    div = _avg_divisor(d.shape[-nd:], ks, st, pd, outs, count_include_pad, divisor_override, array_module(d),
                       d.dtype)
    geom = (ks, st, outs, pads, div, divisor_override)
    return _avg_pool_apply(input, geom, AvgPool2DBackward0 if nd <= 2 else AvgPool3DBackward0)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling.

    >>> import ember
    >>> ember.nn.functional.avg_pool1d(ember.tensor([[1., 3., 2., 6.]]), 2)
    tensor([[2., 4.]])
    """
    _check_input(input, 1, "avg_pool1d")
    k = _ntuple(kernel_size, 1, "kernel_size")[0]
    s = None if stride is None or stride == [] else _ntuple(stride, 1, "stride")[0]
    return _via_2d(lambda x: _avg_pool(x, 2, (1, k), None if s is None else (1, s), (0, _ntuple(padding, 1, "")[0]),
                                       ceil_mode, count_include_pad, None, "avg_pool1d"), input)


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-D average pooling (``count_include_pad``, ``ceil_mode``, ``divisor_override`` as PyTorch).

    >>> import ember
    >>> ember.nn.functional.avg_pool2d(ember.arange(16.).view(1, 4, 4), 2)
    tensor([[[ 2.5000,  4.5000],
             [10.5000, 12.5000]]])
    """
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool2d")


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """3-D average pooling.

    >>> import ember
    >>> ember.nn.functional.avg_pool3d(ember.arange(8.).view(1, 2, 2, 2), 2).flatten()
    tensor([3.5000])
    """
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool3d")


# ----------------------------------------------------------------------------- adaptive pooling
def _adaptive_sizes(output_size, sizes, nd: int, name: str) -> tuple:
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != nd:
            raise RuntimeError(f"{name}: output_size must be {nd}")
        return tuple(s if o is None else int(o) for o, s in zip(output_size, sizes))
    return (int(output_size),) * nd


def _bounds(n: int, o: int):
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


class _MatsBackward(Node):
    __slots__ = ("mats",)

    def backward(self, g):
        return _apply_mats(g, [m.T for m in self.mats], _MatsBackward)


AdaptiveAvgPool2DBackward0 = type("AdaptiveAvgPool2DBackward0", (_MatsBackward,), {"__slots__": ()})
AdaptiveAvgPool3DBackward0 = type("AdaptiveAvgPool3DBackward0", (_MatsBackward,), {"__slots__": ()})


def _apply_mats(x: Tensor, mats, cls) -> Tensor:
    """Apply a linear map ``mats[i] (out_i, in_i)`` along each of the trailing spatial dims."""
    d = x._data
    nd = len(mats)
    xp = array_module(d)
    r = d
    for i, m in enumerate(mats):
        ax = d.ndim - nd + i
        m = xp.asarray(m.astype(d.dtype, copy=False))
        r = xp.moveaxis(xp.moveaxis(r, ax, -1) @ m.T, -1, ax)
    res = _wrap(_contig(r))
    if x._rg and state.enabled:
        n = cls()
        n.mats = mats
        link(n, res, (x,))
    return res


def _adaptive_avg(input, output_size, nd, name):
    _check_input(input, nd, name)
    outs = _adaptive_sizes(output_size, input.shape[-nd:], nd, name)
    mats = []
    for n, o in zip(input.shape[-nd:], outs):
        lo, hi = _bounds(n, o)
        j = np.arange(n)
        m = ((j >= lo[:, None]) & (j < hi[:, None])) / (hi - lo)[:, None]
        mats.append(m)
    return _apply_mats(input, mats, AdaptiveAvgPool2DBackward0 if nd <= 2 else AdaptiveAvgPool3DBackward0)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output length.

    >>> import ember
    >>> ember.nn.functional.adaptive_avg_pool1d(ember.tensor([[1., 2., 3., 4., 5.]]), 2)
    tensor([[2., 4.]])
    """
    _check_input(input, 1, "adaptive_avg_pool1d")
    o = output_size[0] if isinstance(output_size, (list, tuple)) else output_size
    return _via_2d(lambda x: _adaptive_avg(x, (1, o), 2, "adaptive_avg_pool1d"), input)


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size ``(oH, oW)`` (``None`` keeps that dim).

    >>> import ember
    >>> ember.nn.functional.adaptive_avg_pool2d(ember.arange(16.).view(1, 4, 4), 1)
    tensor([[[7.5000]]])
    """
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size ``(oD, oH, oW)``."""
    return _adaptive_avg(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max(input, output_size, nd, name):
    unbatched = _check_input(input, nd, name)
    d = input._data[None] if unbatched else input._data
    xp = array_module(d)
    sizes = d.shape[2:]
    outs = _adaptive_sizes(output_size, sizes, nd, name)
    idxs = []
    for i, (n, o) in enumerate(zip(sizes, outs)):
        lo, hi = _bounds(n, o)
        kmax = int((hi - lo).max())
        ix = np.minimum(lo[:, None] + np.arange(kmax), hi[:, None] - 1)  # (o, kmax); short windows repeat the end
        shp = [1] * (2 * nd)
        shp[i], shp[nd + i] = o, kmax
        idxs.append(xp.asarray(ix.reshape(shp)))
    win = d[(slice(None), slice(None)) + tuple(idxs)]  # (N, C, *Out, *Kmax)
    flat = win.reshape(win.shape[:2 + nd] + (-1,))
    arg = flat.argmax(-1)
    vals = xp.take_along_axis(flat, arg[..., None], -1)[..., 0]
    kshape = win.shape[2 + nd:]
    kidx = xp.unravel_index(arg, kshape) if nd > 1 else (arg,)
    pos = 0
    for i in range(nd):
        ix = idxs[i].reshape(outs[i], kshape[i])
        o = xp.arange(outs[i]).reshape((outs[i],) + (1,) * (nd - 1 - i))
        pos = pos * sizes[i] + ix[o, kidx[i]]
    cls = AdaptiveMaxPool2DBackward0 if nd <= 2 else AdaptiveMaxPool3DBackward0
    if unbatched:
        vals, pos = vals[0], pos[0]
    return _finish_indexed(input, _contig(vals), pos.astype(np.int64), cls, nd)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """Adaptive 1-D max pooling returning ``(values, indices)``."""
    _check_input(input, 1, "adaptive_max_pool1d")
    o = output_size[0] if isinstance(output_size, (list, tuple)) else output_size
    return _via_2d(lambda x: _adaptive_max(x, (1, o), 2, "adaptive_max_pool1d"), input)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """Adaptive 2-D max pooling returning ``(values, indices)``."""
    return _adaptive_max(input, output_size, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    """Adaptive 3-D max pooling returning ``(values, indices)``."""
    return _adaptive_max(input, output_size, 3, "adaptive_max_pool3d")


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output length.

    >>> import ember
    >>> ember.nn.functional.adaptive_max_pool1d(ember.tensor([[1., 5., 3., 4., 2.]]), 2)
    tensor([[5., 4.]])
    """
    r = adaptive_max_pool1d_with_indices(input, output_size)
    return r if return_indices else r[0]


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size ``(oH, oW)``.

    >>> import ember
    >>> ember.nn.functional.adaptive_max_pool2d(ember.arange(16.).view(1, 4, 4), 1)
    tensor([[[15.]]])
    """
    r = adaptive_max_pool2d_with_indices(input, output_size)
    return r if return_indices else r[0]


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size ``(oD, oH, oW)``."""
    r = adaptive_max_pool3d_with_indices(input, output_size)
    return r if return_indices else r[0]


# ----------------------------------------------------------------------------- LP pooling and unpooling
def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd, avg):
    ks = _ntuple(kernel_size, nd, "kernel_size")
    out = avg(input.pow(norm_type), ks, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(math.prod(ks)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum x^p)^(1/p)`` over 1-D windows."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, avg_pool1d)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum x^p)^(1/p)`` over 2-D windows.

    >>> import ember
    >>> ember.nn.functional.lp_pool2d(ember.ones(1, 2, 2), 2, 2)
    tensor([[[2.]]])
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, avg_pool2d)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """Power-average pooling ``(sum x^p)^(1/p)`` over 3-D windows."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, avg_pool3d)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd, name):
    ks = _ntuple(kernel_size, nd, "kernel_size")
    st = ks if stride is None else _ntuple(stride, nd, "stride")
    pd = _ntuple(padding, nd, "padding")
    unbatched = input.ndim == nd + 1
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected input to be a {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{_shape_str(input.shape)}")
    if unbatched:
        input, indices = input.unsqueeze(0), indices.unsqueeze(0)
    default = tuple((i - 1) * s - 2 * p + k for i, s, p, k in zip(input.shape[2:], st, pd, ks))
    if output_size is None:
        size = default
    else:
        size = tuple(int(v) for v in output_size)[-nd:]
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_shape_str(input.shape)}) but got indices tensor with shape: "
                           f"{_shape_str(indices.shape)}")
    total = math.prod(size)
    idx = indices._data
    if idx.size and (idx.min() < 0 or idx.max() >= total):
        raise RuntimeError(f"Found an invalid max index: {int(idx.max())} (output volumes are of size "
                           f"{'x'.join(str(s) for s in size)}")
    shape = tuple(input.shape[:2]) + size
    res = _scatter_flat(input, indices, shape, MaxUnpool2DBackward0, nd)
    return res.squeeze(0) if unbatched else res


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Partial inverse of max_pool1d: values placed at ``indices``, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Partial inverse of max_pool2d: values placed at ``indices``, zeros elsewhere.

    >>> import ember
    >>> v, i = ember.nn.functional.max_pool2d(ember.arange(4.).view(1, 1, 2, 2), 2, return_indices=True)
    >>> ember.nn.functional.max_unpool2d(v, i, 2)
    tensor([[[[0., 0.],
              [0., 3.]]]])
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Partial inverse of max_pool3d."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")
