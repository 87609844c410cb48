"""Complex-number accessors and constructors: ``real``, ``imag``, ``conj``, ``angle``, ``view_as_real``,
``view_as_complex``, ``complex``, ``polar`` (and ``conj_physical``, ``resolve_conj``, ``is_conj``).

``real``, ``imag``, ``view_as_real`` and ``view_as_complex`` are views sharing the input's memory, as in PyTorch.
``conj`` of a complex tensor is a new (conjugated) tensor: PyTorch returns a lazy view with a conjugate bit, which
Ember does not model, so ``is_conj()`` is always False and writes into a conjugate do not reach its input.

Autograd through complex tensors is not implemented (see ``ember/autograd/engine.py::_no_complex``): these ops
record their PyTorch node names, and the backward of any of them on complex values raises NotImplementedError
instead of returning a gradient that PyTorch's conjugation rules would give differently. ``angle`` of a real
tensor is differentiable (its gradient is zero, as PyTorch's).
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from ..autograd.engine import _COMPLEX_AUTOGRAD
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, broadcast_error, register, state

__all__ = ["angle", "complex", "conj", "conj_physical", "imag", "is_conj", "polar", "real", "resolve_conj",
           "resolve_neg", "view_as_complex", "view_as_real"]


class _ComplexBackward(Node):
    """A node on complex values: its backward would need PyTorch's conjugations, which Ember does not implement."""

    __slots__ = ()

    def backward(self, *grads):
        raise NotImplementedError(_COMPLEX_AUTOGRAD)


def _node(name: str):
    return type(name, (_ComplexBackward,), {"__slots__": ()})


SelectBackward0 = _node("SelectBackward0")  # PyTorch's real/imag select from view_as_real
ConjBackward0 = _node("ConjBackward0")
ViewAsRealBackward0 = _node("ViewAsRealBackward0")
ViewAsComplexBackward0 = _node("ViewAsComplexBackward0")
ComplexBackward0 = _node("ComplexBackward0")
PolarBackward0 = _node("PolarBackward0")


class AngleBackward0(Node):
    """``angle``'s gradient: zero for real inputs (the function is piecewise constant); complex inputs raise."""

    __slots__ = ("shape", "dtype")

    def backward(self, g):
        if self.dtype.is_complex:
            raise NotImplementedError(_COMPLEX_AUTOGRAD)
        return _wrap(np.zeros(self.shape, dtype=g._data.dtype))

    def raw(self, g):
        if self.dtype.is_complex:
            raise NotImplementedError(_COMPLEX_AUTOGRAD)
        return np.zeros(self.shape, dtype=g.dtype)


