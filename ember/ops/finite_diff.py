"""``torch.gradient``: finite-difference derivative estimates along dimensions (central differences inside,
one-sided first- or second-order at the edges), for uniform spacings or coordinate tensors.

Composed of Tensor ops (slicing, arithmetic, ``cat``), so the estimates are differentiable.
"""
from __future__ import annotations

import numbers

from .. import _dtype as D
from ._util import Tensor, _wrap_dim

__all__ = ["gradient"]


def _msg_spacing(nd: int, got: int, with_dim: bool) -> str:
    if with_dim:
        return (f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim arguments to "
                f"have the same length, but got a spacing argument of length {got} and a dim argument of length "
                f"{nd}.")
    return (f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal to "
            f"'self.dim() = {nd}', since dim argument was not given, but got a list of length {got}")


def _along(x: Tensor, d: int, start, stop) -> Tensor:
    return x.narrow(d, start, stop - start)


def _one_dim(x: Tensor, d: int, h, edge_order: int) -> Tensor:
    """The derivative estimate of ``x`` along ``d`` with spacing ``h`` (a number or a 1-D coordinate tensor)."""
    from .shape import cat  # noqa: PLC0415

    n = x.shape[d]
    shape = [1] * x.dim()
    shape[d] = -1
    if isinstance(h, Tensor):
        c = h  # the coefficients in the coordinates' dtype, as PyTorch computes them
        dx = c[1:] - c[:-1]
        hl, hr = dx[:-1].reshape(shape), dx[1:].reshape(shape)
        a = -hr / (hl * (hl + hr))
        b = (hr - hl) / (hl * hr)
        cc = hl / (hr * (hl + hr))
        inner = a * _along(x, d, 0, n - 2) + b * _along(x, d, 1, n - 1) + cc * _along(x, d, 2, n)
        h0, h1 = dx[0], dx[1] if n > 2 else dx[0]
        hm1, hm2 = dx[-1], dx[-2] if n > 2 else dx[-1]
    else:
        inner = (_along(x, d, 2, n) - _along(x, d, 0, n - 2)) / (2.0 * h)
        h0 = h1 = hm1 = hm2 = h
    x0, x1, xl, xl1 = (_along(x, d, 0, 1), _along(x, d, 1, 2), _along(x, d, n - 1, n), _along(x, d, n - 2, n - 1))
    if edge_order == 1:
        first = (x1 - x0) / h0
        last = (xl - xl1) / hm1
    else:
        x2, xl2 = _along(x, d, 2, 3), _along(x, d, n - 3, n - 2)
        a0 = -(2.0 * h0 + h1) / (h0 * (h0 + h1))
        b0 = (h0 + h1) / (h0 * h1)
        c0 = -h0 / (h1 * (h0 + h1))
        first = a0 * x0 + b0 * x1 + c0 * x2
        al = hm1 / (hm2 * (hm1 + hm2))
        bl = -(hm1 + hm2) / (hm1 * hm2)
        cl = (2.0 * hm1 + hm2) / (hm1 * (hm1 + hm2))
        last = al * xl2 + bl * xl1 + cl * xl
    return cat([first, inner, last], d)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:  # noqa: A002
    """Estimates of the derivatives of ``input`` along each of ``dim`` (all dims by default): a tuple of tensors.
    ``spacing`` is a number (for every dim), one number per dim, or one coordinate tensor per dim.

    >>> import ember
    >>> ember.gradient(ember.tensor([1., 4., 9., 16., 25.]))
    (tensor([3., 4., 6., 8., 9.]),)
    """
    nd = input.dim()
    with_dim = dim is not None
    dims = list(range(nd)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [_wrap_dim(d, nd) for d in dims]
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.dim() > 0):
        hs = [float(spacing)] * len(dims)
    else:
        hs = list(spacing)
        if any(isinstance(h, Tensor) for h in hs):  # PyTorch's overloads: all coordinate tensors or all numbers
            for i, h in enumerate(hs):
                if not isinstance(h, Tensor):
                    raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(h).__name__}")
        if len(hs) != len(dims):
            raise RuntimeError(_msg_spacing(len(dims), len(hs), with_dim))
        hs = [h if isinstance(h, Tensor) and h.dim() > 0 else float(h) for h in hs]
    for d, h in zip(dims, hs):
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
        if isinstance(h, Tensor) and (h.dim() != 1 or h.shape[0] != input.shape[d]):
            raise RuntimeError(f"torch.gradient expected each tensor to be on the same device, and to have the same "
                               f"size as the corresponding dimension of input, but got a tensor of size "
                               f"{h.shape[0] if h.dim() else 0} for dimension {d} of size {input.shape[d]}")
    x = input if input.dtype.is_floating_point or input.dtype.is_complex else input.to(D.get_default_dtype())
    return tuple(_one_dim(x, d, h, edge_order) for d, h in zip(dims, hs))
