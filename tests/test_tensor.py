"""The Tensor object (ember/_tensor.py, _size.py, _dtype.py, _device.py) against torch: protocols and metadata."""
# ruff: noqa: B023 - the lambdas in loops run within their own iteration
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import ember


def both(fn):
    return fn(torch), fn(ember)


def test_item_and_tolist():
    for data in (3.5, 7, True, [1, 2], [[1.5, 2.5]], [[True], [False]]):
        t, e = both(lambda m: m.tensor(data))
        assert e.tolist() == t.tolist() and type(e.tolist()) is type(t.tolist())
    for dt in ("float32", "float64", "int64", "int32", "bool", "float16", "bfloat16", "uint8"):
        t, e = both(lambda m: m.ones((), dtype=getattr(m, dt)))
        assert e.item() == t.item() and type(e.item()) is type(t.item()), dt
    t, e = both(lambda m: m.tensor([[2.5]]))
    assert e.item() == t.item() == 2.5
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
            m.ones(2).item()
    assert ember.tensor([0.1, 0.2]).tolist() == torch.tensor([0.1, 0.2]).tolist()


def test_numpy_shares_memory_and_requires_grad_error():
    for m in (torch, ember):
        x = m.zeros(3)
        n = x.numpy()
        n[0] = 4.0
        assert x[0].item() == 4.0
        x[1] = 2.0
        assert n[1] == 2.0
        y = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. Use "
                                               r"tensor.detach\(\).numpy\(\) instead."):
            y.numpy()
        assert y.detach().numpy().tolist() == [1.0, 1.0]
        assert y.numpy(force=True).tolist() == [1.0, 1.0]


@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")  # torch's __array__
def test_array_protocol():
    for m in (torch, ember):
        x = m.tensor([[1.0, 2.0]])
        a = np.asarray(x)
        assert a.dtype == np.float32 and a.tolist() == [[1.0, 2.0]]
        assert np.asarray(x, dtype=np.float64).dtype == np.float64
        assert np.array(m.tensor([1, 2])).dtype == np.int64


def test_len_iter_contains():
    for m in (torch, ember):
        x = m.tensor([[1, 2], [3, 4], [5, 6]])
        assert len(x) == 3
        rows = list(x)
        assert len(rows) == 3 and rows[1].tolist() == [3, 4]
        assert 4 in x and 7 not in x
        assert m.tensor([1.0, 2.0]) in m.tensor([[1.0, 2.0], [3.0, 4.0]])
        assert m.tensor([5.0, 2.0]) in m.tensor([[1.0, 2.0], [3.0, 4.0]])  # elementwise ==, then any()
        assert m.tensor([5.0, 6.0]) not in m.tensor([[1.0, 2.0], [3.0, 4.0]])
        with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
            len(m.tensor(1.0))
        with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
            iter(m.tensor(1.0))


def test_python_number_conversions():
    for m in (torch, ember):
        assert bool(m.tensor([1.0])) is True and bool(m.tensor(0)) is False
        assert float(m.tensor(2.5)) == 2.5 and int(m.tensor(2.7)) == 2 and int(m.tensor([-2.7])) == -2
        assert complex(m.tensor(1.5)) == 1.5 + 0j
        assert [10, 20, 30][m.tensor(1)] == 20
        assert f"{m.tensor(3.14159):.2f}" == "3.14"
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
            bool(m.ones(2))
        with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
            [1, 2][m.tensor(1.0)]
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            float(m.ones(2))
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            int(m.ones(0))


def test_shape_metadata():
    for shape in ((), (0,), (3,), (2, 3), (2, 1, 4)):
        t, e = both(lambda m: m.zeros(shape))
        assert e.shape == t.shape and repr(e.shape) == repr(t.shape) and str(e.size()) == str(t.size())
        assert e.dim() == t.dim() == e.ndim == e.ndimension() and e.numel() == t.numel() == e.nelement()
        assert e.stride() == t.stride() and e.is_contiguous() == t.is_contiguous()
        for d in range(-len(shape), len(shape)):
            assert e.size(d) == t.size(d) and e.stride(d) == t.stride(d)
    for dt in ("float32", "float64", "float16", "int8", "int64", "bool", "complex64", "bfloat16"):
        t, e = both(lambda m: m.zeros(2, 3, dtype=getattr(m, dt)))
        assert e.element_size() == t.element_size() and e.nbytes == t.nbytes and e.itemsize == t.itemsize, dt
    for m in (torch, ember):
        with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
            m.zeros(2, 3).size(2)


