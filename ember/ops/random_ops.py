"""Random sampling: rand, randn, randint, randperm, normal, bernoulli, multinomial, poisson and in-place fills."""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype as D
from .._device import xp_for
from .._random import _gen
from ._util import Tensor, _wrap, register
from .creation import _dev, _size

__all__ = ["rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "randperm", "normal",
           "bernoulli", "multinomial", "poisson"]


def _type_name(dt, c_type: bool = False) -> str:
    """PyTorch's name of a dtype in kernel errors ('Long'), or its C++ type ('long int')."""
    from .._random_engine import _CTYPE_NAMES, _TORCH_NAMES  # noqa: PLC0415

    return (_CTYPE_NAMES if c_type else _TORCH_NAMES).get(dt.name, dt.name)


def _float_dtype(dtype, kernel: str = "check_uniform_bounds", complex_ok: bool = False):
    """The floating (or, where PyTorch samples it, complex) dtype to sample in, or PyTorch's error for a kernel
    without support for it."""
    dt = dtype or D._default.dtype
    if dt._cat != 2 and not (complex_ok and dt._cat == 3):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(dt)}'")
    return dt


_SQRT2 = math.sqrt(2.0)


def _draw(dt, shape, sample, normal: bool = False):
    """``sample(shape, numpy dtype, std_scale)`` for a floating ``dt``. A complex ``dt`` is drawn as PyTorch does:
    its samplers fill the float view (``view_as_real``: each element's real then imaginary part, in memory order)
    and a normal's standard deviation is divided by sqrt(2), so each complex sample has variance std^2."""
    if dt._cat != 3:
        return sample(shape, D.np_dtype(dt), 1.0)
    cdt = np.dtype(D.np_dtype(dt))
    part = np.float32 if cdt == np.complex64 else np.float64
    arr = sample(tuple(shape) + (2,), np.dtype(part), 1.0 / _SQRT2 if normal else 1.0)
    return np.ascontiguousarray(arr).view(cdt).reshape(tuple(shape))


def _continuous(self: Tensor, name: str, c_type: bool = False):
    if self.dtype._cat != 2:
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype must be a floating "
                           f"point but you specified {_type_name(self.dtype, c_type)}")


def _place(arr, device, dtype, requires_grad):
    dev = _dev(device)
    if dev.type != "cpu":
        arr = xp_for(dev).asarray(arr)
    if arr.dtype != D.np_dtype(dtype):
        arr = arr.astype(D.np_dtype(dtype))
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _out_dtype(out):
    return out.dtype if isinstance(out, Tensor) else None


def _to_out(res: Tensor, out):
    """Write ``res`` into ``out=`` (PyTorch samples in ``out``'s dtype when no dtype is given)."""
    if out is None:
        return res
    from .pointwise import _out  # noqa: PLC0415

    return _out(res, out)


def _sample_dtype(dt):
    """NumPy dtype to sample in: the tensor's own (the engine rounds float16/bfloat16 as PyTorch does)."""
    return D.np_dtype(dt)


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """Uniform samples in [0, 1); the same numbers as PyTorch for the same seed.

    >>> import ember
    >>> _ = ember.manual_seed(0); ember.rand(3)
    tensor([0.4963, 0.7682, 0.0885])
    """
    dt = _float_dtype(dtype or _out_dtype(out), complex_ok=True)
    g = _gen(generator)._impl
    arr = _draw(dt, _size(size), lambda sh, nd, _: g.uniform(sh, nd))
    return _to_out(_place(arr, device, dt, requires_grad), out)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """Standard normal samples; the same numbers as PyTorch for the same seed."""
    dt = _float_dtype(dtype or _out_dtype(out), "normal_kernel_cpu", complex_ok=True)
    g = _gen(generator)._impl
    arr = _draw(dt, _size(size), lambda sh, nd, k: g.normal(sh, nd, 0.0, k), normal=True)
    return _to_out(_place(arr, device, dt, requires_grad), out)


