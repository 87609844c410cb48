"""Elementwise arithmetic (add ... pow, maximum, atan2, fmod), Tensor operators and method registration.

The elementwise family is split by kind: ``unary`` (math functions), ``ternary`` (clamp, lerp,
addcmul, xlogy, where ...), ``comparison`` (comparisons, logic, predicates), ``inplace`` (out= and
in-place semantics). This module re-exports them all and attaches the Tensor methods.
"""
from __future__ import annotations

# ruff: noqa: F401 - this module re-exports the whole elementwise family (ember/__init__ star-imports it)
import math

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, SavedOutput, link
from ._util import (Tensor, _arr, _binary_node, _meta, _needs_grad, _wrap, as_tensor_arg, binary_result,
                    is_scalar, prep_binary, register, result_type, state)
from .comparison import (allclose, bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift,
                         bitwise_xor, eq, equal, ge, greater, greater_equal, gt, isclose, isfinite, isin, isinf,
                         isnan, isneginf, isposinf, isreal, le, less, less_equal, logical_and, logical_not,
                         logical_or, logical_xor, lt, ne, not_equal, signbit)
from .extra_math import (copysign, float_power, frexp, gcd, heaviside, lcm, ldexp, logaddexp, logaddexp2,
                         nextafter, sinc)
from .inplace import (_fast_inplace_binary, _graph_alias, _make_inplace, _out, apply_inplace, check_inplace, copy_,
                      CopyBackwards, CopySlices, fill_, FillBackward2, FillBackward3, inplace_on_view, view_positions,
                      zero_, ZeroBackward0)
from .ternary import (addcdiv, AddcdivBackward0, addcmul, AddcmulBackward0, clamp, clamp_max, clamp_min,
                      ClampBackward0, ClampBackward1, ClampMaxBackward0, ClampMinBackward0, clip, lerp, LerpBackward0,
                      LerpBackward1, logit, LogitBackward0, nan_to_num, NanToNumBackward0, softplus, where,
                      WhereBackward0, xlogy, XlogyBackward0, XlogyBackward1, XlogyBackward2)
from .unary import (abs, absolute, acos, acosh, asin, asinh, atan, atanh, ceil, cos, cosh, deg2rad, erf, erfc, erfinv,
                    exp, exp2, expm1, fix, floor, frac, log, log10, log1p, log2, neg, rad2deg, reciprocal, relu, rsqrt,
                    sgn, sigmoid, sign, sin, sinh, sqrt, tan, tanh, trunc)

_default = D._default


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


class RsubBackward0(Node):
    __slots__ = ("alpha",)

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha), g

    raw = backward


class RsubBackward1(Node):
    __slots__ = ("alpha",)

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha), None

    raw = backward


_BOOL_NP = np.dtype(np.bool_)


def _is_bool(x) -> bool:
    return x is True or x is False or isinstance(x, Tensor) and x._data.dtype == np.bool_


