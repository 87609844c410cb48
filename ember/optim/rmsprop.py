"""RMSprop: gradient scaled by a running root-mean-square, optionally centered and with momentum."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer, add_scaled_, addcdiv_, addcmul_, lerp_
from .optimizer import _to_scalar

__all__ = ["RMSprop"]


def _rmsprop_kernel(p, g, s, c, t1, t2) -> None:
    lr, alpha, eps, wd, momentum, centered, maximize = c
    if maximize:
        np.negative(g, out=g)
    if wd != 0:
        add_scaled_(g, p, wd, t1)
    v = s["square_avg"]
    v *= alpha
    addcmul_(v, g, g, 1 - alpha, t1)
    if centered:
        ga = s["grad_avg"]
        lerp_(ga, g, 1 - alpha, t1)
        if v.dtype.itemsize < 8:
            # ``square_avg - grad_avg**2`` cancels when gradients are steady; PyTorch's addcmul is one fused
            # multiply-add, which float64 reproduces for float32 (the product is exact there)
            w = ga.astype(np.float64)
            w *= w
            np.subtract(v, w, out=w)
            t1[...] = w
        else:
            np.multiply(ga, ga, out=t1)
            np.subtract(v, t1, out=t1)
        np.sqrt(t1, out=t1)
    else:
        np.sqrt(v, out=t1)
    t1 += eps  # avg
    if momentum > 0:
        buf = s["momentum_buffer"]
        buf *= momentum
        np.divide(g, t1, out=t2)
        buf += t2
        add_scaled_(p, buf, -lr, t1)
    else:
        addcdiv_(p, g, t1, -lr, t2)


class RMSprop(ElementwiseOptimizer):
    """RMSprop (Hinton), optionally centered and with momentum, as ``torch.optim.RMSprop``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.RMSprop([w], lr=0.01)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _sparse_msg = "RMSprop does not support sparse gradients"

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _spec(self, group: dict) -> tuple:
        spec = (("step", SCALAR, 0.0), ("square_avg", ELEM, 0.0))
        if group["momentum"] > 0:
            spec = (*spec, ("momentum_buffer", ELEM, 0.0))
        if group["centered"]:
            spec = (*spec, ("grad_avg", ELEM, 0.0))
        return spec

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        sc["step"] += 1
        return (_to_scalar(group["lr"]), group["alpha"], group["eps"], group["weight_decay"], group["momentum"],
                group["centered"], group["maximize"])

    _kernel = staticmethod(_rmsprop_kernel)
