"""Splitting a tensor into views: split, tensor_split, hsplit / vsplit / dsplit, chunk, unbind."""
from __future__ import annotations

import builtins

import numpy as np

from .._device import array_module
from ..autograd.graph import Node, link_multi
from ._util import Tensor, _wrap_dim, empty_in_order, memory_order, register, state
from .creation import zeros
from .inplace import _address
from .shape import SliceBackward0, _slice_view, _view_result, cat, stack


class _ViewsBackward(Node):
    """One node for all the views of a split, chunk or unbind (PyTorch's multi-output SplitBackward0,
    SplitWithSizesBackward0, UnbindBackward0): its backward writes every view's gradient into one buffer of the
    input's shape, zero-filled only when a view got no gradient. A node per view (each gradient scattered into a
    fresh zeros array of the input's shape, then added up by the engine) cost ~3x as much: unbinding (3, 64, 16,
    128) float32 and the backward of all three views, 761 against 263 us (PyTorch: 173 us).

    The buffer is laid out in memory like the input (``order``: its axes outermost first, None when row-major), so
    that the gradient reaching a permuted view of a contiguous array is contiguous again: multi-head attention's
    packed projection gets its gradient as a free reshape instead of a copy. When the input is such a view
    (``alias``: the array's shape and dtype, the view's offset and strides in it) and every gradient arrives as a
    view of one new array of that shape, at exactly its own view's place (attention's backward allocates them
    so), that array is the buffer already: nothing is copied.
    """

    __slots__ = ("alias", "dim", "indices", "num_outputs", "order", "shape", "sizes")
    raw_accepts_none = True

    def raw(self, *grads):
        g0 = next(g for g in grads if g is not None)
        if self.alias is not None:
            whole = _filled_alias(self, grads)
            if whole is not None:
                return whole
        xp = array_module(g0)
        out = empty_in_order(self.shape, self.order, g0.dtype, xp.zeros if any(g is None for g in grads) else xp.empty)
        for ix, g in zip(self.indices, grads):
            if g is not None:
                out[ix] = g
        return out

    def backward(self, *grads):
        g0 = next(g for g in grads if g is not None)
        d = self.dim
        if self.sizes is None:  # unbind: the views dropped dim d
            part = self.shape[:d] + self.shape[d + 1:]
            return stack([zeros(part, dtype=g0.dtype) if g is None else g for g in grads], d)
        return cat([zeros(self.shape[:d] + (n,) + self.shape[d + 1:], dtype=g0.dtype) if g is None else g
                    for g, n in zip(grads, self.sizes)], d)


SplitBackward0 = type("SplitBackward0", (_ViewsBackward,), {"__slots__": ()})
SplitWithSizesBackward0 = type("SplitWithSizesBackward0", (_ViewsBackward,), {"__slots__": ()})
UnbindBackward0 = type("UnbindBackward0", (_ViewsBackward,), {"__slots__": ()})


def _filled_alias(node, grads):
    """The input-shaped view of the array all ``grads`` are views of, if each sits where its view of the input
    sits (see ``_ViewsBackward``); else None."""
    shape, dtype, offset, strides = node.alias
    b = grads[0].base if grads[0] is not None else None
    if b is None or type(b) is not np.ndarray or b.shape != shape or b.dtype != dtype or not b.flags.c_contiguous:
        return None
    whole = np.ndarray(node.shape, b.dtype, b, offset, strides)
    for ix, g in zip(node.indices, grads):
        if g is None or g.base is not b:
            return None
        part = whole[ix]
        if _address(g) != _address(part) or g.strides != part.strides or g.shape != part.shape:
            return None
    return whole


def _views(input: Tensor, d: int, sizes, cls) -> tuple:
    """The views of ``input`` along dim ``d``: slices of ``sizes``, or (``sizes`` None) every index, one node."""
    head = (slice(None),) * d
    if sizes is None:
        indices = [head + (i,) for i in range(input._data.shape[d])]
    else:
        indices, start = [], 0
        for n in sizes:
            indices.append(head + (slice(start, start + n),))
            start += n
    a = input._data
    outs = [_view_result(input, a[ix]) for ix in indices]
    if outs and input._rg and state.enabled:
        n = cls()
        n.dim, n.indices, n.num_outputs, n.shape, n.sizes = d, indices, len(indices), a.shape, sizes
        n.order = n.alias = None
        if not a.flags.c_contiguous:
            n.order = memory_order(a)
            b = a.base
            if type(a) is np.ndarray and b is not None and type(b) is np.ndarray and b.flags.c_contiguous:
                n.alias = (b.shape, a.dtype, _address(a) - _address(b), a.strides)
        link_multi(n, outs, (input,))
    return tuple(outs)


