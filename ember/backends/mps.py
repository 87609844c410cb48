"""``ember.backends.mps``: Apple's Metal backend, which Ember does not have.

>>> import ember
>>> ember.backends.mps.is_available(), ember.backends.mps.is_built()
(False, False)
"""
from __future__ import annotations


def is_available() -> bool:
    """False: Ember runs on NumPy (CPU) and CuPy (NVIDIA GPUs) only."""
    return False


def is_built() -> bool:
    """False: Ember has no MPS backend."""
    return False