def _sub_bool_error(dt):
    if dt._cat == 0:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                       "invert a mask, use the `~` or `logical_not()` operator instead.")


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
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
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
    if dt._cat == 0 or (input._data.dtype is _BOOL_NP if type(input) is Tensor else _is_bool(input)) or \
            (other._data.dtype is _BOOL_NP if type(other) is Tensor else other is True or other is False):
        _sub_bool_error(dt)
    r = ad - bd if alpha == 1 else ad - bd * alpha
    res = _wrap(_arr(r))
    if _needs_grad(input, other):
        n = SubBackward0()
        n.alpha = alpha
        _binary_node(n, res, input, other, dt)
    return _out(res, out)


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``.

    >>> import ember
    >>> ember.rsub(ember.tensor([1., 2.]), 5)
    tensor([4., 3.])
    """
    ad, bd, dt = prep_binary(input, other)
    if dt._cat == 0 or _is_bool(input) or _is_bool(other):
        _sub_bool_error(dt)
    res = _wrap(_arr(bd - ad if alpha == 1 else bd - ad * alpha))
    if _needs_grad(input, other):
        other_t = other if isinstance(other, Tensor) else None
        n = RsubBackward0() if other_t is not None else RsubBackward1()
        n.alpha = alpha
        _binary_node(n, res, input, other_t, dt)
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
        # an integer/other-dtype operand must not promote the gradient (the Tensor path keeps g's dtype)
        if b is not None and b.dtype != g.dtype:
            b = b.astype(g.dtype)
        if a is not None and a.dtype != g.dtype:
            a = a.astype(g.dtype)
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
        if b.dtype != g.dtype:  # e.g. float32 / int64 tensor: keep the gradient float32, as the Tensor path does
            b = b.astype(g.dtype)
        if a is not None and a.dtype != g.dtype:
            a = a.astype(g.dtype)
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
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
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


def _rounded_div(input, other, mode, out, floor_divide_op=False):
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
        n = DivBackward2() if not floor_divide_op else _FloorDivideBackward()
        _binary_node(n, res, input, other if isinstance(other, Tensor) else None, dt)
    return _out(res, out)


class _ZeroGrad(Node):
    """Derivative zero almost everywhere (floor, round, sign, floor division ...)."""

    __slots__ = ()

    def backward(self, g):
        z = g.new_zeros(g.shape)  # zeros, as PyTorch: not g * 0 (-0.0 and NaN under negative / infinite g)
        return tuple(z if e is not None else None for e in self.next_edges)


    def raw(self, g):
        z = np.zeros_like(g)
        return tuple(z if e is not None else None for e in self.next_edges)


def _named(cls_name):
    return type(cls_name, (_ZeroGrad,), {"__slots__": ()})


DivBackward2 = _named("DivBackward2")


class _NotImplementedBackward(Node):
    """The node of an op PyTorch gives no derivative (floor_divide, number % tensor): backward raises."""

    __slots__ = ("op",)

    def name(self) -> str:
        return "NotImplemented"

    def backward(self, g):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")


def _FloorDivideBackward():
    n = _NotImplementedBackward()
    n.op = "floor_divide"
    return n


def floor_divide(input, other, *, out=None) -> Tensor:
    """Division rounded toward negative infinity.

    >>> import ember
    >>> ember.floor_divide(ember.tensor([7, -7]), 2)
    tensor([ 3, -4])
    """
    return _rounded_div(input, other, "floor", out, floor_divide_op=True)


def true_divide(input, other, *, out=None) -> Tensor:
    return div(input, other, out=out)


class PowBackward0(Node):
    __slots__ = ("exponent",)

    def backward(self, g):
        (x,) = self.saved_tensors
        e = self.exponent
        if e == 0:
            return g.new_zeros(g.shape)
        if e == 2:
            return g * (x * 2)
        return g * (x ** (e - 1) * e)

    def raw(self, g):
        (x,) = self.saved_arrays()
        e = self.exponent
        if e == 0:
            return np.zeros_like(g)
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
            ga = where(e == 0, g.new_zeros(()), g * e * x ** (e - 1))
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
    if dt._cat <= 1:
        if not isinstance(exponent, Tensor) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        r = _int_pow(ad, bd)
    else:
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


def _int_pow(ad, bd):
    """Integer power with PyTorch's results for negative exponents (1, -1 or 0) and bool as integers."""
    neg = np.asarray(bd) < 0
    if not neg.any():
        return np.power(ad, bd)
    r = np.power(ad, np.where(neg, 0, bd))
    odd = np.remainder(bd, 2) != 0
    special = np.where(ad == 1, 1, np.where(ad == -1, np.where(odd, -1, 1), 0))
    return np.where(neg, special, r).astype(r.dtype)


def _rpow(exponent: Tensor, base) -> Tensor:
    ad, bd, dt = prep_binary(base, exponent)
    if dt._cat <= 1:
        r = _int_pow(ad, bd)
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            r = np.power(ad, bd)
    res = _wrap(_arr(r))
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


