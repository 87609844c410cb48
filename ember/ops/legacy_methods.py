"""Tensor methods PyTorch keeps for older code and for introspection: the legacy ``new`` constructor,
``new_empty_strided``, in-place ``resize_``/``resize_as_``, ``apply_``/``map_`` (Python callables per element),
the in-place BLAS forms (``addbmm_``, ``addmv_``, ``addr_``, ``baddbmm_``), ``split_with_sizes``,
``nonzero_static``, ``dim_order``, and the always-False predicates of features Ember does not model (inference
tensors, the lazy negative bit, shared memory)."""
from __future__ import annotations

import numpy as np

from .._size import Size
from ._util import Tensor, _wrap, register, state


def _new(self: Tensor, *args, **kwargs) -> Tensor:
    """``x.new(...)``: ``x.new()`` is empty, ``x.new(2, 3)`` / ``x.new(Size)`` uninitialized of that size,
    ``x.new(data)`` a tensor of ``data`` (a list or tuple), all in ``x``'s dtype and device.

    >>> import ember
    >>> ember.zeros(1).new([1, 2])
    tensor([1., 2.])
    """
    from .creation import empty, tensor  # noqa: PLC0415

    opts = {"dtype": self.dtype, "device": kwargs.pop("device", None) or self.device}
    if kwargs:
        raise TypeError(f"new() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not args:
        return empty(0, **opts)
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype != self.dtype:
            raise TypeError(f"expected {self.dtype} (got {args[0].dtype})")
        return args[0].detach()
    if len(args) == 1 and isinstance(args[0], Size):
        return empty(tuple(args[0]), **opts)
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return empty(args, **opts)
    if len(args) == 1:
        return tensor(args[0], **opts)
    raise TypeError("new() received an invalid combination of arguments")


def _new_empty_strided(self: Tensor, size, stride, *, dtype=None, device=None, requires_grad: bool = False,
                       **kwargs) -> Tensor:
    """An uninitialized tensor of ``size`` with the given ``stride`` (in ``self``'s dtype unless given).

    >>> import ember
    >>> ember.zeros(1).new_empty_strided((2, 3), (1, 2)).stride()
    (1, 2)
    """
    from .creation import empty_strided  # noqa: PLC0415

    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad)


def _resize_(self: Tensor, *sizes, memory_format=None) -> Tensor:
    """Give ``self`` the shape ``sizes`` in place, keeping its first elements (in memory order) and leaving any
    new ones uninitialized (zeros here), as PyTorch's ``resize_``.

    >>> import ember
    >>> ember.arange(6.).resize_(2, 2)
    tensor([[0., 1.],
            [2., 3.]])
    """
    if self.requires_grad and state.enabled:
        raise RuntimeError("cannot resize variables that require grad")
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)) else tuple(sizes)
    if any(int(s) < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    d = self._data
    n = int(np.prod(shape)) if shape else 1
    flat = np.ascontiguousarray(d).reshape(-1)
    if n <= flat.size and d.flags.c_contiguous:
        arr = flat[:n].reshape(shape)  # a view of the same memory, as PyTorch keeps its storage
    else:
        arr = np.zeros(n, dtype=d.dtype)
        k = min(n, flat.size)
        arr[:k] = flat[:k]
        arr = arr.reshape(shape)
    self._data = arr
    self._bump()
    return self


def _resize_as_(self: Tensor, other: Tensor, memory_format=None) -> Tensor:
    """``self.resize_(other.shape)``."""
    return _resize_(self, tuple(other.shape))


def _apply_(self: Tensor, callable) -> Tensor:  # noqa: A002
    """Replace each element with ``callable(element)`` (a Python function of a number), in place; CPU only.

    >>> import ember
    >>> ember.tensor([1., 2.]).apply_(lambda v: v * 10)
    tensor([10., 20.])
    """
    if self.requires_grad:
        raise RuntimeError("Can't call apply_() on Variable that requires grad. Use var.detach().apply_() instead.")
    d = self._data
    flat = d.reshape(-1) if d.flags.c_contiguous else d.ravel()
    vals = [callable(v) for v in flat.tolist()]
    d[...] = np.asarray(vals, dtype=d.dtype).reshape(d.shape)
    self._bump()
    return self


def _map_(self: Tensor, tensor: Tensor, callable) -> Tensor:  # noqa: A002
    """Replace each element ``a`` with ``callable(a, b)``, ``b`` the matching element of ``tensor`` (broadcast to
    ``self``'s shape), in place; CPU only.

    >>> import ember
    >>> ember.tensor([1., 2.]).map_(ember.tensor([3., 4.]), lambda a, b: a + b)
    tensor([4., 6.])
    """
    if self.requires_grad:
        raise RuntimeError("Can't call map_() on Variable that requires grad. Use var.detach().map_() instead.")
    d = self._data
    other = np.broadcast_to(tensor._data, d.shape)
    vals = [callable(a, b) for a, b in zip(d.ravel().tolist(), other.ravel().tolist())]
    d[...] = np.asarray(vals, dtype=d.dtype).reshape(d.shape)
    self._bump()
    return self


def _inplace_of(fn_name: str):
    """``Tensor.<fn_name>_``: the out-of-place op's result copied into ``self``."""
    def method(self: Tensor, *args, **kwargs) -> Tensor:
        from . import blas  # noqa: PLC0415

        return self.copy_(getattr(blas, fn_name)(self, *args, **kwargs))
    method.__name__ = fn_name + "_"
    method.__doc__ = f"``{fn_name}`` in place."
    return method


def _split_with_sizes(self: Tensor, split_sizes, dim: int = 0):
    """``split`` with an explicit list of sizes (which must add up to the dimension's size).

    >>> import ember
    >>> ember.arange(5).split_with_sizes([2, 3])
    (tensor([0, 1]), tensor([2, 3, 4]))
    """
    from .splitting import split  # noqa: PLC0415

    sizes = [int(s) for s in split_sizes]
    n = self.shape[dim]
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                           f"dimension {dim}), but got split_sizes={sizes}")
    return split(self, sizes, dim)


