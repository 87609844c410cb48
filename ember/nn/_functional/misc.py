"""nn.functional utilities: one_hot, normalize, cosine_similarity, pairwise_distance, pdist."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _wrap, _wrap_dim
from ...autograd.grad_mode import no_grad
from ...ops._util import array_module
from .loss import _rename

__all__ = ["cosine_similarity", "normalize", "one_hot", "pairwise_distance", "pdist"]


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding with a new last dimension of size ``num_classes`` (-1: max + 1).

    >>> import ember
    >>> ember.nn.functional.one_hot(ember.tensor([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    if tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    d = tensor._data
    xp = array_module(d)
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if int(d.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(d.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = (xp.expand_dims(d, -1) == xp.arange(num_classes)).astype(np.int64)
    return _wrap(out)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``.

    >>> import ember
    >>> ember.nn.functional.normalize(ember.tensor([[3., 4.]]))
    tensor([[0.6000, 0.8000]])
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from ...ops.pointwise import div

    return div(input, denom, out=out)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (norms clamped to ``eps``).

    >>> import ember
    >>> ember.nn.functional.cosine_similarity(ember.tensor([[1., 0.]]), ember.tensor([[1., 1.]]))
    tensor([0.7071])
    """
    from ...ops.shape import broadcast_tensors

    if not x1.is_floating_point():
        x1 = x1.float()
    if not x2.is_floating_point():
        x2 = x2.float()
    if x1.shape != x2.shape:
        x1, x2 = broadcast_tensors(x1, x2)
    d = _wrap_dim(dim, max(x1.ndim, 1))
    n1 = x1.norm(2, d, keepdim=True).clone()
    n2 = x2.norm(2, d, keepdim=True).clone()
    with no_grad():  # clamp the norms without changing how gradients flow through them (as PyTorch)
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(d)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dimension.

    >>> import ember
    >>> ember.nn.functional.pairwise_distance(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]), eps=0)
    tensor([5.])
    """
    out_dim = max(x1.ndim, x2.ndim)
    inner = out_dim - 1
    if out_dim == 0:
        return _rename((x1 - x2 + eps).abs(), "NormBackward1")
    return _rename((x1 - x2 + eps).norm(p, inner, keepdim=keepdim), "NormBackward1")


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """Distances between all pairs of rows (i < j) of a 2-D ``input``, in row-major pair order.

    >>> import ember
    >>> ember.nn.functional.pdist(ember.tensor([[0., 0.], [3., 4.], [0., 1.]]))
    tensor([5.0000, 1.0000, 4.2426])
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    if i.size == 0:
        return _rename(input.new_zeros(0) + input.sum() * 0 if input._rg else input.new_zeros(0), "PdistBackward0")
    diff = input[_wrap(i.astype(np.int64))] - input[_wrap(j.astype(np.int64))]
    return _rename(diff.norm(p, 1), "PdistBackward0")
