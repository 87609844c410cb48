"""Module hook machinery: removable handles, global module hooks, and full backward hooks (identity nodes)."""
from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from collections.abc import Callable

from ..._tensor import Tensor
from ...autograd.grad_mode import state

__all__ = ["RemovableHandle", "register_module_forward_hook", "register_module_forward_pre_hook",
           "register_module_full_backward_hook", "register_module_full_backward_pre_hook"]


# ----------------------------------------------------------------------------- hook handles
class RemovableHandle:
    """A handle that removes a registered hook: ``handle.remove()`` or ``with handle: ...``."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: dict, *, extra_dict=None) -> None:
        import weakref

        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(RemovableHandle._next_id)
        if extra_dict is None:
            extra_dict = []
        elif isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self) -> None:
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]
        for ref in self.extra_dict_ref:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]
        _update_global_flag()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


_global_forward_pre_hooks: dict = OrderedDict()
_global_forward_hooks: dict = OrderedDict()
_global_forward_hooks_always_called: dict = OrderedDict()
_global_backward_hooks: dict = OrderedDict()
_global_backward_pre_hooks: dict = OrderedDict()
_global_any = [False]


def _update_global_flag() -> None:
    _global_any[0] = bool(_global_forward_pre_hooks or _global_forward_hooks or _global_backward_hooks
                          or _global_backward_pre_hooks)


def register_module_forward_pre_hook(hook: Callable) -> RemovableHandle:
    """Register a forward pre-hook common to all modules (``hook(module, args)``)."""
    h = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[h.id] = hook
    _update_global_flag()
    return h


def register_module_forward_hook(hook: Callable, *, always_call: bool = False) -> RemovableHandle:
    """Register a forward hook common to all modules (``hook(module, args, output)``)."""
    h = RemovableHandle(_global_forward_hooks, extra_dict=_global_forward_hooks_always_called)
    _global_forward_hooks[h.id] = hook
    if always_call:
        _global_forward_hooks_always_called[h.id] = True
    _update_global_flag()
    return h


def register_module_full_backward_hook(hook: Callable) -> RemovableHandle:
    """Register a backward hook common to all modules (``hook(module, grad_input, grad_output)``)."""
    h = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[h.id] = hook
    _update_global_flag()
    return h


def register_module_full_backward_pre_hook(hook: Callable) -> RemovableHandle:
    """Register a backward pre-hook common to all modules (``hook(module, grad_output)``)."""
    h = RemovableHandle(_global_backward_pre_hooks)
    _global_backward_pre_hooks[h.id] = hook
    _update_global_flag()
    return h


# ----------------------------------------------------------------------------- backward hooks
def _backward_hook_fn():
    """The identity ``autograd.Function`` PyTorch puts around a hooked module's inputs and outputs."""
    from ...autograd.function import Function

    class BackwardHookFunction(Function):
        @staticmethod
        def forward(ctx, *args):
            ctx.mark_non_differentiable(*[a for a in args if isinstance(a, Tensor) and not a._rg])
            return args

        @staticmethod
        def backward(ctx, *grads):
            return grads

    return BackwardHookFunction


_BHF: list = []


def _identity_apply(tensors):
    if not _BHF:
        _BHF.append(_backward_hook_fn())
    return _BHF[0].apply(*tensors)


class _BackwardHook:
    """Runs a module's full backward (pre-)hooks from identity nodes around its inputs and outputs."""

    def __init__(self, module, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for i, v in zip(indices, values):
            res[i] = v
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[i] for i in indices)

    def _apply_on_tensors(self, fn, args):
        tensors_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (state.enabled and any(t._rg for t in tensors)):
            return args, None
        new_tensors = _identity_apply(tensors)
        if not isinstance(new_tensors, tuple):
            new_tensors = (new_tensors,)
        grad_fns = [t.grad_fn for t in new_tensors if t.grad_fn is not None and t.grad_fn.name()
                    == "BackwardHookFunctionBackward"]
        fn(grad_fns[0])
        out = list(args)
        for i, t in zip(tensors_idx, new_tensors):
            out[i] = t
        return tuple(out), tensors_idx

    def setup_input_hook(self, args):
        def hook_on_node(node):
            def hook(grad_inputs, _grad_outputs):
                if self.grad_outputs is None:
                    return None  # the output hook never ran: this input's gradient came from elsewhere
                res = self._pack_with_none(self.input_tensors_index, grad_inputs, self.n_inputs)
                for h in self.user_hooks:
                    out = h(self.module, res, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(res):
                        raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                           f"{len(out)}, but expected {len(res)}")
                    res = out
                self.grad_outputs = None
                return self._unpack_none(self.input_tensors_index, res)

            node.register_hook(hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, idx = self._apply_on_tensors(hook_on_node, args)
        self.n_inputs = len(args)
        self.input_tensors_index = idx
        return res if is_tuple else res[0]

    def setup_output_hook(self, args):
        def hook_on_node(node):
            def pre_hook(grad_outputs):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_outputs, self.n_outputs)
                for h in self.user_pre_hooks:
                    out = h(self.module, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(self.grad_outputs):
                        raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                           f"{len(out)}, but expected {len(self.grad_outputs)}")
                    self.grad_outputs = tuple(out)
                if self.input_tensors_index is None:  # no input needs a gradient: call the hooks now
                    if self.user_hooks:
                        warnings.warn("Full backward hook is firing when gradients are computed with respect to "
                                      "module outputs since no inputs require gradients. See https://docs.pytorch."
                                      "org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.register_full_"
                                      "backward_hook for more details.", stacklevel=5)
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for h in self.user_hooks:
                        r = h(self.module, grad_inputs, self.grad_outputs)
                        if r is not None and not all(x is None for x in r):
                            raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                               "always return None or None for all gradients.")
                    self.grad_outputs = None
                if self.grad_outputs is not None:
                    return self._unpack_none(self.output_tensors_index, self.grad_outputs)
                return None

            node.register_prehook(pre_hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, idx = self._apply_on_tensors(hook_on_node, args)
        self.n_outputs = len(args)
        self.output_tensors_index = idx
        return res if is_tuple else res[0]
