"""Parameter (a Tensor that a Module registers as learnable) and Buffer."""
from __future__ import annotations

from .._tensor import Tensor, _new


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning it to a Module attribute registers it.

    >>> import ember
    >>> ember.nn.Parameter(ember.zeros(2))
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()
    _is_param = True

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from ..ops.creation import empty  # noqa: PLC0415

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
        t = _new(cls)
        t._data = data._data
        t._rg = False
        t.grad_fn = None
        t._grad = None
        t._base = None
        t._hooks = None  # set, so the backward engine's check of a leaf's hooks is a plain attribute read
        if data._vc is None:
            data._vc = [0]
        t._vc = data._vc
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data=None, requires_grad: bool = True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        from ..ops.creation import _from_data  # noqa: PLC0415

        r = Parameter(_from_data(self._data, copy=True), self._rg)
        if self._grad is not None:
            r._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = r
        return r

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._np().copy(), self._rg))


def _rebuild_parameter(arr, requires_grad):
    from ..ops.creation import from_numpy  # noqa: PLC0415

    return Parameter(from_numpy(arr), requires_grad)


class Buffer(Tensor):
    """Marks a tensor as a module buffer when assigned to a Module attribute (``persistent`` by default)."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            from ..ops.creation import empty  # noqa: PLC0415

            data = empty(0)
        t = _new(cls)
        t._data = data._data
        t._rg = data._rg
        t.grad_fn = None
        t._grad = None
        t._vc = data._vc
        t._base = None
        t.__dict__["persistent"] = persistent
        return t

    def __init__(self, data=None, *, persistent: bool = True):
        pass


class UninitializedParameter(Parameter):
    """Placeholder parameter for lazy modules (materialised on first forward)."""

    __slots__ = ()
