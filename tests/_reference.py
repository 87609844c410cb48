"""The reference helper: run one op in torch and in ember on the same inputs and compare everything.

An ``OpInfo`` row names an op (a lambda taking the module ``m`` -- ``ember`` or ``torch`` -- and the
input tensors), its sample inputs, dtypes, input domain, tolerances and which derivative checks
apply. ``check_op`` builds identical seeded NumPy inputs, runs both libraries and compares values
(NaN-aware), shapes, dtypes, ``requires_grad``, the ``grad_fn`` name, the gradient of every input
and (for selected ops) second derivatives through ``autograd.grad(..., create_graph=True)``.
Adding an op is adding one row.
"""
from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import ember

F32, F64 = "float32", "float64"
I64, I32, I16, I8, U8, BOOL = "int64", "int32", "int16", "int8", "uint8", "bool"
FLOATS = (F32, F64)
INTS = (I64, I32)
ALL = FLOATS + INTS + (BOOL,)


@dataclasses.dataclass(frozen=True)
class Idx:
    """A non-differentiable integer (int64) input: fixed values, or random ints in [lo, hi)."""

    values: Any = None
    shape: tuple = ()
    lo: int = 0
    hi: int = 2

    def make(self, rng) -> np.ndarray:
        if self.values is not None:
            return np.asarray(self.values, dtype=np.int64)
        return rng.integers(self.lo, self.hi, size=self.shape).astype(np.int64)


@dataclasses.dataclass(frozen=True)
class Const:
    """A fixed non-differentiable array input (its dtype is kept: bool masks, int indices)."""

    values: Any

    def make(self, rng) -> np.ndarray:
        return np.asarray(self.values)


@dataclasses.dataclass(frozen=True)
class Mask:
    """A random boolean input of a shape (not differentiable)."""

    shape: tuple

    def make(self, rng) -> np.ndarray:
        return rng.random(self.shape) < 0.5


@dataclasses.dataclass
class OpInfo:
    """One row of an op table.

    ``samples``: a list of samples; a sample is a tuple with one entry per input: a shape (a
    tensor of the row's dtype drawn from ``domain``) or an ``Idx``/``Const``/``Mask`` input.
    ``domain``: (lo, hi) for all float inputs, or a list with one (lo, hi) per input.
    ``grad``: compare input gradients; ``gradgrad``: also second derivatives;
    ``gradcheck``: run ember's finite-difference gradcheck (and gradgradcheck when ``gradgrad``).
    ``grad_fn``: compare the output's ``grad_fn`` name with torch's.
    """

    name: str
    fn: Callable
    samples: list
    dtypes: tuple = FLOATS
    domain: Any = (-2.0, 2.0)
    grad: bool = True
    gradgrad: bool = False
    gradcheck: bool = True
    grad_fn: bool = True
    noncontig: bool = True
    layouts: tuple = ("T", "step")
    atol: float = 1e-5
    rtol: float = 1.3e-5
    grad_atol: float = 1e-4
    grad_rtol: float = 1e-4
    gc_atol: float = 1e-5
    gc_rtol: float = 1e-3

    def __str__(self) -> str:
        return self.name


def tdtype(name: str):
    return getattr(torch, name)


def edtype(name: str):
    return getattr(ember, name)


def _seed(*parts) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode())


def _is_shape(spec) -> bool:
    return isinstance(spec, tuple)


def _domain(op: OpInfo, i: int):
    d = op.domain
    return d[i] if isinstance(d, list) else d


def make_arrays(op: OpInfo, sample, dtype: str, seed: int) -> list:
    """NumPy arrays for one sample (float inputs in the op's domain)."""
    rng = np.random.default_rng(seed)
    out = []
    for i, spec in enumerate(sample):
        if not _is_shape(spec):
            out.append(spec.make(rng))
            continue
        lo, hi = _domain(op, i)
        if dtype == BOOL:
            a = rng.random(spec) < 0.5
        elif dtype in (F32, F64, "float16", "bfloat16", "complex64", "complex128"):
            a = rng.uniform(lo, hi, size=spec).astype(np.float64)
            if dtype in ("complex64", "complex128"):
                a = a + 1j * rng.uniform(lo, hi, size=spec)
        else:
            info = np.iinfo(np.dtype(dtype))
            ilo, ihi = int(np.floor(lo)), int(np.ceil(hi))
            ilo, ihi = max(ilo, int(info.min)), min(max(ihi, ilo + 1), int(info.max))
            a = rng.integers(ilo, ihi + 1, size=spec)
            if lo > 0:
                a = np.maximum(a, 1)
        out.append(a)
    return out


