"""In-place semantics: out=, leaf/view checks, apply_inplace, zero_/fill_/copy_, views of graph tensors (CopySlices).

An in-place op runs its out-of-place form and writes the result into the tensor's memory, bumping the
version counter. On a view of a tensor in a graph the base gets a ``CopySlices`` node, as in PyTorch:
the gradient flows to the old base except at the view's elements, and to the new values there. The
view's elements are located in the base by their memory addresses (flat positions).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._device import array_module
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, register, state


def _out(res: Tensor, out):
    if out is None:
        return res
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if state.enabled and (res._rg or out._rg):
        import sys  # noqa: PLC0415

        caller = sys._getframe(1)
        name = caller.f_code.co_name if caller.f_code.co_name != "op" else caller.f_locals.get("name", "op")
        raise RuntimeError(f"{name.strip('_')}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out.shape != res.shape:
        out._data = res._data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = res._data
    out._bump()
    return out


def check_inplace(self: Tensor) -> None:
    """PyTorch's errors for in-place ops that would corrupt autograd."""
    if state.enabled and self._rg and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if state.enabled and base is not None and base._rg and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")


def apply_inplace(self: Tensor, fn, *args, **kwargs) -> Tensor:
    """Run out-of-place ``fn(self, *args)`` and write the result into ``self`` (PyTorch's in-place semantics)."""
    check_inplace(self)
    recording = state.enabled and (self._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if recording and self._base is not None:
        return inplace_on_view(self, fn, args, kwargs)
    if recording:
        src = _wrap(self._data.copy())
        src.grad_fn, src._rg = self.grad_fn, self._rg
        src._out_nr = getattr(self, "_out_nr", 0)
        src._vc = None
        res = fn(src, *args, **kwargs)
    else:
        res = fn(self, *args, **kwargs)
    rd = res._data
    sd = self._data
    if rd.dtype != sd.dtype:
        rdt, sdt = res.dtype, self.dtype
        if rdt._cat > sdt._cat:
            raise RuntimeError(f"result type {D.legacy_name(rdt)} can't be cast to the desired output type "
                               f"{D.legacy_name(sdt)}")
    if rd.shape != sd.shape:
        try:
            bshape = np.broadcast_shapes(rd.shape, sd.shape)
        except ValueError:
            bshape = None
        if bshape != sd.shape:
            raise RuntimeError(f"output with shape {list(sd.shape)} doesn't match the broadcast shape "
                               f"{list(bshape) if bshape is not None else list(rd.shape)}")
    sd[...] = rd
    self._bump()
    if recording:
        self.grad_fn = res.grad_fn
        self._out_nr = res._out_nr
        self._rg = True
    return self


class ZeroBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g * 0


FillBackward2 = type("FillBackward2", (ZeroBackward0,), {"__slots__": ()})


class FillBackward3(Node):
    __slots__ = ()

    def backward(self, g):
        return (g * 0 if self.next_edges[0] is not None else None), g.sum()


class CopyBackwards(Node):
    __slots__ = ()

    def backward(self, g):
        return (g * 0 if self.next_edges[0] is not None else None), g


def _filled_like(self: Tensor, value, node_cls) -> Tensor:
    """A new tensor like ``self`` holding ``value`` (a number or 0-d tensor), recorded with ``node_cls``."""
    d = self._data
    v = value._data if isinstance(value, Tensor) else value
    r = d.copy()
    r[...] = v
    res = _wrap(r)
    vt = value if isinstance(value, Tensor) else None
    if state.enabled and (self._rg or vt is not None and vt._rg):
        n = node_cls()
        if vt is not None:
            n.meta = (None, (vt._data.shape, vt.dtype if vt.dtype is not self.dtype else None))
            link(n, res, (self, vt))
        else:
            link(n, res, (self,))
    return res


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros in place; returns self.

    >>> import ember
    >>> ember.ones(2).zero_()
    tensor([0., 0.])
    """
    if not state.enabled or not self._rg:
        check_inplace(self)
        self._data[...] = 0
        self._bump()
        return self
    return apply_inplace(self, lambda s: _filled_like(s, 0, ZeroBackward0))


def fill_(self: Tensor, value) -> Tensor:
    """Fill with ``value`` (a number or a 0-d tensor) in place; returns self.

    >>> import ember
    >>> ember.zeros(2).fill_(3)
    tensor([3., 3.])
    """
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                               "dimensions.")
        return apply_inplace(self, lambda s, v: _filled_like(s, v, FillBackward3), value)
    if not state.enabled or not self._rg:
        check_inplace(self)
        self._data[...] = value
        self._bump()
        return self
    return apply_inplace(self, lambda s: _filled_like(s, value, FillBackward2))


def _copy_from(self: Tensor, src: Tensor) -> Tensor:
    from .._device import to_device_array  # noqa: PLC0415

    d = self._data
    a = to_device_array(src._data, self.device)
    try:
        b = np.broadcast_to(a, d.shape) if type(d) is np.ndarray else a
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({d.shape[-1] if d.ndim else 1}) must match the size of tensor b "
                           f"({a.shape[-1] if a.ndim else 1}) at non-singleton dimension "
                           f"{max(d.ndim - 1, 0)}") from None
    r = np.empty_like(d) if type(d) is np.ndarray else d.copy()
    r[...] = b
    res = _wrap(r)
    if state.enabled and (self._rg or src._rg):
        n = CopyBackwards()
        n.meta = (None, (src._data.shape, src.dtype if src.dtype is not self.dtype else None))
        link(n, res, (self, src))
    return res


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast to self's dtype and device) into self; returns self.

    >>> import ember
    >>> ember.zeros(2, 2).copy_(ember.tensor([1., 2.]))
    tensor([[1., 2.],
            [1., 2.]])
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
    if not state.enabled or not (self._rg or src._rg):
        check_inplace(self)
        res = _copy_from(self, src)
        self._data[...] = res._data
        self._bump()
        return self
    if self._base is not None:
        return apply_inplace(self, _copy_from, src)
    check_inplace(self)
    recording_self = self._rg
    res = _copy_from(self if not recording_self else _graph_alias(self), src)
    self._data[...] = res._data
    self._bump()
    self.grad_fn, self._out_nr, self._rg = res.grad_fn, res._out_nr, True
    return self


def _graph_alias(self: Tensor) -> Tensor:
    """A tensor standing for self's current graph position (its data is not used)."""
    t = _wrap(self._data)
    t.grad_fn, t._rg = self.grad_fn, self._rg
    t._out_nr = getattr(self, "_out_nr", 0)
    return t


def _make_inplace(fn):
    def method(self, *args, **kwargs):
        return apply_inplace(self, fn, *args, **kwargs)

    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


def _fast_inplace_binary(ufunc, fn):
    """In-place binary op that writes straight into self's memory when autograd is not recording."""
    def method(self, other, *args, **kwargs):
        if args or kwargs or state.enabled and (self._rg or isinstance(other, Tensor) and other._rg):
            return apply_inplace(self, fn, other, *args, **kwargs)
        sd = self._data
        od = other._data if isinstance(other, Tensor) else other
        try:
            ufunc(sd, od, out=sd, casting="same_kind")
        except (TypeError, ValueError):  # NumPy's casting errors are TypeErrors
            return apply_inplace(self, fn, other)
        self._bump()
        return self

    method.__name__ = fn.__name__ + "_"
    return method


# ----------------------------------------------------------------------------- in-place on views
def _address(a) -> int:
    return a.__array_interface__["data"][0] if type(a) is np.ndarray else a.data.ptr


def view_positions(v: Tensor, base: Tensor):
    """Flat positions (into the C-order base) of the view's elements, an int64 array of the view's shape."""
    bd, vd = base._data, v._data
    xp = array_module(bd)
    if not bd.flags.c_contiguous:
        raise RuntimeError("ember: in-place operations on a view need a contiguous base tensor; call .contiguous() "
                           "on the base first")
    isz = bd.itemsize
    offset = (_address(vd) - _address(bd)) // isz
    strides = tuple(st // isz for st in vd.strides)
    if vd.size and (min(strides, default=0) < 0 or 0 in [st for st, n in zip(strides, vd.shape) if n > 1]):
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single "
                           "memory location. Please clone() the tensor before performing the operation.")
    pos = xp.zeros(vd.shape, dtype=np.int64) + offset
    for k, (st, n) in enumerate(zip(strides, vd.shape)):
        shape = [1] * vd.ndim
        shape[k] = n
        pos = pos + (xp.arange(n, dtype=np.int64) * st).reshape(shape)
    return pos


class CopySlices(Node):
    """The base after an in-place op on its view: old base outside the view, new values inside."""

    __slots__ = ("pos", "shape")

    def backward(self, g):
        e = self.next_edges
        flat = g.reshape(-1)
        g_base = None
        if e[0] is not None:
            keep = array_module(g._data).ones(flat.shape, dtype=bool)
            keep[self.pos.reshape(-1)] = False
            g_base = (flat * _wrap(keep)).reshape(self.shape)
        g_new = flat[_wrap(self.pos)] if e[1] is not None else None
        return g_base, g_new


def inplace_on_view(v: Tensor, fn, args, kwargs) -> Tensor:
    """``fn`` applied in place to view ``v`` of a base, with the base's graph updated (CopySlices)."""
    base = v._base
    pos = view_positions(v, base)
    base_alias = _graph_alias(base)
    current = base_alias.reshape(-1)[_wrap(pos)]  # the view's values, derived from the base's current graph
    res = fn(current, *args, **kwargs)
    if res.dtype is not v.dtype:
        if res.dtype._cat > v.dtype._cat:
            raise RuntimeError(f"result type {D.legacy_name(res.dtype)} can't be cast to the desired output type "
                               f"{D.legacy_name(v.dtype)}")
        res = res.to(v.dtype)
    if res.shape != v.shape:
        try:
            res = res.expand(v.shape)
        except RuntimeError:
            raise RuntimeError(f"output with shape {list(v.shape)} doesn't match the broadcast shape "
                               f"{list(res.shape)}") from None
    v._data[...] = res._data
    v._bump()
    if state.enabled and (base._rg or res._rg):
        n = CopySlices()
        n.pos, n.shape = pos, base._data.shape
        link(n, base, (base_alias, res))
        new_view = _graph_alias(base).reshape(-1)[_wrap(pos)]
        v.grad_fn, v._out_nr, v._rg = new_view.grad_fn, 0, True
    return v


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "fill_", "zero_",
]


