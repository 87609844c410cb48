"""Shared helpers of the op families: argument wrapping, dtype promotion, method registration."""
from __future__ import annotations

import builtins
import numbers
import traceback

import numpy as np

from .. import _dtype as D
from .._device import array_module
from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.graph import _edge, _next_seq
from ..autograd.grad_mode import state

__all__ = ["Tensor", "_wrap", "_wrap_dim", "state", "np", "D", "array_module", "register", "is_scalar", "_arr",
           "_meta", "_binary_node", "_needs_grad",
           "result_type", "prep_binary", "to_array", "wrap_dims", "check_same_device",
           "as_tensor_arg", "builtins"]

_SCALARS = (builtins.int, builtins.float, builtins.bool, builtins.complex)


def register(*names, **methods):
    """Attach functions as Tensor methods: ``register(exp=exp)`` or as a decorator ``@register("exp")``."""
    for n, f in methods.items():
        setattr(Tensor, n, f)
    if names:
        def deco(f):
            for n in names:
                setattr(Tensor, n, f)
            return f
        return deco
    return None


def is_scalar(x) -> bool:
    return type(x) in _SCALARS or isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, Tensor)


def result_type(*args) -> D.dtype:
    """PyTorch's result dtype of tensors and Python scalars (dim tensors > 0-d tensors > scalars)."""
    dim_r = zero_r = wrap_r = None
    for a in args:
        if isinstance(a, Tensor):
            dt = a.dtype
            if a._data.ndim:
                dim_r = dt if dim_r is None else D.promote_types(dim_r, dt)
            else:
                zero_r = dt if zero_r is None else D.promote_types(zero_r, dt)
        elif a is not None:
            dt = D.scalar_dtype(a)
            wrap_r = dt if wrap_r is None else D.promote_types(wrap_r, dt)
    return D.combine_categories(dim_r, D.combine_categories(zero_r, wrap_r))


def check_same_device(a: Tensor, b: Tensor) -> None:
    da, db = a._data, b._data
    if type(da) is not type(db):
        if da.ndim == 0 and type(da) is np.ndarray or db.ndim == 0 and type(db) is np.ndarray:
            return  # a CPU scalar tensor may join a CUDA op, as in PyTorch
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{b.device if type(da) is np.ndarray else a.device} and "
                           f"{a.device if type(da) is np.ndarray else b.device}!")


def to_array(x, dt: D.dtype, like):
    """``x`` (Tensor or scalar) as an array of dtype ``dt`` on the device of array ``like``."""
    npd = D.np_dtype(dt)
    if isinstance(x, Tensor):
        a = x._data
        if type(a) is not type(like):
            a = array_module(like).asarray(a)
        return a if a.dtype == npd else a.astype(npd)
    return array_module(like).asarray(x, dtype=npd)


def broadcast_error(*shapes) -> RuntimeError | None:
    """PyTorch's error for operand shapes that do not broadcast (None when they do): the shapes are combined left
    to right, as TensorIterator does, and a failing pair is reported at its rightmost bad dimension, counted in
    the longer shape.

    >>> str(broadcast_error((2, 3), (4,)))
    'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'
    """
    acc = tuple(shapes[0])
    for sb in shapes[1:]:
        sb = tuple(sb)
        nd = builtins.max(len(acc), len(sb))
        out = []
        for i in range(nd - 1, -1, -1):
            off = nd - 1 - i
            x = acc[len(acc) - 1 - off] if off < len(acc) else 1
            y = sb[len(sb) - 1 - off] if off < len(sb) else 1
            if x != y and x != 1 and y != 1:
                return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                    f"non-singleton dimension {i}")
            out.append(x if y == 1 else y)
        acc = tuple(reversed(out))
    return None


def check_broadcast(*operands) -> None:
    """Raise PyTorch's error when the shapes of these tensors/arrays (None and Python numbers skipped), taken in
    PyTorch's operand order, do not broadcast."""
    shapes = [x.shape for x in operands if x is not None and not isinstance(x, (builtins.int, builtins.float,
                                                                                  builtins.bool, builtins.complex))]
    if len(shapes) > 1 and any(sh != shapes[0] for sh in shapes[1:]):
        err = broadcast_error(*shapes)
        if err is not None:
            raise err


