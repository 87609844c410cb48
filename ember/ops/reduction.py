"""Reductions: sum, mean, prod, max/min (+indices), amax/amin, argmax, std/var, norm, logsumexp, cum ops."""
from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, SavedOutput, link, link_multi
from ._util import Tensor, _wrap, _wrap_dim, register, state, wrap_dims
from .sorting import out_tuple, return_type

_generic = np.generic


def _arr(r):
    return np.asarray(r) if isinstance(r, _generic) else r


def _expand_back(g: Tensor, shape, dims, keepdim: bool) -> Tensor:
    """Re-insert reduced dims (size 1) into g and broadcast it to ``shape``."""
    if not keepdim and dims:
        sh = list(g.shape)
        for d in dims:
            sh.insert(d, 1)
        g = g.reshape(sh)
    return g.expand(shape)


def _expand_back_raw(g, shape, dims, keepdim):
    if not keepdim and dims:
        g = np.expand_dims(g, dims) if type(g) is np.ndarray else g.reshape(_reduced_shape(shape, dims, True))
    return np.broadcast_to(g, shape) if type(g) is np.ndarray else g * _xp_ones(g, shape)


def _xp_ones(g, shape):
    from .._device import array_module  # noqa: PLC0415

    return array_module(g).ones(shape, g.dtype)


class SumBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, g):
        return g.expand(self.shape)

    def raw(self, g):
        return _expand_back_raw(g, self.shape, tuple(range(len(self.shape))), False)


class SumBackward1(Node):
    __slots__ = ("shape", "dims", "keepdim")

    def backward(self, g):
        return _expand_back(g, self.shape, self.dims, self.keepdim)

    def raw(self, g):
        return _expand_back_raw(g, self.shape, self.dims, self.keepdim)


def _sum_dtype(dt: D.dtype) -> D.dtype:
    return D.int64 if dt._cat < 2 else dt


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:  # noqa: A001
    """Sum of all elements, or over ``dim`` (int or tuple).

    >>> import ember
    >>> ember.tensor([[1, 2], [3, 4]]).sum(0)
    tensor([4, 6])
    """
    d = input._data
    odt = dtype or _sum_dtype(input.dtype)
    npd = D.np_dtype(odt)
    if dim is None:
        r = d.sum(dtype=npd)
        if keepdim:
            r = np.reshape(r, (1,) * d.ndim)
        res = _wrap(_arr(r))
        dims = tuple(range(d.ndim))
        cls = SumBackward0 if not keepdim else SumBackward1
    else:
        dims = wrap_dims(dim, d.ndim)
        res = _wrap(_arr(d.sum(axis=dims, dtype=npd, keepdims=keepdim)))
        cls = SumBackward1
    if input._rg and state.enabled:
        n = cls()
        n.shape = d.shape
        if cls is SumBackward1:
            n.dims, n.keepdim = dims, keepdim
        if odt is not input.dtype:
            n.meta = ((d.shape, input.dtype),)
        link(n, res, (input,))
    return _maybe_out(res, out)


def _maybe_out(res, out):
    if out is None:
        return res
    from .pointwise import _out  # noqa: PLC0415

    return _out(res, out)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    from .pointwise import isnan, where  # noqa: PLC0415

    return sum(where(isnan(input), 0.0, input), dim, keepdim, dtype=dtype)


def sum_to_size(self: Tensor, *size) -> Tensor:
    """Sum broadcast dims so the result has shape ``size`` (the inverse of expand).

    >>> import ember
    >>> ember.ones(2, 3).sum_to_size(1, 3)
    tensor([[2., 2., 2.]])
    """
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    sh = self._data.shape
    if tuple(size) == sh:
        return self
    lead = len(sh) - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(sh)}}}.")
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(size) if s == 1 and sh[i + lead] != 1)
    r = sum(self, dims, keepdim=True) if dims else self
    return r.reshape(size) if lead else r


