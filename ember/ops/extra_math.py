"""More elementwise math: logaddexp/logaddexp2, copysign, sinc, float_power, heaviside, gcd/lcm, frexp/ldexp."""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, SavedOutput, link
from ._util import (Tensor, _arr, _binary_node, _needs_grad, _wrap, array_module, binary_result, is_scalar, prep_binary,
                    register, state)
from .inplace import _make_inplace, _out, apply_inplace
from .sorting import out_tuple, return_type

__all__ = ["copysign", "float_power", "frexp", "gcd", "heaviside", "lcm", "ldexp", "logaddexp", "logaddexp2",
           "nextafter", "sinc"]

_default = D._default


def _legacy(dt: D.dtype) -> str:
    from .reduction import _legacy_name

    return _legacy_name(dt)


def _tensors(input, other, name: str) -> None:
    """PyTorch's ops without a Scalar overload take tensors only (a TypeError otherwise)."""
    for i, (arg, x) in enumerate((("input", input), ("other", other))):
        if not isinstance(x, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {i + 1}) must be Tensor, not {type(x).__name__}")


def _not_implemented(name: str, dt: D.dtype):
    raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_legacy(dt)}\'')


# ----------------------------------------------------------------------------- logaddexp, logaddexp2
class LogaddexpBackward0(Node):
    """d/da log(e^a + e^b) = 1 / (e^(b - a) + 1); base 2 for logaddexp2 (its subclass)."""

    __slots__ = ()
    _base_pow = staticmethod(lambda t: t.exp())

    def backward(self, g):
        a, b = self.saved_tensors
        e = self.next_edges
        return (g / (self._base_pow(b - a) + 1) if e[0] is not None else None,
                g / (self._base_pow(a - b) + 1) if e[1] is not None else None)


class Logaddexp2Backward0(LogaddexpBackward0):
    __slots__ = ()
    _base_pow = staticmethod(lambda t: t.exp2())


def _logaddexp(input, other, out, name, ufunc, cls):
    _tensors(input, other, name)
    ad, bd, dt = prep_binary(input, other)
    if dt._cat != 2:
        _not_implemented(name, dt)
    with np.errstate(all="ignore"):
        r = ufunc(ad, bd)
    return _out(binary_result(r, input, other, dt, cls), out)


def logaddexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``log(exp(input) + exp(other))`` elementwise, computed without overflow.

    >>> import ember
    >>> ember.logaddexp(ember.tensor([0., 100.]), ember.tensor([0., 100.]))
    tensor([  0.6931, 100.6931])
    """
    return _logaddexp(input, other, out, "logaddexp", np.logaddexp, LogaddexpBackward0)


def logaddexp2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``log2(2**input + 2**other)`` elementwise, computed without overflow.

    >>> import ember
    >>> ember.logaddexp2(ember.tensor([1., 3.]), ember.tensor([1., 3.]))
    tensor([2., 4.])
    """
    return _logaddexp(input, other, out, "logaddexp2", np.logaddexp2, Logaddexp2Backward0)


# ----------------------------------------------------------------------------- copysign
class CopysignBackward0(Node):
    """d/d input: ``result / input`` (0 where input is 0); ``other`` gets a zero gradient."""

    __slots__ = ()

    def backward(self, g):
        x, y = self.saved_tensors
        e = self.next_edges
        gx = None
        if e[0] is not None:
            ratio = (y / x).masked_fill(x == 0, 0)
            gx = g * ratio
        return gx, (g.new_zeros(g.shape) if len(e) > 1 and e[1] is not None else None)


CopysignBackward1 = type("CopysignBackward1", (CopysignBackward0,), {"__slots__": ()})


def copysign(input: Tensor, other, *, out=None) -> Tensor:
    """``input``'s magnitudes with ``other``'s signs (a float result; integers use the default dtype).

    >>> import ember
    >>> ember.copysign(ember.tensor([1., -2., 3.]), ember.tensor([-1., 1., -0.]))
    tensor([-1.,  2., -3.])
    """
    ad, bd, dt = prep_binary(input, other)
    if dt._cat == 3:
        _not_implemented("copysign", dt)
    if dt._cat < 2:
        dt = _default.dtype
        ad, bd = np.asarray(ad).astype(dt.np), np.asarray(bd).astype(dt.np)
    res = _wrap(_arr(np.copysign(ad, bd)))
    if _needs_grad(input, other):
        o = other if isinstance(other, Tensor) else None
        n = CopysignBackward0() if o is not None else CopysignBackward1()
        n.save(input, SavedOutput(res))
        _binary_node(n, res, input, o, dt)
    return _out(res, out)


