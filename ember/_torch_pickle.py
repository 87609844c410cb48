"""Reading files written by ``torch.save`` (zip and legacy formats) without torch, through a restricted unpickler."""
from __future__ import annotations

import argparse
import builtins
import collections
import io
import pickle
import struct
import zipfile
from typing import ClassVar

import numpy as np

from . import _dtype as D
from ._device import device as _device
from ._size import Size
from ._tensor import Tensor, _wrap

_STORAGE_DTYPES = {
    "FloatStorage": D.float32, "DoubleStorage": D.float64, "HalfStorage": D.float16, "BFloat16Storage": D.bfloat16,
    "LongStorage": D.int64, "IntStorage": D.int32, "ShortStorage": D.int16, "CharStorage": D.int8,
    "ByteStorage": D.uint8, "BoolStorage": D.bool, "ComplexFloatStorage": D.complex64,
    "ComplexDoubleStorage": D.complex128,
}
_UNSUPPORTED = {
    "_rebuild_sparse_tensor": "sparse tensors", "_rebuild_sparse_csr": "sparse tensors",
    "_rebuild_qtensor": "quantized tensors", "_rebuild_nested_tensor": "nested tensors",
    "_rebuild_wrapper_subclass": "tensor subclasses", "_rebuild_meta_tensor_no_storage": "meta tensors",
    "_rebuild_device_tensor_from_numpy": "tensors of non-CPU devices stored as NumPy arrays",
    "_rebuild_mkldnn_tensor": "MKL-DNN tensors", "_rebuild_xla_tensor": "XLA tensors",
    "_rebuild_device_tensor_from_cpu_tensor": "tensors of accelerator devices",
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001


class StorageType:
    """Stand-in for ``torch.FloatStorage`` and friends: only its element dtype matters."""

    __slots__ = ("dtype", "name")

    def __init__(self, name: str, dtype) -> None:
        self.name = name
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"StorageType(dtype={self.dtype})"


class Storage:
    """The bytes of one storage (a 1-D uint8 array), its element dtype and the device it was saved from."""

    __slots__ = ("buf", "dtype", "location")

    def __init__(self, buf: np.ndarray, dtype, location: str) -> None:
        self.buf = buf
        self.dtype = dtype
        self.location = location

    @property
    def device(self):
        return _device(self.location)

    def nbytes(self) -> int:
        return self.buf.nbytes

    def cpu(self) -> Storage:
        return Storage(self.buf, self.dtype, "cpu")


def corrupt(msg: str) -> RuntimeError:
    return RuntimeError(f"ember.load: the file is corrupt or truncated: {msg}")


def view_of(buf: np.ndarray, dtype: D.dtype, byte_offset: int, size, stride, itemsize: int | None = None):
    """The NumPy view of ``buf`` that a tensor of ``size``/``stride`` (in elements) at ``byte_offset`` is."""
    npd = D.np_dtype(dtype)
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise corrupt(f"invalid tensor geometry size={size} stride={stride}")
    if 0 in size:
        return np.empty(size, npd)
    need = byte_offset + (sum((n - 1) * s for n, s in zip(size, stride)) + 1) * npd.itemsize
    if byte_offset < 0 or need > buf.nbytes:
        raise corrupt(f"a tensor needs {need} bytes of its storage but only {buf.nbytes} are there")
    return np.ndarray(size, dtype=npd, buffer=buf, offset=byte_offset, strides=tuple(s * npd.itemsize for s in stride))


class _Loader:
    """What one ``torch.load``-format read needs: the storages seen so far and where tensors should go."""

    def __init__(self, map_location) -> None:
        self.map_location = map_location
        self.storages: dict = {}

    def place(self, storage: Storage) -> Storage:
        """Apply ``map_location`` to a storage (PyTorch's rules for str, device, dict and callables)."""
        ml = self.map_location
        loc = storage.location
        if callable(ml) and not isinstance(ml, (str, _device)):
            res = ml(storage, loc)
            if isinstance(res, Storage):
                return res
            if res is not None:
                raise RuntimeError(f"ember.load: map_location returned {type(res).__name__}; it must return the "
                                   "storage it was given (or None to keep the saved location)")
            return self._checked(storage)
        if isinstance(ml, dict):
            loc = ml.get(loc, loc)
        elif ml is not None:
            loc = str(_device(ml))
        return self._checked(Storage(storage.buf, storage.dtype, loc))

    @staticmethod
    def _checked(storage: Storage) -> Storage:
        if storage.location.startswith("cuda"):
            from . import cuda  # noqa: PLC0415

            if not cuda.is_available():
                raise RuntimeError("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                                   "is False. If you are running on a CPU-only machine, please use torch.load with "
                                   "map_location=torch.device('cpu') to map your storages to the CPU.")
        return storage

    def tensor(self, storage, storage_offset, size, stride, dtype=None) -> Tensor:
        if not isinstance(storage, Storage):
            raise corrupt("a tensor was rebuilt from something that is not a storage")
        dtype = dtype or storage.dtype
        arr = view_of(storage.buf, dtype, int(storage_offset) * D.np_dtype(dtype).itemsize, size, stride)
        t = _wrap(arr)
        if not storage.location.startswith("cpu"):
            t = t.to(storage.location)
        return t


def _set_grad(t: Tensor, requires_grad) -> Tensor:
    if requires_grad:
        t.requires_grad_(True)
    return t


def _parameter(data: Tensor, requires_grad=True, backward_hooks=None, state=None):
    from .nn.parameter import Parameter  # noqa: PLC0415

    p = Parameter(data, bool(requires_grad))
    _set_state(p, state)
    return p


def _set_state(t: Tensor, state) -> None:
    """Attributes saved with a tensor (``t.foo = 1``) go into its ``__dict__``; nothing else is touched."""
    if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
        state = state[0]
    if isinstance(state, dict):
        t.__dict__.update({k: v for k, v in state.items() if isinstance(k, str)})


def _safe_encode(obj, encoding: str = "utf-8"):
    """``_codecs.encode`` as pickle uses it for bytes: str to bytes only."""
    if not isinstance(obj, str) or encoding.lower().replace("-", "") not in ("latin1", "utf8", "ascii"):
        raise pickle.UnpicklingError("Weights only load failed. _codecs.encode is only allowed on strings")
    return obj.encode(encoding)


def _unsupported(what: str):
    def fail(*args, **kwargs):
        raise RuntimeError(f"ember.load: this file holds {what}, which ember does not support")
    return fail


class RestrictedUnpickler(pickle._Unpickler):
    """An unpickler that builds only tensors, numbers, strings and containers; every other global is refused.

    Uses the pure-Python unpickler so that BUILD can be restricted too: a file cannot set attributes on any
    object but the containers and tensors it made.
    """

    dispatch: ClassVar[dict] = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, loader: _Loader | None, weights_only: bool = True, persistent=None) -> None:
        super().__init__(file, encoding="utf-8")
        self._loader = loader
        self._weights_only = weights_only
        self._persistent = persistent
        self._globals = _allowed_globals(loader, weights_only)

    def find_class(self, module: str, name: str):
        module = {"__builtin__": "builtins", "copy_reg": "copyreg"}.get(module, module)
        key = f"{module}.{name}"
        obj = self._globals.get(key)
        if obj is not None:
            return obj
        if module == "torch._utils" and name in _UNSUPPORTED:
            return _unsupported(_UNSUPPORTED[name])
        hint = ("" if self._weights_only else " ember.load never runs code from a file, even with weights_only=False;")
        raise pickle.UnpicklingError(
            f"Weights only load failed. Unsupported global: GLOBAL {key} was not an allowed global by default.{hint} "
            "ember.load rebuilds only tensors, numbers, strings and containers (lists, tuples, dicts, sets) from "
            "PyTorch files" + ("; NumPy arrays are read with weights_only=False." if self._weights_only else "."))

    def persistent_load(self, pid):
        if self._persistent is None:
            raise pickle.UnpicklingError("ember.load: unexpected persistent id in this pickle")
        return self._persistent(pid)

    def _load_build(self):
        stack = self.stack
        state = stack.pop()
        inst = stack[-1]
        if isinstance(inst, Tensor):
            _set_state(inst, state)
        elif type(inst) in (collections.OrderedDict, collections.Counter, argparse.Namespace) and \
                isinstance(state, dict):
            inst.__dict__.update({k: v for k, v in state.items() if isinstance(k, str)})
        elif not self._weights_only and (type(inst) is np.ndarray or isinstance(inst, (np.dtype, np.generic))):
            inst.__setstate__(state)
        else:
            raise pickle.UnpicklingError(f"Weights only load failed. Setting the state of a "
                                         f"{type(inst).__name__} object is not allowed")

    dispatch[pickle.BUILD[0]] = _load_build


