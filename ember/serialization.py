"""``ember.save`` / ``ember.load``: checkpoints as a zip of JSON plus one safetensors blob; PyTorch files read safely.

The format is described in ``docs/serialization.md``.
"""
from __future__ import annotations

import collections
import ctypes
import io
import json
import math
import mmap as _mmap
import os
import pickle
import struct
import tempfile
import zipfile

import numpy as np

from . import _dtype as D
from . import _torch_pickle as TP
from ._device import device as _device
from ._size import Size
from ._tensor import Tensor, _wrap

__all__ = ["DEFAULT_PROTOCOL", "load", "save"]

DEFAULT_PROTOCOL = 2
FORMAT_VERSION = 1
_JSON = "ember.json"
_BLOB = "tensors.safetensors"
_ALIGN = 64

# safetensors dtype codes; complex128 has none and is stored as float64 pairs
_ST_CODES = {"bool": "BOOL", "uint8": "U8", "int8": "I8", "int16": "I16", "uint16": "U16", "float16": "F16",
             "bfloat16": "BF16", "int32": "I32", "uint32": "U32", "float32": "F32", "complex64": "C64",
             "float64": "F64", "int64": "I64", "uint64": "U64", "complex128": "F64"}
_ST_SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4,
             "C64": 8, "F64": 8, "I64": 8, "U64": 8}
_CONSTRUCTS = "tensors, NumPy arrays, numbers, strings, bytes, None, dtypes, devices and lists/tuples/dicts/sets of them"


# ============================================================================= save
class _Encoder:
    """Turns an object tree into JSON-able data, collecting tensors (each distinct tensor once)."""

    def __init__(self) -> None:
        self.tensors: list = []  # (tensor or ndarray, name)
        self.index: dict = {}  # id(obj) -> position in self.tensors
        self.names: set = set()
        self.active: set = set()

    def tensor_ref(self, t, path: str) -> int:
        i = self.index.get(id(t))
        if i is None:
            i = self.index[id(t)] = len(self.tensors)
            name = path or f"t{i}"
            if name in self.names or name.startswith("__"):
                name = f"t{i}"
            self.names.add(name)
            self.tensors.append((t, name))
        return i

    def enc(self, obj, path: str = ""):
        t = type(obj)
        if obj is None or t is bool or t is int or t is str:
            return obj
        if t is float:
            return obj if math.isfinite(obj) else {"$float": repr(obj)}
        if isinstance(obj, Tensor):
            return {"$tensor": self.tensor_ref(obj, path)}
        if isinstance(obj, np.ndarray):
            if obj.dtype not in D._FROM_NP:
                raise TypeError(f"ember.save cannot store a NumPy array of dtype {obj.dtype}")
            return {"$ndarray": self.tensor_ref(obj, path)}
        if isinstance(obj, np.generic):
            return {"$npscalar": [obj.dtype.str, self.enc(obj.item())]}
        if isinstance(obj, D.dtype):
            return {"$dtype": obj.name}
        if isinstance(obj, _device):
            return {"$device": str(obj)}
        if t is complex:
            return {"$complex": [self.enc(obj.real), self.enc(obj.imag)]}
        if t is bytes or t is bytearray:
            return {"$bytes" if t is bytes else "$bytearray": obj.hex()}
        if isinstance(obj, (bool, int, float, str)):  # subclasses such as IntEnum: stored as the plain type
            return self.enc(_plain(obj), path)
        if id(obj) in self.active:
            raise ValueError("ember.save cannot store a container that contains itself")
        self.active.add(id(obj))
        try:
            return self._container(obj, t, path)
        finally:
            self.active.discard(id(obj))

    def _container(self, obj, t, path):
        sub = (path + ".") if path else ""
        if t is list:
            return [self.enc(v, f"{sub}{i}") for i, v in enumerate(obj)]
        if t is Size:
            return {"$size": list(obj)}
        if t is tuple:
            return {"$tuple": [self.enc(v, f"{sub}{i}") for i, v in enumerate(obj)]}
        if t is set or t is frozenset:
            return {"$set" if t is set else "$frozenset": [self.enc(v) for v in obj]}
        if t is dict or t is collections.OrderedDict or t is collections.defaultdict:
            items = [[self.enc(k), self.enc(v, f"{sub}{k}")] for k, v in obj.items()]
            if t is dict or t is collections.defaultdict:
                return {"$dict": items}
            out = {"$odict": items}
            meta = getattr(obj, "_metadata", None)
            if meta is not None:
                out["metadata"] = self.enc(meta)
            return out
        raise TypeError(f"ember.save cannot store an object of type {t.__module__}.{t.__qualname__}: it stores "
                        f"{_CONSTRUCTS}. Convert the object to one of those (a Module: save module.state_dict()).")