def prep_binary(a, b, broadcast: bool = True):
    """Arrays of two operands (at least one Tensor) in their common dtype, plus that dtype. Tensor shapes that do
    not broadcast raise PyTorch's RuntimeError here (NumPy's would be a ValueError), unless ``broadcast`` is
    False (``isin``: any two shapes)."""
    tb = type(b)
    if (tb is builtins.float or tb is builtins.int) and isinstance(a, Tensor):
        ad = a._data
        if ad.dtype.kind == "f":  # float tensor op Python number: the tensor's dtype wins (NumPy agrees)
            return ad, b, _FROM_NP_get(ad.dtype)
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        ad, bd = a._data, b._data
        if ad.shape != bd.shape and broadcast:
            err = broadcast_error(ad.shape, bd.shape)
            if err is not None:
                raise err
        if ad.dtype == bd.dtype and type(ad) is type(bd):
            return ad, bd, _FROM_NP_get(ad.dtype)
        check_same_device(a, b)
        dt = result_type(a, b)
        like = ad if type(ad) is not np.ndarray else bd
        return to_array(a, dt, like), to_array(b, dt, like), dt
    if not isinstance(a, Tensor):
        if not is_scalar(a):
            if _array_like(a):
                return prep_binary(as_tensor_arg(a, b), b, broadcast)
            raise TypeError(f"unsupported operand type: '{type(a).__name__}'")
        dt = result_type(b, a)
        bd = b._data
        return to_array(a, dt, bd), (bd if bd.dtype == dt.np else bd.astype(D.np_dtype(dt))), dt
    if not is_scalar(b):
        if _array_like(b):
            return prep_binary(a, as_tensor_arg(b, a), broadcast)
        raise TypeError(f"unsupported operand type: '{type(b).__name__}'")
    dt = result_type(a, b)
    ad = a._data
    return (ad if ad.dtype == dt.np else ad.astype(D.np_dtype(dt))), to_array(b, dt, ad), dt


_FROM_NP_get = D._FROM_NP.__getitem__


def _array_like(x) -> bool:
    """NumPy/CuPy arrays (not lists) take part in binary ops as tensors, as in PyTorch."""
    return hasattr(x, "__array__") and not isinstance(x, (list, tuple, str))


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """Wrap a scalar or array-like into a Tensor (PyTorch's wrapped-number semantics for scalars)."""
    if isinstance(x, Tensor):
        return x
    if is_scalar(x):
        dt = D.scalar_dtype(x)
        xp = array_module(like._data) if like is not None else np
        return _wrap(xp.asarray(x, dtype=D.np_dtype(dt)))
    from .creation import tensor  # noqa: PLC0415

    return tensor(x, device=like.device if like is not None else None)


def wrap_dims(dim, ndim: int) -> tuple:
    """Normalise ``dim`` (int, tuple, list or None=all) to a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (builtins.int, np.integer)):
        d = _wrap_dim(builtins.int(dim), ndim)
        return (d,) if ndim else ()  # a 0-d tensor has no dims to reduce (dim 0 / -1 are accepted)
    if isinstance(dim, str) or not hasattr(dim, "__iter__"):
        raise TypeError(f"dim must be an int or a tuple of ints, not {type(dim).__name__}")
    dims = tuple(_wrap_dim(d.__index__(), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    if not ndim:
        return ()
    return tuple(sorted(dims)) if dims else tuple(range(ndim))


# ----------------------------------------------------------------------------- elementwise-op helpers
def memory_order(a):
    """The axes of a strided array from outermost to innermost in memory (stable for equal strides), or None when
    that is the axes' own order."""
    order = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))
    return None if order == list(range(a.ndim)) else tuple(order)


def empty_in_order(shape, order, dtype, make=np.empty):
    """A ``make``-d array (``np.empty``, ``np.zeros``, ...) of ``shape`` laid out with its axes in ``order``
    (outermost first, as ``memory_order`` gives; None: row-major)."""
    if order is None:
        return make(shape, dtype=dtype)
    return make(tuple(shape[i] for i in order), dtype=dtype).transpose(np.argsort(order))


def _arr(r):
    """Ufuncs return NumPy scalars for 0-d inputs; keep everything an array."""
    return np.asarray(r) if isinstance(r, np.generic) else r


_INT_VIEW = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


