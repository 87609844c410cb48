"""ember.set_num_threads and friends compared with torch's, and checked against the BLAS library's own thread count."""
from __future__ import annotations

import ctypes
import doctest
import glob
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
from ember import _threads

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS")


@pytest.fixture(autouse=True)
def _restore_threads():
    """Put both frameworks' intra-op thread counts back: the count is process-wide and other tests share it."""
    saved = ember.get_num_threads(), torch.get_num_threads()
    yield
    ember.set_num_threads(saved[0])
    torch.set_num_threads(saved[1])


def _numpy_openblas():
    """(get, set) of NumPy's vendored scipy-openblas, opened here without ember's code; None on other builds."""
    numpy_dir = os.path.dirname(os.path.realpath(np.__file__))
    paths = glob.glob(os.path.join(numpy_dir + ".libs", "libscipy_openblas*"))
    if not paths or not hasattr(os, "RTLD_NOLOAD"):
        return None
    lib = ctypes.CDLL(paths[0], mode=os.RTLD_NOLOAD)
    for suffix in ("64_", ""):
        if hasattr(lib, f"scipy_openblas_get_num_threads{suffix}"):
            return (paths[0], getattr(lib, f"scipy_openblas_get_num_threads{suffix}"),
                    getattr(lib, f"scipy_openblas_set_num_threads{suffix}"))
    return None


def _run(code: str, env_extra: dict | None = None) -> str:
    """Run ``code`` in a fresh interpreter (clean thread variables plus ``env_extra``) and return its stdout."""
    env = {k: v for k, v in os.environ.items() if k not in _THREAD_VARS}
    env.update(env_extra or {})
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


# ----------------------------------------------------------------------------- the BLAS library really changes
def test_finds_numpys_blas():
    blas = _numpy_openblas()
    if blas is None:
        pytest.skip("NumPy here does not vendor scipy-openblas")
    assert os.path.realpath(_threads.blas_library()) == os.path.realpath(blas[0])


@pytest.mark.parametrize("n", [1, 2, 1])
def test_set_num_threads_sets_the_blas_library(n):
    blas = _numpy_openblas()
    if blas is None:
        pytest.skip("NumPy here does not vendor scipy-openblas")
    _, get, set_ = blas
    ember.set_num_threads(n)
    assert get() == n  # asked of the library directly
    assert ember.get_num_threads() == n
    set_(3 - n)  # and get reads the library, not a copy of the last value set
    assert ember.get_num_threads() == 3 - n


@pytest.mark.parametrize("value", [1, 2, np.int32(1), np.int64(2), np.uint8(1), type("Int", (int,), {})(2)],
                         ids=repr)
def test_accepts_python_and_numpy_ints_like_torch(value):
    assert torch.set_num_threads(value) is None
    assert ember.set_num_threads(value) is None
    assert ember.get_num_threads() == torch.get_num_threads() == int(value)
    assert type(ember.get_num_threads()) is int and type(ember.get_num_interop_threads()) is int


# ----------------------------------------------------------------------------- errors, as torch raises them
_BAD = [0, -1, -2 ** 31, 1.0, 2.5, True, False, "2", None, [1], 1j, np.bool_(True), np.float64(2.0), np.float32(1),
        np.array(2), 2 ** 31, -2 ** 31 - 1, 2 ** 63, -2 ** 63 - 1, np.int64(2 ** 40), np.uint64(2 ** 64 - 1),
        np.int8(-1), np.int64(0)]


@pytest.mark.parametrize("name", ["set_num_threads", "set_num_interop_threads"])
@pytest.mark.parametrize("value", _BAD, ids=repr)
def test_bad_values_raise_like_torch(name, value, monkeypatch):
    monkeypatch.setattr(_threads, "_num_interop_threads", None)
    before = ember.get_num_threads(), ember.get_num_interop_threads()
    with pytest.raises(Exception) as want:
        getattr(torch, name)(value)
    with pytest.raises(want.type, match="^" + re.escape(str(want.value)) + "$"):
        getattr(ember, name)(value)
    assert (ember.get_num_threads(), ember.get_num_interop_threads()) == before


