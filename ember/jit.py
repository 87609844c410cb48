"""``torch.jit`` for code that decorates or traces with it: Ember has no TorchScript compiler, so ``script`` and
``trace`` return the function or module itself, which then runs eagerly (the numbers of PyTorch's eager mode;
TorchScript's fusions can round differently). The decorators ``ignore``, ``unused``, ``export`` and
``script_method`` and the helpers ``annotate``, ``is_scripting``, ``is_tracing``, ``isinstance``, ``Final``,
``fork``/``wait`` behave as they do in eager PyTorch code. ``save``/``load`` of TorchScript archives raise
NotImplementedError: use ``ember.save``/``ember.load`` on a ``state_dict``.

>>> import ember
>>> @ember.jit.script
... def double(x):
...     return x * 2
>>> double(ember.tensor([1., 2.]))
tensor([2., 4.])
"""
from __future__ import annotations

import builtins
import typing

__all__ = ["Final", "annotate", "export", "fork", "freeze", "ignore", "is_scripting", "is_tracing", "isinstance",
           "load", "optimize_for_inference", "save", "script", "script_if_tracing", "script_method", "trace",
           "trace_module", "unused", "wait"]

Final = typing.Final


def script(obj, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """``obj`` itself (a function, a module or a class), run eagerly.

    >>> import ember
    >>> ember.jit.script(ember.nn.ReLU())(ember.tensor([-1., 1.]))
    tensor([0., 1.])
    """
    if not callable(obj):
        raise TypeError(f"{type(obj)} is a built-in class")  # PyTorch's words for a non-callable value
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace: bool = True, check_inputs=None,
          check_tolerance: float = 1e-5, strict: bool = True, _force_outplace: bool = False,
          _module_class=None, _compilation_unit=None, example_kwarg_inputs=None, _store_inputs: bool = True):
    """``func`` itself (the trace would record what eager execution computes), after one call on
    ``example_inputs`` as PyTorch makes (so errors in it show up here, as there).

    >>> import ember
    >>> f = ember.jit.trace(lambda x: x + 1, ember.zeros(2))
    >>> f(ember.ones(2))
    tensor([2., 2.])
    """
    if example_inputs is not None or example_kwarg_inputs is not None:
        args = example_inputs if builtins.isinstance(example_inputs, tuple) else (
            () if example_inputs is None else (example_inputs,))
        func(*args, **(example_kwarg_inputs or {}))
    return func


def trace_module(mod, inputs, *args, **kwargs):
    """``mod`` itself, after calling each named method on its example inputs (``{"forward": x}``)."""
    for name, example in inputs.items():
        getattr(mod, name)(*(example if builtins.isinstance(example, tuple) else (example,)))
    return mod


def script_if_tracing(fn):
    """``fn`` itself."""
    return fn


def _identity_decorator(fn=None, **kwargs):
    if fn is None:
        return lambda f: f
    return fn


ignore = _identity_decorator
unused = _identity_decorator
export = _identity_decorator
script_method = _identity_decorator


def is_scripting() -> bool:
    """False: Ember code never runs under TorchScript.

    >>> import ember
    >>> ember.jit.is_scripting()
    False
    """
    return False


def is_tracing() -> bool:
    """False: Ember never traces.

    >>> import ember
    >>> ember.jit.is_tracing()
    False
    """
    return False


def annotate(the_type, the_value):
    """``the_value`` (a type hint for the TorchScript compiler; nothing to do eagerly)."""
    return the_value


def isinstance(obj, target_type) -> bool:  # noqa: A001
    """Python's ``isinstance`` (with ``typing`` generics reduced to their origin class)."""
    origin = typing.get_origin(target_type)
    return builtins.isinstance(obj, origin if origin is not None else target_type)


class _Future:
    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value


def fork(func, *args, **kwargs):
    """Run ``func`` now (eager PyTorch runs a fork synchronously too); ``wait`` returns its result."""
    return _Future(func(*args, **kwargs))


def wait(future):
    """The result of a ``fork``."""
    return future.wait()


def freeze(mod, preserved_attrs=None, optimize_numerics: bool = True):
    """``mod`` itself."""
    return mod


def optimize_for_inference(mod, other_methods=None):
    """``mod`` itself."""
    return mod


def save(m, f, _extra_files=None):
    """TorchScript archives cannot be written: Ember has no TorchScript."""
    raise NotImplementedError("ember.jit.save: Ember has no TorchScript; save the module's state_dict with "
                              "ember.save instead")


def load(f, map_location=None, _extra_files=None, _restore_shapes: bool = False):
    """TorchScript archives cannot be read: Ember has no TorchScript interpreter."""
    raise NotImplementedError("ember.jit.load: Ember has no TorchScript interpreter; load a state_dict saved with "
                              "torch.save / ember.save instead")
