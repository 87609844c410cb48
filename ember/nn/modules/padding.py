"""Padding layers: constant, zero, reflection, replication and circular padding in 1, 2 and 3 dims."""
from __future__ import annotations

from ..._tensor import Tensor
from .._functional.padding import pad
from .module import Module

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


def _pads(padding, n: int) -> tuple:
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2 * n:
            raise ValueError(f"padding must be an int or a tuple of {2 * n} ints, got {tuple(padding)}")
        return tuple(padding)
    return (padding,) * (2 * n)


class _PadNd(Module):
    __constants__ = ["padding"]
    _n = 1
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _pads(padding, self._n)

    def _check_input_dim(self, input: Tensor) -> None:
        n = self._n
        if input.ndim not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.ndim}D input)")

    def forward(self, input: Tensor) -> Tensor:
        if self._mode == "circular":
            self._check_input_dim(input)
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with a constant.

    >>> import ember
    >>> ember.nn.ConstantPad1d(1, 3.5)(ember.zeros(1, 2))
    tensor([[3.5000, 0.0000, 0.0000, 3.5000]])
    """

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with a constant ``(left, right, top, bottom)``.

    >>> import ember
    >>> ember.nn.ConstantPad2d((1, 0, 0, 1), 1.0)(ember.zeros(1, 1, 1)).shape
    torch.Size([1, 2, 2])
    """

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with a constant."""

    _n = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros.

    >>> import ember
    >>> ember.nn.ZeroPad1d((1, 2))(ember.ones(1, 1))
    tensor([[0., 1., 0., 0.]])
    """

    _n = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last two dims with zeros.

    >>> import ember
    >>> ember.nn.ZeroPad2d(1)
    ZeroPad2d((1, 1, 1, 1))
    """

    _n = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last three dims with zeros."""

    _n = 3


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its reflection (edge not repeated).

    >>> import ember
    >>> ember.nn.ReflectionPad1d(2)(ember.arange(3.).view(1, 3))
    tensor([[2., 1., 0., 1., 2., 1., 0.]])
    """

    _n = 1
    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last two dims with their reflection."""

    _n = 2
    _mode = "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last three dims with their reflection."""

    _n = 3
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating the edge value.

    >>> import ember
    >>> ember.nn.ReplicationPad1d(2)(ember.arange(3.).view(1, 3))
    tensor([[0., 0., 0., 1., 2., 2., 2.]])
    """

    _n = 1
    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last two dims by repeating the edge values."""

    _n = 2
    _mode = "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last three dims by repeating the edge values."""

    _n = 3
    _mode = "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dim by wrapping around.

    >>> import ember
    >>> ember.nn.CircularPad1d(1)(ember.arange(3.).view(1, 3))
    tensor([[2., 0., 1., 2., 0.]])
    """

    _n = 1
    _mode = "circular"


class CircularPad2d(_PadNd):
    """Pad the last two dims by wrapping around."""

    _n = 2
    _mode = "circular"


class CircularPad3d(_PadNd):
    """Pad the last three dims by wrapping around."""

    _n = 3
    _mode = "circular"
