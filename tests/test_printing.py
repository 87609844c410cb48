"""Check ember._printing against the real torch 2.13 tensor repr."""

from __future__ import annotations

import ast
import sys
import time
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import ember._printing as printing
from ember._printing import format_tensor, set_printoptions

FLOAT_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
INT_DTYPES = [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]
COMPLEX_DTYPES = [torch.complex64, torch.complex128]
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + [torch.bool] + COMPLEX_DTYPES
SPECIALS = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-4, 1e8, 1000.0, 1e-5,
            9.99995, 0.99995, 65504.0, 3.4e38, 1e-45, 1e300, 1e-310,
            123456789.0]


@pytest.fixture(autouse=True)
def _restore_options() -> Iterator[None]:
    """Reset print options and default dtype of both libraries."""
    yield
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def _name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _ember_repr(t: torch.Tensor, **kwargs: Any) -> str:
    """Format ``t`` with ember, passing the same data and metadata."""
    t_data = t.detach()
    if t_data.dtype == torch.bfloat16:
        t_data = t_data.float()
    kwargs.setdefault("requires_grad", t.requires_grad)
    if t.grad_fn is not None:
        kwargs.setdefault("grad_fn_name", type(t.grad_fn).__name__)
    return format_tensor(
        t_data.numpy(), dtype_name=_name(t.dtype),
        default_dtype_name=_name(torch.get_default_dtype()), **kwargs)


def _check(t: torch.Tensor, **kwargs: Any) -> None:
    assert _ember_repr(t, **kwargs) == repr(t)


def _to_torch(x: np.ndarray, dtype: torch.dtype,
              imag: np.ndarray | None = None) -> torch.Tensor:
    """Build a tensor of ``dtype`` from float64 data (clipping for ints)."""
    x = np.asarray(x, dtype=np.float64)
    if dtype == torch.bool:
        return torch.from_numpy(np.asarray(x > 0))
    if dtype.is_complex:
        im = np.zeros_like(x) if imag is None else np.asarray(imag)
        with np.errstate(all="ignore"):  # inf * 1j gives nan parts
            return torch.from_numpy(np.asarray(x + 1j * im)).to(dtype)
    if dtype.is_floating_point:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.from_numpy(x).to(dtype)
    info = np.iinfo(_name(dtype))
    y = np.nan_to_num(x, nan=0.0, posinf=info.max, neginf=info.min)
    y = np.clip(y, max(info.min, -2**62), min(info.max, 2**62))
    return torch.from_numpy(np.asarray(y).astype(_name(dtype)))


def _random(rng: np.random.Generator, shape: tuple[int, ...],
            scale: float, mode: int) -> np.ndarray:
    """Random data: plain, integer-valued, or sprinkled with specials."""
    x = np.asarray(rng.standard_normal(shape) * scale)
    if mode == 1:
        x = np.asarray(np.round(x))
    elif mode == 2 and x.size:
        idx = rng.integers(0, x.size, rng.integers(1, x.size + 1))
        x.flat[idx] = rng.choice(SPECIALS, idx.size)
    elif mode == 3:
        x = np.asarray(rng.choice(SPECIALS, shape)).astype(np.float64)
    return x


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=_name)
@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 4), (2, 3, 4),
                                   (2, 1, 3, 2), (25,), (4, 30)])
def test_random_values(dtype: torch.dtype, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{dtype}{shape}".encode()))
    for scale in [1e-12, 1e-5, 1e-3, 0.5, 1.0, 100.0, 1e5, 1e9, 1e30]:
        for mode in range(4):
            x = _random(rng, shape, scale, mode)
            imag = _random(rng, shape, scale * 10, mode)
            _check(_to_torch(x, dtype, imag))


@pytest.mark.parametrize("values", [
    [1.0, 2.0], [0.0, 0.0], [-0.0], [-0.0, 1.0], [-0.0, 1.5],
    [np.nan], [np.inf, -np.inf], [np.nan, 1.0], [np.nan, 1.5, -np.inf],
    [1e-4, 1.0], [1e-5, 1.0], [1.0, 1000.0], [1.0, 1001.0], [1e8],
    [1e8 + 1], [123456789.0, 1.0], [1e-310, 1.0], [3.4e38, -3.4e38],
    [0.1, 0.2, 0.30000000000000004], [9.99995, 0.5], [-1e-4, 5e4],
    [65504.0, -65504.0], [1.0, 1e300], [2.5, 1e-300],
])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES + COMPLEX_DTYPES, ids=_name)
def test_special_values(values: list[float], dtype: torch.dtype) -> None:
    x = np.array(values)
    _check(_to_torch(x, dtype, x[::-1] * 3))
    for v in values:
        _check(_to_torch(np.array(v), dtype, np.array(-v)))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=_name)
def test_int_extremes_and_empty(dtype: torch.dtype) -> None:
    if dtype in INT_DTYPES:
        info = torch.iinfo(dtype)
        _check(torch.tensor([info.min, 0, info.max], dtype=dtype))
        _check(torch.tensor(info.min, dtype=dtype))
    for shape in [(0,), (2, 0), (2, 0, 3), (0, 5)]:
        _check(torch.zeros(shape, dtype=dtype))
    _check(torch.ones((), dtype=dtype))


