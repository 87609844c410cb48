"""Custom differentiable ops: ``autograd.Function`` with ctx.save_for_backward and friends."""
from __future__ import annotations

import functools

from .graph import Node, link_multi
from .grad_mode import state


class FunctionCtx:
    """What ``forward`` can use to talk to ``backward`` (the ``ctx`` argument)."""

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_diff = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)


class BackwardCFunction(Node):
    """The graph node of a custom Function; it is also the ``ctx`` passed to forward and backward."""

    __slots__ = ("_fn_cls", "needs_input_grad", "_to_save", "_non_diff", "_dirty", "_materialize", "_out_meta",
                 "__dict__")

    def name(self) -> str:
        return self._fn_cls.__name__ + "Backward"

    save_for_backward = FunctionCtx.save_for_backward
    mark_non_differentiable = FunctionCtx.mark_non_differentiable
    mark_dirty = FunctionCtx.mark_dirty
    set_materialize_grads = FunctionCtx.set_materialize_grads

    @property
    def saved_tensors(self):
        return Node.saved_tensors.fget(self)

    @property
    def saved_variables(self):
        return self.saved_tensors

    def backward(self, *grads):
        if self._materialize:
            from ..ops.creation import zeros  # noqa: PLC0415

            grads = tuple(zeros(m[0], dtype=m[1]) if g is None and m is not None else g
                          for g, m in zip(grads, self._out_meta))
        res = self._fn_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self.next_edges)
        if len(res) < n_in:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                               f"{n_in}, got {len(res)})")
        return tuple(res[:n_in]) if all(r is None for r in res[n_in:]) else _too_many(self, res, n_in)


def _too_many(node, res, n_in):
    raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected {n_in}, got "
                       f"{len(res)})")


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"__slots__": ()})


class Function(metaclass=_FunctionMeta):
    """Base class of custom ops: define static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``.

    >>> import ember
    >>> class Square(ember.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = ember.tensor(3.0, requires_grad=True)
    >>> Square.apply(x).backward(); x.grad
    tensor(6.)
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor  # noqa: PLC0415

        ctx = cls._backward_cls()
        ctx._fn_cls = cls
        ctx._to_save = None
        ctx._non_diff = ()
        ctx._dirty = ()
        ctx._materialize = True
        tensor_args = [a if isinstance(a, Tensor) else None for a in args]
        ctx.needs_input_grad = tuple(bool(t is not None and t._rg) for t in tensor_args)
        has_setup = cls.setup_context is not Function.setup_context
        prev = state.enabled
        state.enabled = False
        try:
            if has_setup:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            state.enabled = prev
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        record = prev and any(ctx.needs_input_grad)
        non_diff = {id(t) for t in ctx._non_diff}
        input_ids = {id(t) for t in tensor_args if t is not None}
        final = []
        for o in outs:
            if isinstance(o, Tensor) and id(o) in input_ids and id(o) not in {id(t) for t in ctx._dirty}:
                o = o.view_as(o) if record else o  # an input returned as is becomes a view, as in PyTorch
            final.append(o)
        if record:
            diff = [o if isinstance(o, Tensor) and id(o) not in non_diff else None for o in final]
            for o in diff:
                if o is not None:
                    o.grad_fn = None
            ctx._out_meta = tuple((o.shape, o.dtype) if isinstance(o, Tensor) else None for o in final)
            ctx.num_outputs = len(final)
            link_multi(ctx, diff, tensor_args)
            for o in final:
                if isinstance(o, Tensor) and id(o) in non_diff:
                    o._rg = False
        to_save = ctx._to_save
        if to_save is not None:
            Node.save(ctx, *to_save)
        return final[0] if single else tuple(final)

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is optional; define it only with a ctx-less forward")


def once_differentiable(fn):
    """Decorator for ``backward``: run it without building a graph (no double backward)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad  # noqa: PLC0415

        with no_grad():
            return fn(ctx, *args)

    return wrapper