def _need(fn: str, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _view_of(x: Tensor, arr, node_cls) -> Tensor:
    from .shape import _view_result  # noqa: PLC0415

    res = _view_result(x, arr)
    if x._rg and state.enabled:
        link(node_cls(), res, (x,))
    return res


def _result(arr, inputs, node_cls) -> Tensor:
    res = _wrap(arr)
    if state.enabled and any(t._rg for t in inputs):
        link(node_cls(), res, inputs)
    return res


def real(input: Tensor) -> Tensor:  # noqa: A002
    """The real part, a view of a complex tensor's memory; a real tensor is returned as it is.

    >>> import ember
    >>> ember.real(ember.tensor([1 + 2j, 3 - 1j]))
    tensor([1., 3.])
    """
    _need("real", input)
    if not input.is_complex():
        return input
    return _view_of(input, input._data.real, SelectBackward0)


def imag(input: Tensor) -> Tensor:  # noqa: A002
    """The imaginary part, a view of a complex tensor's memory (real tensors have none: RuntimeError).

    >>> import ember
    >>> ember.imag(ember.tensor([1 + 2j, 3 - 1j]))
    tensor([ 2., -1.])
    """
    _need("imag", input)
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _view_of(input, input._data.imag, SelectBackward0)


def conj(input: Tensor) -> Tensor:  # noqa: A002
    """The complex conjugate (a new tensor; PyTorch's is a lazy view); a real tensor is returned as it is.

    >>> import ember
    >>> ember.conj(ember.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    _need("conj", input)
    if not input.is_complex():
        return input
    d = input._data
    return _result(d.conj(), (input,), ConjBackward0)


def conj_physical(input: Tensor) -> Tensor:  # noqa: A002
    """The complex conjugate, computed (the same as ``conj`` in Ember); a real tensor is returned as it is.

    >>> import ember
    >>> ember.conj_physical(ember.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    _need("conj_physical", input)
    return conj(input)


def resolve_conj(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` itself: Ember's conjugates are never lazy, so there is no conjugate bit to resolve.

    >>> import ember
    >>> x = ember.tensor([1 + 2j])
    >>> ember.resolve_conj(x) is x
    True
    """
    _need("resolve_conj", input)
    return input


def resolve_neg(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` itself: Ember has no lazy negative bit.

    >>> import ember
    >>> x = ember.tensor([1.])
    >>> ember.resolve_neg(x) is x
    True
    """
    _need("resolve_neg", input)
    return input


def is_conj(input: Tensor) -> bool:  # noqa: A002
    """False: Ember's conjugates are computed, never lazy views with a conjugate bit.

    >>> import ember
    >>> ember.is_conj(ember.tensor([1 + 2j]).conj())
    False
    """
    _need("is_conj", input)
    return False


def angle(input: Tensor) -> Tensor:  # noqa: A002
    """The argument (phase) in radians: ``atan2(imag, real)`` for complex tensors, ``pi`` for negative real
    values and 0 otherwise (NaN stays NaN); integer and bool tensors give the default float dtype.

    >>> import ember
    >>> ember.angle(ember.tensor([-1., 2.]))
    tensor([3.1416, 0.0000])
    """
    _need("angle", input)
    d = input._data
    dt = input.dtype
    if dt.is_complex:
        out = np.angle(d).astype(dt.to_real().np, copy=False)
    else:
        odt = dt if dt.is_floating_point else D._default.dtype
        out = np.where(d < 0, math.pi, 0.0).astype(odt.np)
        if dt.is_floating_point:
            nan = d != d
            if nan.any():
                out[nan] = np.nan
    res = _wrap(out)
    if input._rg and state.enabled:
        n = AngleBackward0()
        n.shape, n.dtype = d.shape, dt
        link(n, res, (input,))
    return res


def view_as_real(input: Tensor) -> Tensor:  # noqa: A002
    """A complex tensor's memory seen as real pairs: shape ``(*input.shape, 2)``, (real, imag) last.

    >>> import ember
    >>> ember.view_as_real(ember.tensor([1 + 2j, 3 - 1j]))
    tensor([[ 1.,  2.],
            [ 3., -1.]])
    """
    _need("view_as_real", input)
    if not input.is_complex():
        raise RuntimeError("view_as_real is only supported for complex tensors")
    d = input._data
    return _view_of(input, d[..., None].view(d.real.dtype), ViewAsRealBackward0)


def _offset(a) -> int:
    """``a``'s byte offset into its base array's memory (PyTorch's storage offset, in bytes)."""
    base = a.base if isinstance(a.base, np.ndarray) else a
    return a.__array_interface__["data"][0] - base.__array_interface__["data"][0]


def view_as_complex(input: Tensor) -> Tensor:  # noqa: A002
    """A float tensor whose last dimension holds (real, imag) pairs (size 2, stride 1) seen as complex numbers.

    >>> import ember
    >>> ember.view_as_complex(ember.tensor([[1., 2.], [3., -1.]]))
    tensor([1.+2.j, 3.-1.j])
    """
    _need("view_as_complex", input)
    dt = input.dtype
    if dt not in (D.float32, D.float64):
        if dt is D.float16:
            raise RuntimeError("view_as_complex: complex32 (ComplexHalf) tensors are not supported by Ember; "
                               "convert the input to float32 first")
        raise RuntimeError(f"view_as_complex is only supported for half, float and double tensors, but got a tensor "
                           f"of scalar type: {D.legacy_name(dt)}")
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if d.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    item = d.itemsize
    if d.strides[-1] != item:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * item) for s, n in zip(d.strides[:-1], d.shape[:-1]) if n > 1):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if _offset(d) % (2 * item):
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _view_of(input, d.view(dt.to_complex().np)[..., 0], ViewAsComplexBackward0)


def _float_pair(a: Tensor, b: Tensor, fn: str, first: str, second: str):
    for name, t in ((first, a), (second, b)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    for t in (a, b):
        if t.dtype not in (D.float32, D.float64, D.float16):
            raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                               f"{D.legacy_name(a.dtype)} and {D.legacy_name(b.dtype)}")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"Expected object of scalar type {D.legacy_name(a.dtype)} but got scalar type "
                           f"{D.legacy_name(b.dtype)} for second argument")
    if a.dtype is D.float16:
        raise RuntimeError(f"{fn}: complex32 (ComplexHalf) tensors are not supported by Ember; convert the inputs "
                           f"to float32 first")
    try:
        shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_error(a._data.shape, b._data.shape) from None
    return shape, a.dtype.to_complex().np


def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:  # noqa: A001
    """The complex tensor ``real + imag * 1j`` (same float dtype, broadcast shapes).

    >>> import ember
    >>> ember.complex(ember.tensor([1., 2.]), ember.tensor([3., 4.]))
    tensor([1.+3.j, 2.+4.j])
    """
    shape, ct = _float_pair(real, imag, "complex", "real", "imag")
    arr = np.empty(shape, dtype=ct)
    arr.real = real._data
    arr.imag = imag._data
    res = _result(arr, (real, imag), ComplexBackward0)
    return res if out is None else out.copy_(res)


def polar(abs: Tensor, angle: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """The complex tensor ``abs * (cos(angle) + sin(angle) * 1j)``.

    >>> import ember
    >>> ember.polar(ember.tensor([2.]), ember.tensor([0.]))
    tensor([2.+0.j])
    """
    shape, ct = _float_pair(abs, angle, "polar", "abs", "angle")
    a, t = abs._data, angle._data
    arr = np.empty(shape, dtype=ct)
    arr.real = a * np.cos(t)
    arr.imag = a * np.sin(t)
    res = _result(arr, (abs, angle), PolarBackward0)
    return res if out is None else out.copy_(res)


def _set_real(self: Tensor, value) -> None:
    real(self).copy_(value)


def _set_imag(self: Tensor, value) -> None:
    imag(self).copy_(value)


Tensor.real = property(real, _set_real, doc="The real part (a view for complex tensors; the tensor itself else).")
Tensor.imag = property(imag, _set_imag, doc="The imaginary part, a view (complex tensors only).")
register(conj=conj, conj_physical=conj_physical, resolve_conj=resolve_conj, resolve_neg=resolve_neg,
         is_conj=is_conj, angle=angle)
