"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_."""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad
from ...ops._util import array_module

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]


def _as_list(tensors) -> list:
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _norm(a, p: float):
    xp = array_module(a)
    if a.size == 0:
        return xp.zeros((), dtype=a.dtype)
    if p == math.inf:
        return xp.abs(a).max()
    if p == -math.inf:
        return xp.abs(a).min()
    if p == 0:
        return xp.asarray((a != 0).sum(), dtype=a.dtype)
    if p == 1:
        return xp.abs(a).sum()
    if p == 2:
        v = a.ravel()
        return xp.sqrt(xp.dot(v, v)) if a.dtype.kind == "f" else xp.sqrt((xp.abs(a) ** 2).sum())
    return (xp.abs(a) ** p).sum() ** (1.0 / p)


def get_total_norm(tensors: Iterable[Tensor] | Tensor, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of the norms of ``tensors`` (as if they were concatenated into one vector).

    >>> import ember
    >>> ember.nn.utils.get_total_norm([ember.tensor([3.]), ember.tensor([4.])])
    tensor(5.)
    """
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _wrap(np.asarray(0.0, dtype=np.float32))
    norms = [_norm(t._data, norm_type) for t in tensors]
    first = norms[0]
    xp = array_module(first)
    stacked = xp.stack([xp.asarray(n, dtype=first.dtype) for n in norms])
    total = xp.asarray(_norm(stacked, norm_type), dtype=first.dtype)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it "
                           "cannot be clipped. To disable this error and scale the gradients by the non-finite norm "
                           "anyway, set `error_if_nonfinite=False`")
    return _wrap(total)


def clip_grads_with_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale the gradients of ``parameters`` by ``min(1, max_norm / (total_norm + 1e-6))``, in place.

    >>> import ember
    >>> p = ember.nn.Parameter(ember.ones(2)); p.grad = ember.tensor([3., 4.])
    >>> ember.nn.utils.clip_grads_with_norm_([p], 1.0, ember.tensor(5.)); p.grad
    tensor([0.6000, 0.8000])
    """
    grads = [p._grad for p in _as_list(parameters) if p._grad is not None]
    if not grads:
        return
    tn = total_norm._data
    coef = float(max_norm) / (tn + 1e-6)
    coef = coef if coef < 1.0 else coef * 0 + 1.0
    with no_grad():
        for g in grads:
            gd = g._data
            gd *= array_module(gd).asarray(coef).astype(gd.dtype)
            g._bump()


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale gradients so their total ``norm_type``-norm is at most ``max_norm``; returns the total norm.

    >>> import ember
    >>> p = ember.nn.Parameter(ember.ones(2)); p.grad = ember.tensor([3., 4.])
    >>> ember.nn.utils.clip_grad_norm_(p, max_norm=1.0)
    tensor(5.)
    >>> p.grad
    tensor([0.6000, 0.8000])
    """
    params = _as_list(parameters)
    grads = [p._grad for p in params if p._grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element to ``[-clip_value, clip_value]``, in place.

    >>> import ember
    >>> p = ember.nn.Parameter(ember.ones(2)); p.grad = ember.tensor([-3., 0.5])
    >>> ember.nn.utils.clip_grad_value_(p, 1.0); p.grad
    tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        g = p._grad
        if g is not None:
            gd = g._data
            array_module(gd).clip(gd, -clip_value, clip_value, out=gd)
            g._bump()
