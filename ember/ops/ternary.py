"""Elementwise ops with bounds or three operands: clamp, lerp, addcmul/addcdiv, xlogy, logit, nan_to_num, where."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, link
from ._util import (Tensor, _arr, _binary_node, _meta, _needs_grad, _wrap, as_tensor_arg, check_broadcast, keep_on_tie,
                    prep_binary,
                    result_type, select_grad, state)
from .comparison import isfinite
from .inplace import _out
from .unary import abs, exp, log1p, relu  # noqa: A004

_default = D._default


class ClampBackward1(Node):
    __slots__ = ("lo", "hi")

    def raw(self, g):
        (x,) = self.saved_arrays()
        m = None
        if self.lo is not None:
            m = x >= self.lo
        if self.hi is not None:
            m2 = x <= self.hi
            m = m2 if m is None else m & m2
        return select_grad(g, m)

    def backward(self, g):
        (x,) = self.saved_tensors
        m = None
        if self.lo is not None:
            m = x >= self.lo
        if self.hi is not None:
            m2 = x <= self.hi
            m = m2 if m is None else m & m2
        return where(m, g, g.new_zeros(()))


ClampMinBackward0 = type("ClampMinBackward0", (ClampBackward1,), {"__slots__": ()})
ClampMaxBackward0 = type("ClampMaxBackward0", (ClampBackward1,), {"__slots__": ()})


class ClampBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, lo, hi = self.saved_tensors
        m = None
        glo = ghi = None
        z = g.new_zeros(())
        if lo is not None:
            m = x >= lo
            if self.next_edges[1] is not None:
                glo = where(x < lo, g, z)
        if hi is not None:
            m2 = x <= hi
            m = m2 if m is None else m & m2
            if self.next_edges[2] is not None:
                ghi = where(x > hi, g, z)
        return where(m, g, z), glo, ghi


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    """Limit values to [min, max].

    >>> import ember
    >>> ember.clamp(ember.tensor([-2., 0.5, 3.]), 0, 1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = min if min is None or isinstance(min, Tensor) else as_tensor_arg(min, input)
        hi = max if max is None or isinstance(max, Tensor) else as_tensor_arg(max, input)
        check_broadcast(input, lo, hi)
        dt = result_type(*(t for t in (input, lo, hi) if t is not None))
        r = input._data.astype(D.np_dtype(dt), copy=False)
        if lo is not None:
            r = keep_on_tie(np.maximum, r, lo._data.astype(r.dtype, copy=False))
        if hi is not None:
            r = keep_on_tie(np.minimum, r, hi._data.astype(r.dtype, copy=False))
        res = _wrap(_arr(r))
        if state.enabled and any(t is not None and t._rg for t in (input, lo, hi)):
            n = ClampBackward0()
            n.save(input, lo, hi)
            shape = res._data.shape
            n.meta = tuple(None if t is None else _meta(t, shape, dt) for t in (input, lo, hi))
            link(n, res, (input, lo, hi))
        return _out(res, out)
    d = input._data
    dt = result_type(input, *(v for v in (min, max) if v is not None))
    if dt is not input.dtype:
        d = d.astype(D.np_dtype(dt))
    res = _wrap(_arr(_clamp_arr(d, min, max)))
    if input._rg and state.enabled:
        n = ClampBackward1()
        n.lo, n.hi = min, max
        n.save(input)
        link(n, res, (input,))
    return _out(res, out)


clip = clamp


def _clamp_arr(d, lo, hi):
    """``d`` limited to ``[lo, hi]`` (Python numbers, either may be None; ``hi`` but NaN when ``lo > hi``).

    With one bound NumPy's clip returns the bound where the input equals it, PyTorch the input: they differ for
    -0.0 against a zero bound, so float32/64 with one bound go through maximum / minimum keeping the input on ties
    (as fast as clip with one bound). With two bounds clip agrees with PyTorch on every combination of signed
    zeros, and its single SIMD pass is 3-6x faster than maximum then minimum.
    """
    if lo is not None and hi is not None and lo > hi:
        r = np.full_like(d, hi)
        if d.dtype.kind == "f":
            np.copyto(r, d, where=np.isnan(d))  # NaN still propagates
        return r
    if d.dtype.kind != "f" or d.dtype == np.float16 or (lo is not None and hi is not None):
        return np.clip(d, lo, hi)
    return keep_on_tie(np.maximum, d, lo) if hi is None else keep_on_tie(np.minimum, d, hi)


def clamp_min(input, min) -> Tensor:  # noqa: A002
    """``clamp(input, min=min)``, recorded as ClampMinBackward0."""
    return _renamed(clamp(input, min=min), ClampMinBackward0)


def clamp_max(input, max) -> Tensor:  # noqa: A002
    """``clamp(input, max=max)``, recorded as ClampMaxBackward0."""
    return _renamed(clamp(input, max=max), ClampMaxBackward0)


def _renamed(res: Tensor, cls) -> Tensor:
    n = res.grad_fn
    if type(n) is ClampBackward1:
        n.__class__ = cls
    return res


class LerpBackward0(Node):
    __slots__ = ("weight",)

    def backward(self, g):
        w = self.weight
        e = self.next_edges
        return (g * (1 - w) if e[0] is not None else None), (g * w if e[1] is not None else None)

    raw = backward


class LerpBackward1(Node):
    __slots__ = ()

    def backward(self, g):
        a, b, w = self.saved_tensors
        e = self.next_edges
        return ((g * (-w + 1) if e[0] is not None else None), (g * w if e[1] is not None else None),
                (g * (b - a) if e[2] is not None else None))


def _lerp_np(a, b, w):
    """PyTorch's two-sided lerp formula (exact at both ends)."""
    d = b - a
    return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))


