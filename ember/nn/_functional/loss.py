"""nn.functional losses: fused nodes where PyTorch has a kernel (mse, nll/cross-entropy, bce, ...), else composed."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._rowsum import exp_safe, rowmax, rowsum
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad, state
from ...autograd.graph import Node, link
from ...ops._util import array_module, broadcast_error, result_type
from .activation import _log_softmax, logsigmoid
from .ctc import ctc_loss

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "ctc_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]

_TITLE = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
          "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


# ----------------------------------------------------------------------------- helpers
def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """The ``reduction`` string for the deprecated ``size_average``/``reduce`` arguments."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


_renamed: dict = {}


def _rename(t: Tensor, name: str) -> Tensor:
    """Give the final node of a composed loss PyTorch's kernel name (what ``grad_fn`` prints)."""
    fn = t.grad_fn
    if fn is not None and type(fn).__name__ != name:
        key = (type(fn), name)
        cls = _renamed.get(key)
        if cls is None:
            cls = _renamed[key] = type(name, (type(fn),), {"__slots__": ()})
        fn.__class__ = cls
    return t


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


def _check_weight_size(weight, input) -> None:
    if weight is not None and weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _common(input: Tensor, target: Tensor):
    """Arrays of input and target in their promoted dtype, broadcast check with PyTorch's message."""
    dt = result_type(input, target)
    if dt._cat < 2:
        dt = input.dtype
    a, b = input._data, target._data
    if type(b) is not type(a):
        b = array_module(a).asarray(b)
    npd = a.dtype if a.dtype == dt.np else np.dtype(dt.np)
    a = a if a.dtype == npd else a.astype(npd)
    b = b if b.dtype == npd else b.astype(npd)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    return a, b, shape


class _PointwiseLoss(Node):
    """An elementwise loss with a reduction; subclasses give the local derivatives in Tensor ops."""

    __slots__ = ("args", "count", "reduction")

    def local(self, x, t):
        raise TypeError(f"{type(self).__name__} has no derivative")

    def backward(self, g):
        x, t = self.saved_tensors
        if self.reduction == "mean":
            g = g / self.count
        dx, dt = self.local(x, t)
        e = self.next_edges
        return (g * dx if e[0] is not None and dx is not None else None,
                g * dt if e[1] is not None and dt is not None else None)


def _pointwise_loss(cls, input: Tensor, target: Tensor, arr, shape, reduction: str, args=None) -> Tensor:
    if reduction == "mean":
        out = arr.mean() if arr.size else arr.sum() * np.nan
    elif reduction == "sum":
        out = arr.sum()
    else:
        out = arr
    res = _wrap(np.asarray(out) if isinstance(out, np.generic) or not hasattr(out, "shape") else out)
    if res._data.dtype != arr.dtype:
        res._data = res._data.astype(arr.dtype)
    if state.enabled and (input._rg or target._rg):
        n = cls()
        n.reduction, n.count, n.args = reduction, arr.size, args
        meta = tuple(None if t._data.shape == shape and t.dtype is res.dtype else (t._data.shape, t.dtype)
                     for t in (input, target))
        if meta != (None, None):
            n.meta = meta
        n.save(input, target)
        link(n, res, (input, target))
    return res


# ----------------------------------------------------------------------------- regression losses
def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error.

    >>> import ember
    >>> ember.nn.functional.l1_loss(ember.tensor([1., 2.]), ember.tensor([0., 0.]))
    tensor(1.5000)
    """
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        _check_weight_size(weight, input)
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


class MseLossBackward0(_PointwiseLoss):
    __slots__ = ()

    def local(self, x, t):
        d = (x - t) * 2
        return d, -d


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error.

    >>> import ember
    >>> ember.nn.functional.mse_loss(ember.tensor([1., 2.]), ember.tensor([0., 0.]))
    tensor(2.5000)
    """
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        _check_weight_size(weight, input)
        loss = mse_loss(input, target, reduction="none") * weight
        return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)
    a, b, shape = _common(input, target)
    d = a - b
    return _pointwise_loss(MseLossBackward0, input, target, d * d, shape, reduction)


