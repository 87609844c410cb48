"""Helpers for the distributions tests: build the same distribution in torch and ember, compare values, gradients
and random samples."""
from __future__ import annotations

import numpy as np
import torch

import ember

TOL = {"float32": (1e-6, 1e-6), "float64": (1e-12, 1e-12)}  # (atol, rtol)
GRAD_TOL = {"float32": (1e-6, 1e-6), "float64": (1e-12, 1e-12)}


def npy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach()._data)


def tol_of(x, grad: bool = False) -> tuple:
    table = GRAD_TOL if grad else TOL
    return table.get(str(x.dtype).replace("torch.", ""), (0.0, 0.0))


def assert_same(e, t, name: str = "", grad: bool = False, check_rg: bool = True) -> None:
    """Same type, shape, dtype, requires_grad and values (NaN-aware; integers and bools exactly)."""
    assert isinstance(e, ember.Tensor), f"{name}: {type(e).__name__} is not a Tensor"
    assert tuple(e.shape) == tuple(t.shape), f"{name}: shape {tuple(e.shape)} != torch {tuple(t.shape)}"
    assert str(e.dtype) == str(t.dtype), f"{name}: dtype {e.dtype} != torch {t.dtype}"
    if check_rg:
        assert e.requires_grad == t.requires_grad, f"{name}: requires_grad {e.requires_grad} != {t.requires_grad}"
    if t.dtype.is_floating_point:
        atol, rtol = tol_of(t, grad)
        np.testing.assert_allclose(npy(e), npy(t), atol=atol, rtol=rtol, equal_nan=True, err_msg=name)
    else:
        np.testing.assert_array_equal(npy(e), npy(t), err_msg=name)


def assert_bits(e, t, name: str = "") -> None:
    """Same shape, dtype and bits."""
    a, b = np.ascontiguousarray(npy(e)), np.ascontiguousarray(npy(t))
    assert str(e.dtype) == str(t.dtype), f"{name}: dtype {e.dtype} != torch {t.dtype}"
    assert a.shape == b.shape, f"{name}: shape {a.shape} != torch {b.shape}"
    if a.dtype.kind == "f":
        a, b = a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")
    assert np.array_equal(a, b), f"{name}: {np.sum(a != b)} of {a.size} elements differ"


def seed_both(s: int) -> None:
    torch.manual_seed(s)
    ember.manual_seed(s)


def assert_same_stream_position() -> None:
    """Both default generators continue with the same numbers."""
    assert_bits(ember.rand(3), torch.rand(3), "next draws")


class Pair:
    """Leaf tensors with the same values in torch and ember (``requires_grad`` for floating arrays)."""

    def __init__(self, arrays: dict, requires_grad: bool = True):
        self.t, self.e = {}, {}
        for k, a in arrays.items():
            if isinstance(a, np.ndarray):
                rg = requires_grad and a.dtype.kind == "f"
                self.t[k] = torch.tensor(a.copy(), requires_grad=rg)
                self.e[k] = ember.tensor(a.copy(), requires_grad=rg)
            else:  # a Python number: passed as is
                self.t[k] = self.e[k] = a

    def of(self, m) -> dict:
        return self.t if m is torch else self.e

    def leaves(self, m) -> list:
        return [v for v in self.of(m).values() if isinstance(v, (torch.Tensor, ember.Tensor)) and v.requires_grad]


def value_pair(arr: np.ndarray, requires_grad: bool = False):
    return (torch.tensor(arr.copy(), requires_grad=requires_grad),
            ember.tensor(arr.copy(), requires_grad=requires_grad))


def grads(m, out, leaves: list, seed: int = 1) -> list:
    """Gradients of ``sum(out * w)`` (fixed weights ``w``, NaN/inf entries of ``out`` left out) w.r.t. ``leaves``."""
    w = np.random.default_rng(seed).uniform(0.5, 1.5, size=tuple(out.shape))
    finite = np.isfinite(npy(out))
    w = np.where(finite, w, 0.0)
    out = m.where(m.tensor(finite), out, m.zeros_like(out))
    loss = (out * m.tensor(w, dtype=out.dtype)).sum()
    gs = m.autograd.grad(loss, leaves, allow_unused=True, retain_graph=True)  # lazy parameters are shared
    return [m.zeros_like(x) if g is None else g for g, x in zip(gs, leaves)]


def compare_with_grads(t_out, e_out, t_leaves: list, e_leaves: list, name: str) -> None:
    """Compare the outputs and, when torch's requires grad, the gradients w.r.t. every leaf."""
    assert_same(e_out, t_out, name)
    if t_out.requires_grad and t_leaves:
        for i, (tg, eg) in enumerate(zip(grads(torch, t_out, t_leaves), grads(ember, e_out, e_leaves))):
            assert_same(eg, tg, f"{name}: grad[{i}]", grad=True, check_rg=False)


def both_raise_or_compare(fn, name: str, t_leaves=(), e_leaves=()):
    """``fn(torch)`` / ``fn(ember)``: both raise the same exception type, or both return comparable tensors."""
    try:
        t_out = fn(torch)
    except (NotImplementedError, ValueError, AttributeError) as exc:
        try:
            fn(ember)
        except type(exc):
            return None
        raise AssertionError(f"{name}: torch raised {type(exc).__name__}, ember did not")
    e_out = fn(ember)
    compare_with_grads(t_out, e_out, list(t_leaves), list(e_leaves), name)
    return t_out, e_out


def msg(exc) -> str:
    """An exception's message with the library names made the same (class reprs name their module)."""
    return str(exc).replace("torch.", "ember.")