def _allowed_globals(loader: _Loader | None, weights_only: bool) -> dict:
    from .nn.parameter import Parameter  # noqa: PLC0415

    def v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
        return _set_grad(loader.tensor(storage, storage_offset, size, stride), requires_grad)

    def v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
        return _set_grad(loader.tensor(storage, storage_offset, size, stride, dtype), requires_grad)

    def v1(storage, storage_offset, size, stride):
        return loader.tensor(storage, storage_offset, size, stride)

    def from_type_v2(func, new_type, args, state):
        ret = func(*args)
        if new_type is Parameter and not isinstance(ret, Parameter):
            ret = Parameter(ret, ret.requires_grad)
        elif new_type not in (Tensor, Parameter):
            raise pickle.UnpicklingError("Weights only load failed. Only Tensor and Parameter types are allowed")
        _set_state(ret, state)
        return ret

    g = {
        "collections.OrderedDict": collections.OrderedDict, "collections.Counter": collections.Counter,
        "builtins.set": set, "builtins.frozenset": frozenset, "builtins.bytearray": bytearray,
        "builtins.complex": complex, "builtins.slice": slice, "builtins.range": builtins.range,
        "_codecs.encode": _safe_encode,
        "torch.Size": Size, "torch.device": _device, "torch.Tensor": Tensor,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.serialization._get_layout": lambda name: name,
        "torch._utils._rebuild_tensor": v1, "torch._utils._rebuild_tensor_v2": v2,
        "torch._utils._rebuild_tensor_v3": v3, "torch._utils._rebuild_parameter": _parameter,
        "torch._utils._rebuild_parameter_with_state": _parameter,
        "torch._tensor._rebuild_from_type_v2": from_type_v2,
        "torch.storage.UntypedStorage": StorageType("UntypedStorage", D.uint8),
        "torch.storage.TypedStorage": StorageType("TypedStorage", None),
    }
    for d in D.ALL:
        g[f"torch.{d.name}"] = d
    for name, d in _STORAGE_DTYPES.items():
        g[f"torch.{name}"] = StorageType(name, d)
    if not weights_only:
        for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
            g[f"{mod}._reconstruct"] = _np_reconstruct
            g[f"{mod}.scalar"] = _np_scalar
        g["numpy.ndarray"] = np.ndarray
        g["numpy.dtype"] = np.dtype
        g["argparse.Namespace"] = argparse.Namespace
    return g


