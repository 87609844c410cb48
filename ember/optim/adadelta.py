"""Adadelta: per-element step sizes from running averages of squared gradients and updates."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer, add_scaled_, addcmul_
from .optimizer import _to_scalar

__all__ = ["Adadelta"]


def _adadelta_kernel(p, g, s, c, t1, t2) -> None:
    lr, rho, eps, wd, maximize = c
    if maximize:
        np.negative(g, out=g)
    if wd != 0:
        add_scaled_(g, p, wd, t1)
    v, u = s["square_avg"], s["acc_delta"]
    v *= rho
    addcmul_(v, g, g, 1 - rho, t1)
    np.add(v, eps, out=t1)
    np.sqrt(t1, out=t1)  # std
    np.add(u, eps, out=t2)
    np.sqrt(t2, out=t2)
    t2 /= t1
    t2 *= g  # delta
    u *= rho
    addcmul_(u, t2, t2, 1 - rho, t1)
    add_scaled_(p, t2, -lr, t1)


class Adadelta(ElementwiseOptimizer):
    """Adadelta (Zeiler), as ``torch.optim.Adadelta``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adadelta([w])
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.9968, -1.9968], requires_grad=True)
    """

    _sparse_msg = "Adadelta does not support sparse gradients"

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0,
                 foreach: bool | None = None, *, capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _spec(self, group: dict) -> tuple:
        return (("step", SCALAR, 0.0), ("square_avg", ELEM, 0.0), ("acc_delta", ELEM, 0.0))

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        sc["step"] += 1
        return (_to_scalar(group["lr"]), group["rho"], group["eps"], group["weight_decay"], group["maximize"])

    _kernel = staticmethod(_adadelta_kernel)
