"""nn.functional softmax family: fused, max-shifted softmax / log_softmax nodes, softmin, gumbel_softmax."""
from __future__ import annotations

import builtins

import warnings

import numpy as np

from ..._rowsum import rowdot, rowmax, rowsum
from ..._tensor import Tensor, _wrap, _wrap_dim
from ...autograd.grad_mode import state
from ...autograd.graph import Node, SavedOutput, link
from ...ops._util import array_module, register

__all__ = ["gumbel_softmax", "log_softmax", "softmax", "softmin"]


def _title(t: Tensor) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t.dtype.name, t.dtype.name)


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


class SoftmaxBackward0(Node):
    __slots__ = ("dim",)

    def raw(self, g):
        (y,) = self.saved_arrays()
        if self.dim == y.ndim - 1 and y.ndim and g.shape == y.shape:
            gy = g - rowdot(g, y)  # PyTorch's (g - sum(g y)) y over the last axis
            gy *= y
            return gy
        gy = g * y
        gy -= y * gy.sum(axis=self.dim, keepdims=True)
        return gy

    def backward(self, g):
        (y,) = self.saved_tensors
        d = self.dim
        gy = g * y
        return gy - y * gy.sum(d, keepdim=True)


class LogSoftmaxBackward0(Node):
    __slots__ = ("dim",)

    def raw(self, g):
        (y,) = self.saved_arrays()
        return g - array_module(y).exp(y) * g.sum(axis=self.dim, keepdims=True)

    def backward(self, g):
        (y,) = self.saved_tensors
        d = self.dim
        return g - y.exp() * g.sum(d, keepdim=True)


def _prep_softmax(input: Tensor, dim, dtype, name: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if dtype is not None and dtype is not input.dtype:
        input = input.to(dtype)
    ax = _wrap_dim(dim, input._data.ndim)
    if not input.is_floating_point() and input._data.dtype.kind != "c":  # PyTorch's kernel name for the dim
        kernel = "lastdim_kernel_impl" if ax == builtins.max(input._data.ndim - 1, 0) else "kernel_impl"
        raise NotImplementedError(f"\"{name}_{kernel}\" not implemented for '{_title(input)}'")
    return input, ax


def _softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    input, ax = _prep_softmax(input, dim, dtype, "softmax")
    d = input._data
    if d.ndim == 0:
        out = np.ones_like(d)
    elif d.size == 0:
        out = d.copy()
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            e = d - (rowmax(d) if ax == d.ndim - 1 else d.max(axis=ax, keepdims=True))
            np.exp(e, out=e)
            e /= rowsum(e) if ax == d.ndim - 1 else e.sum(axis=ax, keepdims=True)
        out = e
    res = _wrap(out)
    if state.enabled and input._rg:
        n = SoftmaxBackward0()
        n.dim = ax if d.ndim else None
        n.save(SavedOutput(res))
        link(n, res, (input,))
    return res


def _log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    input, ax = _prep_softmax(input, dim, dtype, "log_softmax")
    d = input._data
    if d.ndim == 0:
        out = np.zeros_like(d)
    elif d.size == 0:
        out = d.copy()
    else:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            sh = d - (rowmax(d) if ax == d.ndim - 1 else d.max(axis=ax, keepdims=True))
            e = np.exp(sh)
            out = sh - np.log(rowsum(e) if ax == d.ndim - 1 else e.sum(axis=ax, keepdims=True))
    res = _wrap(out)
    if state.enabled and input._rg:
        n = LogSoftmaxBackward0()
        n.dim = ax if d.ndim else None
        n.save(SavedOutput(res))
        link(n, res, (input,))
    return res


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (computed stably; ``dtype`` casts the input first).

    >>> import ember
    >>> ember.nn.functional.softmax(ember.tensor([[1., 2., 3.], [2., 4., 6.]]), dim=1)
    tensor([[0.0900, 0.2447, 0.6652],
            [0.0159, 0.1173, 0.8668]])
    """
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed stably.

    >>> import ember
    >>> ember.nn.functional.log_softmax(ember.tensor([0., 0.]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _log_softmax(input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``.

    >>> import ember
    >>> ember.nn.functional.softmin(ember.tensor([0., 0.]), dim=0)
    tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """Samples from the Gumbel-softmax distribution (``hard``: one-hot with straight-through gradients).

    >>> import ember
    >>> y = ember.nn.functional.gumbel_softmax(ember.zeros(2, 3), hard=True)
    >>> bool(((y.sum(-1) - 1).abs() < 1e-6).all()), y.shape
    (True, torch.Size([2, 3]))
    """
    from ...ops.creation import empty_like, zeros_like

    gumbels = -empty_like(logits).exponential_().log()
    y_soft = _softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def _t_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """Softmax along ``dim`` (``ember.softmax`` / ``Tensor.softmax``).

    >>> import ember
    >>> ember.softmax(ember.tensor([0., 0.]), dim=0)
    tensor([0.5000, 0.5000])
    """
    return _softmax(input, dim, dtype)


def _t_log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """Log-softmax along ``dim`` (``ember.log_softmax`` / ``Tensor.log_softmax``).

    >>> import ember
    >>> ember.log_softmax(ember.tensor([0., 0.]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    return _log_softmax(input, dim, dtype)


_t_softmax.__name__ = _t_softmax.__qualname__ = "softmax"
_t_log_softmax.__name__ = _t_log_softmax.__qualname__ = "log_softmax"


register(softmax=_t_softmax, log_softmax=_t_log_softmax)
