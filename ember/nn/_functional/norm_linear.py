"""LayerNorm followed by a Linear layer as one node, for the norm-first Transformer layers' blocks.

``linear(layer_norm(x, (D,), w, b), W, c) == xhat @ (W * w).T + (W @ b + c)`` with ``xhat = (x - mean) * invstd``:
the normalization's elementwise scale and shift fold into the (out, D) weight and the bias, so the normalized
input ``y = xhat * w + b`` is never formed. In the backward, the Linear's input gradient ``g @ (W * w)`` is
already the gradient of ``xhat``, and the parameters' gradients come from the (out, D) product ``g.T @ xhat``
that the Linear's weight gradient needs anyway:

- ``dW = (g.T @ xhat) * w + outer(sum(g), b)``, ``dc = sum(g)``,
- ``dw = sum over out of (W * (g.T @ xhat))``, ``db = sum(g) @ W``.

That removes two passes over the (rows, D) activations in the forward (the scale and the shift) and, in the
backward, the product ``g * w``, the product ``g * xhat`` and two of its row reductions; the new work is on
(out, D) arrays, smaller than the (rows, D) activations when there are more rows than outputs (the benchmark
transformer: (384 or 512, 128) against (1024, 128); see docs/performance.md). The results equal the two separate
ops' up to rounding.
"""
from __future__ import annotations

import numpy as np

from ..._rowsum import _F as _FLOATS, colsum, rowdot, rowmean
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link
from .linear import linear
from .norm import layer_norm

__all__ = ["layer_norm_linear"]


class _LayerNormLinearBackward(Node):
    """Gradient of ``linear(layer_norm(x, (D,), w, b), W, c)``; inputs ``(x, w, b, W, c)`` (b and c may be None)."""

    __slots__ = ("bias_t", "eps", "invstd", "wf", "xhat")

    def release(self) -> None:
        self._saved = None
        self.xhat = self.invstd = self.wf = self.bias_t = None

    def raw(self, g):
        _, lw, lb, w = self.saved_arrays()
        e = self.next_edges
        xhat, invstd = self.xhat, self.invstd
        d = xhat.shape[-1]
        g2 = g.reshape(-1, w.shape[0])
        gx = glw = glb = gw = gc = None
        if e[1] is not None or e[3] is not None:
            dwf = g2.T @ xhat  # the gradient of the folded weight W * w
            if e[1] is not None:
                glw = colsum(w * dwf)
            if e[3] is not None:
                gw = dwf
                gw *= lw
        if e[2] is not None or e[4] is not None or (e[3] is not None and lb is not None):
            gsum = colsum(g2)
            if e[4] is not None:
                gc = gsum
            if e[2] is not None:
                glb = gsum @ w
            if e[3] is not None and lb is not None:
                gw += np.multiply.outer(gsum, lb)
        if e[0] is not None:
            gxh = g2 @ self.wf  # the gradient of xhat
            m1 = rowmean(gxh)
            m2 = rowdot(gxh, xhat)
            m2 /= m2.dtype.type(d)
            gxh -= m1
            t = xhat * m2
            gxh -= t
            gxh *= invstd
            gx = gxh.reshape(g.shape[:-1] + (d,))
        return gx, glw, glb, gw, gc

    def backward(self, g):  # create_graph: the same function composed of differentiable ops
        from ...autograd import grad  # noqa: PLC0415
        from ...autograd.grad_mode import enable_grad  # noqa: PLC0415

        x, lw, lb, w = self.saved_tensors
        c = self.bias_t
        ins = (x, lw, lb, w, c)
        live = [t for t in ins if t is not None and t._rg]
        with enable_grad():
            out = linear(layer_norm(x, (x.shape[-1],), lw, lb, self.eps), w, c)
        gs = iter(grad([out], live, [g], create_graph=True, allow_unused=True))
        return tuple(next(gs) if t is not None and t._rg else None for t in ins)


def _named(name):
    return type(name, (_LayerNormLinearBackward,), {"__slots__": ()})


# what ``grad_fn`` prints: the final node of PyTorch's linear for each case (as in linear.py)
_NODES = {(True, True): _named("AddmmBackward0"), (False, True): _named("ViewBackward0"),
          (True, False): _named("MmBackward0"), (False, False): _named("UnsafeViewBackward0")}


def _fusable(x, lw, lb, w, c) -> bool:
    """Whether the one-node path applies: NumPy float32/float64 arrays of one dtype, the normalization over the
    last axis only with a weight (a bias is optional on both), and a 2-D weight matching it."""
    xd = x._data
    if type(xd) is not np.ndarray or xd.dtype not in _FLOATS or xd.ndim < 2 or lw is None:
        return False
    dt, d = xd.dtype, xd.shape[-1]
    for t, shape in ((lw, (d,)), (lb, (d,)), (c, (w.shape[0],) if w.ndim == 2 else None)):
        if t is not None and (type(t._data) is not np.ndarray or t._data.dtype != dt or t._data.shape != shape):
            return False
    wd = w._data
    return type(wd) is np.ndarray and wd.dtype == dt and wd.ndim == 2 and wd.shape[1] == d


def layer_norm_linear(input: Tensor, weight_norm: Tensor | None, bias_norm: Tensor | None, eps: float,
                      weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``linear(layer_norm(input, (D,), weight_norm, bias_norm, eps), weight, bias)`` over the last axis (size D),
    as one node where that applies (else the two ops).

    >>> import ember
    >>> x, w = ember.tensor([[1., 3.]]), ember.tensor([[1., 2.]])
    >>> layer_norm_linear(x, ember.ones(2), ember.zeros(2), 0.0, w, ember.zeros(1))
    tensor([[1.]])
    """
    if not _fusable(input, weight_norm, bias_norm, weight, bias):
        return linear(layer_norm(input, (input.shape[-1],), weight_norm, bias_norm, eps), weight, bias)
    xd, lw, wd = input._data, weight_norm._data, weight._data
    d = xd.shape[-1]
    x2 = xd.reshape(-1, d)
    # the statistics exactly as layer_norm computes them (ember/nn/_functional/norm.py::_fused_norm)
    mean = rowmean(x2)
    xhat = x2 - mean
    var = rowdot(xhat, xhat)
    var /= var.dtype.type(d)
    invstd = (1.0 / np.sqrt(var + eps)).astype(xd.dtype, copy=False)
    xhat *= invstd
    wf = wd * lw
    out = xhat @ wf.T
    bf = None if bias_norm is None else wd @ bias_norm._data
    if bias is not None:
        bf = bias._data if bf is None else bf + bias._data
    if bf is not None:
        out += bf
    res = _wrap(out.reshape(xd.shape[:-1] + (wd.shape[0],)))
    if state.enabled and (input._rg or weight_norm._rg or weight._rg or (bias_norm is not None and bias_norm._rg)
                          or (bias is not None and bias._rg)):
        n = _NODES[xd.ndim == 2, bias is not None]()
        n.xhat, n.invstd, n.wf, n.eps, n.bias_t = xhat, invstd, wf, eps, bias
        n.save(input, weight_norm, bias_norm, weight)
        link(n, res, (input, weight_norm, bias_norm, weight, bias))
    return res
