"""Type promotion: result dtypes of binary ops for every dtype pair and operand kind equal torch's."""
# ruff: noqa: B023 - the lambdas in loops run within their own iteration
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64", "complex128"]
OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda m_a, b: m_a * b,
    "div": lambda a, b: a / b,
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b if not _is_complex(a, b) else a == b,
    "sub": lambda a, b: a - b,
    "maximum": None,  # filled below, needs the module
    "where": None,
}
SCALARS = [True, 2, 2.5, 1 + 1j]


def _is_complex(a, b):
    return any(getattr(x, "is_complex", lambda: isinstance(x, complex))() if not isinstance(x, complex) else True
               for x in (a, b))


def _complex32(da: str, db: str) -> bool:
    """float16 with complex gives complex32 (chalf) in torch; ember has no complex32 (it uses complex64)."""
    return {da, db} & {"float16"} and {da, db} & {"complex64", "complex128"}


def _make(m, dtype: str, zero_dim: bool):
    shape = () if zero_dim else (2,)
    return m.ones(shape, dtype=getattr(m, dtype))


def _outcome(fn):
    """('ok', dtype string) or ('error', exception type)."""
    try:
        r = fn()
    except Exception as exc:  # noqa: BLE001 - the type is the comparison
        return "error", type(exc)
    return "ok", str(r.dtype)


def _run(m, op, a, b):
    if op == "maximum":
        return m.maximum(a, b)
    if op == "where":
        return m.where(m.ones((), dtype=m.bool), a, b)
    return OPS[op](a, b)


def _exc_kind(exc_type):
    """Ember may raise a subclass (NotImplementedError is a RuntimeError) where torch raises RuntimeError."""
    return RuntimeError if issubclass(exc_type, RuntimeError) else exc_type


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("kinds", ["dim-dim", "dim-0d", "0d-dim", "0d-0d"])
def test_tensor_tensor_promotion(op, kinds):
    za, zb = (k == "0d" for k in kinds.split("-"))
    bad = []
    for da, db in itertools.product(DTYPES, DTYPES):
        if _complex32(da, db):
            continue
        t = _outcome(lambda: _run(torch, op, _make(torch, da, za), _make(torch, db, zb)))
        e = _outcome(lambda: _run(ember, op, _make(ember, da, za), _make(ember, db, zb)))
        if t[0] == "error":
            if e[0] != "error" or _exc_kind(e[1]) is not _exc_kind(t[1]):
                bad.append((da, db, t, e))
        elif e != t:
            bad.append((da, db, t, e))
    assert not bad, f"{op} {kinds}: {len(bad)} mismatches, e.g. {bad[:6]}"


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("side", ["tensor-scalar", "scalar-tensor"])
@pytest.mark.parametrize("zero_dim", [False, True])
def test_tensor_scalar_promotion(op, side, zero_dim):
    bad = []
    for d, s in itertools.product(DTYPES, SCALARS):
        if op == "where" and side == "scalar-tensor" or d == "float16" and isinstance(s, complex):
            continue
        if side == "tensor-scalar":
            t = _outcome(lambda: _run(torch, op, _make(torch, d, zero_dim), s))
            e = _outcome(lambda: _run(ember, op, _make(ember, d, zero_dim), s))
        else:
            if op == "maximum":
                continue
            t = _outcome(lambda: _run(torch, op, s, _make(torch, d, zero_dim)))
            e = _outcome(lambda: _run(ember, op, s, _make(ember, d, zero_dim)))
        if t[0] == "error":
            if e[0] != "error" or _exc_kind(e[1]) is not _exc_kind(t[1]):
                bad.append((d, s, t, e))
        elif e != t:
            bad.append((d, s, t, e))
    assert not bad, f"{op} {side}: {len(bad)} mismatches, e.g. {bad[:6]}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_default_dtype_changes_scalar_results(dtype):
    for m in (torch, ember):
        m.set_default_dtype(getattr(m, dtype))
        try:
            assert str((m.ones(2, dtype=m.int64) * 1.5).dtype) == f"torch.{dtype}"
            assert str((m.ones(2, dtype=m.int64) / 2).dtype) == f"torch.{dtype}"
            assert str(m.ones(2, dtype=m.float16).add(1.5).dtype) == "torch.float16"
        finally:
            m.set_default_dtype(m.float32)


def test_promote_types_and_result_type():
    for a, b in itertools.product(DTYPES, DTYPES):
        t = torch.promote_types(getattr(torch, a), getattr(torch, b))
        e = ember.promote_types(getattr(ember, a), getattr(ember, b))
        assert str(e) == str(t), (a, b)


def test_numpy_scalar_operands_are_tensors_of_their_dtype():
    """NumPy scalars behave like 0-d tensors of their dtype (not weak Python numbers)."""
    for d in ("float32", "int64", "float16"):
        for s in (np.float64(2.0), np.int32(2), np.float32(1.0)):
            t = torch.ones(2, dtype=getattr(torch, d)) * s
            e = ember.ones(2, dtype=getattr(ember, d)) * s
            assert str(e.dtype) == str(t.dtype), (d, type(s))


def test_inplace_promotion_keeps_self_dtype():
    for m in (torch, ember):
        x = m.ones(2, dtype=m.float16)
        x += m.ones(2, dtype=m.float64)
        assert x.dtype == m.float16
        i = m.ones(2, dtype=m.int32)
        i += m.ones(2, dtype=m.int64)
        assert i.dtype == m.int32