class SmoothL1LossBackward0(_PointwiseLoss):
    __slots__ = ()

    def local(self, x, t):
        beta = self.args
        d = x - t
        if beta == 0:
            s = d.sign()
        else:
            s = (d / beta).clamp(-1.0, 1.0)
        return s, -s


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Squared error below ``beta``, absolute error above (scaled to join smoothly).

    >>> import ember
    >>> ember.nn.functional.smooth_l1_loss(ember.tensor([0.5, 3.]), ember.tensor([0., 0.]))
    tensor(1.3125)
    """
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    a, b, shape = _common(input, target)
    d = np.abs(a - b)
    arr = d if beta == 0 else np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta).astype(d.dtype, copy=False)
    return _pointwise_loss(SmoothL1LossBackward0, input, target, arr, shape, reduction, beta)


class HuberLossBackward0(_PointwiseLoss):
    __slots__ = ()

    def local(self, x, t):
        s = (x - t).clamp(-self.args, self.args)
        return s, -s


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Squared error below ``delta``, ``delta``-scaled absolute error above.

    >>> import ember
    >>> ember.nn.functional.huber_loss(ember.tensor([0.5, 3.]), ember.tensor([0., 0.]))
    tensor(1.3125)
    """
    _warn_size(input, target)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        _check_weight_size(weight, input)
        return _reduce(huber_loss(input, target, "none", delta) * weight, reduction)
    a, b, shape = _common(input, target)
    d = np.abs(a - b)
    arr = np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)).astype(d.dtype, copy=False)
    return _pointwise_loss(HuberLossBackward0, input, target, arr, shape, reduction, delta)


class SoftMarginLossBackward0(_PointwiseLoss):
    __slots__ = ()

    def local(self, x, t):
        s = (-(x * t)).sigmoid()
        return -t * s, -x * s


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-y * x))`` for targets y in {-1, 1}.

    >>> import ember
    >>> ember.nn.functional.soft_margin_loss(ember.tensor([0.]), ember.tensor([1.]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if target._rg and state.enabled:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
                           "This input cannot have requires_grad True.")
    a, b, shape = _common(input, target)
    z = -a * b
    with np.errstate(over="ignore"):
        arr = (np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0)).astype(a.dtype, copy=False)
    return _pointwise_loss(SoftMarginLossBackward0, input, target, arr, shape, reduction)


# ----------------------------------------------------------------------------- binary cross-entropy
class BinaryCrossEntropyBackward0(Node):
    __slots__ = ("count", "has_weight", "reduction")

    def backward(self, g):
        x, t, w = self.saved_tensors
        if self.reduction == "mean":
            g = g / self.count
        e = self.next_edges
        gx = gt = None
        if e[0] is not None:
            gx = g * (x - t) / ((-x + 1) * x).clamp_min(1e-12)
            if w is not None:
                gx = gx * w
        if e[1] is not None:
            gt = g * ((-x).log1p() - x.log())  # unclamped, as PyTorch's target derivative
            if w is not None:
                gt = gt * w
        return gx, gt, None


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``-w * (y log x + (1 - y) log(1 - x))`` with logs clamped at -100, as PyTorch.

    >>> import ember
    >>> ember.nn.functional.binary_cross_entropy(ember.tensor([0.5]), ember.tensor([1.]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {D.legacy_name(target.dtype)} but expected {D.legacy_name(input.dtype)}")
    a, b, _shape = _common(input, target)
    xp = array_module(a)
    if a.size and bool(((a < 0) | (a > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        arr = -(b * xp.maximum(xp.log(a), -100) + (1 - b) * xp.maximum(xp.log1p(-a), -100))
    wd = None
    if weight is not None:
        wd = weight._data.astype(arr.dtype, copy=False)
        arr = arr * wd
    arr = arr.astype(a.dtype, copy=False)
    out = arr.mean() if reduction == "mean" else arr.sum() if reduction == "sum" else arr
    res = _wrap(xp.asarray(out, dtype=a.dtype))
    if state.enabled and (input._rg or target._rg):
        n = BinaryCrossEntropyBackward0()
        n.reduction, n.count = reduction, arr.size
        if weight is not None and weight.shape != input.shape:
            weight = weight.expand(input.shape)
        n.save(input, target, weight)
        link(n, res, (input, target, None))
    return res


class BinaryCrossEntropyWithLogitsBackward0(Node):
    __slots__ = ("count", "reduction")

    def backward(self, g):
        x, t, w, pw = self.saved_tensors
        if self.reduction == "mean":
            g = g / self.count
        e = self.next_edges
        gx = gt = None
        if e[0] is not None:
            if pw is None:
                gx = x.sigmoid() - t
            else:
                lw = (pw - 1) * t + 1
                gx = (-t + 1) - lw * (-x).sigmoid()
            gx = g * gx if w is None else g * gx * w
        if e[1] is not None:
            gt = -x if pw is None else -x - (pw - 1) * logsigmoid(x)
            gt = g * gt if w is None else g * gt * w
        return gx, gt


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step (``pos_weight`` weighs the positive term).

    >>> import ember
    >>> ember.nn.functional.binary_cross_entropy_with_logits(ember.tensor([0.]), ember.tensor([1.]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if target.dtype._cat == 0:  # PyTorch's kernel subtracts the target from ones of its dtype
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if target.dtype._cat == 1:
        raise RuntimeError(f"result type {D.legacy_name(D.promote_types(input.dtype, target.dtype))} can't be cast "
                           f"to the desired output type {D.legacy_name(target.dtype)}")
    a, b, _shape = _common(input, target)
    with np.errstate(over="ignore"):
        log_sig = -(np.log1p(np.exp(-np.abs(a))) + np.maximum(-a, 0))
    if pos_weight is not None:
        pwd = pos_weight._data.astype(a.dtype, copy=False)
        log_sig = log_sig * ((pwd - 1) * b + 1)
    arr = (1 - b) * a - log_sig
    if weight is not None:
        arr = arr * weight._data.astype(a.dtype, copy=False)
    arr = arr.astype(a.dtype, copy=False)
    full_shape = arr.shape
    out = arr.mean() if reduction == "mean" else arr.sum() if reduction == "sum" else arr
    res = _wrap(array_module(a).asarray(out, dtype=a.dtype))
    if state.enabled and (input._rg or target._rg):
        n = BinaryCrossEntropyWithLogitsBackward0()
        n.reduction, n.count = reduction, arr.size
        if full_shape != input.shape:
            n.meta = ((tuple(input.shape), None), (tuple(target.shape), None))
        n.save(input, target, weight, pos_weight)
        link(n, res, (input, target))
    return res


# ----------------------------------------------------------------------------- nll / cross-entropy
def _check_nll(input: Tensor, target: Tensor, weight, name: str = "nll_loss"):
    """PyTorch's shape/dtype checks; returns (C, class axis of input)."""
    nd = input.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd == 2 and target.shape[0] != input.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0]}).")
        if nd == 1 and target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"Expected input batch_size (1) to match target batch_size ({target.shape[0]}).")
    else:
        if target.ndim == 0 or input.shape[0] != target.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0] if target.ndim else 1}).")
        expected = [input.shape[0]] + list(input.shape[2:])
        if list(target.shape) != expected:
            raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")
    if target.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_TITLE.get(target.dtype.name)}")
    ax = 1 if nd >= 2 else 0
    c = input.shape[ax]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got weight "
                           f"tensor of shape: {list(weight.shape)}")
    return c, ax


