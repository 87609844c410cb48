"""More elementwise math (ember/ops/extra_math.py) against torch: values, dtypes, gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _reference import (
    ALL,
    F64,
    FLOATS,
    INTS,
    Const,
    OpInfo,
    assert_close,
    check_op,
    gc_params,
    gradcheck_op,
    params,
)

import ember

U = [(), (3,), (0,), (2, 3), (2, 1, 3)]
S1 = [(s,) for s in U]
B = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), ()), ((), (2, 3)), ((0,), (1,))]
I32 = "int32"


def _op(name, fn, samples=B, dtypes=FLOATS, **kw):
    return OpInfo(name, fn, samples, dtypes=dtypes, **kw)


TABLE = [
    _op("logaddexp", lambda m, x, y: m.logaddexp(x, y), gradgrad=True, domain=(-4.0, 4.0)),
    _op("logaddexp_method", lambda m, x, y: x.logaddexp(y * 30)),
    _op("logaddexp2", lambda m, x, y: m.logaddexp2(x, y), gradgrad=True, domain=(-4.0, 4.0)),
    _op("logaddexp2_method", lambda m, x, y: x.logaddexp2(y)),
    _op("copysign", lambda m, x, y: m.copysign(x, y), dtypes=ALL, gradgrad=True),
    _op("copysign_scalar", lambda m, x: m.copysign(x, -1.0), S1, dtypes=ALL),
    _op("copysign_int_scalar", lambda m, x: x.copysign(2), S1, dtypes=FLOATS + INTS),
    _op("sinc", lambda m, x: m.sinc(x), S1, dtypes=ALL, gradgrad=True, domain=(-3.0, 3.0)),
    _op("sinc_zero", lambda m, x: (x * 0).sinc(), S1, grad_fn=False),
    _op("float_power", lambda m, x, y: m.float_power(x, y), dtypes=FLOATS + INTS, domain=[(0.5, 2.0), (-2.0, 2.0)],
        gradgrad=True),
    _op("float_power_scalar", lambda m, x: m.float_power(x, 2), S1, dtypes=ALL, gradgrad=True),
    _op("float_power_neg_int", lambda m, x: x.float_power(-1), S1, dtypes=FLOATS + INTS, domain=(1.0, 3.0)),
    _op("float_power_rscalar", lambda m, x: m.float_power(2, x), S1, dtypes=FLOATS + INTS),
    _op("float_power_complex", lambda m, x: m.float_power(x, 1j), S1, domain=(0.5, 2.0), grad=False),
    _op("heaviside", lambda m, x, y: m.heaviside(x, y), dtypes=ALL, grad=False),
    _op("heaviside_zeros", lambda m, x, y: x.heaviside(y), [(Const([0.0, -1.0, 0.0, 2.0, float("nan")]), (1,))],
        dtypes=(F64,), grad=False),
    _op("gcd", lambda m, x, y: m.gcd(x, y), dtypes=INTS, domain=(-12.0, 12.0)),
    _op("lcm", lambda m, x, y: x.lcm(y), dtypes=INTS, domain=(-12.0, 12.0)),
    _op("gcd_mixed", lambda m, x: m.gcd(x, m.tensor([4, 6, 0], dtype=m.int32)), [((3,),), ((2, 3),)],
        dtypes=INTS + ("int16", "uint8"), domain=(0.0, 12.0)),
    _op("frexp", lambda m, x: m.frexp(x * 100), S1, grad_fn=False),
    _op("frexp_method", lambda m, x: x.frexp(), S1),
    _op("frexp_special", lambda m, x: m.frexp(x),
        [(Const(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, 3.0])),)], grad=False),
    _op("ldexp", lambda m, x, y: m.ldexp(x, y), [((3,), Const([2, -1, 0])), ((2, 3), Const([[3], [-2]])),
                                                 ((), Const(4))], dtypes=FLOATS + INTS),
    _op("ldexp_float_exp", lambda m, x, y: x.ldexp(y), B, gradgrad=True),
    _op("nextafter", lambda m, x, y: m.nextafter(x, y), dtypes=FLOATS),
    _op("nextafter_method", lambda m, x, y: x.nextafter(y * 0), dtypes=FLOATS),
    _op("nextafter_special", lambda m, x, y: m.nextafter(x, y),
        [(Const(np.array([0.0, -0.0, 1.0, np.inf, np.nan, 1e-310])), Const(np.array([1.0, -1.0, 1.0, 0.0, 1.0, 0.0])))],
        dtypes=(F64,), grad=False),
]


@pytest.mark.parametrize("op,dtype", params(TABLE))
def test_op(op, dtype):
    check_op(op, dtype)


@pytest.mark.parametrize("op", gc_params(TABLE))
def test_gradcheck(op):
    gradcheck_op(op)


def test_logaddexp_extremes():
    a = [1000.0, -1000.0, float("inf"), -float("inf"), float("inf"), 0.0, float("nan")]
    b = [1000.0, -1000.5, float("inf"), -float("inf"), -float("inf"), -1e30, 1.0]
    for name in ("logaddexp", "logaddexp2"):
        for dt in ("float32", "float64"):
            t = getattr(torch, name)(torch.tensor(a, dtype=getattr(torch, dt)), torch.tensor(b, dtype=getattr(torch, dt)))
            e = getattr(ember, name)(ember.tensor(a, dtype=getattr(ember, dt)), ember.tensor(b, dtype=getattr(ember, dt)))
            assert_close(t, e, atol=0, rtol=1e-6)


def test_sinc_gradient_at_zero_and_tiny():
    vals = [0.0, 1e-20, -0.5, 1.0, 2.5]
    for dt in ("float32", "float64"):
        tx = torch.tensor(vals, dtype=getattr(torch, dt), requires_grad=True)
        ex = ember.tensor(vals, dtype=getattr(ember, dt), requires_grad=True)
        torch.sinc(tx).sum().backward()
        ember.sinc(ex).sum().backward()
        assert_close(tx.grad, ex.grad, atol=1e-7, rtol=1e-6)


def test_copysign_gradients():
    xs, ys = [1.5, -2.0, 0.0, -0.0], [-1.0, 1.0, -1.0, 1.0]
    tx, ty = torch.tensor(xs, requires_grad=True), torch.tensor(ys, requires_grad=True)
    ex, ey = ember.tensor(xs, requires_grad=True), ember.tensor(ys, requires_grad=True)
    torch.copysign(tx, ty).sum().backward()
    ember.copysign(ex, ey).sum().backward()
    assert_close(tx.grad, ex.grad, 0, 0)
    assert_close(ty.grad, ey.grad, 0, 0)
    assert type(ember.copysign(ex, ey).grad_fn).__name__ == type(torch.copysign(tx, ty).grad_fn).__name__


def test_float_power_gradient_dtype():
    for m in (torch, ember):
        x = m.tensor([1.5, 2.0], requires_grad=True)
        m.float_power(x, 2.5).sum().backward()
        if m is torch:
            want = x.grad
        else:
            assert_close(want, x.grad)


INPLACE = [
    ("copysign_", lambda m, x, y: x.copysign_(y)), ("sinc_", lambda m, x, y: x.sinc_()),
    ("float_power_", lambda m, x, y: x.abs_().float_power_(y)), ("float_power_scalar_", lambda m, x, y: x.float_power_(3)),
    ("ldexp_", lambda m, x, y: x.ldexp_(y)), ("nextafter_", lambda m, x, y: x.nextafter_(y)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace(name, fn):
    rng = np.random.default_rng(len(name))
    xa, ya = rng.uniform(-2, 2, (2, 3)), rng.uniform(-2, 2, (2, 3))
    res = {}
    for m in (torch, ember):
        x0 = m.tensor(xa, dtype=m.float64, requires_grad=True)
        y = m.tensor(ya, dtype=m.float64, requires_grad=True)
        x = x0 * 1.0
        out = fn(m, x, y)
        assert out is x
        (x * m.tensor(np.arange(6.0).reshape(2, 3), dtype=x.dtype)).sum().backward()
        res[m] = (x, x0.grad, y.grad)
    for t, e in zip(res[torch], res[ember]):
        assert (t is None) == (e is None), name
        if t is not None:
            assert_close(t, e, 1e-10, 1e-10, check_rg=False)


def test_integer_inplace():
    for m in (torch, ember):
        a, b = m.tensor([4, 9, -6]), m.tensor([6, 6, 4])
        r = (a.clone().gcd_(b), a.clone().lcm_(b), m.tensor([-1, 0, 2]).heaviside_(m.tensor([7])))
        if m is torch:
            want = r
    assert_close(want, r)


def _err(fn):
    try:
        fn(torch)
    except Exception as exc:  # noqa: BLE001 - the type torch raises is the expectation
        with pytest.raises(type(exc)):
            fn(ember)
        return
    pytest.fail("torch accepted the input")


ERRORS = [
    lambda m: m.logaddexp(m.tensor([1, 2]), m.tensor([1, 2])),
    lambda m: m.logaddexp(m.tensor([True]), m.tensor([False])),
    lambda m: m.logaddexp(m.tensor([1.0]), 2.0),
    lambda m: m.logaddexp2(m.tensor([1, 2]), m.tensor([1, 2])),
    lambda m: m.copysign(m.tensor([1.0]), m.tensor([1j])),
    lambda m: m.heaviside(m.tensor([1.0]), 0.5),
    lambda m: m.heaviside(m.tensor([1.0]), m.tensor([1], dtype=m.int64)),
    lambda m: m.heaviside(m.tensor([1j]), m.tensor([1j])),
    lambda m: m.heaviside(m.tensor([0.0], requires_grad=True), m.tensor([0.5])).sum().backward(),
    lambda m: m.gcd(m.tensor([1.0]), m.tensor([2.0])),
    lambda m: m.lcm(m.tensor([True]), m.tensor([True])),
    lambda m: m.gcd(m.tensor([4]), 2),
    lambda m: m.frexp(m.tensor([1, 2])),
    lambda m: m.ldexp(m.tensor([1.0]), 2),
    lambda m: m.tensor([1.0]).float_power_(2),
    lambda m: m.tensor([1, 2]).ldexp_(m.tensor([1])),
    lambda m: m.nextafter(m.tensor([1, 2]), m.tensor([1, 2])),
    lambda m: m.nextafter(m.tensor([1.0]), 2.0),
    lambda m: m.nextafter(m.tensor([1j]), m.tensor([1j])),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    _err(fn)


def test_float_power_dtypes():
    for m in (torch, ember):
        r = (m.float_power(m.tensor([1, 2], dtype=m.int32), m.tensor([2.0])).dtype,
             m.float_power(m.tensor([True]), 2).dtype,
             m.float_power(m.tensor([2.0]), m.tensor([1j])).dtype)
        if m is torch:
            want = r
    assert_close(want, r)
