"""Comparisons, logical and bitwise ops, and NaN/inf predicates (no gradients)."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from ._util import Tensor, _arr, _wrap, array_module, as_tensor_arg, check_broadcast, is_scalar, prep_binary
from .inplace import _out


def _cmp(ufunc, name):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = as_tensor_arg(input, other)
        ad, bd, _ = prep_binary(input, other)
        return _out(_wrap(_arr(ufunc(ad, bd))), out)

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison; a bool tensor."
    return op


eq = _cmp(np.equal, "eq")
ne = _cmp(np.not_equal, "ne")
lt = _cmp(np.less, "lt")
le = _cmp(np.less_equal, "le")
gt = _cmp(np.greater, "gt")
ge = _cmp(np.greater_equal, "ge")
less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def _logical(ufunc, name):
    def op(input, other, *, out=None):
        a = input._data
        b = other._data if isinstance(other, Tensor) else other
        check_broadcast(a, b)
        return _out(_wrap(_arr(ufunc(a, b))), out)

    op.__name__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None) -> Tensor:
    return _out(_wrap(_arr(np.logical_not(input._data))), out)


def _bitwise(ufunc, name):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = as_tensor_arg(input, other)
        ad, bd, dt = prep_binary(input, other)
        if dt._cat >= 2:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{D.legacy_name(dt)}'")
        return _out(_wrap(_arr(ufunc(ad, bd))), out)

    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bitwise(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _bitwise(np.right_shift, "bitwise_right_shift")


def bitwise_not(input, *, out=None) -> Tensor:
    if input.dtype._cat >= 2:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{D.legacy_name(input.dtype)}'")
    return _out(_wrap(_arr(np.invert(input._data))), out)


def isnan(input) -> Tensor:
    """Elementwise NaN test."""
    return _wrap(_arr(np.isnan(input._data)))


def isinf(input) -> Tensor:
    return _wrap(_arr(np.isinf(input._data)))


def isposinf(input) -> Tensor:
    return _wrap(_arr(np.isposinf(input._data)))


def isneginf(input) -> Tensor:
    return _wrap(_arr(np.isneginf(input._data)))


def isfinite(input) -> Tensor:
    return _wrap(_arr(np.isfinite(input._data)))


def isreal(input) -> Tensor:
    return _wrap(_arr(np.isreal(input._data)))


def signbit(input) -> Tensor:
    return _wrap(_arr(np.signbit(input._data)))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """Elementwise |input - other| <= atol + rtol * |other|."""
    ad, bd, _ = prep_binary(input, other)
    return _wrap(_arr(np.isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether all elements are close (see ``isclose``).

    >>> import ember
    >>> ember.allclose(ember.tensor([1.0]), ember.tensor([1.0 + 1e-9]))
    True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Whether two tensors have the same shape and values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``elements`` occurs in ``test_elements`` (either may be a number); a bool tensor.

    >>> import ember
    >>> ember.isin(ember.tensor([[1, 2], [3, 4]]), ember.tensor([2, 3]))
    tensor([[False,  True],
            [ True, False]])
    """
    for x in (elements, test_elements):
        if not isinstance(x, Tensor) and not is_scalar(x):
            raise TypeError(f"isin(): argument 'elements' and 'test_elements' must be Tensors or Numbers, "
                            f"not {type(x).__name__}")
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): expected 'elements' or 'test_elements' to be a Tensor, got two numbers")
    for x in (elements, test_elements):
        if isinstance(x, Tensor) and x.dtype._cat in (0, 3):
            raise RuntimeError(f"Unsupported input type encountered for isin(): {D.legacy_name(x.dtype)}")
    if not isinstance(elements, Tensor):
        elements = as_tensor_arg(elements, test_elements)
    ad, bd, _ = prep_binary(elements, test_elements, broadcast=False)
    xp = array_module(ad)
    return _wrap(_arr(xp.isin(ad, bd, invert=invert)))


# the names this family adds to the top-level ``ember`` namespace (PyTorch's top-level names only)
__all__ = [
    "allclose", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "eq", "equal", "ge", "greater", "greater_equal", "gt", "isclose", "isfinite", "isin", "isinf",
    "isnan", "isneginf", "isposinf", "isreal", "le", "less", "less_equal", "logical_and", "logical_not",
    "logical_or", "logical_xor", "lt", "ne", "not_equal", "signbit",
]
