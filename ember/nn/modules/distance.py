"""Distance modules: PairwiseDistance and CosineSimilarity."""
from __future__ import annotations

from ..._tensor import Tensor
from .._functional.misc import cosine_similarity, pairwise_distance
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class PairwiseDistance(Module):
    """p-norm distance between rows of two inputs: ``||x1 - x2 + eps||_p``.

    >>> import ember
    >>> ember.nn.PairwiseDistance(eps=0)(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]))
    tensor([5.])
    """

    __constants__ = ["norm", "eps", "keepdim"]

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """Cosine similarity of two inputs along ``dim``.

    >>> import ember
    >>> ember.nn.CosineSimilarity()(ember.tensor([[1., 0.]]), ember.tensor([[2., 0.]]))
    tensor([1.])
    """

    __constants__ = ["dim", "eps"]

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)
