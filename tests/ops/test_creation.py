"""Creation ops (ember/ops/creation.py) against torch: dtype inference, values, memory sharing, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _reference import assert_close

import ember


def both(fn):
    return fn(torch), fn(ember)


def same(fn, atol=0.0, rtol=0.0):
    t, e = both(fn)
    assert_close(t, e, atol=atol, rtol=rtol, check_rg=True)


DATA = [
    3, 3.5, True, -2, 1e20, 2**40, [], [1, 2, 3], [1.0, 2, 3], [True, False], [[1, 2], [3, 4]],
    [[1.0, 2.0], [3.0, 4.0]], [[[1]], [[2]]], [1, 2.5], [True, 2], [True, 1.5], (1, 2), [(1, 2), (3, 4)],
    [[]], [0.1, 0.2, 0.3], np.float32(1.5), np.int32(3), [np.float32(1.0), np.float32(2.0)],
    [np.int64(2), np.int64(3)], np.bool_(True), 1 + 2j, [1j, 2],
]


@pytest.mark.parametrize("data", DATA, ids=[repr(d) for d in DATA])
def test_tensor_from_python_data(data):
    same(lambda m: m.tensor(data))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool",
                                   "float16", "complex64"])
@pytest.mark.parametrize("data", [[1, 2, 3], [[0.5, -1.5]], 2.0, [True, False]])
def test_tensor_with_dtype(data, dtype):
    if dtype in ("uint8",) and data == [[0.5, -1.5]]:
        pytest.skip("negative float to uint8 is platform dependent in both libraries")
    same(lambda m: m.tensor(data, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("npdtype", [np.float32, np.float64, np.int64, np.int32, np.int16, np.int8, np.uint8,
                                     np.bool_, np.float16, np.complex64, np.complex128, np.uint16])
def test_tensor_from_numpy_keeps_dtype(npdtype):
    a = (np.arange(6).reshape(2, 3) % 3).astype(npdtype)
    same(lambda m: m.tensor(a))
    same(lambda m: m.as_tensor(a))
    same(lambda m: m.from_numpy(a))


def test_tensor_copies_but_from_numpy_shares():
    for m in (torch, ember):
        a = np.zeros(3)
        t = m.tensor(a)
        f = m.from_numpy(a)
        s = m.as_tensor(a)
        a[0] = 7.0
        assert t[0].item() == 0.0 and f[0].item() == 7.0 and s[0].item() == 7.0
        f[1] = 5.0
        assert a[1] == 5.0
        n = f.numpy()
        assert np.shares_memory(n, a)
        c = m.as_tensor(a, dtype=m.float32)
        a[2] = 1.0
        assert c[2].item() == 0.0  # dtype conversion copies


def test_from_numpy_noncontiguous_and_views():
    a = np.arange(12.0).reshape(3, 4)[:, ::2]
    for m in (torch, ember):
        t = m.from_numpy(a)
        assert t.tolist() == a.tolist()
        assert t.stride() == (4, 2) and not t.is_contiguous()


def test_from_numpy_errors():
    for m in (torch, ember):
        with pytest.raises(TypeError):
            m.from_numpy([1, 2])
        with pytest.raises(TypeError):
            m.from_numpy(np.array(["a"]))


def test_tensor_from_tensor_warns_and_copies():
    for m in (torch, ember):
        x = m.ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match="To copy construct from a tensor"):
            y = m.tensor(x)
        assert not y.requires_grad and y.is_leaf
        y[0] = 3.0
        assert x[0].item() == 1.0


def test_tensor_from_list_of_tensors():
    same(lambda m: m.tensor([m.tensor(1.5), m.tensor(2.0)]))
    same(lambda m: m.tensor([[m.tensor(1), 2], [3, m.tensor(4)]]))


def test_pandas_values():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]})
    s = pd.Series([1, 2, 3])
    same(lambda m: m.tensor(df.values))
    same(lambda m: m.tensor(s.values))
    same(lambda m: m.from_numpy(s.values))
    same(lambda m: m.tensor(df["a"].values, dtype=m.float32))


def test_requires_grad_argument():
    for m in (torch, ember):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        assert x.requires_grad and x.is_leaf and x.grad is None
        with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require"):
            m.tensor([1, 2], requires_grad=True)


def test_ragged_data_error():
    for m in (torch, ember):
        with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 1\)"):
            m.tensor([[1, 2], [3]])
        with pytest.raises(ValueError, match=r"expected sequence of length 3 at dim 1 \(got 2\)"):
            m.tensor([[1, 2, 3], [4, 5, 6], [7, 8]])
        with pytest.raises(TypeError, match="not a sequence"):
            m.tensor([[1, 2], 3])


@pytest.mark.parametrize("fn", [
    lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3)), lambda m: m.zeros([2]), lambda m: m.zeros(()),
    lambda m: m.zeros(0, 3), lambda m: m.ones(3, dtype=m.int64), lambda m: m.ones((2, 2), dtype=m.bool),
    lambda m: m.zeros(m.Size([2, 1])), lambda m: m.full((2, 2), 7), lambda m: m.full((2,), 1.5),
    lambda m: m.full((2,), True), lambda m: m.full([3], 2, dtype=m.float64), lambda m: m.full((), -1.0),
    lambda m: m.empty(2, 3).shape, lambda m: m.empty((0,)).dtype, lambda m: m.ones(2, requires_grad=True),
    lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int32)), lambda m: m.ones_like(m.ones(2), dtype=m.float64),
    lambda m: m.full_like(m.ones(2, dtype=m.int64), 3.7), lambda m: m.full_like(m.ones(2), 2),
    lambda m: m.empty_like(m.ones(2, 3)).shape, lambda m: m.zeros_like(m.ones(2, requires_grad=True)),
    lambda m: m.ones_like(m.ones(2), requires_grad=True), lambda m: m.scalar_tensor(3),
    lambda m: m.eye(3), lambda m: m.eye(2, 4), lambda m: m.eye(3, dtype=m.int64), lambda m: m.eye(0),
    lambda m: m.ones(2).new_zeros(3), lambda m: m.ones(2, dtype=m.int32).new_ones((2, 2)),
    lambda m: m.ones(2).new_full((2,), 5), lambda m: m.ones(2, dtype=m.float64).new_tensor([1, 2]),
    lambda m: m.ones(2).new_empty(3).shape, lambda m: m.zeros(2, 3, dtype=m.float16),
])
def test_filled_tensors(fn):
    same(fn)


@pytest.mark.parametrize("args, kw", [
    ((5,), {}), ((2, 7), {}), ((1, 10, 3), {}), ((10, 1, -3), {}), ((0, 1, 0.1), {}), ((0.5, 3.0), {}),
    ((-1.5, 1.5, 0.25), {}), ((0, 5), {"dtype": "float64"}), ((0, 1, 0.3), {"dtype": "float64"}),
    ((5,), {"dtype": "float32"}), ((0, 10, 3), {"dtype": "int32"}), ((1.0, 4.5, 1.5), {"dtype": "int64"}), ((-1.5, 4.5, 1.7), {"dtype": "int32"}),
    ((0,), {}), ((3, 3), {}), ((0, 2, 0.2), {}), ((-3, 3, 1.1), {}),
])
def test_arange(args, kw):
    def fn(m):
        k = {n: getattr(m, v) if n == "dtype" else v for n, v in kw.items()}
        return m.arange(*args, **k)
    same(fn, atol=1e-6)


@pytest.mark.parametrize("args, kw", [
    ((0, 1, 5), {}), ((-1, 1, 2), {}), ((0, 1, 1), {}), ((0, 1, 0), {}), ((2, 10, 7), {}), ((0, 1, 11), {}),
    ((3, -3, 4), {}), ((0, 10, 6), {"dtype": "int64"}), ((0, 1, 100), {"dtype": "float64"}),
])
def test_linspace(args, kw):
    def fn(m):
        k = {n: getattr(m, v) if n == "dtype" else v for n, v in kw.items()}
        return m.linspace(*args, **k)
    same(fn, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("args, kw", [((0, 2, 3), {}), ((-1, 1, 5), {"base": 2.0}), ((0, 3, 4), {"dtype": "float64"})])
def test_logspace(args, kw):
    def fn(m):
        k = {n: getattr(m, v) if n == "dtype" else v for n, v in kw.items()}
        return m.logspace(*args, **k)
    same(fn, rtol=1e-6)


def test_default_dtype_affects_creation():
    for m in (torch, ember):
        m.set_default_dtype(m.float64)
        try:
            assert m.tensor([1.0]).dtype == m.float64
            assert m.tensor(1j).dtype == m.complex128
            assert m.zeros(2).dtype == m.float64
            assert m.arange(0.0, 1.0, 0.5).dtype == m.float64
            assert m.tensor([1]).dtype == m.int64
            assert (m.tensor([1]) / 2).dtype == m.float64
        finally:
            m.set_default_dtype(m.float32)
        assert m.get_default_dtype() == m.float32


@pytest.mark.parametrize("fn, exc", [
    (lambda m: m.zeros(-1), RuntimeError),
    (lambda m: m.arange(0, 10, 0), RuntimeError),
    (lambda m: m.arange(10, 0, 1), RuntimeError),
    (lambda m: m.arange(1.0, 4.5, 0.5, dtype=m.int64), ValueError),
    (lambda m: m.linspace(0, 1, -1), RuntimeError),
    (lambda m: m.eye(-1), RuntimeError),
    (lambda m: m.zeros(2.5), TypeError),
    (lambda m: m.tensor([1, "a"]), TypeError),
    (lambda m: m.set_default_dtype(m.int64), TypeError),
])
def test_creation_errors(fn, exc):
    with pytest.raises(exc):
        fn(torch)
    with pytest.raises(exc):
        fn(ember)


def test_creation_messages():
    for fn in (lambda m: m.zeros(-1), lambda m: m.arange(0, 10, 0)):
        with pytest.raises(RuntimeError) as t_err:
            fn(torch)
        with pytest.raises(RuntimeError) as e_err:
            fn(ember)
        assert str(e_err.value) == str(t_err.value)


def test_legacy_constructor():
    for m in (torch, ember):
        assert m.Tensor([1, 2]).dtype == m.float32 and m.Tensor([1, 2]).tolist() == [1.0, 2.0]
        assert m.Tensor(2, 3).shape == (2, 3)


def test_numpy_round_trip_dtypes():
    for dt in ("float32", "float64", "int64", "int32", "uint8", "bool", "float16"):
        t = torch.zeros(2, dtype=getattr(torch, dt)).numpy()
        e = ember.zeros(2, dtype=getattr(ember, dt)).numpy()
        assert e.dtype == t.dtype and type(e) is np.ndarray


# ----------------------------------------------------------------------------- window functions
WINDOWS = [
    ("hann_window", {}), ("hamming_window", {}), ("hamming_window", {"alpha": 0.5, "beta": 0.4}),
    ("blackman_window", {}), ("bartlett_window", {}), ("kaiser_window", {}), ("kaiser_window", {"beta": 5.0}),
]
# PyTorch computes in the result dtype (kaiser's I0 in float32); Ember matches to a few units of float32 rounding
WINDOW_TOL = {"float32": 1e-6, "float64": 1e-14, "float16": 3e-3}


@pytest.mark.parametrize("name,kw", WINDOWS, ids=[f"{n}-{kw}" for n, kw in WINDOWS])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_windows(name, kw, dtype):
    for n in (0, 1, 2, 3, 4, 5, 8, 17, 64, 255, 1000):
        for periodic in (True, False):
            same(lambda m, n=n, p=periodic: getattr(m, name)(n, p, dtype=getattr(m, dtype), **kw),
                 atol=WINDOW_TOL[dtype])


def test_window_defaults_and_requires_grad():
    for name, _ in WINDOWS:
        same(lambda m, name=name: getattr(m, name)(10), atol=1e-6)
        same(lambda m, name=name: getattr(m, name)(6, periodic=False, requires_grad=True), atol=1e-6)
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    same(lambda m: m.hann_window(7), atol=1e-14)


@pytest.mark.parametrize("fn", [
    lambda m: m.hann_window(-1), lambda m: m.kaiser_window(-2), lambda m: m.hamming_window(3, dtype=m.int64),
    lambda m: m.blackman_window(3.0), lambda m: m.bartlett_window(3, dtype=m.bool),
])
def test_window_errors(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(t_err.type):
        fn(ember)


@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((3,), (2,)),
                                         ((2, 2), (0, 1))])
def test_empty_strided_has_the_requested_strides(size, stride):
    for m in (torch, ember):
        t = m.empty_strided(size, stride, dtype=m.float64)
        assert t.stride() == stride and tuple(t.shape) == size and t.storage_offset() == 0
    e, t = ember.empty_strided(size, stride), torch.empty_strided(size, stride)
    assert e.is_contiguous() == t.is_contiguous()
