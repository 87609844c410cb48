"""Shape ops: view, reshape, transpose, permute, expand, squeeze, cat, stack, split and friends."""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype as D
from .._size import Size
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, _wrap_dim, register, result_type, state, to_array, wrap_dims
from .conversion import ToCopyBackward0, _cast, _cpu, _cuda, to, type_as  # noqa: F401 - re-exported


def _view_result(x: Tensor, arr) -> Tensor:
    """Wrap a NumPy view of x's data: shares x's version counter, remembers its base."""
    t = _wrap(arr)
    if x._vc is None:
        x._vc = [0]
    t._vc = x._vc
    t._base = x if x._base is None else x._base
    return t


def _sizes(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = tuple(shape[0])
    for s in shape:  # the common case, plain ints, without a generator
        if type(s) is not int:
            break
    else:
        return shape
    try:
        return tuple(s.__index__() for s in shape)
    except AttributeError:
        bad = next(s for s in shape if not hasattr(s, "__index__"))
        raise TypeError(f"expected a sequence of integers as the shape, but got an element of type "
                        f"{type(bad).__name__}") from None


def _infer(shape, numel):
    """The shape with its -1 filled in: PyTorch's infer_size (one scan; its checks, order and messages)."""
    shape = tuple(shape)
    infer, size = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            size *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if numel == size or (infer is not None and size > 0 and numel % size == 0):
        if infer is None:
            return shape
        if size == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               f"unspecified dimension size -1 can be any value and is ambiguous")
        return shape[:infer] + (numel // size,) + shape[infer + 1:]
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


class ViewBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, g):
        return g.reshape(self.shape)

    def raw(self, g):
        return g.reshape(self.shape)


