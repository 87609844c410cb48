"""Special functions on arrays: erf, erfc, erfinv (NumPy has none), accurate to a few ulp in float64.

erf and erfc use Chebyshev fits made once at import from Python's ``math.erf``/``math.erfc``:
``erf(x)/x`` as a function of ``x*x`` on ``|x| < 1``, and the scaled ``exp(x*x) * erfc(x)`` on
``[1, 4]`` and (as a function of ``1/x``) beyond. erfinv refines a closed-form first guess with
three Halley steps. Everything is computed in float64 and cast back to the input's dtype.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import chebyshev as _cheb

_SQRT_PI = math.sqrt(math.pi)
_2_SQRT_PI = 2.0 / _SQRT_PI


def _fit(f, lo: float, hi: float, deg: int):
    """Chebyshev coefficients of scalar function ``f`` on [lo, hi] (interpolation at Chebyshev points)."""
    k = np.arange(deg + 1)
    nodes = np.cos(np.pi * (k + 0.5) / (deg + 1))
    xs = lo + (nodes + 1) * (hi - lo) / 2
    ys = np.array([f(float(x)) for x in xs])
    return _cheb.chebfit(nodes, ys, deg), lo, hi


def _evaluate(fit, x):
    c, lo, hi = fit
    return _cheb.chebval((2 * x - (lo + hi)) / (hi - lo), c)


def _erf_over_x(t: float) -> float:  # erf(sqrt(t)) / sqrt(t)
    return _2_SQRT_PI if t == 0 else math.erf(math.sqrt(t)) / math.sqrt(t)


def _erfcx(x: float) -> float:  # exp(x*x) * erfc(x) for 1 <= x <= 26, x*x split to keep exp exact
    hi = math.floor(x * 16) / 16
    return math.erfc(x) * math.exp(hi * hi) * math.exp((x - hi) * (x + hi))


_SMALL = _fit(_erf_over_x, 0.0, 1.0, 16)
_MID = _fit(_erfcx, 1.0, 4.0, 28)
_LARGE = _fit(lambda u: _erfcx(1.0 / u) / u, 1.0 / 26, 0.25, 16)  # x * erfcx(x) as a function of u = 1/x


def _exp_minus_square(x):
    """exp(-x*x) without the rounding error of x*x (x split into a short high part and the rest)."""
    hi = np.floor(x * 16) / 16
    return np.exp(-hi * hi) * np.exp(-(x - hi) * (x + hi))


def _erfc_pos(x):
    """erfc of a 1-D float64 array with all x >= 1."""
    out = np.zeros_like(x)
    mid = x < 4.0
    xm = x[mid]
    out[mid] = _evaluate(_MID, xm) * _exp_minus_square(xm)
    big = ~mid & (x < 26.0)
    xb = x[big]
    out[big] = _evaluate(_LARGE, 1.0 / xb) / xb * _exp_minus_square(xb)
    far = (x >= 26.0) & (x < 27.3)
    xf = x[far]
    if xf.size:  # the asymptotic series is exact to double precision this far out
        v, term, acc = 1.0 / (2 * xf * xf), np.ones_like(xf), np.ones_like(xf)
        for n in range(1, 9):
            term = term * -(2 * n - 1) * v
            acc += term
        with np.errstate(under="ignore"):
            out[far] = acc / (xf * _SQRT_PI) * _exp_minus_square(xf)
    return out


def _f64(d):
    a = np.asarray(d)
    return a.astype(np.float64) if a.dtype != np.float64 else a, a.dtype


def _back(r, dt):
    r = np.asarray(r)
    return r.astype(dt) if dt.kind == "f" and r.dtype != dt else r


def erf(d):
    """The error function of a float array."""
    x, dt = _f64(d)
    shape = x.shape
    x = x.reshape(-1)
    ax = np.abs(x)
    r = np.sign(x)  # erf is +-1 to double precision for |x| >= 6 (and keeps NaN)
    small = ax < 1.0
    xs = x[small]
    r[small] = xs * _evaluate(_SMALL, xs * xs)
    mid = (ax >= 1.0) & (ax < 6.0)
    r[mid] = np.sign(x[mid]) * (1.0 - _erfc_pos(ax[mid]))
    return _back(r.reshape(shape), dt)


def erfc(d):
    """The complementary error function ``1 - erf`` of a float array, accurate in the far tail."""
    x, dt = _f64(d)
    shape = x.shape
    x = x.reshape(-1)
    r = x.copy()  # keeps NaN
    small = np.abs(x) < 1.0
    xs = x[small]
    r[small] = 1.0 - xs * _evaluate(_SMALL, xs * xs)
    pos = x >= 1.0
    r[pos] = _erfc_pos(x[pos])
    neg = x <= -1.0
    r[neg] = 2.0 - _erfc_pos(-x[neg])
    return _back(r.reshape(shape), dt)


def erfinv(d):
    """The inverse error function: ``erf(erfinv(y)) == y`` on [-1, 1]; +-inf at +-1, NaN outside."""
    y, dt = _f64(d)
    z = np.abs(y)
    inside = z < 1.0
    zi = np.where(inside, z, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = 0.147
        ln = np.log1p(-zi * zi)
        t = 2.0 / (math.pi * a) + ln / 2
        x = np.sqrt(np.sqrt(t * t - ln / a) - t)
        tail = zi > 0.5
        one_minus = 1.0 - zi  # exact for zi > 0.5
        for _ in range(2):
            f = np.where(tail, one_minus - erfc(x), erf(x) - zi)
            dx = f / (_2_SQRT_PI * _exp_minus_square(x))
            x = x - dx / (1.0 + x * dx)
    r = np.where(inside, np.copysign(x, y), np.where(z == 1.0, np.copysign(np.inf, y), np.nan))
    return _back(r, dt)