class MeanBackward0(Node):
    __slots__ = ("shape", "n")

    def backward(self, g):
        return (g / self.n).expand(self.shape)

    def raw(self, g):
        return _expand_back_raw(g / self.n, self.shape, tuple(range(len(self.shape))), False)


class MeanBackward1(Node):
    __slots__ = ("shape", "dims", "keepdim", "n")

    def backward(self, g):
        return _expand_back(g / self.n, self.shape, self.dims, self.keepdim)

    def raw(self, g):
        return _expand_back_raw(g / self.n, self.shape, self.dims, self.keepdim)


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Arithmetic mean, of all elements or over ``dim``.

    >>> import ember
    >>> ember.tensor([1., 2., 3., 4.]).mean()
    tensor(2.5000)
    """
    idt = dtype or input.dtype
    if idt._cat < 2:
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {_legacy_name(idt)}")
    d = input._data
    npd = D.np_dtype(idt)
    dims = tuple(range(d.ndim)) if dim is None else wrap_dims(dim, d.ndim)
    count = builtins.int(np.prod([d.shape[i] for i in dims])) if dims else 1
    with np.errstate(invalid="ignore", divide="ignore"):
        if dim is None and not keepdim:
            r = d.mean(dtype=npd) if d.size else np.asarray(np.nan, dtype=npd)
        else:
            r = d.mean(axis=dims, dtype=npd, keepdims=keepdim) if d.size else \
                np.full(_reduced_shape(d.shape, dims, keepdim), np.nan, dtype=npd)
    res = _wrap(_arr(np.asarray(r, dtype=npd)))
    if input._rg and state.enabled:
        if dim is None and not keepdim:
            n = MeanBackward0()
        else:
            n = MeanBackward1()
            n.dims, n.keepdim = dims, keepdim
        n.shape = d.shape
        n.n = count
        if idt is not input.dtype:
            n.meta = ((d.shape, input.dtype),)
        link(n, res, (input,))
    return _maybe_out(res, out)


def _reduced_shape(shape, dims, keepdim):
    return tuple(1 if i in dims else s for i, s in enumerate(shape)) if keepdim else \
        tuple(s for i, s in enumerate(shape) if i not in dims)


def _legacy_name(dt: D.dtype) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}.get(dt.name, dt.name)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    from .pointwise import isnan  # noqa: PLC0415

    notnan = (~isnan(input)).sum(dim, keepdim)
    return nansum(input, dim, keepdim) / notnan


class ProdBackward(Node):
    __slots__ = ("dims", "keepdim", "shape")

    def backward(self, g):
        x, y = self.saved_tensors
        dims = self.dims if self.dims is not None else tuple(range(len(self.shape)))
        keep = self.keepdim if self.dims is not None else False
        gexp = _expand_back(g, self.shape, dims, keep)
        if not bool((x._data == 0).any()):
            return gexp * _expand_back(y, self.shape, dims, keep) / x
        # with zeros, use the product of all other elements (exclusive products)
        return gexp * _exclusive_prod(x, self.dims)


ProdBackward0 = type("ProdBackward0", (ProdBackward,), {"__slots__": ()})
ProdBackward1 = type("ProdBackward1", (ProdBackward,), {"__slots__": ()})


def _exclusive_prod(x: Tensor, dims) -> Tensor:
    """Product of all other elements along ``dims`` (for each element)."""
    if dims is None or len(dims) != 1:
        flat = x.reshape(-1)
        pre = cumprod(flat, 0)
        one = flat[:1] * 0 + 1
        excl_l = cat_([one, pre[:-1]])
        rev = cumprod(flat.flip(0), 0).flip(0)
        excl_r = cat_([rev[1:], one])
        return (excl_l * excl_r).reshape(x.shape)
    d = dims[0]
    n = x.shape[d]
    one = x.narrow(d, 0, 1) * 0 + 1
    pre = cumprod(x, d)
    left = cat_([one, pre.narrow(d, 0, n - 1)], d)
    suf = cumprod(x.flip(d), d).flip(d)
    right = cat_([suf.narrow(d, 1, n - 1), one], d)
    return left * right


def cat_(ts, d=0):
    from .shape import cat  # noqa: PLC0415

    return cat(ts, d)


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of elements (all, or along ``dim``)."""
    d = input._data
    odt = dtype or _sum_dtype(input.dtype)
    if dim is None:
        res = _wrap(_arr(d.prod(dtype=D.np_dtype(odt))))
        dims = None
    else:
        dims = (_wrap_dim(dim, d.ndim),)
        res = _wrap(_arr(d.prod(axis=dims, dtype=D.np_dtype(odt), keepdims=keepdim)))
    if input._rg and state.enabled:
        n = ProdBackward0() if dim is None else ProdBackward1()
        n.dims, n.keepdim, n.shape = dims, keepdim, d.shape
        n.save(input, SavedOutput(res))
        link(n, res, (input,))
    return res


