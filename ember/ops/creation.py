"""Creation ops: tensor, as_tensor, from_numpy, zeros/ones/empty/full (+_like), arange, linspace, logspace, eye,
window functions."""
from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._device import CPU, device as _device_cls, device_of, to_device_array, xp_for
from .._tensor import Tensor, _wrap

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
           "ones_like", "empty_like", "full_like", "arange", "linspace", "logspace", "eye",
           "scalar_tensor", "empty_strided", "frombuffer", "bartlett_window", "blackman_window",
           "hamming_window", "hann_window", "kaiser_window"]


def _requires_grad(t: Tensor) -> None:
    """requires_grad=True at creation: PyTorch's factory-function message for non-float dtypes."""
    if t._data.dtype.kind not in "fc" and t.dtype is not D.bfloat16:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    t._rg = True


def _dev(device):
    if device is None:
        return CPU
    return device if isinstance(device, _device_cls) else _device_cls(device)


def _finish(arr, dtype, device, requires_grad) -> Tensor:
    if dtype is not None:
        npd = D.np_dtype(dtype)
        if arr.dtype != npd:
            arr = arr.astype(npd)
    if device is not None:
        arr = to_device_array(arr, _dev(device))
    t = _wrap(arr)
    if requires_grad:
        _requires_grad(t)
    return t


def _infer_np(data, keep_float: bool = False):
    """NumPy array of Python data with PyTorch's dtype inference (floats -> default dtype unless ``keep_float``)."""
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat_first(data)):
        data = _tensors_to_lists(data)
    try:
        arr = np.array(data)
    except ValueError:
        _check_nested(data)
        raise
    k = arr.dtype.kind
    if k == "f" and not _has_np_floats(data):
        if not keep_float:  # with an explicit dtype, cast once from double (no rounding through float32)
            arr = arr.astype(D.np_dtype(D._default.dtype))
    elif k == "c" and not _has_np_floats(data) and not keep_float:
        arr = arr.astype(np.complex128 if D._default.dtype is D.float64 else np.complex64)
    elif k in "iu" and arr.dtype != np.int64 and not _has_np_floats(data):
        arr = arr.astype(np.int64)
    elif k not in "biufc":
        bad = type(_first_leaf(data)).__name__
        raise TypeError(f"new(): invalid data type '{bad}'")
    return arr


def _check_nested(data) -> None:
    """PyTorch's error for ragged nested sequences (sizes are taken from the first element at each depth)."""
    sizes = []
    x = data
    while isinstance(x, (list, tuple)):
        sizes.append(len(x))
        if not x:
            break
        x = x[0]
    stack = [(data, 0)]
    while stack:
        x, dim = stack.pop()
        if dim == len(sizes):
            if isinstance(x, (list, tuple)):
                raise TypeError(f"must be real number, not {type(x).__name__}")
            continue
        if not isinstance(x, (list, tuple)):
            raise TypeError("not a sequence")
        if len(x) != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(x)})")
        stack.extend((e, dim + 1) for e in reversed(x))


def _flat_first(data):
    while isinstance(data, (list, tuple)) and data:
        yield data[0]
        data = data[0]


def _first_leaf(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _has_np_floats(data) -> bool:
    leaf = _first_leaf(data)
    return isinstance(leaf, np.generic)


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(x) for x in data]
    return data


