"""Elementwise ops: arithmetic operators, unary math, comparisons, and their in-place forms."""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, SavedOutput, link
from ._util import (Tensor, _wrap, as_tensor_arg, float_type_of, is_scalar, prep_binary, register, result_type,
                    state)

_generic = np.generic
_asarray = np.asarray
_default = D._default


def _arr(r):
    """Ufuncs return NumPy scalars for 0-d inputs; keep everything an array."""
    return _asarray(r) if isinstance(r, _generic) else r


def _meta(t, shape, dt):
    """Engine fix-up for one input: None, or (shape, dtype) when broadcasting or promotion happened."""
    if not isinstance(t, Tensor):
        return None
    tdt = t.dtype
    if t._data.shape == shape and tdt is dt:
        return None
    return (t._data.shape, tdt if tdt is not dt else None)


def _binary_node(node, out, a, b, dt):
    shape = out._data.shape
    ma, mb = _meta(a, shape, dt), _meta(b, shape, dt)
    if ma is not None or mb is not None:
        node.meta = (ma, mb)
    link(node, out, (a if isinstance(a, Tensor) else None, b if isinstance(b, Tensor) else None))


def _needs_grad(a, b) -> bool:
    return state.enabled and ((isinstance(a, Tensor) and a._rg) or (isinstance(b, Tensor) and b._rg))


# ----------------------------------------------------------------------------- binary arithmetic
class AddBackward0(Node):
    __slots__ = ("alpha",)

    def backward(self, g):
        a = self.alpha
        return g, (g if a == 1 else g * a)

    raw = backward


class SubBackward0(Node):
    __slots__ = ("alpha",)

    def backward(self, g):
        a = self.alpha
        return g, (-g if a == 1 else g * -a)

    raw = backward


class RsubBackward1(Node):
    __slots__ = ("alpha",)

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha),

    raw = backward


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other`` with broadcasting and PyTorch's dtype promotion.

    >>> import ember
    >>> ember.add(ember.tensor([1, 2]), 1)
    tensor([2, 3])
    """
    ad, bd, dt = prep_binary(input, other)
    r = ad + bd if alpha == 1 else ad + bd * alpha
    res = _wrap(_arr(r))
    if _needs_grad(input, other):
        if dt._cat < 2:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        n = AddBackward0()
        n.alpha = alpha
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``.

    >>> import ember
    >>> ember.sub(ember.tensor([1., 2.]), 1)
    tensor([0., 1.])
    """
    ad, bd, dt = prep_binary(input, other)
    if dt is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    r = ad - bd if alpha == 1 else ad - bd * alpha
    res = _wrap(_arr(r))
    if _needs_grad(input, other):
        n = SubBackward0()
        n.alpha = alpha
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    ad, bd, dt = prep_binary(input, other)
    res = _wrap(_arr(bd - ad if alpha == 1 else bd - ad * alpha))
    if state.enabled and input._rg:
        n = RsubBackward1()
        n.alpha = alpha
        _binary_node(n, res, input, None, dt)
    return res


