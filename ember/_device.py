"""Devices and the backend registry: cpu -> NumPy, cuda -> CuPy (optional)."""
from __future__ import annotations

import numpy as np

_cupy = None
_cupy_checked = False


def _get_cupy():
    """CuPy if it imports and sees a GPU, else None (checked once, lazily)."""
    global _cupy, _cupy_checked
    if not _cupy_checked:
        _cupy_checked = True
        try:
            import cupy  # noqa: PLC0415 - optional, imported on first use only

            if cupy.cuda.runtime.getDeviceCount() > 0:
                _cupy = cupy
        except Exception:  # ImportError, or a CUDA runtime without a device
            _cupy = None
    return _cupy


class device:
    """Where a tensor lives: ``ember.device("cpu")`` or ``ember.device("cuda:0")``.

    >>> import ember
    >>> ember.device("cuda", 1)
    device(type='cuda', index=1)
    """

    __slots__ = ("type", "index")

    def __new__(cls, type, index: int | None = None):  # noqa: A002 - PyTorch's name
        if isinstance(type, device):
            return type
        if isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments: got {type!r}")
        cached = _CACHE.get((type, index))
        if cached is not None:
            return cached
        s = type
        if ":" in s:
            if index is not None:
                raise ValueError(f"type (string) must not include an index because index was passed explicitly: {s}")
            s, _, idx = s.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if s not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                f"Expected one of cpu, cuda, meta device type at start of device string: {type}")
        self = object.__new__(cls)
        self.type = s
        self.index = index
        return self

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))


_CACHE: dict = {}
CPU = device("cpu")
_CACHE[("cpu", None)] = CPU


def xp_for(dev: device):
    """The array module (NumPy or CuPy) that backs ``dev``; PyTorch's error if CUDA is missing."""
    if dev.type == "cpu":
        return np
    if dev.type == "cuda":
        cp = _get_cupy()
        if cp is None:
            raise AssertionError("Torch not compiled with CUDA enabled (ember: install cupy and use a machine "
                                 "with an NVIDIA GPU to use device 'cuda')")
        return cp
    raise RuntimeError(f"device type '{dev.type}' has no array backend in ember")


def device_of(arr) -> device:
    """The device that holds array ``arr``."""
    if type(arr) is np.ndarray:
        return CPU
    d = getattr(arr, "device", None)
    if d is not None and hasattr(d, "id"):
        return device("cuda", d.id)
    return CPU


def array_module(arr):
    """NumPy for NumPy arrays, CuPy for CuPy arrays: the one dispatch point of every op."""
    if type(arr) is np.ndarray:
        return np
    cp = _get_cupy()
    if cp is not None and isinstance(arr, cp.ndarray):
        return cp
    return np


def to_device_array(arr, dev: device):
    """Copy ``arr`` to ``dev`` (no copy when it is there already)."""
    src = device_of(arr)
    if src == dev:
        return arr
    if dev.type == "cpu":
        return arr.get()
    cp = xp_for(dev)
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(arr)
