"""ember.fft against torch.fft: every transform with its n/s, dim and norm arguments, dtypes, shapes, values,
the frequency helpers, the shifts, errors, and the missing complex autograd (a clear error, not wrong numbers)."""
import numpy as np
import pytest
import torch
from _reference import same_error

import ember

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5)).astype(np.float32)
INPUTS = {"f32": X, "c64": (X + 1j * X[::-1]).astype(np.complex64), "f64": X.astype(np.float64),
          "i64": np.arange(12).reshape(3, 4)}
ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
ONE_D_ARGS = [{}, {"n": 7}, {"dim": 0, "norm": "ortho"}, {"n": 3, "dim": -2, "norm": "forward"}]
N_D = ["fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"]
N_D_ARGS = [{}, {"s": (3, 6)}, {"dim": (0, -1), "norm": "ortho"}, {"s": (2, -1), "dim": (1, 0), "norm": "forward"}]
REAL_ONLY = ("rfft", "ihfft")


def _compare(fn):
    e, t = fn(ember), fn(torch).resolve_conj()
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    scale = max(1.0, float(np.abs(t.numpy()).max()))
    single = t.dtype in (torch.float32, torch.complex64)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=0, atol=(3e-7 if single else 1e-13) * scale)


def _cases(names, kinds):
    """(name, input kind) pairs: the real-input transforms (rfft*, ihfft*) take no complex input."""
    return [(n, k) for n in names for k in kinds if not (n.startswith(REAL_ONLY) and k == "c64")]


@pytest.mark.parametrize("kw", ONE_D_ARGS, ids=str)
@pytest.mark.parametrize("name,kind", _cases(ONE_D, list(INPUTS)))
def test_one_dimensional(name, kind, kw):
    _compare(lambda m: getattr(m.fft, name)(m.tensor(INPUTS[kind]), **kw))


@pytest.mark.parametrize("kw", N_D_ARGS, ids=str)
@pytest.mark.parametrize("name,kind", _cases(N_D, ["f32", "c64"]))
def test_multi_dimensional(name, kind, kw):
    _compare(lambda m: getattr(m.fft, name)(m.tensor(INPUTS[kind]), **kw))


def test_fftn_s_without_dim_takes_the_last_dims_and_out_is_filled():
    _compare(lambda m: m.fft.fftn(m.tensor(X), s=(4,)))
    _compare(lambda m: m.fft.fftn(m.tensor(X), dim=1))
    for m in (ember, torch):
        out = m.empty(0, dtype=m.complex64)
        r = m.fft.fft(m.tensor(X), out=out)
        assert r is out and tuple(out.shape) == (3, 4, 5)


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_frequencies(name):
    for args, kw in (((5,), {}), ((6, 0.1), {}), ((4,), {"dtype": "float64"})):
        e = getattr(ember.fft, name)(*args, **{k: getattr(ember, v) for k, v in kw.items()})
        t = getattr(torch.fft, name)(*args, **{k: getattr(torch, v) for k, v in kw.items()})
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("dim", [None, 0, (1,), (-1, 0)], ids=str)
def test_shifts(dim):
    for name in ("fftshift", "ifftshift"):
        e = getattr(ember.fft, name)(ember.arange(24).reshape(2, 3, 4), dim=dim)
        t = getattr(torch.fft, name)(torch.arange(24).reshape(2, 3, 4), dim=dim)
        assert e.tolist() == t.tolist()


def test_shifts_are_differentiable():
    grads = []
    for m in (torch, ember):
        x = m.arange(6.0, requires_grad=True)
        (m.fft.fftshift(x) * m.arange(6.0)).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1]


ERRORS = {
    "n_zero": lambda m: m.fft.fft(m.ones(3), n=0),
    "n_negative": lambda m: m.fft.rfft(m.ones(3), n=-2),
    "dim_range": lambda m: m.fft.fft(m.ones(2, 3), dim=3),
    "zero_dim": lambda m: m.fft.fft(m.tensor(1.0)),
    "norm": lambda m: m.fft.fft(m.ones(3), norm="bad"),
    "rfft_complex": lambda m: m.fft.rfft(m.ones(3, dtype=m.complex64)),
    "ihfft_complex": lambda m: m.fft.ihfft(m.ones(3, dtype=m.complex128)),
    "fft2_1d": lambda m: m.fft.fft2(m.ones(3)),
    "s_dim_lengths": lambda m: m.fft.fftn(m.ones(2, 3), s=(2,), dim=(0, 1)),
    "dims_unique": lambda m: m.fft.fftn(m.ones(2, 3), dim=(0, 0)),
    "s_zero": lambda m: m.fft.fftn(m.ones(2, 3), s=(0, 3)),
    "half": lambda m: m.fft.fft(m.ones(4, dtype=m.float16)),
    "freq_negative": lambda m: m.fft.fftfreq(-1),
    "shift_no_dims": lambda m: m.fft.fftshift(m.arange(4), dim=()),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name], exc=Exception)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "ihfft", "irfft", "fft2", "ifft2", "fftn", "rfft2", "rfftn",
                                  "hfft2", "hfftn", "ihfft2"])
def test_backward_raises_instead_of_wrong_gradients(name):
    x, xt = ember.ones(4, 4, requires_grad=True), torch.ones(4, 4, requires_grad=True)
    e, t = getattr(ember.fft, name)(x), getattr(torch.fft, name)(xt)
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
    with pytest.raises(NotImplementedError, match="autograd through complex tensors"):
        e.abs().sum().backward()


def test_docstring_examples():
    import doctest  # noqa: PLC0415

    import ember.fft  # noqa: PLC0415

    assert doctest.testmod(ember.fft, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
