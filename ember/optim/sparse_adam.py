"""SparseAdam: Adam masked to the rows present in sparse gradients (``nn.Embedding(sparse=True)``)."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import state as _grad_state
from ._elementwise import sparse_rows
from .optimizer import Optimizer, _to_scalar

__all__ = ["SparseAdam"]


def _sparse_adam_rows(p, g, m, v, rows, step: int, lr: float, b1: float, b2: float, eps: float) -> None:
    """Adam on the given rows of dim 0 only (the moments of other rows are left untouched)."""
    gv = g[rows]
    old_m, old_v = m[rows], v[rows]
    upd_m = gv - old_m
    upd_m *= 1 - b1
    m[rows] = old_m + upd_m
    upd_v = gv * gv
    upd_v -= old_v
    upd_v *= 1 - b2
    v[rows] = old_v + upd_v
    numer = upd_m
    numer += old_m
    upd_v += old_v
    denom = np.sqrt(upd_v, out=upd_v)
    denom += eps
    step_size = lr * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
    numer /= denom
    numer *= -step_size
    p[rows] += numer


class SparseAdam(Optimizer):
    """Adam for sparse gradients: only the rows present in a gradient are updated, as ``torch.optim.SparseAdam``.

    Gradients must be sparse: in Ember, dense tensors marked with ``_sparse_indices`` (what
    ``nn.Embedding(sparse=True)`` produces).

    >>> import ember
    >>> w = ember.nn.Parameter(ember.ones(3, 2))
    >>> opt = ember.optim.SparseAdam([w], lr=0.1)
    >>> g = ember.zeros(3, 2)
    >>> g[1] = 1.0
    >>> g._sparse_indices = ember.tensor([1])
    >>> w.grad = g
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([[1.0000, 1.0000],
            [0.9000, 0.9000],
            [1.0000, 1.0000]], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize})
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support complex "
                             "parameters")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform a single optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            for group in self.param_groups:
                b1, b2 = group["betas"]
                lr = _to_scalar(group["lr"])
                for p in group["params"]:
                    if p._grad is None:
                        continue
                    rows = sparse_rows(p._grad)
                    if rows is None:
                        raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam "
                                           "instead")
                    st = self.state[p]
                    if len(st) == 0:
                        st["step"] = 0
                        st["exp_avg"] = _wrap(np.zeros_like(p._data))
                        st["exp_avg_sq"] = _wrap(np.zeros_like(p._data))
                    st["step"] += 1
                    rows = np.unique(rows)
                    if rows.size == 0:
                        continue
                    g = p._grad._data
                    if group.get("maximize", False):
                        g = -g
                    _sparse_adam_rows(p._data, g, st["exp_avg"]._data, st["exp_avg_sq"]._data, rows, st["step"],
                                      lr, b1, b2, group["eps"])
                    p._bump()
        finally:
            _grad_state.enabled = prev
        return loss