# ----------------------------------------------------------------------------- max / min


def _named_result(name):
    cls = namedtuple(name, ["values", "indices"])
    cls.__module__ = "torch.return_types"
    cls.__repr__ = lambda self: f"torch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    return cls


max_rt = _named_result("max")
min_rt = _named_result("min")


class AmaxBackward0(Node):
    """Gradient of max/min over dims: split evenly among ties."""

    __slots__ = ("dims", "keepdim")

    def backward(self, g):
        x, y = self.saved_tensors
        return _split_among_ties(g, x, y, self.dims, self.keepdim)


def _split_among_ties(g, x, y, dims, keepdim):
    """The gradient ``g`` of a max/min ``y`` of ``x`` over ``dims``, split evenly among the elements equal to it."""
    mask = x == _expand_back(y, x.shape, dims, keepdim)
    return _expand_back(g, x.shape, dims, keepdim) * mask / mask.sum(dims, keepdim=True)


AminBackward0 = type("AminBackward0", (AmaxBackward0,), {"__slots__": ()})


class MaxBackward1(AmaxBackward0):
    """Gradient of the full max/min: PyTorch's evenly_distribute_backward, the gradient split among the elements
    equal to the result (the NaNs when it is NaN) and +0.0 elsewhere."""

    __slots__ = ()

    def backward(self, g):
        from .pointwise import isnan, where  # noqa: PLC0415

        x, y = self.saved_tensors
        mask = isnan(x) if bool(isnan(y)) else x == y
        return where(mask, g / mask.sum(), g.new_zeros(()))


MinBackward1 = type("MinBackward1", (MaxBackward1,), {"__slots__": ()})


class MaxBackward0(Node):
    """Gradient of max/min with a dim: goes to the selected index."""

    __slots__ = ("dim", "keepdim", "shape")

    def backward(self, g, gi=None):
        (idx,) = self.saved_tensors
        if not self.keepdim:
            g = g.unsqueeze(self.dim)
            idx = idx.unsqueeze(self.dim)
        from .indexing import _scatter_add_new  # noqa: PLC0415

        return _scatter_add_new(g, self.shape, self.dim, idx)


MinBackward0 = type("MinBackward0", (MaxBackward0,), {"__slots__": ()})


