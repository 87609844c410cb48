"""nn.functional, convolution family: conv1d/2d/3d, conv_transpose1d/2d/3d, unfold and fold (im2col / col2im)."""
from __future__ import annotations

import functools
import math

import numpy as np

from ..._device import array_module
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "fold",
    "unfold",
]

_CNAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
          "int64": "long int", "int32": "int"}


# ----------------------------------------------------------------------------- array helpers (shared by pooling)
def _strided(a, shape, strides):
    """A read-only strided view of array ``a`` (NumPy or CuPy)."""
    if type(a) is np.ndarray:
        if a.flags.c_contiguous:  # the ndarray constructor: ~1 us against as_strided's ~12 us
            v = np.ndarray(shape, a.dtype, a, 0, strides)
            v.flags.writeable = False
            return v
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=False)
    return array_module(a).lib.stride_tricks.as_strided(a, shape, strides)


def _pad_arr(a, pads, value=0.0):
    """Pad (or crop, for negative amounts) the trailing ``len(pads)`` dims of ``a`` by ``(lo, hi)`` pairs."""
    if not any(lo or hi for lo, hi in pads):
        return a
    lead = a.ndim - len(pads)
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        crop = tuple(slice(max(-lo, 0), s - max(-hi, 0)) for (lo, hi), s in zip(pads, a.shape[lead:]))
        a = a[(slice(None),) * lead + crop]
        pads = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
        if not any(lo or hi for lo, hi in pads):
            return a
    shape = a.shape[:lead] + tuple(s + lo + hi for (lo, hi), s in zip(pads, a.shape[lead:]))
    out = array_module(a).full(shape, value, dtype=a.dtype)
    out[(slice(None),) * lead + tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, a.shape[lead:]))] = a
    return out


