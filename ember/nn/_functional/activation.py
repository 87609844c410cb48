"""nn.functional activations: fused elementwise nodes (PyTorch's grad_fn names) and fused softmax/log_softmax."""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor, _wrap, _wrap_dim
from ...autograd.grad_mode import state
from ...autograd.graph import Node, SavedOutput, link
from ...ops._util import array_module, keep_on_tie, register
from ...ops.pointwise import apply_inplace, where
from ...ops.pointwise import relu as _relu
from ...ops.pointwise import sigmoid as _sigmoid
from ...ops.pointwise import tanh as _tanh

__all__ = [
    "celu",
    "celu_",
    "elu",
    "elu_",
    "gelu",
    "glu",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "log_softmax",
    "logsigmoid",
    "mish",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT2 = math.sqrt(2.0)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))


class _Act(Node):
    """An elementwise activation; ``args`` holds its scalar settings."""

    __slots__ = ("args",)


def _node(name, backward, raw=None):
    """An activation node class; ``raw(self, g)`` (optional) is the array-only fast path of ``backward``."""
    return type(name, (_Act,), {"__slots__": (), "backward": backward, "raw": raw})


def _where0(cond, g):
    return np.where(cond, g, np.zeros((), g.dtype)) if type(g) is np.ndarray else g * cond


def _apply(input: Tensor, arr, cls, args=None, save_output: bool = False) -> Tensor:
    if isinstance(arr, np.generic):
        arr = np.asarray(arr)
    res = _wrap(arr)
    if state.enabled and input._rg:
        n = cls()
        n.args = args
        n.save(SavedOutput(res) if save_output else input)
        link(n, res, (input,))
    return res


def _check_float(input: Tensor, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input._data.dtype.kind not in "fc" and not input.is_floating_point():
        raise RuntimeError(f"\"{name}\" not implemented for '{_title(input)}'")


def _title(t: Tensor) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t.dtype.name, t.dtype.name)


def _inplace_or(inplace: bool, input: Tensor, fn, *args):
    if inplace:
        return apply_inplace(input, fn, *args)
    return fn(input, *args)


def _s(like: Tensor, v: float) -> Tensor:
    """A 0-d tensor of ``like``'s dtype and device holding ``v`` (keeps float64 precision in ``where``)."""
    d = like._data
    return _wrap(array_module(d).asarray(v, dtype=d.dtype))


def _errstate(fn):
    def f(*a):
        with np.errstate(all="ignore"):
            return fn(*a)
    return f


# ----------------------------------------------------------------------------- relu family
def _threshold_bw(self, g):
    (x,) = self.saved_tensors
    return g * (x > self.args[0])


ThresholdBackward0 = _node("ThresholdBackward0", _threshold_bw,
                           lambda self, g: _where0(self.saved_arrays()[0] > self.args[0], g))


