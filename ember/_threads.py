"""CPU thread counts (``torch.set_num_threads`` and friends): Ember's intra-op threads are its BLAS library's threads.

Ember's only multi-threaded CPU code is the BLAS library NumPy links: OpenBLAS (NumPy's wheels vendor it as
scipy-openblas, whose symbols carry a ``scipy_`` prefix and a ``64_`` suffix) or MKL. ``set_num_threads`` calls the
library's own setter through ctypes. The library is looked up among the shared objects already loaded into this
process on the first call, not at import, so ``import ember`` stays fast. Without a known BLAS the value is only
recorded. Ember has no inter-op thread pool: the inter-op functions keep PyTorch's values and rules, and no more.
"""
from __future__ import annotations

import ctypes
import os
import threading

import numpy as np

__all__ = ["get_num_interop_threads", "get_num_threads", "set_num_interop_threads", "set_num_threads"]

# (file-name fragment, [(getter, setter), ...]) in the order tried; OpenBLAS's names with every prefix and suffix
# its builds use (plain, scipy-openblas, ILP64 ``64_``/``_64``), then MKL's single runtime library.
_KINDS = (
    ("openblas", [(f"{p}openblas_get_num_threads{s}", f"{p}openblas_set_num_threads{s}")
                  for p in ("scipy_", "") for s in ("64_", "_64", "")]),
    ("mkl_rt", [("MKL_Get_Max_Threads", "MKL_Set_Num_Threads")]),
)
_INTEROP_SET_TWICE = ("Error: cannot set number of interop threads after parallel work has started or "
                      "set_num_interop_threads called")

_NOT_LOOKED_UP = object()
_blas = _NOT_LOOKED_UP  # a _Blas, or None when no known BLAS library is loaded
_num_threads = None  # the value last set, reported when there is no BLAS to ask
_num_interop_threads = None  # set once, as in PyTorch
_physical = None
_lock = threading.Lock()


class _Blas:
    """One loaded BLAS library's path and its thread-count getter and setter."""

    def __init__(self, path: str, get, set_) -> None:
        self.path, self.get, self.set = path, get, set_


def _loaded_libraries() -> list[str]:
    """Paths of the shared libraries loaded into this process, in load order (Linux/BSD and macOS; else [])."""
    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):  # Windows: no handle for the process itself
        return []
    names: list[str] = []
    if hasattr(libc, "dl_iterate_phdr"):
        class _Info(ctypes.Structure):  # the head of struct dl_phdr_info
            _fields_ = [("addr", ctypes.c_void_p), ("name", ctypes.c_char_p)]

        def visit(info, size, data):
            if info.contents.name:
                names.append(os.fsdecode(info.contents.name))
            return 0

        callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_Info), ctypes.c_size_t, ctypes.c_void_p)(visit)
        libc.dl_iterate_phdr(callback, None)
    elif hasattr(libc, "_dyld_image_count"):
        libc._dyld_get_image_name.restype = ctypes.c_char_p
        names = [os.fsdecode(libc._dyld_get_image_name(i)) for i in range(libc._dyld_image_count())]
    return names


def _open(path: str) -> _Blas | None:
    """The thread functions of the BLAS library at ``path`` (already loaded), or None if it is not a known one."""
    base = os.path.basename(path).lower()
    for fragment, symbols in _KINDS:
        if fragment not in base:
            continue
        try:  # RTLD_NOLOAD: a handle to the copy already in memory, never a second copy
            lib = ctypes.CDLL(path, mode=getattr(os, "RTLD_NOLOAD", 0))
        except OSError:
            return None
        for get_name, set_name in symbols:
            get, set_ = getattr(lib, get_name, None), getattr(lib, set_name, None)
            if get is not None and set_ is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                set_.restype, set_.argtypes = None, [ctypes.c_int]
                return _Blas(path, get, set_)
    return None


def _find_blas() -> _Blas | None:
    """The BLAS library NumPy uses, looked up once: NumPy's vendored copy first, else the first one loaded."""
    global _blas
    if _blas is _NOT_LOOKED_UP:
        numpy_dir = os.path.dirname(os.path.realpath(np.__file__))
        vendored = (numpy_dir + ".libs" + os.sep, os.path.join(numpy_dir, ".dylibs", ""))
        paths = sorted(_loaded_libraries(), key=lambda p: not os.path.realpath(p).startswith(vendored))
        _blas = next((b for b in map(_open, paths) if b is not None), None)
    return _blas