def _plain(obj):
    for b in (bool, int, float, str):
        if isinstance(obj, b):
            return b(obj)
    return obj


def _host(arr) -> np.ndarray:
    return arr if type(arr) is np.ndarray else arr.get()


def _root(arr: np.ndarray):
    """The object that owns the memory of ``arr`` (views of one root share storage)."""
    b = arr
    while isinstance(b, np.ndarray) and b.base is not None:
        b = b.base
    return b


def _span(arr: np.ndarray) -> tuple[int, int]:
    """[first byte, end byte) of the memory that ``arr`` reads."""
    lo = hi = arr.__array_interface__["data"][0]
    for n, s in zip(arr.shape, arr.strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + arr.itemsize


def _raw_bytes(lo: int, hi: int) -> np.ndarray:
    """A copy of the bytes [lo, hi) of process memory that live arrays occupy."""
    return np.ctypeslib.as_array((ctypes.c_ubyte * (hi - lo)).from_address(lo)).copy()


def _plan_tensors(tensors: list) -> tuple[list, list]:
    """Safetensors entries and tensor records.

    A tensor whose storage no other saved tensor shares is stored by itself, contiguous. Tensors that share a
    storage (views) are stored as views into one byte entry covering the memory they use, so that sharing and
    strides come back as they were.
    """
    entries = []  # (name, code, shape, contiguous array)
    records = []
    groups: dict = collections.defaultdict(list)
    for i, (t, name) in enumerate(tensors):
        arr = _host(t._data if isinstance(t, Tensor) else t)
        records.append(None)
        if arr.size == 0 or type(t._data if isinstance(t, Tensor) else t) is not np.ndarray:
            groups[("own", i)].append((i, arr, name))
        else:
            groups[id(_root(arr))].append((i, arr, name))
    for members in groups.values():
        if len(members) == 1:
            i, arr, name = members[0]
            dt = D._FROM_NP[arr.dtype]
            data = np.ascontiguousarray(arr)
            shape = list(arr.shape)
            if dt is D.complex128:
                data, shape = data.view(np.float64), shape + [2]
            entries.append((name, _ST_CODES[dt.name], shape, data))
            records[i] = {"entry": name, "dtype": dt.name, "shape": list(arr.shape), "offset": 0}
            continue
        spans = [_span(arr) for _, arr, _ in members]
        lo = min(s[0] for s in spans)
        lo -= lo % 16  # keep natural alignment of every member in the copy
        hi = max(s[1] for s in spans)
        name = f"__storage_{len(entries)}__"
        entries.append((name, "U8", [hi - lo], _raw_bytes(lo, hi)))
        for i, arr, _ in members:
            records[i] = {"entry": name, "dtype": D._FROM_NP[arr.dtype].name, "shape": list(arr.shape),
                          "offset": arr.__array_interface__["data"][0] - lo, "strides": list(arr.strides)}
    return entries, records


def _safetensors_header(entries: list) -> tuple[bytes, list]:
    """The safetensors header (padded so the data starts 64-byte aligned) and the entries in data order."""
    order = sorted(entries, key=lambda e: -_ST_SIZES[e[1]])  # larger items first: every entry naturally aligned
    header, pos = {"__metadata__": {"format": "ember"}}, 0
    for name, code, shape, data in order:
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [pos, pos + data.nbytes]}
        pos += data.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((-(8 + len(text))) % _ALIGN)
    return struct.pack("<Q", len(text)) + text, order


