"""dtypes: PyTorch's dtype objects over NumPy dtypes, promotion rules, the default dtype."""
from __future__ import annotations

import builtins
import sys

import numpy as np

# category: 0 bool, 1 integer, 2 floating, 3 complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, e.g. ``ember.float32``.

    >>> import ember
    >>> ember.tensor([1.0]).dtype
    torch.float32
    """

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_cat")

    def __init__(self, name: str, np_dtype, cat: int):
        self.name = name
        self.np = np_dtype
        self.itemsize = np_dtype.itemsize if np_dtype is not None else 2
        self._cat = cat
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self.is_signed = name not in ("bool", "uint8", "uint16", "uint32", "uint64")

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self) -> "dtype":
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self) -> "dtype":
        # float16 -> complex32 in PyTorch; ember has no complex32 and uses complex64
        return {"float32": complex64, "float64": complex128, "float16": complex64, "bfloat16": complex64}.get(
            self.name, self)


class _LazyNumpyDtype(dtype):
    """bfloat16: its NumPy dtype comes from ml_dtypes, imported on first use (ml_dtypes 0.7 takes ~0.5 s to
    import, more than all of ember), then registered for NumPy -> ember lookups."""

    __slots__ = ()

    def __init__(self, name: str, cat: int):
        super().__init__(name, None, cat)

    @property
    def np(self):
        npd = dtype.np.__get__(self)
        if npd is None:
            try:
                import ml_dtypes  # noqa: PLC0415 - deferred: see the class docstring
            except ImportError:  # pragma: no cover - exercised only without ml_dtypes
                return None
            npd = np.dtype(ml_dtypes.bfloat16)
            dtype.np.__set__(self, npd)
            _FROM_NP[npd] = self
        return npd

    @np.setter
    def np(self, value):
        dtype.np.__set__(self, value)


bool = dtype("bool", np.dtype(np.bool_), _BOOL)  # noqa: A001 - PyTorch's name
uint8 = dtype("uint8", np.dtype(np.uint8), _INT)
uint16 = dtype("uint16", np.dtype(np.uint16), _INT)
uint32 = dtype("uint32", np.dtype(np.uint32), _INT)
uint64 = dtype("uint64", np.dtype(np.uint64), _INT)
int8 = dtype("int8", np.dtype(np.int8), _INT)
int16 = dtype("int16", np.dtype(np.int16), _INT)
int32 = dtype("int32", np.dtype(np.int32), _INT)
int64 = dtype("int64", np.dtype(np.int64), _INT)
float16 = dtype("float16", np.dtype(np.float16), _FLOAT)
bfloat16 = _LazyNumpyDtype("bfloat16", _FLOAT)
float32 = dtype("float32", np.dtype(np.float32), _FLOAT)
float64 = dtype("float64", np.dtype(np.float64), _FLOAT)
complex64 = dtype("complex64", np.dtype(np.complex64), _COMPLEX)
complex128 = dtype("complex128", np.dtype(np.complex128), _COMPLEX)

# PyTorch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

ALL = (bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64,
       float16, bfloat16, float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL}
_FROM_NP = {d.np: d for d in ALL if d is not bfloat16}


_LEGACY = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
           "complex64": "ComplexFloat", "complex128": "ComplexDouble", "uint16": "UInt16", "uint32": "UInt32",
           "uint64": "UInt64"}


def legacy_name(d: dtype) -> str:
    """The scalar-type name PyTorch's error messages use: 'Float', 'Long', 'Double' ..."""
    return _LEGACY[d.name]


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(npd) -> dtype:
    """The ember dtype of a NumPy dtype; TypeError for types PyTorch has no dtype for."""
    d = _FROM_NP.get(npd)
    if d is None:
        npd = np.dtype(npd)
        d = _FROM_NP.get(npd)
        if d is None and npd.name == "bfloat16" and "ml_dtypes" in sys.modules:  # made before bfloat16.np's import
            d = bfloat16 if bfloat16.np == npd else None
        if d is None:
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{npd}. The only supported types are: "
                "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                "uint64, uint32, uint16, uint8, and bool.")
    return d


