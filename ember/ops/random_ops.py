"""Random sampling: rand, randn, randint, randperm, normal, bernoulli, multinomial, poisson and in-place fills."""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype as D
from .._device import xp_for
from .._random import _gen
from ._util import Tensor, _wrap, register, state
from .creation import _dev, _size

__all__ = ["rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "randperm", "normal",
           "bernoulli", "multinomial", "poisson"]


def _float_dtype(dtype):
    dt = dtype or D._default.dtype
    if dt._cat != 2:
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{dt.name.capitalize()}'")
    return dt


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


def _sample_dtype(dt):
    """NumPy dtype to sample in: the tensor's own (the engine rounds float16/bfloat16 as PyTorch does)."""
    return D.np_dtype(dt)


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """Uniform samples in [0, 1); the same numbers as PyTorch for the same seed.

    >>> import ember
    >>> _ = ember.manual_seed(0); ember.rand(3)
    tensor([0.4963, 0.7682, 0.0885])
    """
    dt = _float_dtype(dtype)
    shape = _size(size)
    arr = _gen(generator)._impl.uniform(shape, D.np_dtype(dt))
    return _place(arr, device, dt, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, out=None) -> Tensor:
    """Standard normal samples; the same numbers as PyTorch for the same seed."""
    dt = _float_dtype(dtype)
    arr = _gen(generator)._impl.normal(_size(size), D.np_dtype(dt))
    return _place(arr, device, dt, requires_grad)


def rand_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False, generator=None) -> Tensor:
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


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
    arr = _gen(generator)._impl.randint(_size(tuple(shape)), builtins.int(low), builtins.int(high),
                                         D.np_dtype(dt) if dt.np is not None else np.float32)
    return _place(arr, device, dt, requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, device=None, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (PyTorch's stream for the same seed)."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = dtype or D.int64
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
        dt = _float_dtype(dtype)
        arr = g.normal(_size(tuple(size)), D.np_dtype(dt), float(mean), float(std))
        return _place(arr, device, dt, requires_grad)
    ref = mean if mt else std
    dt = ref.dtype
    if st and bool((std._data < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    m = mean._np() if mt else np.asarray(mean, dtype=D.np_dtype(dt))
    s = std._np() if st else np.asarray(std, dtype=D.np_dtype(dt))
    arr = g.normal_tensor(m.astype(D.np_dtype(dt)), s.astype(D.np_dtype(dt)), D.np_dtype(dt))
    return _place(arr, device or ref.device, dt, requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or the scalar ``p``)."""
    g = _gen(generator)._impl
    dt = input.dtype
    if p is not None:
        arr = g.bernoulli_scalar(tuple(input.shape), float(p), D.np_dtype(dt))
    else:
        probs = input._np()
        if probs.size and (probs.min() < 0 or probs.max() > 1):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        arr = g.bernoulli_tensor(probs, D.np_dtype(dt))
    return _place(arr, input.device, dt, False)


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
    arr = _gen(generator)._impl.multinomial(probs, builtins.int(num_samples), bool(replacement))
    return _place(np.asarray(arr, dtype=np.int64), input.device, D.int64, False)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input``."""
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
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.uniform(shape, _sdt(self), float(a), float(b)), perm)


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with normal samples (PyTorch's stream)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    perm, shape = _order(self)
    contiguous = self.is_contiguous()
    return _fill(self, _gen(generator)._impl.normal(shape, _sdt(self), float(mean), float(std),
                                                       contiguous=contiguous), perm)


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples of probability ``p`` (a float or a tensor broadcastable to self)."""
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
    if to is None and from_ is not None:
        from_, to = 0, from_
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.random_(shape, self._data.dtype, from_, to), perm)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.exponential(shape, _sdt(self), float(lambd)), perm)


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.cauchy(shape, _sdt(self), float(median), float(sigma)), perm)


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.log_normal(shape, _sdt(self), float(mean), float(std)), perm)


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    perm, shape = _order(self)
    return _fill(self, _gen(generator)._impl.geometric(shape, _sdt(self), float(p)), perm)


register(uniform_=uniform_, normal_=normal_, bernoulli_=bernoulli_, random_=random_, exponential_=exponential_,
         cauchy_=cauchy_, log_normal_=log_normal_, geometric_=geometric_, bernoulli=bernoulli,
         multinomial=multinomial)
