"""``torch.fft``: discrete Fourier transforms through NumPy's pocketfft (``numpy.fft``), with PyTorch's signatures,
dtypes (float32 -> complex64, float64 -> complex128, integers through the default float dtype), ``norm`` modes and
errors; ``fftfreq``/``rfftfreq`` and ``fftshift``/``ifftshift``.

The Hermitian transforms follow from the real ones: ``ihfft*(x) = conj(rfft*(x))`` and ``hfft*(x) =
irfft*(conj(x))`` with the ``norm`` mode swapped ("backward" <-> "forward"). Results agree with PyTorch's to
rounding (both split the transform differently).

Autograd through these transforms is not implemented (their gradients are complex: see
``ember/autograd/engine.py::_no_complex``): their nodes carry PyTorch's names and raise NotImplementedError in
backward. ``fftshift``/``ifftshift`` are rolls and differentiate.

>>> import ember
>>> ember.fft.fft(ember.tensor([1., 0., 0., 0.]))
tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
"""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _wrap
from .autograd.engine import _COMPLEX_AUTOGRAD
from .autograd.graph import Node, link
from .autograd.grad_mode import state
from .ops._util import _wrap_dim
from .ops.inplace import _out

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "hfft2", "hfftn", "ifft", "ifft2", "ifftn",
           "ifftshift", "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]


class _FftBackward(Node):
    __slots__ = ()

    def backward(self, *grads):
        raise NotImplementedError(_COMPLEX_AUTOGRAD)