# ----------------------------------------------------------------------------- sinc
class SincBackward0(Node):
    """PyTorch's sinc_backward: ``g * (pi x cos(pi x) - sin(pi x)) / (pi x^2)``, 0 where ``pi x^2`` is 0."""

    __slots__ = ()

    def backward(self, g):
        from .ternary import where

        (x,) = self.saved_tensors
        xpi = x * math.pi
        sq = x * x * math.pi
        val = g * (xpi * xpi.cos() - xpi.sin()) / sq
        return where(sq == 0.0, g.new_zeros(()), val)


def sinc(input: Tensor, *, out=None) -> Tensor:
    """Normalized sinc, ``sin(pi x) / (pi x)`` and 1 at 0 (integers use the default dtype).

    >>> import ember
    >>> ember.sinc(ember.tensor([0., 0.5, 1.]))
    tensor([ 1.0000e+00,  6.3662e-01, -2.7828e-08])
    """
    d = input._data
    if d.dtype.kind in "biu":
        d = d.astype(_default.dtype.np)
    c = d.astype(np.float32) if d.dtype == np.float16 else d  # half precision computes in float32, as PyTorch
    with np.errstate(all="ignore"):
        p = c * c.dtype.type(math.pi)
        r = np.where(c == 0, c.dtype.type(1), np.sin(p) / p).astype(d.dtype, copy=False)
    res = _wrap(_arr(r))
    if input._rg and state.enabled:
        n = SincBackward0()
        n.save(input)
        link(n, res, (input,))
    return _out(res, out)


# ----------------------------------------------------------------------------- float_power
def _is_complex(x) -> bool:
    return x.dtype._cat == 3 if isinstance(x, Tensor) else isinstance(x, complex)


