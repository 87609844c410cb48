"""nn.functional, dropout family: dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout (PyTorch's masks)."""
from __future__ import annotations

import math
import warnings

from ..._tensor import Tensor, _wrap

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]

_ALPHA = 1.7580993408473766  # SELU's -scale * alpha


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(input: Tensor, p: float, feature: bool) -> Tensor:
    """``bernoulli_(1 - p)`` on a tensor of the input's shape (or ``(N, C, 1, ...)`` for feature dropout)."""
    shape = tuple(input.shape)
    if feature:
        t = input.new_empty(shape[:2] + (1,) * (len(shape) - 2))
    else:  # PyTorch's noise keeps the input's memory layout, so a transposed input gets its mask in that order
        from ...ops.random_ops import _empty_like_kept

        t = _empty_like_kept(input)
    t.bernoulli_(1 - p)
    return t


def _dropout_impl(input: Tensor, p: float, train: bool, inplace: bool, feature: bool, alpha: bool) -> Tensor:
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        z = input.new_zeros(())
        return input.mul_(z) if inplace else input * z
    noise = _noise(input, p, feature)
    nd = noise._data
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = _wrap(((nd - 1) * (_ALPHA * a) + _ALPHA * a * p).astype(nd.dtype, copy=False))
        noise = _wrap((nd * a).astype(nd.dtype, copy=False))
        return input.mul_(noise).add_(b) if inplace else input * noise + b
    if nd.dtype.kind == "f":  # the mask is ours: scale it in place, in its own dtype (as PyTorch's div_)
        nd /= nd.dtype.type(1 - p)
    else:
        noise = _wrap((nd / (1 - p)).astype(nd.dtype, copy=False))
    return input.mul_(noise) if inplace else input * noise


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` (training only).

    >>> import ember
    >>> ember.nn.functional.dropout(ember.ones(3), 0.5, training=False)
    tensor([1., 1., 1.])
    """
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, False)


def _feature(input: Tensor, p: float, training: bool, inplace: bool, unbatched: bool, alpha: bool = False) -> Tensor:
    if unbatched:
        input = input.unsqueeze(0)
    r = _dropout_impl(input, p, training, inplace, True, alpha)
    return r.squeeze(0) if unbatched else r


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` input with probability ``p``.

    >>> import ember
    >>> ember.nn.functional.dropout1d(ember.ones(2, 3), 0.5, training=False).shape
    torch.Size([2, 3])
    """
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           f"dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           f"channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature(input, p, training, inplace, input.ndim == 2)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, H, W)`` input with probability ``p``.

    >>> import ember
    >>> ember.nn.functional.dropout2d(ember.ones(1, 2, 2, 2), 0.5, training=False).shape
    torch.Size([1, 2, 2, 2])
    """
    _check_p(p)
    nd = input.ndim
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result in an "
                      f"error in a future release. To retain the behavior and silence this warning, please use "
                      f"dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      f"spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      f"inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _feature(input, p, training, inplace, False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input with probability ``p``.

    >>> import ember
    >>> ember.nn.functional.dropout3d(ember.ones(1, 2, 1, 1, 1), 0.5, training=False).flatten()
    tensor([1., 1.])
    """
    _check_p(p)
    nd = input.ndim
    if nd not in (4, 5):
        warnings.warn(f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will result in an "
                      f"error in a future release. To retain the behavior and silence this warning, please use "
                      f"dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      f"spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      f"inputs).", stacklevel=2)
    return _feature(input, p, training, inplace, nd == 4)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's self-normalizing mean and variance.

    >>> import ember
    >>> ember.nn.functional.alpha_dropout(ember.ones(2), 0.5)
    tensor([1., 1.])
    """
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels.

    >>> import ember
    >>> ember.nn.functional.feature_alpha_dropout(ember.ones(1, 2, 2), 0.5).shape
    torch.Size([1, 2, 2])
    """
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, True, True)
