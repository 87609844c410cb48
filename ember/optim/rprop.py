"""Rprop: resilient backpropagation (sign-based steps with per-element adaptive step sizes)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer
from .optimizer import _to_scalar

__all__ = ["Rprop"]


def _rprop_kernel(p, g, s, c, t1, t2) -> None:
    etaminus, etaplus, step_min, step_max, maximize = c
    if maximize:
        np.negative(g, out=g)
    prev, step_size = s["prev"], s["step_size"]
    np.multiply(g, prev, out=t1)
    np.sign(t1, out=t1)
    np.copyto(t1, etaplus, where=t1 > 0)
    np.copyto(t1, etaminus, where=t1 < 0)
    np.copyto(t1, 1, where=t1 == 0)
    step_size *= t1
    np.clip(step_size, step_min, step_max, out=step_size)
    np.copyto(g, 0, where=t1 == etaminus)
    np.sign(g, out=t2)
    t2 *= step_size
    p -= t2
    np.copyto(prev, g)


class Rprop(ElementwiseOptimizer):
    """Rprop (resilient backpropagation), as ``torch.optim.Rprop``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Rprop([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _sparse_msg = "Rprop does not support sparse gradients"

    def __init__(self, params, lr: float = 1e-2, etas: tuple = (0.5, 1.2), step_sizes: tuple = (1e-6, 50), *,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _spec(self, group: dict) -> tuple:
        return (("step", SCALAR, 0.0), ("prev", ELEM, 0.0), ("step_size", ELEM, _to_scalar(group["lr"])))

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        sc["step"] += 1
        etaminus, etaplus = group["etas"]
        step_min, step_max = group["step_sizes"]
        return (etaminus, etaplus, step_min, step_max, group["maximize"])

    _kernel = staticmethod(_rprop_kernel)