def _threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    _check_float(input, "threshold")
    d = input._data
    return _apply(input, np.where(d > threshold, d, np.asarray(value, dtype=d.dtype)), ThresholdBackward0,
                  (threshold,))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x if x > threshold else value``.

    >>> import ember
    >>> ember.nn.functional.threshold(ember.tensor([0., 2.]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    return _inplace_or(inplace, input, _threshold, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place :func:`threshold`."""
    return apply_inplace(input, _threshold, threshold, value)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``.

    >>> import ember
    >>> ember.nn.functional.relu(ember.tensor([-1., 2.]))
    tensor([0., 2.])
    """
    if inplace:
        return input.relu_()
    return _relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place :func:`relu`."""
    return input.relu_()


def _hardtanh_bw(self, g):
    (x,) = self.saved_tensors
    lo, hi = self.args
    return g * ((x > lo) & (x < hi))


def _hardtanh_raw(self, g):
    (x,) = self.saved_arrays()
    lo, hi = self.args
    return _where0((x > lo) & (x < hi), g)


HardtanhBackward0 = _node("HardtanhBackward0", _hardtanh_bw, _hardtanh_raw)


def _hardtanh(input: Tensor, min_val: float, max_val: float) -> Tensor:
    _check_float(input, "hardtanh")
    d = input._data
    return _apply(input, np.clip(d, min_val, max_val).astype(d.dtype, copy=False), HardtanhBackward0,
                  (min_val, max_val))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Clamp to ``[min_val, max_val]`` (gradient zero outside).

    >>> import ember
    >>> ember.nn.functional.hardtanh(ember.tensor([-3., 0.5]))
    tensor([-1.0000,  0.5000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_or(inplace, input, _hardtanh, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``.

    >>> import ember
    >>> ember.nn.functional.relu6(ember.tensor([-1., 7.]))
    tensor([0., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky_bw(self, g):
    (x,) = self.saved_tensors
    xd = x._data
    return g * _wrap(np.where(xd > 0, 1.0, self.args[0]).astype(xd.dtype))


def _leaky_raw(self, g):
    (x,) = self.saved_arrays()
    return array_module(x).where(x > 0, g, g * self.args[0])


LeakyReluBackward0 = _node("LeakyReluBackward0", _leaky_bw, _leaky_raw)


def _leaky(input: Tensor, negative_slope: float) -> Tensor:
    _check_float(input, "leaky_relu")
    d = input._data
    return _apply(input, np.where(d > 0, d, d * negative_slope), LeakyReluBackward0, (negative_slope,))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x if x > 0 else negative_slope * x``.

    >>> import ember
    >>> ember.nn.functional.leaky_relu(ember.tensor([-1., 2.]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return _inplace_or(inplace, input, _leaky, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place :func:`leaky_relu`."""
    return apply_inplace(input, _leaky, negative_slope)


# ----------------------------------------------------------------------------- exponential family
def _elu_bw(self, g):
    (x,) = self.saved_tensors
    alpha, scale = self.args
    neg = x.exp() * (alpha * scale)
    return g * where(x > 0, _s(x, scale), neg)


def _elu_raw(self, g):
    (x,) = self.saved_arrays()
    alpha, scale = self.args
    xp = array_module(x)
    with np.errstate(over="ignore", invalid="ignore"):
        return xp.where(x > 0, g * scale, g * xp.exp(x) * (alpha * scale))


EluBackward0 = _node("EluBackward0", _elu_bw, _elu_raw)


def _elu_np(d, alpha, scale):
    with np.errstate(over="ignore"):
        neg = np.expm1(keep_on_tie(np.minimum, d, 0))  # ELU(-0.0) is -0.0
    out = np.where(d > 0, d, neg * alpha)
    if scale != 1:
        out = out * scale
    return out.astype(d.dtype, copy=False)


def _elu(input: Tensor, alpha: float, scale: float = 1.0) -> Tensor:
    _check_float(input, "elu")
    return _apply(input, _elu_np(input._data, alpha, scale), EluBackward0, (alpha, scale))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x if x > 0 else alpha * (exp(x) - 1)``.

    >>> import ember
    >>> ember.nn.functional.elu(ember.tensor([0., 1.]))
    tensor([0., 1.])
    """
    return _inplace_or(inplace, input, _elu, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`elu`."""
    return apply_inplace(input, _elu, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants.

    >>> import ember
    >>> ember.nn.functional.selu(ember.tensor([0., 1.]))
    tensor([0.0000, 1.0507])
    """
    return _inplace_or(inplace, input, _elu, _SELU_ALPHA, _SELU_SCALE)


def selu_(input: Tensor) -> Tensor:
    """In-place :func:`selu`."""
    return apply_inplace(input, _elu, _SELU_ALPHA, _SELU_SCALE)


def _celu_bw(self, g):
    (x,) = self.saved_tensors
    alpha = self.args[0]
    inv = 1.0 / float(np.float32(alpha))  # PyTorch's derivative uses 1.0 / alpha.toFloat()
    return g * where(x > 0, _s(x, 1.0), (x * inv).exp() * (inv * alpha))


CeluBackward0 = _node("CeluBackward0", _celu_bw)


def _celu(input: Tensor, alpha: float) -> Tensor:
    _check_float(input, "celu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    d = input._data
    with np.errstate(over="ignore"):
        neg = np.expm1(keep_on_tie(np.minimum, d, 0) / alpha) * alpha
    return _apply(input, np.where(d > 0, d, neg).astype(d.dtype, copy=False), CeluBackward0, (alpha,))


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> import ember
    >>> ember.nn.functional.celu(ember.tensor([0., 1.]))
    tensor([0., 1.])
    """
    return _inplace_or(inplace, input, _celu, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`celu`."""
    return apply_inplace(input, _celu, alpha)


# ----------------------------------------------------------------------------- smooth gates
def _gelu_bw(self, g):
    (x,) = self.saved_tensors
    if self.args[0] == "tanh":
        x2 = x * x
        inner = (x + x2 * x * 0.044715) * _SQRT_2_PI
        t = inner.tanh()
        d_inner = (x2 * (3 * 0.044715) + 1) * _SQRT_2_PI
        return g * ((t + 1) * 0.5 + x * 0.5 * (-(t * t) + 1) * d_inner)
    cdf = ((x * (1 / _SQRT2)).erf() + 1) * 0.5
    pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


def _gelu_raw(self, g):
    (x,) = self.saved_arrays()
    xp = array_module(x)
    if self.args[0] == "tanh":
        x2 = x * x
        t = xp.tanh((x + x2 * x * 0.044715) * _SQRT_2_PI)
        return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * ((x2 * (3 * 0.044715) + 1) * _SQRT_2_PI))
    cdf = self.args[1]  # Phi(x), kept from the forward pass
    return g * (cdf + x * (xp.exp(x * x * -0.5) * _INV_SQRT_2PI))


GeluBackward0 = _node("GeluBackward0", _gelu_bw, _gelu_raw)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (``approximate='tanh'``: the tanh approximation).

    >>> import ember
    >>> ember.nn.functional.gelu(ember.tensor([0., 1.]))
    tensor([0.0000, 0.8413])
    """
    _check_float(input, "GeluKernelImpl")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    d = input._data
    if approximate == "tanh":
        inner = (d + d * d * d * 0.044715) * _SQRT_2_PI
        out = d * 0.5 * (np.tanh(inner) + 1)
    else:
        from ...ops.pointwise import erf

        cdf = (erf(_wrap(d * (1 / _SQRT2)))._data + 1) * 0.5
        out = d * cdf
        return _apply(input, out.astype(d.dtype, copy=False), GeluBackward0, (approximate, cdf.astype(d.dtype)))
    return _apply(input, out.astype(d.dtype, copy=False), GeluBackward0, (approximate,))


def _silu_bw(self, g):
    (x,) = self.saved_tensors
    s = x.sigmoid()
    return g * s * (x * (-s + 1) + 1)


def _silu_raw(self, g):
    (x,) = self.saved_arrays()
    s = _np_sigmoid(x)
    return g * s * (1 + x * (1 - s))


SiluBackward0 = _node("SiluBackward0", _silu_bw, _silu_raw)


def _np_sigmoid(d):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-d))


def _silu(input: Tensor) -> Tensor:
    _check_float(input, "silu")
    d = input._data
    return _apply(input, (d * _np_sigmoid(d)).astype(d.dtype, copy=False), SiluBackward0)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (swish).

    >>> import ember
    >>> ember.nn.functional.silu(ember.tensor([0., 1.]))
    tensor([0.0000, 0.7311])
    """
    return _inplace_or(inplace, input, _silu)


def _np_softplus(d):
    with np.errstate(over="ignore"):
        return np.log1p(np.exp(-np.abs(d))) + np.maximum(d, 0)


def _mish_bw(self, g):
    (x,) = self.saved_tensors
    t = softplus(x).tanh()
    return g * (t + x * x.sigmoid() * (-(t * t) + 1))


MishBackward0 = _node("MishBackward0", _mish_bw)


def _mish(input: Tensor) -> Tensor:
    _check_float(input, "mish")
    d = input._data
    return _apply(input, (d * np.tanh(_np_softplus(d))).astype(d.dtype, copy=False), MishBackward0)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> import ember
    >>> ember.nn.functional.mish(ember.tensor([0., 1.]))
    tensor([0.0000, 0.8651])
    """
    return _inplace_or(inplace, input, _mish)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``.

    >>> import ember
    >>> ember.nn.functional.sigmoid(ember.tensor([0.]))
    tensor([0.5000])
    """
    return _sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

    >>> import ember
    >>> ember.nn.functional.tanh(ember.tensor([0.]))
    tensor([0.])
    """
    return _tanh(input)


def _hsig_bw(self, g):
    (x,) = self.saved_tensors
    return g * ((x > -3) & (x < 3)) * _ONE_SIXTH_F32  # PyTorch's kernel uses the float constant 1.0f / 6.0f


HardsigmoidBackward0 = _node("HardsigmoidBackward0", _hsig_bw, lambda self, g: _where0(
    (self.saved_arrays()[0] > -3) & (self.saved_arrays()[0] < 3), g * _ONE_SIXTH_F32))


def _hardsigmoid(input: Tensor) -> Tensor:
    _check_float(input, "hardsigmoid")
    d = input._data
    return _apply(input, (np.clip(d + 3, 0, 6) / 6).astype(d.dtype, copy=False), HardsigmoidBackward0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``.

    >>> import ember
    >>> ember.nn.functional.hardsigmoid(ember.tensor([0., 4.]))
    tensor([0.5000, 1.0000])
    """
    return _inplace_or(inplace, input, _hardsigmoid)


def _hswish_bw(self, g):
    (x,) = self.saved_tensors
    mid = x * (1 / 3) + 0.5
    return where(x <= -3, _s(x, 0.0), g * where(x < 3, mid, _s(x, 1.0)))  # PyTorch's boundaries and +0.0


HardswishBackward0 = _node("HardswishBackward0", _hswish_bw)


def _hardswish(input: Tensor) -> Tensor:
    _check_float(input, "hardswish")
    d = input._data
    return _apply(input, (d * np.clip(d + 3, 0, 6) / 6).astype(d.dtype, copy=False), HardswishBackward0)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``.

    >>> import ember
    >>> ember.nn.functional.hardswish(ember.tensor([0., 4.]))
    tensor([0., 4.])
    """
    return _inplace_or(inplace, input, _hardswish)


def _softplus_bw(self, g):
    (x,) = self.saved_tensors
    beta, thr = self.args
    bx = x * beta
    return g * where(bx > thr, _s(x, 1.0), bx.sigmoid())


def _softplus_raw(self, g):
    (x,) = self.saved_arrays()
    beta, thr = self.args
    bx = x * beta
    return array_module(x).where(bx > thr, g, g * _np_sigmoid(bx))


SoftplusBackward0 = _node("SoftplusBackward0", _softplus_bw, _softplus_raw)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``.

    >>> import ember
    >>> ember.nn.functional.softplus(ember.tensor([0.]))
    tensor([0.6931])
    """
    _check_float(input, "softplus")
    d = input._data
    bx = d * beta
    out = np.where(bx > threshold, d, _np_softplus(bx) / beta)
    return _apply(input, out.astype(d.dtype, copy=False), SoftplusBackward0, (beta, threshold))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    >>> import ember
    >>> ember.nn.functional.softsign(ember.tensor([1.]))
    tensor([0.5000])
    """
    return input / (input.abs() + 1)


def _shrink_bw(self, g):
    (x,) = self.saved_tensors
    return g * (x.abs() > self.args[0])


def _shrink_raw(self, g):
    (x,) = self.saved_arrays()
    return _where0(array_module(x).abs(x) > self.args[0], g)


SoftshrinkBackward0 = _node("SoftshrinkBackward0", _shrink_bw, _shrink_raw)
HardshrinkBackward0 = _node("HardshrinkBackward0", _shrink_bw, _shrink_raw)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    >>> import ember
    >>> ember.nn.functional.softshrink(ember.tensor([1., 0.2]))
    tensor([0.5000, 0.0000])
    """
    _check_float(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    d = input._data
    out = np.where(d > lambd, d - lambd, np.where(d < -lambd, d + lambd, 0))
    return _apply(input, out.astype(d.dtype, copy=False), SoftshrinkBackward0, (lambd,))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    >>> import ember
    >>> ember.nn.functional.hardshrink(ember.tensor([1., 0.2]))
    tensor([1., 0.])
    """
    _check_float(input, "hardshrink")
    d = input._data
    out = np.where((d > lambd) | (d < -lambd), d, 0)
    return _apply(input, out.astype(d.dtype, copy=False), HardshrinkBackward0, (lambd,))


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    >>> import ember
    >>> ember.nn.functional.tanhshrink(ember.tensor([0.]))
    tensor([0.])
    """
    return input - input.tanh()


def _logsig_bw(self, g):
    (x,) = self.saved_tensors
    return g * (-x).sigmoid()


LogSigmoidBackward0 = _node("LogSigmoidBackward0", _logsig_bw,
                            lambda self, g: g * _np_sigmoid(-self.saved_arrays()[0]))


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, computed stably.

    >>> import ember
    >>> ember.nn.functional.logsigmoid(ember.tensor([0.]))
    tensor([-0.6931])
    """
    _check_float(input, "log_sigmoid_forward")
    d = input._data
    return _apply(input, (-_np_softplus(-d)).astype(d.dtype, copy=False), LogSigmoidBackward0)


# ----------------------------------------------------------------------------- parametric / random
class PreluKernelBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, g):
        x, w = self.saved_tensors
        wb = w.reshape(self.shape)
        pos = x > 0
        gx = g * where(pos, _s(wb, 1.0), wb) if self.next_edges[0] is not None else None
        gw = None
        if self.next_edges[1] is not None:
            full = g * where(pos, _s(x, 0.0), x)
            dims = tuple(i for i in range(full.ndim) if self.shape[i] == 1 and full.shape[i] != 1)
            gw = (full.sum(dims, keepdim=True) if dims else full).reshape(w.shape)
        return gx, gw


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x if x > 0 else weight * x`` with one learnable slope per channel (dim 1) or a single one.

    >>> import ember
    >>> ember.nn.functional.prelu(ember.tensor([-1., 2.]), ember.tensor([0.25]))
    tensor([-0.2500,  2.0000])
    """
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    nd = input.ndim
    nw = weight.numel()
    if nw != 1:
        if nd == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if nd >= 2 else 1
        if channels != nw:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{nw} and channel size = {channels}.")
        shape = tuple(nw if i == 1 else 1 for i in range(nd))
    else:
        shape = (1,) * nd
    d = input._data
    wd = weight._data.reshape(shape)
    res = _wrap(np.where(d > 0, d, d * wd).astype(d.dtype, copy=False))
    if state.enabled and (input._rg or weight._rg):
        n = PreluKernelBackward0()
        n.shape = shape
        n.save(input, weight)
        link(n, res, (input, weight))
    return res


register(hardshrink=hardshrink, prelu=prelu)  # PyTorch's Tensor.hardshrink / Tensor.prelu


class RreluWithNoiseBackward0(Node):
    __slots__ = ("noise", "slope")

    def backward(self, g):
        (x,) = self.saved_tensors
        if self.noise is not None:
            return g * self.noise
        xd = x._data
        return g * _wrap(np.where(xd > 0, 1.0, self.slope).astype(xd.dtype))


def _rrelu(input: Tensor, lower: float, upper: float, training: bool) -> Tensor:
    _check_float(input, "rrelu_with_noise")
    d = input._data
    n = RreluWithNoiseBackward0()
    n.noise = None
    if training:
        from ..._random import _gen

        host = input._np()
        neg = host <= 0
        k = int(neg.sum())
        noise = np.ones(host.shape, dtype=host.dtype)
        if k:  # one double-precision uniform draw per non-positive element, in memory order (PyTorch's kernel)
            noise[neg] = _gen(None)._impl.uniform((k,), np.dtype(np.float64), float(lower), float(upper))
        if type(d) is not np.ndarray:
            from ..._device import array_module

            noise = array_module(d).asarray(noise)
        out = d * noise
        n.noise = _wrap(noise)
    else:
        n.slope = (lower + upper) / 2
        out = np.where(d > 0, d, d * n.slope)
    res = _wrap(out.astype(d.dtype, copy=False))
    if state.enabled and input._rg:
        n.save(input)
        link(n, res, (input,))
    return res


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomised leaky ReLU: random slopes in [lower, upper] when training, their mean otherwise.

    >>> import ember
    >>> ember.nn.functional.rrelu(ember.tensor([-1., 2.]), 0.2, 0.4)
    tensor([-0.3000,  2.0000])
    """
    return _inplace_or(inplace, input, _rrelu, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    """In-place :func:`rrelu`."""
    return apply_inplace(input, _rrelu, lower, upper, training)


class GluBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        (x,) = self.saved_tensors
        a, b = x.chunk(2, self.dim)
        s = b.sigmoid()
        from ...ops.shape import cat

        return cat([g * s, g * a * s * (-s + 1)], self.dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)`` where ``a, b`` are the halves of ``input`` along ``dim``.

    >>> import ember
    >>> ember.nn.functional.glu(ember.tensor([1., 0.]))
    tensor([0.5000])
    """
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    n = d.shape[ax]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {ax} is size {n}")
    a, b = np.split(d, 2, axis=ax)
    res = _wrap((a * _np_sigmoid(b)).astype(d.dtype, copy=False))
    if state.enabled and input._rg:
        node = GluBackward0()
        node.dim = ax
        node.save(input)
        link(node, res, (input,))
    return res


from .softmax import (  # noqa: F401
    _get_softmax_dim,
    _log_softmax,
    _softmax,
    _t_log_softmax,
    _t_softmax,
    gumbel_softmax,
    log_softmax,
    softmax,
    softmin,
)