def _out_sizes(sizes, ksize, stride, dil):
    return tuple((s - d * (k - 1) - 1) // st + 1 for s, k, st, d in zip(sizes, ksize, stride, dil))


def _windows(a, ksize, stride, dil, out=None):
    """View ``(*lead, *S)`` as ``(*lead, *Out, *K)``: every window of the trailing ``len(ksize)`` dims."""
    nd = len(ksize)
    lead = a.ndim - nd
    if out is None:
        out = _out_sizes(a.shape[lead:], ksize, stride, dil)
    st = a.strides
    strides = st[:lead] + tuple(st[lead + i] * stride[i] for i in range(nd)) + \
        tuple(st[lead + i] * dil[i] for i in range(nd))
    return _strided(a, a.shape[:lead] + tuple(out) + tuple(ksize), strides)


def _col2im(cols, size, ksize, stride, dil):
    """Adjoint of ``_windows``: sum ``cols (*lead, *Out, *K)`` into a new ``(*lead, *size)`` array."""
    nd = len(ksize)
    lead = cols.ndim - 2 * nd
    out_sz = cols.shape[lead:lead + nd]
    res = array_module(cols).zeros(cols.shape[:lead] + tuple(size), dtype=cols.dtype)
    for k in np.ndindex(*ksize):
        idx = tuple(slice(k[i] * dil[i], k[i] * dil[i] + stride[i] * (out_sz[i] - 1) + 1, stride[i])
                    for i in range(nd))
        res[(Ellipsis,) + idx] += cols[(Ellipsis,) + tuple(slice(None) for _ in range(nd)) + k]
    return res


def _conv_arr(x, w, stride, pads, dil, groups):
    """Cross-correlation of ``x (N, C, *S)`` with ``w (O, C/g, *K)``: im2col view + one batched matmul."""
    cols, out = _im2col(x, w.shape[2:], stride, pads, dil, groups)  # the im2col copy
    n, o = x.shape[0], w.shape[0]
    res = w.reshape(groups, o // groups, -1) @ cols  # (N, g, Og, P): one batched matmul
    return res.reshape((n, o) + out)


def _conv_t_arr(x, w, stride, pads, dil, groups):
    """Transposed convolution of ``x (N, C, *In)`` with ``w (C, O/g, *K)``; ``pads`` crop the full output."""
    nd = w.ndim - 2
    c, og = w.shape[:2]
    if all(s == 1 for s in stride) and c <= og * groups:
        # a plain convolution with the flipped, transposed kernel (its im2col copies the smaller side)
        wf = w.reshape((groups, c // groups, og) + w.shape[2:]).swapaxes(1, 2)
        wf = wf[(Ellipsis,) + (slice(None, None, -1),) * nd].reshape((groups * og, c // groups) + w.shape[2:])
        cp = [(d * (k - 1) - lo, d * (k - 1) - hi) for d, k, (lo, hi) in zip(dil, w.shape[2:], pads)]
        return _conv_arr(x, np.ascontiguousarray(wf) if type(wf) is np.ndarray else wf.copy(), stride, cp, dil,
                         groups)
    n, c = x.shape[:2]
    ins = x.shape[2:]
    ks = w.shape[2:]
    og = w.shape[1]
    cg = c // groups
    kp = int(np.prod(ks))
    wt = w.reshape(groups, cg, og * kp).transpose(0, 2, 1)
    cols = wt @ x.reshape(n, groups, cg, -1)  # (N, g, Og*K, In)
    cols = cols.reshape((n, groups * og) + ks + ins)
    perm = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    cols = cols.transpose(perm)  # (N, O, *In, *K)
    full = tuple((i - 1) * s + d * (k - 1) + 1 for i, s, d, k in zip(ins, stride, dil, ks))
    size = tuple(max(f, f - hi) for f, (_, hi) in zip(full, pads))
    res = _col2im(cols, size, ks, stride, dil)
    return res[(slice(None), slice(None)) + tuple(slice(lo, f - hi) for f, (lo, hi) in zip(full, pads))]


# ----------------------------------------------------------------------------- stride-1 fast path (flat shifts)
# With stride 1, the padded input flattened per channel turns every kernel offset into one contiguous shift:
# output position ``o`` (on a grid as wide as the padded input) reads ``flat[o + off_k]``. The im2col copy is then
# one long run per (channel, sample, kernel offset), and the adjoint (col2im) one long add per run. Grid columns
# past the true output width are garbage in the forward (cropped) and zero in the backward (so they add nothing).
# Columns are laid out channel-major, ``(C * K, N * run)``, so the whole batch is one GEMM with the weight
# (``(O, C*K) @ (C*K, N*run)``) rather than N small ones; the weight gradient is one GEMM too, with no sum over N.
@functools.lru_cache(maxsize=512)
def _flat_geom_cached(size, ks, pads, dil):
    return _flat_geom_compute(size, ks, pads, dil)


def _flat_geom(size, ks, pads, dil):
    """The flat-shift layout: padded sizes, output sizes, kernel offsets, run length, buffer length, the kernel
    axes' element strides, and the slices placing the input in the padded grid and the output in the result grid.

    Cached per geometry: computing it costs ~100 us of Python, as much as a batch-1 convolution itself.
    """
    try:
        return _flat_geom_cached(size, ks, pads, dil)
    except TypeError:  # a list among the arguments
        return _flat_geom_cached(tuple(size), tuple(ks), tuple(tuple(p) for p in pads), tuple(dil))


def _flat_geom_compute(size, ks, pads, dil):
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(size, pads))
    out = tuple(p - d * (k - 1) for p, d, k in zip(sp, dil, ks))
    st = [1] * len(sp)
    for i in range(len(sp) - 2, -1, -1):
        st[i] = st[i + 1] * sp[i + 1]
    offs = tuple(sum(k[i] * dil[i] * st[i] for i in range(len(sp))) for k in np.ndindex(*ks))
    run = out[0] * st[0]
    kst = tuple(d * s for d, s in zip(dil, st))  # element stride of each kernel axis in the flat input
    data = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, size))  # where the input sits in the padded grid
    crop = tuple(slice(0, s) for s in out)  # the true output on the grid
    return sp, out, offs, run, max(math.prod(sp), offs[-1] + run), kst, data, crop


def _swap01(a):
    """``a`` with its first two axes swapped (a view)."""
    return a.transpose((1, 0) + tuple(range(2, a.ndim)))


def _flat_cols(x, ks, pads, dil, geom, ones=False):
    """``x (N, C, *S)`` -> columns ``(C * prod(K), N * run)`` in the flat-shift layout, with a last row of ones
    when ``ones`` (the bias's row: see ``_flat_conv``).

    The kernel offsets form a regular grid in the flat padded input, so all the shifted runs are one strided view
    ``(C, *K, N, run)`` of it, and the columns one copy of that view (batch 64: 0.32 against 0.53 ms for one copy
    per offset; batch 1: 5 against 16 us).
    """
    sp, _, offs, run, blen, kst, data = geom[:7]
    n, c = x.shape[:2]
    buf = np.zeros((c, n, blen), dtype=x.dtype)
    buf[:, :, :math.prod(sp)].reshape((c, n) + sp)[(Ellipsis,) + data] = _swap01(x)
    it = buf.itemsize
    rows = c * len(offs)
    cols = np.empty((rows + 1 if ones else rows, n * run), dtype=x.dtype)
    shifted = (c,) + tuple(ks) + (n, run)
    np.copyto(cols[:rows].reshape(shifted), np.ndarray(shifted, buf.dtype, buf, 0, (buf.strides[0],) + tuple(
        k * it for k in kst) + (buf.strides[1], it)))
    if ones:
        cols[rows] = 1
    return cols


def _flat_grad(g, geom):
    """Output gradient ``(N, O, *Out)`` laid out on the flat-shift grid ``(O, N * run)``, zero off the output."""
    sp, out, _, run = geom[:4]
    n, o = g.shape[:2]
    shape = (o, n, out[0]) + sp[1:]
    if all(a == b for a, b in zip(out[1:], sp[1:])):
        gp = np.empty(shape, dtype=g.dtype)
        np.copyto(gp, _swap01(g))
    else:
        gp = np.zeros(shape, dtype=g.dtype)
        gp[(Ellipsis,) + geom[7]] = _swap01(g)
    return gp.reshape(o, n * run)


def _flat_conv(x, w, b, pads, dil):
    """Stride-1, ungrouped cross-correlation through the flat-shift layout; returns ``(result, cols, geom)``."""
    ks = w.shape[2:]
    geom = _flat_geom(x.shape[2:], ks, pads, dil)
    sp, out = geom[:2]
    cols = _flat_cols(x, ks, pads, dil, geom, ones=b is not None)
    n, o = x.shape[0], w.shape[0]
    wm = w.reshape(o, -1)
    if b is not None:
        # the bias is one more weight column, against the columns' row of ones: no pass over the output for it
        # (batch 64, 1 -> 16 channels on 28x28: 124 us) and, in the backward, its gradient comes with the weights'
        wm = np.concatenate([wm, b.reshape(-1, 1).astype(wm.dtype, copy=False)], axis=1)
    r = wm @ cols  # (O, N * run): one GEMM for the whole batch
    r = _swap01(r.reshape((o, n, out[0]) + sp[1:])[(Ellipsis,) + geom[7]])
    res = np.empty((n, o) + out, dtype=x.dtype)
    np.copyto(res, r)
    return res, cols, geom


# The exact im2col: for each image, its (C * K [+ 1], P) columns over the true output positions (no flat-shift grid),
# so the product with the weight gives each image's (O, P) output directly in NCHW order and the weight gradient is
# sum_n g_n (O, P) @ X_n^T with the output gradient as it comes. It beats the flat-shift path when the columns have
# few rows (the one big GEMM is then short and wide, and the flat path's crop-and-transpose copy of the output and
# re-layout of its gradient dominate) and at batch 1 (forward at batch 64: 1 -> 16 channels, 3x3 on 28x28,
# 674 -> 335 us; 4 -> 16: 1582 -> 1247 us; 16 -> 32 on 14x14: 1587 -> 1736 us, so the flat path stays there;
# batch 1, 16 -> 32: 45 -> 31 us).
_EXACT_ROWS = 40


def _use_exact(n: int, rows: int) -> bool:
    return rows <= _EXACT_ROWS or n == 1


@functools.lru_cache(maxsize=256)
def _exact_geom(shape, ks, pads, dil):
    """For input ``shape (N, C, *S)``: the padded and output sizes, where the input sits in the padded array, and
    the element strides of the windows view ``(N, C, *K, *Out)`` of the padded array (cached: ~3 us at batch 1)."""
    n, c = shape[:2]
    size = shape[2:]
    sp = tuple(s + lo + hi for s, (lo, hi) in zip(size, pads))
    out = tuple(p - d * (k - 1) for p, d, k in zip(sp, dil, ks))
    inner = (slice(None), slice(None)) + tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, size))
    st = [1] * (len(sp) + 2)
    for i in range(len(st) - 2, -1, -1):
        st[i] = st[i + 1] * ((n, c) + sp)[i + 1]
    wst = tuple(st[:2]) + tuple(d * t for d, t in zip(dil, st[2:])) + tuple(st[2:])
    return sp, out, inner, wst, c * math.prod(ks)


def _exact_cols(x, ks, pads, dil, ones: bool):
    """``x (N, C, *S)`` -> ``(N, C * prod(K) [+ 1], P)``: each image's columns over the ``P`` output positions of a
    stride-1 convolution of the zero-padded input, with a last row of ones (the bias's) when ``ones``."""
    n = x.shape[0]
    sp, out, inner, wst, nk = _exact_geom(x.shape, tuple(ks), tuple(tuple(p) for p in pads), tuple(dil))
    xp_ = np.zeros(x.shape[:2] + sp, dtype=x.dtype)
    xp_[inner] = x
    it = xp_.itemsize
    win = np.ndarray(x.shape[:2] + tuple(ks) + out, x.dtype, xp_, 0, tuple(s * it for s in wst))
    cols = np.empty((n, nk + 1 if ones else nk) + out, dtype=x.dtype)
    np.copyto(cols[:, :nk].reshape(win.shape), win)
    if ones:
        cols[:, nk] = 1
    return cols.reshape(n, cols.shape[1], -1), out


def _exact_conv(x, w, b, pads, dil):
    """Stride-1, ungrouped cross-correlation through the exact im2col; returns ``(result, cols)``."""
    cols, out = _exact_cols(x, w.shape[2:], pads, dil, b is not None)
    o = w.shape[0]
    wm = w.reshape(o, -1)
    if b is not None:  # the bias is one more weight column, against the columns' row of ones
        wm = np.concatenate([wm, b.reshape(-1, 1).astype(wm.dtype, copy=False)], axis=1)
    return np.matmul(wm, cols).reshape((x.shape[0], o) + out), cols


def _exact_wgrad(g, x, ks, pads, dil, need_b, cols=None):
    """Weight (and bias) gradient through the exact im2col (the forward's ``cols``, or rebuilt): one batched
    product over the images, ``g_n (O, P) @ X_n^T``, summed over n. With few rows it also beats the flat path's
    long-K product and gradient re-layout: 1 -> 16 channels, 3x3 on 28x28 at batch 64, 0.74 -> 0.40 ms."""
    n, c = x.shape[:2]
    o = g.shape[1]
    nk = c * math.prod(ks)
    if cols is None:
        cols = _exact_cols(x, ks, pads, dil, need_b)[0]
    r = np.matmul(g.reshape(n, o, -1), cols.swapaxes(1, 2)).sum(0)
    return r[:, :nk], (r[:, nk].copy() if need_b else None)


def _flat_backward(g, x, w, cols, pads, dil, need_x, need_w, need_b=False):
    """Raw input, weight and bias gradients of ``_flat_conv`` or ``_exact_conv`` (``cols`` from the forward: 2-D
    flat-shift or 3-D exact columns, or None to rebuild); the bias gradient comes out of the weight-gradient GEMM
    (columns with a row of ones), else it is None."""
    ks = w.shape[2:]
    n, c = x.shape[:2]
    o = w.shape[0]
    gx = gw = gb = None
    exact = cols is not None and cols.ndim == 3
    if need_w and (exact or (cols is None and _use_exact(n, c * math.prod(ks) + need_b))):
        gw, gb = _exact_wgrad(g, x, ks, pads, dil, need_b, cols if exact else None)
        gw = gw.reshape(w.shape)
        need_w = False
        if not need_x:
            return None, gw, gb
    geom = _flat_geom(x.shape[2:], ks, pads, dil)
    sp, _, offs, run, blen, _, data = geom[:7]
    gp = _flat_grad(g, geom)
    if need_w:
        if cols is None:
            cols = _flat_cols(x, ks, pads, dil, geom, ones=need_b)
        # OpenBLAS runs the long-K product faster with the larger operand on the left: (C*K, O) for 16 -> 32
        # channels at batch 64 takes 0.86 against 1.28 ms as (O, C*K); the transposed result is tiny
        gwb = gp @ cols.T if cols.shape[0] < o else (cols @ gp.T).T
        nk = c * len(offs)
        gw = gwb[:, :nk].reshape(w.shape)
        if need_b and cols.shape[0] > nk:
            gb = gwb[:, nk].copy()
    if need_x:
        gc = (w.reshape(o, -1).T @ gp).reshape(c, len(offs), n, run)
        buf = np.empty((c, n, blen), dtype=g.dtype)
        buf[:, :, :run] = gc[:, 0]  # offset 0's columns are copied, not added to zeros
        buf[:, :, run:] = 0
        for k in range(1, len(offs)):
            off = offs[k]
            buf[:, :, off:off + run] += gc[:, k]
        gx = np.ascontiguousarray(_swap01(buf[:, :, :math.prod(sp)].reshape((c, n) + sp)[(Ellipsis,) + data]))
    return gx, gw, gb


# ----------------------------------------------------------------------------- the differentiable primitive
class ConvolutionBackward0(Node):
    """Gradient of a (transposed) convolution, itself written with convolutions (so double backward works)."""

    __slots__ = ("cols", "dilation", "groups", "has_bias", "pads", "stride", "transposed")

    def release(self) -> None:
        self._saved = None
        self.cols = None

    def raw(self, g):
        x, w = self.saved_arrays()
        e = self.next_edges
        st, pads, dil, grp = self.stride, self.pads, self.dilation, self.groups
        nd = len(st)
        need_b = self.has_bias and e[2] is not None
        gb = None
        if self.cols is not None or (not self.transposed and type(g) is np.ndarray and grp == 1
                                     and all(s == 1 for s in st)):
            gx, gw, gb = _flat_backward(g, x, w, self.cols, pads, dil, e[0] is not None, e[1] is not None, need_b)
            self.cols = None
        else:
            gx = gw = None
            if not self.transposed:
                if e[0] is not None:
                    full = [(o - 1) * s + d * (k - 1) + 1 for o, s, d, k in zip(g.shape[2:], st, dil, w.shape[2:])]
                    crop = [(lo, f - lo - xs) for f, (lo, _), xs in zip(full, pads, x.shape[2:])]
                    gx = _conv_t_arr(g, w, st, crop, dil, grp)
                if e[1] is not None:
                    gw = _wgrad_arr(x, g, tuple(w.shape[2:]), st, pads, dil, grp)
            else:
                if e[0] is not None:
                    gx = _conv_arr(g, w, st, pads, dil, grp)
                if e[1] is not None:
                    gw = _wgrad_arr(g, x, tuple(w.shape[2:]), st, pads, dil, grp)
        if need_b and gb is None:
            gb = g.sum((0,) + tuple(range(2, 2 + nd)))
        return (gx, gw, gb) if self.has_bias else (gx, gw)

    def backward(self, g):
        x, w = self.saved_tensors
        e = self.next_edges
        st, pads, dil, grp = self.stride, self.pads, self.dilation, self.groups
        nd = len(st)
        gx = gw = gb = None
        if not self.transposed:
            if e[0] is not None:
                full = [(o - 1) * s + d * (k - 1) + 1 for o, s, d, k in zip(g.shape[2:], st, dil, w.shape[2:])]
                crop = [(lo, f - lo - xs) for f, (lo, _), xs in zip(full, pads, x.shape[2:])]
                gx = _convolution(g, w, None, st, crop, dil, grp, True)
            if e[1] is not None:
                gw = _conv_weight_grad(x, g, w.shape, st, pads, dil, grp)
        else:
            if e[0] is not None:
                gx = _convolution(g, w, None, st, pads, dil, grp, False)
            if e[1] is not None:
                gw = _conv_t_weight_grad(x, g, w.shape, st, pads, dil, grp)
        if self.has_bias and e[2] is not None:
            gb = g.sum((0,) + tuple(range(2, 2 + nd)))
        return (gx, gw, gb) if self.has_bias else (gx, gw)


def _convolution(x: Tensor, w: Tensor, b, stride, pads, dil, groups, transposed) -> Tensor:
    """Core: pads are ``(lo, hi)`` per spatial dim (padding, or output crop when transposed)."""
    xd = x._data
    cols = None
    if not transposed and groups == 1 and type(xd) is np.ndarray and all(s == 1 for s in stride):
        wd, bd = w._data, None if b is None else b._data
        if _use_exact(xd.shape[0], xd.shape[1] * math.prod(wd.shape[2:]) + (bd is not None)):
            r, cols = _exact_conv(xd, wd, bd, pads, dil)
        else:
            r, cols, _ = _flat_conv(xd, wd, bd, pads, dil)
        res = _wrap(r)
    else:
        fn = _conv_t_arr if transposed else _conv_arr
        r = fn(xd, w._data, stride, pads, dil, groups)
        if b is not None:  # r is always a fresh buffer (or a view of one): add the bias in place
            r += b._data.reshape((-1,) + (1,) * len(stride))
        res = _wrap(np.ascontiguousarray(r) if type(r) is np.ndarray else array_module(r).ascontiguousarray(r))
    if state.enabled and (x._rg or w._rg or (b is not None and b._rg)):
        n = ConvolutionBackward0()
        n.stride, n.pads, n.dilation, n.groups, n.transposed = stride, pads, dil, groups, transposed
        n.cols = cols if w._rg else None
        n.has_bias = b is not None
        n.save(x, w)
        link(n, res, (x, w, b) if b is not None else (x, w))
    return res


def _im2col(x, ks, stride, pads, dil, groups, out=None):
    """Input windows as ``(N, groups, C/groups * prod(K), prod(Out))`` (one copy) and the output sizes."""
    nd = len(ks)
    win = _windows(_pad_arr(x, pads), ks, stride, dil, out)  # (N, C, *Out, *K)
    n, c = x.shape[:2]
    out = win.shape[2:2 + nd]
    cg = c // groups
    win = win.reshape((n, groups, cg) + tuple(out) + tuple(ks))
    perm = (0, 1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + tuple(range(3, 3 + nd))
    return win.transpose(perm).reshape(n, groups, cg * int(np.prod(ks)), int(np.prod(out))), tuple(out)


def _wgrad_arr(x, g, ks, stride, pads, dil, groups):
    """sum over batch and positions of ``g (N, O, *Out)`` times the input windows: one matmul per group."""
    nd = len(ks)
    n, c = x.shape[:2]
    o = g.shape[1]
    out = g.shape[2:]
    win = _windows(_pad_arr(x, pads), ks, stride, dil, out)  # (N, C, *Out, *K)
    cg, og = c // groups, o // groups
    win = win.reshape((n, groups, cg) + tuple(out) + tuple(ks))
    perm = (1, 2) + tuple(range(3 + nd, 3 + 2 * nd)) + (0,) + tuple(range(3, 3 + nd))
    cols = win.transpose(perm).reshape(groups, cg * int(np.prod(ks)), n * int(np.prod(out)))
    gm = g.reshape(n, groups, og, -1).transpose(1, 2, 0, 3).reshape(groups, og, -1)
    return (gm @ cols.transpose(0, 2, 1)).reshape((o, cg) + tuple(ks))


class _ConvWeightGrad(Node):
    """Backward of the weight gradient (bilinear in input and output gradient), written with convolutions."""

    __slots__ = ("dilation", "groups", "pads", "stride")

    def backward(self, gw):
        x, g = self.saved_tensors
        e = self.next_edges
        st, pads, dil, grp = self.stride, self.pads, self.dilation, self.groups
        gx = gg = None
        if e[0] is not None:
            full = [(o - 1) * s + d * (k - 1) + 1 for o, s, d, k in zip(g.shape[2:], st, dil, gw.shape[2:])]
            crop = [(lo, f - lo - xs) for f, (lo, _), xs in zip(full, pads, x.shape[2:])]
            gx = _convolution(g, gw, None, st, crop, dil, grp, True)
        if e[1] is not None:
            gg = _convolution(x, gw, None, st, pads, dil, grp, False)
        return gx, gg


def _conv_weight_grad(x, g, wshape, stride, pads, dil, groups):
    """d(conv)/d(weight) for input ``x`` and output gradient ``g`` (differentiable in both)."""
    r = _wgrad_arr(x._data, g._data, tuple(wshape[2:]), stride, pads, dil, groups)
    res = _wrap(r)
    if state.enabled and (x._rg or g._rg):
        n = _ConvWeightGrad()
        n.stride, n.pads, n.dilation, n.groups = stride, pads, dil, groups
        n.save(x, g)
        link(n, res, (x, g))
    return res


def _conv_t_weight_grad(x, g, wshape, stride, pads, dil, groups):
    """d(conv_transpose)/d(weight): the weight gradient of the adjoint convolution ``g -> x``."""
    return _conv_weight_grad(g, x, wshape, stride, pads, dil, groups)


# ----------------------------------------------------------------------------- argument checks
def _tuple(v, nd: int, name: str) -> tuple:
    if isinstance(v, (list, tuple)):
        v = tuple(int(i) for i in v)
        if len(v) == 1:
            return v * nd
        if len(v) != nd:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to match the "
                               f"convolution dimensions, but got {name}={list(v)}")
        return v
    return (int(v),) * nd


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_common(input, weight, bias, nd, name, transposed, groups):
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"{name}(): argument 'input' and 'weight' must be Tensors")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
                           f"{_shape_str(weight.shape)}, but got {input.ndim}-dimensional input of size "
                           f"{_shape_str(input.shape)} instead")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {_shape_str(input.shape)}")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"expected scalar type {_tname(input)} but found {_tname(weight)}")
    if bias is not None and bias._data.dtype != input._data.dtype:
        raise RuntimeError(f"Input type ({_CNAME.get(input.dtype.name, input.dtype.name)}) and bias type "
                           f"({_CNAME.get(bias.dtype.name, bias.dtype.name)}) should be the same")
    if input.dtype._cat < 2:
        raise RuntimeError(f"\"slow_conv2d_cpu\" not implemented for '{_tname(input)}'")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _tname(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}.get(t.dtype.name,
                                                                                                 t.dtype.name)