@pytest.mark.parametrize("shape", [(1, 2000), (2000,), (100, 100),
                                   (1000, 1000), (10, 20, 30), (3, 1001),
                                   (4, 5, 6, 10)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64,
                                   torch.bool, torch.complex64], ids=_name)
def test_summarized(shape: tuple[int, ...], dtype: torch.dtype) -> None:
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape) * 1000
    _check(_to_torch(x, dtype, x * 0.01))


def test_default_dtype_suffix() -> None:
    for default in [torch.float64, torch.float16, torch.float32]:
        torch.set_default_dtype(default)
        for dtype in ALL_DTYPES:
            _check(torch.ones(3, dtype=dtype))
            _check(torch.zeros(0, dtype=dtype))
            _check(torch.zeros(2, 0, dtype=dtype))


def test_autograd_suffixes() -> None:
    leaf = torch.ones(2, requires_grad=True)
    _check(leaf)
    _check(leaf * 2)
    assert _ember_repr(leaf * 2) == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    _check(torch.randn(40, dtype=torch.float64, requires_grad=True) + 1)
    _check(torch.zeros(0, requires_grad=True))
    _check(torch.tensor(1.5, requires_grad=True).sum())


def test_parameter_and_device() -> None:
    param = torch.nn.Parameter(torch.randn(3, 4))
    data = param.detach().numpy()
    # torch: 'Parameter containing:\n' + tensor repr; rows keep indent 8.
    assert format_tensor(data, dtype_name="float32", requires_grad=True,
                         is_leaf_param=True) == repr(param)
    assert repr(param).splitlines()[2].startswith(" " * 8 + "[")
    got = format_tensor(np.array([1.0, 2.0], np.float32),
                        dtype_name="float32", device="cuda:0")
    assert got == "tensor([1., 2.], device='cuda:0')"
    got = format_tensor(np.array([1, 2], np.int32), dtype_name="int32",
                        device="cuda:0", grad_fn_name="AddBackward0")
    assert got == ("tensor([1, 2], device='cuda:0', dtype=torch.int32, "
                   "grad_fn=<AddBackward0>)")


def test_suffix_wrapping() -> None:
    for linewidth in range(20, 100, 3):
        torch.set_printoptions(linewidth=linewidth)
        set_printoptions(linewidth=linewidth)
        for n in range(1, 16):
            t = torch.arange(n, dtype=torch.float64) * 1.5
            _check(t)
            _check(t.reshape(1, n).requires_grad_(True) * 2)


@pytest.mark.parametrize("kwargs", [
    {"precision": 0}, {"precision": 2}, {"precision": 8},
    {"sci_mode": True}, {"sci_mode": False}, {"linewidth": 30},
    {"linewidth": 200}, {"threshold": 10}, {"threshold": 5, "edgeitems": 1},
    {"edgeitems": 0}, {"edgeitems": 0, "threshold": 5},
    {"profile": "short"}, {"profile": "full"}, {"profile": "default"},
    {"profile": "full", "precision": 6, "sci_mode": True},
    {"profile": "unknown"},
])
def test_set_printoptions(kwargs: dict[str, Any]) -> None:
    torch.set_printoptions(**kwargs)
    set_printoptions(**kwargs)
    assert printing.get_printoptions() == torch._tensor_str.get_printoptions()
    rng = np.random.default_rng(7)
    for shape in [(), (4,), (12,), (3, 5), (2, 3, 4), (1, 1200), (40, 40)]:
        for scale in [1e-6, 1.0, 3e3, 1e10]:
            for dtype in [torch.float32, torch.int32, torch.complex64]:
                x = _random(rng, shape, scale, int(rng.integers(0, 3)))
                _check(_to_torch(x, dtype, x[::-1] if x.ndim else x))


def test_option_fuzz() -> None:
    rng = np.random.default_rng(2024)
    for _ in range(1500):
        opts = {"precision": int(rng.integers(0, 9)),
                "threshold": int(rng.choice([5, 20, 100, 1000])),
                "edgeitems": int(rng.integers(0, 5)),
                "linewidth": int(rng.integers(10, 150)),
                "sci_mode": [None, True, False][int(rng.integers(0, 3))]}
        torch.set_printoptions(**opts)
        set_printoptions(**opts)
        shape = tuple(int(s) for s in rng.integers(0, 6, rng.integers(0, 4)))
        x = _random(rng, shape, 10.0 ** int(rng.integers(-10, 12)),
                    int(rng.integers(0, 4)))
        dtype = ALL_DTYPES[int(rng.integers(0, len(ALL_DTYPES)))]
        _check(_to_torch(x, dtype, np.round(x * 3)))


def test_speed() -> None:
    data = np.random.default_rng(0).standard_normal((100, 100))
    big = np.random.default_rng(1).standard_normal((1000, 1000))
    for arr in (data.astype(np.float32), big):
        best = min(_time(arr) for _ in range(5))
        assert best < 5e-3


def _time(arr: np.ndarray) -> float:
    start = time.perf_counter()
    format_tensor(arr, dtype_name=str(arr.dtype))
    return time.perf_counter() - start


def test_no_torch_import() -> None:
    tree = ast.parse(Path(printing.__file__).read_text())
    roots = {alias.name.split(".")[0]
             for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    roots |= {node.module.split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and node.module}
    assert all(r in sys.stdlib_module_names or r == "numpy" for r in roots)
