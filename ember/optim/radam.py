"""RAdam: Adam with the variance rectification term (optional decoupled weight decay)."""
from __future__ import annotations

import numpy as np

from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer
from .adam import adam_moments, check_adam_args
from .optimizer import _to_scalar

__all__ = ["RAdam"]


def _radam_kernel(p, g, s, c, t1, t2) -> None:
    lr, b1, b2, eps, wd, decoupled, maximize, bias_correction1, bc2_sqrt, rect = c
    m, v = adam_moments(p, g, s, lr, b1, b2, wd, decoupled, maximize, t1)
    np.divide(m, bias_correction1, out=t1)
    t1 *= lr
    if rect is not None:
        np.sqrt(v, out=t2)
        t2 += eps
        np.reciprocal(t2, out=t2)  # PyTorch computes ``number / tensor`` as ``tensor.reciprocal() * number``
        t2 *= bc2_sqrt
        t1 *= t2
        t1 *= rect
    p -= t1


class RAdam(ElementwiseOptimizer):
    """RAdam (Liu et al., rectified Adam), as ``torch.optim.RAdam``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.RAdam([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    _sparse_msg = "RAdam does not support sparse gradients"

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _spec(self, group: dict) -> tuple:
        return (("step", SCALAR, 0.0), ("exp_avg", ELEM, 0.0), ("exp_avg_sq", ELEM, 0.0))

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        lr = _to_scalar(group["lr"])
        b1, b2 = group["betas"]
        sc["step"] += 1
        step = float(sc["step"])
        bias_correction1 = 1 - b1 ** step
        bias_correction2 = 1 - b2 ** step
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2 ** step) / bias_correction2
        rect = None
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        return (lr, b1, b2, group["eps"], group["weight_decay"], group["decoupled_weight_decay"], group["maximize"],
                bias_correction1, bias_correction2 ** 0.5, rect)

    _kernel = staticmethod(_radam_kernel)