def _amax_like(input, dim, keepdim, np_fn, cls, name):
    d = input._data
    if d.size == 0 and (dim is None or any(d.shape[i] == 0 for i in wrap_dims(dim, d.ndim))):
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           f"reduction dim with the 'dim' argument." if dim is None else
                           f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    dims = tuple(range(d.ndim)) if dim is None else wrap_dims(dim, d.ndim)
    res = _wrap(_arr(np_fn(d, axis=dims, keepdims=keepdim)))
    if input._rg and state.enabled:
        n = cls()
        n.dims, n.keepdim = dims, keepdim
        n.save(input, SavedOutput(res))
        link(n, res, (input,))
    return res


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (all dims by default); ties share the gradient."""
    return _amax_like(input, None if dim == () else dim, keepdim, np.max, AmaxBackward0, "amax")


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    return _amax_like(input, None if dim == () else dim, keepdim, np.min, AminBackward0, "amin")


class AminmaxBackward0(Node):
    """Both outputs (min, max) of one node; each gradient is split evenly among the ties, as amin/amax."""

    __slots__ = ("dims", "keepdim")
    num_outputs = 2

    def backward(self, g_min, g_max):
        x, mn, mx = self.saved_tensors
        r = None
        for g, y in ((g_min, mn), (g_max, mx)):
            if g is not None:
                t = _split_among_ties(g, x, y, self.dims, self.keepdim)
                r = t if r is None else r + t
        return r


aminmax_rt = return_type("aminmax", ["min", "max"])


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False, out=None):
    """``(min, max)`` over ``dim`` (all elements by default) as a named tuple.

    >>> import ember
    >>> ember.aminmax(ember.tensor([[1, 5], [7, 2]]), dim=1)
    torch.return_types.aminmax(
    min=tensor([1, 2]),
    max=tensor([5, 7]))
    """
    if dim is not None and not isinstance(dim, (builtins.int, np.integer)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    if input.dtype._cat == 3:
        raise NotImplementedError(f'"aminmax_cpu" not implemented for \'{D.legacy_name(input.dtype)}\'')
    d = input._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        dims = tuple(range(d.ndim))
    else:
        dims = wrap_dims(dim, d.ndim)
        if dims and d.shape[dims[0]] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {dims[0]} to have non-zero size.")
    mn, mx = (_wrap(_arr(f(d, axis=dims, keepdims=keepdim))) for f in (np.min, np.max))
    if input._rg and state.enabled:
        n = AminmaxBackward0()
        n.dims, n.keepdim = dims, keepdim
        n.save(input, SavedOutput(mn, 0), SavedOutput(mx, 1))
        link_multi(n, (mn, mx), (input,))
    return out_tuple(aminmax_rt, (mn, mx), out)


def _max_min(input, dim, keepdim, other, is_max, name=None):
    from .pointwise import maximum, minimum  # noqa: PLC0415

    if isinstance(dim, Tensor):
        return (maximum if is_max else minimum)(input, dim)
    if other is not None:
        return (maximum if is_max else minimum)(input, other)
    name = name or ("max" if is_max else "min")
    if dim is None:
        return _amax_like(input, None, False, np.max if is_max else np.min,
                          MaxBackward1 if is_max else MinBackward1, name)
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    if d.ndim and d.shape[ax] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")
    if d.ndim == 0:
        idx = np.zeros((), dtype=np.int64)
        vals = d.copy()
    else:
        idx = _arg_first(d, ax, is_max)
        vals = np.take_along_axis(d, np.expand_dims(idx, ax), ax)
        if not keepdim:
            vals = vals.squeeze(ax)
        else:
            idx = np.expand_dims(idx, ax)
    values = _wrap(_arr(vals))
    indices = _wrap(_arr(idx.astype(np.int64)))
    if input._rg and state.enabled:
        n = MaxBackward0() if is_max else MinBackward0()
        n.dim, n.keepdim, n.shape = ax, keepdim or d.ndim == 0, d.shape
        n.save(indices)
        link(n, values, (input,))
    return (max_rt if is_max else min_rt)(values, indices)


def _arg_first(d, ax, is_max):
    """argmax/argmin that treats NaN as the extreme (PyTorch propagates NaN)."""
    if d.dtype.kind == "f" and np.isnan(d).any():
        nanpos = np.isnan(d)
        r = np.argmax(nanpos, axis=ax)
        has = nanpos.any(axis=ax)
        other = np.argmax(d, axis=ax) if is_max else np.argmin(d, axis=ax)
        return np.where(has, r, other)
    return np.argmax(d, axis=ax) if is_max else np.argmin(d, axis=ax)


def max(input: Tensor, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """Maximum of all elements; with ``dim``, a (values, indices) named tuple; with a tensor, elementwise.

    >>> import ember
    >>> ember.tensor([[1, 5], [7, 2]]).max(dim=1)
    torch.return_types.max(
    values=tensor([5, 7]),
    indices=tensor([1, 0]))
    """
    return _max_min(input, dim, keepdim, None, True)


def min(input: Tensor, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """Minimum of all elements; with ``dim``, a (values, indices) named tuple; with a tensor, elementwise."""
    return _max_min(input, dim, keepdim, None, False)


def argmax(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the maximum (of the flattened tensor when dim is None)."""
    d = input._data
    if dim is None:
        if d.size == 0:
            raise IndexError("argmax(): Expected reduction dim to be specified for input.numel() == 0.")
        r = _arg_first(d.reshape(-1), 0, True)
        return _wrap(_arr(np.asarray(r, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ())))
    return _max_min(input, dim, keepdim, None, True, "argmax").indices