def _float(dtype: str) -> bool:
    return dtype in (F32, F64)


class Built:
    """Inputs of one sample in both libraries: leaves (which get .grad) and the op arguments."""

    def __init__(self, arrays, sample, dtype, requires_grad, layout):
        self.t_leaves, self.e_leaves, self.t_args, self.e_args = [], [], [], []
        for a, spec in zip(arrays, sample):
            if _is_shape(spec):
                t_leaf, e_leaf, t_arg, e_arg = _build_one(a, dtype, requires_grad, layout)
            else:
                t_leaf = e_leaf = None
                t_arg, e_arg = torch.from_numpy(a.copy()), ember.from_numpy(a.copy())
            self.t_leaves.append(t_leaf)
            self.e_leaves.append(e_leaf)
            self.t_args.append(t_arg)
            self.e_args.append(e_arg)


def _build_one(a, dtype, requires_grad, layout):
    """Leaf tensors and op arguments; ``layout`` 'T' (transposed view) or 'step' (strided view)."""
    npd = np.dtype(dtype) if dtype != BOOL else np.bool_
    base = np.asarray(a).astype(npd)
    if layout == "T" and base.ndim >= 2:
        leaf_arr = np.ascontiguousarray(np.swapaxes(base, -1, -2))
    elif layout == "step" and base.ndim >= 1:
        leaf_arr = np.repeat(base, 2, axis=-1)
    else:
        leaf_arr = base
    rg = requires_grad and _float(dtype)
    t_leaf = torch.tensor(leaf_arr, requires_grad=rg)
    e_leaf = ember.tensor(leaf_arr, requires_grad=rg)
    if leaf_arr is base:
        return t_leaf, e_leaf, t_leaf, e_leaf
    if layout == "T":
        return t_leaf, e_leaf, t_leaf.transpose(-1, -2), e_leaf.transpose(-1, -2)
    return t_leaf, e_leaf, t_leaf[..., ::2], e_leaf[..., ::2]


