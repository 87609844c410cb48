"""glibc allocator tuning: keep multi-MB NumPy buffers in the heap instead of mmap/munmap on every step.

Training loops allocate and free the same large arrays every step. glibc serves allocations above its
mmap threshold with fresh mappings, and each first touch of a fresh page faults: on the benchmark CNN this
made one convolution take 8-12 ms instead of 1.4 ms. Raising the mmap and trim thresholds lets freed
buffers be reused. Skipped when not on glibc, when ``EMBER_NO_MALLOC_TUNING=1``, or when the user set
glibc's own ``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` variables.
"""
from __future__ import annotations

import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 64 * 2 ** 20
TRIM_THRESHOLD = 256 * 2 ** 20


def tune() -> bool:
    """Apply the thresholds once; returns whether they were applied."""
    if not sys.platform.startswith("linux") or os.environ.get("EMBER_NO_MALLOC_TUNING") == "1":
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        import ctypes  # noqa: PLC0415

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    ok = (mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1) and ok
    return ok


applied = tune()
