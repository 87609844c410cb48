"""Unary math ops made by one factory (ufunc + derivative), plus erf/erfinv via ``_special``."""
from __future__ import annotations

import math
import time

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, SavedOutput, link
from ._util import _arr, _wrap, select_grad, state
from .inplace import _out

_default = D._default


_UNARY_DOC = "Elementwise ``{name}``.\n\n    >>> import ember\n    >>> ember.{name}(ember.tensor([{ex}]))\n    {out}\n"


def _unary(name, ufunc, deriv, *, save="input", keep_int=False, node_name=None, doc=None, rawd=None, slots=()):
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

    attrs = {"__slots__": slots, "backward": backward}
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
        e = _arr(np.exp(-d))
        e += 1
        return np.reciprocal(e, out=e)


def _errstate(fn):
    """``fn`` with floating-point warnings off (PyTorch never warns); NumPy's decorator form is ~1 us cheaper
    per call than entering a fresh ``errstate`` context."""
    return np.errstate(all="ignore")(fn)


def _erf(d):
    from ._special import erf as _e  # noqa: PLC0415

    return _e(d)


def _erfc(d):
    from ._special import erfc as _e  # noqa: PLC0415

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
log1p = _unary("log1p", _errstate(np.log1p), lambda g, x: g / (x + 1), rawd=lambda g, x: g / (x + 1),
               node_name="Log1PBackward0")
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
erfc = _unary("erfc", _erfc, lambda g, x: g * (-(x * x)).exp() * -_2_SQRTPI)
erfinv = _unary("erfinv", _errstate(_erfinv), lambda g, y: g * (y * y).exp() * (math.sqrt(math.pi) / 2),
                save="output")
def _zero_deriv(g, _):
    return g.new_zeros(g.shape)  # zeros, as PyTorch: not g * 0 (-0.0 and NaN under negative / infinite g)


sign = _unary("sign", np.sign, _zero_deriv, save=None, keep_int=True)
sgn = _unary("sgn", np.sign, _zero_deriv, save=None, keep_int=True)
floor = _unary("floor", np.floor, _zero_deriv, save=None, keep_int=True)
ceil = _unary("ceil", np.ceil, _zero_deriv, save=None, keep_int=True)
trunc = _unary("trunc", np.trunc, _zero_deriv, save=None, keep_int=True)
fix = trunc
frac = _unary("frac", lambda d: d - np.trunc(d), lambda g, _: g, save=None)
deg2rad = _unary("deg2rad", np.deg2rad, lambda g, _: g * (math.pi / 180), save=None, node_name="Deg2RadBackward0")
rad2deg = _unary("rad2deg", np.rad2deg, lambda g, _: g * (180 / math.pi), save=None, node_name="Rad2DegBackward0")


def _abs_deriv(g, x):
    return g * x.sign()


abs = _unary("abs", np.abs, _abs_deriv, keep_int=True, rawd=lambda g, x: g * np.sign(x),  # noqa: A001
             doc="Absolute value.\n\n    >>> import ember\n    >>> ember.abs(ember.tensor([-1, 2]))\n"
                 "    tensor([1, 2])\n")
absolute = abs


_ZEROS: dict = {}  # dtype -> a read-only flat zeros buffer, grown to the largest ReLU input seen


_LARGE = 163_840  # ReLU inputs from here (640 KB of float32) leave a 2 MB L2 cache together with their output
_large_scalar: list = []  # [True/False] once measured: large inputs compare with the scalar 0 (else the view)


def _scalar_is_faster(d, zv) -> bool:
    """Measured once, on the first large ReLU input: whether ``maximum(0, d)`` beats ``maximum(zeros, d)`` here.

    Which one wins depends on the machine, not on sizes or dtypes alone: on the AMD AVX2 machine NumPy's maximum
    against a scalar ran 2.4x slower than against the zeros view ((64, 16, 28, 28) float32: 470 against 197 us);
    on an AVX-512 Xeon it is vectorised and, reading a third less memory, faster from ~160,000 elements (232
    against 351 us), and faster there too with NumPy's AVX2 loops forced (261 against 338 us). Both give the same
    bits, so the choice only changes speed.
    """
    zero = d.dtype.type(0)
    best = [math.inf, math.inf]
    for _ in range(2):
        for i in (0, 1):
            t = time.perf_counter()
            np.maximum(zero, d) if i else np.maximum(zv, d)
            best[i] = min(best[i], time.perf_counter() - t)
    return best[1] < best[0]


