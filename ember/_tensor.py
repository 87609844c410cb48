"""Tensor: an array on a device plus autograd metadata. Ops are attached by the ``ops`` families."""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._device import device_of
from ._size import Size, _size_of_shape
from .autograd.graph import _RemovableHandle, accumulate_grad_of, add_post_accumulate_hook

_new = object.__new__
_FROM_NP = D._FROM_NP


class Tensor:
    """A multi-dimensional array with autograd support.

    >>> import ember
    >>> x = ember.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([[2., 4.],
            [6., 8.]])
    """

    __slots__ = ("_data", "_rg", "grad_fn", "_grad", "_out_nr", "_vc", "_base", "_hooks", "_accum",
                 "_retains", "__dict__", "__weakref__")
    __array_priority__ = 1000  # NumPy defers binary operators to Tensor

    def __init__(self, *args, device=None):
        # legacy constructor: Tensor(sequence) -> float tensor, Tensor(*sizes) -> uninitialised
        from .ops.creation import _from_data, empty  # noqa: PLC0415

        if len(args) == 1 and not isinstance(args[0], int):
            t = _from_data(args[0], dtype=D._default.dtype, device=device)
        else:
            t = empty(*args, device=device)
        self._data = t._data
        self._rg = False
        self.grad_fn = None
        self._grad = None
        self._vc = None
        self._base = None

    # ----- core attributes -------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """The tensor's values, detached from the graph (shares memory)."""
        t = _wrap(self._data)
        t._vc = self._vc
        return t

    @data.setter
    def data(self, value: "Tensor") -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set whether autograd records ops on this leaf tensor; returns self."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in "fc" and self.dtype is not D.bfloat16:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = bool(requires_grad)
        return self

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad_flag():
            import warnings  # noqa: PLC0415

            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                                   f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor are "
                                   "the same size")
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_NAMES.get(value.dtype.name, value.dtype.name)}'"
                    f" to a tensor with grad_dtype '{D.legacy_name(self.dtype)}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                    "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with caution. "
                    "Diverging the dtypes of a tensor and its gradient may break downstream systems that assume they "
                    "match.")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    def _retains_grad_flag(self) -> bool:
        return getattr(self, "_retains", False)

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self._retains_grad_flag()

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def shape(self) -> Size:
        return _size_of_shape(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return _size_of_shape(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> D.dtype:
        return _FROM_NP[self._data.dtype]

    @property
    def device(self):
        return device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device.type == "cpu"

    def get_device(self) -> int:
        """The CUDA device index of the tensor, -1 on the CPU (PyTorch's convention).

        >>> import ember
        >>> ember.ones(2).get_device()
        -1
        """
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    def is_pinned(self) -> bool:
        """Whether the tensor is in pinned (page-locked) host memory: never, Ember has no pinned allocator.

        >>> import ember
        >>> ember.ones(2).is_pinned()
        False
        """
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def layout(self) -> str:
        return "torch.strided"

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim: int | None = None):
        """Strides in elements, like PyTorch (NumPy's are in bytes)."""
        d = self._data
        if d.size == 0:  # NumPy's strides of empty arrays are arbitrary; PyTorch's are contiguous ones
            st, acc = [], 1
            for n in reversed(d.shape):
                st.append(acc)
                acc *= max(n, 1)
            st = tuple(reversed(st))
        else:
            isz = d.itemsize
            st = tuple(s // isz for s in d.strides)
        return st if dim is None else st[_wrap_dim(dim, d.ndim)]

    def storage_offset(self) -> int:
        base = self._base_array()
        if base is None:
            return 0
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // self._data.itemsize

    def _base_array(self):
        b = self._data.base
        while b is not None and isinstance(b, np.ndarray) and b.base is not None:
            b = b.base
        return b if isinstance(b, np.ndarray) else None

    def data_ptr(self) -> int:
        if type(self._data) is np.ndarray:
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def untyped_storage(self):
        return _StorageView(self)

    def is_contiguous(self, memory_format=None) -> bool:
        d = self._data
        return bool(d.flags.c_contiguous) or d.size <= 1

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f" or self.dtype is D.bfloat16

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    @property
    def _version(self) -> int:
        return self._vc[0] if self._vc is not None else 0

    def _bump(self) -> None:
        """Record an in-place change (version counter shared with views)."""
        vc = self._vc
        if vc is None:
            self._vc = [1]
        else:
            vc[0] += 1

    def _type_str(self) -> str:
        return _TYPE_NAMES.get(self.dtype.name, "torch.Tensor")

    def type(self, dtype=None, non_blocking: bool = False):
        """The legacy type name (``'torch.FloatTensor'``), or a copy cast to ``dtype``."""
        if dtype is None:
            return self._type_str() if self.device.type == "cpu" else self._type_str().replace("torch.", "torch.cuda.")
        if isinstance(dtype, str):
            name = dtype.replace("torch.cuda.", "torch.")
            inv = {v: k for k, v in _TYPE_NAMES.items()}
            if name not in inv:
                raise ValueError(f"invalid type: '{dtype}'")
            return self.to(D._BY_NAME[inv[name]])
        if isinstance(dtype, type) and issubclass(dtype, Tensor) and hasattr(dtype, "_legacy_dtype"):
            return self.to(dtype._legacy_dtype)
        return self.to(dtype)

    # ----- autograd ---------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad``.

        >>> import ember
        >>> x = ember.tensor(3.0, requires_grad=True)
        >>> (x ** 2).backward()
        >>> x.grad
        tensor(6.)
        """
        d = self._data
        if (gradient is None and inputs is None and not create_graph and self._rg and d.size == 1
                and d.dtype.kind == "f" and type(d) is np.ndarray):
            # the common ``loss.backward()``: skip the general argument handling of autograd.backward
            _execute_backward([self], [_wrap(np.ones(d.shape, dtype=d.dtype))], bool(retain_graph), False,
                              inputs=None, accumulate=True)
            return
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new gradient."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_pre_hook(self._out_nr, hook)
        hooks = getattr(self, "_hooks", None)
        if hooks is None:
            hooks = self._hooks = []
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after ``.grad`` of this leaf was accumulated."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        return add_post_accumulate_hook(self, hook)

    def retain_grad(self) -> None:
        """Populate ``.grad`` of this non-leaf tensor during backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or getattr(self, "_retains", False):
            return
        import weakref  # noqa: PLC0415

        ref = weakref.ref(self)

        def _retain(g):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = g.detach() if not g._rg else g
                    if not g._rg:
                        t._grad = _wrap(g._data.copy())
                else:
                    t._grad = t._grad + g
            return None

        _retain._retains_grad = True
        self.grad_fn._add_pre_hook(self._out_nr, _retain)
        self._retains = True

    def detach(self) -> "Tensor":
        """A tensor sharing data with self, cut from the graph."""
        t = _wrap(self._data)
        if self._vc is None:
            self._vc = [0]
        t._vc = self._vc
        return t

    def detach_(self) -> "Tensor":
        """Cut self from the graph, in place."""
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        return self

    @property
    def _accumulate_grad(self):
        return accumulate_grad_of(self)

    # ----- conversion to Python / NumPy --------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a NumPy array sharing memory (CPU tensors that don't require grad)."""
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if type(self._data) is not np.ndarray:
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                                "copy the tensor to host memory first.")
            return self._data.get()
        return self._data

    def _np(self) -> np.ndarray:
        """Host copy of the data (no grad check): for printing, tolist, item."""
        d = self._data
        return d if type(d) is np.ndarray else d.get()

    def tolist(self):
        """The values as (nested) Python lists of Python numbers."""
        a = self._np()
        if self.dtype is D.bfloat16:
            a = a.astype(np.float32)
        return a.tolist()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        n = self._data.size
        if n != 1:
            raise RuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        a = self._np()
        if self.dtype is D.bfloat16:
            a = a.astype(np.float32)
        return a.reshape(()).item()

    def __array__(self, dtype=None, copy=None):
        a = self._np()
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return a

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            what = "more than one value" if self._data.size else "no values"
            raise RuntimeError(f"Boolean value of Tensor with {what} "
                               "is ambiguous")
        return bool(self._data.reshape(()))

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return repr(self).__format__(spec)

    def __repr__(self) -> str:
        from ._printing import tensor_repr  # noqa: PLC0415

        return tensor_repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._np().copy(), self._rg, str(self.device)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        t = _new(type(self))
        t._data = self._data.copy()
        t._rg = self._rg
        t.grad_fn = None
        t._grad = None if self._grad is None else self._grad.__deepcopy__(memo)
        t._vc = None
        t._base = None
        if getattr(self, "__dict__", None):
            import copy  # noqa: PLC0415

            t.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = t
        return t

    def __contains__(self, element) -> bool:
        if isinstance(element, Tensor):
            element = element._data
        return bool((self._data == element).any())

    def __dlpack__(self, stream=None):
        return self._data.__dlpack__()

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()


class _StorageView:
    """Minimal ``untyped_storage()`` stand-in: identity of the underlying buffer."""

    def __init__(self, t: Tensor):
        b = t._base_array()
        self._arr = b if b is not None else t._data

    def data_ptr(self) -> int:
        return self._arr.__array_interface__["data"][0]

    def nbytes(self) -> int:
        return self._arr.nbytes

    def size(self) -> int:
        return self._arr.nbytes


Tensor.__module__ = "ember"  # type(t) prints <class 'ember.Tensor'>, the public name

_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}

