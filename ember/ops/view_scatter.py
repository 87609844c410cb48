"""Writing through views: ``select_scatter``, ``slice_scatter``, ``diagonal_scatter`` (a copy of the input with
one view of it replaced), ``put`` / ``put_`` (flat-index writes), and ``as_strided`` (a view with explicit sizes,
strides and storage offset).

The scatters and ``put`` are composed of differentiable ops (a clone and an in-place copy into its view), so
their gradients are PyTorch's: the input's gradient is zero where the source went, the source's is the gradient
there.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, _wrap_dim, register, state

__all__ = ["as_strided", "diagonal_scatter", "put", "select_scatter", "slice_scatter"]


def _check_src(view: Tensor, src: Tensor, fn: str) -> None:
    if not isinstance(src, Tensor):
        raise TypeError(f"{fn}(): argument 'src' (position 2) must be Tensor, not {type(src).__name__}")
    if tuple(src.shape) != tuple(view.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view.shape)}")


def _scatter_into(input: Tensor, src: Tensor, view_of, fn: str) -> Tensor:
    out = input.clone()
    view = view_of(out)
    _check_src(view, src, fn)
    view.copy_(src)
    return out


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``.

    >>> import ember
    >>> ember.select_scatter(ember.zeros(2, 2), ember.ones(2), 0, 0)
    tensor([[1., 1.],
            [0., 0.]])
    """
    return _scatter_into(input, src, lambda t: t.select(dim, index), "select_scatter")


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start=None, end=None, step: int = 1) -> Tensor:  # noqa: A002
    """A copy of ``input`` with the slice ``start:end:step`` of dimension ``dim`` replaced by ``src``.

    >>> import ember
    >>> ember.slice_scatter(ember.zeros(4), ember.ones(2), start=1, end=3)
    tensor([0., 1., 1., 0.])
    """
    def view_of(t):
        d = _wrap_dim(dim, t.dim())
        return t[(slice(None),) * d + (slice(start, end, step),)]
    return _scatter_into(input, src, view_of, "slice_scatter")


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """A copy of ``input`` with its diagonal (``offset``, ``dim1``, ``dim2``) replaced by ``src``.

    >>> import ember
    >>> ember.diagonal_scatter(ember.zeros(2, 2), ember.ones(2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    return _scatter_into(input, src, lambda t: t.diagonal(offset, dim1, dim2), "diagonal_scatter")


def _put_check(input: Tensor, index: Tensor, source: Tensor) -> None:
    if not isinstance(index, Tensor) or index.dtype.name != "int64":
        got = type(index).__name__ if not isinstance(index, Tensor) else index.dtype.name
        if isinstance(index, Tensor):
            raise RuntimeError(f"put_(): Expected a long tensor for index, but got {D.legacy_name(index.dtype)}")
        raise TypeError(f"put_(): argument 'index' (position 1) must be Tensor, not {got}")
    if not isinstance(source, Tensor):
        raise TypeError(f"put_(): argument 'source' (position 2) must be Tensor, not {type(source).__name__}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{D.legacy_name(input.dtype)} and source.dtype = {D.legacy_name(source.dtype)}")
    if index.numel() != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n = input.numel()
    idx = index._data.reshape(-1)
    if idx.size:
        bad = idx[(idx >= n) | (idx < -n)]
        if bad.size:
            raise IndexError(f"out of range: tried to access index {int(bad[0])} on a tensor of {n} elements.")


def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """Write (or with ``accumulate`` add) ``source``'s elements at the flat (row-major) positions ``index`` of
    ``self``, in place; negative positions count from the end.

    >>> import ember
    >>> ember.zeros(2, 2).put_(ember.tensor([0, 3]), ember.tensor([1., 2.]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    _put_check(self, index, source)
    flat = index.reshape(-1) % max(self.numel(), 1)
    vals = source.reshape(-1)
    if self.is_contiguous():
        view = self.view(-1)
        if accumulate:
            view.index_put_((flat,), vals, accumulate=True)
        else:
            view[flat] = vals
        return self
    res = self.reshape(-1).index_put((flat,), vals, accumulate=accumulate).view(self.shape)
    return self.copy_(res)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """``input.clone().put_(index, source, accumulate)``.

    >>> import ember
    >>> ember.put(ember.zeros(3), ember.tensor([1, 1]), ember.tensor([1., 2.]), accumulate=True)
    tensor([0., 3., 0.])
    """
    return put_(input.clone(), index, source, accumulate)


# ----------------------------------------------------------------------------- as_strided
class AsStridedBackward0(Node):
    """Gradient of ``as_strided``: each element of the view adds its gradient into the storage position it reads
    (overlapping views add up), and the input's gradient is read back from that storage through its own layout."""

    __slots__ = ("geom",)

    def raw(self, g):
        (n_store, in_shape, in_strides, in_off), (size, stride, off) = self.geom
        store = np.zeros(n_store, dtype=g.dtype)
        pos = _positions(size, stride, off)
        np.add.at(store, pos.reshape(-1), g.reshape(-1))
        return store[_positions(in_shape, in_strides, in_off)]

    def backward(self, g):
        return _wrap(self.raw(g._data))


def _positions(size, stride, off):
    """The storage index (in elements) of every element of a strided view, shaped like the view."""
    pos = np.full(tuple(size), off, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


def _storage(a):
    """``a``'s base array (its storage), flattened, and ``a``'s offset and strides in elements within it."""
    base = a
    while isinstance(base.base, np.ndarray):
        base = base.base
    item = a.itemsize
    off = (a.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // item
    return base, off, tuple(s // item for s in a.strides)


def as_strided(input: Tensor, size, stride, storage_offset=None) -> Tensor:  # noqa: A002
    """A view of ``input``'s storage with the given sizes, strides and storage offset (in elements; the offset
    defaults to ``input``'s own). Bounds are checked against the storage, as PyTorch does.

    >>> import ember
    >>> ember.arange(9.).as_strided((2, 2), (3, 1), 1)
    tensor([[1., 2.],
            [4., 5.]])
    """
    from .shape import _view_result  # noqa: PLC0415

    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    d = input._data
    base, in_off, in_strides = _storage(d)
    off = in_off if storage_offset is None else int(storage_offset)
    if off < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {off}")
    n_store = base.nbytes // d.itemsize
    need = 0 if 0 in size else off + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > n_store:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {off}, and "
                           f"itemsize {d.itemsize} requiring a storage size of {need * d.itemsize} are out of "
                           f"bounds for storage of size {n_store * d.itemsize}")
    flat = base.ravel(order="K")  # the storage in memory order (a view of the owner, C- or F-ordered)
    if not np.may_share_memory(flat, base):
        raise RuntimeError("as_strided: the tensor's memory is not one contiguous block; call .contiguous() first")
    flat = flat.view(d.dtype)
    arr = np.ndarray(size, d.dtype, buffer=flat, offset=off * d.itemsize if need else 0,
                     strides=tuple(s * d.itemsize for s in stride))
    res = _view_result(input, arr)
    if input._rg and state.enabled:
        n = AsStridedBackward0()
        n.geom = ((n_store, d.shape, in_strides, in_off), (size, stride, off))
        link(n, res, (input,))
    return res


register(put_=put_, put=put, as_strided=as_strided, select_scatter=select_scatter, slice_scatter=slice_scatter,
         diagonal_scatter=diagonal_scatter)
