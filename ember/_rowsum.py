"""Reductions over the last axis for the per-row work of softmax, layer norm and cross-entropy.

NumPy's ``sum(-1)`` over a short contiguous axis runs 3-6x slower than a BLAS GEMV against a vector of ones
(measured on 2 cores: (64, 64, 64) 147 us -> 24 us; (1024, 128) 53 us -> 13 us; (2048, 65) 77 us -> 13 us;
(150, 3) 4.7 us -> 1.5 us). The GEMV accumulates in a different order, so results differ from ``sum`` by
rounding only. Its ``max(-1)`` costs 60-90 ns more per row when the rows are at most 16 long or a multiple of
16 long (NumPy 2.4 on AVX-512: 131,072 floats in rows of 64 take 184 us, of 65 78 us; of 16 727 us, of 17 242
us; on AVX2 rows <= 4 were ~3x slower): ``rowmax`` takes running maxima over columns or halves instead, which
are exact too.
"""
from __future__ import annotations

import math

import numpy as np

_F = (np.dtype(np.float32), np.dtype(np.float64))
_ONES: dict = {}


def _ones(n: int, dt):
    key = (n, dt)
    v = _ONES.get(key)
    if v is None:
        v = np.ones(n, dtype=dt)
        v.flags.writeable = False
        if len(_ONES) < 256:
            _ONES[key] = v
    return v


def rowsum(a, keepdims: bool = True):
    """``a.sum(-1, keepdims=keepdims)``, through BLAS for contiguous float32/float64 NumPy arrays.

    >>> import numpy as np
    >>> rowsum(np.ones((2, 16), dtype=np.float32)).ravel().tolist()
    [16.0, 16.0]
    """
    if type(a) is np.ndarray and a.dtype in _F and a.ndim >= 2 and a.flags.c_contiguous:
        r = np.matmul(a, _ones(a.shape[-1], a.dtype))
        return r[..., None] if keepdims else r
    return a.sum(-1, keepdims=keepdims)


_vecdot = getattr(np, "vecdot", None)  # NumPy >= 2.0


def rowdot(a, b, keepdims: bool = True):
    """``(a * b).sum(-1, keepdims=keepdims)`` for same-shape arrays: NumPy's ``vecdot`` (a BLAS dot per row, no
    product array) for float32/float64 rows of 16 or more, 1.6-2.7x faster than the product and a GEMV ((1024, 128)
    23 -> 13 us, (16, 4, 32, 64) 28 -> 16 us, (16, 4, 64, 64) 119 -> 45 us); shorter rows, other arrays or NumPy
    1.x take ``rowsum(a * b)``. The two differ by rounding only.

    >>> import numpy as np
    >>> rowdot(np.ones((2, 16), dtype=np.float32), np.full((2, 16), 2, dtype=np.float32)).ravel().tolist()
    [32.0, 32.0]
    """
    if (_vecdot is not None and type(a) is np.ndarray and type(b) is np.ndarray and a.ndim >= 1
            and a.shape[-1] >= 16 and a.shape == b.shape and a.dtype in _F and b.dtype == a.dtype):
        r = _vecdot(a, b)
        return r[..., None] if keepdims else r
    return rowsum(a * b, keepdims)


def rowmean(a, keepdims: bool = True):
    """``a.mean(-1, keepdims=keepdims)`` via ``rowsum`` (NumPy's mean divides the sum the same way)."""
    r = rowsum(a, keepdims)
    n = a.shape[-1]
    if type(r) is np.ndarray and r.dtype in _F:
        r /= r.dtype.type(n)
        return r
    return a.mean(-1, keepdims=keepdims)


def rowmax(a, keepdims: bool = True):
    """``a.max(-1, keepdims=keepdims)``, for the shift of a softmax. Rows of up to 16 take a running maximum over
    the columns; rows of a multiple of 16 are halved (elementwise maxima of the two halves) down to 8 columns
    first ((2048, 64) float32: 184 -> 93 us; (2048, 32): 169 -> 54 us; (128, 10): 7.9 -> 4.0 us).

    >>> import numpy as np
    >>> rowmax(np.array([[1., 5., 2.], [7., 0., 3.]])).ravel().tolist()
    [5.0, 7.0]
    """
    n = a.shape[-1] if a.ndim else 0
    if type(a) is np.ndarray and a.ndim >= 2 and a.dtype.kind == "f" and a.size >= 64 * n and (
            2 <= n <= 16 or n % 16 == 0 and n):
        m = a
        while n > 8 and n % 2 == 0:
            n //= 2
            m = np.maximum(m[..., :n], m[..., n:2 * n])
        r = np.maximum(m[..., 0], m[..., 1])
        for j in range(2, n):
            np.maximum(r, m[..., j], out=r)
        return r[..., None] if keepdims else r
    return a.max(-1, keepdims=keepdims)


def colsum(a):
    """``a.sum(0)`` of a 2-D array; a GEMV with ones for contiguous float32/float64 NumPy arrays (2-4x faster:
    (128, 512) 13.2 -> 4.8 us, (2048, 65) 62 -> 15 us).

    >>> import numpy as np
    >>> colsum(np.ones((16, 2), dtype=np.float32)).tolist()
    [16.0, 16.0]
    """
    if type(a) is np.ndarray and a.dtype in _F and a.ndim == 2 and a.flags.c_contiguous:
        return np.matmul(_ones(a.shape[0], a.dtype), a)
    return a.sum(0)


# |x| below which exp() of every element and a row sum of n exponentials stay finite and normal, before log(n)
# comes off: exp(-80) = 1.8e-35 is above float32's smallest normal and exp(80) = 5.5e34 far below its maximum
_EXP_BOUND = {np.dtype(np.float32): 80.0, np.dtype(np.float64): 700.0}


def exp_safe(blocks, n: int) -> bool:
    """Whether a softmax (or log-sum-exp) over rows of ``n`` of these values may skip the shift by the row maxima:
    every value lies in (-b, b), with ``exp(b) * n`` finite and ``exp(-b)`` normal. Softmax is shift-invariant, so
    the results differ only by rounding; two whole-array reductions replace the row maxima and their broadcast
    subtraction (the row maxima over rows of 32 and 64 were a fifth of causal attention's forward). NaN fails the
    test (its comparisons are False), and so do dtypes without a bound (half precision).

    >>> import numpy as np
    >>> exp_safe((np.array([[1., -3.], [70., 2.]], dtype=np.float32),), 2), exp_safe((np.full((1, 2), 90.),), 2)
    (True, True)
    """
    b = _EXP_BOUND.get(blocks[0].dtype)
    if b is None:
        return False
    b -= math.log(n)
    return all(-b < a.min() and a.max() < b for a in blocks)