def view(self: Tensor, *shape) -> Tensor:
    """Same data with a new shape; the tensor's strides must allow it (else use reshape).

    >>> import ember
    >>> ember.arange(6).view(2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return view_dtype(self, shape[0])
    d = self._data
    new = _infer(_sizes(shape), d.size)
    try:
        if type(d) is np.ndarray:  # a contiguous array always reshapes to a view (reshape's copy= costs ~0.6 us)
            arr = d.reshape(new) if d.flags.c_contiguous else d.reshape(new, copy=False)
        else:
            arr = d.view().reshape(new)
    except (ValueError, AttributeError):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.") from None
    res = _view_result(self, arr)
    if self._rg and state.enabled:
        n = ViewBackward0()
        n.shape = d.shape
        link(n, res, (self,))
    return res


def view_dtype(self: Tensor, dtype) -> Tensor:
    """Reinterpret the bytes as another dtype (no autograd)."""
    return _view_result(self, self._data.view(D.np_dtype(dtype)))


def view_as(self: Tensor, other: Tensor) -> Tensor:
    return view(self, other.shape)


def reshape(input: Tensor, *shape) -> Tensor:
    """Same values with a new shape: a view when possible, else a copy.

    >>> import ember
    >>> ember.arange(4).reshape(2, -1).shape
    torch.Size([2, 2])
    """
    d = input._data
    new = _infer(_sizes(shape), d.size)
    if new == d.shape:
        arr = d.view()
    elif type(d) is np.ndarray and d.flags.c_contiguous:  # always a view (reshape's copy= costs ~0.6 us)
        arr = d.reshape(new)
    else:
        try:
            arr = d.reshape(new, copy=False) if type(d) is np.ndarray else d.reshape(new)
        except ValueError:  # not expressible as a view: a contiguous copy, then a view of it (as PyTorch records)
            return _unsafe_view(clone(input), new)
        is_view = arr.base is not None and (arr.base is d or arr.base is d.base)
        if not is_view:
            return _unsafe_view(clone(input), new)
    res = _view_result(input, arr)
    if input._rg and state.enabled:
        n = ViewBackward0() if d.flags.c_contiguous else ReshapeAliasBackward0()
        n.shape = d.shape
        link(n, res, (input,))
    return res


def _unsafe_view(c: Tensor, new) -> Tensor:
    """Reshape the fresh copy ``c`` (recorded as UnsafeViewBackward0, not a view for version tracking)."""
    res = _wrap(c._data.reshape(new))
    if c._rg and state.enabled:
        n = UnsafeViewBackward0()
        n.shape = c._data.shape
        link(n, res, (c,))
    return res


class UnsafeViewBackward0(ViewBackward0):
    __slots__ = ()


class ReshapeAliasBackward0(ViewBackward0):
    __slots__ = ()


def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    return reshape(self, other.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one.

    >>> import ember
    >>> ember.zeros(2, 3, 4).flatten(1).shape
    torch.Size([2, 12])
    """
    nd = input.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    sh = input._data.shape
    return reshape(input, sh[:s] + (math.prod(sh[s:e + 1]),) + sh[e + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes``."""
    sh = input._data.shape
    d = _wrap_dim(dim, len(sh))
    sizes = _infer(tuple(sizes), sh[d]) if -1 in tuple(sizes) else tuple(sizes)
    if math.prod(sizes) != sh[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({sh[d]}) in the input tensor")
    return view(input, sh[:d] + tuple(sizes) + sh[d + 1:])  # splitting one dim is always a view


class PermuteBackward0(Node):
    __slots__ = ("inv",)

    def backward(self, g):
        return g.permute(self.inv)

    def raw(self, g):
        return g.transpose(self.inv)


class TransposeBackward0(Node):
    __slots__ = ("d0", "d1")

    def backward(self, g):
        return g.transpose(self.d0, self.d1)

    def raw(self, g):
        return g.swapaxes(self.d0, self.d1)


class TBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g.t()

    def raw(self, g):
        return g.T


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder dimensions (a view).

    >>> import ember
    >>> ember.zeros(2, 3, 4).permute(2, 0, 1).shape
    torch.Size([4, 2, 3])
    """
    dims = _sizes(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to "
                           f"len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    res = _view_result(input, input._data.transpose(dims))
    if input._rg and state.enabled:
        n = PermuteBackward0()
        n.inv = tuple(np.argsort(dims).tolist())
        link(n, res, (input,))
    return res


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view).

    >>> import ember
    >>> ember.zeros(2, 3).transpose(0, 1).shape
    torch.Size([3, 2])
    """
    nd = input._data.ndim
    d0, d1 = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    res = _view_result(input, input._data.swapaxes(d0, d1))
    if input._rg and state.enabled:
        n = TransposeBackward0()
        n.d0, n.d1 = d0, d1
        link(n, res, (input,))
    return res


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose a matrix (0-d and 1-d tensors are returned as they are)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    res = _view_result(input, input._data.T)
    if input._rg and state.enabled:
        link(TBackward0(), res, (input,))
    return res


def adjoint(input: Tensor) -> Tensor:
    return transpose(input, -2, -1)


def _mT(self: Tensor) -> Tensor:
    if self.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(self, -2, -1)


def _T(self: Tensor) -> Tensor:
    nd = self.ndim
    if nd != 2:
        import warnings  # noqa: PLC0415

        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases." if nd == 0
                      else "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                      "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
                      "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
                      "dimensions of a tensor.", UserWarning, stacklevel=2)
    return permute(self, tuple(range(nd - 1, -1, -1)))


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims from ``source`` positions to ``destination`` positions."""
    nd = input.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_wrap_dim(s, nd) for s in src]
    dst = [_wrap_dim(s, nd) for s in dst]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


class UnsqueezeBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        return g.squeeze(self.dim)

    def raw(self, g):
        return g.squeeze(self.dim)


class SqueezeBackward(Node):
    __slots__ = ("shape",)

    def backward(self, g):
        return g.reshape(self.shape)

    def raw(self, g):
        return g.reshape(self.shape)


SqueezeBackward0 = type("SqueezeBackward0", (SqueezeBackward,), {"__slots__": ()})
SqueezeBackward1 = type("SqueezeBackward1", (SqueezeBackward,), {"__slots__": ()})
SqueezeBackward2 = type("SqueezeBackward2", (SqueezeBackward,), {"__slots__": ()})


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim`` (a view)."""
    d = _wrap_dim(dim, input._data.ndim + 1)
    res = _view_result(input, np.expand_dims(input._data, d) if type(input._data) is np.ndarray else
                       input._data[(slice(None),) * d + (None,)])
    if input._rg and state.enabled:
        n = UnsqueezeBackward0()
        n.dim = d
        link(n, res, (input,))
    return res


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Remove size-1 dimensions (all, or those in ``dim``) (a view)."""
    sh = input._data.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(sh) if s == 1)
        cls = SqueezeBackward0
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(sorted({_wrap_dim(d, len(sh)) for d in dims}))
        axes = tuple(a for a in axes if sh[a] == 1) if sh else ()
        cls = SqueezeBackward1 if isinstance(dim, int) else SqueezeBackward2
    res = _view_result(input, input._data.squeeze(axes) if axes else input._data.view())
    if input._rg and state.enabled:
        n = cls()
        n.shape = sh
        link(n, res, (input,))
    return res


class ExpandBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, g):
        return g.sum_to_size(self.shape)

    def raw(self, g):
        from ..autograd.engine import _fixup_raw  # noqa: PLC0415

        return _fixup_raw(g, (self.shape, None))


