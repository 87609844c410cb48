"""SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._elementwise import LAZY, ElementwiseOptimizer, add_scaled_
from .optimizer import _to_scalar

__all__ = ["SGD"]


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")


def _sgd_kernel(p, g, s, c, t1, t2) -> None:
    lr, wd, momentum, damp1, nesterov, maximize, fresh = c
    if maximize:
        np.negative(g, out=g)
    if wd != 0:
        add_scaled_(g, p, wd, t1)
    if momentum != 0:
        buf = s["momentum_buffer"]
        if fresh:
            np.copyto(buf, g)
        else:
            buf *= momentum
            add_scaled_(buf, g, damp1, t1)
        if nesterov:
            add_scaled_(g, buf, momentum, t1)
        else:
            g = buf
    add_scaled_(p, g, -lr, t1)


class SGD(ElementwiseOptimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, as ``torch.optim.SGD``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach, "differentiable": differentiable,
                    "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _spec(self, group: dict) -> tuple:
        return (("momentum_buffer", LAZY, 0.0),) if group["momentum"] != 0 else ()

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        return (_to_scalar(group["lr"]), group["weight_decay"], group["momentum"], 1 - group["dampening"],
                group["nesterov"], group["maximize"], fresh)

    _kernel = staticmethod(_sgd_kernel)

    def _kernel_keeps_grad(self, c) -> bool:
        lr, wd, momentum, damp1, nesterov, maximize, fresh = c
        return not maximize and wd == 0 and not nesterov