def _node3(node, res, ins, dt):
    """Link a node with three tensor-or-None inputs, with broadcasting/promotion fix-ups."""
    shape = res._data.shape
    metas = tuple(_meta(t, shape, dt) for t in ins)
    if any(m is not None for m in metas):
        node.meta = metas
    link(node, res, tuple(t if isinstance(t, Tensor) else None for t in ins))


def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``.

    >>> import ember
    >>> ember.lerp(ember.tensor([0., 1.]), ember.tensor([10., 11.]), 0.5)
    tensor([5., 6.])
    """
    if isinstance(weight, Tensor):
        check_broadcast(input, end, weight)
        dt = result_type(input, end, weight)
        npd = D.np_dtype(dt)
        r = _lerp_np(*(t._data.astype(npd, copy=False) for t in (input, end, weight)))
        res = _wrap(_arr(r))
        if state.enabled and (input._rg or end._rg or weight._rg):
            n = LerpBackward1()
            n.save(input, end, weight)
            _node3(n, res, (input, end, weight), dt)
        return _out(res, out)
    ad, bd, dt = prep_binary(input, end)
    res = _wrap(_arr(_lerp_np(ad, bd, weight).astype(ad.dtype, copy=False)))
    if _needs_grad(input, end):
        n = LerpBackward0()
        n.weight = weight
        _binary_node(n, res, input, end, dt)
    return _out(res, out)


class AddcmulBackward0(Node):
    __slots__ = ("value",)

    def backward(self, g):
        t1, t2 = self.saved_tensors
        e, v = self.next_edges, self.value
        gv = g if v == 1 else g * v
        return (g if e[0] is not None else None, gv * t2 if e[1] is not None else None,
                gv * t1 if e[2] is not None else None)


class AddcdivBackward0(Node):
    __slots__ = ("value",)

    def backward(self, g):
        t1, t2 = self.saved_tensors
        e, v = self.next_edges, self.value
        gv = g if v == 1 else g * v
        return (g if e[0] is not None else None, gv / t2 if e[1] is not None else None,
                -gv * t1 / (t2 * t2) if e[2] is not None else None)


def _addc(input, tensor1, tensor2, value, out, is_div):
    check_broadcast(input, tensor1, tensor2)
    dt = result_type(input, tensor1, tensor2)
    if is_div and dt._cat < 2:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
                           "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
                           "tensor2), for all dtypes.")
    npd = D.np_dtype(dt)
    a, b, c = (t._data.astype(npd, copy=False) for t in (input, tensor1, tensor2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = b / c if is_div else b * c
    res = _wrap(_arr(a + (p if value == 1 else p * value)))
    if state.enabled and (input._rg or tensor1._rg or tensor2._rg):
        n = AddcdivBackward0() if is_div else AddcmulBackward0()
        n.value = value
        n.save(tensor1, tensor2)
        _node3(n, res, (input, tensor1, tensor2), dt)
    return _out(res, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``.

    >>> import ember
    >>> ember.addcmul(ember.ones(2), ember.tensor([1., 2.]), ember.tensor([3., 4.]), value=0.5)
    tensor([2.5000, 5.0000])
    """
    return _addc(input, tensor1, tensor2, value, out, False)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``.

    >>> import ember
    >>> ember.addcdiv(ember.ones(2), ember.tensor([1., 2.]), ember.tensor([4., 4.]))
    tensor([1.2500, 1.5000])
    """
    return _addc(input, tensor1, tensor2, value, out, True)


class XlogyBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, y = self.saved_tensors
        e = self.next_edges
        gx = gy = None
        if e[0] is not None:  # PyTorch: xlogy(g, y), and 0 where x == 0 and y <= 0 (so log(0) and log(-y) stay out)
            other = y if y is not None else self.other
            gx = xlogy(g, other)
            mask = (x == 0) & (y <= 0) if y is not None else (x == 0) if other <= 0 else None
            if mask is not None:
                gx = gx.masked_fill(mask, 0.0)
        if e[1] is not None:
            gy = g * x / y
        return gx, gy


class XlogyBackward2(XlogyBackward0):
    __slots__ = ("other",)


XlogyBackward1 = type("XlogyBackward1", (XlogyBackward0,), {"__slots__": ()})


def x_times_log(input, other, log_fn, make_node) -> Tensor:
    """``input * log_fn(other)``, and 0 where ``input == 0`` (unless ``other`` is NaN), in the float result dtype:
    xlogy's and special.xlog1py's value. ``make_node(x_is_tensor, y_is_tensor)`` gives the gradient node, which
    saves (x, y) and gets a scalar ``other`` as its ``other``."""
    ad, bd, dt = prep_binary(input, other)
    if dt._cat < 2:
        dt = _default.dtype
    fd = D.np_dtype(dt)
    ad, bd = np.asarray(ad, dtype=fd), np.asarray(bd, dtype=fd)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = ad * log_fn(bd)
        r = np.where((ad == 0) & ~np.isnan(bd), 0, r).astype(r.dtype, copy=False)
    res = _wrap(_arr(r))
    if _needs_grad(input, other):
        x_t, y_t = isinstance(input, Tensor), isinstance(other, Tensor)
        n = make_node(x_t, y_t)
        if not y_t:
            n.other = other
        n.save(input if x_t else _wrap(np.asarray(input, dtype=fd)), other if y_t else None)
        _binary_node(n, res, input if x_t else None, other if y_t else None, dt)
    return res


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, and 0 where ``input == 0`` (unless ``other`` is NaN).

    >>> import ember
    >>> ember.xlogy(ember.tensor([0., 2.]), ember.tensor([0., 1.]))
    tensor([0., 0.])
    """
    res = x_times_log(input, other, np.log, lambda x_t, y_t: XlogyBackward0() if x_t and y_t else
                      XlogyBackward1() if y_t else XlogyBackward2())
    return _out(res, out)