_TYPE_NAMES = {
    "float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "float16": "torch.HalfTensor",
    "bfloat16": "torch.BFloat16Tensor", "int64": "torch.LongTensor", "int32": "torch.IntTensor",
    "int16": "torch.ShortTensor", "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
    "bool": "torch.BoolTensor", "complex64": "torch.ComplexFloatTensor", "complex128": "torch.ComplexDoubleTensor",
}


def _rebuild(arr, requires_grad, dev):
    from .ops.creation import _from_data  # noqa: PLC0415

    t = _from_data(arr, device=dev, copy=False)
    t._rg = requires_grad
    return t


def _wrap(data, requires_grad: bool = False) -> Tensor:
    """A new leaf Tensor around array ``data`` (no copy). The hot path of every op."""
    t = _new(Tensor)
    t._data = data
    t._rg = requires_grad
    t.grad_fn = None
    t._grad = None
    t._vc = None
    t._base = None
    return t


def _wrap_dim(dim, ndim: int) -> int:
    """Normalise a possibly negative dim, with PyTorch's IndexError for out-of-range dims."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


_autograd_backward = _execute_backward = None  # autograd.backward and engine.execute, bound below


def _bind_autograd() -> None:
    """Give the autograd engine direct references to Tensor and _wrap (see ember/autograd/engine.py)."""
    from . import autograd  # noqa: PLC0415
    from .autograd import engine  # noqa: PLC0415

    engine.Tensor = autograd.Tensor = Tensor
    engine._wrap = autograd._wrap = _wrap
    global _autograd_backward, _execute_backward
    _autograd_backward, _execute_backward = autograd.backward, engine.execute


_bind_autograd()
