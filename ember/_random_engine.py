"""Bit-exact NumPy re-implementation of PyTorch 2.13's CPU default random generator."""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import numbers
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

__all__ = ["DEFAULT_SEED", "STATE_SIZE", "CPUGenerator", "fill_order"]

DEFAULT_SEED = 67280421310721
STATE_SIZE = 5056

_N = 624
_RANDPERM_MAX_N = 214748363  # torch's forward Fisher-Yates on 32-bit draws up to here; inside-out on 64-bit above
_RANGE_64_BITS = 1 << 28  # ranges at least this wide draw 64 bits per value
_U64 = (1 << 64) - 1

_F64 = np.dtype(np.float64)
_LITTLE = sys.byteorder == "little"
_F32 = np.dtype(np.float32)
_F16 = np.dtype(np.float16)
_FLOATS = (_F64, _F32, _F16)  # and ml_dtypes' bfloat16, named "bfloat16" (not imported here: see ember._dtype)


def _reduced(dtype: np.dtype) -> bool:
    return dtype == _F16 or dtype.name == "bfloat16"


def _floating(dtype: np.dtype) -> bool:
    return dtype in _FLOATS or dtype.name == "bfloat16"


_CTYPE_NAMES = {
    "int8": "signed char", "uint8": "unsigned char", "int16": "short int",
    "uint16": "short unsigned int", "int32": "int", "uint32": "unsigned int",
    "int64": "long int", "uint64": "long unsigned int", "bool": "bool",
    "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
    "float64": "double", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
}
_TORCH_NAMES = {
    "int8": "Char", "uint8": "Byte", "int16": "Short", "uint16": "UInt16",
    "int32": "Int", "uint32": "UInt32", "int64": "Long", "uint64": "UInt64",
    "bool": "Bool", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
    "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}
_FMAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38,
         "float32": float(np.finfo(np.float32).max), "float64": float(np.finfo(np.float64).max)}
# Mantissa digits of each floating type (torch's discrete-uniform limit is 2**digits).
_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}

Shape = int | Sequence[int]


# ----------------------------------------------------------------------------------------
# Exact floating-point helpers
# ----------------------------------------------------------------------------------------

def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = 134217729.0 * a
    hi = c - (c - a)
    return hi, a - hi


def _fma64(a, b, c) -> np.ndarray:
    """Correctly rounded float64 ``a * b + c`` (what a fused multiply-add computes)."""
    a, b, c = np.broadcast_arrays(np.asarray(a, _F64), np.asarray(b, _F64), np.asarray(c, _F64))
    with np.errstate(all="ignore"):
        p = a * b
        ah, al = _split(a)
        bh, bl = _split(b)
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        s, t = _two_sum(p, c)
        u, w = _two_sum(t, e)
        r, err = _two_sum(s, u)
        res = np.where(err == 0, r + w, r)
        # s + u fell exactly on a rounding midpoint: the residual w breaks the tie.
        nb = np.nextafter(r, r + err)
        tie = (err != 0) & (w != 0) & ((nb - r) == 2 * err) & ((w > 0) == (err > 0))
        res = np.where(tie, nb, res)
        ap = np.abs(p)
        risky = ~(np.isfinite(p) & np.isfinite(c)) | (ap > 2.0 ** 960) | (np.abs(c) > 2.0 ** 960)
        risky |= (ap < 2.0 ** -900) & (ap != 0)
    if risky.any():
        res = np.array(res, copy=True)
        for i in zip(*np.nonzero(risky)):
            res[i] = _fma_exact(float(a[i]), float(b[i]), float(c[i]))
    return res


def _fma_exact(a: float, b: float, c: float) -> float:
    """Scalar correctly rounded fma via exact rational arithmetic."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        return a * b + c  # sign of zero follows IEEE addition
    try:
        return float(exact)
    except OverflowError:
        return math.copysign(math.inf, exact)


def _fma32(a, b, c) -> np.ndarray:
    """Correctly rounded float32 fused multiply-add, emulated in float64."""
    a = np.asarray(a, _F32).astype(_F64)
    b = np.asarray(b, _F32).astype(_F64)
    c = np.asarray(c, _F32).astype(_F64)
    with np.errstate(all="ignore"):
        p = a * b  # exact: 24 + 24 bits fit in 53
        s = p + c
        out = s.astype(_F32)
        bits = s.view(np.uint64)
        # Double rounding can only go wrong on an exact float32 midpoint (or subnormals).
        risky = ((bits & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)) | (
            (np.abs(s) < 2.0 ** -125) & (s != 0))
        if risky.any():
            pp, cc, ss = np.broadcast_arrays(p, c, s)
            idx = np.nonzero(np.broadcast_to(risky, ss.shape))
            ps, cs, sv = pp[idx], cc[idx], ss[idx]
            _, err = _two_sum(ps, cs)
            sb = sv.view(np.uint64).copy()
            inexact = err != 0
            toward_zero = inexact & ((err < 0) != (sv < 0))
            sb[toward_zero] -= np.uint64(1)
            sb[inexact] |= np.uint64(1)  # round to odd, then to float32: correctly rounded
            out = np.array(np.broadcast_to(out, ss.shape), copy=True)
            out[idx] = sb.view(_F64).astype(_F32)
    return out


# ----------------------------------------------------------------------------------------
# libm agreement: torch calls glibc; NumPy must give the same bits or we fall back to math
# ----------------------------------------------------------------------------------------

def _probe(name: str) -> np.ndarray:
    """Arguments on which NumPy must reproduce the C library bit for bit."""
    rng = np.random.default_rng(20240613)
    u = rng.random(4096)
    tiny = np.exp(rng.uniform(-40.0, 0.0, 1024))
    if name == "log":
        return np.concatenate([u[u > 0], tiny, np.exp(rng.uniform(-700.0, 700.0, 1024))])
    if name == "log1p":
        return -np.concatenate([u, tiny])
    if name == "tan":
        return math.pi * (np.concatenate([u, tiny]) - 0.5)
    if name == "exp":
        return np.concatenate([rng.uniform(-60.0, 60.0, 4096), rng.uniform(-700.0, 700.0, 1024)])
    return 2.0 * math.pi * np.concatenate([u, tiny])


_MATH_FUNCS: dict[str, tuple[Callable, Callable]] = {
    "log": (np.log, math.log), "log1p": (np.log1p, math.log1p), "sin": (np.sin, math.sin),
    "cos": (np.cos, math.cos), "tan": (np.tan, math.tan), "exp": (np.exp, math.exp),
}
_LIBM_OK: dict[str, bool] = {}


def _libm_agrees(name: str) -> bool:
    ok = _LIBM_OK.get(name)
    if ok is None:
        npf, mf = _MATH_FUNCS[name]
        xs = _probe(name)
        ref = np.array([mf(float(v)) for v in xs])
        ok = bool(np.array_equal(npf(xs).view(np.uint64), ref.view(np.uint64)))
        _LIBM_OK[name] = ok
    return ok


def _libm(name: str, x: np.ndarray) -> np.ndarray:
    """Apply the C library function ``name`` elementwise with glibc's exact results."""
    npf, mf = _MATH_FUNCS[name]
    x = np.asarray(x, _F64)
    with np.errstate(all="ignore"):
        fast = npf(x)
    if _libm_agrees(name) or x.size == 0:
        return fast
    flat = x.ravel().tolist()
    fb = fast.ravel()
    out = np.empty(len(flat), _F64)
    for i, v in enumerate(flat):
        try:
            out[i] = mf(v)
        except (ValueError, OverflowError):
            out[i] = fb[i]  # special values: NumPy follows C semantics
    return out.reshape(x.shape)