def _nll_parts(logp, target: Tensor, weight, ignore_index: int, c: int, ax: int):
    """Picked log-probabilities, per-element weights (0 where ignored) and safe class indices."""
    xp = array_module(logp)
    t = target._data
    if type(t) is not type(logp):
        t = xp.asarray(t)
    t = t.astype(np.int64, copy=False)
    mask = t != ignore_index
    bad = mask & ((t < 0) | (t >= c))
    if bool(bad.any()):
        raise IndexError(f"Target {int(t[bad].ravel()[0])} is out of bounds.")
    ts = xp.where(mask, t, 0)
    if logp.ndim == 2:  # the common (N, C) case: plain fancy indexing
        picked = logp[xp.arange(logp.shape[0]), ts]
    elif logp.ndim > 2:
        picked = xp.take_along_axis(logp, xp.expand_dims(ts, ax), axis=ax).squeeze(ax)
    else:
        picked = logp[ts]
    if weight is not None:
        wd = weight._data
        if type(wd) is not type(logp):
            wd = xp.asarray(wd)
        wt = wd.astype(logp.dtype, copy=False)[ts] * mask
    else:
        wt = mask.astype(logp.dtype)
    return picked, wt, ts


def _onehot_like(shape, ts, ax, dtype, xp):
    oh = xp.zeros(shape, dtype=dtype)
    if len(shape) == 2:
        oh[xp.arange(shape[0]), ts] = 1
    elif len(shape) > 2:
        xp.put_along_axis(oh, xp.expand_dims(ts, ax), 1, axis=ax)
    else:
        oh[ts] = 1
    return oh


class _NllBase(Node):
    """Gradient of a weighted NLL (``softmax`` set: of cross-entropy on logits) with its reduction."""

    __slots__ = ("ax", "coef", "prob", "reduction", "softmax")

    def raw(self, g):
        coef = self.coef
        if self.reduction == "none" and g.ndim:
            g = array_module(g).expand_dims(g, self.ax)
        if self.softmax:
            wsum = coef.sum(axis=self.ax, keepdims=True) if coef.ndim > 1 else coef.sum()
            return g * (self.prob * wsum - coef)
        return g * -coef

    def backward(self, g):
        (x,) = self.saved_tensors
        coef = self.coef  # onehot * weight (0 where ignored), already divided by the mean's denominator
        if self.reduction == "none" and g.ndim:
            g = g.unsqueeze(self.ax)
        if self.softmax:
            wsum = coef.sum(axis=self.ax, keepdims=True) if coef.ndim > 1 else coef.sum()
            p = x.softmax(self.ax if x.ndim > 1 else 0)
            return g * (p * _wrap(wsum) - _wrap(coef))
        return g * _wrap(-coef)


