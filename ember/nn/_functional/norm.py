"""nn.functional, normalization family: batch_norm, layer_norm, group_norm, instance_norm, rms_norm, local_response_norm."""
from __future__ import annotations

import math

import numpy as np

from ... import _dtype as D
from ..._device import array_module
from ..._rowsum import _F as _FLOATS, colsum, rowdot, rowmean, rowsum
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link

__all__ = ["batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm", "rms_norm"]


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


# ----------------------------------------------------------------------------- the fused normalization node
class _NormBackward(Node):
    """Gradient of ``y = (x - mean) * invstd * w + b`` with batch statistics over ``dims`` (or fixed ones).

    With ``create_graph`` the statistics are recomputed from ``x`` with Tensor ops, so the gradient is
    itself differentiable in ``x``.
    """

    __slots__ = ("dims", "eps", "fixed", "has_b", "has_w", "pshape", "stats", "wshape", "xhat")

    def release(self) -> None:
        self._saved = None
        self.xhat = None

    def backward(self, g):
        x, w = self.saved_tensors
        e = self.next_edges
        dims = self.dims
        mean_a, invstd_a = self.stats
        if state.enabled and not self.fixed:  # create_graph: statistics as functions of x
            mean = x.mean(dims, keepdim=True)
            xc = x - mean
            invstd = ((xc * xc).mean(dims, keepdim=True) + self.eps).rsqrt()
        else:
            mean, invstd = _wrap(mean_a), _wrap(invstd_a)
            xc = x - mean
        xhat = xc * invstd
        wb = w.reshape(self.wshape) if w is not None else None
        gx = gw = gb = None
        if e[0] is not None:
            gxh = g * wb if wb is not None else g
            if self.fixed:
                gx = gxh * invstd
            else:
                gx = (gxh - gxh.mean(dims, keepdim=True) - xhat * (gxh * xhat).mean(dims, keepdim=True)) * invstd
        red = tuple(i for i, s in enumerate(self.wshape) if s == 1)
        if self.has_w and e[1] is not None:
            gw = (g * xhat).sum(red).reshape(self.pshape)
        if self.has_b and e[-1] is not None:
            gb = g.sum(red).reshape(self.pshape)
        out = (gx,)
        if self.has_w:
            out += (gw,)
        if self.has_b:
            out += (gb,)
        return out

    def raw(self, g):
        x, w = self.saved_arrays()
        e = self.next_edges
        dims = self.dims
        mean, invstd = self.stats
        kept = self.xhat  # the forward's normalized input (read only: retain_graph may run this twice)
        if kept is None:
            xhat = x - mean
            xhat *= invstd
        else:
            xhat = kept
        if (w is not None and not self.fixed and type(g) is np.ndarray and dims == (x.ndim - 1,) and w.ndim == 1
                and g.dtype == xhat.dtype == w.dtype and g.dtype in _FLOATS and g.flags.c_contiguous
                and xhat.flags.c_contiguous):
            return self._raw_rows(g, xhat, w, invstd, e)
        gx = gw = gb = None
        red = tuple(i for i, s in enumerate(self.wshape) if s == 1)
        if self.has_w and e[1] is not None:
            gw = (g * xhat).sum(red).reshape(self.pshape)
        if self.has_b and e[-1] is not None:
            gb = g.sum(red).reshape(self.pshape)
        if e[0] is not None:
            gxh = g * w.reshape(self.wshape) if w is not None else g
            if self.fixed:
                gx = gxh * invstd
            else:
                last = dims == (x.ndim - 1,)
                m2 = rowmean(gxh * xhat) if last else (gxh * xhat).mean(dims, keepdims=True)
                gx = gxh - (rowmean(gxh) if last else gxh.mean(dims, keepdims=True))
                if kept is None:
                    xhat *= m2
                else:
                    xhat = xhat * m2
                gx -= xhat
                gx *= invstd
        out = (gx,)
        if self.has_w:
            out += (gw,)
        if self.has_b:
            out += (gb,)
        return out

    def _raw_rows(self, g, xhat, w, invstd, e):
        """Layer norm over the last axis with a weight: every reduction as a BLAS GEMV on the (rows, D) view.

        ``gx = invstd * (g w - mean(g w) - xhat mean(g w xhat))``, where both row means come from products that
        are needed anyway: ``mean(g w) = (g @ w) / D`` and ``mean(g w xhat) = ((g xhat) @ w) / D``, ``g xhat``
        also giving the weight's gradient. Against the general path this saves one full pass and replaces the
        two reductions over the leading axes by GEMVs (LayerNorm(128) backward on (16, 64, 128): see
        docs/performance.md).
        """
        d = g.shape[-1]
        g2 = g.reshape(-1, d)
        gxhat = g2 * xhat.reshape(-1, d)
        gw = colsum(gxhat).reshape(self.pshape) if e[1] is not None else None
        gb = colsum(g2).reshape(self.pshape) if self.has_b and e[-1] is not None else None
        gx = None
        if e[0] is not None:
            m1 = g2 @ w
            m1 /= m1.dtype.type(d)
            m2 = gxhat @ w
            m2 /= m2.dtype.type(d)
            gx = g2 * w
            gx -= m1[:, None]
            np.multiply(xhat.reshape(-1, d), m2[:, None], out=gxhat)
            gx -= gxhat
            gx *= invstd.reshape(-1, 1)
            gx = gx.reshape(g.shape)
        return (gx, gw, gb) if self.has_b else (gx, gw)