def float_power(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent`` in double precision: a float64 result (complex128 if either side is complex).

    >>> import ember
    >>> ember.float_power(ember.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=torch.float64)
    """
    from .pointwise import pow

    dt = D.complex128 if _is_complex(input) or _is_complex(exponent) else D.float64
    if isinstance(input, Tensor):
        base = input.to(dt)
    elif is_scalar(input):
        base = complex(input) if dt is D.complex128 else float(input)
    else:
        raise TypeError(f"float_power(): argument 'input' must be Tensor or Number, not {type(input).__name__}")
    if isinstance(exponent, Tensor):
        e = exponent.to(dt)
    elif is_scalar(exponent):
        e = complex(exponent) if dt is D.complex128 else float(exponent)
    else:
        raise TypeError(f"float_power(): argument 'exponent' must be Tensor or Number, "
                        f"not {type(exponent).__name__}")
    if not isinstance(base, Tensor) and not isinstance(e, Tensor):
        raise TypeError("float_power(): expected a Tensor for 'input' or 'exponent', got two numbers")
    return _out(pow(base, e), out)


def _float_power_(self: Tensor, exponent) -> Tensor:
    dt = D.complex128 if _is_complex(self) or _is_complex(exponent) else D.float64
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {_legacy(self.dtype)} but the operation's "
                           f"result requires dtype {_legacy(dt)}")
    return apply_inplace(self, float_power, exponent)


# ----------------------------------------------------------------------------- heaviside
def heaviside(input: Tensor, values: Tensor, *, out=None) -> Tensor:
    """Step function: 0 where ``input < 0``, 1 where ``input > 0``, ``values`` where ``input == 0``.

    >>> import ember
    >>> ember.heaviside(ember.tensor([-1.5, 0., 2.]), ember.tensor([0.5]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    _tensors(input, values, "heaviside")
    if input.dtype._cat == 3 or values.dtype._cat == 3:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    d, v = input._data, values._data
    res = _wrap(_arr(array_module(d).where(d == 0, v, (d > 0).astype(d.dtype))))
    if _needs_grad(input, values):
        from .pointwise import _NotImplementedBackward

        n = _NotImplementedBackward()
        n.op = "heaviside"
        _binary_node(n, res, input, values, input.dtype)
    return _out(res, out)


# ----------------------------------------------------------------------------- gcd, lcm
def _gcd_lcm(input, other, out, name, ufunc):
    _tensors(input, other, name)
    ad, bd, dt = prep_binary(input, other)
    if dt._cat != 1:
        _not_implemented(name, dt)
    return _out(_wrap(_arr(ufunc(ad, bd))), out)


def gcd(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Elementwise greatest common divisor of integer tensors (non-negative; ``gcd(0, 0) == 0``).

    >>> import ember
    >>> ember.gcd(ember.tensor([4, -6, 0]), ember.tensor([6, 4, 0]))
    tensor([2, 2, 0])
    """
    return _gcd_lcm(input, other, out, "gcd", np.gcd)


def lcm(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Elementwise least common multiple of integer tensors (non-negative; 0 if either is 0).

    >>> import ember
    >>> ember.lcm(ember.tensor([4, -6, 0]), ember.tensor([6, 4, 3]))
    tensor([12, 12,  0])
    """
    return _gcd_lcm(input, other, out, "lcm", np.lcm)


# ----------------------------------------------------------------------------- frexp, ldexp
frexp_rt = return_type("frexp", ["mantissa", "exponent"])


class FrexpBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        (e,) = self.saved_tensors
        return g / e.exp2()


def frexp(input: Tensor, *, out=None):
    """``(mantissa, exponent)`` with ``input == mantissa * 2**exponent``, ``0.5 <= |mantissa| < 1``; int32 exponent.

    >>> import ember
    >>> ember.frexp(ember.tensor([8., 0.75]))
    torch.return_types.frexp(
    mantissa=tensor([0.5000, 0.7500]),
    exponent=tensor([4, 0], dtype=torch.int32))
    """
    if input.dtype._cat != 2:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = np.frexp(input._data)
    mant, expo = _wrap(_arr(m)), _wrap(_arr(e).astype(np.int32, copy=False))
    if input._rg and state.enabled:
        n = FrexpBackward0()
        n.save(expo)
        link(n, mant, (input,))
    return out_tuple(frexp_rt, (mant, expo), out)


class LdexpBackward0(Node):
    """PyTorch's formula: ``g * pow(2, other)`` (an integer power for integer ``other``: 0 where it is negative)."""

    __slots__ = ()

    def backward(self, g):
        from .pointwise import pow

        x, e = self.saved_tensors
        p = pow(2, e)
        return (g * p if self.next_edges[0] is not None else None,
                g * x * _LN2 * p if self.next_edges[1] is not None else None)


_LN2 = math.log(2.0)


def ldexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``input * 2**other`` (a float result; integers use the default dtype).

    >>> import ember
    >>> ember.ldexp(ember.tensor([1., 3.]), ember.tensor([2, -1]))
    tensor([4.0000, 1.5000])
    """
    from .pointwise import mul, pow

    _tensors(input, other, "ldexp")
    res = mul(input.detach(), pow(2.0, other.detach()))
    if _needs_grad(input, other):
        n = LdexpBackward0()
        n.save(input, other)
        _binary_node(n, res, input, other, res.dtype)
    return _out(res, out)


# ----------------------------------------------------------------------------- nextafter
class NextafterBackward0(Node):
    """PyTorch's rule: the input's gradient passes through, ``other``'s is zero."""

    __slots__ = ()

    def backward(self, g):
        e = self.next_edges
        return g, (g.new_zeros(g.shape) if e[1] is not None else None)


def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """The next floating-point value after ``input`` towards ``other``, elementwise.

    >>> import ember
    >>> ember.nextafter(ember.tensor([1.], dtype=ember.float64), ember.tensor([2.], dtype=ember.float64)) - 1
    tensor([2.2204e-16], dtype=torch.float64)
    """
    for name, pos, t in (("input", 1, input), ("other", 2, other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"nextafter(): argument '{name}' (position {pos}) must be Tensor, not {type(t).__name__}")
    ad, bd, dt = prep_binary(input, other)
    if dt._cat != 2:
        _not_implemented("nextafter", dt)
    res = _wrap(_arr(np.nextafter(np.asarray(ad).astype(dt.np, copy=False), np.asarray(bd).astype(dt.np, copy=False))))
    if _needs_grad(input, other):
        _binary_node(NextafterBackward0(), res, input, other, dt)
    return _out(res, out)


# ----------------------------------------------------------------------------- Tensor methods
register(logaddexp=logaddexp, logaddexp2=logaddexp2, copysign=copysign, sinc=sinc, float_power=float_power,
         heaviside=heaviside, gcd=gcd, lcm=lcm, frexp=frexp, ldexp=ldexp, float_power_=_float_power_,
         nextafter=nextafter)
for _f in (copysign, sinc, heaviside, gcd, lcm, ldexp, nextafter):
    register(**{_f.__name__ + "_": _make_inplace(_f)})