class MulBackward0(Node):
    __slots__ = ("other",)

    def backward(self, g):
        a, b = self.saved_tensors
        e = self.next_edges
        ga = g * (b if b is not None else self.other) if e[0] is not None else None
        gb = g * a if e[1] is not None else None
        return ga, gb

    def raw(self, g):
        a, b = self.saved_arrays()
        e = self.next_edges
        ga = g * (b if b is not None else self.other) if e[0] is not None else None
        gb = g * a if e[1] is not None else None
        return ga, gb


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product.

    >>> import ember
    >>> ember.mul(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor([3., 8.])
    """
    ad, bd, dt = prep_binary(input, other)
    res = _wrap(_arr(ad * bd))
    if _needs_grad(input, other):
        if not isinstance(input, Tensor):
            input, other = other, input
        n = MulBackward0()
        if isinstance(other, Tensor):
            n.save(input if other._rg else None, other if input._rg else None)
            _binary_node(n, res, input, other, dt)
        else:
            n.other = other
            n.save(None, None)
            _binary_node(n, res, input, None, dt)
    return _out(res, out)


class DivBackward0(Node):
    __slots__ = ("other", "mode")

    def backward(self, g):
        a, b = self.saved_tensors
        if b is None:
            return g / self.other, None
        ga = g / b if self.next_edges[0] is not None else None
        gb = -g * a / (b * b) if self.next_edges[1] is not None else None
        return ga, gb

    def raw(self, g):
        a, b = self.saved_arrays()
        if b is None:
            return g / self.other, None
        e = self.next_edges
        return (g / b if e[0] is not None else None), (-g * a / (b * b) if e[1] is not None else None)


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """Elementwise division; ``rounding_mode`` None (true division), 'trunc' or 'floor'.

    >>> import ember
    >>> ember.div(ember.tensor([1, 2]), 2)
    tensor([0.5000, 1.0000])
    """
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                             f"'{rounding_mode}'")
        return _rounded_div(input, other, rounding_mode, out)
    ad, bd, dt = prep_binary(input, other)
    if dt._cat < 2:
        fd = D.np_dtype(_default.dtype)
        ad, bd, dt = ad.astype(fd), np.asarray(bd).astype(fd), _default.dtype
    if not isinstance(input, Tensor):  # scalar / tensor -> reciprocal * scalar, as PyTorch records it
        return mul(reciprocal(other if other.dtype is dt else other.to(dt)), input)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _wrap(_arr(ad / bd))
    if _needs_grad(input, other):
        n = DivBackward0()
        if isinstance(other, Tensor):
            n.save(input, other)
            _binary_node(n, res, input, other, dt)
        else:
            n.other = other
            n.save(None, None)
            _binary_node(n, res, input, None, dt)
    return _out(res, out)


def _rounded_div(input, other, mode, out):
    ad, bd, dt = prep_binary(input, other)
    if dt._cat < 2 and np.any(np.asarray(bd) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "floor":
            r = np.floor_divide(ad, bd)
        elif dt._cat < 2:
            q = np.floor_divide(ad, bd)
            r = np.where((np.remainder(ad, bd) != 0) & ((ad < 0) != (bd < 0)), q + 1, q)
        else:
            r = np.trunc(ad / bd)
    res = _wrap(_arr(np.asarray(r, dtype=D.np_dtype(dt))))
    if _needs_grad(input, other):
        n = _ZeroGrad()
        _binary_node(n, res, input, other if isinstance(other, Tensor) else None, dt)
    return _out(res, out)


class _ZeroGrad(Node):
    """Derivative zero almost everywhere (floor, round, sign, floor division ...)."""

    __slots__ = ()

    def backward(self, g):
        z = g * 0
        return tuple(z if e is not None else None for e in self.next_edges)


def _named(cls_name):
    return type(cls_name, (_ZeroGrad,), {"__slots__": ()})


def floor_divide(input, other, *, out=None) -> Tensor:
    """Division rounded toward negative infinity."""
    return _rounded_div(input, other, "floor", out)


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


class PowBackward0(Node):
    __slots__ = ("exponent",)

    def backward(self, g):
        (x,) = self.saved_tensors
        e = self.exponent
        if e == 0:
            return g * 0
        if e == 2:
            return g * (x * 2)
        return g * (x ** (e - 1) * e)

    def raw(self, g):
        (x,) = self.saved_arrays()
        e = self.exponent
        if e == 0:
            return g * 0
        if e == 2:
            return g * (x * 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * (x ** (e - 1) * e)


class PowBackward1(Node):
    __slots__ = ()

    def backward(self, g):
        x, e, y = self.saved_tensors
        ga = gb = None
        if self.next_edges[0] is not None:
            ga = g * e * x ** (e - 1)
            ga = where(e == 0, ga * 0, ga)
        if self.next_edges[1] is not None:
            gb = g * y * where(x == 0, x * 0, log(where(x == 0, x + 1, x)))
            gb = where((x == 0) & (e >= 0), gb * 0, gb)
        return ga, gb


class PowBackward2(Node):
    __slots__ = ("base",)

    def backward(self, g):
        (y,) = self.saved_tensors
        b = self.base
        if b == 0:
            return g * 0
        return g * y * math.log(b)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001 - PyTorch's name
    """``input ** exponent`` elementwise.

    >>> import ember
    >>> ember.pow(ember.tensor([2., 3.]), 2)
    tensor([4., 9.])
    """
    if not isinstance(input, Tensor):
        return _rpow(exponent, input)
    ad, bd, dt = prep_binary(input, exponent)
    if dt._cat == 1 and isinstance(exponent, (int, Tensor)) and np.any(np.asarray(bd) < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = np.square(ad) if is_scalar(exponent) and exponent == 2 else np.power(ad, bd)
    res = _wrap(_arr(r))
    if _needs_grad(input, exponent):
        if isinstance(exponent, Tensor):
            n = PowBackward1()
            n.save(input, exponent, SavedOutput(res))
            _binary_node(n, res, input, exponent, dt)
        else:
            n = PowBackward0()
            n.exponent = exponent
            n.save(input)
            link(n, res, (input,))
            if input.dtype is not dt:
                n.meta = ((input._data.shape, input.dtype),)
    return _out(res, out)


def _rpow(exponent: Tensor, base) -> Tensor:
    ad, bd, dt = prep_binary(base, exponent)
    if dt._cat == 1 and np.any(bd < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    res = _wrap(_arr(np.power(ad, bd)))
    if state.enabled and exponent._rg:
        n = PowBackward2()
        n.base = base
        n.save(SavedOutput(res))
        link(n, res, (exponent,))
    return res


class MaximumBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        eq = a == b
        ga = where(eq, g / 2, g).masked_fill(a < b, 0)
        gb = where(eq, g / 2, g).masked_fill(b < a, 0)
        return ga, gb


class MinimumBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        eq = a == b
        ga = where(eq, g / 2, g).masked_fill(a > b, 0)
        gb = where(eq, g / 2, g).masked_fill(b > a, 0)
        return ga, gb


def _tensor_other(input, other):
    if not isinstance(other, Tensor):
        other = as_tensor_arg(other, input)
    return other


def maximum(input, other, *, out=None) -> Tensor:
    """Elementwise maximum (NaN propagates).

    >>> import ember
    >>> ember.maximum(ember.tensor([1., 5.]), ember.tensor([3., 2.]))
    tensor([3., 5.])
    """
    other = _tensor_other(input, other)
    ad, bd, dt = prep_binary(input, other)
    res = _wrap(_arr(np.maximum(ad, bd)))
    if _needs_grad(input, other):
        n = MaximumBackward0()
        n.save(input, other)
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


def minimum(input, other, *, out=None) -> Tensor:
    """Elementwise minimum (NaN propagates)."""
    other = _tensor_other(input, other)
    ad, bd, dt = prep_binary(input, other)
    res = _wrap(_arr(np.minimum(ad, bd)))
    if _needs_grad(input, other):
        n = MinimumBackward0()
        n.save(input, other)
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


def fmax(input, other, *, out=None) -> Tensor:
    """Elementwise maximum ignoring NaN."""
    other = _tensor_other(input, other)
    return where(isnan(other) | (input >= other), input, other)


def fmin(input, other, *, out=None) -> Tensor:
    """Elementwise minimum ignoring NaN."""
    other = _tensor_other(input, other)
    return where(isnan(other) | (input <= other), input, other)


class Atan2Backward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        d = a * a + b * b
        return g * b / d, g * -a / d


def atan2(input, other, *, out=None) -> Tensor:
    """Elementwise arctangent of input/other with quadrant."""
    other = _tensor_other(input, other)
    ad, bd, dt = prep_binary(input, other)
    if dt._cat < 2:
        fd = D.np_dtype(_default.dtype)
        ad, bd, dt = ad.astype(fd), bd.astype(fd), _default.dtype
    res = _wrap(_arr(np.arctan2(ad, bd)))
    if _needs_grad(input, other):
        n = Atan2Backward0()
        n.save(input, other)
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


arctan2 = atan2


class HypotBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b, y = self.saved_tensors
        return g * a / y, g * b / y


def hypot(input, other, *, out=None) -> Tensor:
    """sqrt(input**2 + other**2) elementwise."""
    ad, bd, dt = prep_binary(input, other)
    res = _wrap(_arr(np.hypot(ad, bd)))
    if _needs_grad(input, other):
        n = HypotBackward0()
        n.save(input, other, SavedOutput(res))
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


class FmodBackward(Node):
    __slots__ = ("mode",)

    def backward(self, g):
        a, b = self.saved_tensors
        gb = None
        if b is not None and self.next_edges[1] is not None:
            q = (a / b).trunc() if self.mode == "fmod" else (a / b).floor()
            gb = -g * q
        return g, gb


def fmod(input, other, *, out=None) -> Tensor:
    """C-style remainder (sign of the dividend)."""
    return _mod(input, other, "fmod", np.fmod, out)


def remainder(input, other, *, out=None) -> Tensor:
    """Python-style remainder (sign of the divisor).

    >>> import ember
    >>> ember.remainder(ember.tensor([-3, 3]), 2)
    tensor([1, 1])
    """
    if not isinstance(input, Tensor):
        input = as_tensor_arg(input, other)
    return _mod(input, other, "remainder", np.remainder, out)


def _mod(input, other, mode, fn, out):
    ad, bd, dt = prep_binary(input, other)
    if dt._cat < 2 and np.any(np.asarray(bd) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _wrap(_arr(fn(ad, bd)))
    if _needs_grad(input, other):
        n = FmodBackward0() if mode == "fmod" else RemainderBackward0()
        n.mode = mode
        n.save(input, other if isinstance(other, Tensor) else None)
        _binary_node(n, res, input, other if isinstance(other, Tensor) else None, dt)
    return _out(res, out)


class FmodBackward0(FmodBackward):
    __slots__ = ()


class RemainderBackward0(FmodBackward):
    __slots__ = ()



# ----------------------------------------------------------------------------- unary math
_UNARY_DOC = "Elementwise ``{name}``.\n\n    >>> import ember\n    >>> ember.{name}(ember.tensor([{ex}]))\n    {out}\n"


def _unary(name, ufunc, deriv, *, save="input", keep_int=False, node_name=None, doc=None, rawd=None):
    """Define ``ember.<name>``, ``Tensor.<name>``, ``Tensor.<name>_`` from a ufunc and a derivative.

    ``deriv(g, x_or_y)`` is written in Tensor ops (so it is differentiable); ``save`` says whether it
    needs the input ('input'), the output ('output') or nothing (None).
    """
    node_name = node_name or name.capitalize() + "Backward0"

    def backward(self, g):
        if save is None:
            return deriv(g, None)
        (x,) = self.saved_tensors
        return deriv(g, x)

    attrs = {"__slots__": (), "backward": backward}
    if rawd is not None:
        def raw(self, g):
            if save is None:
                return rawd(g, None)
            return rawd(g, self.saved_arrays()[0])
        attrs["raw"] = raw
    node_cls = type(node_name, (Node,), attrs)
    fdt = D.np_dtype

    def op(input, *, out=None):
        d = input._data
        if not keep_int and d.dtype.kind in "biu":
            d = d.astype(fdt(_default.dtype))
        r = ufunc(d)
        if type(r) is not type(d):
            r = _arr(r)
        res = _wrap(r)
        if input._rg and state.enabled:
            n = node_cls()
            if save == "input":
                n.save(input)
            elif save == "output":
                n.save(SavedOutput(res))
            link(n, res, (input,))
        return _out(res, out) if out is not None else res

    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = doc or f"Elementwise ``{name}`` (integers are computed in the default float dtype)."
    op._node = node_cls
    return op


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_2_SQRTPI = 2.0 / math.sqrt(math.pi)


def _np_sigmoid_typed(d):
    with np.errstate(over="ignore"):
        e = np.exp(-d)
        e += 1
        return np.reciprocal(e, out=e)


def _errstate(fn):
    def f(d):
        with np.errstate(all="ignore"):
            return fn(d)
    return f


def _erf(d):
    from ._special import erf as _e  # noqa: PLC0415

    return _e(d)


def _erfinv(d):
    from ._special import erfinv as _e  # noqa: PLC0415

    return _e(d)


exp = _unary("exp", _errstate(np.exp), lambda g, y: g * y, save="output", rawd=lambda g, y: g * y,
             doc="Elementwise exponential.\n\n    >>> import ember\n    >>> ember.exp(ember.tensor([0.]))\n"
                 "    tensor([1.])\n")
exp2 = _unary("exp2", _errstate(np.exp2), lambda g, y: g * y * _LN2, save="output")
expm1 = _unary("expm1", _errstate(np.expm1), lambda g, y: g * (y + 1), save="output")
log = _unary("log", _errstate(np.log), lambda g, x: g / x, rawd=lambda g, x: g / x,
             doc="Natural logarithm.\n\n    >>> import ember\n    >>> ember.log(ember.tensor([1.]))\n"
                 "    tensor([0.])\n")
log2 = _unary("log2", _errstate(np.log2), lambda g, x: g / (x * _LN2))
log10 = _unary("log10", _errstate(np.log10), lambda g, x: g / (x * _LN10))
log1p = _unary("log1p", _errstate(np.log1p), lambda g, x: g / (x + 1), rawd=lambda g, x: g / (x + 1))
sqrt = _unary("sqrt", _errstate(np.sqrt), lambda g, y: g / (y * 2), save="output", rawd=lambda g, y: g / (y * 2))
rsqrt = _unary("rsqrt", _errstate(lambda d: 1.0 / np.sqrt(d) if d.dtype.kind != "f" else
                                   np.reciprocal(np.sqrt(d))), lambda g, y: g * y * y * y * -0.5, save="output")
sin = _unary("sin", np.sin, lambda g, x: g * x.cos(), rawd=lambda g, x: g * np.cos(x))
cos = _unary("cos", np.cos, lambda g, x: g * -x.sin(), rawd=lambda g, x: g * -np.sin(x))
tan = _unary("tan", np.tan, lambda g, y: g * (y * y + 1), save="output")
asin = _unary("asin", _errstate(np.arcsin), lambda g, x: g * (-(x * x) + 1).rsqrt())
acos = _unary("acos", _errstate(np.arccos), lambda g, x: g * -(-(x * x) + 1).rsqrt())
atan = _unary("atan", np.arctan, lambda g, x: g / (x * x + 1))
sinh = _unary("sinh", _errstate(np.sinh), lambda g, x: g * x.cosh())
cosh = _unary("cosh", _errstate(np.cosh), lambda g, x: g * x.sinh())
tanh = _unary("tanh", np.tanh, lambda g, y: g * (-(y * y) + 1), save="output", rawd=lambda g, y: g * (1 - y * y),
              doc="Hyperbolic tangent.\n\n    >>> import ember\n    >>> ember.tanh(ember.tensor([0.]))\n"
                  "    tensor([0.])\n")
asinh = _unary("asinh", np.arcsinh, lambda g, x: g * (x * x + 1).rsqrt())
acosh = _unary("acosh", _errstate(np.arccosh), lambda g, x: g * (x * x - 1).rsqrt())
atanh = _unary("atanh", _errstate(np.arctanh), lambda g, x: g / (-(x * x) + 1))
sigmoid = _unary("sigmoid", _np_sigmoid_typed, lambda g, y: g * y * (-y + 1), save="output",
                 rawd=lambda g, y: g * y * (1 - y),
                 doc="Logistic sigmoid 1 / (1 + exp(-x)).\n\n    >>> import ember\n"
                     "    >>> ember.sigmoid(ember.tensor([0.]))\n    tensor([0.5000])\n")
neg = _unary("neg", np.negative, lambda g, _: -g, save=None, keep_int=True, rawd=lambda g, _: -g)
reciprocal = _unary("reciprocal", _errstate(lambda d: np.reciprocal(d)), lambda g, y: g * -(y * y), save="output")
erf = _unary("erf", _erf, lambda g, x: g * (-(x * x)).exp() * _2_SQRTPI)
erfc = _unary("erfc", lambda d: 1.0 - _erf(d), lambda g, x: g * (-(x * x)).exp() * -_2_SQRTPI)
erfinv = _unary("erfinv", _errstate(_erfinv), lambda g, y: g * (y * y).exp() * (math.sqrt(math.pi) / 2),
                save="output")
sign = _unary("sign", np.sign, lambda g, _: g * 0, save=None, keep_int=True)
sgn = sign
floor = _unary("floor", np.floor, lambda g, _: g * 0, save=None, keep_int=True)
ceil = _unary("ceil", np.ceil, lambda g, _: g * 0, save=None, keep_int=True)
trunc = _unary("trunc", np.trunc, lambda g, _: g * 0, save=None, keep_int=True)
fix = trunc
frac = _unary("frac", lambda d: d - np.trunc(d), lambda g, _: g, save=None)
deg2rad = _unary("deg2rad", np.deg2rad, lambda g, _: g * (math.pi / 180), save=None)
rad2deg = _unary("rad2deg", np.rad2deg, lambda g, _: g * (180 / math.pi), save=None)


def _abs_deriv(g, x):
    return g * x.sign()


abs = _unary("abs", np.abs, _abs_deriv, keep_int=True, rawd=lambda g, x: g * np.sign(x),  # noqa: A001
             doc="Absolute value.\n\n    >>> import ember\n    >>> ember.abs(ember.tensor([-1, 2]))\n"
                 "    tensor([1, 2])\n")
absolute = abs


def _relu_np(d):
    return np.maximum(d, 0, dtype=d.dtype) if d.dtype.kind != "b" else d


relu = _unary("relu", _relu_np, lambda g, y: g * (y > 0), save="output", keep_int=True,
              rawd=lambda g, y: g * (y > 0),
              doc="max(x, 0) elementwise.\n\n    >>> import ember\n    >>> ember.relu(ember.tensor([-1., 2.]))\n"
                  "    tensor([0., 2.])\n")


def square(input, *, out=None) -> Tensor:
    """input * input (recorded as PowBackward0, like PyTorch)."""
    if input.dtype is D.bool:
        return pow(input.to(D.int64), 2)
    return pow(input, 2, out=out)


def round(input, *, decimals: int = 0, out=None) -> Tensor:  # noqa: A001
    """Round half to even, optionally to ``decimals`` places."""
    d = input._data
    r = np.round(d, decimals) if d.dtype.kind == "f" else d.copy()
    res = _wrap(_arr(r))
    if input._rg and state.enabled:
        link(RoundBackward0() if decimals == 0 else RoundBackward1(), res, (input,))
    return _out(res, out)


RoundBackward0 = _named("RoundBackward0")
RoundBackward1 = _named("RoundBackward1")


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
        return g * m

    def backward(self, g):
        (x,) = self.saved_tensors
        m = None
        if self.lo is not None:
            m = x >= self.lo
        if self.hi is not None:
            m2 = x <= self.hi
            m = m2 if m is None else m & m2
        return g * m


class ClampBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, lo, hi = self.saved_tensors
        m = None
        glo = ghi = None
        if lo is not None:
            m = x >= lo
            if self.next_edges[1] is not None:
                glo = where(x < lo, g, g * 0)
        if hi is not None:
            m2 = x <= hi
            m = m2 if m is None else m & m2
            if self.next_edges[2] is not None:
                ghi = where(x > hi, g, g * 0)
        return g * m, glo, ghi


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
        dt = result_type(*(t for t in (input, lo, hi) if t is not None))
        r = input._data.astype(D.np_dtype(dt), copy=False)
        if lo is not None:
            r = np.maximum(r, lo._data.astype(r.dtype, copy=False))
        if hi is not None:
            r = np.minimum(r, hi._data.astype(r.dtype, copy=False))
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
    r = np.clip(d, min, max) if min is None or max is None or min <= max else np.full_like(d, max)
    res = _wrap(_arr(r))
    if input._rg and state.enabled:
        n = ClampBackward1()
        n.lo, n.hi = min, max
        n.save(input)
        link(n, res, (input,))
    return _out(res, out)


clip = clamp


def clamp_min(input, min) -> Tensor:  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input, max) -> Tensor:  # noqa: A002
    return clamp(input, max=max)


class LerpBackward0(Node):
    __slots__ = ("weight",)

    def backward(self, g):
        a, b = self.saved_tensors[:2]
        w = self.weight
        return g * (1 - w), g * w


class LerpBackward1(Node):
    __slots__ = ()

    def backward(self, g):
        a, b, w = self.saved_tensors
        return g * (-w + 1), g * w, g * (b - a)


def lerp(input, end, weight, *, out=None) -> Tensor:
    """input + weight * (end - input)."""
    if isinstance(weight, Tensor):
        res = input + weight * (end - input)
        return _out(res, out)
    ad, bd, dt = prep_binary(input, end)
    res = _wrap(_arr(ad + weight * (bd - ad)))
    if _needs_grad(input, end):
        n = LerpBackward0()
        n.weight = weight
        n.save(input, end)
        _binary_node(n, res, input, end, dt)
    return _out(res, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """input + value * tensor1 * tensor2."""
    return _out(input + (tensor1 * tensor2 if value == 1 else tensor1 * tensor2 * value), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """input + value * tensor1 / tensor2."""
    return _out(input + (tensor1 / tensor2 if value == 1 else tensor1 / tensor2 * value), out)


def xlogy(input, other, *, out=None) -> Tensor:
    """input * log(other), with 0 where input == 0."""
    if not isinstance(input, Tensor):
        input = as_tensor_arg(input, other)
    other = _tensor_other(input, other)
    r = input * log(other)
    return where(input == 0, r * 0, r)


def logit(input, eps=None, *, out=None) -> Tensor:
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    x = input if eps is None else clamp(input, eps, 1 - eps)
    return log(x / (-x + 1))


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


# ----------------------------------------------------------------------------- comparisons & logic
def _cmp(ufunc, name):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = as_tensor_arg(input, other)
        ad, bd, _ = prep_binary(input, other)
        return _out(_wrap(_arr(ufunc(ad, bd))), out)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison; a bool tensor."
    return op


eq = _cmp(np.equal, "eq")
ne = _cmp(np.not_equal, "ne")
lt = _cmp(np.less, "lt")
le = _cmp(np.less_equal, "le")
gt = _cmp(np.greater, "gt")
ge = _cmp(np.greater_equal, "ge")
less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def _logical(ufunc, name):
    def op(input, other, *, out=None):
        a = input._data
        b = other._data if isinstance(other, Tensor) else other
        return _out(_wrap(_arr(ufunc(a, b))), out)

    op.__name__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None) -> Tensor:
    return _out(_wrap(_arr(np.logical_not(input._data))), out)


def _bitwise(ufunc, name):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = as_tensor_arg(input, other)
        ad, bd, dt = prep_binary(input, other)
        if dt._cat >= 2:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{dt.name.capitalize()}'")
        return _out(_wrap(_arr(ufunc(ad, bd))), out)

    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bitwise(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _bitwise(np.right_shift, "bitwise_right_shift")


def bitwise_not(input, *, out=None) -> Tensor:
    if input.dtype._cat >= 2:
        raise RuntimeError("bitwise_not is only supported for integer and boolean tensors")
    return _out(_wrap(_arr(np.invert(input._data))), out)


def isnan(input) -> Tensor:
    """Elementwise NaN test."""
    return _wrap(_arr(np.isnan(input._data)))


def isinf(input) -> Tensor:
    return _wrap(_arr(np.isinf(input._data)))


def isposinf(input) -> Tensor:
    return _wrap(_arr(np.isposinf(input._data)))


def isneginf(input) -> Tensor:
    return _wrap(_arr(np.isneginf(input._data)))


def isfinite(input) -> Tensor:
    return _wrap(_arr(np.isfinite(input._data)))


def isreal(input) -> Tensor:
    return _wrap(_arr(np.isreal(input._data)))


def signbit(input) -> Tensor:
    return _wrap(_arr(np.signbit(input._data)))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """Elementwise |input - other| <= atol + rtol * |other|."""
    ad, bd, _ = prep_binary(input, other)
    return _wrap(_arr(np.isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether all elements are close (see ``isclose``).

    >>> import ember
    >>> ember.allclose(ember.tensor([1.0]), ember.tensor([1.0 + 1e-9]))
    True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Whether two tensors have the same shape and values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


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
        z = g * 0
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
    if not isinstance(input, Tensor):
        input = as_tensor_arg(input, other if isinstance(other, Tensor) else condition)
    if not isinstance(other, Tensor):
        other = as_tensor_arg(other, input)
    c = condition._data
    if c.dtype != np.bool_:
        if c.dtype == np.uint8:
            c = c.astype(bool)
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{condition.dtype.name.capitalize()}")
    ad, bd, dt = prep_binary(input, other)
    res = _wrap(_arr(np.where(c, ad, bd)))
    if _needs_grad(input, other):
        n = WhereBackward0()
        n.save(condition)
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


# ----------------------------------------------------------------------------- out= and in-place
def _out(res: Tensor, out):
    if out is None:
        return res
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if state.enabled and (res._rg or out._rg):
        raise RuntimeError("functions with out=... arguments don't support automatic differentiation, but one of "
                           "the arguments requires grad.")
    if out.shape != res.shape:
        out._data = res._data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = res._data
    out._bump()
    return out


def check_inplace(self: Tensor) -> None:
    """PyTorch's errors for in-place ops that would corrupt autograd."""
    if state.enabled and self._rg and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if state.enabled and base is not None and base._rg:
        if base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        raise RuntimeError("ember does not support in-place operations on views of tensors that are part of a "
                           "graph; use an out-of-place operation (e.g. torch.where or index_put) instead.")


def apply_inplace(self: Tensor, fn, *args, **kwargs) -> Tensor:
    """Run out-of-place ``fn(self, *args)`` and write the result into ``self`` (PyTorch's in-place semantics)."""
    check_inplace(self)
    recording = state.enabled and (self._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if recording:
        src = _wrap(self._data.copy())
        src.grad_fn, src._rg = self.grad_fn, self._rg
        src._out_nr = getattr(self, "_out_nr", 0)
        src._vc = None
        res = fn(src, *args, **kwargs)
    else:
        res = fn(self, *args, **kwargs)
    rd = res._data
    sd = self._data
    if rd.dtype != sd.dtype:
        rdt, sdt = res.dtype, self.dtype
        if rdt._cat > sdt._cat:
            raise RuntimeError(f"result type {rdt.name.capitalize()} can't be cast to the desired output type "
                               f"{sdt.name.capitalize()}")
    if rd.shape != sd.shape:
        try:
            bshape = np.broadcast_shapes(rd.shape, sd.shape)
        except ValueError:
            bshape = None
        if bshape != sd.shape:
            raise RuntimeError(f"output with shape {list(sd.shape)} doesn't match the broadcast shape "
                               f"{list(bshape) if bshape is not None else list(rd.shape)}")
    sd[...] = rd
    self._bump()
    if recording:
        self.grad_fn = res.grad_fn
        self._out_nr = res._out_nr
        self._rg = True
    return self


def _make_inplace(fn):
    def method(self, *args, **kwargs):
        return apply_inplace(self, fn, *args, **kwargs)

    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


def _fast_inplace_binary(ufunc, fn):
    """In-place binary op that writes straight into self's memory when autograd is not recording."""
    def method(self, other, *args, **kwargs):
        if args or kwargs or state.enabled and (self._rg or isinstance(other, Tensor) and other._rg):
            return apply_inplace(self, fn, other, *args, **kwargs)
        sd = self._data
        od = other._data if isinstance(other, Tensor) else other
        try:
            ufunc(sd, od, out=sd, casting="same_kind")
        except (TypeError, ValueError):  # NumPy's casting errors are TypeErrors
            return apply_inplace(self, fn, other)
        self._bump()
        return self

    method.__name__ = fn.__name__ + "_"
    return method


# ----------------------------------------------------------------------------- registration
_PLAIN = dict(
    add=add, sub=sub, subtract=sub, mul=mul, multiply=mul, div=div, divide=div, true_divide=true_divide,
    floor_divide=floor_divide, pow=pow, maximum=maximum, minimum=minimum, fmax=fmax, fmin=fmin, atan2=atan2,
    arctan2=atan2, hypot=hypot, fmod=fmod, remainder=remainder, exp=exp, exp2=exp2, expm1=expm1, log=log,
    log2=log2, log10=log10, log1p=log1p, sqrt=sqrt, rsqrt=rsqrt, sin=sin, cos=cos, tan=tan, asin=asin,
    arcsin=asin, acos=acos, arccos=acos, atan=atan, arctan=atan, sinh=sinh, cosh=cosh, tanh=tanh, asinh=asinh,
    arcsinh=asinh, acosh=acosh, arccosh=acosh, atanh=atanh, arctanh=atanh, sigmoid=sigmoid, neg=neg,
    negative=neg, reciprocal=reciprocal, erf=erf, erfc=erfc, erfinv=erfinv, sign=sign, sgn=sgn, floor=floor,
    ceil=ceil, trunc=trunc, fix=fix, frac=frac, abs=abs, absolute=absolute, relu=relu, square=square,
    round=round, clamp=clamp, clip=clip, clamp_min=clamp_min, clamp_max=clamp_max, lerp=lerp, addcmul=addcmul,
    addcdiv=addcdiv, xlogy=xlogy, logit=logit, nan_to_num=nan_to_num, eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge,
    less=less, less_equal=less_equal, greater=greater, greater_equal=greater_equal, not_equal=not_equal,
    logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor, logical_not=logical_not,
    bitwise_and=bitwise_and, bitwise_or=bitwise_or, bitwise_xor=bitwise_xor, bitwise_not=bitwise_not,
    bitwise_left_shift=bitwise_left_shift, bitwise_right_shift=bitwise_right_shift,
    isnan=isnan, isinf=isinf, isposinf=isposinf, isneginf=isneginf, isfinite=isfinite, isreal=isreal,
    signbit=signbit, isclose=isclose, allclose=allclose, equal=equal, deg2rad=deg2rad, rad2deg=rad2deg,
    rsub=rsub,
)
register(**_PLAIN)
register(where=lambda self, condition, other: where(condition, self, other))

_FAST = {"add": np.add, "sub": np.subtract, "mul": np.multiply}
for _name, _fn in list(_PLAIN.items()):
    if _name in ("allclose", "equal", "isclose", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal",
                 "signbit", "rsub"):
        continue
    if _name in ("add", "sub", "mul"):
        continue
    setattr(Tensor, _name + "_", _make_inplace(_fn))


def _add_(self, other, *, alpha=1):
    if alpha != 1:
        return apply_inplace(self, add, other, alpha=alpha)
    return _add_fast(self, other)


def _sub_(self, other, *, alpha=1):
    if alpha != 1:
        return apply_inplace(self, sub, other, alpha=alpha)
    return _sub_fast(self, other)


_add_fast = _fast_inplace_binary(np.add, add)
_sub_fast = _fast_inplace_binary(np.subtract, sub)
register(add_=_add_, sub_=_sub_, subtract_=_sub_, mul_=_fast_inplace_binary(np.multiply, mul),
         multiply_=_fast_inplace_binary(np.multiply, mul))


# Python operators
def _radd(self, other):
    return add(self, other)


def _rmul(self, other):
    return mul(self, other)


def _rtruediv(self, other):
    return div(other, self)


def _rfloordiv(self, other):
    return floor_divide(as_tensor_arg(other, self), self)


def _rmod(self, other):
    return remainder(as_tensor_arg(other, self), self)


def _rpow_op(self, other):
    return _rpow(self, other)


def _not_impl(fn):
    def op(self, other):
        if not isinstance(other, Tensor) and not is_scalar(other):
            if isinstance(other, (list, tuple)) or hasattr(other, "__array__"):
                other = as_tensor_arg(other, self)
            else:
                return NotImplemented
        return fn(self, other)
    return op


def _iop(method_name):
    def op(self, other):
        return getattr(self, method_name)(other)
    return op


register(
    __add__=add, __radd__=_not_impl(_radd), __sub__=sub, __rsub__=_not_impl(rsub),
    __mul__=mul, __rmul__=_not_impl(_rmul), __truediv__=_not_impl(div),
    __rtruediv__=_not_impl(_rtruediv), __floordiv__=_not_impl(floor_divide),
    __rfloordiv__=_not_impl(_rfloordiv), __mod__=_not_impl(remainder), __rmod__=_not_impl(_rmod),
    __pow__=_not_impl(pow), __rpow__=_not_impl(_rpow_op), __neg__=neg, __abs__=abs, __pos__=lambda self: self,
    __invert__=lambda self: logical_not(self) if self.dtype is D.bool else bitwise_not(self),
    __eq__=_not_impl(eq), __ne__=_not_impl(ne), __lt__=_not_impl(lt), __le__=_not_impl(le),
    __gt__=_not_impl(gt), __ge__=_not_impl(ge),
    __and__=_not_impl(bitwise_and), __rand__=_not_impl(bitwise_and), __or__=_not_impl(bitwise_or),
    __ror__=_not_impl(bitwise_or), __xor__=_not_impl(bitwise_xor), __rxor__=_not_impl(bitwise_xor),
    __lshift__=_not_impl(bitwise_left_shift), __rshift__=_not_impl(bitwise_right_shift),
    __iadd__=_iop("add_"), __isub__=_iop("sub_"), __imul__=_iop("mul_"), __itruediv__=_iop("div_"),
    __ifloordiv__=_iop("floor_divide_"), __imod__=_iop("remainder_"), __ipow__=_iop("pow_"),
    __iand__=_iop("bitwise_and_"), __ior__=_iop("bitwise_or_"), __ixor__=_iop("bitwise_xor_"),
)