NativeBatchNormBackward0 = type("NativeBatchNormBackward0", (_NormBackward,), {"__slots__": ()})
NativeLayerNormBackward0 = type("NativeLayerNormBackward0", (_NormBackward,), {"__slots__": ()})
NativeGroupNormBackward0 = type("NativeGroupNormBackward0", (_NormBackward,), {"__slots__": ()})


def _fused_norm(x: Tensor, w, b, dims, wshape, eps, cls, stats=None) -> Tensor:
    """``(x - mean) * invstd`` over ``dims`` (or with given ``stats = (mean, invstd)`` arrays), then affine."""
    d = x._data
    xp = array_module(d)
    if stats is None:
        last = dims == (d.ndim - 1,)
        mean = rowmean(d) if last else d.mean(dims, keepdims=True)
        xc = d - mean
        if last and type(xc) is np.ndarray and xc.dtype in _FLOATS:
            var = rowdot(xc, xc)  # no product array (see ember/_rowsum.py)
            var /= var.dtype.type(d.shape[-1])
        else:
            var = rowmean(xc * xc) if last else (xc * xc).mean(dims, keepdims=True)
        invstd = 1.0 / xp.sqrt(var + eps)
        invstd = invstd.astype(d.dtype, copy=False)
        fixed = False
    else:
        mean, invstd = stats
        xc = d - mean
        fixed = True
    y = xc * invstd if fixed else xc  # xc is a fresh buffer when the statistics were computed here
    if not fixed:
        y *= invstd
    xhat = None
    if w is not None:  # y becomes a new array, so the normalized input can be kept for the backward
        xhat = y
        y = y * w._data.reshape(wshape)
    if b is not None:
        bd = b._data.reshape(wshape)
        if bd.dtype == y.dtype:
            y += bd
        else:
            y = y + bd
    res = _wrap(y.astype(d.dtype, copy=False))
    if state.enabled and (x._rg or (w is not None and w._rg) or (b is not None and b._rg)):
        n = cls()
        n.dims, n.eps, n.stats, n.fixed, n.wshape = dims, eps, (mean, invstd), fixed, wshape
        n.xhat = xhat if xhat is not None and xhat.dtype == d.dtype and not fixed else None
        n.has_w, n.has_b = w is not None, b is not None
        n.pshape = tuple(w.shape if w is not None else b.shape) if (w is not None or b is not None) else None
        n.save(x, w)
        inputs = (x,) + ((w,) if w is not None else ()) + ((b,) if b is not None else ())
        link(n, res, inputs)
    return res


def _check_param(t, name):
    if t is not None and not isinstance(t, Tensor):
        raise TypeError(f"{name} must be a Tensor or None, not {type(t).__name__}")


# ----------------------------------------------------------------------------- batch norm
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalization over dim 1 of ``(N, C, *)`` input; updates running stats in place when training.

    >>> import ember
    >>> y = ember.nn.functional.batch_norm(ember.tensor([[1.], [3.]]), None, None, training=True)
    >>> y
    tensor([[-1.0000],
            [ 1.0000]])
    """
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.ndim}D input)")
    c = input.shape[1]
    for t, nm in ((running_mean, "running_mean"), (running_var, "running_var"), (weight, "weight"), (bias, "bias")):
        _check_param(t, nm)
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{nm} should contain {c} elements not {t.numel()}")
    if training:
        size = input.numel() // c
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
    dims = (0,) + tuple(range(2, input.ndim))
    wshape = (1, c) + (1,) * (input.ndim - 2)
    d = input._data
    if training or running_mean is None or running_var is None:
        res = _fused_norm(input, weight, bias, dims, wshape, eps, NativeBatchNormBackward0)
        if training and (running_mean is not None or running_var is not None):
            _update_running(d, dims, momentum, running_mean, running_var)
        return res
    xp = array_module(d)
    rm = running_mean._data.astype(d.dtype, copy=False).reshape(wshape)
    invstd = (1.0 / xp.sqrt(running_var._data.astype(d.dtype, copy=False) + eps)).astype(d.dtype).reshape(wshape)
    return _fused_norm(input, weight, bias, dims, wshape, eps, NativeBatchNormBackward0, stats=(rm, invstd))


def _update_running(d, dims, momentum, running_mean, running_var) -> None:
    """PyTorch's in-place update: ``r = (1 - m) * r + m * stat`` with the unbiased variance."""
    n = d.size // d.shape[1]
    mean = d.mean(dims)
    if running_mean is not None:
        rd = running_mean._data
        rd[...] = (rd * (1 - momentum) + mean.astype(rd.dtype) * momentum).astype(rd.dtype)
        running_mean._bump()
    if running_var is not None:
        shape = [1] * d.ndim
        shape[1] = d.shape[1]
        xc = d - mean.reshape(shape)
        var = (xc * xc).sum(dims) / max(n - 1, 1)
        rd = running_var._data
        rd[...] = (rd * (1 - momentum) + var.astype(rd.dtype) * momentum).astype(rd.dtype)
        running_var._bump()


