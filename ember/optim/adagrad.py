"""Adagrad: per-element step sizes from the sum of squared gradients (sparse gradients supported)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap
from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer, _real, add_scaled_, addcdiv_, is_sparse_grad
from .optimizer import _scalar_np_dtype, _to_scalar

__all__ = ["Adagrad"]


def _adagrad_kernel(p, g, s, c, t1, t2) -> None:
    wd, eps, maximize, clr = c
    if maximize:
        np.negative(g, out=g)
    if wd != 0:
        add_scaled_(g, p, wd, t1)
    acc = s["sum"]
    np.multiply(g, g, out=t1)
    acc += t1
    np.sqrt(acc, out=t1)
    t1 += eps
    addcdiv_(p, g, t1, -clr, t2)


class Adagrad(ElementwiseOptimizer):
    """Adagrad (Duchi et al.), as ``torch.optim.Adagrad``; state is created at construction, as in PyTorch.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adagrad([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                st["step"] = _wrap(np.asarray(0.0, dtype=_scalar_np_dtype()))
                acc = np.zeros_like(p._data) if type(p._data) is np.ndarray else p._data * 0
                _real(acc)[...] = group["initial_accumulator_value"]
                st["sum"] = _wrap(acc)

    def _check_grads(self, group: dict, params: list) -> None:
        if group["weight_decay"] != 0 and any(is_sparse_grad(p._grad) for p in params):
            raise RuntimeError("weight_decay option is not compatible with sparse gradients")

    def _spec(self, group: dict) -> tuple:
        return (("step", SCALAR, 0.0), ("sum", ELEM, group["initial_accumulator_value"]))

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        sc["step"] += 1
        lr = _to_scalar(group["lr"])
        clr = lr / (1 + (float(sc["step"]) - 1) * group["lr_decay"])
        return (group["weight_decay"], group["eps"], group["maximize"], clr)

    _kernel = staticmethod(_adagrad_kernel)