def test_strides_of_views():
    for fn in (lambda x: x.t(), lambda x: x[:, ::2], lambda x: x[1], lambda x: x.unsqueeze(1), lambda x: x.expand(2, 4, 6)[0],
               lambda x: x.permute(1, 0)[::2], lambda x: x.reshape(2, 2, 6), lambda x: x.view(-1)[3:]):
        t, e = both(lambda m: fn(m.zeros(4, 6)))
        assert e.stride() == t.stride() and e.is_contiguous() == t.is_contiguous() and e.shape == t.shape
        assert e.storage_offset() == t.storage_offset()


def test_size_object():
    for m in (torch, ember):
        s = m.zeros(2, 3).shape
        assert s == (2, 3) and isinstance(s, tuple) and s.numel() == 6
        assert repr(s) == "torch.Size([2, 3])" and str(m.Size([])) == "torch.Size([])"
        assert isinstance(s[1:], m.Size) and s[0] == 2
        assert m.Size([4]) + m.Size([5]) == (4, 5) and isinstance(s + (1,), m.Size)
        assert pickle.loads(pickle.dumps(s)) == s
        assert m.zeros(m.Size([2])).shape == (2,)


def test_dtype_objects():
    names = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
             "complex64", "complex128"]
    for n in names:
        t, e = getattr(torch, n), getattr(ember, n)
        assert repr(e) == repr(t) and str(e) == str(t)
        assert e.is_floating_point == t.is_floating_point and e.is_complex == t.is_complex
        assert e.is_signed == t.is_signed and e.itemsize == t.itemsize
        assert pickle.loads(pickle.dumps(e)) is e
    for alias in ("float", "double", "half", "long", "int", "short", "cfloat", "cdouble"):
        assert repr(getattr(ember, alias)) == repr(getattr(torch, alias))
    assert ember.finfo(ember.float32).eps == torch.finfo(torch.float32).eps
    assert ember.finfo(ember.float16).max == torch.finfo(torch.float16).max
    assert ember.finfo(ember.bfloat16).tiny == torch.finfo(torch.bfloat16).tiny
    assert ember.iinfo(ember.int8).min == torch.iinfo(torch.int8).min
    assert ember.iinfo(ember.uint8).max == torch.iinfo(torch.uint8).max


def test_is_predicates():
    for dt in ("float32", "int64", "bool", "complex64", "bfloat16", "uint8"):
        t, e = both(lambda m: m.zeros(1, dtype=getattr(m, dt)))
        assert e.is_floating_point() == t.is_floating_point() and e.is_complex() == t.is_complex()
        assert e.is_signed() == t.is_signed(), dt
    t, e = both(lambda m: m.zeros(1))
    assert e.is_cuda == t.is_cuda and e.is_leaf == t.is_leaf and e.requires_grad == t.requires_grad
    assert str(e.device) == str(t.device) and repr(e.device) == repr(t.device)


def test_device_objects():
    for spec in ("cpu", "cuda", "cuda:1", "meta"):
        assert repr(ember.device(spec)) == repr(torch.device(spec))
        assert str(ember.device(spec)) == str(torch.device(spec))
    assert repr(ember.device("cuda", 1)) == repr(torch.device("cuda", 1))
    assert ember.device("cpu") == "cpu" and ember.device("cuda:0") != ember.device("cuda:1")
    for m in (torch, ember):
        with pytest.raises(RuntimeError):
            m.device("tpu")
        assert m.zeros(2).device.type == "cpu"


def test_data_attribute():
    for m in (torch, ember):
        x = m.ones(3, requires_grad=True)
        d = x.data
        assert not d.requires_grad and d.is_leaf
        d[0] = 5.0
        assert x[0].item() == 5.0
        x.data = m.zeros(3)
        assert x.tolist() == [0.0, 0.0, 0.0] and x.requires_grad