def _tensor_other(input, other, name):
    """PyTorch's binary ops without a Scalar overload (maximum, atan2 ...) take tensors only."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return other


def maximum(input, other, *, out=None) -> Tensor:
    """Elementwise maximum (NaN propagates).

    >>> import ember
    >>> ember.maximum(ember.tensor([1., 5.]), ember.tensor([3., 2.]))
    tensor([3., 5.])
    """
    other = _tensor_other(input, other, "maximum")
    ad, bd, dt = prep_binary(input, other)
    if dt._cat == 3:
        raise RuntimeError("maximum not implemented for complex tensors.")
    return _out(binary_result(np.maximum(ad, bd), input, other, dt, MaximumBackward0), out)


def minimum(input, other, *, out=None) -> Tensor:
    """Elementwise minimum (NaN propagates)."""
    other = _tensor_other(input, other, "minimum")
    ad, bd, dt = prep_binary(input, other)
    if dt._cat == 3:
        raise RuntimeError("minimum not implemented for complex tensors.")
    return _out(binary_result(np.minimum(ad, bd), input, other, dt, MinimumBackward0), out)


class FmaxBackward0(Node):
    """Gradient of fmax/fmin: to ``input`` where it was picked (ties and NaN ``other`` included)."""

    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        pick = (a >= b if type(self) is FmaxBackward0 else a <= b) | isnan(b)
        z = g.new_zeros(())
        return where(pick, g, z), where(pick, z, g)


FminBackward0 = type("FminBackward0", (FmaxBackward0,), {"__slots__": ()})


def _fmax_fmin(input, other, out, ufunc, cls):
    other = _tensor_other(input, other, ufunc.__name__)
    ad, bd, dt = prep_binary(input, other)
    return _out(binary_result(ufunc(ad, bd), input, other, dt, cls), out)


def fmax(input, other, *, out=None) -> Tensor:
    """Elementwise maximum ignoring NaN.

    >>> import ember
    >>> ember.fmax(ember.tensor([1., float("nan")]), ember.tensor([2., 0.]))
    tensor([2., 0.])
    """
    return _fmax_fmin(input, other, out, np.fmax, FmaxBackward0)


def fmin(input, other, *, out=None) -> Tensor:
    """Elementwise minimum ignoring NaN."""
    return _fmax_fmin(input, other, out, np.fmin, FminBackward0)


class Atan2Backward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        d = a * a + b * b
        return g * b / d, g * -a / d


def atan2(input, other, *, out=None) -> Tensor:
    """Elementwise arctangent of input/other with quadrant."""
    other = _tensor_other(input, other, "atan2")
    ad, bd, dt = prep_binary(input, other)
    if dt._cat < 2:
        fd = D.np_dtype(_default.dtype)
        ad, bd, dt = ad.astype(fd), bd.astype(fd), _default.dtype
    return _out(binary_result(np.arctan2(ad, bd), input, other, dt, Atan2Backward0), out)


arctan2 = atan2


class HypotBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b, y = self.saved_tensors
        return g * a / y, g * b / y


def hypot(input, other, *, out=None) -> Tensor:
    """sqrt(input**2 + other**2) elementwise."""
    other = _tensor_other(input, other, "hypot")
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
        return _rmod(other, input)
    return _mod(input, other, "remainder", np.remainder, out)


def _mod(input, other, mode, fn, out):
    ad, bd, dt = prep_binary(input, other)
    if dt._cat < 2 and np.any(np.asarray(bd) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _wrap(_arr(fn(ad, bd)))
    if _needs_grad(input, other):
        if isinstance(other, Tensor):
            n = FmodBackward1() if mode == "fmod" else RemainderBackward1()
        else:
            n = FmodBackward0() if mode == "fmod" else RemainderBackward0()
        n.mode = mode
        n.save(input, other if isinstance(other, Tensor) else None)
        _binary_node(n, res, input, other if isinstance(other, Tensor) else None, dt)
    return _out(res, out)


class FmodBackward0(FmodBackward):
    __slots__ = ()


class RemainderBackward0(FmodBackward):
    __slots__ = ()


class FmodBackward1(FmodBackward):
    __slots__ = ()


class RemainderBackward1(FmodBackward):
    __slots__ = ()


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
register(zero_=zero_, fill_=fill_, copy_=copy_)
subtract, multiply, divide, negative = sub, mul, div, neg
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
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
    return _rounded_div(other, self, "floor", None, floor_divide_op=True)


def _rmod(self, other):
    """``other % self`` for a number ``other`` (a wrapped number: self's dtype wins within its category)."""
    ad, bd, dt = prep_binary(other, self)
    if dt._cat < 2 and np.any(np.asarray(bd) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        res = _wrap(_arr(np.remainder(ad, bd)))
    if state.enabled and self._rg:
        n = _NotImplementedBackward()
        n.op = "remainder"
        link(n, res, (self,))
    return res


def _rpow_op(self, other):
    return _rpow(self, other)


def _not_impl(fn):
    def op(self, other):
        if not isinstance(other, Tensor) and not is_scalar(other):
            if hasattr(other, "__array__") and not isinstance(other, (list, tuple)):
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


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "abs", "absolute", "acos", "acosh", "add", "addcdiv", "addcmul", "allclose", "arccos", "arccosh",
    "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "asin", "asinh", "atan", "atan2", "atanh",
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
    "ceil", "clamp", "clamp_max", "clamp_min", "clip", "cos", "cosh", "deg2rad", "div", "divide", "eq",
    "equal", "erf", "erfc", "erfinv", "exp", "exp2", "expm1", "fill_", "fix", "floor", "floor_divide", "fmax",
    "fmin", "fmod", "frac", "ge", "greater", "greater_equal", "gt", "hypot", "isclose", "isfinite", "isinf",
    "isnan", "isneginf", "isposinf", "isreal", "le", "lerp", "less", "less_equal", "log", "log10", "log1p",
    "log2", "logical_and", "logical_not", "logical_or", "logical_xor", "logit", "lt", "maximum", "minimum",
    "mul", "multiply", "nan_to_num", "ne", "neg", "negative", "not_equal", "pow", "rad2deg", "reciprocal",
    "relu", "remainder", "result_type", "round", "rsqrt", "rsub", "sgn", "sigmoid", "sign", "signbit", "sin",
    "sinh", "sqrt", "square", "sub", "subtract", "tan", "tanh", "true_divide", "trunc", "where", "xlogy",
    "zero_",
] + ["copysign", "isin", "float_power", "frexp", "gcd", "heaviside", "lcm", "ldexp", "logaddexp", "logaddexp2",
     "nextafter", "sinc"]