def _np_reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError("Weights only load failed. Only plain numpy.ndarray objects are allowed")
    return np.ndarray.__new__(np.ndarray, shape, dtype)


def _np_scalar(dtype, data=None):
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise pickle.UnpicklingError("Weights only load failed. Only numeric NumPy scalars are allowed")
    return np.frombuffer(data, dtype=dtype, count=1)[0] if data is not None else dtype.type()


# ----------------------------------------------------------------------------- the zip format
def find_prefix(names: list, leaf: str) -> str | None:
    """The folder prefix (``'archive/'``) of the record ``leaf`` in a zip, or None."""
    for n in names:
        if n == leaf or n.endswith("/" + leaf) and n.count("/") == 1:
            return n[: len(n) - len(leaf)]
    return None


def member_offset(fileobj, info: zipfile.ZipInfo) -> int:
    """Byte offset of a stored zip member's data inside the file (for memory mapping)."""
    fileobj.seek(info.header_offset)
    head = fileobj.read(30)
    if len(head) != 30 or head[:4] != b"PK\x03\x04":
        raise corrupt(f"bad local header of record {info.filename!r}")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    return info.header_offset + 30 + name_len + extra_len


def load_torch_zip(zf: zipfile.ZipFile, prefix: str, map_location, weights_only: bool, read_member):
    """Rebuild the object of a ``torch.save`` zip file; ``read_member(name)`` gives a record's bytes as uint8."""
    names = set(zf.namelist())
    byteorder = "little"
    if prefix + "byteorder" in names:
        byteorder = zf.read(prefix + "byteorder").decode("ascii", "replace").strip()
    loader = _Loader(map_location)

    def persistent(pid):
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Weights only load failed. Unsupported persistent id {pid!r:.60}")
        _, stype, key, location, numel = pid
        key = str(key)
        st = loader.storages.get(key)
        if st is None:
            name = f"{prefix}data/{key}"
            if name not in names:
                raise corrupt(f"storage record {name!r} is missing")
            buf = read_member(name)
            dtype = stype.dtype if isinstance(stype, StorageType) and stype.dtype is not None else D.uint8
            if buf.nbytes < int(numel) * D.np_dtype(dtype).itemsize:
                raise corrupt(f"storage {key!r} holds {buf.nbytes} bytes, {int(numel)} elements were saved")
            if byteorder == "big" and D.np_dtype(dtype).itemsize > 1:
                buf = buf.view(D.np_dtype(dtype).newbyteorder(">")).astype(D.np_dtype(dtype)).view(np.uint8)
            st = loader.storages[key] = loader.place(Storage(buf, dtype, str(location)))
        if isinstance(stype, StorageType) and stype.dtype is not None and stype.dtype is not st.dtype:
            return Storage(st.buf, stype.dtype, st.location)
        return st

    pkl = prefix + "data.pkl"
    if pkl not in names:
        raise corrupt("the zip archive has no data.pkl record")
    return RestrictedUnpickler(io.BytesIO(zf.read(pkl)), loader, weights_only, persistent).load()


