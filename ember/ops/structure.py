"""Matrix-structure ops: diag/diagonal, tril/triu, repeat/tile, repeat_interleave, meshgrid, cross, cdist, ..."""
from __future__ import annotations

import builtins
import warnings

import numpy as np

from .. import _dtype as D
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, _wrap_dim, array_module, check_broadcast, register, result_type, state, to_array

__all__ = ["block_diag", "cartesian_prod", "cdist", "combinations", "cross", "cumulative_trapezoid", "diag",
           "diag_embed", "diagflat", "diagonal", "diff", "meshgrid", "repeat_interleave", "rot90", "tile", "trapezoid",
           "trapz", "tril", "tril_indices", "triu", "triu_indices"]


def _legacy(dt: D.dtype) -> str:
    from .reduction import _legacy_name  # noqa: PLC0415

    return _legacy_name(dt)


# ----------------------------------------------------------------------------- diagonal
def _diag_array(a, offset: int, d1: int, d2: int):
    """A writable view of the diagonal of array ``a`` over dims d1, d2 (the diagonal becomes the last dim)."""
    v = array_module(a).diagonal(a, offset, d1, d2)
    if type(v) is np.ndarray and not v.flags.writeable and a.flags.writeable:
        v.flags.writeable = True
    return v


class DiagonalBackward0(Node):
    __slots__ = ("d1", "d2", "offset", "shape")

    def backward(self, g):
        return _diag_scatter(g, self.shape, self.offset, self.d1, self.d2)


DiagonalBackward0_copy = type("DiagonalBackward0_copy", (DiagonalBackward0,), {"__slots__": ()})


class DiagonalBackwardBackward0(Node):
    __slots__ = ("d1", "d2", "offset")

    def backward(self, g):
        return diagonal(g, self.offset, self.d1, self.d2)


def _diag_scatter(g: Tensor, shape, offset: int, d1: int, d2: int) -> Tensor:
    """zeros(shape) with ``g`` written on the diagonal (differentiable in g)."""
    z = array_module(g._data).zeros(shape, dtype=g._data.dtype)
    _diag_array(z, offset, d1, d2)[...] = g._data
    res = _wrap(z)
    if g._rg and state.enabled:
        n = DiagonalBackwardBackward0()
        n.offset, n.d1, n.d2 = offset, d1, d2
        link(n, res, (g,))
    return res


def _diag_dims(nd: int, dim1: int, dim2: int):
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A view of the diagonal over ``dim1``/``dim2`` (appended as the last dim); ``offset`` > 0 is above.

    >>> import ember
    >>> ember.arange(9).view(3, 3).diagonal(1)
    tensor([1, 5])
    """
    from .shape import _view_result  # noqa: PLC0415

    d = input._data
    d1, d2 = _diag_dims(d.ndim, dim1, dim2)
    res = _view_result(input, _diag_array(d, offset, d1, d2))
    if input._rg and state.enabled:
        n = DiagonalBackward0()
        n.shape, n.offset, n.d1, n.d2 = d.shape, offset, d1, d2
        link(n, res, (input,))
    return res


class DiagEmbedBackward0(Node):
    __slots__ = ("d1", "d2", "offset")

    def backward(self, g):
        return diagonal(g, self.offset, self.d1, self.d2)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices (over new dims ``dim1``/``dim2``) whose diagonal is the last dim of ``input``.

    >>> import ember
    >>> ember.diag_embed(ember.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    d = input._data
    nd = d.ndim + 1
    d1, d2 = _diag_dims(nd, dim1, dim2)
    m = d.shape[-1] + builtins.abs(offset)
    rest = list(d.shape[:-1])
    lo, hi = builtins.min(d1, d2), builtins.max(d1, d2)
    rest.insert(lo, m)
    rest.insert(hi, m)
    z = array_module(d).zeros(tuple(rest), dtype=d.dtype)
    _diag_array(z, offset, d1, d2)[...] = d
    res = _wrap(z)
    if input._rg and state.enabled:
        n = DiagEmbedBackward0()
        n.offset, n.d1, n.d2 = offset, d1, d2
        link(n, res, (input,))
    return res


def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """1-D input: a square matrix with it on a diagonal; 2-D input: a copy of one diagonal.

    >>> import ember
    >>> ember.diag(ember.tensor([[1, 2], [3, 4]]))
    tensor([1, 4])
    """
    nd = input.ndim
    if nd == 1:
        res = diag_embed(input, diagonal, 0, 1)
    elif nd == 2:
        d = input._data
        res = _wrap(_diag_array(d, diagonal, 0, 1).copy())
        if input._rg and state.enabled:
            n = DiagonalBackward0_copy()
            n.shape, n.offset, n.d1, n.d2 = d.shape, diagonal, 0, 1
            link(n, res, (input,))
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(res, out)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A 2-D matrix with the flattened input on diagonal ``offset``.

    >>> import ember
    >>> ember.diagflat(ember.tensor([[1, 2]])).shape
    torch.Size([2, 2])
    """
    return diag_embed(input.reshape(-1), offset, 0, 1)


