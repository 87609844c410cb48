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
    if dt.kind == "f" and r.dtype != dt:
        with np.errstate(over="ignore"):  # beyond the dtype's range: inf, as PyTorch gives (no warning)
            return r.astype(dt)
    return r


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


# ----------------------------------------------------------------------------- the gamma family
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Stirling's series for lgamma: (x - 1/2) log x - x + log(2 pi) / 2 + sum B_2k / (2k (2k - 1) x^(2k - 1))
_STIRLING = (1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156)
_SHIFT = 12.0  # arguments are moved to >= 12 by the recurrence before the asymptotic series


def _sinpi(x):
    """``sin(pi x)`` with the argument reduced exactly to [-1, 1] first (small x stay exact)."""
    return np.sin(np.pi * (x - 2.0 * np.round(x * 0.5)))


_EULER = 0.57721566490153286061


def _zeta_int(k: int) -> float:
    """Riemann zeta at an integer k >= 2, to double precision (a direct sum with an Euler-Maclaurin tail whose
    next term is below 1e-20)."""
    n = 200
    s = math.fsum(j ** -k for j in range(1, n))
    tail = n ** (1 - k) / (k - 1) + 0.5 * n ** -k + k * n ** (-k - 1) / 12
    return s + tail - k * (k + 1) * (k + 2) * n ** (-k - 3) / 720


_LG1: list = []  # made on first use (a few ms; not at import)


def _lgamma1p(z):
    """``lgamma(1 + z)`` for |z| <= 1/2 by its Taylor series ``-gamma z + sum_{k >= 2} (-1)^k zeta(k) / k z^k``
    (56 terms; exactly 0 at z = 0, so no cancellation near 1 and 2)."""
    if not _LG1:
        _LG1.extend((-1) ** k * _zeta_int(k) / k for k in range(2, 58))
    s = np.zeros_like(z)
    for c in reversed(_LG1):
        s = (s + c) * z
    return (s - _EULER) * z + 0.0  # + 0.0: lgamma(1) and lgamma(2) are +0, not -0


def _lgamma_pos(x):
    """lgamma for x > 0 (float64 array): the Taylor series of lgamma(1 + z) on [1/2, 5/2) (shifted by one,
    with log x or log1p(x - 2), below 1/2 and above 3/2), else the recurrence up to 12 and Stirling's series."""
    r = np.empty_like(x)
    lo = x < 0.5
    mid = (x >= 0.5) & (x < 1.5)
    hi = (x >= 1.5) & (x < 2.5)
    rest = x >= 2.5
    if lo.any():
        xl = x[lo]
        r[lo] = _lgamma1p(xl) - np.log(xl)
    if mid.any():
        r[mid] = _lgamma1p(x[mid] - 1.0)
    if hi.any():
        z = x[hi] - 2.0
        r[hi] = np.log1p(z) + _lgamma1p(z)
    if rest.any():
        r[rest] = _lgamma_stirling(x[rest])
    return r


def _lgamma_stirling(x):
    """lgamma for x >= 2.5: the recurrence up to 12, then Stirling's series."""
    prod = np.ones_like(x)
    y = x.copy()
    for _ in range(int(_SHIFT)):
        low = y < _SHIFT
        if not low.any():
            break
        prod = np.where(low, prod * y, prod)
        y = np.where(low, y + 1.0, y)
    inv = 1.0 / y
    inv2 = inv * inv
    s = 0.0
    for c in reversed(_STIRLING):
        s = s * inv2 + c
    return (y - 0.5) * np.log(y) - y + _HALF_LOG_2PI + s * inv - np.log(prod)


def lgamma(d):
    """``log|Gamma(x)|`` of a float array: +inf at 0 and the negative integers and at +-inf, NaN for NaN."""
    x, dt = _f64(d)
    with np.errstate(all="ignore"):
        pos = x > 0
        r = np.full(x.shape, np.inf)
        xp = np.where(pos, x, 1.0)
        big = xp > 1e17  # the series term vanishes; keep (x - 1/2) log x - x from overflowing into NaN
        r = np.where(pos, np.where(big, xp * (np.log(xp) - 1.0), _lgamma_pos(xp)), r)
        neg = (x < 0) & (x != np.floor(x)) & np.isfinite(x)  # reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x)
        if neg.any():
            xn = np.where(neg, x, -0.5)
            r = np.where(neg, math.log(math.pi) - np.log(np.abs(_sinpi(xn))) - _lgamma_pos(1.0 - xn), r)
        r = np.where(np.isnan(x), np.nan, r)
    return _back(r, dt)


_PSI_10 = 2.25175258906672110764
_PSI_A = (8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
          -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
          8.33333333333333333333e-2)