def _nonzero_static(self: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """``nonzero()`` padded with ``fill_value`` rows (or truncated) to exactly ``size`` rows.

    >>> import ember
    >>> ember.tensor([0, 1, 0, 2]).nonzero_static(size=3)
    tensor([[ 1],
            [ 3],
            [-1]])
    """
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer but got {size}")
    idx = np.argwhere(self._data)
    out = np.full((size, max(self._data.ndim, 1) if self._data.ndim else 0), fill_value, dtype=np.int64)
    k = min(size, idx.shape[0])
    out[:k] = idx[:k]
    return _wrap(out)


def _dim_order(self: Tensor, *, ambiguity_check=False) -> tuple:
    """The dims from outermost to innermost in memory (by decreasing stride; ties keep the logical order).

    >>> import ember
    >>> ember.ones(2, 3).t().dim_order()
    (1, 0)
    """
    st = self.stride()
    return tuple(sorted(range(len(st)), key=lambda i: -st[i]))


def _false(self: Tensor) -> bool:
    return False


def _share_memory_(self: Tensor) -> Tensor:
    """``self``: Ember's DataLoader workers receive batches pickled, so there is no shared storage to set up."""
    return self


def _conj_physical_(self: Tensor) -> Tensor:
    """Conjugate ``self`` in place (nothing to do for real tensors)."""
    if self.is_complex():
        np.conjugate(self._data, out=self._data)
        self._bump()
    return self


def _output_nr(self: Tensor) -> int:
    return getattr(self, "_out_nr", 0) if self.grad_fn is not None else 0


register(new=_new, new_empty_strided=_new_empty_strided, resize_=_resize_, resize_as_=_resize_as_, apply_=_apply_,
         map_=_map_, addbmm_=_inplace_of("addbmm"), addmv_=_inplace_of("addmv"), addr_=_inplace_of("addr"),
         baddbmm_=_inplace_of("baddbmm"), split_with_sizes=_split_with_sizes,
         unsafe_split_with_sizes=_split_with_sizes, nonzero_static=_nonzero_static, dim_order=_dim_order,
         is_inference=_false, is_neg=_false, is_shared=_false, share_memory_=_share_memory_,
         conj_physical_=_conj_physical_)
Tensor.output_nr = property(_output_nr, doc="Which output of its grad_fn this tensor is (0 for most ops).")