def _like_layout(input: Tensor):
    """(shape to draw, axes back) for a ``*_like`` sampler: PyTorch keeps a dense input's memory layout
    (``preserve_format``), so it fills a transposed input in memory order; other inputs get C order."""
    d = input._data
    shape = tuple(d.shape)
    if d.ndim < 2 or d.flags.c_contiguous:
        return shape, None
    from .._random_engine import fill_order  # noqa: PLC0415

    strides = [s // d.itemsize for s in d.strides]
    perm = fill_order(shape, strides)
    expected = 1
    for ax in reversed(perm):  # non-overlapping and dense: the strides of a permuted C-contiguous array
        if shape[ax] != 1:
            if strides[ax] != expected:
                return shape, None
            expected *= shape[ax]
    return tuple(shape[p] for p in perm), tuple(np.argsort(perm))


def _empty_like_kept(input: Tensor) -> Tensor:
    """``torch.empty_like(input)``: a dense input's memory layout is kept, so samplers fill it in that order."""
    from .creation import empty  # noqa: PLC0415

    shape, axes = _like_layout(input)
    t = empty(shape, dtype=input.dtype, device=input.device)
    return t if axes is None else _wrap(t._data.transpose(axes))


def _laid_out(t: Tensor, axes, requires_grad: bool) -> Tensor:
    if axes is None:
        return t
    out = _wrap(t._data.transpose(axes))
    return out.requires_grad_(True) if requires_grad else out


def rand_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Uniform samples in [0, 1) shaped like ``input`` (filled in its memory order, as PyTorch).

    >>> import ember
    >>> _ = ember.manual_seed(0); ember.rand_like(ember.zeros(2, 3).T)
    tensor([[0.4963, 0.1320],
            [0.7682, 0.3074],
            [0.0885, 0.6341]])
    """
    shape, axes = _like_layout(input)
    t = rand(shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
             requires_grad=requires_grad and axes is None)
    return _laid_out(t, axes, requires_grad)


def randn_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    """Standard normal samples shaped like ``input`` (filled in its memory order, as PyTorch).

    >>> import ember
    >>> _ = ember.manual_seed(0); ember.randn_like(ember.zeros(3))
    tensor([ 1.5410, -0.2934, -2.1788])
    """
    shape, axes = _like_layout(input)
    if axes is None:
        return randn(shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                     requires_grad=requires_grad)
    dt = _float_dtype(dtype or input.dtype, "normal_kernel_cpu", complex_ok=True)
    g = _gen(generator)._impl  # non-contiguous: PyTorch's scalar path
    arr = _draw(dt, shape, lambda sh, nd, k: g.normal(sh, nd, 0.0, k, contiguous=False), normal=True)
    return _laid_out(_place(arr, device or input.device, dt, False), axes, requires_grad)


def randint(*args, generator=None, dtype=None, device=None, requires_grad: bool = False, size=None,
            low=None, high=None) -> Tensor:
    """Integers uniform in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``.

    >>> import ember
    >>> ember.randint(0, 10, (3,)).dtype
    torch.int64
    """
    pos = list(args)
    if size is None and pos and isinstance(pos[-1], (tuple, list)):
        size = pos.pop()
    if high is None and pos:
        high = pos.pop()
    if low is None:
        low = pos.pop() if pos else 0
    if pos or high is None or size is None:
        raise TypeError("randint() received an invalid combination of arguments - expected (int high, tuple size) "
                        "or (int low, int high, tuple size)")
    shape = size
    if isinstance(shape, int):
        raise TypeError("randint(): argument 'size' must be tuple of ints, but found element of type int")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = dtype or D.int64
    if dt._cat == 3:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    arr = _gen(generator)._impl.randint(_size(tuple(shape)), builtins.int(low), builtins.int(high),
                                         D.np_dtype(dt) if dt.np is not None else np.float32)
    return _place(arr, device, dt, requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, device=None, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low
    shape, axes = _like_layout(input)
    t = randint(low, high, shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device)
    return _laid_out(t, axes, False)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (PyTorch's stream for the same seed)."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = dtype or D.int64
    if dt._cat == 3:
        raise NotImplementedError(f"\"randperm\" not implemented for '{_type_name(dt)}'")
    arr = _gen(generator)._impl.randperm(builtins.int(n))
    return _place(arr, device, dt, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False,
           out=None) -> Tensor:
    """Normal samples with tensor or scalar ``mean``/``std``."""
    g = _gen(generator)._impl
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                            "expected size")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dt = _float_dtype(dtype or _out_dtype(out), "normal_kernel_cpu", complex_ok=True)
        arr = _draw(dt, _size(tuple(size)), lambda sh, nd, k: g.normal(sh, nd, float(mean), float(std) * k),
                    normal=True)
        return _to_out(_place(arr, device, dt, requires_grad), out)
    ref = mean if mt else std
    dt = _out_dtype(out) or ref.dtype
    if st and std.dtype._cat == 3:
        raise RuntimeError("normal expects standard deviation to be non-complex")
    if st and bool((std._data < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if dt._cat == 3:  # a complex mean: PyTorch draws normal_(0, std) (or (0, 1) times std) into the complex output
        if not st and std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        shape = np.broadcast_shapes(tuple(mean.shape), tuple(std.shape) if st else ())
        scale = 1.0 if st else float(std)
        z = _draw(dt, shape, lambda sh, nd, k: g.normal(sh, nd, 0.0, scale * k), normal=True)
        if st:
            z = z * std._np().astype(z.real.dtype)
        arr = z + (mean._np() if mt else np.asarray(mean)).astype(z.dtype)
        return _to_out(_place(arr, device or ref.device, dt, requires_grad), out)
    m = mean._np() if mt else np.asarray(mean, dtype=D.np_dtype(dt))
    s = std._np() if st else np.asarray(std, dtype=D.np_dtype(dt))
    arr = g.normal_tensor(m.astype(D.np_dtype(dt)), s.astype(D.np_dtype(dt)), D.np_dtype(dt))
    return _to_out(_place(arr, device or ref.device, dt, requires_grad), out)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or the scalar ``p``)."""
    g = _gen(generator)._impl
    dt = input.dtype
    if p is not None:
        arr = g.bernoulli_scalar(tuple(input.shape), float(p), D.np_dtype(dt))
    else:
        if dt._cat == 3:
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_self_\" not implemented for '{_type_name(dt)}'")
        _float_dtype(dt, "bernoulli_tensor_cpu_p_")
        probs = input._np()
        if probs.size and (probs.min() < 0 or probs.max() > 1):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        arr = g.bernoulli_tensor(probs, D.np_dtype(dt))
    return _to_out(_place(arr, input.device, dt, False), out)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None, out=None) -> Tensor:
    """Indices sampled from the rows of ``input`` (non-negative weights)."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    probs = input._np()
    if probs.size and (probs < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    ncat = probs.shape[-1]
    if not replacement and num_samples > ncat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if (probs.sum(-1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    transposed = input.ndim == 2 and _like_layout(input)[1] is not None  # PyTorch keys follow the memory order
    arr = _gen(generator)._impl.multinomial(probs, builtins.int(num_samples), bool(replacement), transposed)
    return _to_out(_place(np.asarray(arr, dtype=np.int64), input.device, D.int64, False), out)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input``."""
    _float_dtype(input.dtype, "poisson_cpu")
    arr = _gen(generator)._impl.poisson(input._np())
    return _place(arr, input.device, input.dtype, False)