# ----------------------------------------------------------------------------- tril / triu
class TrilBackward0(Node):
    __slots__ = ("k",)

    def backward(self, g):
        return tril(g, self.k)


class TriuBackward0(Node):
    __slots__ = ("k",)

    def backward(self, g):
        return triu(g, self.k)


def _tri(input: Tensor, k: int, lower: bool) -> Tensor:
    d = input._data
    name = "tril" if lower else "triu"
    if d.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    xp = array_module(d)
    res = _wrap((xp.tril if lower else xp.triu)(d, k))
    if input._rg and state.enabled:
        n = TrilBackward0() if lower else TriuBackward0()
        n.k = k
        link(n, res, (input,))
    return res


def tril(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The lower triangle of the last two dims (elements above diagonal ``diagonal`` set to zero).

    >>> import ember
    >>> ember.tril(ember.ones(2, 2))
    tensor([[1., 0.],
            [1., 1.]])
    """
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_tri(input, diagonal, True), out)


def triu(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The upper triangle of the last two dims (elements below diagonal ``diagonal`` set to zero).

    >>> import ember
    >>> ember.triu(ember.ones(2, 2))
    tensor([[1., 1.],
            [0., 1.]])
    """
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_tri(input, diagonal, False), out)


def _tri_indices(row: int, col: int, offset: int, dtype, device, lower: bool) -> Tensor:
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    res = _wrap(np.stack([r, c]).astype(D.np_dtype(dtype or D.int64)).reshape(2, -1))
    return res if device is None else res.to(device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """Row and column indices (2 x N) of the lower triangle of a row x col matrix.

    >>> import ember
    >>> ember.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _tri_indices(row, col, offset, dtype, device, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """Row and column indices (2 x N) of the upper triangle of a row x col matrix.

    >>> import ember
    >>> ember.triu_indices(2, 2)
    tensor([[0, 0, 1],
            [0, 1, 1]])
    """
    return _tri_indices(row, col, offset, dtype, device, False)


# ----------------------------------------------------------------------------- repeat / tile
class RepeatBackward0(Node):
    __slots__ = ("reps", "shape")

    def backward(self, g):
        padded = (1,) * (len(self.reps) - len(self.shape)) + tuple(self.shape)
        inter = []
        for r, s in zip(self.reps, padded):
            inter += [r, s]
        g = g.reshape(inter)
        g = g.sum(tuple(range(0, len(inter), 2))) if inter else g
        return g.reshape(self.shape)


def _int_sizes(sizes) -> tuple:
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) or len(sizes) == 1 and \
            type(sizes[0]).__name__ == "Size":
        sizes = tuple(sizes[0])
    return tuple(builtins.int(s) for s in sizes)


def repeat(self: Tensor, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along each dim (extra leading sizes add dims).

    >>> import ember
    >>> ember.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _int_sizes(sizes)
    d = self._data
    if len(reps) < d.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(reps) - d.ndim) + d.shape
    out_shape = [r * s for r, s in zip(reps, padded)]
    if any(r < 0 for r in reps):
        neg = next(s for s in out_shape if s < 0) if any(s < 0 for s in out_shape) else min(reps)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {out_shape}")
    res = _wrap(array_module(d).tile(d, reps) if reps else d.copy())
    if self._rg and state.enabled:
        n = RepeatBackward0()
        n.reps, n.shape = reps, d.shape
        link(n, res, (self,))
    return res


def tile(input: Tensor, dims) -> Tensor:
    """Repeat the tensor along each dim (``dims`` shorter than ndim is padded with leading ones).

    >>> import ember
    >>> ember.tile(ember.tensor([1, 2]), (2,))
    tensor([1, 2, 1, 2])
    """
    dims = _int_sizes((dims,)) if not isinstance(dims, builtins.int) else (dims,)
    dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def _tile_method(self: Tensor, *dims) -> Tensor:
    return tile(self, _int_sizes(dims))


def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element (or slice along ``dim``) ``repeats`` times (int or one count per element).

    >>> import ember
    >>> ember.tensor([1, 2]).repeat_interleave(2)
    tensor([1, 1, 2, 2])
    """
    from .creation import arange  # noqa: PLC0415

    if repeats is None:  # repeat_interleave(repeats): indices repeated
        if input.ndim != 1 and input.ndim != 0:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return repeat_interleave(arange(input.numel(), device=input.device), input.reshape(-1), 0,
                                 output_size=output_size)
    x = input
    if dim is None:
        x, ax = input.reshape(-1), 0
    else:
        ax = _wrap_dim(dim, input.ndim)
        if input.ndim == 0:
            x, ax = input.reshape(1), 0
    n = x.shape[ax]
    if isinstance(repeats, Tensor):
        if repeats.dtype._cat >= 2 or repeats.dtype is D.bool:
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{_legacy(repeats.dtype)}'")
        if repeats.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        rep = repeats._np().reshape(-1)
        if rep.size == 1:
            rep = np.full(n, rep[0])
        if rep.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{rep.size} and input.size({ax}) = {n}")
        if rep.size and rep.min() < 0:
            raise RuntimeError("repeats can not be negative")
        total = builtins.int(rep.sum())
        if output_size is not None and output_size != total:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {total} but got {output_size}")
        idx = np.repeat(np.arange(n), rep)
        return x.index_select(ax, _wrap(idx.astype(np.int64)).to(x.device))
    r = builtins.int(repeats)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != n * r:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {n * r} but got {output_size}")
    sh = list(x.shape)
    big = sh[:ax + 1] + [r] + sh[ax + 1:]
    out = sh[:ax] + [n * r] + sh[ax + 1:]
    return x.unsqueeze(ax + 1).expand(big).contiguous().view(out)


# ----------------------------------------------------------------------------- meshgrid / cartesian_prod
def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids from 1-D tensors (``indexing='ij'`` matrix order or ``'xy'`` Cartesian order).

    >>> import ember
    >>> [t.shape for t in ember.meshgrid(ember.arange(2), ember.arange(3), indexing='ij')]
    [torch.Size([2, 3]), torch.Size([2, 3])]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    shape = [t.numel() for t in tensors]
    pos = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
        pos[0], pos[1] = 1, 0
    out = []
    for t, p in zip(tensors, pos):
        view = [1] * len(tensors)
        view[p] = -1
        out.append(t.reshape(view).expand(shape))
    return tuple(out)


def cartesian_prod(*tensors) -> Tensor:
    """Cartesian product of 1-D tensors, one combination per row.

    >>> import ember
    >>> ember.cartesian_prod(ember.tensor([1, 2]), ember.tensor([3, 4])).shape
    torch.Size([4, 2])
    """
    from .shape import stack  # noqa: PLC0415

    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


# ----------------------------------------------------------------------------- cross
class LinalgCrossBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        a, b = self.saved_tensors
        e = self.next_edges
        ga = _cross(b, g, self.dim) if e[0] is not None else None
        gb = _cross(g, a, self.dim) if e[1] is not None else None
        return ga, gb


def _cross(a: Tensor, b: Tensor, dim: int) -> Tensor:
    ad, bd = a._data, b._data
    xp = array_module(ad)
    shape = np.broadcast_shapes(ad.shape, bd.shape)
    res = _wrap(xp.cross(xp.broadcast_to(ad, shape), xp.broadcast_to(bd, shape), axis=dim))
    if state.enabled and (a._rg or b._rg):
        n = LinalgCrossBackward0()
        n.dim = dim
        n.save(a, b)
        n.meta = (None if ad.shape == shape else (ad.shape, None), None if bd.shape == shape else (bd.shape, None))
        link(n, res, (a, b))
    return res


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (other dims broadcast)."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    ax = _wrap_dim(dim, input.ndim)
    if input.shape[ax] != 3 or other.shape[ax] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[ax]} and "
                           f"{other.shape[ax]}")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(input.dtype)} but found {_legacy(other.dtype)}")
    check_broadcast(input, other)
    from .reduction import _maybe_out  # noqa: PLC0415

    return _maybe_out(_cross(input, other, ax), out)


def cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """Cross product along ``dim`` (by default, with a deprecation warning, the first dim of size 3).

    >>> import ember
    >>> ember.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]), dim=0)
    tensor([0., 0., 1.])
    """
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        check_broadcast(input, other)
        shape = np.broadcast_shapes(input.shape, other.shape)
        dims3 = [i for i, s in enumerate(shape) if s == 3]
        if not dims3:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims3[0]
    return linalg_cross(input, other, dim=dim, out=out)


# ----------------------------------------------------------------------------- block_diag
class BlockDiagBackward0(Node):
    __slots__ = ("spans",)

    def backward(self, g):
        return tuple(None if sp is None else g.narrow(0, sp[0], sp[2]).narrow(1, sp[1], sp[3]).reshape(sp[4])
                     for sp in self.spans)


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix from 0-D, 1-D (one row) and 2-D tensors.

    >>> import ember
    >>> ember.block_diag(ember.tensor([[1]]), ember.tensor([[2, 3]]))
    tensor([[1, 0, 0],
            [0, 2, 3]])
    """
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
    if not tensors:
        return _wrap(np.zeros((1, 0), dtype=D.np_dtype(D._default.dtype)))
    dt = result_type(*tensors) if len({t.dtype for t in tensors}) > 1 else tensors[0].dtype
    mats = [t._data.reshape(1, 1) if t.ndim == 0 else t._data.reshape(1, -1) if t.ndim == 1 else t._data
            for t in tensors]
    rows = builtins.sum(m.shape[0] for m in mats)
    cols = builtins.sum(m.shape[1] for m in mats)
    like = tensors[0]._data
    z = array_module(like).zeros((rows, cols), dtype=D.np_dtype(dt))
    spans, r0, c0 = [], 0, 0
    for t, m in zip(tensors, mats):
        h, w = m.shape
        z[r0:r0 + h, c0:c0 + w] = to_array(_wrap(m), dt, like)
        spans.append((r0, c0, h, w, t.shape) if t._rg else None)
        r0, c0 = r0 + h, c0 + w
    res = _wrap(z)
    if state.enabled and any(t._rg for t in tensors):
        n = BlockDiagBackward0()
        n.spans = tuple(spans)
        if any(t.dtype is not dt for t in tensors):
            n.meta = tuple(None if t.dtype is dt else (t._data.shape, t.dtype) for t in tensors)
        link(n, res, tensors)
    return res


# ----------------------------------------------------------------------------- cdist
class CdistBackward0(Node):
    __slots__ = ("p",)

    def backward(self, g):
        x1, x2, dist = self.saved_tensors
        e = self.next_edges
        g1 = _cdist_grad(g, x1, x2, dist, self.p) if e[0] is not None else None
        g2 = _cdist_grad(g.mT, x2, x1, dist.mT, self.p) if e[1] is not None else None
        return g1, g2


def _cdist_grad(g: Tensor, x1: Tensor, x2: Tensor, dist: Tensor, p: float) -> Tensor:
    """d/dx1 of sum(g * cdist(x1, x2)) as PyTorch defines it (zero where a distance is zero)."""
    from .pointwise import where  # noqa: PLC0415

    if p == 0:
        return x1 * 0
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    dd = dist.unsqueeze(-1)
    gg = g.unsqueeze(-1)
    zero = dd == 0
    if p == 1:
        t = diff.sign()
    elif p == float("inf"):
        t = diff.sign() * (diff.abs() == dd)
    elif p == 2:
        t = diff / where(zero, dd + 1, dd)
    elif p < 2:
        t = diff.sign() * diff.abs() ** (p - 1) / where(zero, dd + 1, dd) ** (p - 1)
    else:
        t = diff * diff.abs() ** (p - 2) / where(zero, dd + 1, dd) ** (p - 1)
    t = where(zero, t * 0, t)
    return (gg * t).sum(-2)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """Pairwise p-norm distances between the rows of ``x1`` (..., P, M) and ``x2`` (..., R, M).

    >>> import ember
    >>> ember.cdist(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]))
    tensor([[5.]])
    """
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dtype._cat < 2:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_legacy(t.dtype)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch = tuple(np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]))
    a = x1.expand(batch + tuple(x1.shape[-2:]))
    b = x2.expand(batch + tuple(x2.shape[-2:]))
    P, R = a.shape[-2], b.shape[-2]
    use_mm = p == 2 and (compute_mode == modes[1] or compute_mode == modes[0] and (P > 25 or R > 25))
    if use_mm:
        from .shape import cat  # noqa: PLC0415

        an = (a * a).sum(-1, keepdim=True)
        bn = (b * b).sum(-1, keepdim=True)
        a_ = cat([a * -2, an, _wrap(array_module(an._data).ones(an.shape, an._data.dtype))], -1)
        b_ = cat([b, _wrap(array_module(bn._data).ones(bn.shape, bn._data.dtype)), bn], -1)
        return (a_ @ b_.mT).clamp_min(0).sqrt()
    ad, bd = a._data, b._data
    xp = array_module(ad)
    diff = xp.abs(ad[..., :, None, :] - bd[..., None, :, :])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if p == 0:
            r = (diff != 0).sum(-1).astype(ad.dtype)
        elif p == 1:
            r = diff.sum(-1)
        elif p == 2:
            r = xp.sqrt((diff * diff).sum(-1))
        elif p == float("inf"):
            r = diff.max(-1) if diff.shape[-1] else xp.zeros(diff.shape[:-1], ad.dtype)
        else:
            r = (diff ** p).sum(-1) ** (1.0 / p)
    res = _wrap(xp.asarray(r, dtype=ad.dtype))
    if state.enabled and (x1._rg or x2._rg):
        from ..autograd.graph import SavedOutput  # noqa: PLC0415

        n = CdistBackward0()
        n.p = builtins.float(p)
        n.save(a, b, SavedOutput(res))
        link(n, res, (a, b))
    return res


# ----------------------------------------------------------------------------- rot90
class Rot90Backward0(Node):
    __slots__ = ("dims", "k")

    def backward(self, g):
        return rot90(g, -self.k, self.dims)


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the second).

    >>> import ember
    >>> ember.rot90(ember.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = dims
    if d0 == d1 or builtins.abs(d0 - d1) == nd:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    if not -nd <= d0 < nd:
        raise RuntimeError(f"Rotation dim0 out of range, dim0 = {d0}")
    if not -nd <= d1 < nd:
        raise RuntimeError(f"Rotation dim1 out of range, dim1 = {d1}")
    d0, d1 = d0 % nd, d1 % nd
    xp = array_module(input._data)
    res = _wrap(xp.ascontiguousarray(xp.rot90(input._data, k, axes=(d0, d1))))
    if input._rg and state.enabled:
        n = Rot90Backward0()
        n.k, n.dims = k, (d0, d1)
        link(n, res, (input,))
    return res


# ----------------------------------------------------------------------------- trapezoid
def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Trapezoidal-rule integral of ``y`` along ``dim`` (sample points ``x`` or spacing ``dx``, default 1).

    >>> import ember
    >>> ember.trapezoid(ember.tensor([1., 2., 3.]))
    tensor(4.)
    """
    ax = _wrap_dim(dim, y.ndim)
    n = y.shape[ax]
    if isinstance(x, Tensor):
        if n == 0:
            return y.sum(ax)
        dxs = _spacing(x, y, ax)
        return (dxs * (y.narrow(ax, 0, n - 1) + y.narrow(ax, 1, n - 1))).sum(ax) / 2.0
    step = dx if dx is not None else (x if x is not None else 1)
    if n == 0:
        return y.sum(ax) * step
    return (y.sum(ax) - (y.select(ax, 0) + y.select(ax, -1)) * 0.5) * step