NllLossBackward0 = type("NllLossBackward0", (_NllBase,), {"__slots__": ()})
NllLoss2DBackward0 = type("NllLoss2DBackward0", (_NllBase,), {"__slots__": ()})
_NllView = type("ViewBackward0", (_NllBase,), {"__slots__": ()})


def _nll_core(input: Tensor, logp, target: Tensor, weight, ignore_index: int, reduction: str, c: int, ax: int,
              softmax: bool) -> Tensor:
    picked, wt, ts = _nll_parts(logp, target, weight, ignore_index, c, ax)
    xp = array_module(logp)
    losses = -(picked * wt)
    if reduction == "none":
        out, denom = losses, None
    elif reduction == "sum":
        out, denom = losses.sum(), None
    else:
        denom = wt.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            out = losses.sum() / denom
    res = _wrap(xp.asarray(out, dtype=logp.dtype))
    if state.enabled and input._rg:
        nd = input.ndim  # PyTorch's final node: (N, C) -> NllLoss, 4-D -> NllLoss2D, other N-d 'none' -> a view
        n = NllLossBackward0() if nd <= 2 else _NllView() if nd != 4 and reduction == "none" \
            else NllLoss2DBackward0()
        coef = _onehot_like(logp.shape, ts, ax, logp.dtype, xp)
        coef *= xp.expand_dims(wt, ax) if logp.ndim > 1 else wt
        if denom is not None and float(denom) != 0:  # all ignored: loss NaN, gradient zero (as PyTorch)
            coef = coef / denom
        n.coef, n.ax, n.reduction, n.softmax = coef, ax, reduction, softmax
        if softmax:
            n.prob = xp.exp(logp)
        n.save(input)
        link(n, res, (input,))
    return res


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices ``target`` under log-probabilities ``input`` (N, C, ...).

    >>> import ember
    >>> ember.nn.functional.nll_loss(ember.tensor([[-1., -2.]]), ember.tensor([1]))
    tensor(2.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    c, ax = _check_nll(input, target, weight)
    return _nll_core(input, input._data, target, weight, ignore_index, reduction, c, ax, False)


class _FastCrossEntropyBackward(_NllBase):
    """Cross-entropy of (N, C) logits and valid int64 targets, mean or sum: gradient ``(softmax - onehot) * g``.

    Keeps the shifted exponentials and their row sums rather than the softmax: the raw gradient is then one pass,
    ``exps * (g * scale / sums)`` (the division and the scaling fused), instead of a division pass in the forward
    and a scaling pass in the backward.
    """

    __slots__ = ("exps", "flat", "scale", "sums", "target")

    def _coef(self, xp):
        n, c = self.exps.shape
        coef = xp.zeros((n, c), dtype=self.exps.dtype)
        coef[xp.arange(n), self.target] = self.scale
        return coef

    def raw(self, g):
        gs = g * self.scale
        grad = self.exps * (gs / self.sums)
        grad.ravel()[self.flat] -= gs  # the targets' entries (1-D indexing: ~3x faster than [arange, target])
        return grad

    def backward(self, g):
        if self.coef is None:
            self.coef = self._coef(array_module(self.exps))
        if self.prob is None:
            self.prob = self.exps / self.sums
        return _NllBase.backward(self, g)


_FastCrossEntropyBackward.__name__ = _FastCrossEntropyBackward.__qualname__ = "NllLossBackward0"


def _cross_entropy_fast(input: Tensor, d, t, reduction: str):
    """The common case in few NumPy calls: float (N, C) logits, int64 targets all in range, no weights."""
    n, c = d.shape
    flat = np.arange(0, n * c, c) + t  # the targets' offsets in the flattened logits
    if exp_safe((d,), c):  # log-sum-exp without the shift by the row maxima (see ember/_rowsum.py)
        picked = np.ascontiguousarray(d).ravel().take(flat)
        e = np.exp(d)
    else:
        sh = d - rowmax(d)
        picked = sh.ravel().take(flat)
        e = np.exp(sh, out=sh)
    s = rowsum(e)
    total = np.log(s).sum() - picked.sum(dtype=d.dtype)
    out = total / n if reduction == "mean" else total
    res = _wrap(np.asarray(out, dtype=d.dtype))
    if state.enabled and input._rg:
        node = _FastCrossEntropyBackward()
        node.exps, node.sums, node.prob, node.flat = e, s, None, flat
        node.target, node.scale = t, (1.0 / n if reduction == "mean" else 1.0)
        node.coef, node.ax, node.reduction, node.softmax = None, 1, reduction, True
        node.save(input)
        link(node, res, (input,))
    return res


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits (N, C, ...) with class indices or class probabilities as ``target``.

    >>> import ember
    >>> ember.nn.functional.cross_entropy(ember.tensor([[0., 0.]]), ember.tensor([1]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    d = input._data
    if (weight is None and label_smoothing == 0.0 and reduction != "none" and d.ndim == 2 and d.shape[0]
            and type(d) is np.ndarray and d.dtype.kind == "f" and isinstance(target, Tensor)):
        t = target._data
        # 0 <= t < C in one reduction: negative targets read as unsigned are above any class count
        if (t.dtype == np.int64 and t.shape == (d.shape[0],) and type(t) is np.ndarray
                and int(t.view(np.uint64).max()) < d.shape[1] and (ignore_index < 0 or ignore_index >= d.shape[1])):
            return _cross_entropy_fast(input, d, t, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {float(label_smoothing):g}")
    ax = 1 if input.ndim >= 2 else 0
    if target.is_floating_point() and target.shape == input.shape:
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, ax)
    c, ax = _check_nll(input, target, weight, "cross_entropy")
    if label_smoothing > 0:
        return _cross_entropy_smooth(input, target, weight, ignore_index, reduction, label_smoothing, c, ax)
    d = input._data
    if not input.is_floating_point():
        raise NotImplementedError(f"\"log_softmax_lastdim_kernel_impl\" not implemented for "
                                  f"'{_TITLE[input.dtype.name]}'")
    xp = array_module(d)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        sh = d - d.max(axis=ax, keepdims=True) if d.size else d
        logp = sh - xp.log(xp.exp(sh).sum(axis=ax, keepdims=True))
    return _nll_core(input, logp, target, weight, ignore_index, reduction, c, ax, True)


def _class_view(weight: Tensor, ndim: int, ax: int) -> Tensor:
    return weight.reshape([weight.shape[0] if i == ax else 1 for i in range(ndim)])


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing, ax):
    c = input.shape[ax]
    logp = _log_softmax(input, ax)
    t = target * (1 - label_smoothing) + label_smoothing / c if label_smoothing > 0 else target
    prod = logp * t
    if weight is not None:
        prod = prod * _class_view(weight, input.ndim, ax)
    if reduction == "none":
        return -prod.sum(ax)
    total = -prod.sum()
    if reduction == "sum":
        return total
    n = input.numel() // c if c else 0
    return total / n if n else total * float("nan")


def _cross_entropy_smooth(input, target, weight, ignore_index, reduction, eps, c, ax):
    logp = _log_softmax(input, ax)
    nll = _nll_core(logp, logp._data, target, weight, ignore_index, reduction, c, ax, False)
    ignore = target == ignore_index
    if weight is not None:
        smooth = -(logp * _class_view(weight, input.ndim, ax)).sum(ax)
    else:
        smooth = -logp.sum(ax)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == "mean":
        if weight is not None:
            keep = target[~ignore]
            ret = smooth.sum() / weight[keep].sum()
        else:
            ret = smooth.sum() / (~ignore).sum().to(smooth.dtype)
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - eps) + ret * (eps / c)


# ----------------------------------------------------------------------------- divergences and likelihoods
def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` as log-probabilities (``'batchmean'`` divides by the batch size).

    >>> import ember
    >>> ember.nn.functional.kl_div(ember.tensor([0.]), ember.tensor([1.]), reduction="sum")
    tensor(0.)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        from ...ops.pointwise import xlogy

        loss = xlogy(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood (``log_input``: input is the log-rate).

    >>> import ember
    >>> ember.nn.functional.poisson_nll_loss(ember.tensor([0.]), ember.tensor([1.]))
    tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Gaussian negative log-likelihood with predicted variance ``var`` (clamped to ``eps`` without grad).

    >>> import ember
    >>> ember.nn.functional.gaussian_nll_loss(ember.tensor([0.]), ember.tensor([0.]), ember.tensor([1.]))
    tensor(0.)
    """
    if not isinstance(var, Tensor):
        var = input.new_full(tuple(input.shape), float(var))
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = (var.log() + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


from .loss_margin import (
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
