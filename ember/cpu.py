"""``torch.cpu``: the CPU device module (always available, one device), with PyTorch's no-op streams and
``torch.cpu.amp``.

>>> import ember
>>> ember.cpu.is_available(), ember.cpu.device_count(), ember.cpu.current_device()
(True, 1, 'cpu')
"""
from __future__ import annotations

import contextlib

__all__ = ["Stream", "current_device", "current_stream", "device_count", "is_available", "is_initialized",
           "set_device", "stream", "synchronize"]


def is_available() -> bool:
    """True: the CPU is always there."""
    return True


def is_initialized() -> bool:
    """True."""
    return True


def device_count() -> int:
    """1: PyTorch counts the CPU as one device."""
    return 1


def current_device() -> str:
    """``"cpu"``."""
    return "cpu"


def set_device(device) -> None:
    """Nothing to select: one CPU device."""


def synchronize(device=None) -> None:
    """Nothing to wait for: CPU ops finish before they return."""


class Stream:
    """PyTorch's CPU stream: a placeholder whose operations do nothing."""

    def __init__(self, priority: int = -1) -> None:
        self.priority = priority

    def wait_stream(self, stream) -> None:
        pass

    def record_event(self) -> None:
        pass

    def wait_event(self, event) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def query(self) -> bool:
        return True


_STREAM = Stream()


def current_stream(device=None) -> Stream:
    """The (one) CPU stream."""
    return _STREAM


@contextlib.contextmanager
def stream(stream):
    """A no-op context: CPU work is not queued on streams."""
    yield


def __getattr__(name: str):
    if name == "amp":  # torch.cpu.amp's deprecated autocast (ember/amp.py)
        from .amp import cpu_amp  # noqa: PLC0415

        return cpu_amp
    raise AttributeError(f"module 'ember.cpu' has no attribute '{name}'")
