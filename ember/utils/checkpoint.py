"""``ember.utils.checkpoint``: activation checkpointing, trading compute for memory as ``torch.utils.checkpoint``.

``checkpoint(fn, *args)`` runs ``fn`` without recording a graph, keeps only its inputs, and runs it again with a
graph during the backward pass to get the gradients of its inputs and of the parameters it uses. The default
random stream is saved and restored around the recomputation, so dropout draws the same mask twice.

>>> import ember
>>> from ember.utils.checkpoint import checkpoint
>>> layer = ember.nn.Linear(3, 2)
>>> x = ember.ones(4, 3, requires_grad=True)
>>> y = checkpoint(layer, x, use_reentrant=False)
>>> y.sum().backward()
>>> x.grad.shape, layer.weight.grad.shape
(torch.Size([4, 3]), torch.Size([2, 3]))
"""
from __future__ import annotations

import warnings

from .._tensor import Tensor
from ..autograd import backward as _backward
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad, state

__all__ = ["checkpoint", "checkpoint_sequential"]


class CheckpointFunction(Function):
    """Forward without a graph; backward recomputes ``run_function`` with one and differentiates it."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        from .. import get_rng_state  # noqa: PLC0415

        ctx.run_function = run_function
        ctx.rng_state = get_rng_state() if preserve_rng_state else None
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        from .. import get_rng_state, set_rng_state  # noqa: PLC0415

        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t.detach().requires_grad_(t.requires_grad)
        outer = get_rng_state() if ctx.rng_state is not None else None
        if ctx.rng_state is not None:
            set_rng_state(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*inputs)
        finally:
            if outer is not None:
                set_rng_state(outer)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        # as PyTorch: one backward through the recomputed graph accumulates into the function's parameters and
        # into the detached inputs, whose .grad is then handed on
        _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None for a in inputs)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check: str = "default",
               debug: bool = False, preserve_rng_state: bool = True, **kwargs):
    """``function(*args, **kwargs)`` with its activations recomputed in the backward pass instead of kept.

    Both ``use_reentrant`` settings recompute (PyTorch's non-reentrant form hooks the saved tensors instead; the
    values and gradients are the same, the output's ``grad_fn`` is ``CheckpointFunctionBackward``). Without
    ``use_reentrant`` PyTorch's warning asks for it explicitly.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
                      "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
                      "you can pass use_reentrant=True. Refer to docs for more details on the differences between "
                      "the two variants.", UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant and (context_fn is not None or debug):
        raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    run = (lambda *a: function(*a, **kwargs)) if kwargs else function
    if not state.enabled:
        return run(*args)
    if not any(isinstance(a, Tensor) and a.requires_grad for a in args) and use_reentrant:
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning,
                      stacklevel=2)
    return CheckpointFunction.apply(run, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments: int, input, use_reentrant=None, **kwargs):  # noqa: A002
    """Run a sequence of modules (an ``nn.Sequential`` or a list) in ``segments`` checkpointed chunks; the last
    chunk runs normally, as in PyTorch."""
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)
    size = len(functions) // segments
    end = -1

    def run(start, stop):
        def fwd(x):
            for f in functions[start:stop + 1]:
                x = f(x)
            return x
        return fwd

    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)  # noqa: A001
    return run(end + 1, len(functions) - 1)(input)
