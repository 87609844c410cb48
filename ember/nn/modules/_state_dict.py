"""Module.state_dict / load_state_dict: PyTorch's keys, metadata, hooks and error messages (Module methods)."""
from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ..._tensor import Tensor
from ..parameter import Parameter

__all__: list = []


def _module():
    from .module import Module

    return Module


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, unexpected_keys={self.unexpected_keys!r})"

    __str__ = __repr__


def _as_array_like(value, like: Tensor):
    """The array of a state_dict value (Tensor or NumPy array) on ``like``'s device."""
    if isinstance(value, Tensor):
        arr = value._data
    else:
        arr = np.asarray(value)
    if type(arr) is not type(like._data):
        from ..._device import array_module

        arr = array_module(like._data).asarray(arr)
    return arr


def _is_tensor_like(v) -> bool:
    return isinstance(v, (Tensor, np.ndarray)) or hasattr(v, "__cuda_array_interface__")


def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
    for name, param in self._parameters.items():
        if param is not None:
            destination[prefix + name] = param if keep_vars else param.detach()
    for name, buf in self._buffers.items():
        if buf is not None and name not in self._non_persistent_buffers_set:
            destination[prefix + name] = buf if keep_vars else buf.detach()
    if type(self).get_extra_state is not _module().get_extra_state:
        destination[prefix + "_extra_state"] = self.get_extra_state()

def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
    """An OrderedDict of all parameters and persistent buffers, keyed by dotted name (detached).

    >>> import ember
    >>> list(ember.nn.Linear(3, 2).state_dict())
    ['weight', 'bias']
    """
    if args:
        warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                      "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict "
                      "for details.", FutureWarning, stacklevel=2)
        if destination is None:
            destination = args[0]
        if len(args) > 1 and prefix == "":
            prefix = args[1]
        if len(args) > 2 and keep_vars is False:
            keep_vars = args[2]
    if destination is None:
        destination = OrderedDict()
        destination._metadata = OrderedDict()
    local_metadata = {"version": self._version}
    if hasattr(destination, "_metadata"):
        destination._metadata[prefix[:-1]] = local_metadata
    for hook in self._state_dict_pre_hooks.values():
        hook(self, prefix, keep_vars)
    self._save_to_state_dict(destination, prefix, keep_vars)
    for name, module in self._modules.items():
        if module is not None:
            module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
    for hook in self._state_dict_hooks.values():
        r = hook(self, destination, prefix, local_metadata)
        if r is not None:
            destination = r
    return destination

def _load_from_state_dict(self, state_dict, prefix: str, local_metadata, strict: bool, missing_keys: list,
                          unexpected_keys: list, error_msgs: list) -> None:
    for hook, with_module in self._load_state_dict_pre_hooks.values():
        if with_module:
            hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        else:
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
    persistent_buffers = {k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set}
    local_state = {k: v for k, v in itertools.chain(self._parameters.items(), persistent_buffers.items())
                   if v is not None}
    assign = local_metadata.get("assign_to_params_buffers", False)
    for name, param in local_state.items():
        key = prefix + name
        if key not in state_dict:
            if strict:
                missing_keys.append(key)
            continue
        value = state_dict[key]
        if not _is_tensor_like(value):
            error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like '
                              f"object from checkpoint but received {type(value)}")
            continue
        vshape = tuple(value.shape)
        if len(param.shape) == 0 and len(vshape) == 1 and vshape[0] == 1:
            value = value[0]
            vshape = ()
        if vshape != tuple(param.shape):
            from ..._size import Size

            error_msgs.append(f"size mismatch for {key}: copying a param with shape {Size(vshape)} from "
                              f"checkpoint, the shape in current model is {param.shape}.")
            continue
        try:
            if assign:
                self._assign_state(name, param, value)
            else:
                arr = _as_array_like(value, param)
                pd = param._data
                pd[...] = arr if arr.dtype == pd.dtype else arr.astype(pd.dtype)
                param._bump()
        except Exception as ex:  # noqa: BLE001 - reported like PyTorch, as a load error
            error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                              f"{param.shape} and whose dimensions in the checkpoint are {value.shape}, an "
                              f"exception occurred : {ex.args}.")
    extra_key = prefix + "_extra_state"
    if type(self).set_extra_state is not _module().set_extra_state:
        if extra_key in state_dict:
            self.set_extra_state(state_dict[extra_key])
        elif strict:
            missing_keys.append(extra_key)
    elif strict and extra_key in state_dict:
        unexpected_keys.append(extra_key)
    if strict:
        for key in state_dict:
            if key.startswith(prefix) and key != extra_key:
                input_name = key[len(prefix):].split(".", 1)[0]
                if input_name not in self._modules and input_name not in local_state:
                    unexpected_keys.append(key)

def _assign_state(self, name: str, param: Tensor, value) -> None:
    if not isinstance(value, Tensor):
        from ...ops.creation import from_numpy

        value = from_numpy(np.ascontiguousarray(value))
    if isinstance(param, Parameter):
        if not isinstance(value, Parameter):
            value = Parameter(value, requires_grad=param.requires_grad)
        else:
            value.requires_grad_(param.requires_grad)
    setattr(self, name, value)

def load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False) -> _IncompatibleKeys:
    """Copy parameters and buffers from ``state_dict`` (tensors or NumPy arrays) into this module, in place.

    >>> import ember
    >>> a, b = ember.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    >>> b.load_state_dict(a.state_dict())
    <All keys matched successfully>
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    missing_keys: list = []
    unexpected_keys: list = []
    error_msgs: list = []
    metadata = getattr(state_dict, "_metadata", None)
    state_dict = OrderedDict(state_dict)
    if metadata is not None:
        state_dict._metadata = metadata

    def load(module, local_state_dict, prefix=""):
        local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
        if assign:
            local_metadata["assign_to_params_buffers"] = assign
        module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing_keys,
                                     unexpected_keys, error_msgs)
        for name, child in module._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                child_sd = {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)}
                load(child, child_sd, child_prefix)
        incompatible = _IncompatibleKeys(missing_keys, unexpected_keys)
        for hook in module._load_state_dict_post_hooks.values():
            if hook(module, incompatible) is not None:
                raise RuntimeError("Hooks registered with ``register_load_state_dict_post_hook`` are not "
                                   "expected to return new values, if incompatible_keys need to be modified, "
                                   "it should be done inplace.")

    load(self, state_dict)
    if strict:
        if unexpected_keys:
            error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in unexpected_keys)))
        if missing_keys:
            error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in missing_keys)))
    if error_msgs:
        raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
            type(self).__name__, "\n\t".join(error_msgs)))
    return _IncompatibleKeys(missing_keys, unexpected_keys)
