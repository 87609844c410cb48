"""nn.functional margin, ranking and embedding losses (composed from differentiable ops, PyTorch's names)."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _wrap
from .activation import _s, logsigmoid
from .loss import _reduce, _reduction, _rename

__all__ = ["cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss", "multi_margin_loss",
           "multilabel_margin_loss", "multilabel_soft_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss"]


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -y * (x1 - x2) + margin)``.

    >>> import ember
    >>> ember.nn.functional.margin_ranking_loss(ember.tensor([1.]), ember.tensor([2.]), ember.tensor([1.]))
    tensor(1.)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    loss = _rename((-target * (input1 - input2) + margin).clamp_min(0), "ClampMinBackward0")
    return _reduce(loss, reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """``x`` where y == 1, ``max(0, margin - x)`` where y == -1.

    >>> import ember
    >>> ember.nn.functional.hinge_embedding_loss(ember.tensor([0.3, 2.]), ember.tensor([1., -1.]))
    tensor(0.1500)
    """
    from ...ops.pointwise import where

    reduction = _reduction(size_average, reduce, reduction)
    zero = _s(input, 0.0)
    margin_clamp = (-input + margin).clamp_min(0)
    loss = where(target != 1, margin_clamp, zero) + where(target != -1, input, zero)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                                reduce=None, reduction: str = "mean") -> Tensor:
    """Per-class logistic loss averaged over classes.

    >>> import ember
    >>> ember.nn.functional.multilabel_soft_margin_loss(ember.tensor([[0., 0.]]), ember.tensor([[1., 0.]]))
    tensor(0.6931)
    """
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (-target + 1) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return _reduce(loss, reduction)


def _margin_setup(input: Tensor, target: Tensor, name: str):
    nd = input.ndim
    if nd > 2 or (nd == 2 and input.shape[1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    x = input if nd == 2 else input.reshape(1, -1)
    return x, nd


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-class multi-label hinge loss; ``target`` lists class indices, ended by -1.

    >>> import ember
    >>> ember.nn.functional.multilabel_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    reduction = _reduction(size_average, reduce, reduction)
    x, nd = _margin_setup(input, target, "multilabel_margin_loss")
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    t = target._np().reshape(tuple(x.shape)).astype(np.int64)
    c = x.shape[1]
    valid = np.cumprod(t != -1, axis=1).astype(bool)  # targets before the first -1
    if bool(((t[valid] < 0) | (t[valid] >= c)).any()):
        raise RuntimeError("target out of range")
    is_target = np.zeros(x.shape, dtype=bool)
    rows = np.nonzero(valid)[0]
    is_target[rows, t[valid]] = True
    # x_j for every listed target j (one slot per listed target) against every non-target class i
    tsafe = np.where(valid, t, 0)
    xj = x.gather(1, _wrap(tsafe))
    pair_mask = valid[:, :, None] & ~is_target[:, None, :]
    hinge = (xj.unsqueeze(2) * -1 + x.unsqueeze(1) + 1).clamp_min(0)
    from ...ops.pointwise import where

    loss = where(_wrap(pair_mask), hinge, _s(x, 0.0)).sum((1, 2)) / c
    if nd < 2:
        loss = loss.reshape(())
    loss = _reduce(loss, reduction)
    return _rename(loss, "MultilabelMarginLossBackward0")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss ``sum_i max(0, margin - x[y] + x[i])^p / C``.

    >>> import ember
    >>> ember.nn.functional.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
    tensor(0.3250)
    """
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x, nd = _margin_setup(input, target, "multi_margin_loss")
    c = x.shape[1]
    t = target.reshape(-1)
    if t.shape[0] != x.shape[0]:
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got {list(target.shape)}")
    td = t._np().astype(np.int64)
    if td.size and bool(((td < 0) | (td >= c)).any()):
        raise RuntimeError("target out of range")
    xy = x.gather(1, _wrap(td.reshape(-1, 1)))
    h = (-xy + x + margin).clamp_min(0)
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * weight[_wrap(td)].unsqueeze(1)
    from ...ops.pointwise import where

    not_target = np.ones(tuple(x.shape), dtype=bool)
    not_target[np.arange(x.shape[0]), td] = False
    loss = where(_wrap(not_target), h, _s(x, 0.0)).sum(1) / c
    if nd < 2:
        loss = loss.reshape(())
    return _rename(_reduce(loss, reduction), "MultiMarginLossBackward0")


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where y == 1, ``max(0, cos(x1, x2) - margin)`` where y == -1.

    >>> import ember
    >>> ember.nn.functional.cosine_embedding_loss(ember.tensor([[1., 0.]]), ember.tensor([[0., 1.]]),
    ...                                           ember.tensor([1.]))
    tensor(1.)
    """
    from ...ops.pointwise import where

    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"cosine_embedding_loss: Input1 and Input2 must have same dims, but got "
                           f"{input1.ndim} and {input2.ndim}")
    if input1.ndim == 0 or input1.ndim > 2:
        raise RuntimeError("cosine_embedding_loss: 1D target tensor expected, multi-target not supported")
    d = input1.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / (m1 * m2).sqrt()
    zero = _s(cos, 0.0)
    out = where(target == 1, -cos + 1, zero) + where(target == -1, (cos - margin).clamp_min(0), zero)
    return _reduce(out, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm distance.

    >>> import ember
    >>> ember.nn.functional.triplet_margin_loss(ember.zeros(1, 2), ember.zeros(1, 2), ember.ones(1, 2)).item() < 1
    True
    """
    from .misc import pairwise_distance

    reduction = _reduction(size_average, reduce, reduction)
    a, pd, nd = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pd == nd):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {pd}D, and negative {nd}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from ...ops.pointwise import minimum

        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    loss = _rename((d_pos - d_neg + margin).clamp_min(0), "ClampMinBackward0")
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """Triplet loss with a custom ``distance_function`` (default: pairwise distance).

    >>> import ember
    >>> ember.nn.functional.triplet_margin_with_distance_loss(ember.zeros(1, 2), ember.zeros(1, 2),
    ...                                                       ember.ones(1, 2)).item() < 1
    True
    """
    from .misc import pairwise_distance

    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    a, pd, nd = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pd == nd):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a}D, positive {pd}D, and negative {nd}D inputs")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        from ...ops.pointwise import minimum

        d_neg = minimum(d_neg, dist(positive, negative))
    loss = _rename((d_pos - d_neg + margin).clamp_min(0), "ClampMinBackward0")
    return _reduce(loss, reduction)
