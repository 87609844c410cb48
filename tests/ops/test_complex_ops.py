"""Complex accessors and constructors against PyTorch: values, dtypes, shapes, strides, views and errors."""
import math

import numpy as np
import pytest
import torch

import ember
from _reference import same_error


def _z(m, dtype="complex64"):
    return m.tensor([[1 + 2j, 3j, -0.5], [4.0, 5 - 1j, -2 - 2j]], dtype=getattr(m, dtype))


def _same(a, b):
    assert str(a.dtype) == str(b.dtype)
    assert tuple(a.shape) == tuple(b.shape)
    assert a.stride() == b.stride()
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


CASES = {
    "real": lambda m, z: z.real,
    "imag": lambda m, z: z.imag,
    "fn_real": lambda m, z: m.real(z),
    "fn_imag": lambda m, z: m.imag(z),
    "conj": lambda m, z: z.conj(),
    "fn_conj": lambda m, z: m.conj(z),
    "conj_physical": lambda m, z: m.conj_physical(z),
    "angle": lambda m, z: z.angle(),
    "view_as_real": lambda m, z: m.view_as_real(z),
    "view_as_real_t": lambda m, z: m.view_as_real(z.t()),
    "view_as_real_0d": lambda m, z: m.view_as_real(z[1, 1]),
    "roundtrip": lambda m, z: m.view_as_complex(m.view_as_real(z)),
    "view_as_complex_rows": lambda m, z: m.view_as_complex(m.arange(8.0).reshape(2, 2, 2)),
    "view_as_complex_strided": lambda m, z: m.view_as_complex(m.arange(16.0).reshape(4, 2, 2)[::2]),
    "complex": lambda m, z: m.complex(m.tensor([1.0, -2.0]), m.tensor([[0.5], [3.0]])),
    "polar": lambda m, z: m.polar(m.tensor([1.0, 2.0], dtype=m.float64), m.tensor([0.0, 2.5], dtype=m.float64)),
}


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name, dtype):
    e, t = CASES[name](ember, _z(ember, dtype)), CASES[name](torch, _z(torch, dtype))
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    if name.startswith(("view_as", "real", "imag", "fn_real", "fn_imag", "roundtrip")):
        assert e.stride() == t.stride()
    np.testing.assert_allclose(e.numpy(), t.resolve_conj().numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_real_inputs(dtype):
    for m in (ember, torch):
        x = m.tensor([-1.5, 0.0, 2.0, -0.0], dtype=getattr(m, dtype)) if dtype.startswith("float") else \
            m.tensor([-1, 0, 2] if dtype == "int64" else [True, False], dtype=getattr(m, dtype))
        assert x.real is x and x.conj() is x and m.conj(x) is x and m.resolve_conj(x) is x
    xe = ember.tensor([-1.5, 0.0, 2.0, -0.0, math.nan]) if dtype.startswith("float") else None
    if xe is not None:
        xe, xt = xe.to(getattr(ember, dtype)), torch.tensor(xe.numpy()).to(getattr(torch, dtype))
        _same(xe.angle(), xt.angle())
    else:
        vals = [-1, 0, 2] if dtype == "int64" else [True, False]
        e, t = ember.tensor(vals).angle(), torch.tensor(vals).angle()
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_views_share_memory_both_ways():
    for m in (ember, torch):
        z = _z(m)
        z.real[0, 0] = 10
        z.imag[1, 0] = -7
        m.view_as_real(z)[0, 1, 0] = 8
        z.real = m.ones(2, 3)  # the property setters copy into the view
        x = m.arange(8.0).reshape(4, 2)
        m.view_as_complex(x)[1] = 5j
        if m is ember:
            ze, xe = z.numpy().copy(), x.numpy().copy()
        else:
            np.testing.assert_array_equal(ze, z.numpy())
            np.testing.assert_array_equal(xe, x.numpy())


def test_version_counter_is_shared_with_the_view():
    z = ember.tensor([1 + 2j])
    r = z.real
    v = z._version
    r.add_(1)
    assert z._version == v + 1 and z.tolist() == [2 + 2j]


ERRORS = {
    "imag_of_real": lambda m: m.tensor([1.0]).imag,
    "view_as_real_of_real": lambda m: m.view_as_real(m.tensor([1.0])),
    "view_as_complex_int": lambda m: m.view_as_complex(m.zeros(2, dtype=m.int32)),
    "view_as_complex_size": lambda m: m.view_as_complex(m.zeros(3)),
    "view_as_complex_0d": lambda m: m.view_as_complex(m.zeros(())),
    "view_as_complex_stride": lambda m: m.view_as_complex(m.zeros(2, 2).t()),
    "view_as_complex_odd_stride": lambda m: m.view_as_complex(m.zeros(3, 3)[:, :2]),
    "view_as_complex_offset": lambda m: m.view_as_complex(m.zeros(5)[1:3]),
    "complex_int": lambda m: m.complex(m.tensor([1]), m.tensor([1])),
    "complex_mixed": lambda m: m.complex(m.tensor([1.0]), m.tensor([1.0], dtype=m.float64)),
    "complex_shapes": lambda m: m.complex(m.ones(2), m.ones(3)),
    "polar_int": lambda m: m.polar(m.tensor([1]), m.tensor([1])),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    same_error(lambda m: ERRORS[name](m))


def test_half_precision_has_no_complex32_here():
    # PyTorch makes ComplexHalf tensors; Ember has no complex32 dtype and says so
    with pytest.raises(RuntimeError, match="complex32"):
        ember.view_as_complex(ember.zeros(2, dtype=ember.float16))
    with pytest.raises(RuntimeError, match="complex32"):
        ember.complex(ember.zeros(1, dtype=ember.float16), ember.zeros(1, dtype=ember.float16))


def test_grad_fn_names_and_backward():
    z = ember.tensor([1 + 2j], requires_grad=True)
    zt = torch.tensor([1 + 2j], requires_grad=True)
    for f in (lambda m, z: z.real, lambda m, z: z.imag, lambda m, z: z.conj(), lambda m, z: m.view_as_real(z),
              lambda m, z: z.angle()):
        e, t = f(ember, z), f(torch, zt)
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
        with pytest.raises(NotImplementedError, match="autograd through complex tensors"):
            e.sum().backward()  # PyTorch differentiates these; Ember says it cannot rather than answer wrongly
    a, at = ember.tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    for f in (lambda m, a: m.complex(a, a), lambda m, a: m.polar(a, a),
              lambda m, a: m.view_as_complex(m.cat([a, a]).reshape(1, 2))):
        e, t = f(ember, a), f(torch, at)
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__
        with pytest.raises(NotImplementedError, match="autograd through complex tensors"):
            e.abs().sum().backward()


def test_angle_of_a_real_tensor_has_a_zero_gradient():
    grads = []
    for m in (ember, torch):
        x = m.tensor([-1.0, 2.0, 0.0], requires_grad=True)
        x.angle().sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_is_conj_is_always_false():
    assert ember.tensor([1 + 2j]).conj().is_conj() is False
    assert ember.is_conj(ember.tensor([1.0])) is False


def test_docstring_examples():
    import doctest  # noqa: PLC0415

    from ember.ops import complex_ops  # noqa: PLC0415

    assert doctest.testmod(complex_ops, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