def np_dtype(d: dtype):
    """The NumPy dtype that holds ember dtype ``d``; clear error for bfloat16 without ml_dtypes."""
    if d.np is None:
        raise TypeError("bfloat16 needs the 'ml_dtypes' package: pip install ml_dtypes")
    return d.np


class _Default:
    __slots__ = ("dtype",)


_default = _Default()
_default.dtype = float32


def get_default_dtype() -> dtype:
    """The dtype of floating tensors made from Python floats (float32 unless changed).

    >>> import ember
    >>> ember.get_default_dtype()
    torch.float32
    """
    return _default.dtype


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float32 or float64, as in PyTorch)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default.dtype = d


def _int_promote(a: dtype, b: dtype) -> dtype:
    if a is uint8 and b is int8 or a is int8 and b is uint8:
        return int16
    r = np.promote_types(a.np, b.np)
    d = _FROM_NP.get(r)
    if d is None or d._cat != _INT:  # uint64 + int64 -> float64 in NumPy; PyTorch errors
        raise TypeError(f"Promotion for uint64 types is not supported, attempted to promote {a} and {b}")
    return d


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to, by PyTorch's table.

    >>> import ember
    >>> ember.promote_types(ember.int32, ember.float16)
    torch.float16
    """
    if a is b:
        return a
    ca, cb = a._cat, b._cat
    if ca != cb:
        if ca < cb:
            a, b, ca, cb = b, a, cb, ca
        # a has the higher category
        if ca == _COMPLEX and cb == _FLOAT:
            return complex128 if b is float64 or a is complex128 else complex64
        return a
    if ca == _INT:
        return _int_promote(a, b)
    if ca == _FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize >= b.itemsize else b
    if ca == _COMPLEX:
        return complex128 if complex128 in (a, b) else complex64
    return a


def scalar_dtype(x) -> dtype:
    """dtype a Python scalar takes as a wrapped number (bool, int64, default float, complex)."""
    t = type(x)
    if t is builtins.bool:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return _default.dtype
    if t is builtins.complex:
        return complex128 if _default.dtype is float64 else complex64
    if isinstance(x, np.generic):  # as in PyTorch: NumPy integers act as Python ints, floats and bools as floats
        k = x.dtype.kind
        if k in "iu":
            return int64
        if k == "c":
            return complex128 if _default.dtype is float64 else complex64
        return _default.dtype
    raise TypeError(f"unsupported scalar type {t.__name__}")


def combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """PyTorch's rule for mixing a higher-priority group result with a lower one."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        return higher.to_complex() if higher._cat == _FLOAT else lower
    if higher._cat == _FLOAT:
        return higher
    if higher is bool or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


class finfo:
    """Machine limits of a floating dtype, like ``torch.finfo``.

    >>> import ember
    >>> ember.finfo(ember.float32).eps
    1.1920928955078125e-07
    """

    def __init__(self, type: dtype | None = None):  # noqa: A002 - PyTorch's name
        d = type or _default.dtype
        if not d.is_floating_point and not d.is_complex:
            raise TypeError(f"torch.finfo() requires a floating point input type. Use torch.iinfo to handle '{d}'")
        d = d.to_real()
        fi = np.finfo(np_dtype(d)) if d is not bfloat16 else sys.modules["ml_dtypes"].finfo(np_dtype(d))
        self.bits = builtins.int(fi.bits)
        self.eps = builtins.float(fi.eps)
        self.max = builtins.float(fi.max)
        self.min = builtins.float(fi.min)
        self.tiny = builtins.float(fi.tiny)
        self.smallest_normal = self.tiny
        self.resolution = builtins.float(fi.resolution)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype, like ``torch.iinfo``.

    >>> import ember
    >>> ember.iinfo(ember.int8).max
    127
    """

    def __init__(self, type: dtype):  # noqa: A002
        if type._cat != _INT and type is not bool:
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo to handle '{type}'")
        ii = np.iinfo(type.np) if type is not bool else None
        self.bits = 8 * type.itemsize
        self.max = builtins.int(ii.max) if ii else 1
        self.min = builtins.int(ii.min) if ii else 0
        self.dtype = type.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
