"""ember._rowsum: last-axis sums through BLAS agree with NumPy's sum (to rounding) and fall back elsewhere."""
import numpy as np
import pytest

from ember._rowsum import colsum, exp_safe, rowdot, rowmax, rowmean, rowsum


@pytest.mark.parametrize("shape", [(3, 5), (4, 64), (2, 3, 100), (1024, 65), (0, 16), (8, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_rowsum_matches_numpy(shape, dtype):
    a = (np.random.default_rng(0).standard_normal(shape) * 10).astype(dtype)
    for keep in (True, False):
        r, ref = rowsum(a, keep), a.sum(-1, keepdims=keep)
        assert r.shape == ref.shape and r.dtype == ref.dtype
        np.testing.assert_allclose(r, ref, rtol=1e-5 if dtype == "float32" else 1e-3 if dtype == "float16" else 1e-12,
                                   atol=1e-3 if dtype == "float16" else 1e-4)
        if a.shape[-1]:
            m, mref = rowmean(a, keep), a.mean(-1, keepdims=keep)
            assert m.shape == mref.shape and m.dtype == mref.dtype
            np.testing.assert_allclose(m, mref, rtol=1e-5 if dtype != "float16" else 1e-3, atol=1e-5)


@pytest.mark.parametrize("shape", [(3, 5), (150, 3), (1024, 128), (16, 4, 32, 64), (7, 16), (0, 32), (5, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_rowdot_matches_numpy(shape, dtype):
    rng = np.random.default_rng(3)
    a, b = ((rng.standard_normal(shape) * 4).astype(dtype) for _ in range(2))
    for keep in (True, False):
        r, ref = rowdot(a, b, keep), (a * b).sum(-1, keepdims=keep)
        assert r.shape == ref.shape and r.dtype == ref.dtype
        np.testing.assert_allclose(r, ref, rtol=1e-5 if dtype == "float32" else 1e-2 if dtype == "float16" else 1e-12,
                                   atol=1e-4 if dtype != "float16" else 1e-1)


def test_rowdot_non_contiguous_mixed_and_specials():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((64, 80)).astype(np.float32)[:, ::2]
    b = rng.standard_normal((64, 40)).astype(np.float32)
    np.testing.assert_allclose(rowdot(a, b), (a * b).sum(-1, keepdims=True), rtol=1e-5, atol=1e-5)
    c = b.astype(np.float64)  # mixed dtypes promote as the product does
    assert rowdot(b, c).dtype == np.float64
    d = np.ones((4, 32), dtype=np.float32)
    d[0, 3], d[1, 5], d[2, 1] = np.inf, np.nan, -np.inf
    r = rowdot(d, np.ones_like(d)).ravel()
    assert r[0] == np.inf and np.isnan(r[1]) and r[2] == -np.inf and r[3] == 32


def test_rowsum_non_contiguous_and_specials():
    a = np.random.default_rng(1).standard_normal((64, 40)).astype(np.float32)[:, ::2]
    np.testing.assert_allclose(rowsum(a), a.sum(-1, keepdims=True), rtol=1e-5)
    b = np.zeros((32, 64), dtype=np.float32)
    b[0, 3], b[1, 5], b[2, 1] = np.inf, np.nan, -np.inf
    r = rowsum(b).ravel()
    assert r[0] == np.inf and np.isnan(r[1]) and r[2] == -np.inf and (r[3:] == 0).all()


@pytest.mark.parametrize("shape", [(150, 3), (100, 2), (64, 4), (3, 3), (70, 5), (2, 40, 3), (0, 3), (128, 10),
                                   (70, 16), (2, 70, 32), (100, 64), (3, 40, 48), (80, 128), (70, 65), (5, 16)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_rowmax_matches_numpy(shape, dtype):
    a = (np.random.default_rng(2).standard_normal(shape) * 10).astype(dtype)
    if a.size and dtype != "int64":
        a.flat[5 % a.size] = np.nan
        a.flat[7 % a.size] = -np.inf
    for keep in (True, False):
        r, ref = rowmax(a, keep), a.max(-1, keepdims=keep) if a.size else a.max(-1, keepdims=keep, initial=0)
        assert r.shape == ref.shape and r.dtype == ref.dtype
        np.testing.assert_array_equal(r, ref)


@pytest.mark.parametrize("shape", [(128, 512), (3, 5), (0, 4), (5, 0), (1, 7)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32"])
def test_colsum_matches_numpy(shape, dtype):
    a = (np.random.default_rng(4).standard_normal(shape) * 10).astype(dtype)
    r, ref = colsum(a), a.sum(0)
    assert r.shape == ref.shape and r.dtype == ref.dtype
    np.testing.assert_allclose(r, ref, rtol=1e-5 if dtype != "float16" else 1e-2, atol=1e-3)
    t = a.T  # not contiguous: NumPy's sum
    np.testing.assert_allclose(colsum(t), t.sum(0), rtol=1e-5 if dtype != "float16" else 1e-2, atol=1e-3)


def test_exp_safe_bounds():
    a = np.zeros((4, 8), dtype=np.float32)
    assert exp_safe((a,), 8)
    a[0, 0] = 70.0
    assert exp_safe((a,), 8) and not exp_safe((a,), 2 ** 16)  # the row length comes off the bound
    a[0, 0] = 79.0
    assert not exp_safe((a,), 8)
    a[0, 0] = -79.0
    assert not exp_safe((a,), 8)
    a[0, 0] = np.nan
    assert not exp_safe((a,), 8)
    assert exp_safe((np.full(3, 600.0),), 3) and not exp_safe((np.full(3, 600.0, dtype=np.float32),), 3)
    assert not exp_safe((np.zeros(3, dtype=np.float16),), 3)  # no bound kept for half precision