# ----------------------------------------------------------------------------- errors
def same_error(fn, exc=RuntimeError, exact=True, first_line=False) -> str:
    """``fn(torch)`` raises ``exc``; ``fn(ember)`` raises torch's exception type (or a subclass) with the same
    message (only its first line with ``first_line``: torch's argument-parser errors list its overloads).
    Returns ember's message."""
    with pytest.raises(exc) as t_err:
        fn(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        fn(ember)
    t_msg, e_msg = str(t_err.value), str(e_err.value)
    if first_line:
        t_msg, e_msg = t_msg.split("\n")[0], e_msg.split("\n")[0]
    if exact:
        assert e_msg == t_msg
    return str(e_err.value)


# ----------------------------------------------------------------------------- comparison
def to_np(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy(force=True)
    return np.asarray(x.detach()._data)


def assert_close(t, e, atol=1e-5, rtol=1.3e-5, path="out", check_rg=True, check_fn=False) -> None:
    """Compare a torch result with an ember result: type, shape, dtype, values (NaN-aware)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{path}: expected a Tensor, got {type(e).__name__}"
        assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {tuple(e.shape)} != torch {tuple(t.shape)}"
        assert str(e.dtype) == str(t.dtype), f"{path}: dtype {e.dtype} != torch {t.dtype}"
        if check_rg:
            assert e.requires_grad == t.requires_grad, \
                f"{path}: requires_grad {e.requires_grad} != torch {t.requires_grad}"
        if check_fn and t.grad_fn is not None:
            tn = type(t.grad_fn).__name__
            en = e.grad_fn.name() if e.grad_fn is not None else None
            assert en == tn, f"{path}: grad_fn {en} != torch {tn}"
        tv, ev = to_np(t), to_np(e)
        if t.dtype.is_floating_point or t.dtype.is_complex:
            np.testing.assert_allclose(ev.astype(tv.dtype), tv, atol=atol, rtol=rtol, equal_nan=True,
                                       err_msg=path)
        else:
            np.testing.assert_array_equal(ev, tv, err_msg=path)
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{path}: expected a sequence, got {type(e).__name__}"
        assert len(e) == len(t), f"{path}: length {len(e)} != torch {len(t)}"
        if hasattr(t, "_fields"):
            assert tuple(getattr(e, "_fields", ())) == tuple(t._fields), f"{path}: fields differ"
        for i, (a, b) in enumerate(zip(t, e)):
            assert_close(a, b, atol, rtol, f"{path}[{i}]", check_rg, check_fn)
    elif isinstance(t, torch.dtype):
        assert str(e) == str(t), f"{path}: {e} != torch {t}"
    elif isinstance(t, float):
        assert isinstance(e, float), f"{path}: expected float, got {type(e).__name__}"
        np.testing.assert_allclose(e, t, atol=atol, rtol=rtol, equal_nan=True, err_msg=path)
    else:
        assert type(e) is type(t) or (isinstance(t, tuple) and isinstance(e, tuple)), \
            f"{path}: type {type(e).__name__} != torch {type(t).__name__}"
        assert e == t, f"{path}: {e!r} != torch {t!r}"


def _diff_outputs(out) -> list:
    """Float tensors in a (possibly nested) result that require grad."""
    if isinstance(out, (torch.Tensor, ember.Tensor)):
        return [out] if out.requires_grad else []
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _diff_outputs(x)]
    return []


def _weights(outs, seed) -> list:
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 1.5, size=tuple(o.shape)) for o in outs]


def _weighted_sum(mod, outs, ws):
    total = None
    for o, w in zip(outs, ws):
        wt = mod.tensor(w, dtype=o.dtype)
        s = (o * wt).sum()
        total = s if total is None else total + s
    return total


def _grads(mod, loss, leaves, create_graph):
    live = [x for x in leaves if x is not None]
    gs = mod.autograd.grad(loss, live, create_graph=create_graph, allow_unused=True)
    it = iter(gs)
    return [next(it) if x is not None else None for x in leaves]


def _zeros_for_none(gs, leaves, mod):
    return [mod.zeros_like(x) if g is None and x is not None else g for g, x in zip(gs, leaves)]


def run_sample(op: OpInfo, sample, dtype: str, layout: str = "plain", seed: int | None = None) -> None:
    """Compare forward values, gradients and (optionally) second derivatives for one sample."""
    seed = _seed(op.name, sample, dtype) if seed is None else seed
    arrays = make_arrays(op, sample, dtype, seed)
    want_grad = op.grad and _float(dtype)
    b = Built(arrays, sample, dtype, want_grad, layout)
    t_out = op.fn(torch, *b.t_args)
    e_out = op.fn(ember, *b.e_args)
    tol = (op.atol, op.rtol) if dtype != F64 else (op.atol * 1e-4, op.rtol * 1e-4)
    assert_close(t_out, e_out, *tol, check_rg=want_grad, check_fn=want_grad and op.grad_fn)
    if not want_grad:
        return
    t_outs, e_outs = _diff_outputs(t_out), _diff_outputs(e_out)
    assert len(t_outs) == len(e_outs)
    if not t_outs:
        return
    ws = _weights(t_outs, seed + 1)
    gtol = (op.grad_atol, op.grad_rtol) if dtype != F64 else (op.grad_atol * 1e-4, op.grad_rtol * 1e-4)
    # first order twice: the engine's raw-array path (create_graph=False) and the Tensor path (True)
    for create in (False, True) if op.gradgrad else (False,):
        t_loss, e_loss = _weighted_sum(torch, t_outs, ws), _weighted_sum(ember, e_outs, ws)
        t_g = _grads(torch, t_loss, b.t_leaves, create)
        e_g = _grads(ember, e_loss, b.e_leaves, create)
        t_gz = _zeros_for_none(t_g, b.t_leaves, torch)
        e_gz = _zeros_for_none(e_g, b.e_leaves, ember)
        for i, (tg, eg) in enumerate(zip(t_gz, e_gz)):
            if tg is not None:
                assert_close(tg, eg, *gtol, path=f"grad[{i}] (create_graph={create})", check_rg=False)
        if not create:
            t_out = op.fn(torch, *b.t_args) if op.gradgrad else t_out
            e_out = op.fn(ember, *b.e_args) if op.gradgrad else e_out
            t_outs, e_outs = _diff_outputs(t_out), _diff_outputs(e_out)
    if not op.gradgrad:
        return
    # second order: d/dx of sum(grad * w2)
    t_live = [g for g in t_g if g is not None and g.requires_grad]
    w2 = _weights([g for g in t_gz if g is not None], seed + 2)
    t_s = _weighted_sum(torch, t_live, [w for g, w in zip([g for g in t_gz if g is not None], w2)
                                        if g.requires_grad]) if t_live else None
    e_pairs = [(g, w) for g, w in zip([g for g in e_gz if g is not None], w2) if g.requires_grad]
    e_s = _weighted_sum(ember, [g for g, _ in e_pairs], [w for _, w in e_pairs]) if e_pairs else None
    t_gg = _zeros_for_none(_grads(torch, t_s, b.t_leaves, False), b.t_leaves, torch) if t_s is not None else \
        [torch.zeros_like(x) if x is not None else None for x in b.t_leaves]
    e_gg = _zeros_for_none(_grads(ember, e_s, b.e_leaves, False), b.e_leaves, ember) if e_s is not None else \
        [ember.zeros_like(x) if x is not None else None for x in b.e_leaves]
    for i, (tg, eg) in enumerate(zip(t_gg, e_gg)):
        if tg is not None:
            assert_close(tg, eg, *gtol, path=f"gradgrad[{i}]", check_rg=False)


def check_op(op: OpInfo, dtype: str) -> None:
    """Every sample of ``op`` in ``dtype``, plus non-contiguous variants of the largest sample."""
    for k, sample in enumerate(op.samples):
        try:
            run_sample(op, sample, dtype)
        except AssertionError as exc:
            raise AssertionError(f"{op.name} sample {k} {sample} {dtype}: {exc}") from None
    if not op.noncontig:
        return
    big = max(op.samples, key=lambda s: sum(len(x) for x in s if _is_shape(x)))
    for layout in op.layouts:
        if any(_is_shape(x) and len(x) >= (2 if layout == "T" else 1) and 0 not in x for x in big):
            try:
                run_sample(op, big, dtype, layout)
            except AssertionError as exc:
                raise AssertionError(f"{op.name} {layout}-view sample {big} {dtype}: {exc}") from None


def gradcheck_op(op: OpInfo) -> None:
    """ember.autograd.gradcheck (and gradgradcheck) in float64 on the smallest non-empty sample."""
    cands = [s for s in op.samples if all(not _is_shape(x) or 0 not in x for x in s)]
    if not cands:
        pytest.skip("only empty samples")
    sample = min(cands, key=lambda s: sum(int(np.prod(x)) for x in s if _is_shape(x)))
    arrays = make_arrays(op, sample, F64, _seed(op.name, "gc"))
    args = []
    for a, spec in zip(arrays, sample):
        if _is_shape(spec):
            args.append(ember.tensor(a, dtype=ember.float64, requires_grad=True))
        else:
            args.append(ember.from_numpy(a.copy()))

    def fn(*xs):
        return op.fn(ember, *xs)

    assert ember.autograd.gradcheck(fn, tuple(args), atol=op.gc_atol, rtol=op.gc_rtol)
    if op.gradgrad:
        assert ember.autograd.gradgradcheck(fn, tuple(args), atol=op.gc_atol, rtol=op.gc_rtol)


def params(table: list, dtypes_of=lambda op: op.dtypes) -> list:
    """pytest params (op, dtype) with readable ids."""
    return [pytest.param(op, dt, id=f"{op.name}-{dt}") for op in table for dt in dtypes_of(op)]


def gc_params(table: list) -> list:
    return [pytest.param(op, id=op.name) for op in table
            if op.grad and op.gradcheck and any(d in FLOATS for d in op.dtypes)]