def _plain(v):
    """``v`` as a cache-key part when it is None, an int, a string or a list/tuple of ints; else None (the
    argument is then checked on every call). Shared with pooling's geometry cache."""
    if v is None or type(v) is int or type(v) is str:
        return ("v", v)
    if type(v) in (list, tuple) and all(type(i) is int for i in v):
        return tuple(v)
    return None


_CONV_GEOM: dict = {}


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd, name) -> Tensor:
    _check_common(input, weight, bias, nd, name, False, groups)
    # the checked stride / dilation / pads of an argument set of plain ints, cached: checking them costs as much as
    # a batch-1 convolution's arithmetic (~20 us of ~60)
    key = (nd, input._data.shape, weight._data.shape, None if bias is None else bias._data.shape, _plain(stride),
           _plain(padding), _plain(dilation), groups)
    geom = _CONV_GEOM.get(key) if None not in key[4:7] else None
    if geom is None:
        geom = _conv_geometry(input, weight, bias, stride, padding, dilation, groups, nd)
        if None not in key[4:7]:
            if len(_CONV_GEOM) > 512:
                _CONV_GEOM.clear()
            _CONV_GEOM[key] = geom
    stride, pads, dilation = geom
    if input.ndim == nd + 1:  # unbatched
        return _convolution(input.unsqueeze(0), weight, bias, stride, pads, dilation, groups, False).squeeze(0)
    return _convolution(input, weight, bias, stride, pads, dilation, groups, False)


