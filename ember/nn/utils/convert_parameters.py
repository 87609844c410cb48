"""Flatten parameters into one vector and back: parameters_to_vector, vector_to_parameters."""
from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_same_device(param: Tensor, old) -> object:
    dev = param.device
    if old is not None and dev != old:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return dev


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor (differentiable).

    >>> import ember
    >>> ember.nn.utils.parameters_to_vector(ember.nn.Linear(2, 3).parameters()).shape
    torch.Size([9])
    """
    from ...ops.shape import cat

    dev = None
    vec = []
    for p in parameters:
        dev = _check_same_device(p, dev)
        vec.append(p.reshape(-1))
    return cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters' data (they then share ``vec``'s memory).

    >>> import ember
    >>> m = ember.nn.Linear(2, 1)
    >>> ember.nn.utils.vector_to_parameters(ember.arange(3.), m.parameters()); m.bias
    Parameter containing:
    tensor([2.], requires_grad=True)
    """
    if not isinstance(vec, Tensor):
        from ..modules.module import _typename

        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    dev = None
    pointer = 0
    data = vec._data
    for p in parameters:
        dev = _check_same_device(p, dev)
        n = p.numel()
        p._data = data[pointer:pointer + n].reshape(p._data.shape)
        pointer += n