def argmin(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the minimum (of the flattened tensor when dim is None)."""
    d = input._data
    if dim is None:
        if d.size == 0:
            raise IndexError("argmin(): Expected reduction dim to be specified for input.numel() == 0.")
        r = _arg_first(d.reshape(-1), 0, False)
        return _wrap(_arr(np.asarray(r, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ())))
    return _max_min(input, dim, keepdim, None, False, "argmin").indices


# ----------------------------------------------------------------------------- var / std
def _var_args(input, dim, unbiased, correction, name="var"):
    """Normalise var/std arguments: (dims, count, degrees of freedom)."""
    if isinstance(dim, builtins.bool):  # var(x, False): the positional argument is ``unbiased``
        dim, unbiased = None, dim
    if isinstance(unbiased, (builtins.int, builtins.float)) and not isinstance(unbiased, builtins.bool) and \
            dim is None:
        dim, unbiased = unbiased, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if input.dtype._cat < 2:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    d = input._data
    dims = tuple(range(d.ndim)) if dim is None else wrap_dims(dim, d.ndim)
    n = builtins.int(np.prod([d.shape[i] for i in dims])) if dims else 1
    dof = builtins.max(n - correction, 0)
    if dof == 0:
        import warnings  # noqa: PLC0415

        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                      "factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return dims, n, dof


def _var_np(d, dims, keepdim, dof):
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = d.mean(axis=dims, keepdims=True) if d.size else np.full((1,) * d.ndim, np.nan, dtype=d.dtype)
        diff = d - mu
        v = (diff * diff).sum(axis=dims, keepdims=keepdim) / (dof if dof else 0.0)
    return _arr(np.asarray(v, dtype=d.dtype)), mu


class VarBackward0(Node):
    """d var / dx = 2 (x - mean) / dof (its own Tensor formula, so double backward works)."""

    __slots__ = ("dims", "keepdim", "dof")

    def backward(self, g):
        (x,) = self.saved_tensors
        return self._from_var_grad(x, g)

    def _from_var_grad(self, x, g):
        mu = mean(x, self.dims, keepdim=True)
        scale = 2.0 / self.dof if self.dof else float("inf")
        return _expand_back(g, x.shape, self.dims, self.keepdim) * (x - mu) * scale


class StdBackward0(VarBackward0):
    __slots__ = ()

    def backward(self, g):
        x, y = self.saved_tensors
        from .pointwise import where  # noqa: PLC0415

        return self._from_var_grad(x, where(y == 0, g * 0, g / (y * 2)))


class VarMeanBackward0(VarBackward0):
    """Two outputs (var or std, mean) of one node, as in PyTorch."""

    __slots__ = ()
    num_outputs = 2

    def backward(self, g_var, g_mean):
        x, y = self.saved_tensors
        if type(self) is StdMeanBackward0 and g_var is not None:
            from .pointwise import where  # noqa: PLC0415

            g_var = where(y == 0, g_var * 0, g_var / (y * 2))
        n = 1
        for i in self.dims:
            n *= x.shape[i]
        r = None
        if g_var is not None:
            r = self._from_var_grad(x, g_var)
        if g_mean is not None:
            gm = _expand_back(g_mean / n, x.shape, self.dims, self.keepdim)
            r = gm if r is None else r + gm
        return r if r is not None else x * 0


StdMeanBackward0 = type("StdMeanBackward0", (VarMeanBackward0,), {"__slots__": ()})


def _var_std(input, dim, unbiased, keepdim, correction, is_std, with_mean):
    name = ("std" if is_std else "var") + ("_mean" if with_mean else "")
    dims, n, dof = _var_args(input, dim, unbiased, correction, name)
    d = input._data
    v, mu = _var_np(d, dims, keepdim, dof)
    res = _wrap(_arr(np.sqrt(v)) if is_std else v)
    m = _wrap(_arr(mu if keepdim else mu.reshape(_reduced_shape(d.shape, dims, False)))) if with_mean else None
    if input._rg and state.enabled:
        if with_mean:
            node = StdMeanBackward0() if is_std else VarMeanBackward0()
        else:
            node = StdBackward0() if is_std else VarBackward0()
        node.dims, node.keepdim, node.dof = dims, keepdim, dof
        if is_std or with_mean:
            node.save(input, SavedOutput(res))
        else:
            node.save(input)
        if with_mean:
            link_multi(node, (res, m), (input,))
        else:
            link(node, res, (input,))
    return (res, m) if with_mean else res


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """Variance with Bessel's correction by default (``correction=1``).

    >>> import ember
    >>> ember.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    """
    return _var_std(input, dim, unbiased, keepdim, correction, False, False)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """Standard deviation (square root of ``var``).

    >>> import ember
    >>> ember.tensor([1., 3.]).std()
    tensor(1.4142)
    """
    return _var_std(input, dim, unbiased, keepdim, correction, True, False)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(var, mean)`` in one pass (one graph node, like PyTorch)."""
    return _var_std(input, dim, unbiased, keepdim, correction, False, True)


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(std, mean)`` in one pass."""
    return _var_std(input, dim, unbiased, keepdim, correction, True, True)


# ----------------------------------------------------------------------------- logsumexp, norm
class LogsumexpBackward0(Node):
    __slots__ = ("dims", "keepdim")

    def backward(self, g):
        x, y = self.saved_tensors
        return _expand_back(g, x.shape, self.dims, self.keepdim) * (
            x - _expand_back(y, x.shape, self.dims, self.keepdim)).exp()


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over ``dim``, computed stably.

    >>> import ember
    >>> ember.tensor([0., 0.]).logsumexp(0)
    tensor(0.6931)
    """
    x = input if input.dtype._cat >= 2 else input.to(D._default.dtype)
    d = x._data
    dims = wrap_dims(dim, d.ndim)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if d.size:
            m = d.max(axis=dims, keepdims=True)
            m = np.where(np.isinf(m), 0, m).astype(d.dtype, copy=False)
        else:
            m = np.zeros((1,) * d.ndim, dtype=d.dtype)
        r = np.log(np.exp(d - m).sum(axis=dims, keepdims=True)) + m
    if not keepdim:
        r = r.reshape(_reduced_shape(d.shape, dims, False))
    res = _wrap(_arr(r))
    if x._rg and state.enabled:
        n = LogsumexpBackward0()
        n.dims, n.keepdim = dims, keepdim
        n.save(x, SavedOutput(res))
        link(n, res, (x,))
    return res


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """Vector or matrix norm (``torch.norm``)."""
    from .. import linalg  # noqa: PLC0415

    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) == 1):
            return linalg.vector_norm(input, 2, dim, keepdim, dtype=dtype)
        return linalg.matrix_norm(input, p, dim if dim is not None else (-2, -1), keepdim, dtype=dtype)
    return linalg.vector_norm(input, p if p is not None else 2, dim, keepdim, dtype=dtype)