# ----------------------------------------------------------------------------- in-place view ops
def _renamed_node(cls, name: str):
    """PyTorch's name for an in-place view op's node (``UnsqueezeBackward1`` for ``unsqueeze_`` ...)."""
    key = (cls, name)
    sub = _RENAMED.get(key)
    if sub is None:
        sub = _RENAMED[key] = type(name, (cls,), {"__slots__": ()})
    return sub


_RENAMED: dict = {}


def _inplace_view(op: str, node_name):
    """``x.unsqueeze_(0)`` & co.: ``x`` itself takes the view's shape and strides; in a graph it takes the view's
    node (under PyTorch's name, ``node_name(args)``); the version counter is bumped as PyTorch does."""
    def method(self: Tensor, *args):
        from . import shape  # noqa: PLC0415  (shape imports nothing from here)

        fn = getattr(shape, op)
        check_inplace(self)
        if state.enabled and self._rg:
            src = _wrap(self._data)
            src.grad_fn, src._rg, src._out_nr = self.grad_fn, True, getattr(self, "_out_nr", 0)
            res = fn(src, *args)
            n = res.grad_fn
            if n is not None and n is not self.grad_fn:  # a fresh node of the view op: PyTorch's in-place name
                n.__class__ = _renamed_node(type(n), node_name(args))
            self.grad_fn, self._out_nr = n, res._out_nr
        else:
            res = fn(self, *args)
        self._data = res._data
        self._bump()
        return self

    method.__name__ = op + "_"
    return method


def _squeeze_name(args) -> str:
    if not args or args[0] is None:
        return "SqueezeBackward3"
    return "SqueezeBackward5" if isinstance(args[0], (tuple, list)) else "SqueezeBackward4"


register(unsqueeze_=_inplace_view("unsqueeze", lambda a: "UnsqueezeBackward1"),
         squeeze_=_inplace_view("squeeze", _squeeze_name), t_=_inplace_view("t", lambda a: "TBackward1"),
         transpose_=_inplace_view("transpose", lambda a: "TransposeBackward1"),
         swapaxes_=_inplace_view("transpose", lambda a: "TransposeBackward1"),
         swapdims_=_inplace_view("transpose", lambda a: "TransposeBackward1"))