def _conv_geometry(input, weight, bias, stride, padding, dilation, groups, nd) -> tuple:
    """Checked ``(stride, pads, dilation)`` of a convolution: PyTorch's errors for invalid arguments or shapes."""
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    ks = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for d, k in zip(dilation, ks):
                tot = d * (k - 1)
                pads.append((tot // 2, tot - tot // 2))
            pads = tuple(pads)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pt = _tuple(padding, nd, "padding")
        if any(p < 0 for p in pt):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((p, p) for p in pt)
    shape = tuple(input.shape)
    if len(shape) == nd + 1:
        shape = (1,) + shape
    c = shape[1]
    o = weight.shape[0]
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{_shape_str(weight.shape)}] instead")
    if c != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape_str(weight.shape)}, expected "
                           f"input{_shape_str(shape)} to have {weight.shape[1] * groups} channels, but got {c} "
                           f"channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != o):
        raise RuntimeError(f"Given weight of size {_shape_str(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{o} elements, but got bias of size {_shape_str(bias.shape)} instead")
    padded = [s + lo + hi for s, (lo, hi) in zip(shape[2:], pads)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, ks)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(str(p) for p in padded)}). "
                           f"Kernel size: ({' x '.join(str(e) for e in eff)}). Kernel size can't be greater than "
                           f"actual input size")
    return stride, pads, dilation