def _from_data(data, dtype=None, device=None, copy=True) -> Tensor:
    if isinstance(data, Tensor):
        arr = data._data
        if copy:
            arr = arr.copy()
        return _finish(arr, dtype, device, False)
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "biufc" and data.dtype != getattr(D.bfloat16, "np", None):
            raise TypeError(f"can't convert np.ndarray of type {data.dtype}. The only supported types are: "
                            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, "
                            "uint32, uint16, uint8, and bool.")
        arr = np.array(data, copy=True) if copy else data
        if not arr.flags.c_contiguous and copy:
            arr = np.ascontiguousarray(arr)
        if data.dtype.byteorder == ">":
            arr = arr.astype(arr.dtype.newbyteorder("="))
        return _finish(arr, dtype, device, False)
    if hasattr(data, "__cuda_array_interface__") and device is None:
        return _finish(data.copy() if copy else data, dtype, device_of(data), False)
    if hasattr(data, "__array__") and not isinstance(data, (list, tuple)):
        return _from_data(np.asarray(data), dtype, device, copy=copy)
    if dtype is not None and dtype is not D.bfloat16 and not isinstance(data, (list, tuple)) \
            and not isinstance(data, np.generic):
        arr = np.array(data, dtype=D.np_dtype(dtype))
    else:
        arr = _infer_np(data, keep_float=dtype is not None and dtype is not D.bfloat16)
    return _finish(arr, dtype, device, False)


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (scalars, nested lists, NumPy arrays, tensors).

    >>> import ember
    >>> ember.tensor([[1., 2., 3.], [2., 3., 4.]]).shape
    torch.Size([2, 3])
    """
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    t = _from_data(data, dtype, device, copy=True)
    if requires_grad:
        _requires_grad(t)
    return t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with ``data`` when dtype and device already match.

    >>> import ember, numpy as np
    >>> a = np.zeros(2); ember.as_tensor(a)[0] = 5; a[0]
    np.float64(5.0)
    """
    if isinstance(data, Tensor):
        t = data
        if dtype is not None and t.dtype is not dtype or device is not None and t.device != _dev(device):
            t = t.to(dtype=dtype, device=device)
        return t
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc":
        return _finish(data, dtype, device, False)
    return _from_data(data, dtype, device, copy=False)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False) -> Tensor:
    """``torch.asarray``: share memory when possible unless ``copy=True``."""
    t = _from_data(obj, dtype, device, copy=True) if copy else as_tensor(obj, dtype, device)
    if requires_grad:
        _requires_grad(t)
    return t


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array.

    >>> import ember, numpy as np
    >>> ember.from_numpy(np.array([1, 2, 3, 4]))
    tensor([1, 2, 3, 4])
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """A 1-D tensor over a Python buffer (shares memory)."""
    return _finish(np.frombuffer(buffer, dtype=D.np_dtype(dtype), count=count, offset=offset), None, None,
                   requires_grad)


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (builtins.int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(builtins.int(s))
    return tuple(out)


def _filled(fill, size, dtype, device, requires_grad):
    dt = dtype or D._default.dtype
    xp = xp_for(_dev(device))
    arr = xp.full(_size(size), fill, dtype=D.np_dtype(dt)) if fill != 0 else xp.zeros(_size(size), D.np_dtype(dt))
    t = _wrap(arr)
    if requires_grad:
        _requires_grad(t)
    return t


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, out=None, layout=None,
          pin_memory=False) -> Tensor:
    """A tensor of zeros. ``ember.zeros(2, 3)`` or ``ember.zeros((2, 3))``.

    >>> import ember
    >>> ember.zeros(2)
    tensor([0., 0.])
    """
    if any(type(s) is builtins.int and s < 0 for s in size):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, out=None, layout=None,
         pin_memory=False) -> Tensor:
    """A tensor of ones.

    >>> import ember
    >>> ember.ones(2, dtype=ember.int64)
    tensor([1, 1])
    """
    return _filled(1, size, dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False, out=None, layout=None,
          pin_memory=False, memory_format=None) -> Tensor:
    """An uninitialised tensor (Ember fills it with zeros)."""
    return _filled(0, size, dtype, device, requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
                  pin_memory: bool = False) -> Tensor:
    """An uninitialized (here zero-filled) tensor of ``size`` laid out with ``stride`` (in elements) over a buffer
    just large enough, as PyTorch's.

    >>> import ember
    >>> ember.empty_strided((2, 3), (1, 2)).stride()
    (1, 2)
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    base = _filled(0, (0 if 0 in size else 1 + sum((n - 1) * st for n, st in zip(size, stride)),), dtype, device,
                   False)
    d = base._data
    strides = tuple(st * d.itemsize for st in stride)
    if type(d) is np.ndarray:  # a view whose base is the buffer (storage_offset and as_strided see it)
        arr = np.ndarray(size, d.dtype, buffer=d, strides=strides) if d.size else \
            np.lib.stride_tricks.as_strided(d, size, strides)
    else:
        import cupy  # noqa: PLC0415

        arr = cupy.lib.stride_tricks.as_strided(d, size, strides)
    t = _wrap(arr)
    if requires_grad:
        _requires_grad(t)
    return t


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value (bool, int64, float).

    >>> import ember
    >>> ember.full((2,), 7)
    tensor([7, 7])
    """
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = D.scalar_dtype(fill_value)
    if isinstance(size, (builtins.int, np.integer)):
        size = (size,)
    dt = dtype
    xp = xp_for(_dev(device))
    t = _wrap(xp.full(_size(tuple(size)), fill_value, dtype=D.np_dtype(dt)))
    if requires_grad:
        _requires_grad(t)
    return t


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full((), s, dtype=dtype or D._default.dtype, device=device, requires_grad=requires_grad)


