"""Helpers for the nn tests: copy torch's weights into ember, run both, compare outputs and gradients."""
from __future__ import annotations

import numpy as np
import torch

import ember

TOL = {"float32": {"rtol": 1e-5, "atol": 1e-6}, "float64": {"rtol": 1e-10, "atol": 1e-12}}


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def randn(shape, dtype="float32", seed: int = 0, scale: float = 1.0) -> np.ndarray:
    return (rng(seed).standard_normal(shape) * scale).astype(dtype)


def pair(arr: np.ndarray, requires_grad: bool = False):
    """The same values as an ember and a torch tensor (fresh leaves)."""
    e = ember.tensor(arr.copy(), requires_grad=requires_grad)
    t = torch.tensor(arr.copy(), requires_grad=requires_grad)
    return e, t


def npy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return x.detach().numpy()


def assert_same(e, t, rtol=None, atol=None, name: str = "") -> None:
    """Same shape, dtype name and values (NaN-aware)."""
    assert tuple(e.shape) == tuple(t.shape), f"{name}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert str(e.dtype) == str(t.dtype), f"{name}: dtype {e.dtype} != {t.dtype}"
    tol = TOL.get(str(t.dtype).replace("torch.", ""), {"rtol": 1e-5, "atol": 1e-6})
    np.testing.assert_allclose(npy(e), npy(t), rtol=rtol if rtol is not None else tol["rtol"],
                               atol=atol if atol is not None else tol["atol"], err_msg=name, equal_nan=True)


def copy_weights(tm: torch.nn.Module, em: ember.nn.Module) -> None:
    """Copy torch's state_dict into ember through NumPy arrays (load_state_dict, strict)."""
    em.load_state_dict({k: v.detach().numpy().copy() for k, v in tm.state_dict().items()})


def compare_module(tm, em, inputs, *, rtol=None, atol=None, grad_seed: int = 1, check_grad_fn: bool = True,
                   input_grads=True):
    """Run ``tm(*inputs)`` and ``em(*inputs)`` (NumPy inputs), compare outputs, input and parameter grads."""
    e_in, t_in = [], []
    for i, a in enumerate(inputs):
        rg = bool(input_grads) and a.dtype.kind == "f"
        e, t = pair(a, rg)
        e_in.append(e)
        t_in.append(t)
    t_out = tm(*t_in)
    e_out = em(*e_in)
    assert_same(e_out, t_out, rtol, atol, "output")
    if check_grad_fn and t_out.grad_fn is not None:
        assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    if not t_out.requires_grad:
        return e_out, t_out
    g = randn(tuple(t_out.shape), str(t_out.dtype).replace("torch.", ""), seed=grad_seed)
    t_out.backward(torch.tensor(g))
    e_out.backward(ember.tensor(g))
    for i, (e, t) in enumerate(zip(e_in, t_in)):
        if t.requires_grad:
            if t.grad is None:
                assert e.grad is None or not np.any(npy(e.grad)), f"input {i} grad"
            else:
                assert_same(e.grad, t.grad, rtol, atol, f"grad of input {i}")
    e_params = dict(em.named_parameters())
    for name, p in tm.named_parameters():
        if p.grad is None:
            assert e_params[name].grad is None, name
        else:
            assert_same(e_params[name].grad, p.grad, rtol, atol, f"grad of {name}")
    return e_out, t_out
