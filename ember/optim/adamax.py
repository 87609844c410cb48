"""Adamax: Adam with the infinity norm of past gradients."""
from __future__ import annotations

import numpy as np

from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer, add_scaled_, addcdiv_, lerp_
from .adam import check_adam_args
from .optimizer import _to_scalar

__all__ = ["Adamax"]


def _adamax_kernel(p, g, s, c, t1, t2) -> None:
    b1, b2, eps, wd, maximize, clr = c
    if maximize:
        np.negative(g, out=g)
    if wd != 0:
        add_scaled_(g, p, wd, t1)
    m, u = s["exp_avg"], s["exp_inf"]
    lerp_(m, g, 1 - b1, t1)
    u *= b2
    np.abs(g, out=t1)
    t1 += eps
    np.maximum(u, t1, out=u)
    addcdiv_(p, m, u, -clr, t1)


class Adamax(ElementwiseOptimizer):
    """Adamax (the infinity-norm variant of Adam), as ``torch.optim.Adamax``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adamax([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _sparse_msg = "Adamax does not support sparse gradients"

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _spec(self, group: dict) -> tuple:
        return (("step", SCALAR, 0.0), ("exp_avg", ELEM, 0.0), ("exp_inf", ELEM, 0.0))

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        b1, b2 = group["betas"]
        sc["step"] += 1
        clr = _to_scalar(group["lr"]) / (1 - b1 ** float(sc["step"]))
        return (b1, b2, group["eps"], group["weight_decay"], group["maximize"], clr)

    _kernel = staticmethod(_adamax_kernel)