def _spacing(x: Tensor, y: Tensor, ax: int) -> Tensor:
    """Differences of the sample points ``x`` along ``ax`` (a 1-D ``x`` applies along ``ax`` of ``y``)."""
    xs = x.reshape([-1 if i == ax else 1 for i in range(y.ndim)]) if x.ndim == 1 else x
    m = xs.shape[ax]
    return xs.narrow(ax, 1, m - 1) - xs.narrow(ax, 0, m - 1)


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Alias of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Running trapezoidal-rule integral of ``y`` along ``dim``.

    >>> import ember
    >>> ember.cumulative_trapezoid(ember.tensor([1., 2., 3.]))
    tensor([1.5000, 4.0000])
    """
    ax = _wrap_dim(dim, y.ndim)
    n = y.shape[ax]
    if n == 0:
        return y
    avg = (y.narrow(ax, 0, n - 1) + y.narrow(ax, 1, n - 1)) / 2.0
    if isinstance(x, Tensor):
        return (_spacing(x, y, ax) * avg).cumsum(ax)
    step = dx if dx is not None else (x if x is not None else 1)
    return (avg * step).cumsum(ax)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """``n``-th forward difference along ``dim`` (``prepend``/``append`` joined first; bools use xor).

    >>> import ember
    >>> ember.diff(ember.tensor([1, 3, 2, 7]))
    tensor([ 2, -1,  5])
    """
    from .pointwise import logical_xor
    from .shape import cat

    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    ax = _wrap_dim(dim, input.ndim)
    parts = [input]
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is None:
            continue
        if not isinstance(extra, Tensor):
            raise TypeError(f"diff(): argument '{name}' must be Tensor, not {type(extra).__name__}")
        if extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i in range(input.ndim):
            if i != ax and extra.shape[i] != input.shape[i]:
                raise RuntimeError(f"diff expects the shape of tensor to prepend or append to match that of input "
                                   f"except along the differencing dimension; input.size({i}) = {input.shape[i]}, "
                                   f"but got tensor.size({i}) = {extra.shape[i]}")
        parts.insert(0 if name == "prepend" else len(parts), extra)
    x = cat(parts, ax) if len(parts) > 1 else input
    if n == 0:
        return x.clone()
    for _ in range(n):
        size = x.shape[ax]
        if size == 0:
            break
        hi, lo = x.narrow(ax, 1, size - 1), x.narrow(ax, 0, size - 1)
        x = logical_xor(hi, lo) if x.dtype is D.bool else hi - lo
    return x


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of a 1-D tensor's elements, one per row (as ``itertools.combinations``).

    >>> import ember
    >>> ember.combinations(ember.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    import itertools

    from .indexing import index_select
    from .shape import stack

    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _wrap(array_module(input._data).empty((0,), dtype=input._data.dtype))
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return stack([index_select(input, 0, _wrap(array_module(input._data).asarray(idx[:, k]))) for k in range(r)], 1)


def _tril_(self: Tensor, diagonal: int = 0) -> Tensor:
    from .pointwise import apply_inplace  # noqa: PLC0415

    return apply_inplace(self, tril, diagonal)


def _triu_(self: Tensor, diagonal: int = 0) -> Tensor:
    from .pointwise import apply_inplace  # noqa: PLC0415

    return apply_inplace(self, triu, diagonal)


def _diagonal_filled(input: Tensor, fill_value, wrap: bool) -> Tensor:
    from .indexing import masked_fill  # noqa: PLC0415

    d = input._data
    if d.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if d.ndim > 2 and len(set(d.shape)) > 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(d.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)  # PyTorch's rule, wrap included, is NumPy's
    return masked_fill(input, _wrap(array_module(d).asarray(mask)), fill_value)


def _fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (every index equal) in place; ``wrap`` restarts it every N + 1 rows of a tall matrix.

    >>> import ember
    >>> ember.zeros(2, 3).fill_diagonal_(1.)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    from .pointwise import apply_inplace  # noqa: PLC0415

    if self.requires_grad and self.is_leaf and state.enabled:  # PyTorch writes through a diagonal view
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    return apply_inplace(self, _diagonal_filled, fill_value, wrap)


register(diag=diag, diagonal=diagonal, diag_embed=diag_embed, diagflat=diagflat, tril=tril, triu=triu,
         tril_=_tril_, triu_=_triu_, fill_diagonal_=_fill_diagonal_, repeat=repeat, tile=_tile_method,
         repeat_interleave=repeat_interleave, cross=cross, rot90=rot90, diff=diff)