def _like(t: Tensor, dtype, device):
    return t.shape, dtype or t.dtype, device if device is not None else t.device


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, layout=None,  # noqa: A002
               memory_format=None) -> Tensor:
    """Zeros with the shape (and by default dtype and device) of ``input``."""
    s, d, dev = _like(input, dtype, device)
    return zeros(s, dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, layout=None,  # noqa: A002
              memory_format=None) -> Tensor:
    """Ones with the shape (and by default dtype and device) of ``input``."""
    s, d, dev = _like(input, dtype, device)
    return ones(s, dtype=d, device=dev, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, layout=None,  # noqa: A002
               memory_format=None) -> Tensor:
    s, d, dev = _like(input, dtype, device)
    return empty(s, dtype=d, device=dev, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False,  # noqa: A002
              layout=None, memory_format=None) -> Tensor:
    s, d, dev = _like(input, dtype, device)
    return full(s, fill_value, dtype=d, device=dev, requires_grad=requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``.

    >>> import ember
    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    """
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, (builtins.float, np.floating)) for v in (start, end, step))
        dtype = D._default.dtype if is_float else D.int64
    n = builtins.max(0, math.ceil((end - start) / step))
    if dtype._cat <= 1:  # the size comes from the exact values; start and step are truncated to integers
        istep = builtins.int(step)
        if istep == 0:
            raise ValueError("step must be nonzero")
        arr = np.arange(n, dtype=np.int64) * istep + builtins.int(start)
    else:
        arr = np.arange(n, dtype=np.float64) * step + start
    return _finish(arr.astype(D.np_dtype(dtype)), None, device, requires_grad)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Deprecated ``torch.range``: like arange but includes ``end``; float by default."""
    if end is None:
        start, end = 0, start
    n = builtins.int(math.floor((end - start) / step)) + 1
    arr = np.arange(n, dtype=np.float64) * step + start
    return _finish(arr.astype(D.np_dtype(dtype or D._default.dtype)), None, device, requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> import ember
    >>> ember.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or D._default.dtype
    if steps == 1:
        arr = np.array([start], dtype=np.float64)
    else:
        step = (end - start) / builtins.max(steps - 1, 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if dtype._cat == 1:
        arr = np.trunc(arr)
    return _finish(arr.astype(D.np_dtype(dtype)), None, device, requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    lin = linspace(start, end, steps, dtype=D.float64)._data
    dtype = dtype or D._default.dtype
    return _finish(np.power(base, lin).astype(D.np_dtype(dtype)), None, device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m).

    >>> import ember
    >>> ember.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    if n < 0 or m is not None and m < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    xp = xp_for(_dev(device))
    t = _wrap(xp.eye(n, m, dtype=D.np_dtype(dtype or D._default.dtype)))
    if requires_grad:
        _requires_grad(t)
    return t


# ----------------------------------------------------------------------------- window functions
def _window(name: str, window_length, periodic: bool, dtype, device, requires_grad: bool, fill) -> Tensor:
    """PyTorch's window factory: checks, the 0 / 1 lengths, and a periodic window as the first ``N`` values of a
    symmetric one of length ``N + 1``. ``fill(x, n, T)`` maps ``arange(n)`` to the window; each step rounds to the
    result dtype as PyTorch's in-place op sequence does (half types compute each step in float32)."""
    if not isinstance(window_length, (builtins.int, np.integer)) or isinstance(window_length, builtins.bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, "
                        f"not {type(window_length).__name__}")
    dtype = dtype or D._default.dtype
    if dtype._cat != 2:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    npd = D.np_dtype(dtype)
    if window_length <= 1:
        arr = np.ones(window_length, dtype=npd)
    else:
        n = window_length + 1 if periodic else window_length
        op = np.float32 if npd.itemsize < 4 else npd.type

        def rnd(a):
            return a.astype(npd).astype(op)

        arr = fill(rnd(np.arange(n, dtype=np.float64)), n, op, rnd).astype(npd)
        if periodic:
            arr = arr[:-1].copy()
    return _finish(arr, None, device, requires_grad)


def _cosine_sum(alpha, beta):
    def fill(x, n, op, rnd):
        return rnd(rnd(rnd(np.cos(rnd(x * op(math.pi * 2.0 / (n - 1))))) * op(-beta)) + op(alpha))
    return fill


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """Hann window ``0.5 - 0.5 cos(2 pi n / (N - 1))`` (periodic: of length N + 1 without its last value).

    >>> import ember
    >>> ember.hann_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, _cosine_sum(0.5, 0.5))


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *,
                   dtype=None, layout=None, device=None, pin_memory: bool = False,
                   requires_grad: bool = False) -> Tensor:
    """Hamming window ``alpha - beta cos(2 pi n / (N - 1))``.

    >>> import ember
    >>> ember.hamming_window(4, periodic=False)
    tensor([0.0800, 0.7700, 0.7700, 0.0800])
    """
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cosine_sum(alpha, beta))


def _blackman(x, n, op, rnd):
    w = rnd(x * op(math.pi / (n - 1)))
    a = rnd(rnd(np.cos(rnd(w * op(4)))) * op(0.08))
    b = rnd(rnd(np.cos(rnd(w * op(2)))) * op(0.5))
    return rnd(rnd(a - b) + op(0.42))


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """Blackman window ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``.

    >>> import ember
    >>> ember.blackman_window(3, periodic=False)
    tensor([-2.9802e-08,  1.0000e+00, -2.9802e-08])
    """
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, _blackman)


def _bartlett(x, n, op, rnd):
    w = rnd(x * op(2.0 / (n - 1)))
    half = ((n - 1) >> 1) + 1
    w[half:] = rnd(rnd(w[half:] * op(-1)) + op(2))
    return w


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """Bartlett (triangular) window ``1 - |2n / (N - 1) - 1|``.

    >>> import ember
    >>> ember.bartlett_window(5, periodic=False)
    tensor([0.0000, 0.5000, 1.0000, 0.5000, 0.0000])
    """
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, _bartlett)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype=None, layout=None,
                  device=None, pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """Kaiser window ``I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta)`` with ``a = (N - 1) / 2``.

    >>> import ember
    >>> ember.kaiser_window(3, periodic=False, beta=5.0)
    tensor([0.0367, 1.0000, 0.0367])
    """
    def fill(x, n, op, rnd):
        a = op((n - 1) / 2.0)
        with np.errstate(invalid="ignore"):
            arg = op(beta) * np.sqrt(np.abs(op(1) - ((x - a) / a) ** op(2)))
        return np.i0(arg.astype(np.float64)) / np.i0(float(beta))  # I0 in double, rounded once to the result

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, fill)
