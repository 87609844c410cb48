"""NAdam: Adam with Nesterov momentum (momentum decay schedule, optional decoupled weight decay)."""
from __future__ import annotations

import numpy as np

from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer, addcdiv_
from .adam import adam_moments, check_adam_args
from .optimizer import _to_scalar

__all__ = ["NAdam"]


def _nadam_kernel(p, g, s, c, t1, t2) -> None:
    lr, b1, b2, eps, wd, decoupled, maximize, bias_correction2, c_grad, c_avg = c
    m, v = adam_moments(p, g, s, lr, b1, b2, wd, decoupled, maximize, t1)
    np.divide(v, bias_correction2, out=t1)
    np.sqrt(t1, out=t1)
    t1 += eps
    addcdiv_(p, g, t1, c_grad, t2)
    addcdiv_(p, m, t1, c_avg, t2)


class NAdam(ElementwiseOptimizer):
    """NAdam (Dozat), with PyTorch's momentum-decay schedule, as ``torch.optim.NAdam``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.NAdam([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.8944, -1.8944], requires_grad=True)
    """

    _sparse_msg = "NAdam does not support sparse gradients"

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _spec(self, group: dict) -> tuple:
        return (("step", SCALAR, 0.0), ("mu_product", SCALAR, 1.0), ("exp_avg", ELEM, 0.0),
                ("exp_avg_sq", ELEM, 0.0))

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        lr = _to_scalar(group["lr"])
        b1, b2 = group["betas"]
        md = group["momentum_decay"]
        sc["step"] += 1
        step = float(sc["step"])
        bias_correction2 = 1 - b2 ** step
        mu = b1 * (1.0 - 0.5 * (0.96 ** (step * md)))
        mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
        sc["mu_product"] *= mu
        mu_product = float(sc["mu_product"])
        mu_product_next = mu_product * mu_next
        return (lr, b1, b2, group["eps"], group["weight_decay"], group["decoupled_weight_decay"], group["maximize"],
                bias_correction2, -lr * (1.0 - mu) / (1.0 - mu_product), (-lr * mu_next) / (1.0 - mu_product_next))

    _kernel = staticmethod(_nadam_kernel)