FftR2CBackward0 = type("FftR2CBackward0", (_FftBackward,), {"__slots__": ()})
FftC2CBackward0 = type("FftC2CBackward0", (_FftBackward,), {"__slots__": ()})
FftC2RBackward0 = type("FftC2RBackward0", (_FftBackward,), {"__slots__": ()})
ConjBackward0 = type("ConjBackward0", (_FftBackward,), {"__slots__": ()})

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _SWAP:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _prepare(fn: str, x, real_only: bool = False):
    """``x``'s array in the dtype the transform runs in (float32/64 or complex64/128)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"fft_{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    dt = x.dtype
    if dt.is_complex:
        if real_only:
            raise RuntimeError(f"{fn} expects a real input tensor, but got {D.legacy_name(dt)}")
        return x._data
    if dt in (D.float16, D.bfloat16):
        raise RuntimeError(f"Unsupported dtype {D.legacy_name(dt)}")
    if not dt.is_floating_point:
        return x._data.astype(D._default.dtype.np)
    return x._data


def _one_dim(x, n, dim):
    d = x._data
    if d.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    ax = _wrap_dim(dim, d.ndim)
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return ax


def _many_dims(x, s, dim, default_last2: bool, c2r: bool = False):
    d = x._data
    nd = d.ndim
    if dim is None and s is None:
        axes = (nd - 2, nd - 1) if default_last2 else tuple(range(nd))
        if default_last2 and nd < 2:
            _wrap_dim(-2, nd)  # PyTorch's IndexError for the default dims
    elif dim is None:
        axes = tuple(range(nd - len(s), nd))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(_wrap_dim(a, nd) for a in dims)
        if len(set(axes)) != len(axes):
            raise RuntimeError("FFT dims must be unique")
    s_in = s
    if s is not None:
        s = tuple(int(v) for v in s)
        if len(s) != len(axes):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        for v in s:
            if v < 1 and v != -1:
                raise RuntimeError(f"Invalid number of data points ({v}) specified")
        s = tuple(d.shape[a] if v == -1 else v for v, a in zip(s, axes))
        if c2r and tuple(int(v) for v in s_in)[-1] == -1:  # a c2r transform's last length defaults to 2 (m - 1)
            s = s[:-1] + (2 * (d.shape[axes[-1]] - 1),)
    return s, axes


def _finish(x, arr, out, node_cls):
    single = x._data.dtype in (np.float32, np.complex64) or x.dtype._cat < 2 and D._default.dtype is D.float32
    if single and arr.itemsize > (8 if arr.dtype.kind == "c" else 4):  # NumPy before 2.0 computes in 64 bits
        arr = arr.astype(np.complex64 if arr.dtype.kind == "c" else np.float32)
    res = _wrap(np.ascontiguousarray(arr))
    if x._rg and state.enabled:
        link(node_cls(), res, (x,))
    return _out(res, out)


def _c2c(np_fn, name, x, n, dim, norm, out):
    a = _prepare(name, x)
    ax = _one_dim(x, n, dim)
    r = np_fn(a, n=n, axis=ax, norm=_norm(norm))
    # PyTorch's last node: C2C for complex input; a real one is transformed one-sided (R2C), or conjugated for ifft
    node = FftC2CBackward0 if x.is_complex() else FftR2CBackward0 if np_fn is np.fft.fft else ConjBackward0
    return _finish(x, r, out, node)


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """One-dimensional discrete Fourier transform over ``dim`` (zero-padded or trimmed to ``n``).

    >>> import ember
    >>> ember.fft.fft(ember.tensor([1., 2., 3., 4.]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    return _c2c(np.fft.fft, "fft", input, n, dim, norm, out)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """One-dimensional inverse discrete Fourier transform over ``dim``.

    >>> import ember
    >>> ember.fft.ifft(ember.tensor([4., 0., 0., 0.]))
    tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    return _c2c(np.fft.ifft, "ifft", input, n, dim, norm, out)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """The transform of a real signal, its ``n // 2 + 1`` non-negative frequencies.

    >>> import ember
    >>> ember.fft.rfft(ember.tensor([1., 2., 3., 4.]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    a = _prepare("rfft", input, real_only=True)
    ax = _one_dim(input, n, dim)
    return _finish(input, np.fft.rfft(a, n=n, axis=ax, norm=_norm(norm)), out, FftR2CBackward0)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """The real signal (length ``n``, default ``2 * (m - 1)``) whose ``rfft`` is ``input``.

    >>> import ember
    >>> ember.fft.irfft(ember.tensor([10+0j, -2+2j, -2+0j]))
    tensor([1., 2., 3., 4.])
    """
    a = _prepare("irfft", input)
    ax = _one_dim(input, n, dim)
    return _finish(input, np.fft.irfft(a, n=n, axis=ax, norm=_norm(norm)), out, FftC2RBackward0)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """The (real) transform of a Hermitian-symmetric signal given by its first half: ``irfft(conj(x))`` with the
    normalization mode swapped.

    >>> import ember
    >>> ember.fft.hfft(ember.tensor([1+1j, 2, 3j]), n=4)
    tensor([ 5.,  1., -3.,  1.])
    """
    a = _prepare("hfft", input)
    ax = _one_dim(input, n, dim)
    r = np.fft.irfft(np.conj(a), n=n, axis=ax, norm=_SWAP[_norm(norm)])
    return _finish(input, r, out, FftC2RBackward0)


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """The inverse of ``hfft`` for a real signal: ``conj(rfft(x))`` with the normalization mode swapped.

    >>> import ember
    >>> ember.fft.ihfft(ember.tensor([5., 1., -3., 1.]))
    tensor([1.-0.j, 2.-0.j, 0.-0.j])
    """
    a = _prepare("ihfft", input, real_only=True)
    ax = _one_dim(input, n, dim)
    r = np.conj(np.fft.rfft(a, n=n, axis=ax, norm=_SWAP[_norm(norm)]))
    return _finish(input, r, out, ConjBackward0)


def _nd(np_fn, name, x, s, dim, norm, out, node_cls, default_last2=False, real_only=False, swap=False,
        conj_in=False, conj_out=False):
    a = _prepare(name, x, real_only=real_only)
    s, axes = _many_dims(x, s, dim, default_last2, c2r=np_fn is np.fft.irfftn)
    if conj_in:
        a = np.conj(a)
    nm = _norm(norm)
    r = np_fn(a, s=s, axes=axes, norm=_SWAP[nm] if swap else nm)
    if conj_out:
        r = np.conj(r)
    if len(axes) > 1 and (node_cls is ConjBackward0 or node_cls is FftR2CBackward0 and np_fn is not np.fft.rfftn):
        node_cls = FftC2CBackward0  # PyTorch ends a real input's multi-dim c2c transform with a C2C node
    return _finish(x, r, out, node_cls)


def _node_for(x, inverse: bool = False):
    return FftC2CBackward0 if x.is_complex() else ConjBackward0 if inverse else FftR2CBackward0


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """Two-dimensional transform (over the last two dims by default).

    >>> import ember
    >>> ember.fft.fft2(ember.ones(2, 2))
    tensor([[4.+0.j, 0.+0.j],
            [0.+0.j, 0.+0.j]])
    """
    return _nd(np.fft.fftn, "fft2", input, s, dim, norm, out, _node_for(input), default_last2=True)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """Two-dimensional inverse transform.

    >>> import ember
    >>> ember.fft.ifft2(ember.tensor([[4., 0.], [0., 0.]]))
    tensor([[1.+0.j, 1.+0.j],
            [1.+0.j, 1.+0.j]])
    """
    return _nd(np.fft.ifftn, "ifft2", input, s, dim, norm, out, _node_for(input, True), default_last2=True)


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """N-dimensional transform over ``dim`` (all dims, or the last ``len(s)``, by default).

    >>> import ember
    >>> ember.fft.fftn(ember.ones(2, 2)).real
    tensor([[4., 0.],
            [0., 0.]])
    """
    return _nd(np.fft.fftn, "fftn", input, s, dim, norm, out, _node_for(input))


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """N-dimensional inverse transform.

    >>> import ember
    >>> ember.fft.ifftn(ember.tensor([[4., 0.], [0., 0.]])).real
    tensor([[1., 1.],
            [1., 1.]])
    """
    return _nd(np.fft.ifftn, "ifftn", input, s, dim, norm, out, _node_for(input, True))


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """Two-dimensional transform of a real signal (one-sided over the last of ``dim``).

    >>> import ember
    >>> ember.fft.rfft2(ember.ones(2, 2)).shape
    torch.Size([2, 2])
    """
    return _nd(np.fft.rfftn, "rfft2", input, s, dim, norm, out, FftR2CBackward0, default_last2=True, real_only=True)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """The inverse of ``rfft2``.

    >>> import ember
    >>> ember.fft.irfft2(ember.fft.rfft2(ember.ones(2, 2)))
    tensor([[1., 1.],
            [1., 1.]])
    """
    return _nd(np.fft.irfftn, "irfft2", input, s, dim, norm, out, FftC2RBackward0, default_last2=True)


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """N-dimensional transform of a real signal (one-sided over the last of ``dim``).

    >>> import ember
    >>> ember.fft.rfftn(ember.ones(2, 3, 4)).shape
    torch.Size([2, 3, 3])
    """
    return _nd(np.fft.rfftn, "rfftn", input, s, dim, norm, out, FftR2CBackward0, real_only=True)


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """The inverse of ``rfftn`` (the last of ``dim`` has length ``s[-1]``, default ``2 * (m - 1)``).

    >>> import ember
    >>> ember.fft.irfftn(ember.ones(2, 3, 4)).shape
    torch.Size([2, 3, 6])
    """
    return _nd(np.fft.irfftn, "irfftn", input, s, dim, norm, out, FftC2RBackward0)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """Two-dimensional ``hfft``.

    >>> import ember
    >>> ember.fft.hfft2(ember.ones(2, 3)).shape
    torch.Size([2, 4])
    """
    return _nd(np.fft.irfftn, "hfft2", input, s, dim, norm, out, FftC2RBackward0, default_last2=True, swap=True,
               conj_in=True)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """Two-dimensional ``ihfft``.

    >>> import ember
    >>> ember.fft.ihfft2(ember.ones(2, 4)).shape
    torch.Size([2, 3])
    """
    return _nd(np.fft.rfftn, "ihfft2", input, s, dim, norm, out, ConjBackward0, default_last2=True, real_only=True,
               swap=True, conj_out=True)


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """N-dimensional ``hfft``.

    >>> import ember
    >>> ember.fft.hfftn(ember.ones(2, 3, 4)).shape
    torch.Size([2, 3, 6])
    """
    return _nd(np.fft.irfftn, "hfftn", input, s, dim, norm, out, FftC2RBackward0, swap=True, conj_in=True)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:  # noqa: A002
    """N-dimensional ``ihfft``.

    >>> import ember
    >>> ember.fft.ihfftn(ember.ones(2, 3, 4)).shape
    torch.Size([2, 3, 3])
    """
    return _nd(np.fft.rfftn, "ihfftn", input, s, dim, norm, out, ConjBackward0, real_only=True, swap=True,
               conj_out=True)


def _freq(name, n, d, dtype, device, requires_grad, fn):
    from .ops.creation import tensor  # noqa: PLC0415

    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = dtype or D._default.dtype
    return tensor(fn(n, d).astype(dt.np), dtype=dt, device=device, requires_grad=requires_grad)


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of a length-``n`` transform with sample spacing ``d``: ``[0, 1, ..., -1] / (d n)``.

    >>> import ember
    >>> ember.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    res = _freq("fftfreq", n, d, dtype, device, requires_grad, np.fft.fftfreq)
    return res if out is None else out.copy_(res)


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The non-negative sample frequencies of ``rfft`` of length ``n``: ``[0, 1, ..., n // 2] / (d n)``.

    >>> import ember
    >>> ember.fft.rfftfreq(5, 0.1)
    tensor([0., 2., 4.])
    """
    res = _freq("rfftfreq", n, d, dtype, device, requires_grad, np.fft.rfftfreq)
    return res if out is None else out.copy_(res)


def _shift(input, dim, sign):
    if dim is None:
        dims = tuple(range(input.dim()))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(_wrap_dim(a, input.dim()) for a in dims)
    shifts = tuple(sign * (input.shape[a] // 2) for a in dims)
    return input.roll(shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:  # noqa: A002
    """Move the zero frequency to the centre: a roll by ``n // 2`` over ``dim`` (all dims by default).

    >>> import ember
    >>> ember.fft.fftshift(ember.fft.fftfreq(4))
    tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim=None) -> Tensor:  # noqa: A002
    """The inverse of ``fftshift``: a roll by ``-(n // 2)``.

    >>> import ember
    >>> ember.fft.ifftshift(ember.arange(5))
    tensor([2, 3, 4, 0, 1])
    """
    return _shift(input, dim, -1)