def dist(input: Tensor, other: Tensor, p=2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast) over all elements: ``torch.dist``.

    >>> import ember
    >>> ember.dist(ember.tensor([3., 0.]), ember.tensor([0., 4.]))
    tensor(5.)
    """
    from .. import linalg  # noqa: PLC0415
    from .pointwise import sub  # noqa: PLC0415

    diff = sub(input, other)
    if diff.dtype._cat < 2:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{D.legacy_name(diff.dtype)} instead.")
    return linalg.vector_norm(diff, p)


def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:  # noqa: A002
    """Each slice ``input.select(dim, i)`` whose ``p``-norm exceeds ``maxnorm`` scaled down to that norm (by
    ``maxnorm / (norm + 1e-7)``, PyTorch's factor); the others unchanged. Differentiable through the norms.

    >>> import ember
    >>> ember.renorm(ember.tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1.)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    from .. import linalg  # noqa: PLC0415
    from .ternary import where  # noqa: PLC0415

    if not isinstance(input, Tensor):
        raise TypeError(f"renorm(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {float(maxnorm):g}")
    if input.dtype._cat < 2:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{D.legacy_name(input.dtype)}")
    nd = input.dim()
    if nd <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {nd} dimensions")
    d = _wrap_dim(dim, nd)
    norms = linalg.vector_norm(input, p, tuple(i for i in range(nd) if i != d), keepdim=True)
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0).to(input.dtype)
    return input * factor