def split(tensor: Tensor, split_size_or_sections, dim: int = 0, _cls=None):
    """Split into chunks of a size (last may be smaller) or into the given section sizes.

    >>> import ember
    >>> [p.tolist() for p in ember.arange(5).split(2)]
    [[0, 1], [2, 3], [4]]
    """
    d = _wrap_dim(dim, tensor.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        cls = _cls or SplitBackward0
        s = split_size_or_sections
        if s <= 0 and size > 0 or s < 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sizes = [s] * (size // s) + ([size % s] if size % s else []) if s else [0]
    else:
        cls = _cls or SplitWithSizesBackward0
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
    if cls is SliceBackward0:  # tensor_split: a SliceBackward0 per view, as in PyTorch
        out, start = [], 0
        for s in sizes:
            out.append(_slice_view(tensor, (slice(None),) * d + (slice(start, start + s),), cls))
            start += s
        return tuple(out)
    return _views(tensor, d, sizes, cls)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0):
    d = _wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        q, r = divmod(size, n)
        sizes = [q + 1] * r + [q] * (n - r)
    else:
        idx = [0] + list(indices_or_sections) + [size]
        sizes = [max(0, min(b, size) - min(a, size)) for a, b in zip(idx[:-1], idx[1:])]
    return split(input, sizes, d, _cls=SliceBackward0)


def _split_along(name: str, input: Tensor, indices_or_sections, dim: int, min_dim: int):
    """hsplit / vsplit / dsplit: ``tensor_split`` along ``dim`` with PyTorch's rank and divisibility checks."""
    if input.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a tensor "
                           f"with {input.ndim} dimensions!")
    ios = indices_or_sections
    if isinstance(ios, (builtins.int, np.integer)) and not isinstance(ios, builtins.bool):
        size = input.shape[dim]
        if ios == 0 or size % ios:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {ios}!")
        return tensor_split(input, builtins.int(ios), dim)
    if isinstance(ios, (list, tuple)) and all(isinstance(i, (builtins.int, np.integer)) for i in ios):
        return tensor_split(input, [builtins.int(i) for i in ios], dim)
    raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, {type(ios).__name__}), "
                    f"but expected one of:\n * (Tensor input, int sections)\n * (Tensor input, tuple of ints indices)")


def hsplit(input: Tensor, indices_or_sections):
    """Split column-wise (dim 1; dim 0 of a 1-D tensor) into equal sections or at the given indices.

    >>> import ember
    >>> ember.hsplit(ember.arange(6).reshape(2, 3), [1])
    (tensor([[0],
            [3]]), tensor([[1, 2],
            [4, 5]]))
    """
    return _split_along("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input: Tensor, indices_or_sections):
    """Split row-wise (dim 0) a tensor of at least 2 dims.

    >>> import ember
    >>> ember.vsplit(ember.arange(4).reshape(2, 2), 2)
    (tensor([[0, 1]]), tensor([[2, 3]]))
    """
    return _split_along("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections):
    """Split depth-wise (dim 2) a tensor of at least 3 dims.

    >>> import ember
    >>> [t.shape for t in ember.dsplit(ember.zeros(1, 2, 4), 2)]
    [torch.Size([1, 2, 2]), torch.Size([1, 2, 2])]
    """
    return _split_along("dsplit", input, indices_or_sections, 2, 3)


def chunk(input: Tensor, chunks: int, dim: int = 0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = input.shape[_wrap_dim(dim, input.ndim)]
    s = max(1, -(-size // chunks))
    return split(input, s, dim)


def unbind(input: Tensor, dim: int = 0):
    """The slices along ``dim`` as a tuple."""
    return _views(input, _wrap_dim(dim, input.ndim), None, UnbindBackward0)


def unsafe_split(tensor: Tensor, split_size: int, dim: int = 0):
    """``split`` into pieces of ``split_size`` (an int only, as PyTorch's; its "unsafe" variant skips a view check
    that Ember does not make).

    >>> import ember
    >>> ember.unsafe_split(ember.arange(5), 2)
    (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    """
    if isinstance(split_size, bool) or not isinstance(split_size, int):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 1) must be int, not "
                        f"{type(split_size).__name__}")
    return split(tensor, split_size, dim)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0):  # noqa: A002
    """``chunk`` (PyTorch's "unsafe" variant skips a view check that Ember does not make).

    >>> import ember
    >>> ember.unsafe_chunk(ember.arange(5), 2)
    (tensor([0, 1, 2]), tensor([3, 4]))
    """
    return chunk(input, chunks, dim)


register(split=split, tensor_split=tensor_split, hsplit=hsplit, vsplit=vsplit, dsplit=dsplit, chunk=chunk,
         unbind=unbind, unsafe_split=unsafe_split, unsafe_chunk=unsafe_chunk)

__all__ = ["chunk", "dsplit", "hsplit", "split", "tensor_split", "unbind", "unsafe_chunk", "unsafe_split", "vsplit"]