def expand(self: Tensor, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` without copying (-1 keeps a dim).

    >>> import ember
    >>> ember.tensor([[1], [2]]).expand(2, 3)
    tensor([[1, 1, 1],
            [2, 2, 2]])
    """
    sizes = _sizes(sizes)
    sh = self._data.shape
    if len(sizes) < len(sh):
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(sh)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({len(sh)})")
    off = len(sizes) - len(sh)
    target = []
    for i, s in enumerate(sizes):
        if i >= off:
            cur = sh[i - off]
            if s == -1:
                s = cur
            elif cur != 1 and cur != s:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                                   f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                                   f"{list(sh)}")
        elif s < 0:
            raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing "
                               f"dimension {i}")
        target.append(s)
    target = tuple(target)
    xp_bt = np.broadcast_to if type(self._data) is np.ndarray else _cupy_broadcast_to
    res = _view_result(self, xp_bt(self._data, target))
    if self._rg and state.enabled:
        n = ExpandBackward0()
        n.shape = sh
        link(n, res, (self,))
    return res


def _cupy_broadcast_to(a, shape):
    import cupy  # noqa: PLC0415

    return cupy.broadcast_to(a, shape)


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, other.shape)


def broadcast_to(input: Tensor, size) -> Tensor:
    return expand(input, tuple(size))


def broadcast_shapes(*shapes) -> Size:
    try:
        return Size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: {shapes}") from None


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*[t.shape for t in tensors])
    # a tensor already of the broadcast shape comes back itself, as PyTorch's expand_outplace leaves it
    return tuple(t if t.shape == shape else expand(t, shape) for t in tensors)


class CatBackward0(Node):
    __slots__ = ("dim", "sizes")

    def backward(self, g):
        outs = []
        start = 0
        for s in self.sizes:
            outs.append(g.narrow(self.dim, start, s) if s is not None else None)
            start += s or 0
        return tuple(outs)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors along an existing dimension.

    >>> import ember
    >>> ember.cat([ember.zeros(1, 2), ember.ones(1, 2)]).shape
    torch.Size([2, 2])
    """
    tensors = list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t_).__name__}")
    # legacy: 1-d empty tensors are skipped
    parts = [t_ for t_ in tensors if not (t_.ndim == 1 and t_.numel() == 0)] or tensors[:1]
    ref = max(parts, key=lambda t_: t_.ndim)
    nd = ref.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, nd)
    dt = result_type(*[t_ for t_ in parts]) if len({t_.dtype for t_ in parts}) > 1 else parts[0].dtype
    for i, t_ in enumerate(parts):
        if t_.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {t_.ndim}")
        for k in range(nd):
            if k != d and t_._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {t_._data.shape[k]} for tensor number {i} in "
                                   f"the list.")
    like = parts[0]._data
    arrays = [to_array(t_, dt, like) for t_ in parts]
    res = _wrap(np.concatenate(arrays, axis=d) if type(like) is np.ndarray else _xp(like).concatenate(arrays, d))
    if state.enabled and any(t_._rg for t_ in parts):
        n = CatBackward0()
        n.dim = d
        n.sizes = tuple(t_._data.shape[d] for t_ in parts)
        if any(t_.dtype is not dt for t_ in parts):
            n.meta = tuple(None if t_.dtype is dt else (t_._data.shape, t_.dtype) for t_ in parts)
        link(n, res, parts)
    if out is not None:
        from .pointwise import _out  # noqa: PLC0415

        return _out(res, out)
    return res


concat = concatenate = cat


def _xp(a):
    from .._device import array_module  # noqa: PLC0415

    return array_module(a)


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors along a new dimension.

    >>> import ember
    >>> ember.stack([ember.zeros(2), ember.ones(2)]).shape
    torch.Size([2, 2])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    if dim == 0 and out is None:
        # equal NumPy arrays outside a graph stacked on a new first axis (what a DataLoader's collate does per
        # batch): np.array builds the result in one C call, 2-9x faster than np.stack's Python checks
        arrays = [getattr(t_, "_data", None) for t_ in tensors]
        a0 = arrays[0]
        if type(a0) is np.ndarray and all(type(a) is np.ndarray and a.shape == a0.shape and a.dtype == a0.dtype
                                          for a in arrays) and not (state.enabled and any(t_._rg for t_ in tensors)):
            return _wrap(np.array(arrays, dtype=a0.dtype))
    s0 = tensors[0].shape
    for i, t_ in enumerate(tensors):
        if t_.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                               f"{list(t_.shape)} at entry {i}")
    d = _wrap_dim(dim, len(s0) + 1)
    if len({t_.dtype for t_ in tensors}) > 1 or any(type(t_._data) is not np.ndarray for t_ in tensors):
        res = cat([unsqueeze(t_, d) for t_ in tensors], d)
    else:
        res = _wrap(np.stack([t_._data for t_ in tensors], axis=d))
        if state.enabled and any(t_._rg for t_ in tensors):
            n = StackBackward0()
            n.dim = d
            link(n, res, tensors)
    if out is not None:
        from .pointwise import _out  # noqa: PLC0415

        return _out(res, out)
    return res


class StackBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        return tuple(g.unbind(self.dim))


def hstack(tensors) -> Tensor:
    tensors = [atleast_1d(t_) for t_ in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    return cat([atleast_2d(t_) for t_ in tensors], 0)


row_stack = vstack


def dstack(tensors) -> Tensor:
    return cat([atleast_3d(t_) for t_ in tensors], 2)


def column_stack(tensors) -> Tensor:
    return hstack([t_.reshape(-1, 1) if t_.ndim <= 1 else t_ for t_ in tensors])


def atleast_1d(t_: Tensor) -> Tensor:
    return t_.reshape(1) if t_.ndim == 0 else t_


def atleast_2d(t_: Tensor) -> Tensor:
    return t_.reshape(1, 1) if t_.ndim == 0 else unsqueeze(t_, 0) if t_.ndim == 1 else t_


def atleast_3d(t_: Tensor) -> Tensor:
    if t_.ndim == 0:
        return t_.reshape(1, 1, 1)
    if t_.ndim == 1:
        return t_.reshape(1, -1, 1)
    if t_.ndim == 2:
        return unsqueeze(t_, -1)
    return t_


class NarrowBackward(Node):
    """Gradient of a basic-slicing view: scatter g into zeros of the input's shape."""

    __slots__ = ("shape", "index")

    def backward(self, g):
        from .indexing import _scatter_slice  # noqa: PLC0415

        return _scatter_slice(g, self.shape, self.index)


SliceBackward0 = type("SliceBackward0", (NarrowBackward,), {"__slots__": ()})
SelectBackward0 = type("SelectBackward0", (NarrowBackward,), {"__slots__": ()})
AliasBackward0 = type("AliasBackward0", (NarrowBackward,), {"__slots__": ()})
UnsqueezeIndexBackward = type("UnsqueezeBackward0", (NarrowBackward,), {"__slots__": ()})


def _slice_view(input: Tensor, index: tuple, cls) -> Tensor:
    res = _view_result(input, input._data[index])
    if input._rg and state.enabled:
        n = cls()
        n.shape = input._data.shape
        n.index = index
        link(n, res, (input,))
    return res


def narrow_copy(input: Tensor, dim: int, start, length: int) -> Tensor:  # noqa: A002
    """``narrow`` into a new tensor (not a view).

    >>> import ember
    >>> ember.narrow_copy(ember.arange(6).reshape(2, 3), 1, 1, 2)
    tensor([[1, 2],
            [4, 5]])
    """
    return narrow(input, dim, start, length).clone()


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """A view of ``length`` elements of dim ``dim`` from ``start``."""
    d = _wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    start = builtins.int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice_view(input, (slice(None),) * d + (slice(start, start + length),), SliceBackward0)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` of dim ``dim`` (that dim removed)."""
    d = _wrap_dim(dim, input.ndim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {dim}")
    return _slice_view(input, (slice(None),) * d + (index if index >= 0 else index + size,), SelectBackward0)


class UnfoldBackward0(Node):
    """Gradient of ``unfold``: each window's gradient added back at the positions it covers."""

    __slots__ = ("dim", "size", "step", "shape")

    def backward(self, g):
        d, size, step, shape = self.dim, self.size, self.step, self.shape
        if not shape:  # a 0-d input: one window, no window dimension
            return self._unfold_grad(g.unsqueeze(0), 0, size, step, (1,)).reshape(())
        return self._unfold_grad(g, d, size, step, shape)

    @staticmethod
    def _unfold_grad(g, d, size, step, shape):
        from .creation import arange, zeros  # noqa: PLC0415

        nwin = g.shape[d]
        idx = (arange(nwin) * step).unsqueeze(1) + arange(size)  # (nwin, size): input position of each entry
        gm = g.movedim(-1, d + 1).reshape(shape[:d] + (nwin * size,) + shape[d + 1:])
        return zeros(shape, dtype=g.dtype, device=g.device).index_add(d, idx.reshape(-1), gm)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """A view of every window of ``size`` elements along ``dimension``, ``step`` apart; the windows' elements
    become a new last dimension (PyTorch's ``Tensor.unfold``).

    >>> import ember
    >>> ember.arange(7.).unfold(0, 3, 2)
    tensor([[0., 1., 2.],
            [2., 3., 4.],
            [4., 5., 6.]])
    """
    x = input
    d = _wrap_dim(dimension, max(input.ndim, 1))
    n = x._data.shape[d] if x.ndim else 1  # a 0-d tensor unfolds as one element: only the window dim remains
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    a = x._data
    if a.ndim == 0:
        shape, strides = (size,), (a.itemsize,)
    else:
        nwin = (n - size) // step + 1
        st = a.strides
        shape = a.shape[:d] + (nwin,) + a.shape[d + 1:] + (size,)
        strides = st[:d] + (st[d] * step,) + st[d + 1:] + (st[d],)
    xp = _xp(a)
    arr = xp.lib.stride_tricks.as_strided(a, shape, strides)
    res = _view_result(x, arr)
    if x._rg and state.enabled:
        node = UnfoldBackward0()
        node.dim, node.size, node.step, node.shape = d, size, step, tuple(a.shape)
        link(node, res, (x,))
    return res


class FlipBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, g):
        return g.flip(self.dims)


