"""``ember.cuda``: GPU availability through CuPy (optional)."""
from __future__ import annotations

from ._device import _get_cupy


def is_available() -> bool:
    """Whether CuPy is installed and sees an NVIDIA GPU.

    >>> import ember
    >>> isinstance(ember.cuda.is_available(), bool)
    True
    """
    return _get_cupy() is not None


def device_count() -> int:
    cp = _get_cupy()
    return cp.cuda.runtime.getDeviceCount() if cp is not None else 0


def current_device() -> int:
    cp = _get_cupy()
    if cp is None:
        raise AssertionError("Torch not compiled with CUDA enabled")
    return cp.cuda.Device().id


def set_device(device) -> None:
    cp = _get_cupy()
    if cp is None:
        raise AssertionError("Torch not compiled with CUDA enabled")
    idx = device if isinstance(device, int) else (device.index or 0) if hasattr(device, "index") else \
        int(str(device).split(":")[-1]) if ":" in str(device) else 0
    cp.cuda.Device(idx).use()


def synchronize(device=None) -> None:
    cp = _get_cupy()
    if cp is not None:
        cp.cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    cp = _get_cupy()
    if cp is not None:
        cp.random.seed(int(seed) % (2 ** 32))


manual_seed_all = manual_seed


def get_device_name(device=None) -> str:
    cp = _get_cupy()
    if cp is None:
        raise AssertionError("Torch not compiled with CUDA enabled")
    return cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)["name"].decode()


def empty_cache() -> None:
    cp = _get_cupy()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def __getattr__(name: str):
    if name == "amp":  # torch.cuda.amp's deprecated GradScaler and autocast (ember/amp.py)
        from .amp import cuda_amp  # noqa: PLC0415

        return cuda_amp
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
