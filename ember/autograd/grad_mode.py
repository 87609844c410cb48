"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode (context managers and decorators)."""
from __future__ import annotations

import functools


class _State:
    __slots__ = ("enabled", "inference", "anomaly")


state = _State()
state.enabled = True
state.inference = False
state.anomaly = False


def is_grad_enabled() -> bool:
    """Whether ops record a graph for autograd now.

    >>> import ember
    >>> with ember.no_grad():
    ...     ember.is_grad_enabled()
    False
    """
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _DecoratorContextManager:
    """A context manager that is also usable as a function decorator."""

    def __call__(self, func):
        if isinstance(func, type) or not callable(func):
            raise TypeError(f"{type(self).__name__} can only decorate functions, got {func!r}")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_DecoratorContextManager):
    """Disable gradient recording inside the block (or the decorated function).

    >>> import ember
    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.no_grad():
    ...     (x * 2).requires_grad
    False
    """

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False


class enable_grad(_DecoratorContextManager):
    """Enable gradient recording inside the block, e.g. within ``no_grad``."""

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode on or off; works as a call, a context manager and a decorator.

    >>> import ember
    >>> with ember.set_grad_enabled(False):
    ...     ember.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool):
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False

    def clone(self):
        return type(self)(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``, for inference (tensors made inside never need grad).

    >>> import ember
    >>> with ember.inference_mode():
    ...     ember.ones(1, requires_grad=True).mul(2).requires_grad
    False
    """

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def __enter__(self):
        self.prev = (state.enabled, state.inference)
        if self.mode:
            state.enabled = False
            state.inference = True

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev
        return False

    def clone(self):
        return type(self)(self.mode)
