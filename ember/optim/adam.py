"""Adam and AdamW (decoupled weight decay), with amsgrad and maximize."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._elementwise import ELEM, SCALAR, ElementwiseOptimizer, add_scaled_, addcdiv_, addcmul_, lerp_
from .optimizer import _to_scalar

__all__ = ["Adam", "AdamW"]


def check_adam_args(lr, betas, eps, weight_decay) -> None:
    """PyTorch's ValueErrors for the hyperparameters shared by the Adam family."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def adam_moments(p, g, s, lr, b1, b2, wd, decoupled, maximize, t1):
    """The step shared by the Adam family: maximize, weight decay, then both moment updates; returns (m, v)."""
    if maximize:
        np.negative(g, out=g)
    if wd != 0:
        if decoupled:
            p *= 1 - lr * wd
        else:
            add_scaled_(g, p, wd, t1)
    m, v = s["exp_avg"], s["exp_avg_sq"]
    lerp_(m, g, 1 - b1, t1)
    v *= b2
    addcmul_(v, g, g, 1 - b2, t1)
    return m, v


def _adam_kernel(p, g, s, c, t1, t2) -> None:
    lr, b1, b2, eps, wd, decoupled, maximize, step_size, bc2_sqrt = c
    m, v = adam_moments(p, g, s, lr, b1, b2, wd, decoupled, maximize, t1)
    vmax = s.get("max_exp_avg_sq")
    if vmax is not None:
        np.maximum(vmax, v, out=vmax)
        v = vmax
    np.sqrt(v, out=t1)
    t1 /= bc2_sqrt
    t1 += eps
    addcdiv_(p, m, t1, -step_size, t2)


class Adam(ElementwiseOptimizer):
    """Adam (Kingma & Ba), optionally AMSGrad and decoupled weight decay, as ``torch.optim.Adam``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _sparse_msg = "Adam does not support sparse gradients, please consider SparseAdam instead"

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        if not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = tuple(_to_scalar(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _spec(self, group: dict) -> tuple:
        spec = (("step", SCALAR, 0.0), ("exp_avg", ELEM, 0.0), ("exp_avg_sq", ELEM, 0.0))
        return (*spec, ("max_exp_avg_sq", ELEM, 0.0)) if group["amsgrad"] else spec

    def _prepare(self, group: dict, sc: dict, fresh: bool) -> tuple:
        lr = _to_scalar(group["lr"])
        b1, b2 = group["betas"]
        b1, b2 = _to_scalar(b1), _to_scalar(b2)
        sc["step"] += 1
        step = float(sc["step"])
        bias_correction1 = 1 - b1 ** step
        bias_correction2 = 1 - b2 ** step
        return (lr, b1, b2, group["eps"], group["weight_decay"], group["decoupled_weight_decay"], group["maximize"],
                lr / bias_correction1, bias_correction2 ** 0.5)

    _kernel = staticmethod(_adam_kernel)

    def _kernel_keeps_grad(self, c) -> bool:
        wd, decoupled, maximize = c[4:7]
        return not maximize and (wd == 0 or decoupled)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    >>> opt = ember.optim.AdamW([w], lr=0.1, weight_decay=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([ 0.8900, -1.8800], requires_grad=True)
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