# ----------------------------------------------------------------------------- cumulative
class CumsumBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        return g.flip(self.dim).cumsum(self.dim).flip(self.dim)


def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Cumulative sum along ``dim``."""
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    odt = dtype or _sum_dtype(input.dtype)
    res = _wrap(_arr(np.cumsum(d, axis=ax if d.ndim else None, dtype=D.np_dtype(odt)).reshape(d.shape)))
    if input._rg and state.enabled:
        n = CumsumBackward0()
        n.dim = ax
        if odt is not input.dtype:
            n.meta = ((d.shape, input.dtype),)
        link(n, res, (input,))
    return res


class CumprodBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        x, y = self.saved_tensors
        d = self.dim
        if not bool((x._data == 0).any()):
            return (g * y).flip(d).cumsum(d).flip(d) / x
        # exact formula with zeros: sum_{k>=i} g_k * prod_{j<=k, j!=i} x_j, done densely (O(n^2) along dim)
        n = x.shape[d]
        xm = x.movedim(d, -1)
        gm = g.movedim(d, -1)
        outs = []
        for i in range(n):
            parts = []
            for k in range(i, n):
                sel = [j for j in range(k + 1) if j != i]
                p = xm[..., sel].prod(-1) if sel else xm[..., 0] * 0 + 1
                parts.append(gm[..., k] * p)
            s = parts[0]
            for p in parts[1:]:
                s = s + p
            outs.append(s)
        from .shape import stack  # noqa: PLC0415

        return stack(outs, -1).movedim(-1, d)


def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Cumulative product along ``dim``."""
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    odt = dtype or _sum_dtype(input.dtype)
    res = _wrap(_arr(np.cumprod(d, axis=ax if d.ndim else None, dtype=D.np_dtype(odt)).reshape(d.shape)))
    if input._rg and state.enabled:
        n = CumprodBackward0()
        n.dim = ax
        n.save(input, SavedOutput(res))
        link(n, res, (input,))
    return res


class CummaxBackward0(Node):
    __slots__ = ("dim", "shape")

    def backward(self, g, gi=None):
        (idx,) = self.saved_tensors
        from .indexing import _scatter_add_new  # noqa: PLC0415

        return _scatter_add_new(g, self.shape, self.dim, idx)


def _cum_extreme(input, dim, is_max):
    d = input._data
    ax = _wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return d.copy(), np.zeros((), np.int64), ax
    fn = np.maximum if is_max else np.minimum
    vals = fn.accumulate(d, axis=ax)
    n = d.shape[ax]
    ar = np.arange(n).reshape([-1 if i == ax else 1 for i in range(d.ndim)])
    hit = (d == vals) if d.dtype.kind != "f" else ((d == vals) | np.isnan(d))
    idx = np.maximum.accumulate(np.where(hit, ar, 0), axis=ax)
    return vals, idx.astype(np.int64), ax


