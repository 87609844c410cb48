"""nn.functional, spatial sampling: ``affine_grid`` and ``grid_sample`` (bilinear / nearest for 2-D and 3-D inputs,
bicubic for 2-D; zeros / border / reflection padding), with PyTorch's coordinate conventions and formulas.

Both are composed of Tensor ops (indexing gathers, elementwise arithmetic), so gradients with respect to the input
and the grid follow from the ops' own rules: the input's gradient scatters back through the gathers, the grid's
flows through the interpolation weights (zero through ``floor`` and clipped coordinates, as PyTorch's).
"""
from __future__ import annotations

import warnings

from ... import _dtype as D
from ..._tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _align(align_corners) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def affine_grid(theta: Tensor, size, align_corners=None) -> Tensor:
    """The sampling grid ``(N, *spatial, k)`` of a batch of affine transforms ``theta`` (``N x 2 x 3`` for 2-D,
    ``N x 3 x 4`` for 3-D) over an output of ``size``, in ``grid_sample``'s normalized [-1, 1] coordinates.

    >>> import ember
    >>> ember.nn.functional.affine_grid(ember.tensor([[[1., 0., 0.], [0., 1., 0.]]]), (1, 1, 1, 2),
    ...                                 align_corners=True)
    tensor([[[[-1.,  0.],
              [ 1.,  0.]]]])
    """
    from ... import cat, linspace, ones, zeros  # noqa: PLC0415

    align = _align(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n = size[0]
    kw = {"dtype": theta.dtype, "device": theta.device}

    def axis(steps):  # PyTorch's linspace_from_neg_one: 0 for one step, else [-1, 1] (shrunk without align)
        if steps <= 1:
            return zeros(steps, **kw)
        base = linspace(-1.0, 1.0, steps, **kw)
        return base if align else base * ((steps - 1) / steps)

    nd = len(spatial)
    # base grid (*spatial, nd + 1): x (the last spatial axis) first, then y (and z), then a column of ones
    cols = []
    for k in range(nd):
        ax = nd - 1 - k  # coordinate k varies along spatial axis ax
        shape = [1] * nd
        shape[ax] = spatial[ax]
        cols.append(axis(spatial[ax]).reshape(shape).expand(spatial).unsqueeze(-1))
    cols.append(ones(spatial + (1,), **kw))
    base = cat(cols, -1)
    flat = base.reshape(1, -1, nd + 1)
    grid = flat.matmul(theta.transpose(1, 2))  # (N, prod(spatial), nd)
    return grid.reshape((n,) + spatial + (nd,))


def _unnormalize(coord: Tensor, size: int, align: bool) -> Tensor:
    if align:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _clip(coord: Tensor, size: int) -> Tensor:
    """``coord`` clipped to [0, size - 1], its gradient 1 strictly inside and 0 on and beyond the bounds (PyTorch's
    clip_coordinates_set_grad; ``clamp``'s own gradient also passes at the bounds)."""
    from ... import where  # noqa: PLC0415

    inside = (coord > 0) & (coord < size - 1)
    return where(inside, coord, coord.detach().clamp(0, size - 1))


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    from ... import where  # noqa: PLC0415

    if twice_low == twice_high:
        return coord * 0
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    c = coord - lo
    c = where(c < 0, -c, c)  # |c| with the gradient +1 at 0, as PyTorch's reflect_coordinates_set_grad
    extra = c.fmod(span)
    flips = (c / span).floor()
    return where(flips.fmod(2) == 0, extra + lo, span - extra + lo)


def _source_index(coord: Tensor, size: int, padding: str, align: bool) -> Tensor:
    """PyTorch's grid_sampler_compute_source_index: unnormalize, then apply the padding to the coordinate."""
    c = _unnormalize(coord, size, align)
    if padding == "border":
        c = _clip(c, size)
    elif padding == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align else _reflect(c, -1, 2 * size - 1)
        c = _clip(c, size)
    return c


def _gather(input: Tensor, idx: list, sizes, zeros: bool):
    """``input[n, :, *idx]`` as ``(N, C, *out)`` (indices clamped into range), and the in-bounds mask (zeros
    padding) in the input's dtype, or None."""
    from ... import arange  # noqa: PLC0415

    n = input.shape[0]
    mask = None
    if zeros:
        for i, s in zip(idx, sizes):
            inside = (i >= 0) & (i <= s - 1)
            mask = inside if mask is None else mask & inside
        mask = mask.to(input.dtype)
    safe = [i.clamp(0, s - 1).long() for i, s in zip(idx, sizes)]
    batch = arange(n, device=input.device).reshape((n,) + (1,) * (safe[0].dim() - 1))
    vals = input[(batch, slice(None)) + tuple(safe)]  # (N, *out, C)
    perm = (0, vals.dim() - 1) + tuple(range(1, vals.dim() - 1))
    return vals.permute(perm), mask


def _cubic_coeffs(t: Tensor):
    """PyTorch's cubic convolution coefficients (A = -0.75) for the four taps around a fraction ``t``."""
    a = -0.75

    def conv1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def conv2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return conv2(t + 1.0), conv1(t), conv1(1.0 - t), conv2(2.0 - t)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None) -> Tensor:
    """Sample ``input (N, C, H, W)`` (or ``(N, C, D, H, W)``) at the normalized locations ``grid (N, Ho, Wo, 2)``
    (or ``(N, Do, Ho, Wo, 3)``; x first): bilinear, nearest or (2-D) bicubic, padded with zeros, the border or
    reflections.

    >>> import ember
    >>> x = ember.arange(4.).reshape(1, 1, 2, 2)
    >>> ember.nn.functional.grid_sample(x, ember.zeros(1, 1, 1, 2), align_corners=True)
    tensor([[[[1.5000]]]])
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         f"got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    align = _align(align_corners)
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    nd = input.dim() - 2
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid with "
                           f"sizes {list(grid.shape)}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {i} being empty")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {D.legacy_name(input.dtype)} but found "
                           f"{D.legacy_name(grid.dtype)}")
    sizes = tuple(input.shape[2:])  # spatial sizes, outermost first; grid coordinate k runs along axis nd - 1 - k
    zeros = padding_mode == "zeros"
    if mode == "bicubic":
        return _bicubic(input, grid, sizes, padding_mode, align)
    coords = [_source_index(grid[..., nd - 1 - a], sizes[a], padding_mode, align) for a in range(nd)]
    if mode == "nearest":
        idx = [c.round() for c in coords]  # half to even, as PyTorch's nearbyint
        vals, mask = _gather(input, idx, sizes, zeros)
        out = vals if mask is None else vals * mask.unsqueeze(1)
        if grid.requires_grad:  # the grid's gradient is zero, but defined (PyTorch returns zeros, not None)
            out = out + (coords[0] * 0).unsqueeze(1)
        return out
    lows = [c.floor() for c in coords]
    out = None
    # the corners in PyTorch's order (x fastest: nw, ne, sw, se in 2-D), each weight a product of per-axis terms
    # with x's first
    for corner in range(2 ** nd):
        bits = [(corner >> (nd - 1 - a)) & 1 for a in range(nd)]  # per spatial axis (outermost first)
        idx = [lo + b for lo, b in zip(lows, bits)]
        w = None
        for a in reversed(range(nd)):  # x (innermost axis) first
            term = (coords[a] - lows[a]) if bits[a] else (lows[a] + 1 - coords[a])
            w = term if w is None else w * term
        vals, mask = _gather(input, idx, sizes, zeros)
        if mask is not None:
            w = w * mask
        contrib = vals * w.unsqueeze(1)
        out = contrib if out is None else out + contrib
    return out


def _bicubic(input: Tensor, grid: Tensor, sizes, padding_mode: str, align: bool) -> Tensor:
    """2-D bicubic sampling: the coordinates unnormalized without padding; each of the 4 x 4 taps padded on its
    own (PyTorch's get_value_bounded), then cubic interpolation along x for each row and along y."""
    h, w = sizes
    ix = _unnormalize(grid[..., 0], w, align)
    iy = _unnormalize(grid[..., 1], h, align)
    ix0, iy0 = ix.floor(), iy.floor()
    cx = _cubic_coeffs(ix - ix0)
    cy = _cubic_coeffs(iy - iy0)
    zeros = padding_mode == "zeros"
    rows = []
    for j in range(4):
        yj = iy0 - 1 + j
        acc = None
        for i in range(4):
            xi = ix0 - 1 + i
            if zeros:
                vals, mask = _gather(input, [yj, xi], sizes, True)
                vals = vals * mask.unsqueeze(1)
            else:
                ys = _source_index_int(yj, h, padding_mode, align)
                xs = _source_index_int(xi, w, padding_mode, align)
                vals, _ = _gather(input, [ys, xs], sizes, False)
            term = vals * cx[i].unsqueeze(1)
            acc = term if acc is None else acc + term
        rows.append(acc)
    out = None
    for j in range(4):
        term = rows[j] * cy[j].unsqueeze(1)
        out = term if out is None else out + term
    return out


def _source_index_int(coord: Tensor, size: int, padding: str, align: bool) -> Tensor:
    """PyTorch's compute_coordinates on an (integer-valued) tap coordinate: border clips, reflection reflects."""
    if padding == "border":
        return coord.clamp(0, size - 1)
    c = _reflect(coord, 0, 2 * (size - 1)) if align else _reflect(coord, -1, 2 * size - 1)
    return c.clamp(0, size - 1)