def keep_on_tie(ufunc, x, bound, out=None):
    """``ufunc(x, bound)`` for NumPy's ``maximum`` / ``minimum``, returning ``x`` where the two compare equal.

    The operands differ there only for zeros of opposite sign, and PyTorch keeps ``x`` (``clamp(-0.0, min=0)``,
    ELU's ``min(x, 0)``, max pooling's running maximum give -0.0). NumPy returns the second operand on ties for
    float32/64 (SIMD max/min instructions) and the first for float16.
    """
    if getattr(x, "dtype", None) == np.float16:
        return ufunc(x, bound, out=out)
    return ufunc(bound, x, out=out)


def select_grad(g, cond, keep: bool = True):
    """Raw gradient ``g`` where ``cond`` is ``keep``, +0.0 elsewhere (``cond`` a bool array of ``g``'s shape).

    PyTorch's masked gradients (threshold_backward, clamp, max pooling, max) are selects: a product with a 0/1 mask
    would give -0.0 under negative gradients (which prints) and NaN under infinite ones. For float32/64 NumPy
    arrays the select is a bitwise AND of the gradient's bits with an all-ones / all-zeros mask: three passes, as
    fast as the product ((64, 16, 28, 28) float32: ~5 % slower; np.where ~10x slower).
    """
    it = _INT_VIEW.get(g.dtype) if type(g) is np.ndarray and type(cond) is np.ndarray else None
    if it is None or cond.shape != g.shape:
        zero = g.dtype.type(0)
        return array_module(g).where(cond, g, zero) if keep else array_module(g).where(cond, zero, g)
    m = np.empty(g.shape, dtype=it)
    if keep:
        np.subtract(0, cond.view(np.int8), out=m)  # -1 (all bits set) where cond, else 0
    else:
        np.subtract(cond.view(np.int8), 1, out=m)  # 0 where cond, else -1
    np.bitwise_and(g.view(it), m, out=m)
    return m.view(g.dtype)


def _meta(t, shape, dt):
    """Engine fix-up for one input: None, or (shape, dtype) when broadcasting or promotion happened."""
    if not isinstance(t, Tensor):
        return None
    tdt = t.dtype
    if t._data.shape == shape and tdt is dt:
        return None
    return (t._data.shape, tdt if tdt is not dt else None)


def _binary_node(node, out, a, b, dt):
    """Link a binary op's node: edges to the Tensor operands, and ``meta`` if broadcasting/promotion happened.

    The hot path of every binary op, so written out: same shape and dtype needs no meta, and an operand that
    is not a Tensor (a Python number) or wants no gradient gets no edge.
    """
    shape, npd = out._data.shape, dt.np
    if type(a) is Tensor:
        x = a._data
        ea = ((a, 0) if a.grad_fn is None else (a.grad_fn, a._out_nr)) if a._rg else None
        ma = None if x.shape == shape and x.dtype == npd else _meta(a, shape, dt)
    else:
        ma = _meta(a, shape, dt)
        ea = _edge(a) if isinstance(a, Tensor) else None
    if type(b) is Tensor:
        x = b._data
        eb = ((b, 0) if b.grad_fn is None else (b.grad_fn, b._out_nr)) if b._rg else None
        mb = None if x.shape == shape and x.dtype == npd else _meta(b, shape, dt)
    else:
        mb = _meta(b, shape, dt)
        eb = _edge(b) if isinstance(b, Tensor) else None
    if ma is not None or mb is not None:
        node.meta = (ma, mb)
    node.next_edges = (ea, eb)
    node.seq = _next_seq()
    if state.anomaly:
        node._trace = "".join(traceback.format_stack()[:-1])
    out.grad_fn = node
    out._out_nr = 0
    out._rg = True


def _needs_grad(a, b) -> bool:
    return state.enabled and ((isinstance(a, Tensor) and a._rg) or (isinstance(b, Tensor) and b._rg))


def binary_result(arr, input, other, dt, cls) -> Tensor:
    """Wrap a binary op's raw result and record node class ``cls`` (saving both operands) when a gradient is
    needed: the common tail of maximum, minimum, fmax / fmin, atan2 and logaddexp."""
    res = _wrap(_arr(arr))
    if _needs_grad(input, other):
        n = cls()
        n.save(input, other)
        _binary_node(n, res, input, other, dt)
    return res