@pytest.mark.parametrize("name", ["set_num_threads", "set_num_interop_threads"])
def test_a_tensor_is_not_an_int_like_torch(name):
    with pytest.raises(RuntimeError, match=f"^{name} expects an int, but got Tensor$"):
        getattr(torch, name)(torch.tensor(2))
    with pytest.raises(RuntimeError, match=f"^{name} expects an int, but got Tensor$"):
        getattr(ember, name)(ember.tensor(2))


@pytest.mark.parametrize("call", [
    lambda m: m.set_num_threads(), lambda m: m.set_num_threads(1, 2), lambda m: m.set_num_threads(nthreads=1),
    lambda m: m.get_num_threads(1), lambda m: m.set_num_interop_threads(), lambda m: m.get_num_interop_threads(1),
    lambda m: m.set_num_interop_threads(nthreads=1)])
def test_wrong_arguments_raise_type_error_like_torch(call):
    with pytest.raises(TypeError):
        call(torch)
    with pytest.raises(TypeError):
        call(ember)


# ----------------------------------------------------------------------------- inter-op: set once, in a fresh process
_INTEROP = """
m = __import__("{fw}")
def attempt(f, *a):
    try:
        return repr(f(*a))
    except Exception as e:
        return f"{{type(e).__name__}}: {{e}}"
print(attempt(m.get_num_interop_threads))
print(attempt(m.set_num_interop_threads, 3))
print(attempt(m.get_num_interop_threads))
print(attempt(m.set_num_interop_threads, 3))
print(attempt(m.set_num_interop_threads, 1))
print(attempt(m.set_num_interop_threads, 0))
print(attempt(m.set_num_interop_threads, 1.0))
print(attempt(m.get_num_interop_threads))
print(attempt(m.set_num_threads, 1), attempt(m.get_num_threads))
"""


def test_interop_threads_can_be_set_once_like_torch():
    got, want = _run(_INTEROP.format(fw="ember")), _run(_INTEROP.format(fw="torch"))
    assert got == want
    assert "RuntimeError: Error: cannot set number of interop threads after parallel work" in got


# ----------------------------------------------------------------------------- defaults
def test_default_follows_omp_num_threads_like_torch():
    code = "import {fw}; print({fw}.get_num_threads())"
    assert _run(code.format(fw="ember"), {"OMP_NUM_THREADS": "1"}) == "1\n"
    assert _run(code.format(fw="torch"), {"OMP_NUM_THREADS": "1"}) == "1\n"


@pytest.mark.parametrize("env", [{}, {"OMP_NUM_THREADS": "64"},
                                 {"OMP_NUM_THREADS": "5", "MKL_NUM_THREADS": "1"}], ids=str)
def test_without_a_blas_library_the_default_is_torchs(env, monkeypatch):
    monkeypatch.setattr(_threads, "_blas", None)
    monkeypatch.setattr(_threads, "_num_threads", None)
    for var in _THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert f"{ember.get_num_threads()}\n" == _run("import torch; print(torch.get_num_threads())", env)


def test_without_a_blas_library_the_value_set_is_kept(monkeypatch):
    monkeypatch.setattr(_threads, "_blas", None)
    monkeypatch.setattr(_threads, "_num_threads", None)
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 3
    with pytest.raises(RuntimeError, match="^set_num_threads expects a positive integer$"):
        ember.set_num_threads(0)
    assert ember.get_num_threads() == 3


def test_the_library_is_looked_up_on_first_use_not_at_import():
    code = "import ember, ember._threads as t; a = t._blas is t._NOT_LOOKED_UP; ember.get_num_threads(); " \
           "print(a, t._blas is t._NOT_LOOKED_UP)"
    assert _run(code) == "True False\n"


# ----------------------------------------------------------------------------- the public names
def test_public_names_and_docstring_examples():
    for name in ("set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads"):
        assert getattr(ember, name) is getattr(_threads, name)
        assert name in dir(ember)
    interop = _threads._num_interop_threads
    result = doctest.testmod(_threads)
    assert result.attempted >= 5 and result.failed == 0
    assert _threads._num_interop_threads == interop  # the examples leave the set-once value alone