# ----------------------------------------------------------------------------- layer / group / instance norm
def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` dims, then scale by ``weight`` and shift by ``bias``.

    >>> import ember
    >>> ember.nn.functional.layer_norm(ember.tensor([[1., 3.]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != ns or input.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape [*, "
                           f"{', '.join(str(s) for s in ns)}], but got input of size{_shape_str(input.shape)}")
    for t, nm in ((weight, "weight"), (bias, "bias")):
        _check_param(t, nm)
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {nm} to be of same shape as normalized_shape, but got {nm} of shape "
                               f"{_shape_str(t.shape)} and normalized_shape = {_shape_str(ns)}")
    dims = tuple(range(input.ndim - k, input.ndim))
    wshape = (1,) * (input.ndim - k) + ns
    return _fused_norm(input, weight, bias, dims, wshape, eps, NativeLayerNormBackward0)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalize each group of ``C / num_groups`` channels of ``(N, C, *)`` input, then affine per channel.

    >>> import ember
    >>> ember.nn.functional.group_norm(ember.tensor([[1., 3.]]), 1)
    tensor([[-1.0000,  1.0000]])
    """
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {_shape_str(input.shape)} and num_groups={num_groups}")
    for t, nm in ((weight, "weight"), (bias, "bias")):
        _check_param(t, nm)
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {nm} to be a vector of size equal to the number of channels in input, but "
                               f"got {nm} of shape {_shape_str(t.shape)} and input of shape {_shape_str(input.shape)}")
    xg = input.reshape(n, num_groups, -1)
    y = _fused_norm(xg, None, None, (2,), (1, 1, 1), eps, NativeGroupNormBackward0).reshape(input.shape)
    wshape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(wshape)
    if bias is not None:
        y = y + bias.reshape(wshape)
    return y


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of each sample of ``(N, C, *)`` input separately.

    >>> import ember
    >>> ember.nn.functional.instance_norm(ember.tensor([[[1., 3.]]]))
    tensor([[[-1.0000,  1.0000]]])
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher input to instance_norm (got {input.ndim}D input)")
    n, c = input.shape[:2]
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    x = input.reshape((1, n * c) + tuple(input.shape[2:]))
    dims = (0,) + tuple(range(2, x.ndim))
    wshape = (1, n * c) + (1,) * (x.ndim - 2)
    w = weight.unsqueeze(0).expand(n, c).reshape(-1) if weight is not None else None
    b = bias.unsqueeze(0).expand(n, c).reshape(-1) if bias is not None else None
    d = x._data
    if use_input_stats or running_mean is None or running_var is None:
        y = _fused_norm(x, w, b, dims, wshape, eps, NativeBatchNormBackward0)
        if use_input_stats and (running_mean is not None or running_var is not None):
            mean = d.mean(dims).reshape(n, c)
            cnt = d.size // (n * c)
            xc = d - d.mean(dims, keepdims=True)
            var = ((xc * xc).sum(dims) / max(cnt - 1, 1)).reshape(n, c)
            for rt, st in ((running_mean, mean), (running_var, var)):
                if rt is not None:
                    rd = rt._data
                    upd = (rd * (1 - momentum) + st.astype(rd.dtype) * momentum).mean(0)
                    rd[...] = upd.astype(rd.dtype)
                    rt._bump()
    else:
        xp = array_module(d)
        rm = xp.tile(running_mean._data.astype(d.dtype, copy=False), n).reshape(wshape)
        rv = xp.tile(running_var._data.astype(d.dtype, copy=False), n).reshape(wshape)
        invstd = (1.0 / xp.sqrt(rv + eps)).astype(d.dtype)
        y = _fused_norm(x, w, b, dims, wshape, eps, NativeBatchNormBackward0, stats=(rm, invstd))
    return y.reshape(input.shape)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """Root-mean-square normalization over the trailing dims: ``x / sqrt(mean(x^2) + eps) * weight``.

    >>> import ember
    >>> ember.nn.functional.rms_norm(ember.tensor([[3., 4.]]), (2,), eps=0.0)
    tensor([[0.8485, 1.1314]])
    """
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
    k = len(ns)
    if tuple(input.shape[input.ndim - k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape [*, "
                           f"{', '.join(str(s) for s in ns)}], but got input of size{_shape_str(input.shape)}")
    if eps is None:
        eps = D.finfo(input.dtype).eps
    dims = tuple(range(input.ndim - k, input.ndim))
    y = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Normalize each value by the sum of squares of ``size`` neighbouring channels (AlexNet's LRN).

    >>> import ember
    >>> ember.nn.functional.local_response_norm(ember.ones(1, 2, 1), 2, alpha=1.0, beta=1.0).flatten()
    tensor([0.6667, 0.5000])
    """
    from .padding import pad
    from .pooling import avg_pool2d, avg_pool3d

    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input * input
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k).pow(beta)
    return input / div
