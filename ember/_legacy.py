"""Legacy typed constructors: ``FloatTensor([1, 2])``, ``LongTensor(2, 3)``, ``isinstance(t, FloatTensor)``."""
from __future__ import annotations

from . import _dtype as D
from ._tensor import Tensor


class _LegacyMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype


def _make(name: str, dtype: D.dtype):
    def __new__(cls, *args, device=None):
        from .ops.creation import _from_data, zeros  # noqa: PLC0415

        if len(args) == 1 and not isinstance(args[0], int):
            return _from_data(args[0], dtype=dtype, device=device)
        return zeros(*args, dtype=dtype, device=device)

    doc = f"Legacy constructor of {dtype} tensors: ``{name}(data)`` or ``{name}(*sizes)``."
    return _LegacyMeta(name, (), {"__new__": __new__, "_legacy_dtype": dtype, "__doc__": doc,
                                  "__module__": "torch"})


FloatTensor = _make("FloatTensor", D.float32)
DoubleTensor = _make("DoubleTensor", D.float64)
HalfTensor = _make("HalfTensor", D.float16)
BFloat16Tensor = _make("BFloat16Tensor", D.bfloat16)
LongTensor = _make("LongTensor", D.int64)
IntTensor = _make("IntTensor", D.int32)
ShortTensor = _make("ShortTensor", D.int16)
CharTensor = _make("CharTensor", D.int8)
ByteTensor = _make("ByteTensor", D.uint8)
BoolTensor = _make("BoolTensor", D.bool)

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]
