"""Collation: how a list of samples becomes a batch (default_collate, default_convert, collate with a type map)."""
from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable

import numpy as np

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                  "lists; found {}")


def _ember():
    import ember  # noqa: PLC0415 - ember imports this package at start-up

    return ember


def default_convert(data):
    """Turn NumPy arrays and scalars (also inside mappings and sequences) into tensors; leave the rest.

    >>> import numpy as np
    >>> from ember.utils.data import default_convert
    >>> default_convert([np.array([0, 1]), 5])
    [tensor([0, 1]), 5]
    """
    em = _ember()
    elem_type = type(data)
    if isinstance(data, em.Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return em.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as in PyTorch
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collate ``batch`` (a list of samples) recursively, with ``collate_fn_map`` choosing the function per type.

    >>> import ember
    >>> from ember.utils.data import collate, default_collate_fn_map
    >>> collate([(1, "a"), (2, "b")], collate_fn_map=default_collate_fn_map)
    [tensor([1, 2]), ('a', 'b')]
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        items = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(items)
                return clone
            return elem_type(items)
        except TypeError:
            return items
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if not all(len(e) == elem_size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed  # a list, as in PyTorch
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, v in enumerate(transposed):
                    clone[i] = v
                return clone
            return elem_type(transposed)
        except TypeError:
            return transposed
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map: dict | None = None):
    return _ember().stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map: dict | None = None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    em = _ember()
    return collate([em.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map: dict | None = None):
    return _ember().as_tensor(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map: dict | None = None):
    em = _ember()
    return em.tensor(batch, dtype=em.float64)


def collate_int_fn(batch, *, collate_fn_map: dict | None = None):
    return _ember().tensor(batch)


def collate_str_fn(batch, *, collate_fn_map: dict | None = None):
    return batch


def _tensor_type():
    from ..._tensor import Tensor  # noqa: PLC0415

    return Tensor


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    _tensor_type(): collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch, keeping the structure of one sample.

    Tensors are stacked, NumPy arrays and numbers become tensors (Python ints int64, floats float64, bools bool),
    strings stay a list, mappings/namedtuples/sequences are collated field by field (tuples become lists).

    >>> import ember
    >>> from ember.utils.data import default_collate
    >>> default_collate([{"x": 1.5, "y": ember.tensor([1, 2])}, {"x": 2.5, "y": ember.tensor([3, 4])}])
    {'x': tensor([1.5000, 2.5000], dtype=torch.float64), 'y': tensor([[1, 2],
            [3, 4]])}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