def test_version_counter():
    for m in (torch, ember):
        x = m.zeros(3)
        assert x._version == 0
        x.add_(1)
        x[0] = 2.0
        x.mul_(2)
        assert x._version == 3
        v = x.view(3)
        v.zero_()
        assert x._version == 4 == v._version
        d = x.detach()
        d.add_(1)
        assert x._version == 5


def test_type_names():
    for dt, name in (("float32", "torch.FloatTensor"), ("float64", "torch.DoubleTensor"),
                     ("int64", "torch.LongTensor"), ("bool", "torch.BoolTensor"), ("uint8", "torch.ByteTensor")):
        t, e = both(lambda m: m.zeros(1, dtype=getattr(m, dt)))
        assert e.type() == t.type() == name
    assert type(ember.zeros(1)).__name__ == "Tensor"
    assert isinstance(ember.zeros(1), ember.Tensor)


def test_pickle_and_deepcopy():
    x = ember.tensor([[1.0, 2.0]], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == x.tolist() and y.requires_grad and y.dtype is ember.float32
    z = copy.deepcopy(x)
    assert z.tolist() == x.tolist() and z.requires_grad and z is not x
    z.data[0, 0] = 9.0
    assert x[0, 0].item() == 1.0
    for m in (torch, ember):
        with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
            copy.deepcopy(m.ones(2, requires_grad=True) * 2)


def test_hash_and_identity():
    a, b = ember.ones(2), ember.ones(2)
    assert len({a, b}) == 2 and hash(a) != hash(b)


def test_repr_matches_torch():
    for fn in (lambda m: m.tensor([1.0, 2.5]), lambda m: m.tensor([[1, 2], [3, 4]]), lambda m: m.tensor(3.0),
               lambda m: m.zeros(2, dtype=m.float64), lambda m: m.tensor([True, False]),
               lambda m: m.ones(2, requires_grad=True), lambda m: m.ones(2, requires_grad=True) * 2,
               lambda m: m.tensor([1e-8, 1e8]), lambda m: m.zeros(0, 3)):
        t, e = both(fn)
        assert repr(e) == repr(t)
        assert str(e) == str(t)


def test_requires_grad_flags():
    for m in (torch, ember):
        x = m.zeros(2)
        assert x.requires_grad_() is x and x.requires_grad
        x.requires_grad = False
        assert not x.requires_grad
        with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
            m.zeros(2, dtype=m.int64).requires_grad_()
        for fn in (lambda: m.zeros(2, dtype=m.int64, requires_grad=True), lambda: m.arange(3, requires_grad=True),
                   lambda: m.tensor([1], requires_grad=True), lambda: m.full((2,), 1, requires_grad=True)):
            with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require"):
                fn()
        y = m.ones(2, requires_grad=True) * 2
        with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
            y.requires_grad_(False)
        assert y.requires_grad_(True) is y


def test_grad_setter_checks():
    for m in (torch, ember):
        x = m.zeros(2, requires_grad=True)
        x.grad = m.ones(2)
        assert x.grad.tolist() == [1.0, 1.0]
        del x.grad
        assert x.grad is None
        for bad in (m.ones(3), m.ones(2, dtype=m.float64), m.ones(2, dtype=m.int64), m.ones(1, 2)):
            with pytest.raises(RuntimeError) as t_err:
                torch.zeros(2, requires_grad=True).grad = torch.from_numpy(bad.numpy())
            with pytest.raises(RuntimeError) as e_err:
                ember.zeros(2, requires_grad=True).grad = ember.from_numpy(bad.numpy())
            assert str(e_err.value) == str(t_err.value)
        with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got grad of type list"):
            x.grad = [1.0, 2.0]


def test_nonleaf_grad_access_warns():
    for m in (torch, ember):
        y = m.ones(2, requires_grad=True) * 2
        with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
            assert y.grad is None


def test_get_device_and_is_pinned_like_torch():
    for dtype in ("float32", "int64", "bool"):
        e, t = ember.ones(2, dtype=getattr(ember, dtype)), torch.ones(2, dtype=getattr(torch, dtype))
        assert e.get_device() == t.get_device() == -1
        assert e.is_pinned() is t.is_pinned() is False