def cummax(input: Tensor, dim: int):
    """Running maximum and its indices along ``dim``."""
    vals, idx, ax = _cum_extreme(input, dim, True)
    return _cum_result(input, vals, idx, ax, "cummax")


def cummin(input: Tensor, dim: int):
    vals, idx, ax = _cum_extreme(input, dim, False)
    return _cum_result(input, vals, idx, ax, "cummin")


def _cum_result(input, vals, idx, ax, name):
    values, indices = _wrap(_arr(vals)), _wrap(_arr(idx))
    if input._rg and state.enabled:
        n = CummaxBackward0() if name == "cummax" else type("CumminBackward0", (CummaxBackward0,), {"__slots__": ()})()
        n.dim, n.shape = ax, input._data.shape
        n.save(indices)
        link(n, values, (input,))
    return _named_result(name)(values, indices)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    ax = _wrap_dim(dim, input.ndim)
    m = amax(input, ax, keepdim=True).detach() if input.numel() else input.sum(ax, keepdim=True) * 0
    return (input - m).exp().cumsum(ax).log() + m


# ----------------------------------------------------------------------------- boolean reductions
def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether all elements are nonzero (over ``dim``)."""
    d = input._data
    r = d.all() if dim is None else d.all(axis=wrap_dims(dim, d.ndim), keepdims=keepdim)
    res = _wrap(_arr(r))
    return res if input.dtype is not D.uint8 else res.to(D.uint8)


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether any element is nonzero (over ``dim``)."""
    d = input._data
    r = d.any() if dim is None else d.any(axis=wrap_dims(dim, d.ndim), keepdims=keepdim)
    res = _wrap(_arr(r))
    return res if input.dtype is not D.uint8 else res.to(D.uint8)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    d = input._data
    r = np.count_nonzero(d, axis=None if dim is None else wrap_dims(dim, d.ndim))
    return _wrap(_arr(np.asarray(r, dtype=np.int64)))


def _cumulative_(fn):
    """``x.cumsum_(dim)`` / ``x.cumprod_(dim)``: the scan written back into ``x`` (PyTorch's in-place rules)."""
    def method(self: Tensor, dim: int, *, dtype=None) -> Tensor:
        from .._tensor import _C_NAMES  # noqa: PLC0415
        from .inplace import apply_inplace  # noqa: PLC0415

        if dtype is not None and dtype is not self.dtype:
            a, b = self.dtype.name, dtype.name
            raise RuntimeError(f"Bad in-place call: input tensor dtype {_C_NAMES.get(a, a)} and output tensor dtype "
                               f"{_C_NAMES.get(b, b)} should match")
        return apply_inplace(self, fn, dim, dtype=dtype)

    method.__name__ = fn.__name__ + "_"
    return method


register(sum=sum, nansum=nansum, sum_to_size=sum_to_size, mean=mean, nanmean=nanmean, prod=prod, amax=amax,
         amin=amin, aminmax=aminmax, max=max, min=min, argmax=argmax, argmin=argmin, var=var, std=std,
         logsumexp=logsumexp, norm=norm, dist=dist, cumsum=cumsum, cumprod=cumprod, cumsum_=_cumulative_(cumsum),
         cumprod_=_cumulative_(cumprod), cummax=cummax, cummin=cummin, logcumsumexp=logcumsumexp, all=all, any=any,
         count_nonzero=count_nonzero, renorm=renorm)


def _renorm_(self: Tensor, p, dim: int, maxnorm) -> Tensor:
    """``Tensor.renorm_``: ``renorm`` in place."""
    return self.copy_(renorm(self, p, dim, maxnorm))


_renorm_.__name__ = "renorm_"
register(renorm_=_renorm_)


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "all", "amax", "amin", "aminmax", "any", "argmax", "argmin", "count_nonzero", "cummax", "cummin", "cumprod",
    "cumsum", "dist", "logcumsumexp", "logsumexp", "max", "mean", "min", "nanmean", "nansum", "norm", "prod",
    "renorm", "std", "std_mean", "sum", "var", "var_mean",
]
