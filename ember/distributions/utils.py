"""Helpers shared by the distributions (``torch.distributions.utils``): broadcasting parameters, converting between
probabilities and logits, and ``lazy_property`` (a parameter computed from the other one on first use).

>>> import ember
>>> from ember.distributions.utils import probs_to_logits, logits_to_probs
>>> logits_to_probs(probs_to_logits(ember.tensor([0.25, 0.5]), is_binary=True), is_binary=True)
tensor([0.2500, 0.5000])
"""
from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from .. import Tensor, broadcast_tensors, empty, enable_grad, finfo, get_default_dtype, log, log1p, sigmoid, tensor
from ..nn import functional as F

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]

euler_constant = 0.57721566490153286060  # the Euler-Mascheroni constant

_NUMBER = (int, float, bool)


def broadcast_all(*values) -> tuple:
    """Broadcast tensors and numbers together. Numbers become tensors of the first tensor's dtype and device (the
    default dtype when there is no tensor), then everything is broadcast as ``ember.broadcast_tensors`` does.

    >>> import ember
    >>> from ember.distributions.utils import broadcast_all
    >>> loc, scale = broadcast_all(ember.tensor([0.0, 1.0]), 2.0)
    >>> scale
    tensor([2., 2.])
    """
    if not all(isinstance(v, (Tensor,) + _NUMBER) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        options: dict[str, Any] = {"dtype": get_default_dtype()}
        for v in values:
            if isinstance(v, Tensor):
                options = {"dtype": v.dtype, "device": v.device}
                break
        values = tuple(v if isinstance(v, Tensor) else tensor(v, **options) for v in values)
    return broadcast_tensors(*values)


def _standard_normal(shape, dtype, device) -> Tensor:
    """Standard normal draws of ``shape``, filled as PyTorch's distributions do (``empty(...).normal_()``)."""
    return empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum the ``dim`` rightmost dimensions of ``value`` away."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: ``sigmoid`` of log-odds when ``is_binary``, otherwise ``softmax`` over the last
    dimension of (possibly unnormalised) log-probabilities.

    >>> import ember
    >>> from ember.distributions.utils import logits_to_probs
    >>> logits_to_probs(ember.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    >>> logits_to_probs(ember.tensor([0.0]), is_binary=True)
    tensor([0.5000])
    """
    if is_binary:
        return sigmoid(logits)
    return F.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Clamp probabilities into ``[eps, 1 - eps]``, ``eps`` being the machine epsilon of their dtype.

    >>> import ember
    >>> from ember.distributions.utils import clamp_probs
    >>> clamp_probs(ember.tensor([0.0, 0.5, 1.0]))
    tensor([1.1921e-07, 5.0000e-01, 1.0000e+00])
    """
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from (clamped) probabilities: log-odds when ``is_binary``, otherwise log-probabilities.

    >>> import ember
    >>> from ember.distributions.utils import probs_to_logits
    >>> probs_to_logits(ember.tensor([0.5]), is_binary=True)
    tensor([0.])
    >>> probs_to_logits(ember.tensor([0.5, 0.5]))
    tensor([-0.6931, -0.6931])
    """
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return log(ps_clamped) - log1p(-ps_clamped)
    return log(ps_clamped)


class lazy_property:  # noqa: N801 - PyTorch's name
    """A decorator for a value computed from the instance on first read (with gradients enabled), then stored on
    the instance under the same name, so later reads are plain attribute reads.

    >>> from ember.distributions.utils import lazy_property
    >>> class Box:
    ...     calls = 0
    ...     @lazy_property
    ...     def area(self):
    ...         Box.calls += 1
    ...         return 6
    >>> b = Box()
    >>> b.area, b.area, Box.calls
    (6, 6, 1)
    """

    def __init__(self, wrapped: Callable) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):  # noqa: N801
    """What a class hands out for a lazy property: a ``lazy_property`` (so argument validation can skip it) that
    is also a ``property`` (so documentation tools see one)."""

    def __init__(self, wrapped: Callable) -> None:
        property.__init__(self, wrapped)