def _relu_np(d):
    """``max(d, 0)``, with PyTorch's ``relu(-0.0) == -0.0``: NumPy's ``maximum`` returns its first argument
    for two zeros (its second for float16), so the zero goes first.

    NumPy's ``maximum`` against a same-shape array has the fastest loop for inputs that stay in cache (and, on the
    AMD AVX2 machine, at every size: there the scalar ran 2.5-3x slower), so contiguous float32/float64 arrays
    are compared with a same-shape view of a cached zeros buffer: there (64, 16, 28, 28) float32 470 us against
    the scalar, 265 us in rows of 1024 against a zeros row (the previous method), 197 us against the view;
    (1, 16, 28, 28) 13.6 / 16.8 / 4.9 us. The buffer holds as much memory as the largest
    ReLU input it served (with ``_malloc``'s thresholds it comes from the heap). Large inputs take the scalar
    where it is faster (``_scalar_is_faster``). Both give the same bits, signed zeros and NaNs included."""
    dt = d.dtype
    if dt.kind == "b":
        return d
    if dt == np.float16:
        return np.maximum(d, 0, dtype=dt)
    if type(d) is not np.ndarray or dt.kind != "f" or not d.flags.c_contiguous:
        return np.maximum(0, d, dtype=dt)
    n = d.size
    if n >= _LARGE and _large_scalar and _large_scalar[0]:
        return np.maximum(dt.type(0), d)
    z = _ZEROS.get(dt)
    if z is None or z.size < n:
        z = np.zeros(max(n, 1024), dtype=dt)  # exactly the largest input: no doubling, to hold no more memory
        z.flags.writeable = False
        _ZEROS[dt] = z
    zv = z[:n].reshape(d.shape)
    if n >= _LARGE and not _large_scalar:
        _large_scalar.append(_scalar_is_faster(d, zv))
        if _large_scalar[0]:
            del _ZEROS[dt]  # large inputs no longer use it: do not hold its memory
            return np.maximum(dt.type(0), d)
    return np.maximum(zv, d)


def _relu_raw_grad(g, y):
    """PyTorch's threshold_backward: ``g`` where ``y <= 0`` is false (so NaN outputs pass ``g``), else +0.0."""
    return select_grad(g, np.less_equal(y, 0), keep=False)


relu = _unary("relu", _relu_np, lambda g, y: g.where(~(y <= 0), 0.0), save="output", keep_int=True,
              rawd=_relu_raw_grad, slots=("premasked",),
              doc="max(x, 0) elementwise.\n\n    >>> import ember\n    >>> ember.relu(ember.tensor([-1., 2.]))\n"
                  "    tensor([0., 2.])\n")


def _relu_node_raw(self, g):
    """ReluBackward0 on raw arrays. A non-overlapping max pool over this ReLU's output selects its gradient with
    the ReLU's mask already applied (at a quarter of the size: where the window's maximum is positive) and leaves
    that array in ``premasked``; when it arrives here unchanged (this ReLU's only gradient, no hooks) it is the
    answer. The saved output is still read, so an in-place change to it still raises."""
    y = self.saved_arrays()[0]
    pm = getattr(self, "premasked", None)
    if pm is not None:
        self.premasked = None
        if g is pm and not self._pre_hooks:
            return g
    return _relu_raw_grad(g, y)


relu._node.raw = _relu_node_raw


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "abs", "absolute", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "deg2rad",
    "erf", "erfc", "erfinv", "exp", "exp2", "expm1", "fix", "floor", "frac", "log", "log10", "log1p", "log2",
    "neg", "rad2deg", "reciprocal", "relu", "rsqrt", "sgn", "sigmoid", "sign", "sin", "sinh", "sqrt", "tan",
    "tanh", "trunc",
]
