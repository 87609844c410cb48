"""Automatic differentiation: backward, grad, Function, grad modes, anomaly detection."""
from __future__ import annotations

from .._device import array_module
from .engine import execute
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled, state)
from .graph import Node

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "detect_anomaly",
           "set_detect_anomaly", "is_anomaly_enabled", "Node", "functional", "gradcheck", "gradgradcheck", "graph"]


Tensor = _wrap = None  # bound by ember._tensor (which imports this package before Tensor exists)


def _tensors(x):
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _make_grads(outputs, grad_outputs, fn_name):

    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    else:
        grad_outputs = _tensors(grad_outputs) if not isinstance(grad_outputs, (list, tuple)) else list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError("grad can be implicitly created only for scalar outputs" if not grad_outputs else
                           f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    out = []
    for i, (o, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(o, Tensor):
            raise TypeError(f"{fn_name}: expected Tensor outputs, got {type(o).__name__}")
        if not o._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if o.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not o.dtype.is_floating_point and not o.dtype.is_complex:
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{o.dtype}")
            od = o._data
            g = _wrap(array_module(od).ones(od.shape, dtype=od.dtype))
        elif not isinstance(g, Tensor):
            from ..ops.creation import tensor  # noqa: PLC0415

            g = tensor(g, dtype=o.dtype)
        else:
            if g.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has "
                                   f"a shape of {o.shape}.")
            if g.dtype.is_floating_point != o.dtype.is_floating_point:
                raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the same "
                                   f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
                                   f"output[{i}] has a dtype of {o.dtype}.")
        out.append(g)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False, grad_variables=None,
             inputs=None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``).

    >>> import ember
    >>> x = ember.tensor([1., 2.], requires_grad=True)
    >>> ember.autograd.backward((x * x).sum())
    >>> x.grad
    tensor([2., 4.])
    """
    outputs = _tensors(tensors)
    if grad_tensors is None and grad_variables is not None:
        grad_tensors = grad_variables
    if grad_tensors is not None and not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors]
    grads = _make_grads(outputs, grad_tensors, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    execute(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False, only_inputs=True,
         allow_unused=None, is_grads_batched: bool = False, materialize_grads: bool = False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated).

    >>> import ember
    >>> x = ember.tensor(3.0, requires_grad=True)
    >>> ember.autograd.grad(x ** 2, x)
    (tensor(6.),)
    """
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    for i, t in enumerate(ins):
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _make_grads(outs, grad_outputs, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    res = execute(outs, grads, retain_graph, create_graph, inputs=ins, accumulate=False)
    for i, r in enumerate(res):
        if r is None:
            if materialize_grads:
                from ..ops.creation import zeros_like  # noqa: PLC0415

                res[i] = zeros_like(ins[i])
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(res)


class detect_anomaly:
    """Context manager: record forward tracebacks and raise when backward produces NaN.

    >>> import ember
    >>> with ember.autograd.detect_anomaly():
    ...     pass
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        import warnings  # noqa: PLC0415

        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)
        self.prev = state.anomaly
        state.anomaly = self.check_nan
        return self

    def __exit__(self, *exc):
        state.anomaly = self.prev
        return False

    def __call__(self, fn):
        import functools  # noqa: PLC0415

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off (also as a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = state.anomaly
        state.anomaly = bool(mode) and check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.anomaly = self.prev
        return False


def is_anomaly_enabled() -> bool:
    return state.anomaly


from . import functional, graph  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