def flip(input: Tensor, dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
    dims = wrap_dims(dims if not isinstance(dims, int) else (dims,), input.ndim)
    res = _wrap(np.flip(input._data, dims).copy())
    if input._rg and state.enabled:
        n = FlipBackward0()
        n.dims = dims
        link(n, res, (input,))
    return res


def fliplr(input: Tensor) -> Tensor:
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    return flip(input, (0,))


class RollBackward0(Node):
    __slots__ = ("shifts", "dims")

    def backward(self, g):
        return g.roll(tuple(-s for s in self.shifts), self.dims)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements cyclically along ``dims`` (flattened when dims is None or empty).

    >>> import ember
    >>> ember.arange(6).reshape(2, 3).roll(1, 1)
    tensor([[2, 0, 1],
            [5, 3, 4]])
    """
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims) and (dims or len(shifts) != 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    d = input._data
    if dims:
        if d.ndim == 0:
            raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
        dims = tuple(_wrap_dim(x, d.ndim) for x in dims)
    else:
        dims = None
    res = _wrap(np.roll(d, shifts if dims is not None else shifts[0], dims))
    if input._rg and state.enabled:
        n = RollBackward0()
        n.shifts, n.dims = shifts, dims
        link(n, res, (input,))
    return res


class CloneBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g

    raw = backward


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy with its own memory (differentiable)."""
    res = _wrap(input._data.copy())
    if input._rg and state.enabled:
        link(CloneBackward0(), res, (input,))
    return res


def contiguous(self: Tensor, memory_format=None) -> Tensor:
    """Self if C-contiguous, else a contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return clone(self)


register(view=view, view_as=view_as, reshape=lambda self, *shape: reshape(self, *shape), reshape_as=reshape_as,
         flatten=flatten, unflatten=unflatten, permute=permute, transpose=transpose, swapaxes=transpose,
         swapdims=transpose, t=t, adjoint=adjoint, movedim=movedim, moveaxis=movedim, unsqueeze=unsqueeze,
         squeeze=squeeze, expand=expand, expand_as=expand_as, broadcast_to=broadcast_to, narrow=narrow,
         narrow_copy=narrow_copy,
         select=select, unfold=unfold, flip=flip,
         fliplr=fliplr, flipud=flipud, roll=roll, clone=clone, contiguous=contiguous, to=to, cpu=_cpu,
         cuda=_cuda, type_as=type_as, float=_cast(D.float32), double=_cast(D.float64), half=_cast(D.float16),
         bfloat16=_cast(D.bfloat16), long=_cast(D.int64), int=_cast(D.int32), short=_cast(D.int16),
         char=_cast(D.int8), byte=_cast(D.uint8), bool=_cast(D.bool), cfloat=_cast(D.complex64),
         cdouble=_cast(D.complex128))
Tensor.mT = property(_mT)
Tensor.T = property(_T)
Tensor.mH = property(_mT)
Tensor.H = property(_T)


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "adjoint", "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
    "broadcast_to", "cat", "clone", "column_stack", "concat", "concatenate", "dstack", "flatten",
    "flip", "fliplr", "flipud", "hstack", "moveaxis", "movedim", "narrow", "narrow_copy", "permute", "reshape",
    "result_type", "roll", "row_stack", "select", "squeeze", "stack", "swapaxes", "swapdims", "t",
    "transpose", "unflatten", "unsqueeze", "vstack",
]
