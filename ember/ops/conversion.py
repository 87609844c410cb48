"""Dtype and device conversion: ``Tensor.to``, ``.float()``/``.long()``/..., ``.cpu()``/``.cuda()``, ``type_as``."""
from __future__ import annotations

from .. import _dtype as D
from ..autograd.engine import _no_complex
from ..autograd.graph import Node, link
from ._util import Tensor, _wrap, state


class ToCopyBackward0(Node):
    __slots__ = ("dtype", "device")

    def backward(self, g):
        if not self.dtype.is_complex:
            _no_complex(g)  # a real tensor converted to complex: its gradient would need PyTorch's conjugations
        return g.to(dtype=self.dtype, device=self.device)


def to(self: Tensor, *args, **kwargs) -> Tensor:
    """Convert dtype and/or device: ``t.to(ember.float64)``, ``t.to("cuda")``, ``t.to(other)``.

    >>> import ember
    >>> ember.tensor([1, 2]).to(ember.float32)
    tensor([1., 2.])
    """
    from .._device import device as _dev, device_of, to_device_array  # noqa: PLC0415

    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected {list(kwargs)}")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, (str, _dev)) or isinstance(a, int) and not isinstance(a, bool):
            dev = a
        elif isinstance(a, bool) or a is None:
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    data = self._data
    if dev is not None:
        dev = _dev(dev)
        if dev.type == "cuda" and dev.index is None:
            dev = _dev("cuda", 0)
    same_dev = dev is None or device_of(data) == dev
    same_dt = dtype is None or data.dtype == D.np_dtype(dtype)
    if same_dev and same_dt and not copy:
        return self
    arr = data if same_dev else to_device_array(data, dev)
    if not same_dt:
        arr = arr.astype(D.np_dtype(dtype))
    elif arr is data:
        arr = arr.copy()
    res = _wrap(arr)
    if self._rg and state.enabled and (dtype is None or dtype._cat >= 2):
        n = ToCopyBackward0()
        n.dtype = self.dtype
        n.device = device_of(data)
        link(n, res, (self,))
    return res


def _cast(dtype):
    def method(self, memory_format=None):
        return to(self, dtype)
    method.__name__ = dtype.name
    return method


def _cpu(self: Tensor) -> Tensor:
    return to(self, "cpu")


def _cuda(self: Tensor, device=None, non_blocking: bool = False) -> Tensor:
    from .._device import device as _dev  # noqa: PLC0415

    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = _dev("cuda", device)
    return to(self, device)


def type_as(self: Tensor, other: Tensor) -> Tensor:
    return to(self, other.dtype)


__all__: list = []  # Tensor methods only
