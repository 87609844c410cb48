"""ASGD: averaged stochastic gradient descent."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer, add_scaled_
from .optimizer import _to_scalar

__all__ = ["ASGD"]


def _asgd_kernel(p, g, s, c, t1, t2) -> None:
    lambd, wd, maximize, eta, mu = c
    if maximize:
        np.negative(g, out=g)
    if wd != 0:
        add_scaled_(g, p, wd, t1)
    p *= 1 - lambd * eta
    add_scaled_(p, g, -eta, t1)
    ax = s["ax"]
    if mu != 1:
        np.subtract(p, ax, out=t1)
        t1 *= mu
        ax += t1
    else:
        np.copyto(ax, p)


class ASGD(ElementwiseOptimizer):
    """Averaged SGD (Polyak & Juditsky), as ``torch.optim.ASGD``; the average is ``state['ax']``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.ASGD([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    _sparse_msg = "ASGD does not support sparse gradients"

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _spec(self, group: dict) -> tuple:
        return (("step", SCALAR, 0.0), ("eta", SCALAR, _to_scalar(group["lr"])), ("mu", SCALAR, 1.0),
                ("ax", ELEM, 0.0))

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        lr = _to_scalar(group["lr"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        sc["step"] += 1
        eta, mu = float(sc["eta"]), float(sc["mu"])
        step = float(sc["step"])
        sc["eta"][...] = lr / ((1 + lambd * lr * step) ** alpha)
        sc["mu"][...] = 1 / max(1, step - t0)
        return (lambd, group["weight_decay"], group["maximize"], eta, mu)

    _kernel = staticmethod(_asgd_kernel)