def blas_library() -> str | None:
    """The path of the BLAS library whose threads ``set_num_threads`` sets, or None when there is none."""
    blas = _find_blas()
    return None if blas is None else blas.path


def _typename(obj) -> str:
    """The C type name PyTorch's messages show: ``float``, ``numpy.float64``, a Python class's own name."""
    t = type(obj)
    if t.__flags__ & (1 << 9) or t.__module__ == "builtins":  # Py_TPFLAGS_HEAPTYPE: a class defined in Python
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


def _check_count(fn: str, n) -> int:
    """PyTorch's argument check: a Python or NumPy int (not a bool) that fits a C int and is positive."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise RuntimeError(f"{fn} expects an int, but got {_typename(n)}")  # noqa: TRY004  (PyTorch's type)
    n = int(n)
    if not -2 ** 63 <= n < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    if not -2 ** 31 <= n < 2 ** 31:
        raise ValueError("Overflow when unpacking long")
    if n <= 0:
        raise RuntimeError(f"{fn} expects a positive integer")
    return n


def _physical_cores() -> int:
    """PyTorch's default pool size: the physical cores (from Linux's CPU topology), else the logical CPUs."""
    global _physical
    if _physical is None:
        import glob  # noqa: PLC0415

        cores = set()
        for path in glob.glob("/sys/devices/system/cpu/cpu[0-9]*/topology/thread_siblings_list"):
            try:
                with open(path) as f:
                    cores.add(f.read().strip())
            except OSError:
                pass
        _physical = len(cores) or os.cpu_count() or 1
    return _physical


def _default_num_threads() -> int:
    """PyTorch's intra-op default: the physical cores, or fewer if ``MKL_NUM_THREADS``/``OMP_NUM_THREADS`` say so."""
    for var in ("MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return min(int(value), _physical_cores())  # torch 2.13 caps a larger value at the core count too
    return _physical_cores()


def set_num_threads(nthreads: int, /) -> None:
    """Set the number of threads used for intra-op parallelism on the CPU: the BLAS library's threads.

    Matrix products, convolutions and the other BLAS-backed ops use up to ``nthreads`` threads; elementwise ops are
    single-threaded in NumPy whatever the setting. The count is the whole process's, as in PyTorch.

    >>> import ember
    >>> n = ember.get_num_threads()
    >>> ember.set_num_threads(1)
    >>> ember.get_num_threads()
    1
    >>> ember.set_num_threads(n)
    """
    global _num_threads
    nthreads = _check_count("set_num_threads", nthreads)
    blas = _find_blas()
    if blas is not None:
        blas.set(nthreads)
    _num_threads = nthreads


def get_num_threads() -> int:
    """The number of threads used for intra-op parallelism on the CPU (the BLAS library's own count).

    Without a BLAS library Ember can control, the value last set, or PyTorch's default before any.

    >>> import ember
    >>> ember.get_num_threads() >= 1
    True
    """
    blas = _find_blas()
    if blas is not None:
        return int(blas.get())
    return _num_threads if _num_threads is not None else _default_num_threads()


def set_num_interop_threads(nthreads: int, /) -> None:
    """Set the number of threads for inter-op parallelism on the CPU; it can be set only once, as in PyTorch.

    Ember runs ops one after another and has no inter-op pool, so this only records the value that
    ``get_num_interop_threads`` returns. A second call raises PyTorch's RuntimeError.

    >>> import ember
    >>> ember.set_num_interop_threads(0)
    Traceback (most recent call last):
        ...
    RuntimeError: set_num_interop_threads expects a positive integer
    """
    global _num_interop_threads
    nthreads = _check_count("set_num_interop_threads", nthreads)
    with _lock:
        if _num_interop_threads is not None:
            raise RuntimeError(_INTEROP_SET_TWICE)
        _num_interop_threads = nthreads


def get_num_interop_threads() -> int:
    """The number of threads for inter-op parallelism: the value set, else PyTorch's default (the physical cores).

    >>> import ember
    >>> ember.get_num_interop_threads() >= 1
    True
    """
    return _num_interop_threads if _num_interop_threads is not None else _physical_cores()