def _write_zip(fileobj, obj) -> None:
    enc = _Encoder()
    tree = enc.enc(obj)
    entries, records = _plan_tensors(enc.tensors)
    for rec, (t, _) in zip(records, enc.tensors):
        if isinstance(t, Tensor):
            rec["requires_grad"] = bool(t._rg)
            if getattr(t, "_is_param", False):
                rec["parameter"] = True
            if type(t._data) is not np.ndarray:
                rec["device"] = str(t.device)
        else:
            rec["numpy"] = True
    meta = {"format": "ember", "version": FORMAT_VERSION, "tensors": records, "object": tree}
    head, order = _safetensors_header(entries)
    size = len(head) + sum(e[3].nbytes for e in order)
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr("archive/" + _JSON, json.dumps(meta, separators=(",", ":")))
        info = zipfile.ZipInfo("archive/" + _BLOB, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = size
        try:  # pad the local header so that the blob starts 64-byte aligned (for mmap)
            pos = zf.fp.tell()
            pad = (-(pos + 30 + len(info.filename.encode()) + 20 + 4)) % _ALIGN
            info.extra = struct.pack("<HH", 0x4545, pad) + b"\0" * pad
        except (AttributeError, OSError, io.UnsupportedOperation):
            pass
        with zf.open(info, "w", force_zip64=True) as w:
            w.write(head)
            for _, _, _, data in order:
                if data.nbytes:
                    w.write(data.reshape(-1).view(np.uint8).data)


def save(obj, f, pickle_module=None, pickle_protocol: int = DEFAULT_PROTOCOL, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (tensors, state_dicts, nested containers, numbers, strings) to a path or a binary file.

    Writing to a path is atomic: the data goes to a temporary file in the same folder, is flushed to disk, and then
    replaces ``f``, so an interrupted save never leaves a half-written file where a good one was.
    ``pickle_module``/``pickle_protocol`` are accepted for PyTorch compatibility and unused (no pickle is written).

    >>> import ember, io
    >>> buf = io.BytesIO()
    >>> ember.save({"w": ember.ones(2)}, buf)
    >>> _ = buf.seek(0); ember.load(buf)
    {'w': tensor([1., 1.])}
    """
    if isinstance(f, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(f))
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {folder} does not exist.")
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                _write_zip(fh, obj)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, _file_mode(path))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _fsync_dir(folder)
        return
    if not hasattr(f, "write"):
        raise AttributeError(f"ember.save expects a path or a binary file object with write(), got {type(f).__name__}")
    _write_zip(f, obj)


def _file_mode(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ============================================================================= load
def _decode(x, tensors: list):
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, list):
        return [_decode(v, tensors) for v in x]
    if not isinstance(x, dict) or len(x) not in (1, 2):
        raise TP.corrupt("unexpected entry in the object description")
    tag = next(iter(x))
    v = x[tag]
    if tag in ("$tensor", "$ndarray"):
        return tensors[v]
    if tag in ("$dict", "$odict"):
        items = [(_decode(k, tensors), _decode(val, tensors)) for k, val in v]
        if tag == "$dict":
            return dict(items)
        od = collections.OrderedDict(items)
        if "metadata" in x:
            od._metadata = _decode(x["metadata"], tensors)
        return od
    if tag == "$tuple":
        return tuple(_decode(e, tensors) for e in v)
    if tag == "$size":
        return Size(v)
    if tag in ("$set", "$frozenset"):
        return (set if tag == "$set" else frozenset)(_decode(e, tensors) for e in v)
    if tag == "$float":
        return float(v)
    if tag == "$complex":
        return complex(_decode(v[0], tensors), _decode(v[1], tensors))
    if tag in ("$bytes", "$bytearray"):
        return (bytes if tag == "$bytes" else bytearray).fromhex(v)
    if tag == "$dtype":
        return D._BY_NAME[v]
    if tag == "$device":
        return _device(v)
    if tag == "$npscalar":
        return np.dtype(v[0]).type(_decode(v[1], tensors))
    raise TP.corrupt(f"unknown tag {tag!r} in the object description (written by a newer ember?)")


def _blob_entries(blob: np.ndarray) -> dict:
    """Name -> uint8 view of each tensor's bytes in a safetensors blob (validated)."""
    if blob.nbytes < 8:
        raise TP.corrupt("the tensor data record is too short")
    n = int(blob[:8].view("<u8")[0])
    if 8 + n > blob.nbytes:
        raise TP.corrupt("the safetensors header is longer than the record")
    try:
        header = json.loads(bytes(blob[8:8 + n]))
    except ValueError as e:
        raise TP.corrupt(f"the safetensors header is not valid JSON ({e})") from None
    data = blob[8 + n:]
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        b, e = spec["data_offsets"]
        if not 0 <= b <= e <= data.nbytes:
            raise TP.corrupt(f"tensor data {name!r} lies outside the record")
        out[name] = data[b:e]
    return out


def _load_ember(zf, prefix: str, read_member, map_location):
    try:
        meta = json.loads(zf.read(prefix + _JSON))
    except ValueError as e:
        raise TP.corrupt(f"the object description is not valid JSON ({e})") from None
    if meta.get("format") != "ember":
        raise TP.corrupt("ember.json does not describe an ember checkpoint")
    if meta.get("version", 0) > FORMAT_VERSION:
        raise RuntimeError(f"ember.load: this file has format version {meta['version']}, newer than this ember "
                           f"reads ({FORMAT_VERSION}); upgrade ember")
    entries = _blob_entries(read_member(prefix + _BLOB))
    placer = TP._Loader(map_location)
    tensors = []
    for rec in meta["tensors"]:
        dt = D._BY_NAME[rec["dtype"]]
        ent = entries.get(rec["entry"])
        if ent is None:
            raise TP.corrupt(f"tensor data {rec['entry']!r} is missing")
        try:
            arr = np.ndarray(tuple(rec["shape"]), D.np_dtype(dt), buffer=ent, offset=rec["offset"],
                             strides=None if rec.get("strides") is None else tuple(rec["strides"]))
        except (TypeError, ValueError) as e:
            raise TP.corrupt(f"tensor data {rec['entry']!r} does not fit its shape ({e})") from None
        if rec.get("numpy"):
            tensors.append(arr)
            continue
        st = placer.place(TP.Storage(ent, dt, rec.get("device", "cpu")))
        t = _wrap(arr)
        if not st.location.startswith("cpu"):
            t = t.to(st.location)
        if rec.get("parameter"):
            from .nn.parameter import Parameter  # noqa: PLC0415

            t = Parameter(t, rec.get("requires_grad", True))
        elif rec.get("requires_grad"):
            t.requires_grad_(True)
        tensors.append(t)
    return _decode(meta["object"], tensors)


def _member_reader(zf: zipfile.ZipFile, fh, mapped):
    def read_member(name: str) -> np.ndarray:
        info = zf.getinfo(name)
        if mapped is not None and info.compress_type == zipfile.ZIP_STORED:
            start = TP.member_offset(fh, info)
            if start + info.file_size > len(mapped):
                raise TP.corrupt(f"record {name!r} runs past the end of the file")
            return np.frombuffer(mapped, np.uint8, count=info.file_size, offset=start)
        buf = np.empty(info.file_size, np.uint8)
        view, pos = memoryview(buf), 0
        with zf.open(info) as r:
            while pos < info.file_size:
                got = r.readinto(view[pos:])
                if not got:
                    raise TP.corrupt(f"record {name!r} is truncated")
                pos += got
        return buf
    return read_member


def _load_stream(fh, map_location, weights_only: bool, use_mmap: bool):
    head = fh.read(4)
    if not head:
        raise TP.corrupt("the file is empty")
    fh.seek(-len(head), 1)
    if head[:2] == b"PK":
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
            raise TP.corrupt(f"failed reading the zip archive ({e})") from None
        mapped = None
        if use_mmap:
            mapped = _mmap.mmap(fh.fileno(), 0, access=_mmap.ACCESS_COPY)
        read_member = _member_reader(zf, fh, mapped)
        names = zf.namelist()
        prefix = TP.find_prefix(names, _JSON)
        if prefix is not None:
            return _load_ember(zf, prefix, read_member, map_location)
        prefix = TP.find_prefix(names, "data.pkl")
        if prefix is not None:
            return TP.load_torch_zip(zf, prefix, map_location, weights_only, read_member)
        raise TP.corrupt("the zip archive holds neither ember.json nor data.pkl")
    if head[0] == 0x80:
        if use_mmap:
            raise RuntimeError("mmap can only be used with files saved with `torch.save(_use_new_zipfile_serialization"
                               "=True), please torch.save your checkpoint with this option in order to use mmap.")
        return TP.load_torch_legacy(fh, map_location, weights_only)
    raise TP.corrupt("not a checkpoint written by ember.save or torch.save (unknown file signature)")


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = True, mmap: bool | None = None,
         **pickle_load_args):
    """Load an object saved by ``ember.save``, or by ``torch.save`` (zip or legacy format) without torch.

    PyTorch files are read by a restricted unpickler: tensors, Parameters, numbers, strings, containers, dtypes,
    devices and sizes only; any other global is refused with ``pickle.UnpicklingError`` before it can run.
    ``weights_only=False`` also admits NumPy arrays and scalars and ``argparse.Namespace``, never arbitrary code.
    ``map_location`` may be a str, device, dict or ``callable(storage, location)``. ``mmap=True`` maps tensor
    data from the file (copy on write) instead of reading it.

    >>> import ember, io
    >>> buf = io.BytesIO()
    >>> ember.save([ember.tensor([1, 2]), "note"], buf)
    >>> _ = buf.seek(0); ember.load(buf, map_location="cpu")
    [tensor([1, 2]), 'note']
    """
    wo = True if weights_only is None else bool(weights_only)
    try:
        if isinstance(f, (str, os.PathLike)):
            with open(os.fspath(f), "rb") as fh:
                return _load_stream(fh, map_location, wo, bool(mmap))
        if mmap:
            raise ValueError("f must be a file path in order to use the mmap argument")
        if not (hasattr(f, "seekable") and f.seekable()):
            f = io.BytesIO(f.read())
        return _load_stream(f, map_location, wo, False)
    except pickle.UnpicklingError as e:
        if str(e).startswith("Weights only load failed"):
            raise
        raise TP.corrupt(f"the pickled object description is damaged ({e})") from None
    except (zipfile.BadZipFile, EOFError, struct.error, KeyError, IndexError) as e:
        raise TP.corrupt(f"{type(e).__name__}: {e}") from None
