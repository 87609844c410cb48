"""LU factorization (ember/ops/lu.py) against PyTorch: factors, pivots, info, unpacking, solves in all four forms,
gradients, the deprecated torch.lu / torch.lu_solve, return types and errors."""
import warnings

import numpy as np
import pytest
import torch
from _reference import same_error

import ember

RNG = np.random.default_rng(0)


def _grads(fn, arrays, rtol=1e-12):
    out = []
    for m in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the deprecated forms warn
            ts = [m.tensor(a, requires_grad=True) for a in arrays]
            r = fn(m, *ts)
        w = m.tensor(np.arange(r.numel(), dtype=np.float64).reshape(tuple(r.shape)) / 10)
        (r * w).sum().backward()
        out.append([r.detach().numpy()] + [t.grad.numpy() for t in ts])
    for a, b in zip(*out):
        np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol * max(1.0, float(np.abs(a).max())))


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (3, 5), (5, 3), (1, 1)], ids=str)
def test_factors_and_pivots(shape):
    a = RNG.standard_normal(shape)
    e, t = ember.linalg.lu_factor_ex(ember.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
    np.testing.assert_allclose(e.LU.numpy(), t.LU.numpy(), rtol=1e-12, atol=1e-14)
    assert e.pivots.tolist() == t.pivots.tolist() and str(e.pivots.dtype) == "torch.int32"
    assert e.info.tolist() == t.info.tolist()
    for x, y in zip(ember.linalg.lu(ember.tensor(a)), torch.linalg.lu(torch.tensor(a))):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-12, atol=1e-14)


def test_singular_input_info_and_errors():
    a = [[1.0, 2.0], [2.0, 4.0]]
    e, t = ember.linalg.lu_factor_ex(ember.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
    assert e.info.item() == t.info.item() == 2 and e.pivots.tolist() == t.pivots.tolist()
    same_error(lambda m: m.linalg.lu_factor(m.tensor(a)))


def test_gradients():
    a = RNG.standard_normal((2, 4, 4))
    _grads(lambda m, x: m.linalg.lu_factor(x).LU, [a])
    _grads(lambda m, x: (lambda P, L, U: L * 2 + U)(*m.linalg.lu(x)), [a])
    _grads(lambda m, x: m.lu_unpack(*m.linalg.lu_factor(x))[1], [a])


@pytest.mark.parametrize("left,adjoint", [(True, False), (True, True), (False, False), (False, True)])
def test_lu_solve(left, adjoint):
    a = RNG.standard_normal((2, 4, 4))
    b = RNG.standard_normal((2, 4, 3) if left else (2, 3, 4))
    _grads(lambda m, x, y: m.linalg.lu_solve(*m.linalg.lu_factor(x), y, left=left, adjoint=adjoint), [a, b])


def test_deprecated_forms_warn_once_and_agree(monkeypatch):
    a, b = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 2))
    _grads(lambda m, x, y: m.lu_solve(y, *m.lu(x)), [a, b])
    for m in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = m.lu(m.tensor(a), get_infos=True)
        assert res.info.item() == 0 and "_lu_with_info" in repr(res)
    from ember.ops import lu  # noqa: PLC0415

    monkeypatch.setattr(lu, "_WARNED", set())
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        res = ember.lu(ember.tensor(a))
    with pytest.warns(UserWarning, match="torch.lu_solve is deprecated"):
        ember.tensor(b).lu_solve(*res)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process, as PyTorch's TORCH_WARN_ONCE
        ember.lu(ember.tensor(a))


def test_return_types_repr_like_torch():
    for name in ("lu_factor", "lu_factor_ex", "lu"):
        e = getattr(ember.linalg, name)(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
        t = getattr(torch.linalg, name)(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        assert repr(e).split("(")[0] == repr(t).split("(")[0] and len(e) == len(t)
        for field in e._fields:
            assert str(getattr(e, field)) == str(getattr(t, field))


ERRORS = {
    "one_dim": lambda m: m.linalg.lu_factor(m.ones(2, dtype=m.float64)),
    "integer": lambda m: m.linalg.lu_factor(m.ones(2, 2, dtype=m.int64)),
    "no_pivot": lambda m: m.linalg.lu_factor(m.tensor([[1.0, 2.0], [3.0, 4.0]]), pivot=False),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(ERRORS[name], exc=Exception)


def test_docstring_examples():
    import doctest  # noqa: PLC0415

    from ember.ops import lu  # noqa: PLC0415

    assert doctest.testmod(lu, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