# ----------------------------------------------------------------------------- the legacy (pre-1.6) format
def load_torch_legacy(f, map_location, weights_only: bool):
    """Rebuild the object of a legacy ``torch.save`` stream (``_use_new_zipfile_serialization=False``)."""
    loader = _Loader(map_location)
    roots: dict = {}

    def small_pickle():
        return RestrictedUnpickler(f, None, True).load()

    try:
        magic = small_pickle()
    except pickle.UnpicklingError as e:
        if str(e).startswith("Weights only load failed"):
            raise
        raise corrupt(f"not a checkpoint written by ember.save or torch.save ({e})") from None
    except (EOFError, ValueError, TypeError, IndexError, KeyError) as e:
        raise corrupt(f"not a checkpoint written by ember.save or torch.save ({e})") from None
    if magic != _LEGACY_MAGIC:
        raise corrupt("not a checkpoint written by ember.save or torch.save (invalid magic number)")
    if small_pickle() != _LEGACY_PROTOCOL:
        raise corrupt("unknown protocol version of a legacy torch file")
    sys_info = small_pickle()
    if isinstance(sys_info, dict) and not sys_info.get("little_endian", True):
        raise RuntimeError("ember.load: big-endian legacy torch files are not supported")

    def persistent(pid):
        if not isinstance(pid, tuple) or len(pid) != 6 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Weights only load failed. Unsupported persistent id {pid!r:.60}")
        _, stype, root_key, location, numel, view_metadata = pid
        dtype = stype.dtype if isinstance(stype, StorageType) and stype.dtype is not None else D.uint8
        isz = D.np_dtype(dtype).itemsize
        root = roots.get(root_key)
        if root is None:
            placed = loader.place(Storage(np.zeros(int(numel) * isz, np.uint8), dtype, str(location)))
            root = roots[root_key] = placed.cpu()  # filled after the pickle: legacy files load on the CPU
        if view_metadata is not None:
            _, offset, size = view_metadata
            return Storage(root.buf[int(offset) * isz:(int(offset) + int(size)) * isz], dtype, root.location)
        return root

    obj = RestrictedUnpickler(f, loader, weights_only, persistent).load()
    keys = small_pickle()
    for key in keys:
        st = roots.get(key)
        if st is None:
            raise corrupt(f"storage {key!r} is listed but never used")
        head = f.read(8)
        if len(head) != 8:
            raise corrupt("the file ends before all storages were read")
        n = struct.unpack("<q", head)[0] * D.np_dtype(st.dtype).itemsize
        data = f.read(n)
        if len(data) != n or n > st.buf.nbytes:
            raise corrupt(f"storage {key!r} is truncated")
        st.buf[:n] = np.frombuffer(data, np.uint8)
    return obj
