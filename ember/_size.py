"""Size: the tuple subclass that ``Tensor.shape`` returns, printing like ``torch.Size([2, 3])``."""
from __future__ import annotations

import math


class Size(tuple):
    """A tensor's shape.

    >>> import ember
    >>> ember.zeros(2, 3).shape
    torch.Size([2, 3])
    """

    __slots__ = ()

    def __new__(cls, seq=()):
        return tuple.__new__(cls, (int(s) for s in seq))

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        return math.prod(self)

    def __getitem__(self, idx):
        r = tuple.__getitem__(self, idx)
        return _new(Size, r) if type(idx) is slice else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))


_new = tuple.__new__


def _size_of_shape(shape: tuple) -> Size:
    """``Size(shape)`` for a NumPy/CuPy shape (already a tuple of Python ints): no per-element conversion."""
    return _new(Size, shape)