_LGAMMA: list = []


def _lgamma(x: float) -> float:
    """glibc's ``lgamma`` (what torch calls), loaded lazily; ``math.lgamma`` elsewhere."""
    if not _LGAMMA:
        fn = math.lgamma
        for name in ("libm.so.6", ctypes.util.find_library("m")):
            try:
                cand = ctypes.CDLL(name).lgamma
            except (OSError, AttributeError, TypeError):
                continue
            cand.restype = ctypes.c_double
            cand.argtypes = [ctypes.c_double]
            if abs(cand(10.0) - math.lgamma(10.0)) < 1e-12:
                fn = cand
                break
        _LGAMMA.append(fn)
    return _LGAMMA[0](x)


# ----------------------------------------------------------------------------------------
# AVX2 float32 Box-Muller (Cephes-style log / sincos polynomials evaluated with FMA)
# ----------------------------------------------------------------------------------------

_C = np.float32
_LOG_P = [_C(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                          -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                          2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_COS_P = [_C(v) for v in (2.443315711809948e-05, -1.388731625493765e-03, 4.166664568298827e-02)]
_SIN_P = [_C(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_DP = [_C(v) for v in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8)]


def _log_f32(x: np.ndarray) -> np.ndarray:
    """Vectorised float32 natural log as evaluated by torch's AVX2 normal kernel."""
    x = np.maximum(x, _C(1.17549435e-38))
    bits = x.view(np.int32)
    m = ((bits & np.int32(~0x7F800000)) | np.int32(0x3F000000)).view(np.float32)
    e = ((bits >> 23) - 0x7F).astype(np.float32) + _C(1)
    small = m < _C(0.707106781186547524)
    xr = (m - _C(1)) + np.where(small, m, _C(0))
    e = e - np.where(small, _C(1), _C(0))
    z = xr * xr
    y = np.full_like(xr, _LOG_P[0])
    for coef in _LOG_P[1:]:
        y = _fma32(y, xr, coef)
    y = y * xr
    y = _fma32(y, z, e * _C(-2.12194440e-4))
    y = y - z * _C(0.5)
    return _fma32(e, _C(0.693359375), xr + y)


def _sincos_f32(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised float32 (sin, cos) as evaluated by torch's AVX2 normal kernel."""
    neg = np.signbit(x)
    x = np.abs(x)
    j = (x * _C(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    for dp in _DP:
        x = _fma32(y, dp, x)
    sin_neg = neg ^ ((j & 4) != 0)
    cos_neg = (~(j - 2) & 4) != 0
    use_sin_poly = (j & 2) == 0
    z = x * x
    yc = _fma32(_fma32(np.full_like(z, _COS_P[0]), z, _COS_P[1]), z, _COS_P[2])
    yc = _fma32(yc * z, z, -(z * _C(0.5))) + _C(1)
    ys = _fma32(_fma32(np.full_like(z, _SIN_P[0]), z, _SIN_P[1]), z, _SIN_P[2])
    ys = _fma32(ys * z, x, x)
    s = np.where(use_sin_poly, ys, yc)
    c = np.where(use_sin_poly, yc, ys)
    return np.where(sin_neg, -s, s), np.where(cos_neg, -c, c)


def _box_muller16_f32(d: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """Transform rows of 16 uniform float32 values into 16 normals (AVX2 kernel)."""
    d = d.reshape(-1, 16)
    u1 = _C(1) - d[:, :8]
    radius = np.sqrt(_C(-2) * _log_f32(u1))
    sin, cos = _sincos_f32(_C(2 * math.pi) * d[:, 8:])
    out = np.concatenate([_fma32(radius * cos, std, mean), _fma32(radius * sin, std, mean)], 1)
    return out.ravel()


def _box_muller16_f64(d: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Transform rows of 16 uniform float64 values into 16 normals (scalar libm kernel)."""
    d = d.reshape(-1, 16)
    radius = np.sqrt(-2.0 * _libm("log", 1.0 - d[:, :8]))
    theta = (2.0 * math.pi) * d[:, 8:]
    out = np.concatenate([_fma64(radius * _libm("cos", theta), std, mean),
                          _fma64(radius * _libm("sin", theta), std, mean)], 1)
    return out.ravel()


# ----------------------------------------------------------------------------------------
# small utilities
# ----------------------------------------------------------------------------------------

def _shape(shape: Shape) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral):
        shape = (int(shape),)
    shape = tuple(int(s) for s in shape)
    for s in shape:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _numel(shape: tuple[int, ...]) -> int:
    return int(math.prod(shape))


def _dtype(dtype) -> np.dtype:
    return np.dtype(dtype)


def _require_float(dtype: np.dtype, op: str) -> None:
    if not _floating(dtype):
        raise RuntimeError(f'"{op}" not implemented for \'{_TORCH_NAMES.get(dtype.name, dtype.name)}\'')


def _from_double(v: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Cast float64 results the way torch's ``static_cast<scalar_t>(double)`` does."""
    if dtype == _F64:
        return v
    if dtype == np.bool_:
        return v != 0
    with np.errstate(over="ignore", invalid="ignore"):
        if dtype == _F32:
            return v.astype(_F32)
        if _reduced(dtype):
            return v.astype(_F32).astype(dtype)  # c10::Half / BFloat16 convert through float
        return v.astype(dtype)


def _from_int64(v: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if _reduced(dtype):
        return v.astype(_F32).astype(dtype)
    if dtype == np.bool_:
        return v != 0
    return v.astype(dtype)


def _check_int64(value: int, what: str = "value") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    value = int(value)
    if not -(1 << 63) <= value < (1 << 63):
        raise ValueError("Overflow when unpacking long long")
    return value


def fill_order(shape: Sequence[int], strides: Sequence[int]) -> tuple[int, ...]:
    """Axes, outermost first, in the order torch visits a strided tensor when filling it.

    Torch's in-place samplers (``uniform_``, ``normal_``, ``random_``, ...) write the
    stream into the tensor in TensorIterator order, i.e. memory order: axes sorted by
    decreasing stride (size-1 axes do not matter). To fill a strided tensor::

        perm = fill_order(t.shape, t.stride())   # element or byte strides
        vals = gen.uniform(tuple(t.shape[p] for p in perm), dtype)
        logical = vals.transpose(np.argsort(perm))   # now indexed like t
    """
    shape = tuple(shape)
    strides = tuple(strides)
    return tuple(sorted(range(len(shape)), key=lambda d: -abs(strides[d]) if shape[d] > 1 else 0))


def _temper(y: np.ndarray) -> np.ndarray:
    """mt19937 output tempering of raw state words."""
    y = y.astype(np.uint32)
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


def _fisher_yates(z: np.ndarray, n: int, tail: int = 2048, frac: int = 32) -> np.ndarray:
    """Apply the swaps ``a[i] <-> a[i + z[i]]`` for i = 0..n-2 in order, vectorised.

    Within a window of steps, swaps whose two positions are touched by no other step of
    the window commute with everything and are applied at once; the few entangled ones
    are replayed in order. The short final stretch runs as a plain loop.
    """
    a = np.arange(n, dtype=np.int64)
    steps = n - 1
    i = 0
    while steps - i > tail:
        m = n - i
        w = min(max(tail, m // frac), steps - i)
        ii = np.arange(i, i + w, dtype=np.int64)
        jj = ii + z[i:i + w]
        moved = jj != ii
        cnt = np.bincount(np.concatenate([ii, jj[moved]]) - i, minlength=m)
        dirty = (cnt[ii - i] > 1) | (moved & (cnt[jj - i] > 1))
        clean = moved & ~dirty
        ci, cj = ii[clean], jj[clean]
        a[ci], a[cj] = a[cj], a[ci].copy()
        if dirty.any():
            di, dj = ii[dirty], jj[dirty]
            touched, inv = np.unique(np.concatenate([di, dj]), return_inverse=True)
            vals = a[touched].tolist()
            k = di.size
            for p, q in zip(inv[:k].tolist(), inv[k:].tolist()):
                vals[p], vals[q] = vals[q], vals[p]
            a[touched] = vals
        i += w
    if i < steps:
        rest = a[i:].tolist()
        for k, zi in enumerate(z[i:].tolist()):
            j = k + zi
            rest[k], rest[j] = rest[j], rest[k]
        a[i:] = rest
    return a


# ----------------------------------------------------------------------------------------
# the generator
# ----------------------------------------------------------------------------------------

class CPUGenerator:
    """PyTorch's CPU generator (mt19937 + samplers), reproduced bit for bit with NumPy.

    Matches torch's kernels as dispatched on an x86-64 CPU with ATen capability AVX2
    (the float32 ``normal`` fast path and FMA contractions depend on it).

    Every sampler returns a C-ordered array of ``shape`` holding the values in the order
    torch draws them. For a contiguous tensor this is the tensor itself. Torch fills a
    non-contiguous tensor in memory order (see :func:`fill_order`), so generate with the
    permuted shape and transpose back; ``normal`` must then be called with
    ``contiguous=False`` because torch uses its scalar (cached Box-Muller) path for
    non-contiguous tensors. ``bernoulli_tensor`` expects ``probs`` permuted the same way.
    """

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self._bitgen = np.random.MT19937(0)
        self._seed = 0
        self._pending: np.ndarray | None = None  # words of an inconsistent torch state
        self._pend_next = 0
        self._idle_next: int | None = 0
        self._normal_cache: float | None = None  # torch's next_double_normal_sample
        self._float_cache: float | None = None   # torch's next_float_normal_sample
        self.manual_seed(seed)

    # -- seeding and state ---------------------------------------------------------------

    def manual_seed(self, seed: int) -> None:
        """Seed like ``torch.Generator.manual_seed`` (mt19937 uses the low 32 bits)."""
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise RuntimeError(  # noqa: TRY004 - torch raises RuntimeError here
                f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = int(seed)
        if not -(1 << 63) <= seed <= _U64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed & _U64
        key = [0] * _N
        key[0] = self._seed & 0xFFFFFFFF
        for i in range(1, _N):
            prev = key[i - 1]
            key[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
        self._set_mt(np.array(key, dtype=np.uint32), _N)
        self._pending = None
        self._idle_next = 0
        self._normal_cache = None
        self._float_cache = None

    def seed(self) -> int:
        """Seed from OS entropy (64 bits, like ``Generator.seed``) and return the seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed last set (as an unsigned 64-bit int, like torch)."""
        return self._seed

    def _set_mt(self, key: np.ndarray, pos: int) -> None:
        self._bitgen.state = {"bit_generator": "MT19937",
                              "state": {"key": key.astype(np.uint32), "pos": int(pos)}}

    def get_state(self) -> np.ndarray:
        """Return the state as uint8 bytes in the exact layout of ``torch.get_rng_state()``."""
        st = self._bitgen.state["state"]
        key, pos = st["key"], int(st["pos"])
        if self._pending is not None:
            left, nxt = len(self._pending) + 1, self._pend_next
        elif pos >= _N:
            left, nxt = 1, (_N if self._idle_next is None else self._idle_next)
        else:
            left, nxt = _N + 1 - pos, pos
        buf = bytearray(STATE_SIZE)
        buf[0:8] = np.int64(np.uint64(self._seed).view(np.int64)).tobytes()
        buf[8:12] = np.int32(left).tobytes()
        buf[12:16] = np.int32(1).tobytes()
        buf[16:24] = np.uint64(nxt).tobytes()
        buf[24:5016] = key.astype(np.uint64).tobytes()
        if self._normal_cache is not None:
            buf[5024:5032] = np.float64(self._normal_cache).tobytes()
            buf[5040:5044] = np.int32(1).tobytes()
        if self._float_cache is not None:
            buf[5048:5052] = np.float32(self._float_cache).tobytes()
            buf[5052] = 1
        return np.frombuffer(bytes(buf), dtype=np.uint8).copy()

    def set_state(self, state: np.ndarray) -> None:
        """Load a state in ``torch.get_rng_state()`` layout (uint8, 5056 bytes)."""
        arr = np.asarray(state)
        if arr.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor (a uint8 array)")
        if arr.size != STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but "
                               f"found the input RNG state size to be {arr.size}")
        raw = np.ascontiguousarray(arr.ravel()).tobytes()
        seed = int(np.frombuffer(raw, np.uint64, 1, 0)[0])
        left = int(np.frombuffer(raw, np.int32, 1, 8)[0])
        seeded = int(np.frombuffer(raw, np.int32, 1, 12)[0])
        nxt = int(np.frombuffer(raw, np.uint64, 1, 16)[0])
        key = (np.frombuffer(raw, np.uint64, _N, 24) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        normal_y = float(np.frombuffer(raw, np.float64, 1, 5024)[0])
        normal_valid = int(np.frombuffer(raw, np.int32, 1, 5040)[0])
        float_y = float(np.frombuffer(raw, np.float32, 1, 5048)[0])
        float_valid = raw[5052]
        if not (seeded != 0 and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        if left > 1 and nxt + left != _N + 1:
            if nxt + left - 1 > _N:
                # torch would read past its state array here (undefined behaviour)
                raise RuntimeError("Invalid mt19937 state")
            pending, pend_next, pos = _temper(key[nxt:nxt + left - 1]), nxt, _N
        else:
            pending, pend_next, pos = None, 0, (_N if left == 1 else nxt)
        self._seed = seed
        self._set_mt(key, pos)
        self._pending, self._pend_next = pending, pend_next
        self._idle_next = nxt if left == 1 else None
        self._normal_cache = normal_y if normal_valid else None
        self._float_cache = float_y if float_valid else None

    # -- raw streams ---------------------------------------------------------------------

    def _words(self, n: int) -> np.ndarray:
        """Next ``n`` raw 32-bit outputs of the engine."""
        if n <= 0:
            return np.empty(0, np.uint32)
        parts = []
        if self._pending is not None:
            k = min(n, len(self._pending))
            parts.append(self._pending[:k])
            self._pend_next += k
            self._pending = self._pending[k:] if k < len(self._pending) else None
            n -= k
            if self._pending is None and n == 0:
                self._idle_next = self._pend_next
                return parts[0]
        self._idle_next = None
        if n > 0:
            parts.append(self._bitgen.random_raw(n).astype(np.uint32))
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _u64(self, n: int) -> np.ndarray:
        """``random64()``: first word is the high half."""
        w = self._words(2 * n).astype(np.uint64)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def _doubles(self, n: int) -> np.ndarray:
        """Uniform float64 in [0, 1): low 53 bits of ``random64()`` times 2**-53."""
        w = self._words(2 * n)
        hi = (w[0::2] & np.uint32(0x1FFFFF)).astype(_F64)
        return (hi * 4294967296.0 + w[1::2].astype(_F64)) * (2.0 ** -53)

    def _floats(self, n: int) -> np.ndarray:
        """Uniform float32 in [0, 1): low 24 bits of ``random()`` times 2**-24."""
        return (self._words(n) & np.uint32(0xFFFFFF)).astype(_F32) * _C(2.0 ** -24)

    def _snapshot(self):
        pend = None if self._pending is None else self._pending.copy()
        return (self._bitgen.state, pend, self._pend_next, self._idle_next)

    def _restore(self, snap) -> None:
        self._bitgen.state, pend, self._pend_next, self._idle_next = snap
        self._pending = pend

    # -- uniform -------------------------------------------------------------------------

    def uniform(self, shape: Shape, dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        """``torch.rand`` / ``Tensor.uniform_(low, high)``: values in [low, high)."""
        shape, dtype = _shape(shape), _dtype(dtype)
        _require_float(dtype, "uniform_")
        low, high = float(low), float(high)
        if not low <= high:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                               f"from={low:g} > to={high:g}")
        if high - low > _FMAX[dtype.name]:
            raise RuntimeError(
                f"uniform_ expects to-from <= std::numeric_limits<"
                f"{_CTYPE_NAMES[dtype.name]}>::max(), but found to={high:g} and from={low:g} "
                f"which result in to-from to exceed the limit")
        n = _numel(shape)
        if dtype == _F64:
            x = self._doubles(n)
            if low == 0.0 and high == 1.0:
                return x.reshape(shape)
            v = _fma64(x, high - low, low)
            return np.where(v == high, low, v).reshape(shape)
        lo32, hi32 = _C(low), _C(high)
        x = self._floats(n)
        v = x if (low == 0.0 and high == 1.0) else _fma32(x, hi32 - lo32, lo32)
        if dtype == _F32:
            return np.where(v == hi32, lo32, v).reshape(shape)
        r = v.astype(dtype)
        return np.where(r == np.asarray(hi32).astype(dtype), np.asarray(lo32).astype(dtype),
                        r).reshape(shape)

    # -- normal --------------------------------------------------------------------------

    def _standard_pairs(self, count: int) -> np.ndarray:
        """``count`` standard normals from torch's scalar path, honouring the cache."""
        out = np.empty(count, _F64)
        if count == 0:
            return out
        start = 0
        if self._normal_cache is not None:
            out[0] = self._normal_cache
            self._normal_cache = None
            start = 1
        need = count - start
        if need == 0:
            return out
        pairs = (need + 1) // 2
        u = self._doubles(2 * pairs)
        radius = np.sqrt(-2.0 * _libm("log1p", -u[1::2]))
        theta = (2.0 * math.pi) * u[0::2]
        z = np.empty(2 * pairs, _F64)
        z[0::2] = radius * _libm("cos", theta)
        z[1::2] = radius * _libm("sin", theta)
        out[start:] = z[:need]
        if need % 2:
            self._normal_cache = float(z[-1])
        return out

    def normal(self, shape: Shape, dtype, mean: float = 0.0, std: float = 1.0,
               contiguous: bool = True) -> np.ndarray:
        """``torch.randn`` / ``Tensor.normal_(mean, std)`` / ``torch.normal(m, s, size)``.

        Contiguous tensors with at least 16 elements use torch's vectorised Box-Muller
        over blocks of 16 uniforms (float64: 53-bit uniforms and libm; float32 / float16 /
        bfloat16: 24-bit uniforms and the AVX2 polynomial kernel, computed in float32).
        A ragged tail recomputes the last 16 outputs from 16 fresh uniforms (float16 /
        bfloat16: the leftover uniforms topped up with fresh ones). Smaller or
        non-contiguous tensors use the scalar float64 path, which shares a cached value
        with later scalar-path calls and ``log_normal``.
        """
        shape, dtype = _shape(shape), _dtype(dtype)
        _require_float(dtype, "normal_kernel_cpu")
        mean, std = float(mean), float(std)
        if not std >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        n = _numel(shape)
        if contiguous and n >= 16:
            tail = n % 16
            nf = n - tail
            if dtype == _F64:
                x = self._doubles(n + (16 if tail else 0))
                out = x[:n].copy()
                out[:nf] = _box_muller16_f64(x[:nf], mean, std)
                if tail:
                    out[n - 16:] = _box_muller16_f64(x[n:], mean, std)
                return out.reshape(shape)
            m32, s32 = _C(mean), _C(std)
            if dtype == _F32:
                x = self._floats(n + (16 if tail else 0))
                out = x[:n].copy()
                out[:nf] = _box_muller16_f32(x[:nf], m32, s32)
                if tail:
                    out[n - 16:] = _box_muller16_f32(x[n:], m32, s32)
                return out.reshape(shape)
            # float16 / bfloat16: the ragged tail reuses its leftover uniforms and only
            # tops them up to 16 with fresh draws.
            x = self._floats(nf + (16 if tail else 0))
            out = np.empty(n, _F32)
            out[:nf] = _box_muller16_f32(x[:nf], m32, s32)
            if tail:
                out[n - 16:] = _box_muller16_f32(x[nf:], m32, s32)
            return out.astype(dtype).reshape(shape)
        z = self._standard_pairs(n)
        return _from_double(_fma64(z, std, mean), dtype).reshape(shape)

    def normal_tensor(self, mean, std, dtype) -> np.ndarray:
        """``torch.normal(mean, std)`` with tensor mean and/or std (broadcast).

        Python numbers are treated as scalars, arrays (even 0-d) as tensors, matching
        torch's overloads: (tensor, scalar) draws ``normal(0, std)`` then adds ``mean``;
        otherwise a standard normal is scaled as ``z * std + mean`` (separate roundings).
        """
        dtype = _dtype(dtype)
        _require_float(dtype, "normal_kernel_cpu")
        mean_scalar = isinstance(mean, numbers.Real) and not isinstance(mean, np.ndarray)
        std_scalar = isinstance(std, numbers.Real) and not isinstance(std, np.ndarray)
        if std_scalar:
            std = float(std)
            if not std >= 0.0:
                raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        else:
            std = np.asarray(std)
            if std.size and not np.all(std >= 0):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        if mean_scalar and std_scalar:
            raise TypeError("normal_tensor needs at least one array; use normal() for scalars")
        if not mean_scalar:
            mean = np.asarray(mean)
        shape = np.broadcast_shapes(np.shape(mean) if not mean_scalar else (),
                                    np.shape(std) if not std_scalar else ())
        if std_scalar:
            z = self.normal(shape, dtype, 0.0, std)
            return (z + np.asarray(mean).astype(dtype)).astype(dtype)
        z = self.normal(shape, dtype)
        m = np.asarray(mean).astype(dtype)
        return ((z * std.astype(dtype)).astype(dtype) + m).astype(dtype)

    def log_normal(self, shape: Shape, dtype, mean: float = 1.0, std: float = 2.0) -> np.ndarray:
        """``Tensor.log_normal_(mean, std)``: exp of the scalar-path normal (uses the cache)."""
        shape, dtype = _shape(shape), _dtype(dtype)
        _require_float(dtype, "log_normal_cpu")
        mean, std = float(mean), float(std)
        if not std > 0.0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
        z = self._standard_pairs(_numel(shape))
        return _from_double(_libm("exp", _fma64(z, std, mean)), dtype).reshape(shape)

    # -- integers ------------------------------------------------------------------------

    def _from_to(self, n: int, low: int, span: int) -> np.ndarray:
        """``low + draw % span`` as int64 (wrapping), 32- or 64-bit draws like torch."""
        if span >= (1 << 64):
            return self._u64(n).view(np.int64)  # full range: the raw 64-bit draw itself
        if span >= _RANGE_64_BITS:
            v = self._u64(n) % np.uint64(span)
        else:
            v = (self._words(n) % np.uint32(span)).astype(np.uint64)
        return (v + np.uint64(low & _U64)).view(np.int64)

    @staticmethod
    def _check_bounds(dtype: np.dtype, low: int, high_minus_1: int) -> None:
        name = dtype.name
        cname = _CTYPE_NAMES.get(name, name)
        if name in _DIGITS:
            lim = _FMAX[name]
            if not -lim <= low <= lim:
                raise RuntimeError(f"from is out of bounds for {cname}")
            if not -lim <= high_minus_1 <= lim:
                raise RuntimeError(f"to - 1 is out of bounds for {cname}")
            d = _DIGITS[name]
            for label, v in (("from", low), ("to - 1", high_minus_1)):
                if not -(1 << d) <= v <= (1 << d):
                    warnings.warn(
                        f"{label} is out of bounds [-(2^{d}), 2^{d}]. Due to precision "
                        f"limitations {cname} can support discrete uniform distribution "
                        f"only within this range.", UserWarning, stacklevel=3)
            return
        info = (0, 1) if dtype == np.bool_ else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
        if not info[0] <= low <= info[1]:
            raise RuntimeError(f"from is out of bounds for {cname}")
        if not info[0] <= high_minus_1 <= info[1]:
            raise RuntimeError(f"to - 1 is out of bounds for {cname}")

    def randint(self, shape: Shape, low: int, high: int, dtype=np.int64) -> np.ndarray:
        """``torch.randint(low, high, shape)``: ``low + r % (high - low)``.

        Ranges below 2**28 use one 32-bit draw per value, wider ranges one 64-bit draw.
        """
        shape, dtype = _shape(shape), _dtype(dtype)
        low, high = _check_int64(low, "low"), _check_int64(high, "high")
        if not low < high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        self._check_bounds(dtype, low, high - 1)
        return _from_int64(self._from_to(_numel(shape), low, high - low), dtype).reshape(shape)

    def random_(self, shape: Shape, dtype, low: int | None = None,
                high: int | None = None) -> np.ndarray:
        """``Tensor.random_()`` / ``random_(to)`` (low=None) / ``random_(from, to)``.

        ``low`` given with ``high=None`` is ``random_(from, None)``: [low, dtype max].
        """
        shape, dtype = _shape(shape), _dtype(dtype)
        name = dtype.name
        n = _numel(shape)
        if low is None and high is None:
            if name in ("uint16", "uint32", "uint64"):
                raise NotImplementedError(
                    f"\"random_kernel_cpu\" not implemented for '{_TORCH_NAMES[name]}'")
            if name == "int64":
                return (self._u64(n) & np.uint64((1 << 63) - 1)).view(np.int64).reshape(shape)
            if name == "float64":
                v = self._u64(n) % np.uint64((1 << 53) + 1)
                return v.astype(_F64).reshape(shape)
            if name in _DIGITS:
                span = (1 << _DIGITS[name]) + 1
            elif name == "bool":
                span = 2
            else:
                span = int(np.iinfo(dtype).max) + 1
            v = (self._words(n) % np.uint32(span)).astype(np.int64)
            return _from_int64(v, dtype).reshape(shape)
        if low is None:
            return self.randint(shape, 0, high, dtype)
        low = _check_int64(low, "low")
        if high is not None:
            return self.randint(shape, low, high, dtype)
        if name in _DIGITS:
            top = 1 << _DIGITS[name]
        elif name == "bool":
            top = 1
        else:
            top = int(np.iinfo(dtype).max)
        self._check_bounds(dtype, low, low)
        if low > top:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={top + 1}")
        return _from_int64(self._from_to(n, low, top - low + 1), dtype).reshape(shape)

    def randperm(self, n: int, dtype=np.int64) -> np.ndarray:
        """``torch.randperm(n)``: forward Fisher-Yates, ``j = i + random() % (n - i)``; from
        n = 214748364 (uint32 max / 20) on, torch's inside-out variant on 64-bit draws
        (``_randperm_inside_out``).
        """
        n = _check_int64(n, "n")
        dtype = _dtype(dtype)
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
        name = dtype.name
        if name in _DIGITS:
            lim = (1 << _DIGITS[name]) + 1
            if n > lim:
                sym = {"float16": "2049", "bfloat16": "257", "float32": "2^24+1",
                       "float64": "2^53+1"}[name]
                raise RuntimeError(f"n cannot be greater than {sym} for "
                                   f"{_TORCH_NAMES[name]} type.")
        elif name != "bool" and n > 0 and n - 1 > int(np.iinfo(dtype).max):
            raise RuntimeError(f"value cannot be converted to type {name}_t without overflow")
        if n > _RANDPERM_MAX_N:
            return _from_int64(self._randperm_inside_out(n), dtype)
        if n <= 1:
            return _from_int64(np.arange(n, dtype=np.int64), dtype)
        w = self._words(n - 1)
        z = (w % (np.uint32(n) - np.arange(n - 1, dtype=np.uint32))).astype(np.int64)
        return _from_int64(_fisher_yates(z, n), dtype)

    def _randperm_inside_out(self, n: int, chunk: int = 1 << 24) -> np.ndarray:
        """Torch's randperm for large n: ``for i in 0..n-1: z = random64() % (i + 1); r[i] = r[z]; r[z] = i``.

        That is the swaps ``(i, z_i)`` applied to the identity in increasing i. The same swaps in decreasing i
        give the inverse permutation, and with positions counted from the end (p = n - 1 - i) they are forward
        swaps ``p <-> p + (i - z_i)`` in increasing p: ``_fisher_yates``' vectorised form. The draws are taken
        in chunks to bound the temporaries (n >= 2^27.7 here: the result alone is 1.7 GB).
        """
        off = np.empty(n, np.int64)  # off[n - 1 - i] = i - z_i
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            i = np.arange(s, e, dtype=np.uint64)
            z = self._u64(e - s) % (i + np.uint64(1))
            off[n - e:n - s] = (i - z).astype(np.int64)[::-1]
        d = _fisher_yates(off, n)  # the inverse permutation, in reversed positions and labels
        inv = d[::-1]
        np.subtract(n - 1, inv, out=inv)
        out = np.empty(n, np.int64)
        out[inv] = np.arange(n, dtype=np.int64)
        return out

    # -- Bernoulli / multinomial ---------------------------------------------------------

    def bernoulli_scalar(self, shape: Shape, p: float, dtype) -> np.ndarray:
        """``Tensor.bernoulli_(p)`` / ``torch.bernoulli(x, p)``: float64 uniform < p."""
        shape, dtype = _shape(shape), _dtype(dtype)
        p = float(p)
        if not 0.0 <= p <= 1.0:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
        n = _numel(shape)
        # u = X * 2**-53 < p  <=>  X < ceil(p * 2**53) for the 53-bit integer X = (hi & 0x1FFFFF) << 32 | lo:
        # compared on the two 32-bit words directly, bit for bit the same decision as the float64 path.
        t = math.ceil(p * 9007199254740992.0)
        if t >= 9007199254740992:
            self._words(2 * n)
            return np.ones(shape, dtype=dtype)
        if self._pending is None and _LITTLE and n > 0:
            self._idle_next = None
            v = self._bitgen.random_raw(2 * n).view(np.uint32)  # the low halves hold the 32-bit words
            hi, lo = v[0::4], v[2::4]
        else:
            w = self._words(2 * n)
            hi, lo = w[0::2], w[1::2]
        hi = hi & np.uint32(0x1FFFFF)
        th, tl = np.uint32(t >> 32), np.uint32(t & 0xFFFFFFFF)
        mask = hi < th
        eq = hi == th
        if eq.any():
            mask |= eq & (lo < tl)
        return mask.astype(dtype).reshape(shape)

    def bernoulli_tensor(self, probs: np.ndarray, dtype) -> np.ndarray:
        """``torch.bernoulli(probs)`` / ``x.bernoulli_(p_tensor)``: ``u < p`` elementwise.

        ``u`` has the precision of ``probs`` (53-bit float64 draws for float64 probs,
        24-bit float32 draws otherwise). ``probs`` must already have the output's shape
        (broadcast it first); the result has ``dtype``.
        """
        probs = np.asarray(probs)
        dtype = _dtype(dtype)
        if not _floating(probs.dtype):
            raise RuntimeError(f"bernoulli_tensor_cpu_p_ not implemented for "
                               f"'{_TORCH_NAMES.get(probs.dtype.name, probs.dtype.name)}'")
        pf = probs.astype(_F64)
        if pf.size and not np.all((pf >= 0) & (pf <= 1)):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        n = probs.size
        if probs.dtype == _F64:
            mask = self._doubles(n) < pf.ravel()
        else:
            mask = self._floats(n) < probs.astype(_F32).ravel()
        return mask.astype(dtype).reshape(probs.shape)

    def multinomial(self, probs: np.ndarray, num_samples: int,
                    replacement: bool = False, transposed: bool = False) -> np.ndarray:
        """``torch.multinomial`` for 1-D or 2-D floating ``probs`` (int64 result).

        With replacement (and ``num_samples > 1``): per row, cumulative sums in the probs'
        dtype (float32 for float16/bfloat16, as torch's kernel accumulates them) normalised
        by the total, one float64 uniform per sample and the first bin with cdf >= u.
        Otherwise: ``probs / Exponential(1)`` keys (drawn for the whole array, in the probs'
        dtype) and the largest ``num_samples`` keys, in decreasing order (equal keys are
        taken by index; torch's order among them differs: in float32/float64 they only arise
        between zero-probability bins, in float16/bfloat16 also between close ones).
        ``transposed``: the 2-D input tensor is laid out column-major, so torch draws the
        keys in that memory order.
        """
        probs = np.asarray(probs)
        if probs.ndim not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        if not _floating(probs.dtype):
            raise RuntimeError(f"multinomial only supports floating-point dtypes for input, "
                               f"got: {_TORCH_NAMES.get(probs.dtype.name, probs.dtype.name)}")
        k = _check_int64(num_samples, "num_samples")
        if k <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        ncat = probs.shape[-1]
        if not replacement and k > ncat:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        if ncat > (1 << 24):
            raise RuntimeError("number of categories cannot exceed 2^24")
        rows = probs.reshape(-1, ncat)
        if rows.shape[0] == 0:
            return np.empty(probs.shape[:-1] + (k,), np.int64)
        with np.errstate(invalid="ignore"):
            if not np.all(np.isfinite(rows.astype(_F64)) & (rows.astype(_F64) >= 0)):
                raise RuntimeError("probability tensor contains either `inf`, `nan` or "
                                   "element < 0")
        if np.any(rows.sum(axis=1, dtype=_F64) <= 0):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        out = np.empty((rows.shape[0], k), np.int64)
        if replacement and k > 1:
            u = self._doubles(rows.shape[0] * k).reshape(rows.shape[0], k)
            acc = _F32 if _reduced(rows.dtype) else rows.dtype
            for r in range(rows.shape[0]):
                cum = np.cumsum(rows[r].astype(acc), dtype=acc)
                cdf = (cum / cum[-1]).astype(_F64)
                out[r] = np.searchsorted(cdf, u[r], side="left")
        else:
            if transposed:
                q = self.exponential(rows.shape[::-1], rows.dtype, 1.0).T
            else:
                q = self.exponential(rows.shape, rows.dtype, 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                keys = rows / q
            if _reduced(keys.dtype):  # exactly, for NumPy's argmax/argsort (ml_dtypes' bfloat16 has neither)
                keys = keys.astype(_F32)
            if k == 1:
                out[:, 0] = np.argmax(keys, axis=1)
            else:
                out[:] = np.argsort(-keys, axis=1, kind="stable")[:, :k]
        return out.reshape(probs.shape[:-1] + (k,))

    # -- other continuous / discrete distributions --------------------------------------

    def exponential(self, shape: Shape, dtype, lambd: float = 1.0) -> np.ndarray:
        """``Tensor.exponential_(lambd)``: ``log1p(-u) * (-1 / lambd)`` in float64."""
        shape, dtype = _shape(shape), _dtype(dtype)
        _require_float(dtype, "exponential_cpu")
        lambd = float(lambd)
        if not lambd > 0.0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
        u = self._doubles(_numel(shape))
        return _from_double(_libm("log1p", -u) * (-1.0 / lambd), dtype).reshape(shape)

    def cauchy(self, shape: Shape, dtype, median: float = 0.0, sigma: float = 1.0) -> np.ndarray:
        """``Tensor.cauchy_(median, sigma)``: ``median + sigma * tan(pi * (u - 0.5))``."""
        shape, dtype = _shape(shape), _dtype(dtype)
        _require_float(dtype, "cauchy_cpu")
        median, sigma = float(median), float(sigma)
        if not sigma > 0.0:
            raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
        u = self._doubles(_numel(shape))
        t = _libm("tan", math.pi * (u - 0.5))
        return _from_double(_fma64(sigma, t, median), dtype).reshape(shape)

    def geometric(self, shape: Shape, dtype, p: float) -> np.ndarray:
        """``Tensor.geometric_(p)``: ``ceil(log(u) / log1p(-p))`` in float64."""
        shape, dtype = _shape(shape), _dtype(dtype)
        p = float(p)
        if not 0.0 < p < 1.0:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
        u = self._doubles(_numel(shape))
        with np.errstate(divide="ignore"):
            v = np.ceil(_libm("log", u) / math.log1p(-p))
        return _from_double(v, dtype).reshape(shape)

    def poisson(self, rates: np.ndarray) -> np.ndarray:
        """``torch.poisson(rates)``: product-of-uniforms below 10, PTRS rejection above.

        Inherently sequential (the draw count per element is random): runs in a Python
        loop over a buffered float64 stream that is rewound to the exact consumption.
        """
        rates = np.asarray(rates)
        if not _floating(rates.dtype):
            raise RuntimeError(f"\"poisson_cpu\" not implemented for "
                               f"'{_TORCH_NAMES.get(rates.dtype.name, rates.dtype.name)}'")
        lam = rates.astype(_F64).ravel()
        if lam.size and not np.all(lam >= 0):
            raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
        n = lam.size
        out = np.zeros(n, _F64)
        if n == 0:
            return _from_double(out, rates.dtype).reshape(rates.shape)
        big = lam >= 10
        with np.errstate(all="ignore"):
            lb = np.where(big, lam, 10.0)
            b = _fma64(2.53, np.sqrt(lb), 0.931)
            a = _fma64(0.02483, b, -0.059)
            consts = list(zip(lam.tolist(), _libm("log", lb).tolist(), b.tolist(), a.tolist(),
                              (0.9277 - 3.6224 / (b - 2)).tolist(),
                              _libm("log", 1.1239 + 1.1328 / (b - 3.4)).tolist(),
                              _libm("exp", -np.where(big, 0.0, lam)).tolist()))
        stream = _DoubleStream(self, int(np.sum(np.where(big, 3.0, lam + 1.0))) + 64)
        take = stream.take
        log, floor, isfinite = math.log, math.floor, math.isfinite
        for i, (lm, loglam, b_i, a_i, vr, log_invalpha, enlam) in enumerate(consts):
            if lm >= 10:
                while True:
                    uu = take() - 0.5
                    vv = take()
                    us = 0.5 - abs(uu)
                    if us == 0.0:
                        continue  # C computes k = INT64_MIN here: always rejected
                    scale = 2 * a_i / us + b_i
                    t = scale * uu + lm
                    if not isfinite(t):
                        k = -(1 << 63)
                    else:
                        t += 0.43
                        if abs(t - round(t)) < 1e-7 * max(1.0, abs(t)):
                            t = _fma_exact(scale, uu, lm) + 0.43  # torch fuses this
                        k = floor(t)
                    if us >= 0.07 and vv <= vr:
                        out[i] = k
                        break
                    if k < 0 or (us < 0.013 and vv > us):
                        continue
                    lhs = ((log(vv) if vv > 0 else -math.inf) + log_invalpha
                           - log(a_i / (us * us) + b_i))
                    rhs = k * loglam - lm
                    if abs(lhs - (rhs - _lgamma(k + 1.0))) < 1e-9 * max(1.0, abs(rhs)):
                        rhs = _fma_exact(float(k), loglam, -lm)
                    if lhs <= rhs - _lgamma(k + 1.0):
                        out[i] = k
                        break
            elif lm > 0:
                x = 0
                prod = take()
                while prod > enlam:
                    x += 1
                    prod *= take()
                out[i] = x
        stream.finish()
        return _from_double(out, rates.dtype).reshape(rates.shape)


class _DoubleStream:
    """Sequential float64 uniforms drawn in chunks, rewound to the exact count used."""

    def __init__(self, gen: CPUGenerator, hint: int) -> None:
        self._gen = gen
        self._hint = max(64, hint)
        self._snap = None
        self._buf: list = []
        self._pos = 0

    def take(self) -> float:
        """Next uniform double."""
        if self._pos == len(self._buf):
            self._snap = self._gen._snapshot()
            self._buf = self._gen._doubles(self._hint).tolist()
            self._pos = 0
        v = self._buf[self._pos]
        self._pos += 1
        return v

    def finish(self) -> None:
        """Give back the unused part of the last chunk."""
        if self._snap is not None:
            self._gen._restore(self._snap)
            self._gen._words(2 * self._pos)