class LogitBackward0(Node):
    __slots__ = ("eps",)

    def backward(self, g):
        (x,) = self.saved_tensors
        r = g / (x * (-x + 1))
        if self.eps is None:
            return r
        return where((x < self.eps) | (x > 1 - self.eps), r * 0, r)


def logit(input, eps=None, *, out=None) -> Tensor:
    """``log(p / (1 - p))``, with p clamped to [eps, 1 - eps] when eps is given.

    >>> import ember
    >>> ember.logit(ember.tensor([0.5]))
    tensor([0.])
    """
    d = input._data
    if d.dtype.kind in "biu":
        d = d.astype(D.np_dtype(_default.dtype))
    if eps is not None:
        d = np.clip(d, eps, 1 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _wrap(_arr(np.log(d / (1 - d))))
    if input._rg and state.enabled:
        n = LogitBackward0()
        n.eps = eps
        n.save(input)
        link(n, res, (input,))
    return _out(res, out)


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """Replace NaN and infinities with finite numbers."""
    d = input._data
    if d.dtype.kind != "f":
        return input.clone()
    fi = np.finfo(d.dtype)
    r = np.nan_to_num(d, nan=nan, posinf=fi.max if posinf is None else posinf,
                      neginf=fi.min if neginf is None else neginf)
    res = _wrap(_arr(r))
    if input._rg and state.enabled:
        n = NanToNumBackward0()
        n.save(input)
        link(n, res, (input,))
    return res


class NanToNumBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * isfinite(x)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, linear above ``threshold``."""
    bx = input * beta if beta != 1 else input
    r = log1p(exp(-abs(bx))) + relu(bx)
    return where(bx > threshold, input, r if beta == 1 else r / beta)


# ----------------------------------------------------------------------------- where
class WhereBackward0(Node):
    __slots__ = ()

    def raw(self, g):
        (c,) = self.saved_arrays()
        e = self.next_edges
        z = np.zeros((), g.dtype)
        return (np.where(c, g, z) if e[0] is not None else None), (np.where(c, z, g) if e[1] is not None else None)

    def backward(self, g):
        (c,) = self.saved_tensors
        z = g.new_zeros(())
        return (where(c, g, z) if self.next_edges[0] is not None else None,
                where(c, z, g) if self.next_edges[1] is not None else None)


def where(condition, input=None, other=None, *, out=None):
    """Pick from ``input`` where ``condition`` holds, else from ``other``; with one argument, ``nonzero``.

    >>> import ember
    >>> x = ember.tensor([1., -2.])
    >>> ember.where(x > 0, x, 0.)
    tensor([1., 0.])
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = as_tensor_arg(input, condition)  # numbers on the other side stay wrapped numbers
    c = condition._data
    if c.dtype != np.bool_:
        if c.dtype == np.uint8:
            c = c.astype(bool)
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{D.legacy_name(condition.dtype)}")
    check_broadcast(c, input, other)
    ad, bd, dt = prep_binary(input, other)
    res = _wrap(_arr(np.where(c, ad, bd)))
    if _needs_grad(input, other):
        n = WhereBackward0()
        n.save(condition)
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "abs", "addcdiv", "addcmul", "clamp", "clamp_max", "clamp_min", "clip", "exp", "isfinite", "lerp",
    "log1p", "logit", "nan_to_num", "relu", "result_type", "where", "xlogy",
]