def _conv_tnd(input, weight, bias, stride, padding, output_padding, groups, dilation, nd, name) -> Tensor:
    _check_common(input, weight, bias, nd, name, True, groups)
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    pt = _tuple(padding, nd, "padding")
    op = _tuple(output_padding, nd, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if any(p < 0 for p in pt):
        raise RuntimeError("negative padding is not supported")
    if any(o >= s and o >= d for o, s, d in zip(op, stride, dilation)):
        dims = ("depth", "height", "width")[3 - nd:] if nd > 1 else ("width",)
        parts = " ".join(f"output_padding_{n}: {v}" for n, v in zip(dims, op))
        parts += " " + " ".join(f"stride_{n}: {v}" for n, v in zip(dims, stride))
        parts += " " + " ".join(f"dilation_{n}: {v}" for n, v in zip(dims, dilation))
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got {parts}")
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    c = input.shape[1]
    if c != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_shape_str(weight.shape)}, expected "
                           f"input{_shape_str(input.shape)} to have {weight.shape[0]} channels, but got {c} channels "
                           f"instead")
    if c % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{_shape_str(weight.shape)}] instead")
    o = weight.shape[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != o):
        raise RuntimeError(f"Given transposed=1, weight of size {_shape_str(weight.shape)}, expected bias to be "
                           f"1-dimensional with {o} elements, but got bias of size {_shape_str(bias.shape)} instead")
    pads = [(p, p - q) for p, q in zip(pt, op)]
    ks = weight.shape[2:]
    outs = [(i - 1) * s - 2 * p + d * (k - 1) + q + 1
            for i, s, p, d, k, q in zip(input.shape[2:], stride, pt, dilation, ks, op)]
    if any(v <= 0 for v in outs):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(str(i) for i in input.shape[2:])}). "
                           f"Calculated output size per channel: ({' x '.join(str(v) for v in outs)}). Output size "
                           f"is too small")
    res = _convolution(input, weight, bias, stride, pads, dilation, groups, True)
    return res.squeeze(0) if unbatched else res