# ----------------------------------------------------------------------------- in-place fills
def _order(self: Tensor):
    """PyTorch fills a tensor in memory order: (permutation of dims, shape in that order)."""
    from .._random_engine import fill_order  # noqa: PLC0415

    shape = tuple(self._data.shape)
    perm = fill_order(shape, self._data.strides)
    return perm, tuple(shape[p] for p in perm)


def _fill(self: Tensor, arr, perm) -> Tensor:
    """Write samples (drawn in ``perm`` order) into ``self``'s memory."""
    from .pointwise import check_inplace  # noqa: PLC0415

    check_inplace(self)
    d = self._data
    vals = arr.transpose(np.argsort(perm)) if perm != tuple(range(len(perm))) else arr.reshape(d.shape)
    d[...] = vals if type(d) is np.ndarray else xp_for(self.device).asarray(vals)
    self._bump()
    return self


def _sdt(self):
    return _sample_dtype(self.dtype)


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    """Fill with uniform samples in [a, b) (PyTorch's stream).

    >>> import ember
    >>> _ = ember.manual_seed(0); ember.empty(2).uniform_(-1, 1)
    tensor([-0.0075,  0.5364])
    """
    dt = _float_dtype(self.dtype, complex_ok=True)
    perm, shape = _order(self)
    g = _gen(generator)._impl
    return _fill(self, _draw(dt, shape, lambda sh, nd, _: g.uniform(sh, nd, float(a), float(b))), perm)


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with normal samples (PyTorch's stream)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = _float_dtype(self.dtype, "normal_kernel_cpu", complex_ok=True)
    perm, shape = _order(self)
    contiguous = self.is_contiguous()
    g = _gen(generator)._impl
    return _fill(self, _draw(dt, shape, lambda sh, nd, k: g.normal(sh, nd, float(mean), float(std) * k,
                                                                    contiguous=contiguous), normal=True), perm)


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples of probability ``p`` (a float or a tensor broadcastable to self)."""
    if self.dtype._cat == 3:
        kernel = "bernoulli_tensor_cpu_self_" if isinstance(p, Tensor) else "bernoulli_scalar_cpu_"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(self.dtype)}'")
    g = _gen(generator)._impl
    perm, shape = _order(self)
    if isinstance(p, Tensor):
        probs = np.broadcast_to(p._np(), tuple(self.shape)).transpose(perm).copy()
        arr = g.bernoulli_tensor(probs, self._data.dtype)
    else:
        arr = g.bernoulli_scalar(shape, float(p), self._data.dtype)
    return _fill(self, arr, perm)


def random_(self: Tensor, from_=None, to=None, *, generator=None) -> Tensor:
    """Fill with integers uniform in [from, to) (defaults as PyTorch: the dtype's range)."""
    if self.dtype._cat == 3:
        raise NotImplementedError(f"\"random_kernel_cpu\" not implemented for '{_type_name(self.dtype)}'")
    if to is None and from_ is not None:
        from_, to = 0, from_
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.random_(shape, self._data.dtype, from_, to), perm)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    _continuous(self, "Exponential")
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.exponential(shape, _sdt(self), float(lambd)), perm)


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    _continuous(self, "Cauchy", c_type=True)
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.cauchy(shape, _sdt(self), float(median), float(sigma)), perm)


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    _float_dtype(self.dtype, "log_normal_cpu")
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.log_normal(shape, _sdt(self), float(mean), float(std)), perm)


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    if self.dtype is D.bool or self.dtype._cat == 3:
        raise NotImplementedError(f"\"geometric_cpu\" not implemented for '{_type_name(self.dtype)}'")
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.geometric(shape, _sdt(self), float(p)), perm)


register(uniform_=uniform_, normal_=normal_, bernoulli_=bernoulli_, random_=random_, exponential_=exponential_,
         cauchy_=cauchy_, log_normal_=log_normal_, geometric_=geometric_, bernoulli=bernoulli,
         multinomial=multinomial)