def _digamma_pos(x):
    """digamma for x > 0: the recurrence ``psi(x) = psi(x + 1) - 1/x`` up to 10, then the asymptotic series."""
    res = np.zeros_like(x)
    y = x.copy()
    for _ in range(10):
        low = y < 10.0
        if not low.any():
            break
        res = np.where(low, res - 1.0 / np.where(low, y, 1.0), res)
        y = np.where(low, y + 1.0, y)
    z = 1.0 / (y * y)
    poly = 0.0
    for c in _PSI_A:
        poly = poly * z + c
    tail = np.where(y < 1e17, z * poly, 0.0)
    return np.where(y == 10.0, res + _PSI_10, res + np.log(y) - 0.5 / y - tail)


def digamma(d):
    """``d/dx log Gamma(x)`` of a float array (PyTorch's conventions: -inf at +0, +inf at -0, NaN at the negative
    integers and at -inf)."""
    x, dt = _f64(d)
    with np.errstate(all="ignore"):
        pos = x > 0
        r = np.where(pos, _digamma_pos(np.where(pos, x, 1.0)), np.nan)
        zero = x == 0
        r = np.where(zero, np.copysign(np.inf, -x), r)
        neg = (x < 0) & (x != np.floor(x)) & np.isfinite(x)  # reflection: psi(1 - x) - psi(x) = pi cot(pi x)
        if neg.any():
            xn = np.where(neg, x, -0.5)
            frac = xn - np.trunc(xn)
            r = np.where(neg, _digamma_pos(1.0 - xn) - np.pi / np.tan(np.pi * frac), r)
        r = np.where(np.isnan(x), np.nan, r)
    return _back(r, dt)


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
           1.8152105401943546773e17, -7.1661652561756670113e18)


def zeta(s: float, q):
    """The Hurwitz zeta function ``sum_k (k + q)^-s`` for a scalar ``s > 1`` and a float64 array ``q``
    (Cephes' Euler-Maclaurin form, which PyTorch uses: terms until q + k > 9, then the tail as an integral with
    Bernoulli corrections). +inf at the poles q = 0, -1, ...; NaN for other q < 0 unless s is an integer (then
    the sum is taken as is, one term per unit below 9, as in Cephes); NaN at q = +inf, as PyTorch gives."""
    q = np.asarray(q, np.float64)
    with np.errstate(all="ignore"):
        pole = (q <= 0) & (q == np.floor(q))
        a = np.where(np.isfinite(q) & ~pole, q, 10.0)  # poles and non-finite q are set at the end
        total = a ** -s
        b = total
        for _ in range(9):
            a = a + 1.0
            b = a ** -s
            total = total + b
        while True:  # at least up to a > 9
            low = a <= 9.0
            if not low.any():
                break
            a = np.where(low, a + 1.0, a)
            b = np.where(low, a ** -s, b)
            total = np.where(low, total + b, total)
        w = a
        total = total + b * w / (s - 1.0) - 0.5 * b
        fac = 1.0
        k = 0.0
        for c in _ZETA_A:
            fac *= s + k
            b = b / w
            total = total + fac * b / c
            k += 1.0
            fac *= s + k
            b = b / w
            k += 1.0
        total = np.where(pole, np.inf, total)
        if s != math.floor(s):
            total = np.where((q < 0) & ~pole, np.nan, total)
        total = np.where(np.isnan(q) | (q == np.inf), np.nan, total)  # Cephes: 0 * inf in the tail at q = inf
    return total


def _trigamma(x):
    """PyTorch's ``calc_trigamma``, step for step (its series stops at the x^-7 term: ~1e-10 relative error,
    which PyTorch's results carry): reflection below 1/2, six recurrence steps, the asymptotic series."""
    neg = x < 0.5
    sin_pi_x = np.sin(np.pi * x)
    res = np.where(neg, -(np.pi * np.pi) / (sin_pi_x * sin_pi_x), 0.0)
    y = np.where(neg, 1.0 - x, x)
    for _ in range(6):
        res = res + 1.0 / (y * y)
        y = y + 1.0
    ixx = 1.0 / (y * y)
    res = res + (1.0 + 1.0 / (2.0 * y) + ixx * (1.0 / 6 - ixx * (1.0 / 30 - ixx * (1.0 / 42)))) / y
    return np.where(neg, -res, res)


def polygamma(n: int, d):
    """The n-th derivative of digamma of a float array, as PyTorch computes it: digamma for n = 0, PyTorch's
    trigamma series for n = 1, else ``(-1)^(n + 1) n! zeta(n + 1, x)``."""
    if n == 0:
        return digamma(d)
    x, dt = _f64(d)
    with np.errstate(all="ignore"):
        if n == 1:
            r = _trigamma(x)
        else:
            r = (1.0 if n % 2 else -1.0) * math.factorial(n) * zeta(n + 1.0, x)
        r = np.where(np.isnan(x), np.nan, r)
    return _back(r, dt)