# ----------------------------------------------------------------------------- public functions
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation) over ``(N, C, L)`` or ``(C, L)`` input.

    >>> import ember
    >>> ember.nn.functional.conv1d(ember.ones(1, 2, 5), ember.ones(3, 2, 3)).shape
    torch.Size([1, 3, 3])
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D convolution over ``(N, C, H, W)`` or ``(C, H, W)`` input; ``padding`` may be ``'same'``/``'valid'``.

    >>> import ember
    >>> ember.nn.functional.conv2d(ember.ones(1, 1, 4, 4), ember.ones(1, 1, 3, 3), padding=1)[0, 0, 0]
    tensor([4., 6., 6., 4.])
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-D convolution over ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input.

    >>> import ember
    >>> ember.nn.functional.conv3d(ember.ones(1, 1, 3, 3, 3), ember.ones(2, 1, 3, 3, 3)).flatten()
    tensor([27., 27.])
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution; ``weight`` is ``(C_in, C_out / groups, K)``.

    >>> import ember
    >>> ember.nn.functional.conv_transpose1d(ember.ones(1, 1, 3), ember.ones(1, 1, 2))
    tensor([[[1., 2., 2., 1.]]])
    """
    return _conv_tnd(input, weight, bias, stride, padding, output_padding, groups, dilation, 1, "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution"); ``weight`` is ``(C_in, C_out / groups, kH, kW)``.

    >>> import ember
    >>> ember.nn.functional.conv_transpose2d(ember.ones(1, 1, 2, 2), ember.ones(1, 1, 2, 2), stride=2).shape
    torch.Size([1, 1, 4, 4])
    """
    return _conv_tnd(input, weight, bias, stride, padding, output_padding, groups, dilation, 2, "conv_transpose2d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-D transposed convolution; ``weight`` is ``(C_in, C_out / groups, kD, kH, kW)``.

    >>> import ember
    >>> ember.nn.functional.conv_transpose3d(ember.ones(1, 1, 1, 1, 1), ember.ones(1, 1, 2, 2, 2)).shape
    torch.Size([1, 1, 2, 2, 2])
    """
    return _conv_tnd(input, weight, bias, stride, padding, output_padding, groups, dilation, 3, "conv_transpose3d")


# ----------------------------------------------------------------------------- unfold / fold (im2col, col2im)
class Im2ColBackward0(Node):
    __slots__ = ("dilation", "ksize", "padding", "size", "stride")

    def backward(self, g):
        return fold(g, self.size, self.ksize, self.dilation, self.padding, self.stride)


class Col2ImBackward0(Node):
    __slots__ = ("dilation", "ksize", "padding", "stride")

    def backward(self, g):
        return unfold(g, self.ksize, self.dilation, self.padding, self.stride)


def _pair(v, name):
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
        return tuple(int(i) for i in v)
    return (int(v), int(v))


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding local blocks: ``(N, C, H, W)`` -> ``(N, C * kH * kW, L)`` (im2col).

    >>> import ember
    >>> ember.nn.functional.unfold(ember.arange(16.).view(1, 1, 4, 4), 2, stride=2)[0, :, 0]
    tensor([0., 1., 4., 5.])
    """
    ks, dil, pad, st = (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"), _pair(padding, "padding"),
                        _pair(stride, "stride"))
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got: "
                           f"{_shape_str(input.shape)}")
    unbatched = input.ndim == 3
    if unbatched:
        input = input.unsqueeze(0)
    d = input._data
    n, c, h, w = d.shape
    xp = _pad_arr(d, [(pad[0], pad[0]), (pad[1], pad[1])])
    out = _out_sizes(xp.shape[2:], ks, st, dil)
    if out[0] <= 0 or out[1] <= 0:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size=({ks[0]}, {ks[1]}), dilation=("
                           f"{dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), calculated shape of the array of sliding "
                           f"blocks as ({out[0]}, {out[1]}), but its components must be at least one.")
    win = _windows(xp, ks, st, dil)  # (N, C, oh, ow, kh, kw)
    r = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * ks[0] * ks[1], out[0] * out[1])
    res = _wrap(r)
    if input._rg and state.enabled:
        node = Im2ColBackward0()
        node.size, node.ksize, node.dilation, node.padding, node.stride = (h, w), ks, dil, pad, st
        link(node, res, (input,))
    return res.squeeze(0) if unbatched else res


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Combine sliding local blocks into a tensor, summing overlaps: ``(N, C*kH*kW, L)`` -> ``(N, C, H, W)``.

    >>> import ember
    >>> ember.nn.functional.fold(ember.ones(1, 4, 4), (3, 3), 2)[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    size, ks, dil, pad, st = (_pair(output_size, "output_size"), _pair(kernel_size, "kernel_size"),
                              _pair(dilation, "dilation"), _pair(padding, "padding"), _pair(stride, "stride"))
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got: "
                           f"{_shape_str(input.shape)}")
    unbatched = input.ndim == 2
    if unbatched:
        input = input.unsqueeze(0)
    d = input._data
    n, ck, L = d.shape
    kp = ks[0] * ks[1]
    if ck % kp:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={ck} and kernel_size=({ks[0]}, {ks[1]})")
    padded = (size[0] + 2 * pad[0], size[1] + 2 * pad[1])
    out = _out_sizes(padded, ks, st, dil)
    if out[0] * out[1] != L:
        raise RuntimeError(f"Given output_size=({size[0]}, {size[1]}), kernel_size=({ks[0]}, {ks[1]}), dilation=("
                           f"{dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), stride=({st[0]}, {st[1]}), expected "
                           f"size of input's dimension 2 to match the calculated number of sliding blocks {out[0]} * "
                           f"{out[1]} = {out[0] * out[1]}, but got input.size(2)={L}.")
    c = ck // kp
    cols = d.reshape(n, c, ks[0], ks[1], out[0], out[1]).transpose(0, 1, 4, 5, 2, 3)
    r = _col2im(cols, padded, ks, st, dil)[:, :, pad[0]:pad[0] + size[0], pad[1]:pad[1] + size[1]]
    res = _wrap(np.ascontiguousarray(r) if type(r) is np.ndarray else r.copy())
    if input._rg and state.enabled:
        node = Col2ImBackward0()
        node.ksize, node.dilation, node.padding, node.stride = ks, dil, pad, st
        link(node, res, (input,))
    return res.squeeze(0) if unbatched else res
