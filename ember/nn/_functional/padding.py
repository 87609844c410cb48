"""nn.functional.pad: constant, reflect, replicate and circular padding of the trailing dims."""
from __future__ import annotations

import numpy as np

from ..._device import array_module
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import state
from ...autograd.graph import Node, link
from .conv import _pad_arr, _shape_str

__all__ = ["pad"]

_COMBOS = ("Supported combinations for non-constant padding:\n"
           "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
           "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
           "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


class ConstantPadNdBackward0(Node):
    __slots__ = ("pads",)

    def backward(self, g):
        return _constant_pad(g, [(-lo, -hi) for lo, hi in self.pads], 0.0)


def _constant_pad(x: Tensor, pads, value) -> Tensor:
    d = x._data
    r = _pad_arr(d, pads, value)
    if r is d or r.base is not None:  # a crop (negative padding) is a view: copy it
        r = r.copy()
    res = _wrap(r)
    if x._rg and state.enabled:
        n = ConstantPadNdBackward0()
        n.pads = pads
        link(n, res, (x,))
    return res


def _index(mode: str, n: int, lo: int, hi: int):
    """Source index, along one dim of size ``n``, of every padded position ``-lo .. n + hi - 1``."""
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        i = np.abs(i)
        i = np.where(i >= n, 2 * (n - 1) - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, n - 1)
    else:  # circular
        i = np.mod(i, n)
    return i


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left_last, right_last, left_2nd_last, ...)``.

    >>> import ember
    >>> ember.nn.functional.pad(ember.tensor([[1., 2.]]), (1, 2), value=9.)
    tensor([[9., 1., 2., 9., 9.]])
    >>> ember.nn.functional.pad(ember.tensor([[1., 2., 3.]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    nd = input.ndim
    if k > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {nd}")
    # pairs for the trailing k dims, in dim order
    pairs = [(pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1]) for i in range(k)]
    if mode == "constant":
        for (lo, hi), s in zip(pairs, input.shape[nd - k:]):
            if s + lo + hi < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return _constant_pad(input, pairs, 0.0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if not (k in (1, 2, 3) and nd in (k + 1, k + 2)):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n{_COMBOS}")
    out = input
    for i, ((lo, hi), s) in enumerate(zip(pairs, input.shape[nd - k:])):
        if lo == 0 and hi == 0:
            continue
        dim = nd - k + i
        if mode == "reflect" and (lo >= s or hi >= s):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, but "
                               f"got: padding ({lo}, {hi}) at dimension {dim} of input {_shape_str(input.shape)}")
        if mode == "circular" and (lo > s or hi > s):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if s + lo + hi < 0:
            raise RuntimeError(f"input tensor size at dimension {dim} with padding ({lo}, {hi}) gives a negative size")
        idx = _wrap(array_module(input._data).asarray(_index(mode, s, lo, hi)))
        out = out.index_select(dim, idx)
    return out if out is not input else input.clone()
