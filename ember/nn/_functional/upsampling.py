"""nn.functional resampling: interpolate/upsample (nearest, linear family, bicubic, area), pixel and channel shuffle."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._device import array_module
from ..._tensor import Tensor, _wrap

__all__ = [
    "channel_shuffle",
    "interpolate",
    "native_channel_shuffle",
    "pixel_shuffle",
    "pixel_unshuffle",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def _take(x: Tensor, dim: int, idx: np.ndarray) -> Tensor:
    return x.index_select(dim, _wrap(array_module(x._data).asarray(idx.astype(np.int64))))


def _coef(x: Tensor, lam: np.ndarray, dim: int) -> Tensor:
    """A weight vector along ``dim`` as a broadcastable constant tensor of x's dtype."""
    shape = [1] * x.ndim
    shape[dim] = lam.shape[0]
    return _wrap(array_module(x._data).asarray(lam.reshape(shape)))


def _scale(n_in: int, n_out: int, align_corners: bool, scale, dt):
    if align_corners:
        return dt(n_in - 1) / dt(n_out - 1) if n_out > 1 else dt(0)
    return dt(1.0 / scale) if scale is not None and scale > 0 else dt(n_in) / dt(n_out)


def _nearest(x, outs, scales, exact):
    nd = len(outs)
    for i, (o, s) in enumerate(zip(outs, scales)):
        dim = x.ndim - nd + i
        n = x.shape[dim]
        if o == n and not exact:
            continue
        sc = np.float32(1.0 / s) if s is not None and s > 0 else np.float32(n) / np.float32(o)
        j = np.arange(o, dtype=np.float32)
        src = np.floor((j + np.float32(0.5)) * sc) if exact else np.floor(j * sc)
        if not exact and o == 2 * n:
            src = np.arange(o) >> 1
        x = _take(x, dim, np.minimum(src.astype(np.int64), n - 1))
    return x


def _linear(x, outs, scales, align_corners):
    nd = len(outs)
    dt = x._data.dtype.type
    for i, (o, s) in enumerate(zip(outs, scales)):
        dim = x.ndim - nd + i
        n = x.shape[dim]
        sc = _scale(n, o, align_corners, s, dt)
        j = np.arange(o).astype(dt)
        src = sc * j if align_corners else np.maximum(sc * (j + dt(0.5)) - dt(0.5), dt(0))
        i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
        lam = np.clip(src - i0, 0, 1).astype(dt)
        i1 = np.minimum(i0 + 1, n - 1)
        x = _take(x, dim, i0) * _coef(x, dt(1) - lam, dim) + _take(x, dim, i1) * _coef(x, lam, dim)
    return x


def _cubic_weights(t, a=-0.75):
    def near(v):  # |v| <= 1
        return ((a + 2) * v - (a + 3)) * v * v + 1

    def far(v):  # 1 < |v| < 2
        return ((a * v - 5 * a) * v + 8 * a) * v - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _bicubic(x, outs, scales, align_corners):
    nd = len(outs)
    dt = x._data.dtype.type
    for i, (o, s) in enumerate(zip(outs, scales)):
        dim = x.ndim - nd + i
        n = x.shape[dim]
        sc = _scale(n, o, align_corners, s, dt)
        j = np.arange(o).astype(dt)
        src = sc * j if align_corners else sc * (j + dt(0.5)) - dt(0.5)
        i0 = np.floor(src).astype(np.int64)
        t = (src - i0).astype(dt)
        acc = None
        for tap, w in zip(range(-1, 3), _cubic_weights(t)):
            term = _take(x, dim, np.clip(i0 + tap, 0, n - 1)) * _coef(x, w.astype(dt), dim)
            acc = term if acc is None else acc + term
        x = acc
    return x


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of ``(N, C, *S)`` input to ``size`` or by ``scale_factor``.

    >>> import ember
    >>> ember.nn.functional.interpolate(ember.tensor([[[1., 2.]]]), scale_factor=2, mode="nearest")
    tensor([[[1., 1., 2., 2.]]])
    >>> ember.nn.functional.interpolate(ember.tensor([[[1., 2.]]]), size=3, mode="linear", align_corners=True)
    tensor([[[1.0000, 1.5000, 2.0000]]])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    if mode not in _MODES or dim not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    if antialias:
        raise RuntimeError("interpolate(): antialias=True is not supported by Ember; resize without antialias")
    sp = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {sp} and output size of {size}. Please provide input "
                                 f"tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            outs = [int(s) for s in size]
        else:
            outs = [int(size)] * dim
        scales = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {sp} and scale_factor of shape {scale_factor}. "
                                 f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                                 f"(s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        outs = [math.floor(float(n) * s) for n, s in zip(sp, scales)]
        if recompute_scale_factor:
            scales = [None] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if any(o <= 0 for o in outs) or any(n <= 0 for n in sp):
        names = ("D", "H", "W")[3 - dim:]
        ins = ", ".join(f"{nm}: {n}" for nm, n in zip(names, sp))
        ots = ", ".join(f"{nm}: {o}" for nm, o in zip(names, outs))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}) output ({ots})")
    if mode in _LINEAR and mode != "bicubic" and _LINEAR[mode] != dim:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input")
    if mode == "bicubic" and dim != 2:
        raise NotImplementedError(f"Got {input.ndim}D input, but bicubic mode needs 4D input")
    if mode in ("nearest", "nearest-exact"):
        return _nearest(input, outs, scales, mode == "nearest-exact")
    if mode == "area":
        from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d  # noqa: PLC0415

        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, outs)
    if mode == "bicubic":
        return _bicubic(input, outs, scales, align_corners)
    return _linear(input, outs, scales, align_corners)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None) -> Tensor:
    """Deprecated alias of :func:`interpolate`."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange ``(*, C * r^2, H, W)`` into ``(*, C, H * r, W * r)``.

    >>> import ember
    >>> ember.nn.functional.pixel_shuffle(ember.arange(4.).view(1, 4, 1, 1), 2)
    tensor([[[[0., 1.],
              [2., 3.]]]])
    """
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    nl = len(lead)
    x = input.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    x = x.permute(tuple(range(nl)) + (nl, nl + 3, nl + 1, nl + 4, nl + 2))
    return x.reshape(tuple(lead) + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange ``(*, C, H * r, W * r)`` into ``(*, C * r^2, H, W)`` (inverse of pixel_shuffle).

    >>> import ember
    >>> ember.nn.functional.pixel_unshuffle(ember.arange(4.).view(1, 1, 2, 2), 2).flatten()
    tensor([0., 1., 2., 3.])
    """
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{w} is not divisible by {r}")
    nl = len(lead)
    x = input.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    x = x.permute(tuple(range(nl)) + (nl, nl + 2, nl + 4, nl + 1, nl + 3))
    return x.reshape(tuple(lead) + (c * r * r, h // r, w // r))


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave channels of ``(N, C, *)`` input across ``groups`` (ShuffleNet).

    >>> import ember
    >>> ember.nn.functional.channel_shuffle(ember.arange(4.).view(1, 4, 1), 2).flatten()
    tensor([0., 2., 1., 3.])
    """
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, c = input.shape[:2]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    x = input.reshape((n, groups, c // groups) + rest).transpose(1, 2)
    return x.reshape((n, c) + rest)


native_channel_shuffle = channel_shuffle
